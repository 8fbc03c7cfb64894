// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm handles: one anon-inode file per successful create or open.
 * close(2) is RtCloseHandle; the file takes RTSHM_IOC_QUERY and mmap.
 * A mapping holds the file, so the object lives until its last handle
 * and its last mapping are gone (S23, S24).
 */
#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

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

	if (vmf->pgoff >= obj->npages)
		return VM_FAULT_SIGBUS;
	page = obj->pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct rtshm_vm_ops = {
	.open = rtshm_vm_open,
	.close = rtshm_vm_close,
	.fault = rtshm_vm_fault,
};

/*
 * Map the object: MAP_SHARED only, within the handle's map size, never
 * growable, never writable through a read-only handle, and with every
 * page-table entry in place before mmap returns (S25), so that touching
 * the mapping never faults.
 */
static int rtshm_handle_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rtshm_handle *h = file->private_data;
	struct rtshm_object *obj = h->obj;
	unsigned long count = vma_pages(vma);
	vm_flags_t clear = 0;
	int err;

	/* A read-only file's MAP_SHARED has VM_MAYSHARE without VM_SHARED. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	err = rtshm_policy_mmap_range(vma->vm_pgoff, count, h->map_size,
				      PAGE_SHIFT);
	if (err)
		return err;
	if (!h->writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		clear = VM_MAYWRITE;
	}
	/* Never mremap-grown, never in a core dump; inherited over fork. */
	rtshm_vma_flags(vma, VM_DONTEXPAND | VM_DONTDUMP, clear);

	err = vm_insert_pages(vma, vma->vm_start, obj->pages + vma->vm_pgoff,
			      &count);
	if (err)
		return err;
	if (WARN_ON_ONCE(count))
		return -EFAULT;

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

static const struct file_operations rtshm_handle_fops = {
	.owner = THIS_MODULE,
	.release = rtshm_handle_release,
	.mmap = rtshm_handle_mmap,
	.unlocked_ioctl = rtshm_handle_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
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
	file = anon_inode_getfile("[rtshm]", &rtshm_handle_fops, h,
				  writable ? O_RDWR : O_RDONLY);
	if (IS_ERR(file)) {
		kfree(h);
		return file;
	}
	atomic_inc(&obj->handles);
	return file;
}
