// SPDX-License-Identifier: GPL-2.0
/*
 * devrules: the device rule sets of kmod/devrules.c against cgroup v1,
 * in user space (no module, no VM: `make unit` runs it on the host).
 *
 * kmod/devrules.c is compiled into this program against the stand-ins of
 * selftests/kshim.  The reference is a model of one cgroup of the v1
 * devices controller written from its documentation
 * (Documentation/admin-guide/cgroup-v1/devices.rst and its
 * "internal implementation" section): a behaviour (allow or deny) and a
 * list of exceptions;
 *
 *   "a" written to devices.allow or devices.deny sets the behaviour to
 *       allow or deny and empties the list;
 *   a rule written to the file opposite to the behaviour (devices.allow
 *       of a deny cgroup, devices.deny of an allow one) adds an exception
 *       for its (type, major, minor), merging the access bits into the one
 *       already there; written to the other file it removes its bits from
 *       that exception, which goes when none are left;
 *   an access is allowed, under deny, when one exception of the device
 *       has all its bits, and refused, under allow, when one exception of
 *       the device has any of them; an exception is of the device when
 *       type, major and minor are equal or "*".
 *
 * 10000 random sequences of writes run through both, and after every write
 * the answer for every device and access of a small universe, and the list
 * of exceptions, must agree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "devrules.h"

#define ANY		CTNR_DEV_ANY
#define SEQUENCES	10000
#define MAX_OPS		24

/* ---- what devaccess.c provides in the kernel ---- */

static long live_sets;

struct ctnr_dev_rules *ctnr_dev_rules_alloc(u32 deflt, u32 count)
{
	struct ctnr_dev_rules *r;
	size_t size = sizeof(*r) + count * sizeof(r->rule[0]) +
		      count * sizeof(u16);

	r = calloc(1, size);
	if (!r)
		return NULL;
	r->size = size;
	r->deflt = deflt;
	r->count = count;
	r->order = (u16 *)&r->rule[count];
	live_sets++;
	return r;
}

void ctnr_dev_rules_free_now(struct ctnr_dev_rules *r)
{
	live_sets--;
	free(r);
}

static void put_set(struct ctnr_dev_rules *r)
{
	if (r)
		ctnr_dev_rules_free_now(r);
}

/* ---- the v1 model ---- */

struct v1_ex {
	u32 type, major, minor, access;
};

struct v1 {
	u32 behavior;			/* CTNR_DEV_ALLOW or _DENY */
	int n;
	struct v1_ex ex[CTNR_DEV_RULES_MAX];
};

static void v1_reset(struct v1 *v, u32 behavior)
{
	v->behavior = behavior;
	v->n = 0;
}

static struct v1_ex *v1_find(struct v1 *v, const struct v1_ex *e)
{
	int i;

	for (i = 0; i < v->n; i++)
		if (v->ex[i].type == e->type && v->ex[i].major == e->major &&
		    v->ex[i].minor == e->minor)
			return &v->ex[i];
	return NULL;
}

static void v1_add(struct v1 *v, const struct v1_ex *e)
{
	struct v1_ex *x = v1_find(v, e);

	if (x)
		x->access |= e->access;
	else
		v->ex[v->n++] = *e;
}

static void v1_rm(struct v1 *v, const struct v1_ex *e)
{
	struct v1_ex *x = v1_find(v, e);

	if (!x)
		return;
	x->access &= ~e->access;
	if (!x->access) {
		memmove(x, x + 1, (char *)&v->ex[v->n] - (char *)(x + 1));
		v->n--;
	}
}

/* echo RULE > devices.allow (@allow) or devices.deny */
static void v1_write(struct v1 *v, const struct v1_ex *e, bool allow)
{
	if (e->type == CTNR_DEV_TYPE_ALL)
		v1_reset(v, allow ? CTNR_DEV_ALLOW : CTNR_DEV_DENY);
	else if (allow == (v->behavior == CTNR_DEV_DENY))
		v1_add(v, e);
	else
		v1_rm(v, e);
}

static bool v1_of_device(const struct v1_ex *x, u32 type, u32 major,
			 u32 minor)
{
	return x->type == type && (x->major == ANY || x->major == major) &&
	       (x->minor == ANY || x->minor == minor);
}

static bool v1_allowed(const struct v1 *v, u32 type, u32 major, u32 minor,
		       u32 access)
{
	int i;

	for (i = 0; i < v->n; i++) {
		const struct v1_ex *x = &v->ex[i];

		if (!v1_of_device(x, type, major, minor))
			continue;
		if (v->behavior == CTNR_DEV_DENY && !(access & ~x->access))
			return true;
		if (v->behavior == CTNR_DEV_ALLOW && (access & x->access))
			return false;
	}
	return v->behavior == CTNR_DEV_ALLOW;
}

