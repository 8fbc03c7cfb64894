/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtshm name table: hashed by name for lookup, and a list of every
 * object (named or not) in id order for RTSHM_IOC_LIST.
 */
#ifndef _RTSHM_NAMES_H
#define _RTSHM_NAMES_H

#include <linux/mutex.h>
#include <linux/types.h>

#include "rtshm.h"

struct rtshm_object;

/* Protects the table, the list, object state and object size changes. */
extern struct mutex rtshm_table_lock;

struct rtshm_object *rtshm_names_lookup_locked(const char *name, u32 len,
					       u32 hash);
void rtshm_names_insert_locked(struct rtshm_object *obj);
void rtshm_names_unhash_locked(struct rtshm_object *obj);
void rtshm_names_remove_locked(struct rtshm_object *obj);
u32 rtshm_names_list(u64 start_id, struct rtshm_stat *out, u32 max,
		     u64 *next_id);
bool rtshm_names_empty(void);

#endif /* _RTSHM_NAMES_H */
