// SPDX-License-Identifier: MIT
// robust_list.cpp: finding the calling thread's robust list (robust_list.hpp).
#include "robust_list.hpp"

#include <cstddef>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace rtshm::detail {

namespace {

// What a glibc entry's link is from its word: the kernel adds it to each
// link it walks (and glibc registers it in every thread's head).
constexpr long kFutexOffset = static_cast<long>(offsetof(pthread_mutex_t, __data.__lock)) -
                              static_cast<long>(offsetof(pthread_mutex_t, __data.__list.__next));
static_assert(kFutexOffset == -RobustList::kLinkOffset, "our entries are laid out as glibc's");

__attribute__((tls_model("initial-exec"))) constinit thread_local bool t_looked = false;

} // namespace

constinit thread_local RobustList t_robust_list __attribute__((tls_model("initial-exec"))){nullptr};

RobustList *RobustList::look_up() noexcept {
    if (!t_looked) [[unlikely]] {
        t_looked = true;
        void *head = nullptr;
        std::size_t len = 0;
        if (::syscall(SYS_get_robust_list, 0, &head, &len) == 0 && head != nullptr &&
            len == sizeof(Head) && static_cast<Head *>(head)->futex_offset == kFutexOffset)
            t_robust_list.head_ = static_cast<Head *>(head);
    }
    return t_robust_list.head_ != nullptr ? &t_robust_list : nullptr;
}

} // namespace rtshm::detail
