// SPDX-License-Identifier: MIT
/*
 * cmocka unit tests of kmod/rtshm_policy.c, the kernel-independent
 * decisions of rtshm.ko. Tests that check one rule of
 * shared/spec/semantics.md carry its id in their name.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rtshm_policy.h"

#define PAGE_SHIFT_4K 12
#define PAGE_4K 4096ULL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char kName[] = "RtxShm";

static struct rtshm_create good_create(void)
{
	struct rtshm_create c;

	memset(&c, 0, sizeof(c));
	c.name = (uintptr_t)kName;
	c.name_len = sizeof(kName) - 1;
	c.size = 4096;
	c.type = RTSHM_TYPE_SHM;
	return c;
}

static struct rtshm_open good_open(void)
{
	struct rtshm_open o;

	memset(&o, 0, sizeof(o));
	o.name = (uintptr_t)kName;
	o.name_len = sizeof(kName) - 1;
	o.type = RTSHM_TYPE_SHM;
	return o;
}

/* ---------------------------------------------------------- create */

static void S1_CreateValidRequestIsAccepted(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	assert_int_equal(rtshm_policy_check_create(&c), 0);
	c.flags = RTSHM_CREATE_FLAGS_ALL;
	c.mode = 0777;
	assert_int_equal(rtshm_policy_check_create(&c), 0);
	/* Output fields are not inputs. */
	c.result = 77;
	c.fd = -5;
	c.id = 99;
	assert_int_equal(rtshm_policy_check_create(&c), 0);
}

static void S11_CreateUnnamedIsAccepted(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	c.name = 0;
	c.name_len = 0;
	assert_int_equal(rtshm_policy_check_create(&c), 0);
}

static void CreateUnknownFlagsIsEinval(void **state)
{
	struct rtshm_create c = good_create();
	unsigned int bit;

	(void)state;
	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & RTSHM_CREATE_FLAGS_ALL)
			continue;
		c.flags = 1U << bit;
		assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	}
}

static void CreateNonZeroReservedIsEinval(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct rtshm_create c = good_create();

		c.reserved[i] = 1ULL << 63;
		assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	}
}

static void CreateBadTypeIsEinval(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	c.type = 0;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	c.type = RTSHM_TYPE_MAX + 1;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	c.type = 0xffffffffU;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
}

/* S29: events, mutexes and semaphores are objects of their own type. */
static void S29_SyncTypesAreAccepted(void **state)
{
	struct rtshm_create c = good_create();
	struct rtshm_open o = good_open();
	u32 t;

	(void)state;
	for (t = RTSHM_TYPE_SHM; t <= RTSHM_TYPE_MAX; t++) {
		c.type = t;
		o.type = t;
		assert_int_equal(rtshm_policy_check_create(&c), 0);
		assert_int_equal(rtshm_policy_check_open(&o), 0);
	}
	assert_int_equal(rtshm_policy_check_type(RTSHM_TYPE_EVENT,
						 RTSHM_TYPE_MUTEX), -EEXIST);
	assert_int_equal(rtshm_policy_check_type(RTSHM_TYPE_SEMAPHORE,
						 RTSHM_TYPE_SEMAPHORE), 0);
}

static void CreateModeAbove0777IsEinval(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	c.mode = 01000;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	c.mode = 04755; /* setuid bit */
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	c.mode = 0xffffffff;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
}

static void S3_CreateSizeZeroIsEinval(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	c.size = 0;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
}

static void CreateAbsurdSizeIsEinval(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	c.size = RTSHM_SIZE_MAX;
	assert_int_equal(rtshm_policy_check_create(&c), 0);
	c.size = RTSHM_SIZE_MAX + 1;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	c.size = UINT64_MAX;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
}

static void CreateNameAndLengthMustAgree(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	c.name = 0;	/* no name, but a length */
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	c.name_len = RTSHM_NAME_MAX + 1;
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
	c = good_create();
	c.name_len = 0;	/* a name pointer, but no length */
	assert_int_equal(rtshm_policy_check_create(&c), -EINVAL);
}

