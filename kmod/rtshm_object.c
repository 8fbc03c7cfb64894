// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm object lifetime: allocation of the object and of its pinned,
 * zeroed pages, memlock accounting, and destruction after the last put
 * (by a worker, so that the last close returns at once).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "rtshm_fs.h"
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
 * Pages are zeroed once by the allocator and never movable. Big blocks
 * are taken only where they come free: neither direct reclaim nor
 * kswapd/kcompactd is woken for them (as dma-buf's system heap does).
 * Order-0 pages may reclaim but never invoke the OOM killer; neither may
 * the page-cache insertion (its memory-cgroup charge and xarray nodes).
 */
#define RTSHM_GFP_HIGH \
	((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY) & \
	 ~__GFP_RECLAIM)
#define RTSHM_GFP_LOW (GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | \
		       __GFP_RETRY_MAYFAIL)
#define RTSHM_GFP_CACHE (GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/* Objects of up to this many pages (64 KiB) are freed by the last put. */
#define RTSHM_FREE_INLINE_PAGES 16

/* Pages the free worker truncates between two cond_resched() (8 MiB). */
#define RTSHM_FREE_BATCH (SZ_8M >> PAGE_SHIFT)

atomic_long_t rtshm_nr_objects = ATOMIC_LONG_INIT(0);
atomic_long_t rtshm_pinned_pages = ATOMIC_LONG_INIT(0);

/* Pages of dead objects not yet freed, and who waits for them. */
static atomic_long_t rtshm_freeing_pages = ATOMIC_LONG_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(rtshm_freed_wait);
static struct workqueue_struct *rtshm_free_wq;

static void rtshm_object_free_work(struct work_struct *work);

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
	INIT_WORK(&obj->free_work, rtshm_object_free_work);
	obj->uid = current_fsuid();
	obj->gid = current_fsgid();
	obj->creator = get_pid(task_tgid(current));
	atomic_set(&obj->handles, 0);
	atomic_set(&obj->mappings, 0);
	obj->name_len = name_len;
	memcpy(obj->name, name, name_len);
	return obj;
}

/* Give back up to @pages of what the object is charged for (S27). */
static void rtshm_object_uncharge(struct rtshm_object *obj,
				  unsigned long pages)
{
	unsigned long n;

	n = min(pages, obj->global_charged);
	atomic_long_sub(n, &rtshm_pinned_pages);
	obj->global_charged -= n;
	if (obj->user) {
		n = min(pages, obj->user_charged);
		atomic_long_sub(n, &obj->user->locked_vm);
		obj->user_charged -= n;
	}
}

/*
 * Free whatever the object holds: pages (in batches, the counters
 * dropping as they go), charges, inode, pid, itself.
 */
static void rtshm_object_free(struct rtshm_object *obj)
{
	unsigned long start, end;

	for (start = 0; start < obj->npages; start = end) {
		end = min(start + RTSHM_FREE_BATCH, obj->npages);
		truncate_inode_pages_range(obj->inode->i_mapping,
					   (loff_t)start << PAGE_SHIFT,
					   ((loff_t)end << PAGE_SHIFT) - 1);
		rtshm_object_uncharge(obj, end - start);
		atomic_long_sub(end - start, &rtshm_freeing_pages);
		wake_up_all(&rtshm_freed_wait);
		cond_resched();
	}
	rtshm_object_uncharge(obj, ULONG_MAX);
	if (obj->cred)
		put_cred(obj->cred);
	if (obj->inode)
		iput(obj->inode);
	put_pid(obj->creator);
	kfree(obj);
}

static void rtshm_object_free_work(struct work_struct *work)
{
	rtshm_object_free(container_of(work, struct rtshm_object, free_work));
	/* rtshm_exit() drains the workqueue before the module text goes. */
	module_put(THIS_MODULE);
}

/* An object from rtshm_object_alloc() that was never published. */
void rtshm_object_free_unpublished(struct rtshm_object *obj)
{
	WARN_ON(obj->id || obj->npages || obj->global_charged);
	rtshm_object_free(obj);
}

static void rtshm_object_release(struct kref *kref)
	__releases(&obj->table->lock)
{
	struct rtshm_object *obj = container_of(kref, struct rtshm_object, ref);
	struct rtshm_table *table = obj->table;
	bool last;

	rtshm_names_remove_locked(obj);
	last = xa_empty(&table->ids);
	mutex_unlock(&table->lock);
	rtshm_table_object_gone(table, last);
	atomic_long_dec(&rtshm_nr_objects);	/* published: it has an id */
	atomic_long_add(obj->npages, &rtshm_freeing_pages);
	if (obj->npages <= RTSHM_FREE_INLINE_PAGES) {
		rtshm_object_free(obj);		/* as cheap as queueing it */
		return;
	}
	/* The worker frees it; rmmod is refused until it is done. */
	__module_get(THIS_MODULE);
	queue_work(rtshm_free_wq, &obj->free_work);
}

/*
 * Drop a reference to a published object. The last one takes the table
 * lock before the count reaches zero, so a lookup under the lock never
 * sees a dying object. O(1): the pages are freed by the worker.
 */
void rtshm_object_put(struct rtshm_object *obj)
{
	kref_put_mutex(&obj->ref, rtshm_object_release, &obj->table->lock);
}

/*
 * Memory that dead objects still hold will come back: wait (killably)
 * until some of it has. Returns false if nothing was being freed.
 */
static bool rtshm_wait_for_frees(int *err)
{
	long pending = atomic_long_read(&rtshm_freeing_pages);

	if (pending <= 0)
		return false;
	if (wait_event_killable(rtshm_freed_wait,
				atomic_long_read(&rtshm_freeing_pages) <
				pending)) {
		*err = -EINTR;
		return false;
	}
	return true;
}

