// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm handles: one file on the object's inode (rtshm_fs.c) per
 * successful create or open. close(2) is RtCloseHandle; the file takes
 * RTSHM_IOC_QUERY, mmap and fstat, and shows the object in fdinfo. A
 * mapping holds the file, so the object lives until its last handle and
 * its last mapping are gone (S23, S24).
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rtshm_fs.h"
#include "rtshm_names.h"
#include "rtshm_object.h"
#include "rtshm_policy.h"

struct rtshm_handle {
	struct rtshm_object *obj;
	u64 map_size;		/* bytes this handle may map */
	bool writable;		/* the handle gives a writable view */
};

#ifdef RTSHM_HAVE_VM_FLAGS_SET
static void rtshm_vma_flags(struct vm_area_struct *vma, vm_flags_t set,
			    vm_flags_t clear)
{
	vm_flags_mod(vma, set, clear);
}
#else
static void rtshm_vma_flags(struct vm_area_struct *vma, vm_flags_t set,
			    vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif

/* A VMA was copied (fork, split): one more mapping of the object. */
static void rtshm_vm_open(struct vm_area_struct *vma)
{
	struct rtshm_object *obj = vma->vm_private_data;

	atomic_inc(&obj->mappings);
}

static void rtshm_vm_close(struct vm_area_struct *vma)
{
	struct rtshm_object *obj = vma->vm_private_data;

	atomic_dec(&obj->mappings);
}

/*
 * While MAP_POPULATE fills a big view (under the mmap read lock, after
 * mmap dropped the write lock), let a sibling thread's mmap or munmap in:
 * drop the lock and have the caller retry. At most once every
 * RTSHM_FAULT_YIELD_NS per object, so that the fill always advances
 * however busy the siblings are, and they wait at most about that long.
 */
#define RTSHM_FAULT_YIELD_NS (500 * NSEC_PER_USEC)

static bool rtshm_fault_may_yield(struct vm_fault *vmf)
{
	struct rtshm_object *obj = vmf->vma->vm_private_data;

	if (!fault_flag_allow_retry_first(vmf->flags) ||
	    (vmf->flags & FAULT_FLAG_RETRY_NOWAIT))
		return false;
#ifdef RTSHM_HAVE_RELEASE_FAULT_LOCK
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		return false;	/* the mmap lock is not held */
#endif
	if (!mmap_lock_is_contended(vmf->vma->vm_mm))
		return false;
	return ktime_get_ns() - READ_ONCE(obj->fault_yield_ns) >=
	       RTSHM_FAULT_YIELD_NS;
}

/*
 * A fault maps pages that are always there: the part of a big view that
 * mmap left to MAP_POPULATE or to first touch, or entries the process
 * dropped itself (madvise(MADV_DONTNEED)).
 */
static vm_fault_t rtshm_vm_fault(struct vm_fault *vmf)
{
	struct rtshm_object *obj = vmf->vma->vm_private_data;
	struct page *page;

	if (rtshm_fault_may_yield(vmf)) {
		WRITE_ONCE(obj->fault_yield_ns, ktime_get_ns());
#ifdef RTSHM_HAVE_RELEASE_FAULT_LOCK
		release_fault_lock(vmf);
#else
		mmap_read_unlock(vmf->vma->vm_mm);
#endif
		return VM_FAULT_RETRY;
	}
	page = find_get_page(obj->inode->i_mapping, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	vmf->page = page;
	return 0;
}

/*
 * Fault-around from the page cache, unless rtshm_vm_fault() will yield.
 * The pages are all there, so map the whole page table's worth (up to
 * 2 MiB, within the VMA) rather than fault_around_bytes: a 256 MiB fill
 * takes 128 faults, not 4096.
 */
static vm_fault_t rtshm_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				     pgoff_t end)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr, last;

	if (rtshm_fault_may_yield(vmf))
		return 0;
	addr = vma->vm_start + ((start - vma->vm_pgoff) << PAGE_SHIFT);
	last = min((addr | ~PMD_MASK), vma->vm_end - 1);
	end = max(end, vma->vm_pgoff + ((last - vma->vm_start) >> PAGE_SHIFT));
	return filemap_map_pages(vmf, start, end);
}

static const struct vm_operations_struct rtshm_vm_ops = {
	.open = rtshm_vm_open,
	.close = rtshm_vm_close,
	.fault = rtshm_vm_fault,
	.map_pages = rtshm_vm_map_pages,
};

/*
 * Pages mmap maps itself, under the caller's mmap write lock: the whole
 * of a small view, which is then complete when mmap returns. The rest of
 * a bigger one is filled by MAP_POPULATE (which librtshm passes) once
 * mmap has dropped the write lock, so that other threads of the process
 * never wait long behind a big mapping.
 */
#define RTSHM_MAP_EAGER (RTSHM_MAP_EAGER_BYTES >> PAGE_SHIFT)