static void S13_CreateNameTooLongIsEnametoolong(void **state)
{
	struct rtshm_create c = good_create();

	(void)state;
	c.name_len = RTSHM_NAME_MAX;
	assert_int_equal(rtshm_policy_check_create(&c), 0);
	c.name_len = RTSHM_NAME_MAX + 1;
	assert_int_equal(rtshm_policy_check_create(&c), -ENAMETOOLONG);
	c.name_len = UINT32_MAX;
	assert_int_equal(rtshm_policy_check_create(&c), -ENAMETOOLONG);
}

/* ------------------------------------------------------------ open */

static void S17_OpenValidRequestIsAccepted(void **state)
{
	struct rtshm_open o = good_open();

	(void)state;
	assert_int_equal(rtshm_policy_check_open(&o), 0);
	o.flags = RTSHM_OPEN_WRITE;
	o.size = 123;	/* output */
	o.fd = 7;	/* output */
	o.id = 9;	/* output */
	assert_int_equal(rtshm_policy_check_open(&o), 0);
}

static void OpenUnknownFlagsIsEinval(void **state)
{
	struct rtshm_open o = good_open();
	unsigned int bit;

	(void)state;
	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & RTSHM_OPEN_FLAGS_ALL)
			continue;
		o.flags = 1U << bit;
		assert_int_equal(rtshm_policy_check_open(&o), -EINVAL);
	}
}

static void OpenNonZeroReservedIsEinval(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct rtshm_open o = good_open();

		o.reserved[i] = 2;
		assert_int_equal(rtshm_policy_check_open(&o), -EINVAL);
	}
}

static void OpenBadTypeIsEinval(void **state)
{
	struct rtshm_open o = good_open();

	(void)state;
	o.type = 0;
	assert_int_equal(rtshm_policy_check_open(&o), -EINVAL);
	o.type = 42;
	assert_int_equal(rtshm_policy_check_open(&o), -EINVAL);
}

static void OpenNeedsAName(void **state)
{
	struct rtshm_open o = good_open();

	(void)state;
	o.name = 0;
	assert_int_equal(rtshm_policy_check_open(&o), -EINVAL);
	o = good_open();
	o.name_len = 0;
	assert_int_equal(rtshm_policy_check_open(&o), -EINVAL);
}

static void S13_OpenNameTooLongIsEnametoolong(void **state)
{
	struct rtshm_open o = good_open();

	(void)state;
	o.name_len = RTSHM_NAME_MAX;
	assert_int_equal(rtshm_policy_check_open(&o), 0);
	o.name_len = RTSHM_NAME_MAX + 1;
	assert_int_equal(rtshm_policy_check_open(&o), -ENAMETOOLONG);
}

/* ------------------------------------------------------------ list */

static void ListReservedMustBeZero(void **state)
{
	struct rtshm_list l;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.max_entries = 10;
	l.start_id = 5;
	l.count = 3;	/* output */
	l.next_id = 8;	/* output */
	assert_int_equal(rtshm_policy_check_list(&l), 0);
	l.reserved[0] = 1;
	assert_int_equal(rtshm_policy_check_list(&l), -EINVAL);
	l.reserved[0] = 0;
	l.reserved[1] = 1;
	assert_int_equal(rtshm_policy_check_list(&l), -EINVAL);
}

static void ListBatchIsCapped(void **state)
{
	(void)state;
	assert_int_equal(rtshm_policy_list_batch(0), 0);
	assert_int_equal(rtshm_policy_list_batch(1), 1);
	assert_int_equal(rtshm_policy_list_batch(RTSHM_LIST_BATCH),
			 RTSHM_LIST_BATCH);
	assert_int_equal(rtshm_policy_list_batch(RTSHM_LIST_BATCH + 1),
			 RTSHM_LIST_BATCH);
	assert_int_equal(rtshm_policy_list_batch(UINT32_MAX), RTSHM_LIST_BATCH);
}

