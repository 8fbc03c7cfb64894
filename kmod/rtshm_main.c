// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm: RTX64-style named, pinned shared memory for PREEMPT_RT.
 *
 * /dev/rtshm takes RTSHM_IOC_CREATE, RTSHM_IOC_OPEN and RTSHM_IOC_LIST
 * (include/uapi/rtshm.h). This file holds the module glue, the module
 * parameter, the sysfs counters and the device ioctls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "rtshm_fs.h"
#include "rtshm_names.h"
#include "rtshm_object.h"
#include "rtshm_policy.h"

#define RTSHM_MAX_PINNED_UNSET UINT_MAX

unsigned int rtshm_max_pinned_mb = RTSHM_MAX_PINNED_UNSET;
module_param_named(max_pinned_mb, rtshm_max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "System-wide cap on pinned memory in MiB (default: half of RAM)");

/*
 * Find the object named @name in @table, waiting (killably) while another
 * caller is still creating it. Returns it LIVE with the table lock held
 * (and no reference: take one before dropping the lock), NULL with the
 * lock held if there is none, or an ERR_PTR without the lock.
 */
static struct rtshm_object *rtshm_lookup_lock(struct rtshm_table *table,
					      const char *name, u32 len)
{
	struct rtshm_object *obj;

	for (;;) {
		if (mutex_lock_killable(&table->lock))
			return ERR_PTR(-EINTR);
		obj = rtshm_names_lookup_locked(table, name, len);
		if (!obj || obj->state == RTSHM_STATE_LIVE)
			return obj;
		/* CREATING: failed objects are never in the table. */
		kref_get(&obj->ref);
		mutex_unlock(&table->lock);
		if (wait_for_completion_killable(&obj->created)) {
			rtshm_object_put(obj);
			return ERR_PTR(-EINTR);
		}
		rtshm_object_put(obj);
	}
}

/* S7: a re-create with a smaller size by a writer shrinks the object. */
static void rtshm_shrink(struct rtshm_object *obj, u64 size)
{
	mutex_lock(&obj->table->lock);
	if (size < obj->size) {
		WRITE_ONCE(obj->size, size);
		i_size_write(obj->inode, size);	/* what fstat says */
	}
	mutex_unlock(&obj->table->lock);
}

/*
 * Publish a new object (the caller holds the table lock, which this
 * drops), then allocate its pages outside the lock.
 */
static int rtshm_create_new(struct rtshm_table *table,
			    struct rtshm_object *obj, u64 size)
{
	int err;

	err = rtshm_names_insert_locked(table, obj);
	mutex_unlock(&table->lock);
	if (err)
		return err;	/* unpublished: the caller frees it */

	err = rtshm_object_populate(obj, size);

	mutex_lock(&table->lock);
	if (err) {
		rtshm_names_unhash_locked(obj);
		obj->state = RTSHM_STATE_FAILED;
	} else {
		obj->state = RTSHM_STATE_LIVE;
	}
	mutex_unlock(&table->lock);
	complete_all(&obj->created);
	return err;
}

/*
 * The name exists: may the caller have a handle to it, of what size
 * (S6-S9, S29, S32), and may it shrink it (S7)? Under the table lock.
 */
static int rtshm_recreate(struct rtshm_object *obj, const struct rtshm_create *c,
			  bool want_write, u64 *map_size, bool *shrink)
{
	int err;

	if (c->flags & RTSHM_CREATE_EXCL)
		return -EEXIST;
	err = rtshm_object_may_open(obj, c->type, want_write);
	if (err)
		return err;
	err = rtshm_policy_recreate_size(obj->size, c->size, c->flags,
					 map_size);
	if (err)
		return err;
	/* A reader alone gets a view of the smaller size, nothing more. */
	*shrink = *map_size < obj->size && rtshm_object_may_write(obj);
	return 0;
}

