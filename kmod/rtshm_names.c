// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm name tables, one per IPC namespace (S34).
 *
 * The table of the caller's IPC namespace (current->nsproxy->ipc_ns) is
 * found in rtshm_tables (under RCU), keyed by the namespace pointer.
 * Each table holds
 * its namespace through an nsfs file (open_related_ns()), so the pointer
 * cannot be freed and reused by a later namespace while the table lives:
 * put_ipc_ns() is not exported to modules on every supported kernel.
 *
 * Within a table, named objects are in an rhashtable (jhash with a
 * random seed per table: names that collide cannot be chosen in advance)
 * and every object is in an xarray by id, so that each page of a listing
 * costs O(page). table->lock, a mutex taken killably where user space
 * waits, protects both, the object states and sizes; nothing sleeps for
 * long under it: pages are allocated and freed outside it.
 */
#include <linux/err.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/jhash.h>
#include <linux/magic.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "rtshm_names.h"
#include "rtshm_object.h"

/* Tables by namespace; few namespaces use rtshm at once. */
#define RTSHM_TABLES_BITS 6
static DEFINE_MUTEX(rtshm_tables_lock);
static DEFINE_HASHTABLE(rtshm_tables, RTSHM_TABLES_BITS);
static long rtshm_nr_tables;	/* under rtshm_tables_lock */

/*
 * How long a table outlives its last object. A process that creates and
 * closes its namespace's only object in a loop would otherwise build and
 * tear down the table (an nsfs file, a hash table) every time: half the
 * cost of a small create. The namespace lives that much longer too.
 */
#define RTSHM_TABLE_LINGER msecs_to_jiffies(250)
static struct workqueue_struct *rtshm_tables_wq;

/* Ids are unique across namespaces and never reused while loaded. */
static atomic64_t rtshm_next_id = ATOMIC64_INIT(0);

struct rtshm_name_key {
	const char *name;
	u32 len;
};

static u32 rtshm_key_hash(const void *data, u32 len, u32 seed)
{
	const struct rtshm_name_key *key = data;

	return jhash(key->name, key->len, seed);
}

static u32 rtshm_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct rtshm_object *obj = data;

	return jhash(obj->name, obj->name_len, seed);
}

static int rtshm_obj_cmp(struct rhashtable_compare_arg *arg, const void *data)
{
	const struct rtshm_name_key *key = arg->key;
	const struct rtshm_object *obj = data;

	return obj->name_len != key->len || memcmp(obj->name, key->name, key->len);
}

static const struct rhashtable_params rtshm_names_params = {
	.head_offset = offsetof(struct rtshm_object, rhnode),
	.key_len = sizeof(struct rtshm_name_key),
	.hashfn = rtshm_key_hash,
	.obj_hashfn = rtshm_obj_hash,
	.obj_cmpfn = rtshm_obj_cmp,
	.automatic_shrinking = true,
};

static struct ns_common *rtshm_get_ipc_ns(struct ns_common *ns)
{
	get_ipc_ns(container_of(ns, struct ipc_namespace, ns));
	return ns;
}

/*
 * An nsfs file that holds @ns alive until it is put; NULL on a kernel
 * without IPC namespaces, whose one namespace is never freed (nor has
 * the operations an nsfs file needs).
 */
static struct file *rtshm_pin_ns(struct ipc_namespace *ns)
{
	struct file *file;
	int fd;

	if (!IS_ENABLED(CONFIG_IPC_NS))
		return NULL;

	fd = open_related_ns(&ns->ns, rtshm_get_ipc_ns);
	if (fd < 0)
		return ERR_PTR(fd);
	/* Take the descriptor back out of the caller's table at once. */
#ifdef RTSHM_HAVE_FILE_CLOSE_FD
	file = file_close_fd(fd);
#else
	file = close_fd_get_file(fd);
#endif
	if (!file)
		return ERR_PTR(-EBADF);
	/* Another thread of the caller may have replaced it meanwhile. */
	if (file_inode(file)->i_sb->s_magic != NSFS_MAGIC ||
	    get_proc_ns(file_inode(file)) != &ns->ns) {
		fput(file);
		return ERR_PTR(-EAGAIN);
	}
	return file;
}

