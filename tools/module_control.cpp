// SPDX-License-Identifier: MIT
// Loading and unloading rtshm.ko through libkmod, with errors a user can act on.
#include "module_control.hpp"

#include "exit_codes.hpp"

#include <libkmod.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <memory>

namespace rtshm::tool {
namespace {

struct CtxDeleter {
    void operator()(kmod_ctx *c) const { kmod_unref(c); }
};
struct ModDeleter {
    void operator()(kmod_module *m) const { kmod_module_unref(m); }
};
struct ListDeleter {
    void operator()(kmod_list *l) const { kmod_module_unref_list(l); }
};
using Ctx = std::unique_ptr<kmod_ctx, CtxDeleter>;
using Mod = std::unique_ptr<kmod_module, ModDeleter>;
using List = std::unique_ptr<kmod_list, ListDeleter>;

ModuleResult from_errno(int err, const std::string &what) {
    switch (err) {
    case EPERM:
    case EACCES:
        return {kPermission, what + ": permission denied (run as root)"};
    case EBUSY:
    case EAGAIN: // delete_module(O_NONBLOCK) of a module in use
        return {kBusy, what + ": rtshm is in use: close every handle and mapping first "
                              "(`rtshm ls` shows them)"};
    case ENOENT:
        return {kNoModule, what + ": rtshm is not loaded"};
    case EEXIST:
        return {kOk, "rtshm is already loaded"};
    case ENOEXEC:
        return {kFailure, what + ": invalid module format (built for another kernel? "
                                 "rebuild it: make dkms-install)"};
    default:
        return {kFailure, what + ": " + std::strerror(err)};
    }
}

// libkmod logs its own errors to stderr; the tool says them once, its way.
void quiet_log(void *, int, const char *, int, const char *, const char *, va_list) {}

Ctx new_ctx() {
    Ctx ctx(kmod_new(nullptr, nullptr));
    if (ctx)
        kmod_set_log_fn(ctx.get(), quiet_log, nullptr);
    return ctx;
}

} // namespace

ModuleResult load_module(const std::string &ko_path) {
    Ctx ctx = new_ctx();
    if (!ctx)
        return {kFailure, "load: cannot initialise libkmod"};

    if (!ko_path.empty()) {
        kmod_module *raw = nullptr;
        int err = kmod_module_new_from_path(ctx.get(), ko_path.c_str(), &raw);
        if (err < 0)
            return from_errno(-err, "load " + ko_path);
        Mod mod(raw);
        err = kmod_module_insert_module(mod.get(), 0, nullptr);
        if (err < 0)
            return from_errno(-err, "load " + ko_path);
        return {kOk, "rtshm loaded from " + ko_path};
    }

    kmod_load_resources(ctx.get());
    kmod_list *raw_list = nullptr;
    int err = kmod_module_new_from_lookup(ctx.get(), "rtshm", &raw_list);
    List list(raw_list);
    if (err < 0 || !list)
        return {kNoModule, "load: rtshm.ko is not installed for this kernel "
                           "(install it: make dkms-install)"};
    Mod mod(kmod_module_get_module(list.get()));
    err = kmod_module_probe_insert_module(mod.get(), KMOD_PROBE_IGNORE_LOADED, nullptr, nullptr,
                                          nullptr, nullptr);
    if (err < 0)
        return from_errno(-err, "load");
    return {kOk, "rtshm loaded"};
}

ModuleResult unload_module() {
    Ctx ctx = new_ctx();
    if (!ctx)
        return {kFailure, "unload: cannot initialise libkmod"};
    kmod_module *raw = nullptr;
    int err = kmod_module_new_from_name(ctx.get(), "rtshm", &raw);
    if (err < 0)
        return from_errno(-err, "unload");
    Mod mod(raw);
    if (kmod_module_get_initstate(mod.get()) < 0)
        return {kNoModule, "unload: rtshm is not loaded"};
    err = kmod_module_remove_module(mod.get(), 0);
    if (err < 0)
        return from_errno(-err, "unload");
    return {kOk, "rtshm unloaded"};
}

} // namespace rtshm::tool
