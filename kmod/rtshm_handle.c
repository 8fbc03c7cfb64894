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
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
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
 * Every page-table entry is in place from mmap on, so this runs only when
 * the process itself dropped some (madvise(MADV_DONTNEED)): put the same
 * page back, the object keeps its memory and contents until it dies.
 */
static vm_fault_t rtshm_vm_fault(struct vm_fault *vmf)
{
	struct rtshm_object *obj = vmf->vma->vm_private_data;
	struct page *page;

	page = find_get_page(obj->inode->i_mapping, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	vmf->page = page;
	return 0;
}

/*
 * Fault-around from the page cache after MADV_DONTNEED. The pages are
 * all there, so map the whole page table's worth (up to 2 MiB, within
 * the VMA) rather than fault_around_bytes.
 */
static vm_fault_t rtshm_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				     pgoff_t end)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr, last;

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

/* Pages one mapping step inserts between two cond_resched() (2 MiB). */
#define RTSHM_MAP_STEP (SZ_2M >> PAGE_SHIFT)

/*
 * Insert the page-table entries of the whole VMA, a page-cache batch at
 * a time, giving up the CPU between steps and stopping for a fatal
 * signal (mmap_region() then unmaps what was done). This runs under the
 * caller's mmap write lock: other threads of the process wait for it, so
 * librtshm maps a big view in pieces of RTSHM_MAP_PIECE_BYTES.
 */
static int rtshm_map_pages(struct vm_area_struct *vma,
			   struct address_space *mapping)
{
	pgoff_t index = vma->vm_pgoff, last = index + vma_pages(vma) - 1;
	unsigned long addr = vma->vm_start, since_resched = 0;
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
		since_resched += nr;
		if (since_resched >= RTSHM_MAP_STEP) {
			since_resched = 0;
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

/*
 * Map the object: MAP_SHARED only, within the handle's map size, never
 * executable (the mount is noexec too), never growable, never writable
 * through a read-only handle, and with every page-table entry in place
 * before mmap returns (S25), so that touching the mapping never faults.
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

	err = rtshm_map_pages(vma, obj->inode->i_mapping);
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