static void rtshm_table_linger_end(struct work_struct *work)
{
	rtshm_table_put(container_of(to_delayed_work(work), struct rtshm_table,
				     linger));
}

static struct rtshm_table *rtshm_table_new(struct ipc_namespace *ns)
{
	struct rtshm_table *table;
	int err;

	table = kzalloc(sizeof(*table), GFP_KERNEL_ACCOUNT);
	if (!table)
		return ERR_PTR(-ENOMEM);
	table->ns_file = rtshm_pin_ns(ns);
	if (IS_ERR(table->ns_file)) {
		err = PTR_ERR(table->ns_file);
		goto out_free;
	}
	err = rhashtable_init(&table->names, &rtshm_names_params);
	if (err)
		goto out_ns;
	mutex_init(&table->lock);
	xa_init(&table->ids);
	kref_init(&table->ref);
	INIT_DELAYED_WORK(&table->linger, rtshm_table_linger_end);
	table->ns = ns;
	return table;

out_ns:
	if (table->ns_file)
		fput(table->ns_file);
out_free:
	kfree(table);
	return ERR_PTR(err);
}

/*
 * The table of the caller's IPC namespace, made on first use, with a
 * reference for the caller. Found without a lock (RCU) when it exists,
 * which is every call but a namespace's first.
 */
struct rtshm_table *rtshm_table_get_current(void)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct rtshm_table *table;

	rcu_read_lock();
	hash_for_each_possible_rcu(rtshm_tables, table, node, (unsigned long)ns) {
		if (table->ns == ns && kref_get_unless_zero(&table->ref)) {
			rcu_read_unlock();
			return table;
		}
	}
	rcu_read_unlock();

	if (mutex_lock_killable(&rtshm_tables_lock))
		return ERR_PTR(-EINTR);
	/* A dying table (no references left) is skipped: it is on its way out. */
	hash_for_each_possible(rtshm_tables, table, node, (unsigned long)ns) {
		if (table->ns == ns && kref_get_unless_zero(&table->ref))
			goto out;
	}
	table = rtshm_table_new(ns);
	if (!IS_ERR(table)) {
		hash_add_rcu(rtshm_tables, &table->node, (unsigned long)ns);
		rtshm_nr_tables++;
	}
out:
	mutex_unlock(&rtshm_tables_lock);
	return table;
}

static void rtshm_table_release(struct kref *kref)
{
	struct rtshm_table *table = container_of(kref, struct rtshm_table, ref);

	mutex_lock(&rtshm_tables_lock);
	hash_del_rcu(&table->node);
	rtshm_nr_tables--;
	mutex_unlock(&rtshm_tables_lock);
	WARN_ON(!xa_empty(&table->ids));
	rhashtable_destroy(&table->names);
	xa_destroy(&table->ids);
	if (table->ns_file)
		fput(table->ns_file);	/* may end the namespace */
	kfree_rcu(table, rcu);	/* a lookup may still be looking at it */
}

void rtshm_table_put(struct rtshm_table *table)
{
	kref_put(&table->ref, rtshm_table_release);
}

/*
 * An object of @table is gone (@last: the table has no other). The
 * object's reference to the table goes, or, for the last object, is
 * handed to the linger work; if that work is pending already, it holds
 * one of an earlier last object, and it is only put off.
 */
void rtshm_table_object_gone(struct rtshm_table *table, bool last)
{
	if (last && !mod_delayed_work(rtshm_tables_wq, &table->linger,
				      RTSHM_TABLE_LINGER))
		return;
	rtshm_table_put(table);
}

int rtshm_tables_init(void)
{
	rtshm_tables_wq = alloc_workqueue("rtshm_tables", WQ_UNBOUND, 0);
	return rtshm_tables_wq ? 0 : -ENOMEM;
}

/*
 * No call is left (the device is gone) and no object (each held the
 * module): only lingering tables are. End their lingering now, then wait
 * for the work that frees them.
 */