/* ----------------------------------------------------------- names */

static void S14_NameAnyByteButNulIsAccepted(void **state)
{
	char all[255];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)(i + 1);	/* bytes 1..255 */
	assert_int_equal(rtshm_policy_check_name(all, sizeof(all)), 0);
	assert_int_equal(rtshm_policy_check_name("../../etc/passwd", 16), 0);
	assert_int_equal(rtshm_policy_check_name("a\\b c", 5), 0);
	assert_int_equal(rtshm_policy_check_name("\xc3\xa9t\xc3\xa9", 5), 0);
}

static void S14_NameWithNulIsEinval(void **state)
{
	(void)state;
	assert_int_equal(rtshm_policy_check_name("\0abc", 4), -EINVAL);
	assert_int_equal(rtshm_policy_check_name("ab\0c", 4), -EINVAL);
	assert_int_equal(rtshm_policy_check_name("abc\0", 4), -EINVAL);
	/* The length rules: the NUL is outside the checked bytes. */
	assert_int_equal(rtshm_policy_check_name("abc\0", 3), 0);
}

static void S13_NameLengthLimits(void **state)
{
	static char big[RTSHM_NAME_MAX + 1];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(rtshm_policy_check_name(big, 1), 0);
	assert_int_equal(rtshm_policy_check_name(big, RTSHM_NAME_MAX), 0);
	assert_int_equal(rtshm_policy_check_name(big, RTSHM_NAME_MAX + 1),
			 -ENAMETOOLONG);
	assert_int_equal(rtshm_policy_check_name(big, 0), -EINVAL);
}

/* ----------------------------------------------------------- modes */

static void S32_DefaultModeIs0660(void **state)
{
	(void)state;
	assert_int_equal(RTSHM_DEFAULT_MODE, 0660);
	assert_int_equal(rtshm_policy_create_mode(0), 0660);
	assert_int_equal(rtshm_policy_create_mode(0600), 0600);
	assert_int_equal(rtshm_policy_create_mode(0444), 0444);
	assert_int_equal(rtshm_policy_create_mode(0777), 0777);
}

static void S32_OwnerGroupOtherBitsDecide(void **state)
{
	(void)state;
	/* 0640: owner rw, group r, other none. */
	assert_int_equal(rtshm_policy_may_access(0640, true, false, true), 0);
	assert_int_equal(rtshm_policy_may_access(0640, true, false, false), 0);
	assert_int_equal(rtshm_policy_may_access(0640, false, true, false), 0);
	assert_int_equal(rtshm_policy_may_access(0640, false, true, true),
			 -EACCES);
	assert_int_equal(rtshm_policy_may_access(0640, false, false, false),
			 -EACCES);
	assert_int_equal(rtshm_policy_may_access(0640, false, false, true),
			 -EACCES);
	/* The owner class is used even when group/other would allow more. */
	assert_int_equal(rtshm_policy_may_access(0066, true, true, false),
			 -EACCES);
	/* The group class likewise. */
	assert_int_equal(rtshm_policy_may_access(0606, false, true, false),
			 -EACCES);
	assert_int_equal(rtshm_policy_may_access(0006, false, false, true), 0);
}

static void S32_WriteViewNeedsReadToo(void **state)
{
	(void)state;
	/* Write-only bits do not give any view. */
	assert_int_equal(rtshm_policy_may_access(0200, true, false, true),
			 -EACCES);
	assert_int_equal(rtshm_policy_may_access(0200, true, false, false),
			 -EACCES);
	assert_int_equal(rtshm_policy_may_access(0020, false, true, true),
			 -EACCES);
	assert_int_equal(rtshm_policy_may_access(0002, false, false, true),
			 -EACCES);
	/* Execute bits mean nothing here. */
	assert_int_equal(rtshm_policy_may_access(0100, true, false, false),
			 -EACCES);
	assert_int_equal(rtshm_policy_may_access(0000, true, true, false),
			 -EACCES);
}

