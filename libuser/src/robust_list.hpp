// SPDX-License-Identifier: MIT
// robust_list.hpp: putting a futex word on the calling thread's robust list
// (set_robust_list(2)) by hand.
//
// Exists because the mutexes' own code (sync_mutex.cpp) needs two robust
// words per owned mutex, a PI one and a non-PI one, and glibc's
// pthread_mutex_lock() made each of them a second compare-and-swap and a
// round of bookkeeping that the mutex does not need (the second word is
// only ever written by the owner of the first).
//
// A thread has one robust list, registered by glibc when the thread starts;
// the kernel walks it when the thread ends. So these words join glibc's
// list, in glibc's own format: an entry is a futex word with its links 32
// bytes on (where a pthread_mutex_t has __data.__list, from __data.__lock),
// the list is doubly linked through the addresses of the forward links
// (the back link sits just before, also for the head: glibc's
// robust_prev), and bit 0 of a forward link marks a PI futex. glibc's
// own robust mutexes and these can then be locked and unlocked in any
// order. The offset is checked against the kernel's futex_offset of the
// thread's head before any word is put on it.
//
// Not async-signal-safe, like glibc's robust mutexes: a signal handler that
// takes a mutex between two of these stores could lose an entry.
#pragma once

#include <atomic>
#include <cstdint>
#include <linux/futex.h>

namespace rtshm::detail {

class RobustList {
public:
    // The calling thread's list (found once per thread with
    // get_robust_list(2)), or nullptr if the thread has none or it is not
    // in glibc's format.
    static RobustList *of_this_thread() noexcept;
    // A copy of the same if it was found already, else an invalid one (no
    // system call).
    static RobustList if_known() noexcept;
    bool valid() const noexcept { return head_ != nullptr; }

    // Where an entry's forward link is, from its word.
    static constexpr long kLinkOffset = 32;

    // Puts word on the list: it must already be this thread's (or, for a
    // word no other thread writes, be set right after).
    void add(std::uint32_t *word, bool pi) const noexcept {
        void **link = link_of(word);
        void *first = head_->list;
        prev_slot(strip(first)) = link;
        // Not two plain stores: GCC packs those into one vector store,
        // four instructions instead of two.
        __atomic_store_n(link, first, __ATOMIC_RELAXED);
        __atomic_store_n(&prev_slot(link), static_cast<void *>(&head_->list), __ATOMIC_RELAXED);
        std::atomic_signal_fence(std::memory_order_seq_cst); // whole before it is reachable
        head_->list = tag(link, pi);
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }

    // Takes word off the list (it must be on it).
    static void remove(std::uint32_t *word) noexcept {
        void **link = link_of(word);
        void *next = *link;
        void *prev = prev_slot(link);
        prev_slot(strip(next)) = prev;
        *static_cast<void **>(strip(prev)) = next; // unreachable from here on
        std::atomic_signal_fence(std::memory_order_seq_cst);
        *link = nullptr;
        prev_slot(link) = nullptr;
    }

    // The word the thread is about to take or give (the kernel looks at it
    // too if the thread dies before the list says which).
    void pending(std::uint32_t *word, bool pi) const noexcept {
        head_->pending = tag(link_of(word), pi);
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    void done() const noexcept {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        head_->pending = nullptr;
    }

    // The kernel's struct robust_list_head, as glibc keeps it.
    struct Head {
        void *list;        // the first entry's link, or the head's own address
        long futex_offset; // from a link to its word
        void *pending;     // list_op_pending
    };
    constexpr explicit RobustList(Head *h) noexcept : head_(h) {}

private:
    static RobustList *look_up() noexcept;
    static void **link_of(std::uint32_t *word) noexcept {
        return reinterpret_cast<void **>(reinterpret_cast<char *>(word) + kLinkOffset);
    }
    static void *strip(void *p) noexcept {
        return reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{1});
    }
    static void *tag(void **link, bool pi) noexcept {
        return reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(link) | (pi ? 1 : 0));
    }
    // The back link of an entry (or of the head) is the pointer before its
    // forward link.
    static void *&prev_slot(void *link) noexcept { return static_cast<void **>(link)[-1]; }

    Head *head_; // the thread's, in glibc's thread descriptor
};

// initial-exec, like the tid: the mutex's fast path reaches it with one
// %fs-relative load. A fork child keeps it: glibc resets the child's list
// in place, at the same address.
extern constinit thread_local RobustList t_robust_list __attribute__((tls_model("initial-exec")));

inline RobustList RobustList::if_known() noexcept {
    return t_robust_list;
}

inline RobustList *RobustList::of_this_thread() noexcept {
    return t_robust_list.head_ != nullptr ? &t_robust_list : look_up();
}

} // namespace rtshm::detail
