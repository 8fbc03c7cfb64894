// SPDX-License-Identifier: MIT
// Loading and unloading rtshm.ko through libkmod, with errors a user can act on.
#pragma once

#include <string>

namespace rtshm::tool {

struct ModuleResult {
    int exit_code; // see the exit codes in rtshm --help
    std::string message;
};

// Loads rtshm from the module tree (modprobe rules), or from a .ko path.
ModuleResult load_module(const std::string &ko_path);
// Unloads rtshm; refuses while any handle or mapping exists.
ModuleResult unload_module();

} // namespace rtshm::tool
