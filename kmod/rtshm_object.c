// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm object lifetime: allocation of the object and of its pinned,
 * zeroed pages, memlock accounting, and destruction on the last put.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "rtshm_names.h"
#include "rtshm_object.h"
#include "rtshm_policy.h"

/*
 * RLIMIT_MEMLOCK is charged to user_struct->locked_vm, which exists only
 * when one of its in-kernel users is built (<linux/sched/user.h>); every
 * distribution kernel has CONFIG_NET.
 */
#if !defined(CONFIG_NET) && !defined(CONFIG_IO_URING) && \
	!defined(CONFIG_SECRETMEM) && !IS_ENABLED(CONFIG_IOMMUFD) && \
	!defined(CONFIG_VFIO_PCI_ZDEV_KVM)
#error "rtshm needs user_struct->locked_vm: build the kernel with CONFIG_NET"
#endif

/* Highest order tried: 2 MiB blocks; higher buys nothing for mapping. */
#ifdef MAX_PAGE_ORDER
#define RTSHM_KERNEL_MAX_ORDER MAX_PAGE_ORDER
#else
#define RTSHM_KERNEL_MAX_ORDER (MAX_ORDER - 1)
#endif
#define RTSHM_MAX_ORDER min(9, RTSHM_KERNEL_MAX_ORDER)

/*
 * Pinned memory is zeroed once by the allocator, charged to the memory
 * cgroup, never movable and never put on an LRU list.
 */
#define RTSHM_GFP (GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT)

atomic_long_t rtshm_nr_objects = ATOMIC_LONG_INIT(0);
atomic_long_t rtshm_pinned_pages = ATOMIC_LONG_INIT(0);

/*
 * A new object in state CREATING, owned by the caller, with one
 * reference, not yet in the table and without pages.
 */