static void S19_ReadOnlyObjectRefusesWritableView(void **state)
{
	(void)state;
	assert_int_equal(rtshm_policy_check_protection(true, true), -EACCES);
	assert_int_equal(rtshm_policy_check_protection(true, false), 0);
	assert_int_equal(rtshm_policy_check_protection(false, true), 0);
	assert_int_equal(rtshm_policy_check_protection(false, false), 0);
}

static void S29_OtherTypeIsEexist(void **state)
{
	(void)state;
	assert_int_equal(rtshm_policy_check_type(RTSHM_TYPE_SHM,
						 RTSHM_TYPE_SHM), 0);
	assert_int_equal(rtshm_policy_check_type(RTSHM_TYPE_SHM + 1,
						 RTSHM_TYPE_SHM), -EEXIST);
	assert_int_equal(rtshm_policy_check_type(RTSHM_TYPE_SHM,
						 RTSHM_TYPE_SHM + 1), -EEXIST);
}

/* ------------------------------------------------------------ sizes */

static void S6_RecreateSameSizeKeepsSize(void **state)
{
	u64 n = 0;

	(void)state;
	assert_int_equal(rtshm_policy_recreate_size(8192, 8192, 0, &n), 0);
	assert_int_equal(n, 8192);
	n = 0;
	assert_int_equal(rtshm_policy_recreate_size(8192, 8192,
						    RTSHM_CREATE_EXACT_SIZE,
						    &n), 0);
	assert_int_equal(n, 8192);
}

static void S7_RecreateSmallerShrinks(void **state)
{
	u64 n = 0;

	(void)state;
	assert_int_equal(rtshm_policy_recreate_size(8192, 100, 0, &n), 0);
	assert_int_equal(n, 100);
	assert_int_equal(rtshm_policy_recreate_size(8192, 1, 0, &n), 0);
	assert_int_equal(n, 1);
	/* READONLY is not a size flag. */
	assert_int_equal(rtshm_policy_recreate_size(8192, 4096,
						    RTSHM_CREATE_READONLY,
						    &n), 0);
	assert_int_equal(n, 4096);
}

static void S8_RecreateLargerIsEinvalAndUnchanged(void **state)
{
	u64 n = 12345;

	(void)state;
	assert_int_equal(rtshm_policy_recreate_size(8192, 8193, 0, &n),
			 -EINVAL);
	assert_int_equal(n, 12345);
	/* After a shrink to 100, 101 is larger. */
	assert_int_equal(rtshm_policy_recreate_size(100, 101, 0, &n), -EINVAL);
	assert_int_equal(rtshm_policy_recreate_size(100, UINT64_MAX, 0, &n),
			 -EINVAL);
	assert_int_equal(n, 12345);
}

static void S9_ExactSizeRefusesAnyDifference(void **state)
{
	u64 n = 7;

	(void)state;
	assert_int_equal(rtshm_policy_recreate_size(8192, 4096,
						    RTSHM_CREATE_EXACT_SIZE,
						    &n), -EINVAL);
	assert_int_equal(rtshm_policy_recreate_size(8192, 8193,
						    RTSHM_CREATE_EXACT_SIZE,
						    &n), -EINVAL);
	assert_int_equal(n, 7);
}

static void S3_RecreateSizeZeroIsEinval(void **state)
{
	u64 n = 7;

	(void)state;
	assert_int_equal(rtshm_policy_recreate_size(8192, 0, 0, &n), -EINVAL);
	assert_int_equal(n, 7);
}

