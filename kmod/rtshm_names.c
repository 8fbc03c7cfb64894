// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm name table.
 *
 * Named objects are hashed by rtshm_policy_hash() of their name (O(1)
 * lookup on average; 4096 buckets are plenty for tens of thousands of
 * objects). Every object, named or not, is also on a list in id order
 * for RTSHM_IOC_LIST. rtshm_table_lock, a mutex, protects both, the
 * object states and the object sizes; nothing sleeps for long under it:
 * pages are allocated and freed outside it.
 */
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "rtshm_names.h"
#include "rtshm_object.h"

#define RTSHM_HASH_BITS 12

/* Protects rtshm_names, rtshm_objects, rtshm_next_id, object state/size. */
DEFINE_MUTEX(rtshm_table_lock);
static DEFINE_HASHTABLE(rtshm_names, RTSHM_HASH_BITS);
static LIST_HEAD(rtshm_objects);
static u64 rtshm_next_id = 1;

/* The object named @name, in any state, or NULL. */
struct rtshm_object *rtshm_names_lookup_locked(const char *name, u32 len,
					       u32 hash)
{
	struct rtshm_object *obj;

	lockdep_assert_held(&rtshm_table_lock);
	hash_for_each_possible(rtshm_names, obj, hnode, hash) {
		if (obj->hash == hash && obj->name_len == len &&
		    !memcmp(obj->name, name, len))
			return obj;
	}
	return NULL;
}

/* Give @obj its id and publish it: on the list, and hashed if named. */
void rtshm_names_insert_locked(struct rtshm_object *obj)
{
	lockdep_assert_held(&rtshm_table_lock);
	obj->id = rtshm_next_id++;
	list_add_tail(&obj->lnode, &rtshm_objects);
	obj->listed = true;
	if (obj->name_len) {
		hash_add(rtshm_names, &obj->hnode, obj->hash);
		obj->hashed = true;
	}
	atomic_long_inc(&rtshm_nr_objects);
}

/* Make @obj unreachable by name (a failed create). */
void rtshm_names_unhash_locked(struct rtshm_object *obj)
{
	lockdep_assert_held(&rtshm_table_lock);
	if (obj->hashed) {
		hash_del(&obj->hnode);
		obj->hashed = false;
	}
}

/* Take @obj out of the table and the list (its last reference is gone). */
void rtshm_names_remove_locked(struct rtshm_object *obj)
{
	rtshm_names_unhash_locked(obj);
	if (obj->listed) {
		list_del(&obj->lnode);
		obj->listed = false;
	}
}

/*
 * Fill @out with up to @max live objects of id >= @start_id, in id order.
 * *@next_id is the id of the next live object not reported, or 0.
 */
u32 rtshm_names_list(u64 start_id, struct rtshm_stat *out, u32 max,
		     u64 *next_id)
{
	struct rtshm_object *obj;
	u32 n = 0;

	*next_id = 0;
	mutex_lock(&rtshm_table_lock);
	list_for_each_entry(obj, &rtshm_objects, lnode) {
		if (obj->id < start_id || obj->state != RTSHM_STATE_LIVE)
			continue;
		if (n == max) {
			*next_id = obj->id;
			break;
		}
		rtshm_object_fill_stat(obj, &out[n]);
		n++;
	}
	mutex_unlock(&rtshm_table_lock);
	return n;
}

bool rtshm_names_empty(void)
{
	bool empty;

	mutex_lock(&rtshm_table_lock);
	empty = list_empty(&rtshm_objects) && hash_empty(rtshm_names);
	mutex_unlock(&rtshm_table_lock);
	return empty;
}
