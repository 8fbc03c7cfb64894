// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtshm_canary: a test-only module that does exactly one kernel bug, chosen
 * by the "bug" parameter, when it is loaded. scripts/test-canary loads it in
 * the debug kernel (KASAN, kmemleak, lockdep, DEBUG_ATOMIC_SLEEP, UBSAN) and
 * checks that the kernel reports the bug. Never install it anywhere else.
 *
 *   insmod rtshm_canary.ko bug=uaf|leak|abba|sleep|oob|none [oob_index=N]
 *
 * uaf    reads a kmalloc'd object after kfree()          -> BUG: KASAN
 * leak   loses the only pointer to a kmalloc'd object    -> kmemleak
 * abba   takes two mutexes in both orders (no deadlock:  -> possible circular
 *        one thread, one order after the other)             locking dependency
 * sleep  calls mutex_lock() under a raw spinlock         -> sleeping function
 *                                                           called from invalid
 *                                                           context
 * oob    indexes an array past its end                   -> UBSAN
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "none";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "the bug to do on load: uaf, leak, abba, sleep, oob or none");

static int oob_index = 4;
module_param(oob_index, int, 0444);
MODULE_PARM_DESC(oob_index, "the array index that bug=oob uses (4 is past the end)");

static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);
static DEFINE_RAW_SPINLOCK(canary_raw);

static noinline void canary_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	memset(p, 0x5a, 64);
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("rtshm_canary: read after free: %d\n", READ_ONCE(p[8]));
}

static noinline void canary_leak(void)
{
	char *p = kmalloc(128, GFP_KERNEL);

	if (!p)
		return;
	memset(p, 0x5a, 128);
	OPTIMIZER_HIDE_VAR(p);
	/* The only pointer goes out of scope here. */
	pr_info("rtshm_canary: leaked 128 bytes\n");
}

static noinline void canary_abba(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);

	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
	pr_info("rtshm_canary: took a->b, then b->a\n");
}

static noinline void canary_sleep(void)
{
	raw_spin_lock(&canary_raw);
	/* Uncontended, so it does not really sleep; might_sleep() objects. */
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	raw_spin_unlock(&canary_raw);
	pr_info("rtshm_canary: mutex_lock() under a raw spinlock\n");
}

static noinline void canary_oob(void)
{
	int a[4] = { 1, 2, 3, 4 };

	pr_info("rtshm_canary: a[%d] = %d\n", oob_index, a[oob_index]);
}

static int __init canary_init(void)
{
	pr_info("rtshm_canary: bug=%s\n", bug);
	if (!strcmp(bug, "uaf"))
		canary_uaf();
	else if (!strcmp(bug, "leak"))
		canary_leak();
	else if (!strcmp(bug, "abba"))
		canary_abba();
	else if (!strcmp(bug, "sleep"))
		canary_sleep();
	else if (!strcmp(bug, "oob"))
		canary_oob();
	else if (strcmp(bug, "none"))
		return -EINVAL;
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("rtshm test-only canary: does one kernel bug on purpose");
MODULE_LICENSE("GPL");
