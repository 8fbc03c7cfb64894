// SPDX-License-Identifier: MIT
// The rtshm tool's command line (see command_line.hpp).
#include "command_line.hpp"

#include <getopt.h>

#include <array>
#include <span>
#include <vector>

namespace rtshm::tool {
namespace {

constexpr std::string_view kOverview = R"(usage: rtshm [--json] COMMAND [OPTIONS] [ARGS]
       rtshm --help | --version

Inspect and manage rtshm, the RTX shared-memory API for Linux.

commands:
  status            backend in use; whether rtshm.ko is loaded, its version and
                    parameters; number of objects and pinned bytes
  ls                every live object: name, size, handles, mappings, owner,
                    mode, creator pid and type (shm, event, mutex, semaphore)
  info NAME         one object by name (UTF-8 bytes, exactly as created); for
                    an event, mutex or semaphore also its state and waiters
  load [--path KO]  load rtshm.ko (from the module tree, or the file KO)
  unload            unload rtshm.ko; refused while handles or mappings exist
  help [COMMAND]    this text, or the usage of COMMAND

options (anywhere on the line; "--" ends them, so that "rtshm info -- --json"
asks for the object named --json):
  --json            machine-readable output for status, ls and info
  -h, --help        this text; after a command, that command's usage
  --version         print "rtshm VERSION"

environment:
  RTSHM_BACKEND=auto|kernel|posix   the backend the library uses (default auto:
                                    the kernel when /dev/rtshm exists)
  RTSHM_BROKER_SOCKET=PATH          the POSIX backend's broker (default: the
                                    system one, else one for this user)

exit status:
  0 success             1 other failure        2 bad command line
  3 module not loaded or not installed         4 permission denied
  5 module in use (unload refused)             6 no object of that name

See rtshm(1) for the JSON format.
)";

constexpr std::string_view kStatusUsage = R"(usage: rtshm status [--json]

The backend this process uses, its IPC namespace (kernel backend), whether
rtshm.ko is loaded with its version and parameters, the number of objects
and the bytes they pin.

options:
  --json        one JSON object (see rtshm(1))
  -h, --help    this text
)";

constexpr std::string_view kLsUsage = R"(usage: rtshm ls [--json]

Every live object you may see: name, size, handles, mappings, owner, mode,
creator pid and type. Bytes of a name that are control characters or not
UTF-8 are shown as \xNN.

options:
  --json        a JSON array of objects (see rtshm(1))
  -h, --help    this text
)";

constexpr std::string_view kInfoUsage = R"(usage: rtshm info [--json] [--] NAME

One object by its name, the bytes exactly as created; for an event, mutex
or semaphore also its state and waiters. Put "--" before a NAME that
begins with "-". Exit status 6 when no object has that name.

options:
  --json        one JSON object (see rtshm(1))
  -h, --help    this text
)";

constexpr std::string_view kLoadUsage = R"(usage: rtshm load [--path KO]

Load rtshm.ko through libkmod: from the module tree of the running kernel
(modprobe's rules), or the file KO. Needs root (CAP_SYS_MODULE).

options:
  --path KO     load this .ko file instead
  -h, --help    this text
)";

constexpr std::string_view kUnloadUsage = R"(usage: rtshm unload

Unload rtshm.ko. Refused (exit status 5) while any handle or mapping exists.
Needs root (CAP_SYS_MODULE).

options:
  -h, --help    this text
)";

constexpr std::string_view kHelpUsage = R"(usage: rtshm help [COMMAND]

The overview of every command, or the usage of COMMAND.

options:
  -h, --help    this text
)";

struct CommandSpec {
    Command command;
    const char *name;
    std::string_view usage;
    bool takes_json;
    bool takes_path;
    int min_operands;
    int max_operands;
    const char *operand; // its name in "missing NAME"
};

constexpr std::array kCommands{
    CommandSpec{Command::status, "status", kStatusUsage, true, false, 0, 0, ""},
    CommandSpec{Command::ls, "ls", kLsUsage, true, false, 0, 0, ""},
    CommandSpec{Command::info, "info", kInfoUsage, true, false, 1, 1, "NAME"},
    CommandSpec{Command::load, "load", kLoadUsage, false, true, 0, 0, ""},
    CommandSpec{Command::unload, "unload", kUnloadUsage, false, false, 0, 0, ""},
    CommandSpec{Command::help, "help", kHelpUsage, false, false, 0, 1, "COMMAND"},
};

const CommandSpec *find_command(std::string_view name) {
    for (const auto &c : kCommands)
        if (name == c.name)
            return &c;
    return nullptr;
}

// Long options' codes are above any char, so that optopt tells a refused
// long option (0 or one of these) from a refused short one.
enum OptionId : int { kOptShortHelp = 'h', kOptHelp = 0x100, kOptJson, kOptPath, kOptVersion };