/* Insert the page-table entries of the first @count pages of the VMA. */
static int rtshm_map_pages(struct vm_area_struct *vma,
			   struct address_space *mapping, unsigned long count)
{
	pgoff_t index = vma->vm_pgoff, last = index + count - 1;
	unsigned long addr = vma->vm_start;
	struct page *pages[PAGEVEC_SIZE];
	struct folio_batch fbatch;
	unsigned int i, nr;
	int err = 0;

	folio_batch_init(&fbatch);
	while (index <= last) {
		unsigned long count;

		nr = filemap_get_folios_contig(mapping, &index, last, &fbatch);
		if (!nr)
			return -EFAULT;	/* a hole: cannot happen */
		for (i = 0; i < nr; i++) {
			if (WARN_ON_ONCE(folio_test_large(fbatch.folios[i])))
				err = -EFAULT;	/* only order-0 folios are added */
			pages[i] = folio_page(fbatch.folios[i], 0);
		}
		count = nr;
		if (!err)
			err = vm_insert_pages(vma, addr, pages, &count);
		folio_batch_release(&fbatch);
		if (err)
			return err;
		if (WARN_ON_ONCE(count))
			return -EFAULT;
		addr += (unsigned long)nr << PAGE_SHIFT;
	}
	return 0;
}

/*
 * Map the object: MAP_SHARED only, within the handle's map size, never
 * executable (the mount is noexec too), never growable, never writable
 * through a read-only handle. With MAP_POPULATE (or for a view of up to
 * RTSHM_MAP_EAGER pages, always) every page-table entry is in place
 * when mmap returns (S25), so that touching the mapping never faults.
 * VM_MIXEDMAP makes fork copy the entries: a child never faults either.
 */
static int rtshm_handle_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rtshm_handle *h = file->private_data;
	struct rtshm_object *obj = h->obj;
	vm_flags_t clear = VM_MAYEXEC;
	int err;

	/* A read-only file's MAP_SHARED has VM_MAYSHARE without VM_SHARED. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (vma->vm_flags & (VM_GROWSDOWN | VM_GROWSUP))
		return -EINVAL;
	err = rtshm_policy_mmap_range(vma->vm_pgoff, vma_pages(vma),
				      h->map_size, PAGE_SHIFT);
	if (err)
		return err;
	if (!h->writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		clear |= VM_MAYWRITE;
	}
	/* Never mremap-grown, never in a core dump; inherited over fork. */
	rtshm_vma_flags(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_MIXEDMAP, clear);

	err = rtshm_map_pages(vma, obj->inode->i_mapping,
			      min(vma_pages(vma), RTSHM_MAP_EAGER));
	if (err)
		return err;

	vma->vm_private_data = obj;
	vma->vm_ops = &rtshm_vm_ops;
	atomic_inc(&obj->mappings);
	return 0;
}

static long rtshm_handle_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct rtshm_handle *h = file->private_data;
	struct rtshm_stat *st;
	long ret = 0;

	if (cmd != RTSHM_IOC_QUERY)
		return -ENOTTY;
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	rtshm_object_fill_stat(h->obj, st);	/* writes every byte */
	st->map_size = h->map_size;
	if (h->writable)
		st->flags |= RTSHM_STAT_WRITABLE;
	if (copy_to_user((void __user *)arg, st, sizeof(*st)))
		ret = -EFAULT;
	kfree(st);
	return ret;
}

static int rtshm_handle_release(struct inode *inode, struct file *file)
{
	struct rtshm_handle *h = file->private_data;

	atomic_dec(&h->obj->handles);
	rtshm_object_put(h->obj);
	kfree(h);
	return 0;
}

/* What the handle is, for /proc/PID/fdinfo/FD. */
static void rtshm_handle_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct rtshm_handle *h = file->private_data;
	struct rtshm_object *obj = h->obj;

	seq_printf(m, "rtshm-id:\t%llu\n", obj->id);
	seq_printf(m, "rtshm-name:\t%*pE\n", (int)obj->name_len, obj->name);
	seq_printf(m, "rtshm-size:\t%llu\n", READ_ONCE(obj->size));
	seq_printf(m, "rtshm-map-size:\t%llu\n", h->map_size);
	seq_printf(m, "rtshm-writable:\t%d\n", h->writable);
}

static const struct file_operations rtshm_handle_fops = {
	.owner = THIS_MODULE,
	.release = rtshm_handle_release,
	.mmap = rtshm_handle_mmap,
	.unlocked_ioctl = rtshm_handle_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = rtshm_handle_show_fdinfo,
};

/*
 * A handle file for @obj. On success the file owns the caller's
 * reference to @obj; on failure the caller keeps it.
 */
struct file *rtshm_handle_file(struct rtshm_object *obj, u64 map_size,
			       bool writable)
{
	struct rtshm_handle *h;
	struct file *file;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return ERR_PTR(-ENOMEM);
	h->obj = obj;
	h->map_size = map_size;
	h->writable = writable;
	file = rtshm_fs_open(obj->inode, obj->name, obj->name_len,
			     &rtshm_handle_fops, writable, h);
	if (IS_ERR(file)) {
		kfree(h);
		return file;
	}
	atomic_inc(&obj->handles);
	return file;
}