static long rtshm_ioctl_create(struct rtshm_table *table,
			       struct rtshm_create __user *uarg)
{
	bool want_write, created = false, shrink = false;
	struct rtshm_object *obj, *fresh;
	struct rtshm_create c;
	struct file *file;
	char *name = NULL;
	u64 map_size = 0;
	int fd, err;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	err = rtshm_policy_check_create(&c);
	if (err)
		return err;
	if (c.name_len) {
		name = memdup_user(u64_to_user_ptr(c.name), c.name_len);
		if (IS_ERR(name))
			return PTR_ERR(name);
		err = rtshm_policy_check_name(name, c.name_len);
		if (err)
			goto out_name;
	}
	want_write = !(c.flags & RTSHM_CREATE_READONLY);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto out_name;
	}
	fresh = rtshm_object_alloc(name, c.name_len, c.type, c.mode,
				   !want_write);
	if (!fresh) {
		err = -ENOMEM;
		goto out_fd;
	}

	if (name) {
		obj = rtshm_lookup_lock(table, name, c.name_len);
		if (IS_ERR(obj)) {
			err = PTR_ERR(obj);
			goto out_fresh;
		}
	} else {
		obj = NULL;
		if (mutex_lock_killable(&table->lock)) {
			err = -EINTR;
			goto out_fresh;
		}
	}

	if (obj) {
		err = rtshm_recreate(obj, &c, want_write, &map_size, &shrink);
		if (err) {
			mutex_unlock(&table->lock);
			goto out_fresh;
		}
		kref_get(&obj->ref);
		mutex_unlock(&table->lock);
		rtshm_object_free_unpublished(fresh);
	} else {
		obj = fresh;
		err = rtshm_create_new(table, obj, c.size); /* drops the lock */
		if (err && !obj->table)
			goto out_fresh;
		if (err)
			goto out_put;
		created = true;
		map_size = c.size;
	}

	file = rtshm_handle_file(obj, map_size, want_write);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out_put;
	}
	c.size = map_size;
	c.result = created ? RTSHM_RESULT_CREATED : RTSHM_RESULT_EXISTED;
	c.fd = fd;
	c.id = obj->id;
	if (copy_to_user(uarg, &c, sizeof(c))) {
		fput(file);	/* puts the object */
		err = -EFAULT;
		goto out_fd;
	}
	if (shrink)
		rtshm_shrink(obj, map_size);
	fd_install(fd, file);
	kfree(name);
	return 0;

out_put:
	rtshm_object_put(obj);
	goto out_fd;
out_fresh:
	rtshm_object_free_unpublished(fresh);
out_fd:
	put_unused_fd(fd);
out_name:
	kfree(name);
	return err;
}

static long rtshm_ioctl_open(struct rtshm_table *table,
			     struct rtshm_open __user *uarg)
{
	struct rtshm_object *obj;
	struct rtshm_open o;
	struct file *file;
	bool want_write;
	u64 map_size;
	char *name;
	int fd, err;

	if (copy_from_user(&o, uarg, sizeof(o)))
		return -EFAULT;
	err = rtshm_policy_check_open(&o);
	if (err)
		return err;
	name = memdup_user(u64_to_user_ptr(o.name), o.name_len);
	if (IS_ERR(name))
		return PTR_ERR(name);
	err = rtshm_policy_check_name(name, o.name_len);
	if (err)
		goto out_name;
	want_write = o.flags & RTSHM_OPEN_WRITE;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto out_name;
	}
	obj = rtshm_lookup_lock(table, name, o.name_len);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto out_fd;
	}
	if (!obj) {
		mutex_unlock(&table->lock);
		err = -ENOENT;
		goto out_fd;
	}
	err = rtshm_object_may_open(obj, o.type, want_write);
	if (err) {
		mutex_unlock(&table->lock);
		goto out_fd;
	}
	kref_get(&obj->ref);
	map_size = obj->size;	/* S17: the current size */
	mutex_unlock(&table->lock);

	file = rtshm_handle_file(obj, map_size, want_write);
	if (IS_ERR(file)) {
		rtshm_object_put(obj);
		err = PTR_ERR(file);
		goto out_fd;
	}
	o.size = map_size;
	o.fd = fd;
	o.id = obj->id;
	if (copy_to_user(uarg, &o, sizeof(o))) {
		fput(file);
		err = -EFAULT;
		goto out_fd;
	}
	fd_install(fd, file);
	kfree(name);
	return 0;

out_fd:
	put_unused_fd(fd);
out_name:
	kfree(name);
	return err;
}

