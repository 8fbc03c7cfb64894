/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * rtshm ioctl ABI: the one contract between rtshm.ko and librtshm.
 *
 * /dev/rtshm takes RTSHM_IOC_CREATE, RTSHM_IOC_OPEN and RTSHM_IOC_LIST.
 * Each successful create or open returns a new file descriptor, the
 * handle (always O_CLOEXEC). A handle takes RTSHM_IOC_QUERY and mmap
 * (MAP_SHARED only, offset + length within the handle's map_size);
 * close(2) of the handle is RtCloseHandle. An object lives until its last
 * handle and its last mapping are gone.
 *
 * Namespaces (S34): every IPC namespace has its own name table, as System
 * V IPC does. CREATE, OPEN and LIST see only the objects of the caller's
 * IPC namespace (current->nsproxy->ipc_ns at the time of the call); a
 * handle, once made, works wherever it is passed. Owner ids are reported
 * as the caller's user namespace maps them (65534 when it cannot), the
 * creator's pid as the caller's pid namespace sees it (0 when it cannot).
 *
 * Access (S32): opening or re-creating needs read permission by the
 * owner/group/other mode bits, and write permission for a writable view;
 * CAP_IPC_OWNER in the user namespace owning the IPC namespace overrides.
 * A re-create with a smaller size shrinks the object (S7) only for a
 * caller with write permission; one with read permission alone gets a
 * view of the smaller size and the object keeps its own. LIST shows an
 * object only to its owner, to a caller who may open it for reading, and
 * to a caller with CAP_IPC_OWNER there.
 *
 * Rules for growing this ABI without breaking old binaries:
 *  - structures have fixed-width fields, natural alignment and no implicit
 *    padding; their sizes are checked below;
 *  - reserved fields and unknown flag bits must be zero, or the call fails
 *    with EINVAL, so they can be given a meaning later;
 *  - a structure that changes size gets a new ioctl number.
 *
 * Errors (negative errno from ioctl):
 *  ENOTTY        unknown ioctl
 *  EFAULT        a pointer does not point at readable/writable user memory
 *  EINVAL        unknown flag, non-zero reserved field, bad size, type or
 *                mode, a NUL byte inside a name, a size that breaks the
 *                re-create rule (larger than the object, or different with
 *                RTSHM_CREATE_EXACT_SIZE)
 *  ENAMETOOLONG  name_len > RTSHM_NAME_MAX
 *  ENOENT        open: no object has that name
 *  EEXIST        the name is held by an object of another type; or the
 *                name exists and RTSHM_CREATE_EXCL was given
 *  EACCES        mode bits or the object's read-only protection refuse it
 *  ENOMEM        the memory cannot be allocated, or the caller's
 *                RLIMIT_MEMLOCK or the module's max_pinned_mb would be
 *                exceeded (a create first waits for memory that dead
 *                objects are still giving back)
 *  EINTR         a fatal signal came while the call waited or allocated
 *  EAGAIN        another thread of the caller replaced a descriptor the
 *                first call in a new IPC namespace briefly used; retry
 *  EMFILE/ENFILE no free file descriptor for the handle
 *
 * mmap of a handle: EINVAL without MAP_SHARED, with MAP_GROWSDOWN, or
 * beyond map_size; EACCES for PROT_WRITE on a read-only handle; EPERM for
 * PROT_EXEC (never executable); EAGAIN from the kernel itself when the
 * caller's mlockall(MCL_FUTURE) would pass its RLIMIT_MEMLOCK; EINTR if a
 * fatal signal stops the mapping. Page-table entries: see
 * RTSHM_MAP_PIECE_BYTES. fstat of a handle gives the object's current size;
 * /proc/PID/fdinfo the object's id, name, size and writability.
 */
#ifndef _UAPI_RTSHM_H
#define _UAPI_RTSHM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RTSHM_DEVICE_PATH "/dev/rtshm"

/* Longest name in bytes of UTF-8 (256 wchar_t of up to 4 bytes each). */
#define RTSHM_NAME_MAX 1024

/*
 * Object types sharing one namespace (S29). An event, mutex or semaphore is
 * an object of its own type whose one page holds its state words; librtshm
 * runs the synchronisation on futexes in that page.
 */
#define RTSHM_TYPE_SHM 1
#define RTSHM_TYPE_EVENT 2
#define RTSHM_TYPE_MUTEX 3
#define RTSHM_TYPE_SEMAPHORE 4
#define RTSHM_TYPE_MAX RTSHM_TYPE_SEMAPHORE

/*
 * mmap of a handle puts every page-table entry of the view in place before
 * it returns, under the caller's mmap write lock (other threads of the
 * process that mmap, munmap or, before Linux 6.4, take a page fault wait
 * meanwhile). To bound that wait, map a big view in pieces of this size
 * with MAP_FIXED over a reserved range, as librtshm does.
 */
#define RTSHM_MAP_PIECE_BYTES (4U << 20)

/* Mode of a new object when the creator passes 0. */
#define RTSHM_DEFAULT_MODE 0660

/* rtshm_create.flags */
/* An existing object must have exactly this size (Windows personality);
 * without it a smaller size shrinks the object (RTSS personality). */
#define RTSHM_CREATE_EXACT_SIZE (1U << 0)
/* A new object is read-only; the handle is read-only either way. */
#define RTSHM_CREATE_READONLY (1U << 1)
/* Fail with EEXIST if the name exists (of any type): the caller gets an
 * object it made itself, never one another user planted first (S32). */
#define RTSHM_CREATE_EXCL (1U << 2)
#define RTSHM_CREATE_FLAGS_ALL \
	(RTSHM_CREATE_EXACT_SIZE | RTSHM_CREATE_READONLY | RTSHM_CREATE_EXCL)

/* rtshm_create.result */
#define RTSHM_RESULT_CREATED 1
#define RTSHM_RESULT_EXISTED 2

/* rtshm_open.flags */
#define RTSHM_OPEN_WRITE (1U << 0) /* a writable view */
#define RTSHM_OPEN_FLAGS_ALL (RTSHM_OPEN_WRITE)

/*
 * Create a named (name_len > 0) or unnamed (name == 0, name_len == 0)
 * object, or open the existing object of that name under the re-create
 * rules. The name is an opaque byte string, never a path.
 */
struct rtshm_create {
	__u64 name;		/* in: user address of the name bytes, or 0 */
	__u32 name_len;		/* in: bytes of name, no NUL among them */
	__u32 flags;		/* in: RTSHM_CREATE_* */
	__u64 size;		/* in: bytes wanted, > 0; out: bytes the handle maps */
	__u32 type;		/* in: RTSHM_TYPE_* */
	__u32 mode;		/* in: permission bits (<= 0777), 0: default */
	__u32 result;		/* out: RTSHM_RESULT_* */
	__s32 fd;		/* out: the handle */
	__u64 id;		/* out: object id, never reused while loaded */
	__u64 reserved[4];	/* in: zero */
};

/* Open an existing named object. */
struct rtshm_open {
	__u64 name;		/* in: user address of the name bytes */
	__u32 name_len;		/* in: 1..RTSHM_NAME_MAX */
	__u32 flags;		/* in: RTSHM_OPEN_* */
	__u64 size;		/* out: bytes the handle maps */
	__u32 type;		/* in: RTSHM_TYPE_* */
	__s32 fd;		/* out: the handle */
	__u64 id;		/* out: object id */
	__u64 reserved[4];	/* in: zero */
};

/* rtshm_stat.flags */
#define RTSHM_STAT_READONLY (1U << 0) /* the object is read-only */
#define RTSHM_STAT_WRITABLE (1U << 1) /* QUERY: this handle maps writable */
#define RTSHM_STAT_NAMED (1U << 2)    /* the object has a name */

/* What QUERY says of a handle's object, and LIST of every object. */
struct rtshm_stat {
	__u64 id;
	__u64 size;		/* current size (may have shrunk, S7) */
	__u64 pinned_bytes;	/* memory the object holds until it dies */
	__u64 map_size;		/* QUERY: bytes this handle may map; LIST: 0 */
	__u32 flags;		/* RTSHM_STAT_* */
	__u32 type;		/* RTSHM_TYPE_* */
	__u32 mode;		/* permission bits */
	__u32 uid;		/* owner, in the caller's user namespace */
	__u32 gid;
	__s32 creator_pid;	/* in the caller's pid namespace; 0: not visible */
	__u32 handles;		/* open handles (one per create/open) */
	__u32 mappings;		/* live mappings */
	__u32 name_len;		/* bytes of name */
	__u32 reserved0;
	__u64 reserved[2];
	char name[RTSHM_NAME_MAX]; /* not NUL-terminated */
};

/* List live objects with id >= start_id, in id order, a page at a time. */
struct rtshm_list {
	__u64 entries;		/* in: user address of struct rtshm_stat[max] */
	__u32 max_entries;	/* in: room in entries */
	__u32 count;		/* out: entries written */
	__u64 start_id;		/* in: first id wanted (0: from the start) */
	__u64 next_id;		/* out: start_id of the next page, 0: done */
	__u64 reserved[2];	/* in: zero */
};

#define RTSHM_IOC_MAGIC 0xE5
#define RTSHM_IOC_CREATE _IOWR(RTSHM_IOC_MAGIC, 1, struct rtshm_create)
#define RTSHM_IOC_OPEN _IOWR(RTSHM_IOC_MAGIC, 2, struct rtshm_open)
#define RTSHM_IOC_QUERY _IOR(RTSHM_IOC_MAGIC, 3, struct rtshm_stat)
#define RTSHM_IOC_LIST _IOWR(RTSHM_IOC_MAGIC, 4, struct rtshm_list)

/* The layout is the ABI: fail the build of either side if it moves. */
#ifdef __cplusplus
#define RTSHM_ABI_ASSERT(c, m) static_assert(c, m)
#else
#define RTSHM_ABI_ASSERT(c, m) _Static_assert(c, m)
#endif
RTSHM_ABI_ASSERT(sizeof(struct rtshm_create) == 80, "rtshm_create layout");
RTSHM_ABI_ASSERT(sizeof(struct rtshm_open) == 72, "rtshm_open layout");
RTSHM_ABI_ASSERT(sizeof(struct rtshm_stat) == 1112, "rtshm_stat layout");
RTSHM_ABI_ASSERT(sizeof(struct rtshm_list) == 48, "rtshm_list layout");
#undef RTSHM_ABI_ASSERT

#endif /* _UAPI_RTSHM_H */
