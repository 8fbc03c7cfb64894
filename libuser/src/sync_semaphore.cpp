// SPDX-License-Identifier: MIT
// sync_semaphore.cpp: counting semaphores (S42, S50). The count is one
// word, taken and given with compare-and-swap; a release wakes as many
// waiters as it adds, highest priority first (S49).
#include "sync_object.hpp"

namespace rtshm::detail {

void semaphore_init(SyncPage &p, std::int32_t initial, std::int32_t maximum) noexcept {
    at(p.maximum).store(maximum);
    at(p.count).store(initial);
}

DWORD semaphore_release(SyncPage &p, std::int32_t n, std::int32_t *prev) noexcept {
    if (n <= 0)
        return ERROR_INVALID_PARAMETER;
    auto c = at(p.count);
    std::int32_t max = at(p.maximum).load(std::memory_order_relaxed);
    std::int32_t cur = c.load(std::memory_order_relaxed);
    do {
        // A corrupt count is refused rather than overflowed (S58).
        if (cur < 0 || cur > max || n > max - cur)
            return ERROR_TOO_MANY_POSTS;
    } while (!c.compare_exchange_weak(cur, cur + n, std::memory_order_seq_cst));
    if (prev != nullptr)
        *prev = cur;
    wake_waiters(p, n);
    return 0;
}

Take semaphore_try(SyncPage &p) noexcept {
    auto c = at(p.count);
    std::int32_t cur = c.load(std::memory_order_seq_cst); // pairs with wake_waiters()
    while (cur > 0)
        if (c.compare_exchange_weak(cur, cur - 1, std::memory_order_seq_cst))
            return Take::taken;
    return Take::none;
}

} // namespace rtshm::detail
