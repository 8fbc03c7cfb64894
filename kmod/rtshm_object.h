/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtshm objects: a block of pinned, zeroed pages (the page cache of an
 * inode of rtshm_fs.c) with an owner, a mode, an optional name and a
 * reference count.
 */
#ifndef _RTSHM_OBJECT_H
#define _RTSHM_OBJECT_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

#include "rtshm.h"

struct cred;
struct file;
struct inode;
struct pid;
struct rtshm_table;
struct user_struct;

enum rtshm_state {
	RTSHM_STATE_CREATING,	/* in the table, pages being allocated */
	RTSHM_STATE_LIVE,	/* usable */
	RTSHM_STATE_FAILED,	/* creation failed, out of the table */
};

/*
 * Lifetime: each handle file holds one reference (a mapping holds the
 * file, so it holds the object too); a waiter on a CREATING object holds
 * one while it waits. The name table holds none: the last put takes
 * the table's lock and removes the object from the table, so a lookup
 * under the lock never finds a dying object, and the name is free at
 * once. The pages are then freed by a worker, in batches, off the
 * caller's thread (the last close of a big object costs O(1)); the
 * counters and charges drop as the worker frees them.
 */
struct rtshm_object {
	struct kref ref;
	u64 id;
	u32 type;
	u32 mode;
	bool readonly;
	enum rtshm_state state;		/* under table->lock */
	struct completion created;	/* completed when state leaves CREATING */

	u64 size;		/* current size; written under table->lock */
	unsigned long npages;	/* pages held until destruction */
	struct inode *inode;	/* its page cache holds the npages pages */
	struct work_struct free_work;

	kuid_t uid;
	kgid_t gid;
	struct pid *creator;

	/* What the object is charged for (S27). */
	struct user_struct *user;	/* NULL: not charged to a user */
	const struct cred *cred;	/* keeps @user alive */
	unsigned long user_charged;
	unsigned long global_charged;

	atomic_t handles;
	atomic_t mappings;

	/* Name table (rtshm_names.c), under table->lock. */
	struct rtshm_table *table;	/* set once published; holds it */
	struct rhash_head rhnode;
	bool hashed;
	bool listed;
	u32 name_len;
	char name[];
};

/* Live objects and pinned pages, for sysfs. */
extern atomic_long_t rtshm_nr_objects;
extern atomic_long_t rtshm_pinned_pages;
extern unsigned int rtshm_max_pinned_mb;

int rtshm_object_init(void);
void rtshm_object_exit(void);

struct rtshm_object *rtshm_object_alloc(const char *name, u32 name_len,
					u32 type, u32 mode, bool readonly);
void rtshm_object_free_unpublished(struct rtshm_object *obj);
int rtshm_object_populate(struct rtshm_object *obj, u64 size);
void rtshm_object_put(struct rtshm_object *obj);
void rtshm_object_fill_stat(struct rtshm_object *obj, struct rtshm_stat *st);
int rtshm_object_may_open(struct rtshm_object *obj, u32 type,
			  bool want_write);
bool rtshm_object_may_write(struct rtshm_object *obj);
bool rtshm_object_may_list(struct rtshm_object *obj, bool override);

/* Handle files (rtshm_handle.c). */
struct file *rtshm_handle_file(struct rtshm_object *obj, u64 map_size,
			       bool writable);

#endif /* _RTSHM_OBJECT_H */
