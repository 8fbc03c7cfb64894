// SPDX-License-Identifier: MIT
// The rtshm command: status, listing and loading of rtshm for administrators
// and shell scripts. Output is stable; `--json` is for programs.
#include "command_line.hpp"
#include "exit_codes.hpp"
#include "json.hpp"
#include "module_status.hpp"
#include "module_control.hpp"
#include "utf8_scan.hpp"

#include <rtshm/rtshm.h>
#include <rtshm/rtshm.hpp>

#include <cerrno>
#include <cstdio>
#include <unistd.h>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using namespace rtshm::tool;
using rtshm::ObjectInfo;

namespace {

// printf into a std::string (libstdc++ 12 has no <format>).
template <typename... Args> std::string strprintf(const char *fmt, Args... args) {
    int n = std::snprintf(nullptr, 0, fmt, args...);
    std::string s(static_cast<std::size_t>(n), '\0');
    std::snprintf(s.data(), s.size() + 1, fmt, args...);
    return s;
}

// Names are opaque bytes: show control characters (C1 ones too) and bytes
// that are not UTF-8 as \xNN, so that the terminal shows them and obeys none.
std::string printable(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const Utf8Step step = utf8_step(s, i);
        const bool c1 = step.valid && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;
        if (!step.valid || c1 || c < 0x20 || c == 0x7f) {
            for (std::size_t k = 0; k < step.length; ++k)
                out += strprintf("\\x%02x", static_cast<unsigned char>(s[i + k]));
        } else {
            out.append(s.substr(i, step.length));
        }
        i += step.length;
    }
    return out;
}

std::string display_name(const ObjectInfo &o) {
    return o.name ? printable(*o.name)
                  : strprintf("(unnamed #%llu)", static_cast<unsigned long long>(o.id));
}

const char *type_name(std::uint32_t t) {
    switch (t) {
    case RTSHM_OBJECT_SHM:
        return "shm";
    case RTSHM_OBJECT_EVENT:
        return "event";
    case RTSHM_OBJECT_MUTEX:
        return "mutex";
    case RTSHM_OBJECT_SEMAPHORE:
        return "semaphore";
    }
    return "unknown";
}

// The state of a named event, mutex or semaphore (S59), read through a
// handle of our own for the moment of the query.
std::optional<RTSHM_SYNC_STATE> sync_state(const ObjectInfo &o) {
    if (!o.name || o.type < RTSHM_OBJECT_EVENT || o.type > RTSHM_OBJECT_SEMAPHORE)
        return std::nullopt;
    const char *n = o.name->c_str();
    HANDLE h = o.type == RTSHM_OBJECT_EVENT   ? RtOpenEventA(0, FALSE, n)
               : o.type == RTSHM_OBJECT_MUTEX ? RtOpenMutexA(0, FALSE, n)
                                              : RtOpenSemaphoreA(0, FALSE, n);
    if (h == nullptr)
        return std::nullopt;
    RTSHM_SYNC_STATE st{};
    bool ok = RtShmQuerySyncObject(h, &st);
    RtCloseHandle(h);
    if (!ok)
        return std::nullopt;
    return st;
}

std::string state_text(const RTSHM_SYNC_STATE &st) {
    switch (st.type) {
    case RTSHM_OBJECT_EVENT:
        return strprintf("%s, %s", st.signaled ? "signaled" : "not signaled",
                         st.manual ? "manual-reset" : "auto-reset");
    case RTSHM_OBJECT_SEMAPHORE:
        return strprintf("count %d of %d", st.count, st.maximum);
    case RTSHM_OBJECT_MUTEX:
        if (st.owner_tid != 0)
            return strprintf("owned by pid %u tid %u, %u time%s", st.owner_pid, st.owner_tid,
                             st.recursion, st.recursion == 1 ? "" : "s");
        return st.abandoned ? "free (abandoned: its owner ended holding it)" : "free";
    }
    return "unknown";
}

std::string state_json(const RTSHM_SYNC_STATE &st) {
    switch (st.type) {
    case RTSHM_OBJECT_EVENT:
        return strprintf(R"({"signaled":%s,"manual_reset":%s,"waiters":%u})",
                         st.signaled ? "true" : "false", st.manual ? "true" : "false", st.waiters);
    case RTSHM_OBJECT_SEMAPHORE:
        return strprintf(R"({"count":%d,"maximum":%d,"waiters":%u})", st.count, st.maximum,
                         st.waiters);
    default:
        return strprintf(R"({"owner_pid":%u,"owner_tid":%u,"recursion":%u,"abandoned":%s,)"
                         R"("waiters":%u})",
                         st.owner_pid, st.owner_tid, st.recursion, st.abandoned ? "true" : "false",
                         st.waiters);
    }
}

