// SPDX-License-Identifier: MIT
// Exit codes of the rtshm tool: stable, so shell scripts can rely on them.
#pragma once

namespace rtshm::tool {

enum ExitCode : int {
    kOk = 0,
    kFailure = 1,      // anything not listed below
    kUsage = 2,        // bad command line
    kNoModule = 3,     // rtshm.ko is not loaded, or not installed
    kPermission = 4,   // the system refused: not root, or /dev/rtshm mode
    kBusy = 5,         // unload refused: handles or mappings exist
    kNoSuchObject = 6, // info NAME: no object has that name
};

} // namespace rtshm::tool