void rtshm_tables_exit(void)
{
	struct rtshm_table *table;
	int bkt;

again:
	mutex_lock(&rtshm_tables_lock);
	hash_for_each(rtshm_tables, bkt, table, node) {
		if (!kref_get_unless_zero(&table->ref))
			continue;	/* being freed by the work */
		mutex_unlock(&rtshm_tables_lock);
		flush_delayed_work(&table->linger);
		rtshm_table_put(table);
		goto again;
	}
	mutex_unlock(&rtshm_tables_lock);
	destroy_workqueue(rtshm_tables_wq);
}

/* CAP_IPC_OWNER in the user namespace that owns the table's namespace. */
bool rtshm_table_may_override(struct rtshm_table *table)
{
	return ns_capable_noaudit(table->ns->user_ns, CAP_IPC_OWNER);
}

/* The object named @name, in any state, or NULL. */
struct rtshm_object *rtshm_names_lookup_locked(struct rtshm_table *table,
					       const char *name, u32 len)
{
	struct rtshm_name_key key = { .name = name, .len = len };

	lockdep_assert_held(&table->lock);
	return rhashtable_lookup_fast(&table->names, &key, rtshm_names_params);
}

/*
 * Give @obj its id and publish it in @table: by id, and by name if it has
 * one. The object then holds a reference to the table.
 */
int rtshm_names_insert_locked(struct rtshm_table *table,
			      struct rtshm_object *obj)
{
	u64 id = atomic64_inc_return(&rtshm_next_id);
	int err;

	lockdep_assert_held(&table->lock);
	err = xa_insert(&table->ids, id, obj, GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	if (obj->name_len) {
		err = rhashtable_insert_fast(&table->names, &obj->rhnode,
					     rtshm_names_params);
		if (err) {
			xa_erase(&table->ids, id);
			return err == -EBUSY ? -ENOMEM : err;
		}
		obj->hashed = true;
	}
	obj->id = id;
	obj->listed = true;
	obj->table = table;
	kref_get(&table->ref);
	atomic_long_inc(&rtshm_nr_objects);
	return 0;
}

/* Make @obj unreachable by name (a failed create). */
void rtshm_names_unhash_locked(struct rtshm_object *obj)
{
	lockdep_assert_held(&obj->table->lock);
	if (obj->hashed) {
		rhashtable_remove_fast(&obj->table->names, &obj->rhnode,
				       rtshm_names_params);
		obj->hashed = false;
	}
}

/* Take @obj out of its table (its last reference is gone). */
void rtshm_names_remove_locked(struct rtshm_object *obj)
{
	rtshm_names_unhash_locked(obj);
	if (obj->listed) {
		xa_erase(&obj->table->ids, obj->id);
		obj->listed = false;
	}
}

/*
 * Fill @out with up to @max live objects of id >= @start_id that the
 * caller may see (rtshm_object_may_list()), in id order. *@next_id is
 * the id to start the next page at, or 0. O(page), not O(table).
 */
long rtshm_names_list(struct rtshm_table *table, u64 start_id,
		      struct rtshm_stat *out, u32 max, u64 *next_id)
{
	bool override = rtshm_table_may_override(table);
	struct rtshm_object *obj;
	unsigned long id;
	u32 n = 0;

	*next_id = 0;
	if (mutex_lock_killable(&table->lock))
		return -EINTR;
	xa_for_each_start(&table->ids, id, obj, start_id) {
		if (obj->state != RTSHM_STATE_LIVE ||
		    !rtshm_object_may_list(obj, override))
			continue;
		if (n == max) {
			*next_id = id;
			break;
		}
		rtshm_object_fill_stat(obj, &out[n]);
		n++;
	}
	mutex_unlock(&table->lock);
	return n;
}

long rtshm_names_nr_tables(void)
{
	long n;

	mutex_lock(&rtshm_tables_lock);
	n = rtshm_nr_tables;
	mutex_unlock(&rtshm_tables_lock);
	return n;
}