int rtshm_object_init(void)
{
	rtshm_free_wq = alloc_workqueue("rtshm_free", WQ_UNBOUND, 0);
	return rtshm_free_wq ? 0 : -ENOMEM;
}

/* Every object is gone (each held the module): wait for their frees. */
void rtshm_object_exit(void)
{
	destroy_workqueue(rtshm_free_wq);
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

/*
 * The user's locked_vm is reached through a reference on the caller's
 * credentials, which pin their user_struct: free_uid() is not exported by
 * every kernel of a release (Debian's 6.1.0-50 lacks it).
 */
static int rtshm_object_charge(struct rtshm_object *obj, unsigned long pages)
{
	unsigned long global_limit;
	const struct cred *cred;
	int err;

	global_limit = (unsigned long)READ_ONCE(rtshm_max_pinned_mb)
		       << (20 - PAGE_SHIFT);
	err = rtshm_charge(&rtshm_pinned_pages, pages, global_limit);
	if (err)
		return err;
	obj->global_charged = pages;

	if (capable(CAP_IPC_LOCK))
		return 0;
	cred = get_current_cred();
	err = rtshm_charge(&cred->user->locked_vm, pages,
			   rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT);
	if (err) {
		put_cred(cred);
		/* All or nothing, so that the caller may retry. */
		atomic_long_sub(pages, &rtshm_pinned_pages);
		obj->global_charged = 0;
		return err;
	}
	obj->cred = cred;
	obj->user = cred->user;
	obj->user_charged = pages;
	return 0;
}

/* Put @page, a new order-0 page, into the object's page cache. */
static int rtshm_object_add_page(struct rtshm_object *obj, struct page *page)
{
	struct folio *folio = page_folio(page);
	int err;

	err = filemap_add_folio(obj->inode->i_mapping, folio, obj->npages,
				RTSHM_GFP_CACHE);
	if (err) {
		folio_put(folio);
		return err;
	}
	folio_mark_uptodate(folio);
	folio_unlock(folio);
	folio_put(folio);	/* the page cache holds its own reference */
	obj->npages++;
	return 0;
}

/*
 * Allocate @want zeroed pages into the object's page cache: big blocks
 * while they come free, order-0 pages otherwise. Each block is split so
 * that every page is a folio of its own in the page cache.
 */
static int rtshm_object_alloc_pages(struct rtshm_object *obj,
				    unsigned long want)
{
	unsigned int ceiling = RTSHM_MAX_ORDER;
	int err = -ENOMEM;

	while (obj->npages < want) {
		unsigned int order, i;
		struct page *page;

		order = rtshm_policy_alloc_order(want - obj->npages, ceiling);
		page = alloc_pages(order ? RTSHM_GFP_HIGH : RTSHM_GFP_LOW, order);
		if (!page) {
			if (order) {
				ceiling = order - 1;
				continue;
			}
			if (rtshm_wait_for_frees(&err))
				continue;
			return err;
		}
		if (order)
			split_page(page, order);
		for (i = 0; i < (1U << order); i++) {
			err = rtshm_object_add_page(obj, nth_page(page, i));
			if (err) {
				while (++i < (1U << order))
					__free_page(nth_page(page, i));
				return err;
			}
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * Charge and allocate the pages of a new object of @size bytes. On
 * failure whatever was done is undone when the object is freed. A charge
 * that only memory still being freed stands in the way of waits for it.
 */
int rtshm_object_populate(struct rtshm_object *obj, u64 size)
{
	unsigned long want = rtshm_policy_size_pages(size, PAGE_SHIFT);
	struct inode *inode;
	int err;

	do {
		err = rtshm_object_charge(obj, want);
	} while (err == -ENOMEM && rtshm_wait_for_frees(&err));
	if (err)
		return err;
	inode = rtshm_fs_new_inode(obj->mode, size);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	inode->i_uid = obj->uid;
	inode->i_gid = obj->gid;
	obj->inode = inode;
	err = rtshm_object_alloc_pages(obj, want);
	if (err)
		return err;
	obj->size = size;
	return 0;
}

/* Owner/group/other mode bits, or CAP_IPC_OWNER in the namespace (S32). */
static bool rtshm_object_may_access(struct rtshm_object *obj, bool write)
{
	return !rtshm_policy_may_access(obj->mode,
					uid_eq(current_fsuid(), obj->uid),
					in_group_p(obj->gid), write) ||
	       rtshm_table_may_override(obj->table);
}

/*
 * May the caller get a view (writable or not) of an existing object?
 * Type (S29), then the mode bits (S32), then the object's read-only
 * protection (S5, S19).
 */
int rtshm_object_may_open(struct rtshm_object *obj, u32 type, bool want_write)
{
	int err;

	err = rtshm_policy_check_type(obj->type, type);
	if (err)
		return err;
	if (!rtshm_object_may_access(obj, want_write))
		return -EACCES;
	return rtshm_policy_check_protection(obj->readonly, want_write);
}

/* May the caller change the object: shrink it (S7)? */
bool rtshm_object_may_write(struct rtshm_object *obj)
{
	return rtshm_object_may_access(obj, true);
}

/*
 * Does LIST show @obj to the caller? To its owner, and to whoever may
 * open it for reading; @override: the caller has CAP_IPC_OWNER there.
 */
bool rtshm_object_may_list(struct rtshm_object *obj, bool override)
{
	return override || uid_eq(current_fsuid(), obj->uid) ||
	       !rtshm_policy_may_access(obj->mode, false,
					in_group_p(obj->gid), false);
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
