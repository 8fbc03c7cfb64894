/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtshm policy: the decisions of rtshm.ko that need no kernel.
 *
 * Everything here is a pure function of its arguments, so that the same
 * file builds into the module and into the cmocka tests in tests/policy/.
 * It includes no kernel-internal header: only <linux/types.h> and the
 * errno values, through the small shim below.
 */
#ifndef _RTSHM_POLICY_H
#define _RTSHM_POLICY_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
#endif

#include "rtshm.h"

/* Largest object: far above any RAM this runs on, far below any overflow. */
#define RTSHM_SIZE_MAX (1ULL << 40)

/* Objects LIST reports per call at most (each entry is ~1 KiB). */
#define RTSHM_LIST_BATCH 64U

/* Permission bits an object may carry. */
#define RTSHM_MODE_MASK 0777U

int rtshm_policy_check_create(const struct rtshm_create *c);
int rtshm_policy_check_open(const struct rtshm_open *o);
int rtshm_policy_check_list(const struct rtshm_list *l);
int rtshm_policy_check_name(const char *name, u32 len);
u32 rtshm_policy_create_mode(u32 mode);
int rtshm_policy_recreate_size(u64 cur, u64 req, u32 flags, u64 *new_size);
int rtshm_policy_may_access(u32 mode, bool is_owner, bool in_group,
			    bool want_write);
int rtshm_policy_check_protection(bool obj_readonly, bool want_write);
int rtshm_policy_check_type(u32 obj_type, u32 want_type);
u64 rtshm_policy_size_pages(u64 size, unsigned int page_shift);
int rtshm_policy_mmap_range(u64 pgoff, u64 vma_pages, u64 map_size,
			    unsigned int page_shift);
unsigned int rtshm_policy_alloc_order(u64 remaining, unsigned int ceiling);
int rtshm_policy_charge(u64 cur, u64 add, u64 limit, u64 *new_total);
u32 rtshm_policy_list_batch(u32 max_entries);

#endif /* _RTSHM_POLICY_H */