std::string object_json(const ObjectInfo &o, bool with_state = false) {
    const std::string name = o.name ? json_string(*o.name) : "null";
    const std::string name_hex = o.name ? json_hex(*o.name) : "null";
    std::string state;
    if (with_state)
        if (auto st = sync_state(o))
            state = ",\"state\":" + state_json(*st);
    return strprintf(R"({"id":%s,"name":%s,"name_hex":%s,"size":%llu,"allocated_bytes":%llu,)"
                     R"("handles":%u,"mappings":%u,"uid":%u,"gid":%u,"mode":"%04o",)"
                     R"("creator_pid":%d,"read_only":%s,"type":"%s"%s})",
                     json_u64_string(o.id).c_str(), name.c_str(), name_hex.c_str(),
                     static_cast<unsigned long long>(o.size),
                     static_cast<unsigned long long>(o.allocated_bytes), o.handles, o.mappings,
                     o.uid, o.gid, o.mode, o.creator_pid, o.read_only ? "true" : "false",
                     type_name(o.type), state.c_str());
}

struct Listing {
    std::vector<ObjectInfo> objects;
    int exit_code = kOk;
    std::string error;
};

Listing list_objects() {
    Listing l;
    auto objs = rtshm::list_objects();
    if (objs) {
        l.objects = std::move(*objs);
        return l;
    }
    const bool kernel = rtshm::backend() != rtshm::Backend::posix;
    switch (objs.error()) {
    case rtshm::Error::access_denied:
        l.exit_code = kPermission;
        break;
    case rtshm::Error::invalid_handle: // the kernel backend without the module
        l.exit_code = kernel ? kNoModule : kFailure;
        break;
    default:
        l.exit_code = kFailure;
    }
    l.error = strprintf("cannot list objects (%s backend): %s", kernel ? "kernel" : "posix",
                        rtshm::to_string(objs.error()).data());
    // The library says ERROR_NOT_ENOUGH_MEMORY when no broker answers (what
    // a create would get); an administrator needs to hear where it looked.
    if (RTSHM_BROKER_INFO b{};
        !kernel && objs.error() == rtshm::Error::not_enough_memory && RtShmQueryBroker(&b) == 0)
        l.error =
            strprintf("cannot list objects (posix backend): no broker answers at %s", b.socket);
    return l;
}

