/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtshm name tables: one per IPC namespace (S34), like System V IPC. A
 * table finds named objects by name (an rhashtable, seeded per table) and
 * every object, named or not, by id (an xarray, for RTSHM_IOC_LIST).
 */
#ifndef _RTSHM_NAMES_H
#define _RTSHM_NAMES_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "rtshm.h"

struct file;
struct ipc_namespace;
struct rtshm_object;

/*
 * Lifetime: the namespace's processes come and go; the table lives while
 * any object lives in it (each holds a reference) or a call is using it,
 * and a moment longer after its last object (the linger work holds that
 * object's reference for RTSHM_TABLE_LINGER), and holds its namespace
 * alive meanwhile (through an nsfs file, the one way every supported
 * kernel lets a module put a namespace reference), so a later namespace
 * can never be given this one's table.
 */
struct rtshm_table {
	struct mutex lock;	/* the objects' names, ids, states, sizes */
	struct rhashtable names;
	struct xarray ids;
	struct kref ref;
	struct ipc_namespace *ns;
	struct file *ns_file;
	struct hlist_node node;	/* in rtshm_tables: RCU, rtshm_tables_lock */
	struct delayed_work linger;
	struct rcu_head rcu;
};

int rtshm_tables_init(void);
void rtshm_tables_exit(void);
struct rtshm_table *rtshm_table_get_current(void);
void rtshm_table_put(struct rtshm_table *table);
void rtshm_table_object_gone(struct rtshm_table *table, bool last);
bool rtshm_table_may_override(struct rtshm_table *table);

struct rtshm_object *rtshm_names_lookup_locked(struct rtshm_table *table,
					       const char *name, u32 len);
int rtshm_names_insert_locked(struct rtshm_table *table,
			      struct rtshm_object *obj);
void rtshm_names_unhash_locked(struct rtshm_object *obj);
void rtshm_names_remove_locked(struct rtshm_object *obj);
long rtshm_names_list(struct rtshm_table *table, u64 start_id,
		      struct rtshm_stat *out, u32 max, u64 *next_id);
long rtshm_names_nr_tables(void);

#endif /* _RTSHM_NAMES_H */
