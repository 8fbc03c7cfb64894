// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm policy: argument validation, name checks, re-create size rules,
 * permission decisions, allocation-order planning and the name hash.
 * No kernel-internal header may be included here (see rtshm_policy.h).
 */
#include "rtshm_policy.h"

static bool rtshm_all_zero(const __u64 *v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i])
			return false;
	return true;
}

#define RTSHM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One of the types that share the namespace (S29). */
static bool rtshm_valid_type(u32 type)
{
	return type >= RTSHM_TYPE_SHM && type <= RTSHM_TYPE_MAX;
}

/*
 * Check the header of a create request (the name bytes are checked by
 * rtshm_policy_check_name() once copied in). Output fields are ignored.
 */
int rtshm_policy_check_create(const struct rtshm_create *c)
{
	if (c->flags & ~RTSHM_CREATE_FLAGS_ALL)
		return -EINVAL;
	if (!rtshm_all_zero(c->reserved, RTSHM_ARRAY_LEN(c->reserved)))
		return -EINVAL;
	if (!rtshm_valid_type(c->type))
		return -EINVAL;
	if (c->mode & ~RTSHM_MODE_MASK)
		return -EINVAL;
	if (c->size == 0 || c->size > RTSHM_SIZE_MAX)
		return -EINVAL;
	if (!c->name != !c->name_len)	/* a name needs a length and back */
		return -EINVAL;
	if (c->name_len > RTSHM_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* Check the header of an open request: a name is required. */
int rtshm_policy_check_open(const struct rtshm_open *o)
{
	if (o->flags & ~RTSHM_OPEN_FLAGS_ALL)
		return -EINVAL;
	if (!rtshm_all_zero(o->reserved, RTSHM_ARRAY_LEN(o->reserved)))
		return -EINVAL;
	if (!rtshm_valid_type(o->type))
		return -EINVAL;
	if (o->name == 0 || o->name_len == 0)
		return -EINVAL;
	if (o->name_len > RTSHM_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int rtshm_policy_check_list(const struct rtshm_list *l)
{
	if (!rtshm_all_zero(l->reserved, RTSHM_ARRAY_LEN(l->reserved)))
		return -EINVAL;
	return 0;
}

/* A name is 1..RTSHM_NAME_MAX opaque bytes, none of them NUL (S13, S14). */
int rtshm_policy_check_name(const char *name, u32 len)
{
	u32 i;

	if (len == 0)
		return -EINVAL;
	if (len > RTSHM_NAME_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++)
		if (name[i] == '\0')
			return -EINVAL;
	return 0;
}

/* The mode a new object gets (S32: 0 means the default). */
u32 rtshm_policy_create_mode(u32 mode)
{
	return mode ? (mode & RTSHM_MODE_MASK) : RTSHM_DEFAULT_MODE;
}

/*
 * Re-create of an existing object of size @cur with size @req.
 * RTSHM_CREATE_EXACT_SIZE (windows personality, S9): only the same size.
 * Otherwise (rtss personality): the same size (S6) or smaller, which
 * shrinks the object (S7); larger fails (S8).
 */
int rtshm_policy_recreate_size(u64 cur, u64 req, u32 flags, u64 *new_size)
{
	if (req == 0)
		return -EINVAL;
	if (flags & RTSHM_CREATE_EXACT_SIZE) {
		if (req != cur)
			return -EINVAL;
	} else if (req > cur) {
		return -EINVAL;
	}
	*new_size = req;
	return 0;
}

/*
 * Owner/group/other permission (S32): read is always needed, write too
 * for a writable view. The caller applies CAP_IPC_OWNER on refusal.
 */
int rtshm_policy_may_access(u32 mode, bool is_owner, bool in_group,
			    bool want_write)
{
	u32 bits, need = want_write ? 06 : 04;

	if (is_owner)
		bits = (mode >> 6) & 07;
	else if (in_group)
		bits = (mode >> 3) & 07;
	else
		bits = mode & 07;
	return (bits & need) == need ? 0 : -EACCES;
}

/* A read-only object never gives a writable view (S5, S19). */
int rtshm_policy_check_protection(bool obj_readonly, bool want_write)
{
	return obj_readonly && want_write ? -EACCES : 0;
}

/* The name belongs to an object of another type (S29). */
int rtshm_policy_check_type(u32 obj_type, u32 want_type)
{
	return obj_type == want_type ? 0 : -EEXIST;
}

/* Pages needed for @size bytes (size <= RTSHM_SIZE_MAX, so no overflow). */
u64 rtshm_policy_size_pages(u64 size, unsigned int page_shift)
{
	return (size + (1ULL << page_shift) - 1) >> page_shift;
}

/*
 * May a mapping of @vma_pages pages at page offset @pgoff be made of a
 * handle whose map size is @map_size bytes (rounded up to pages)?
 */
int rtshm_policy_mmap_range(u64 pgoff, u64 vma_pages, u64 map_size,
			    unsigned int page_shift)
{
	u64 pages = rtshm_policy_size_pages(map_size, page_shift);

	if (vma_pages == 0 || pgoff >= pages || vma_pages > pages - pgoff)
		return -EINVAL;
	return 0;
}

/*
 * The order of the next block to allocate when @remaining pages are still
 * missing: the largest order no higher than @ceiling (lowered by the
 * caller each time an order fails) that does not overshoot @remaining.
 */
unsigned int rtshm_policy_alloc_order(u64 remaining, unsigned int ceiling)
{
	unsigned int order = 0;

	if (remaining == 0)
		return 0;
	while (order < ceiling && order < 63 && (2ULL << order) <= remaining)
		order++;
	return order;
}

/* Add @add pages to a counter at @cur against @limit (S27). */
int rtshm_policy_charge(u64 cur, u64 add, u64 limit, u64 *new_total)
{
	u64 sum = cur + add;

	if (sum < cur || sum > limit)
		return -ENOMEM;
	*new_total = sum;
	return 0;
}

/* Entries one LIST call fills at most. */
u32 rtshm_policy_list_batch(u32 max_entries)
{
	return max_entries < RTSHM_LIST_BATCH ? max_entries : RTSHM_LIST_BATCH;
}