/* ---- comparing ---- */

static const u32 types[] = { CTNR_DEV_TYPE_BLOCK, CTNR_DEV_TYPE_CHAR };
static const u32 rule_nums[] = { 1, 2, 3, ANY };
static const u32 dev_nums[] = { 1, 2, 3, 9 };

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

/* A random rule of the universe; type a (the reset) one time in @a_one_in. */
static struct v1_ex random_rule(unsigned int a_one_in)
{
	struct v1_ex e = {
		.type = types[rnd(2)],
		.major = rule_nums[rnd(4)],
		.minor = rule_nums[rnd(4)],
		.access = 1 + rnd(CTNR_DEV_ACC_MASK),
	};

	if (a_one_in && !rnd(a_one_in))
		e.type = CTNR_DEV_TYPE_ALL;
	return e;
}

static struct ctnr_dev_rule to_rule(const struct v1_ex *e)
{
	struct ctnr_dev_rule r = {
		.type = e->type, .major = e->major, .minor = e->minor,
		.access = e->access,
	};

	return r;
}

/*
 * Same default, same exceptions in the same order, same answer for every
 * device and access?  The first difference goes to @why.
 */
static bool same(const struct ctnr_dev_rules *r, const struct v1 *v,
		 char *why, size_t len)
{
	u32 deflt = r ? r->deflt : CTNR_DEV_ALLOW, count = r ? r->count : 0;
	unsigned int t, ma, mi, acc;
	int i;

	if (deflt != v->behavior || count != (u32)v->n) {
		snprintf(why, len, "default %u/%u, %u/%d exceptions", deflt,
			 v->behavior, count, v->n);
		return false;
	}
	if (r && !r->deflt && !r->count) {
		snprintf(why, len, "default allow without exceptions is a set");
		return false;
	}
	for (i = 0; i < v->n; i++) {
		const struct ctnr_dev_rule *e = &r->rule[r->order[i]];
		const struct v1_ex *x = &v->ex[i];

		if (e->type != x->type || e->major != x->major ||
		    e->minor != x->minor || e->access != x->access) {
			snprintf(why, len, "exception %d: %u %u:%u %u, v1 %u %u:%u %u",
				 i, e->type, e->major, e->minor, e->access,
				 x->type, x->major, x->minor, x->access);
			return false;
		}
	}
	for (t = 0; t < 2; t++)
		for (ma = 0; ma < 4; ma++)
			for (mi = 0; mi < 4; mi++)
				for (acc = 0; acc <= CTNR_DEV_ACC_MASK; acc++) {
					bool a = ctnr_dev_rules_allow(r, types[t],
						dev_nums[ma], dev_nums[mi], acc);
					bool b = v1_allowed(v, types[t],
						dev_nums[ma], dev_nums[mi], acc);

					if (a == b)
						continue;
					snprintf(why, len, "type %u %u:%u access %u: ctnr %s, v1 %s",
						 types[t], dev_nums[ma],
						 dev_nums[mi], acc,
						 a ? "allows" : "denies",
						 b ? "allows" : "denies");
					return false;
				}
	return true;
}

/* Apply @e to @*r as ctnr_dev_rules_write() does; 0 or -errno. */
static int ctnr_write(struct ctnr_dev_rules **r, const struct v1_ex *e,
		      bool allow)
{
	struct ctnr_dev_rule rule = to_rule(e);
	struct ctnr_dev_rules *new;
	int err = ctnr_dev_rules_write(*r, &rule, allow, &new);

	if (err == CTNR_DEV_UNCHANGED)
		return 0;
	if (err)
		return err;
	put_set(*r);
	*r = new;
	return 0;
}

/* ---- tests ---- */

/* No state: a fixture only for the timeouts (the VM emulates slowly). */
FIXTURE(rules) {
	int unused;
};

FIXTURE_SETUP(rules)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(rules)
{
}

/* The differential test: v1 file writes, random, against the model. */
TEST_F_TIMEOUT(rules, differential_v1_random_writes, 600)
{
	static struct v1 v;
	char why[256] = "";
	long checked = 0;
	int s, i, n;

	srandom(20261201);
	for (s = 0; s < SEQUENCES; s++) {
		struct ctnr_dev_rules *r = NULL;

		v1_reset(&v, CTNR_DEV_ALLOW);
		n = 1 + rnd(MAX_OPS);
		for (i = 0; i < n; i++) {
			struct v1_ex e = random_rule(12);
			bool allow = rnd(2);

			ASSERT_EQ(0, ctnr_write(&r, &e, allow));
			v1_write(&v, &e, allow);
			ASSERT_TRUE(same(r, &v, why, sizeof(why))) {
				TH_LOG("sequence %d, write %d (%s %u %u:%u %u): %s",
				       s, i, allow ? "allow" : "deny", e.type,
				       e.major, e.minor, e.access, why);
			}
			checked++;
		}
		put_set(r);
	}
	EXPECT_EQ(0, live_sets);
	TH_LOG("%d sequences, %ld states compared", SEQUENCES, checked);
}