static void SizePagesRoundsUp(void **state)
{
	(void)state;
	assert_int_equal(rtshm_policy_size_pages(1, PAGE_SHIFT_4K), 1);
	assert_int_equal(rtshm_policy_size_pages(4096, PAGE_SHIFT_4K), 1);
	assert_int_equal(rtshm_policy_size_pages(4097, PAGE_SHIFT_4K), 2);
	assert_int_equal(rtshm_policy_size_pages(RTSHM_SIZE_MAX,
						 PAGE_SHIFT_4K),
			 RTSHM_SIZE_MAX / PAGE_4K);
	assert_int_equal(rtshm_policy_size_pages(65536, 16), 1);
}

/* ------------------------------------------------------------- mmap */

static void MmapWithinMapSizeIsAccepted(void **state)
{
	(void)state;
	/* map size 3 pages + 1 byte: 4 pages may be mapped. */
	u64 sz = 3 * PAGE_4K + 1;

	assert_int_equal(rtshm_policy_mmap_range(0, 4, sz, PAGE_SHIFT_4K), 0);
	assert_int_equal(rtshm_policy_mmap_range(3, 1, sz, PAGE_SHIFT_4K), 0);
	assert_int_equal(rtshm_policy_mmap_range(1, 2, sz, PAGE_SHIFT_4K), 0);
}

static void MmapBeyondMapSizeIsEinval(void **state)
{
	u64 sz = 3 * PAGE_4K;

	(void)state;
	assert_int_equal(rtshm_policy_mmap_range(0, 4, sz, PAGE_SHIFT_4K),
			 -EINVAL);
	assert_int_equal(rtshm_policy_mmap_range(3, 1, sz, PAGE_SHIFT_4K),
			 -EINVAL);
	assert_int_equal(rtshm_policy_mmap_range(2, 2, sz, PAGE_SHIFT_4K),
			 -EINVAL);
	assert_int_equal(rtshm_policy_mmap_range(0, 0, sz, PAGE_SHIFT_4K),
			 -EINVAL);
	/* No wrap-around with huge offsets or lengths. */
	assert_int_equal(rtshm_policy_mmap_range(UINT64_MAX, 2, sz,
						 PAGE_SHIFT_4K), -EINVAL);
	assert_int_equal(rtshm_policy_mmap_range(1, UINT64_MAX, sz,
						 PAGE_SHIFT_4K), -EINVAL);
}

/* ------------------------------------------------------- allocation */

static void AllocOrderTakesLargestFittingBlock(void **state)
{
	(void)state;
	assert_int_equal(rtshm_policy_alloc_order(1, 9), 0);
	assert_int_equal(rtshm_policy_alloc_order(2, 9), 1);
	assert_int_equal(rtshm_policy_alloc_order(3, 9), 1);
	assert_int_equal(rtshm_policy_alloc_order(511, 9), 8);
	assert_int_equal(rtshm_policy_alloc_order(512, 9), 9);
	assert_int_equal(rtshm_policy_alloc_order(1U << 20, 9), 9);
}

static void AllocOrderRespectsCeiling(void **state)
{
	(void)state;
	assert_int_equal(rtshm_policy_alloc_order(1U << 20, 3), 3);
	assert_int_equal(rtshm_policy_alloc_order(1U << 20, 0), 0);
	assert_int_equal(rtshm_policy_alloc_order(0, 9), 0);
	assert_int_equal(rtshm_policy_alloc_order(UINT64_MAX, 200), 63);
}

static void AllocOrderPlanCoversExactly(void **state)
{
	u64 sizes[] = { 1, 7, 511, 513, 1000, 262145 };
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 left = sizes[i];
		unsigned int blocks = 0;

		while (left) {
			unsigned int o = rtshm_policy_alloc_order(left, 9);

			assert_true((1ULL << o) <= left);
			left -= 1ULL << o;
			blocks++;
		}
		/* At most one block per order below the top, plus the top. */
		assert_true(blocks <= sizes[i] / 512 + 9);
	}
}

/* -------------------------------------------------------- accounting */

