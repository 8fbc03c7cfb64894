// SPDX-License-Identifier: MIT
// The rtshm tool's command line: global options, a command, its options and
// operands in any order (getopt_long; "--" ends the options), and the usage
// text of each command.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace rtshm::tool {

enum class Command { status, ls, info, load, unload, help, version };

struct Invocation {
    Command command = Command::help;
    bool json = false;                    // --json (status, ls, info)
    std::optional<Command> help_topic{};  // help: a command's usage; none: the overview
    std::string name{};                   // info NAME
    std::optional<std::string> ko_path{}; // load --path KO
};

struct UsageError {
    std::string where;   // "rtshm" or "rtshm COMMAND"
    std::string message; // what was wrong, naming the word at fault
};

std::expected<Invocation, UsageError> parse_command_line(int argc, char **argv);

// The usage of one command, or with no command the overview of all.
std::string_view usage_text(std::optional<Command> command);

} // namespace rtshm::tool