/*
 * Explicit edits: ADD merges into the exception (as a v1 write to the file
 * opposite the default), DEL subtracts and says ENOENT when there is no
 * such exception.
 */
TEST_F(rules, add_merges_del_subtracts)
{
	struct ctnr_dev_rule r13 = { 1, 3, CTNR_DEV_TYPE_CHAR,
				     CTNR_DEV_ACC_READ };
	struct ctnr_dev_rules *r = NULL, *n;
	static struct v1 v;
	char why[256];

	v1_reset(&v, CTNR_DEV_DENY);
	ASSERT_EQ(0, ctnr_dev_rules_build(CTNR_DEV_DENY, NULL, 0, &r));
	ASSERT_NE(NULL, r);
	/* c 1:3 r + c 1:3 w = c 1:3 rw: O_RDWR is allowed, as in v1 */
	ASSERT_EQ(0, ctnr_dev_rules_edit(r, &r13, true, &n));
	put_set(r);
	r = n;
	r13.access = CTNR_DEV_ACC_WRITE;
	ASSERT_EQ(0, ctnr_dev_rules_edit(r, &r13, true, &n));
	put_set(r);
	r = n;
	EXPECT_EQ(1U, r->count);
	EXPECT_TRUE(ctnr_dev_rules_allow(r, CTNR_DEV_TYPE_CHAR, 1, 3,
					 CTNR_DEV_ACC_READ | CTNR_DEV_ACC_WRITE));
	/* adding what is there changes nothing */
	EXPECT_EQ(CTNR_DEV_UNCHANGED, ctnr_dev_rules_edit(r, &r13, true, &n));
	/* deleting subtracts: r stays */
	ASSERT_EQ(0, ctnr_dev_rules_edit(r, &r13, false, &n));
	put_set(r);
	r = n;
	EXPECT_EQ(1U, r->count);
	EXPECT_EQ(CTNR_DEV_ACC_READ, r->rule[0].access);
	EXPECT_FALSE(ctnr_dev_rules_allow(r, CTNR_DEV_TYPE_CHAR, 1, 3,
					  CTNR_DEV_ACC_WRITE));
	/* bits that are not there: no change; no exception: ENOENT */
	EXPECT_EQ(CTNR_DEV_UNCHANGED, ctnr_dev_rules_edit(r, &r13, false, &n));
	r13.minor = 5;
	EXPECT_EQ(-ENOENT, ctnr_dev_rules_edit(r, &r13, false, &n));
	/* the last bits go: no exception left, default deny stays */
	r13.minor = 3;
	r13.access = CTNR_DEV_ACC_MASK;
	ASSERT_EQ(0, ctnr_dev_rules_edit(r, &r13, false, &n));
	put_set(r);
	r = n;
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0U, r->count);
	EXPECT_TRUE(same(r, &v, why, sizeof(why))) TH_LOG("%s", why);
	put_set(r);
	/* default allow and nothing left is no policy at all */
	r = NULL;
	r13.access = CTNR_DEV_ACC_WRITE;
	ASSERT_EQ(0, ctnr_dev_rules_edit(NULL, &r13, true, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(CTNR_DEV_ALLOW, r->deflt);
	ASSERT_EQ(0, ctnr_dev_rules_edit(r, &r13, false, &n));
	EXPECT_EQ(NULL, n);
	put_set(r);
	EXPECT_EQ(0, live_sets);
}

/* "a" and "a *:* rwm" are the v1 reset, whatever the default was. */
TEST_F(rules, type_a_is_the_reset)
{
	struct ctnr_dev_rule a = { ANY, ANY, CTNR_DEV_TYPE_ALL,
				   CTNR_DEV_ACC_MASK };
	struct ctnr_dev_rule c = { 1, 5, CTNR_DEV_TYPE_CHAR,
				   CTNR_DEV_ACC_WRITE };
	struct ctnr_dev_rules *r = NULL, *n;

	/* default allow + "c 1:5 w" denied; "a" to devices.allow: all open */
	ASSERT_EQ(0, ctnr_dev_rules_write(NULL, &c, false, &r));
	EXPECT_FALSE(ctnr_dev_rules_allow(r, CTNR_DEV_TYPE_CHAR, 1, 5,
					  CTNR_DEV_ACC_WRITE));
	ASSERT_EQ(0, ctnr_dev_rules_write(r, &a, true, &n));
	EXPECT_EQ(NULL, n);
	EXPECT_TRUE(ctnr_dev_rules_allow(n, CTNR_DEV_TYPE_CHAR, 1, 5,
					 CTNR_DEV_ACC_WRITE));
	/* "a" to devices.deny: nothing, and no exception left */
	ASSERT_EQ(0, ctnr_dev_rules_write(r, &a, false, &n));
	ASSERT_NE(NULL, n);
	EXPECT_EQ(CTNR_DEV_DENY, n->deflt);
	EXPECT_EQ(0U, n->count);
	EXPECT_FALSE(ctnr_dev_rules_allow(n, CTNR_DEV_TYPE_CHAR, 1, 3,
					  CTNR_DEV_ACC_READ));
	put_set(n);
	put_set(r);
	/* a is no exception */
	EXPECT_FALSE(ctnr_dev_rule_valid(&a));
	EXPECT_TRUE(ctnr_dev_rule_valid(&c));
	EXPECT_EQ(0, live_sets);
}

/*
 * A whole policy built at once is the same as the reset followed by its
 * exceptions one by one, duplicates merged, in the order first given.
 */
TEST_F_TIMEOUT(rules, build_equals_reset_then_writes, 300)
{
	static struct ctnr_dev_rule list[64];
	static struct v1 v;
	char why[256] = "";
	int s, i, n;

	srandom(4096);
	for (s = 0; s < 2000; s++) {
		struct ctnr_dev_rules *r;
		u32 deflt = rnd(2) ? CTNR_DEV_DENY : CTNR_DEV_ALLOW;

		v1_reset(&v, deflt);
		n = rnd(64);
		for (i = 0; i < n; i++) {
			struct v1_ex e = random_rule(0);

			list[i] = to_rule(&e);
			v1_add(&v, &e);
		}
		ASSERT_EQ(0, ctnr_dev_rules_build(deflt, list, n, &r));
		ASSERT_TRUE(same(r, &v, why, sizeof(why))) {
			TH_LOG("list %d (%d rules): %s", s, n, why);
		}
		put_set(r);
	}
	EXPECT_EQ(0, live_sets);
}

/* 4096 exceptions fit, built at once or one by one; the 4097th does not. */
TEST_F(rules, limit_4096)
{
	static struct ctnr_dev_rule list[CTNR_DEV_RULES_MAX + 1];
	struct ctnr_dev_rules *r, *n;
	u32 i;

	for (i = 0; i <= CTNR_DEV_RULES_MAX; i++) {
		list[i].type = CTNR_DEV_TYPE_CHAR;
		list[i].major = 10 + i / 1000;
		list[i].minor = CTNR_DEV_RULES_MAX - i;	/* reverse order */
		list[i].access = CTNR_DEV_ACC_READ;
	}
	EXPECT_EQ(-ENOSPC, ctnr_dev_rules_build(CTNR_DEV_ALLOW, list,
						CTNR_DEV_RULES_MAX + 1, &r));
	ASSERT_EQ(0, ctnr_dev_rules_build(CTNR_DEV_ALLOW, list,
					  CTNR_DEV_RULES_MAX, &r));
	EXPECT_EQ((u32)CTNR_DEV_RULES_MAX, r->count);
	for (i = 1; i < r->count; i++)
		ASSERT_TRUE(r->rule[i - 1].major < r->rule[i].major ||
			    (r->rule[i - 1].major == r->rule[i].major &&
			     r->rule[i - 1].minor < r->rule[i].minor));
	for (i = 0; i < r->count; i++)	/* listed as given */
		ASSERT_EQ(list[i].minor, r->rule[r->order[i]].minor);
	EXPECT_FALSE(ctnr_dev_rules_allow(r, CTNR_DEV_TYPE_CHAR, 10, 4096,
					  CTNR_DEV_ACC_READ));
	EXPECT_TRUE(ctnr_dev_rules_allow(r, CTNR_DEV_TYPE_CHAR, 10, 4096,
					 CTNR_DEV_ACC_WRITE));
	EXPECT_EQ(-ENOSPC, ctnr_dev_rules_edit(r, &list[CTNR_DEV_RULES_MAX],
					       true, &n));
	/* merging into an existing one needs no room */
	list[0].access = CTNR_DEV_ACC_WRITE;
	ASSERT_EQ(0, ctnr_dev_rules_edit(r, &list[0], true, &n));
	put_set(n);
	put_set(r);
	EXPECT_EQ(0, live_sets);
}

TEST_HARNESS_MAIN
