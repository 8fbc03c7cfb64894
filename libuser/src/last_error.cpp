// SPDX-License-Identifier: MIT
// last_error.cpp: GetLastError/SetLastError and the Rt aliases; one value per
// thread (S28), as on Windows.
#include "last_error.hpp"

namespace rtshm::detail {
namespace {
__attribute__((tls_model("initial-exec"))) constinit thread_local DWORD t_last_error =
    ERROR_SUCCESS;
}
void set_last_error(DWORD e) noexcept {
    t_last_error = e;
}
DWORD last_error() noexcept {
    return t_last_error;
}
} // namespace rtshm::detail

extern "C" {
DWORD GetLastError(void) {
    return rtshm::detail::last_error();
}
VOID SetLastError(DWORD dwErrCode) {
    rtshm::detail::set_last_error(dwErrCode);
}
DWORD RtGetLastError(void) {
    return rtshm::detail::last_error();
}
VOID RtSetLastError(DWORD dwErrCode) {
    rtshm::detail::set_last_error(dwErrCode);
}
}