// The caller's IPC namespace ("ipc:[4026531839]"): with the kernel backend,
// the name table every call of this process sees (S34).
std::string ipc_namespace() {
    char buf[64] = {};
    ssize_t n = ::readlink("/proc/self/ns/ipc", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("unknown");
}

// The POSIX backend's broker: which one serves this user (S34). Asked, not
// started.
struct BrokerLine {
    bool answered = false;
    RTSHM_BROKER_INFO info{};
};

BrokerLine query_broker() {
    BrokerLine b;
    b.answered = RtShmQueryBroker(&b.info) != 0;
    return b;
}

int cmd_status(bool json) {
    ModuleStatus m = read_module_status();
    const bool posix = rtshm::backend() == rtshm::Backend::posix;
    BrokerLine br;
    const std::string ns = ipc_namespace();
    const std::string_view backend = rtshm::backend_name(rtshm::backend());
    Listing l = list_objects(); // POSIX: starts this user's broker if none serves it
    if (posix)
        br = query_broker();
    // Kernel: pinned bytes as the module counts them; POSIX: what objects hold.
    std::uint64_t pinned = 0;
    for (const auto &o : l.objects)
        pinned += o.allocated_bytes;
    if (rtshm::backend() == rtshm::Backend::kernel && m.pinned_bytes)
        pinned = *m.pinned_bytes;

    if (json) {
        std::string params;
        for (const auto &[k, v] : m.parameters)
            params += (params.empty() ? "" : ",") + json_string(k) + ":" + json_string(v);
        std::string broker = "null";
        if (posix)
            broker = strprintf("{\"socket\":%s,\"pid\":%d,\"system\":%s}",
                               json_string(br.info.socket).c_str(), br.info.pid,
                               (br.info.flags & RTSHM_BROKER_SYSTEM) != 0 ? "true" : "false");
        std::printf("{\"backend\":%s,\"ipc_namespace\":%s,\"broker\":%s,\"module\":{\"loaded\":%s,"
                    "\"version\":%s,\"parameters\":{%s}},\"objects\":%zu,\"pinned_bytes\":%llu}\n",
                    json_string(backend).c_str(), json_string(ns).c_str(), broker.c_str(),
                    m.loaded ? "true" : "false", m.loaded ? json_string(m.version).c_str() : "null",
                    params.c_str(), l.objects.size(), static_cast<unsigned long long>(pinned));
    } else {
        std::printf("backend: %.*s\n", static_cast<int>(backend.size()), backend.data());
        if (rtshm::backend() == rtshm::Backend::kernel)
            std::printf("name table: IPC namespace %s (objects you may read)\n", ns.c_str());
        if (posix && br.answered)
            std::printf("broker: %s, pid %d, %s (objects you may read)\n", br.info.socket,
                        br.info.pid,
                        (br.info.flags & RTSHM_BROKER_SYSTEM) != 0 ? "the system's, every user"
                                                                   : "this user's");
        else if (posix)
            std::printf("broker: none answers at %s (one starts with the first object)\n",
                        br.info.socket);
        if (m.loaded) {
            std::printf("module: loaded, version %s\n", m.version.c_str());
            for (const auto &[k, v] : m.parameters)
                std::printf("  %s = %s\n", k.c_str(), v.c_str());
        } else {
            std::printf("module: not loaded\n");
        }
        std::printf("objects: %zu\npinned bytes: %llu\n", l.objects.size(),
                    static_cast<unsigned long long>(pinned));
    }
    if (!l.error.empty())
        std::fprintf(stderr, "rtshm: %s\n", l.error.c_str());
    return l.exit_code;
}

void print_table(std::span<const ObjectInfo> objs) {
    std::printf("%-24s %12s %7s %8s %6s %6s %5s %8s %s\n", "NAME", "SIZE", "HANDLES", "MAPPINGS",
                "UID", "GID", "MODE", "PID", "TYPE");
    for (const auto &o : objs)
        std::printf("%-24s %12llu %7u %8u %6u %6u %04o %8d %s%s\n", display_name(o).c_str(),
                    static_cast<unsigned long long>(o.size), o.handles, o.mappings, o.uid, o.gid,
                    o.mode, o.creator_pid, type_name(o.type), o.read_only ? " ro" : "");
}

int cmd_ls(bool json) {
    Listing l = list_objects();
    if (l.exit_code != kOk) {
        std::fprintf(stderr, "rtshm: %s\n", l.error.c_str());
        return l.exit_code;
    }
    if (json) {
        std::string out = "[";
        for (std::size_t i = 0; i < l.objects.size(); ++i)
            out += (i ? "," : "") + object_json(l.objects[i]);
        std::printf("%s]\n", out.c_str());
    } else {
        print_table(l.objects);
    }
    return kOk;
}

int cmd_info(std::string_view name, bool json) {
    Listing l = list_objects();
    if (l.exit_code != kOk) {
        std::fprintf(stderr, "rtshm: %s\n", l.error.c_str());
        return l.exit_code;
    }
    for (const auto &o : l.objects) {
        if (o.name && *o.name == name) {
            if (json) {
                std::printf("%s\n", object_json(o, true).c_str());
                return kOk;
            }
            std::printf("name: %s\nid: %llu\nsize: %llu\nmemory: %llu bytes\nhandles: "
                        "%u\nmappings: %u\nowner: %u:%u\nmode: %04o%s\ncreator pid: %d\n"
                        "type: %s\n",
                        display_name(o).c_str(), static_cast<unsigned long long>(o.id),
                        static_cast<unsigned long long>(o.size),
                        static_cast<unsigned long long>(o.allocated_bytes), o.handles, o.mappings,
                        o.uid, o.gid, o.mode, o.read_only ? " (read-only)" : "", o.creator_pid,
                        type_name(o.type));
            if (auto st = sync_state(o))
                std::printf("state: %s\nwaiters: %u\n", state_text(*st).c_str(), st->waiters);
            return kOk;
        }
    }
    std::fprintf(stderr, "rtshm: no object named '%s'\n", printable(name).c_str());
    return kNoSuchObject;
}

int report(const ModuleResult &r) {
    std::fprintf(r.exit_code == kOk ? stdout : stderr, "%s%s\n",
                 r.exit_code == kOk ? "" : "rtshm: ", r.message.c_str());
    return r.exit_code;
}

int usage_error(const UsageError &e) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help'.\n", e.where.c_str(), e.message.c_str(),
                 e.where.c_str());
    return kUsage;
}

int run(const Invocation &inv) {
    switch (inv.command) {
    case Command::status:
        return cmd_status(inv.json);
    case Command::ls:
        return cmd_ls(inv.json);
    case Command::info:
        return cmd_info(inv.name, inv.json);
    case Command::load:
        return report(load_module(inv.ko_path.value_or("")));
    case Command::unload:
        return report(unload_module());
    case Command::version:
        std::printf("rtshm %s\n", RTSHM_VERSION_STRING);
        return kOk;
    case Command::help:
        break;
    }
    const std::string_view text = usage_text(inv.help_topic);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kOk;
}

} // namespace

int main(int argc, char **argv) {
    auto inv = parse_command_line(argc, argv);
    return inv ? run(*inv) : usage_error(inv.error());
}