static long rtshm_ioctl_list(struct rtshm_table *table,
			     struct rtshm_list __user *uarg)
{
	struct rtshm_stat *buf = NULL;
	struct rtshm_list l;
	long err = 0, n;
	u32 max;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	err = rtshm_policy_check_list(&l);
	if (err)
		return err;
	max = rtshm_policy_list_batch(l.max_entries);
	if (max) {
		buf = kvcalloc(max, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	/* Snapshot under the lock, copy out after dropping it. */
	n = rtshm_names_list(table, l.start_id, buf, max, &l.next_id);
	if (n < 0) {
		err = n;
		goto out;
	}
	l.count = n;
	if (l.count &&
	    copy_to_user(u64_to_user_ptr(l.entries), buf,
			 (size_t)l.count * sizeof(*buf)))
		err = -EFAULT;
	else if (copy_to_user(uarg, &l, sizeof(l)))
		err = -EFAULT;
out:
	kvfree(buf);
	return err;
}

/* Every call works in the table of the caller's IPC namespace (S34). */
static long rtshm_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *p = (void __user *)arg;
	struct rtshm_table *table;
	long ret;

	if (cmd != RTSHM_IOC_CREATE && cmd != RTSHM_IOC_OPEN &&
	    cmd != RTSHM_IOC_LIST)
		return -ENOTTY;
	table = rtshm_table_get_current();
	if (IS_ERR(table))
		return PTR_ERR(table);
	switch (cmd) {
	case RTSHM_IOC_CREATE:
		ret = rtshm_ioctl_create(table, p);
		break;
	case RTSHM_IOC_OPEN:
		ret = rtshm_ioctl_open(table, p);
		break;
	default:
		ret = rtshm_ioctl_list(table, p);
		break;
	}
	rtshm_table_put(table);
	return ret;
}

static const struct file_operations rtshm_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = rtshm_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static ssize_t objects_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&rtshm_nr_objects));
}
static DEVICE_ATTR_RO(objects);

static ssize_t pinned_bytes_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	u64 pages = atomic_long_read(&rtshm_pinned_pages);

	return sysfs_emit(buf, "%llu\n", pages << PAGE_SHIFT);
}
static DEVICE_ATTR_RO(pinned_bytes);

static ssize_t tables_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%ld\n", rtshm_names_nr_tables());
}
static DEVICE_ATTR_RO(tables);

static struct attribute *rtshm_attrs[] = {
	&dev_attr_objects.attr,
	&dev_attr_pinned_bytes.attr,
	&dev_attr_tables.attr,
	NULL,
};
ATTRIBUTE_GROUPS(rtshm);

static struct miscdevice rtshm_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rtshm",
	.fops = &rtshm_dev_fops,
	.groups = rtshm_groups,
};

static int __init rtshm_init(void)
{
	int err;

	if (rtshm_max_pinned_mb == RTSHM_MAX_PINNED_UNSET)
		rtshm_max_pinned_mb = (totalram_pages() >> (20 - PAGE_SHIFT)) / 2;
	err = rtshm_fs_init();
	if (err)
		return err;
	err = rtshm_object_init();
	if (err)
		goto out_fs;
	err = rtshm_tables_init();
	if (err)
		goto out_object;
	err = misc_register(&rtshm_misc);
	if (err)
		goto out_tables;
	pr_info("loaded, max_pinned_mb=%u\n", rtshm_max_pinned_mb);
	return 0;

out_tables:
	rtshm_tables_exit();
out_object:
	rtshm_object_exit();
out_fs:
	rtshm_fs_exit();
	return err;
}

static void __exit rtshm_exit(void)
{
	misc_deregister(&rtshm_misc);
	/*
	 * Every handle, mapping and pending free holds the module: nothing
	 * can be left once the free worker has drained.
	 */
	rtshm_object_exit();
	rtshm_tables_exit();
	WARN_ON(rtshm_names_nr_tables());
	WARN_ON(atomic_long_read(&rtshm_pinned_pages));
	rtshm_fs_exit();
}

module_init(rtshm_init);
module_exit(rtshm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("rtshm project");
MODULE_DESCRIPTION("RTX64-style named, pinned shared memory");
MODULE_VERSION(RTSHM_VERSION); /* the VERSION file, through Kbuild */