static void S27_ChargeWithinLimit(void **state)
{
	u64 t = 0;

	(void)state;
	assert_int_equal(rtshm_policy_charge(0, 10, 10, &t), 0);
	assert_int_equal(t, 10);
	assert_int_equal(rtshm_policy_charge(5, 0, 5, &t), 0);
	assert_int_equal(t, 5);
}

static void S27_ChargeOverLimitIsEnomem(void **state)
{
	u64 t = 99;

	(void)state;
	assert_int_equal(rtshm_policy_charge(0, 11, 10, &t), -ENOMEM);
	assert_int_equal(rtshm_policy_charge(10, 1, 10, &t), -ENOMEM);
	assert_int_equal(rtshm_policy_charge(1, 1, 0, &t), -ENOMEM);
	/* Overflow never wraps into an acceptable total. */
	assert_int_equal(rtshm_policy_charge(UINT64_MAX, 2, UINT64_MAX, &t),
			 -ENOMEM);
	assert_int_equal(t, 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(S1_CreateValidRequestIsAccepted),
		cmocka_unit_test(S11_CreateUnnamedIsAccepted),
		cmocka_unit_test(CreateUnknownFlagsIsEinval),
		cmocka_unit_test(CreateNonZeroReservedIsEinval),
		cmocka_unit_test(CreateBadTypeIsEinval),
		cmocka_unit_test(CreateModeAbove0777IsEinval),
		cmocka_unit_test(S3_CreateSizeZeroIsEinval),
		cmocka_unit_test(CreateAbsurdSizeIsEinval),
		cmocka_unit_test(CreateNameAndLengthMustAgree),
		cmocka_unit_test(S13_CreateNameTooLongIsEnametoolong),
		cmocka_unit_test(S17_OpenValidRequestIsAccepted),
		cmocka_unit_test(OpenUnknownFlagsIsEinval),
		cmocka_unit_test(OpenNonZeroReservedIsEinval),
		cmocka_unit_test(OpenBadTypeIsEinval),
		cmocka_unit_test(OpenNeedsAName),
		cmocka_unit_test(S13_OpenNameTooLongIsEnametoolong),
		cmocka_unit_test(ListReservedMustBeZero),
		cmocka_unit_test(ListBatchIsCapped),
		cmocka_unit_test(S14_NameAnyByteButNulIsAccepted),
		cmocka_unit_test(S14_NameWithNulIsEinval),
		cmocka_unit_test(S13_NameLengthLimits),
		cmocka_unit_test(S32_DefaultModeIs0660),
		cmocka_unit_test(S32_OwnerGroupOtherBitsDecide),
		cmocka_unit_test(S32_WriteViewNeedsReadToo),
		cmocka_unit_test(S19_ReadOnlyObjectRefusesWritableView),
		cmocka_unit_test(S29_OtherTypeIsEexist),
		cmocka_unit_test(S29_SyncTypesAreAccepted),
		cmocka_unit_test(S6_RecreateSameSizeKeepsSize),
		cmocka_unit_test(S7_RecreateSmallerShrinks),
		cmocka_unit_test(S8_RecreateLargerIsEinvalAndUnchanged),
		cmocka_unit_test(S9_ExactSizeRefusesAnyDifference),
		cmocka_unit_test(S3_RecreateSizeZeroIsEinval),
		cmocka_unit_test(SizePagesRoundsUp),
		cmocka_unit_test(MmapWithinMapSizeIsAccepted),
		cmocka_unit_test(MmapBeyondMapSizeIsEinval),
		cmocka_unit_test(AllocOrderTakesLargestFittingBlock),
		cmocka_unit_test(AllocOrderRespectsCeiling),
		cmocka_unit_test(AllocOrderPlanCoversExactly),
		cmocka_unit_test(S27_ChargeWithinLimit),
		cmocka_unit_test(S27_ChargeOverLimitIsEnomem),
	};

	return cmocka_run_group_tests_name("rtshm_policy", tests, NULL, NULL);
}