struct rtshm_object *rtshm_object_alloc(const char *name, u32 name_len,
					u32 type, u32 mode, bool readonly)
{
	struct rtshm_object *obj;

	obj = kzalloc(struct_size(obj, name, name_len), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return NULL;
	kref_init(&obj->ref);
	obj->type = type;
	obj->mode = rtshm_policy_create_mode(mode);
	obj->readonly = readonly;
	obj->state = RTSHM_STATE_CREATING;
	init_completion(&obj->created);
	obj->uid = current_fsuid();
	obj->gid = current_fsgid();
	obj->creator = get_pid(task_tgid(current));
	atomic_set(&obj->handles, 0);
	atomic_set(&obj->mappings, 0);
	INIT_HLIST_NODE(&obj->hnode);
	INIT_LIST_HEAD(&obj->lnode);
	obj->name_len = name_len;
	if (name_len) {
		memcpy(obj->name, name, name_len);
		obj->hash = rtshm_policy_hash(name, name_len);
	}
	return obj;
}

/* Free whatever the object holds: pages, charges, pid, itself. */
static void rtshm_object_free(struct rtshm_object *obj)
{
	unsigned long i;

	for (i = 0; i < obj->npages; i++) {
		__free_page(obj->pages[i]);
		if ((i & 1023) == 1023)
			cond_resched();
	}
	kvfree(obj->pages);
	if (obj->user) {
		atomic_long_sub(obj->user_charged, &obj->user->locked_vm);
		free_uid(obj->user);
	}
	atomic_long_sub(obj->global_charged, &rtshm_pinned_pages);
	put_pid(obj->creator);
	if (obj->id)
		atomic_long_dec(&rtshm_nr_objects);
	kfree(obj);
}

/* An object from rtshm_object_alloc() that was never published. */
void rtshm_object_free_unpublished(struct rtshm_object *obj)
{
	WARN_ON(obj->id || obj->npages || obj->global_charged);
	rtshm_object_free(obj);
}

static void rtshm_object_release(struct kref *kref)
	__releases(&rtshm_table_lock)
{
	struct rtshm_object *obj = container_of(kref, struct rtshm_object, ref);

	rtshm_names_remove_locked(obj);
	mutex_unlock(&rtshm_table_lock);
	rtshm_object_free(obj);
}

/*
 * Drop a reference. The last one takes the table lock before the count
 * reaches zero, so a lookup under the lock never sees a dying object.
 */
void rtshm_object_put(struct rtshm_object *obj)
{
	kref_put_mutex(&obj->ref, rtshm_object_release, &rtshm_table_lock);
}

/* Add @pages to @counter unless that passes @limit (S27). */
static int rtshm_charge(atomic_long_t *counter, unsigned long pages,
			unsigned long limit)
{
	long cur = atomic_long_read(counter);
	u64 new;

	do {
		if (rtshm_policy_charge((unsigned long)cur, pages, limit, &new))
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(counter, &cur, (long)new));
	return 0;
}

static int rtshm_object_charge(struct rtshm_object *obj, unsigned long pages)
{
	unsigned long global_limit;
	struct user_struct *user;
	int err;

	global_limit = (unsigned long)READ_ONCE(rtshm_max_pinned_mb)
		       << (20 - PAGE_SHIFT);
	err = rtshm_charge(&rtshm_pinned_pages, pages, global_limit);
	if (err)
		return err;
	obj->global_charged = pages;

	if (capable(CAP_IPC_LOCK))
		return 0;
	user = get_uid(current_user());
	err = rtshm_charge(&user->locked_vm, pages,
			   rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT);
	if (err) {
		free_uid(user);
		return err;
	}
	obj->user = user;
	obj->user_charged = pages;
	return 0;
}

/*
 * Allocate @want zeroed pages: big blocks while they come without
 * reclaim or compaction, order-0 pages (which may reclaim, but never
 * invoke the OOM killer) otherwise. Each block is split so that every
 * page can be mapped and freed on its own.
 */
static int rtshm_object_alloc_pages(struct rtshm_object *obj,
				    unsigned long want)
{
	unsigned int ceiling = RTSHM_MAX_ORDER;

	while (obj->npages < want) {
		unsigned int order, i;
		struct page *page;
		gfp_t gfp;

		order = rtshm_policy_alloc_order(want - obj->npages, ceiling);
		if (order)
			gfp = (RTSHM_GFP & ~__GFP_DIRECT_RECLAIM) |
			      __GFP_NORETRY | __GFP_NOWARN;
		else
			gfp = RTSHM_GFP | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;
		page = alloc_pages(gfp, order);
		if (!page) {
			if (!order)
				return -ENOMEM;
			ceiling = order - 1;
			continue;
		}
		if (order)
			split_page(page, order);
		for (i = 0; i < (1U << order); i++)
			obj->pages[obj->npages++] = nth_page(page, i);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * Charge and allocate the pages of a new object of @size bytes. On
 * failure whatever was done is undone when the object is freed.
 */
int rtshm_object_populate(struct rtshm_object *obj, u64 size)
{
	unsigned long want = rtshm_policy_size_pages(size, PAGE_SHIFT);
	int err;

	err = rtshm_object_charge(obj, want);
	if (err)
		return err;
	obj->pages = kvcalloc(want, sizeof(*obj->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!obj->pages)
		return -ENOMEM;
	err = rtshm_object_alloc_pages(obj, want);
	if (err)
		return err;
	obj->size = size;
	return 0;
}

/*
 * May the caller get a view (writable or not) of an existing object?
 * Type (S29), then owner/group/other mode bits with the CAP_IPC_OWNER
 * override (S32), then the object's read-only protection (S5, S19).
 */
int rtshm_object_may_open(struct rtshm_object *obj, u32 type, bool want_write)
{
	int err;

	err = rtshm_policy_check_type(obj->type, type);
	if (err)
		return err;
	err = rtshm_policy_may_access(obj->mode,
				      uid_eq(current_fsuid(), obj->uid),
				      in_group_p(obj->gid), want_write);
	if (err && capable(CAP_IPC_OWNER))
		err = 0;
	if (err)
		return err;
	return rtshm_policy_check_protection(obj->readonly, want_write);
}

/* Describe @obj as the caller sees it; every byte of @st is written. */
void rtshm_object_fill_stat(struct rtshm_object *obj, struct rtshm_stat *st)
{
	struct user_namespace *ns = current_user_ns();

	memset(st, 0, sizeof(*st));
	st->id = obj->id;
	st->size = READ_ONCE(obj->size);
	st->pinned_bytes = (u64)obj->npages << PAGE_SHIFT;
	if (obj->readonly)
		st->flags |= RTSHM_STAT_READONLY;
	if (obj->name_len)
		st->flags |= RTSHM_STAT_NAMED;
	st->type = obj->type;
	st->mode = obj->mode;
	st->uid = from_kuid_munged(ns, obj->uid);
	st->gid = from_kgid_munged(ns, obj->gid);
	st->creator_pid = pid_vnr(obj->creator);
	st->handles = atomic_read(&obj->handles);
	st->mappings = atomic_read(&obj->mappings);
	st->name_len = obj->name_len;
	memcpy(st->name, obj->name, obj->name_len);
}