// The option getopt_long refused, as the user wrote it; getopt's own
// messages are off (opterr = 0) so that the command can be named.
std::string bad_option_message(int code, char **argv, std::span<const option> known) {
    if (code == ':') {
        for (const auto &o : known)
            if (o.val == optopt && o.name)
                return std::string("option '--") + o.name + "' needs an argument";
        return std::string("option '-") + static_cast<char>(optopt) + "' needs an argument";
    }
    if (optopt != 0 && optopt < kOptHelp) // a short option, maybe within "-xyz"
        return std::string("unknown option '-") + static_cast<char>(optopt) + "'";
    const std::string_view word(argv[optind - 1]); // a long one: its own word
    if (optopt != 0)                               // known, but given "=VALUE"
        return "option '" + std::string(word.substr(0, word.find('='))) + "' takes no argument";
    return "unknown option '" + std::string(word) + "'";
}

} // namespace

std::string_view usage_text(std::optional<Command> command) {
    for (const auto &c : kCommands)
        if (command == c.command)
            return c.usage;
    return kOverview;
}

std::expected<Invocation, UsageError> parse_command_line(int argc, char **argv) {
    Invocation inv;
    opterr = 0;

    // The options before the command; "+": stop at the command's name.
    static constexpr option kGlobal[] = {{"json", no_argument, nullptr, kOptJson},
                                         {"help", no_argument, nullptr, kOptHelp},
                                         {"version", no_argument, nullptr, kOptVersion},
                                         {nullptr, 0, nullptr, 0}};
    bool help = false, version = false;
    optind = 0; // glibc: start afresh
    for (int c; (c = getopt_long(argc, argv, "+:h", kGlobal, nullptr)) != -1;) {
        switch (c) {
        case kOptJson:
            inv.json = true;
            break;
        case kOptShortHelp:
        case kOptHelp:
            help = true;
            break;
        case kOptVersion:
            version = true;
            break;
        default:
            return std::unexpected(UsageError{"rtshm", bad_option_message(c, argv, kGlobal)});
        }
    }
    if (version) {
        inv.command = Command::version;
        return inv;
    }
    if (optind >= argc) {
        if (help)
            return inv; // help, no topic: the overview
        return std::unexpected(UsageError{"rtshm", "missing command"});
    }
    const CommandSpec *spec = find_command(argv[optind]);
    if (!spec)
        return std::unexpected(
            UsageError{"rtshm", "unknown command '" + std::string(argv[optind]) + "'"});
    if (help) { // rtshm --help COMMAND
        inv.help_topic = spec->command;
        return inv;
    }
    inv.command = spec->command;
    const std::string where = std::string("rtshm ") + spec->name;

    // The command's own options, in any order with its operands ("-": each
    // operand returned in place as code 1, whatever POSIXLY_CORRECT says).
    std::vector<option> opts{{"help", no_argument, nullptr, kOptHelp}};
    if (spec->takes_json)
        opts.push_back({"json", no_argument, nullptr, kOptJson});
    if (spec->takes_path)
        opts.push_back({"path", required_argument, nullptr, kOptPath});
    opts.push_back({nullptr, 0, nullptr, 0});
    if (inv.json && !spec->takes_json)
        return std::unexpected(UsageError{where, "unknown option '--json'"});

    char **cargv = argv + optind;
    const int cargc = argc - optind;
    std::vector<std::string> operands;
    optind = 0;
    for (int c; (c = getopt_long(cargc, cargv, "-:h", opts.data(), nullptr)) != -1;) {
        switch (c) {
        case 1:
            operands.emplace_back(optarg);
            break;
        case kOptShortHelp:
        case kOptHelp:
            inv.command = Command::help;
            inv.help_topic = spec->command;
            return inv;
        case kOptJson:
            inv.json = true;
            break;
        case kOptPath:
            inv.ko_path = optarg;
            break;
        default:
            return std::unexpected(UsageError{where, bad_option_message(c, cargv, opts)});
        }
    }
    for (; optind < cargc; ++optind) // after "--"
        operands.emplace_back(cargv[optind]);

    const auto n = static_cast<int>(operands.size());
    if (n < spec->min_operands)
        return std::unexpected(UsageError{where, std::string("missing ") + spec->operand});
    if (n > spec->max_operands)
        return std::unexpected(
            UsageError{where, "unexpected argument '" + operands[spec->max_operands] + "'"});
    if (spec->command == Command::info) {
        inv.name = operands[0];
    } else if (spec->command == Command::help && n == 1) {
        const CommandSpec *topic = find_command(operands[0]);
        if (!topic)
            return std::unexpected(UsageError{where, "no command '" + operands[0] + "'"});
        inv.help_topic = topic->command;
    }
    return inv;
}

} // namespace rtshm::tool
