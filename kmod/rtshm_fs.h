/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtshm's private pseudo filesystem: an inode per object, whose page
 * cache holds the object's pages, and the handle files opened on it.
 */
#ifndef _RTSHM_FS_H
#define _RTSHM_FS_H

#include <linux/fs.h>
#include <linux/types.h>

int rtshm_fs_init(void);
void rtshm_fs_exit(void);
struct inode *rtshm_fs_new_inode(umode_t mode, u64 size);
struct file *rtshm_fs_open(struct inode *inode, const char *name, u32 len,
			   const struct file_operations *fops, bool writable,
			   void *private_data);

#endif /* _RTSHM_FS_H */
