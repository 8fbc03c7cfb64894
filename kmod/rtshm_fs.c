// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm's private pseudo filesystem, the mm/secretmem.c pattern: every
 * object is an inode of a kernel-internal mount, and its pages live in
 * that inode's page cache. So page->mapping and page->index are set and
 * the kernel's shared futexes, PI futexes, futex_waitv and robust lists,
 * which key a shared futex by inode and offset, work on the memory (S33).
 *
 * The memory stays pinned (S25): the mapping is unevictable (never
 * reclaimed or swapped; there is no writeback either) and refuses
 * migration, so compaction and NUMA balancing leave its pages where they
 * are. The mount is noexec: no handle can ever be mapped executable. The
 * inodes have no file type, so truncate(2) and reopening through
 * /proc/PID/fd are refused by the VFS, and setattr is refused here: an
 * object's size, owner and mode are the module's alone.
 */
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/kernel.h>
#include <linux/migrate.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/string.h>

#include "rtshm_fs.h"

#define RTSHM_FS_MAGIC 0x7274736d	/* "rtsm" */

/* Bytes of an object's name shown in /proc/PID/maps, after escaping. */
#define RTSHM_DNAME_MAX 48

static struct vfsmount *rtshm_mnt;

static int rtshm_migrate_folio(struct address_space *mapping,
			       struct folio *dst, struct folio *src,
			       enum migrate_mode mode)
{
	return -EBUSY;
}

static const struct address_space_operations rtshm_aops = {
	.dirty_folio = noop_dirty_folio,
	.migrate_folio = rtshm_migrate_folio,
};

#ifdef RTSHM_HAVE_MNT_IDMAP
static int rtshm_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			 struct iattr *iattr)
#else
static int rtshm_setattr(struct user_namespace *ns, struct dentry *dentry,
			 struct iattr *iattr)
#endif
{
	return -EPERM;
}

static const struct inode_operations rtshm_iops = {
	.setattr = rtshm_setattr,
};

/*
 * /proc/PID/maps shows "/rtshm:NAME" (escaped, shortened) or "/rtshm",
 * without the " (deleted)" of an unhashed dentry. A d_dname() writes
 * the end of @buffer (dynamic_dname() does this, but is not exported).
 */
static char *rtshm_dname(struct dentry *dentry, char *buffer, int buflen)
{
	int len = dentry->d_name.len + 1;

	if (len + 1 > buflen)
		return ERR_PTR(-ENAMETOOLONG);
	buffer += buflen - len - 1;
	buffer[0] = '/';
	memcpy(buffer + 1, dentry->d_name.name, len);	/* with its NUL */
	return buffer;
}

static const struct dentry_operations rtshm_dops = {
	.d_dname = rtshm_dname,
};

static int rtshm_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, RTSHM_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->dops = &rtshm_dops;
	fc->s_iflags |= SB_I_NOEXEC | SB_I_NODEV;
	return 0;
}

static struct file_system_type rtshm_fs_type = {
	.name = "rtshm",
	.init_fs_context = rtshm_init_fs_context,
	.kill_sb = kill_anon_super,
};

int rtshm_fs_init(void)
{
	rtshm_mnt = kern_mount(&rtshm_fs_type);
	if (IS_ERR(rtshm_mnt))
		return PTR_ERR(rtshm_mnt);
	rtshm_mnt->mnt_flags |= MNT_NOEXEC;
	return 0;
}

void rtshm_fs_exit(void)
{
	kern_unmount(rtshm_mnt);
}

/* The inode of a new object: @mode permission bits, @size bytes. */
struct inode *rtshm_fs_new_inode(umode_t mode, u64 size)
{
	struct inode *inode = alloc_anon_inode(rtshm_mnt->mnt_sb);

	if (IS_ERR(inode))
		return inode;
	/* No file type bits: not a regular file, so never truncated. */
	inode->i_mode = mode & 0777;
	inode->i_op = &rtshm_iops;
	inode->i_mapping->a_ops = &rtshm_aops;
	mapping_set_unevictable(inode->i_mapping);
	i_size_write(inode, size);
	return inode;
}

/*
 * A new file on @inode: a handle. It holds a reference to the inode and
 * to this module (alloc_file_pseudo() takes neither; __fput() drops the
 * module's).
 */
struct file *rtshm_fs_open(struct inode *inode, const char *name, u32 len,
			   const struct file_operations *fops, bool writable,
			   void *private_data)
{
	char dname[sizeof("rtshm:") + RTSHM_DNAME_MAX];
	struct file *file;

	if (len)
		scnprintf(dname, sizeof(dname), "rtshm:%*pEp", (int)len, name);
	else
		strscpy(dname, "rtshm", sizeof(dname));
	if (!try_module_get(fops->owner))
		return ERR_PTR(-ENOENT);
	ihold(inode);
	file = alloc_file_pseudo(inode, rtshm_mnt, dname,
				 writable ? O_RDWR : O_RDONLY, fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(fops->owner);
		return file;
	}
	file->private_data = private_data;
	return file;
}
