// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: device rule sets, built, edited and evaluated.
 *
 * The semantics are those of the cgroup v1 devices controller as
 * Documentation/admin-guide/cgroup-v1/devices.rst describes them, for one
 * cgroup (devaccess.c evaluates every container around a task instead of
 * propagating parents' rules into children):
 *
 *   default allow: an access is refused when an exception of the device
 *                  shares an access bit with it;
 *   default deny:  an access is granted only when one exception of the
 *                  device has all of its access bits.
 *
 * An exception is "of the device" when its type is the device's and its
 * major and minor are the device's or "*".  There is at most one exception
 * per (type, major, minor): adding merges access bits, removing subtracts
 * them.  Nothing here sleeps but the allocations, and nothing keeps state:
 * devaccess.c does the locking and the publishing.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "devrules.h"

static u64 ctnr_dev_mkkey(u32 major, u32 minor)
{
	return (u64)major << 32 | minor;
}

static u64 ctnr_dev_key(const struct ctnr_dev_rule *r)
{
	return ctnr_dev_mkkey(r->major, r->minor);
}

/* The order of rule[]: (major, minor), then type. */
static int ctnr_dev_cmp(const struct ctnr_dev_rule *a,
			const struct ctnr_dev_rule *b)
{
	u64 ka = ctnr_dev_key(a), kb = ctnr_dev_key(b);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return (int)a->type - (int)b->type;
}

bool ctnr_dev_rule_valid(const struct ctnr_dev_rule *r)
{
	return (r->type == CTNR_DEV_TYPE_BLOCK ||
		r->type == CTNR_DEV_TYPE_CHAR) &&
	       (r->major == CTNR_DEV_ANY || r->major <= CTNR_DEV_MAJOR_MAX) &&
	       (r->minor == CTNR_DEV_ANY || r->minor <= CTNR_DEV_MINOR_MAX) &&
	       r->access && !(r->access & ~CTNR_DEV_ACC_MASK);
}

/* First position in rule[] whose key is >= @key. */
static u32 ctnr_dev_lower_key(const struct ctnr_dev_rules *r, u64 key)
{
	u32 lo = 0, hi = r->count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ctnr_dev_key(&r->rule[mid]) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First position in rule[] that is >= @rule; *exact when it is @rule's. */
static u32 ctnr_dev_lower_rule(const struct ctnr_dev_rules *r,
			       const struct ctnr_dev_rule *rule, bool *exact)
{
	u32 lo = 0, hi = r ? r->count : 0;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ctnr_dev_cmp(&r->rule[mid], rule) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*exact = r && lo < r->count && !ctnr_dev_cmp(&r->rule[lo], rule);
	return lo;
}

/*
 * Does an exception with exactly this (major, minor) key decide the
 * access: one with all of @acc under default deny, one sharing a bit
 * with @acc under default allow?
 */
static bool ctnr_dev_match(const struct ctnr_dev_rules *r, u32 type,
			   u32 major, u32 minor, u32 acc)
{
	u64 key = ctnr_dev_mkkey(major, minor);
	u32 pos;

	for (pos = ctnr_dev_lower_key(r, key); pos < r->count; pos++) {
		const struct ctnr_dev_rule *e = &r->rule[pos];

		if (ctnr_dev_key(e) != key)
			break;
		if (type != CTNR_DEV_TYPE_ALL && e->type != type)
			continue;
		if (r->deflt == CTNR_DEV_DENY ? !(acc & ~e->access) :
						!!(acc & e->access))
			return true;
	}
	return false;
}

bool ctnr_dev_rules_allow(const struct ctnr_dev_rules *r, u32 type,
			  u32 major, u32 minor, u32 acc)
{
	bool hit;

	if (!r)
		return true;
	hit = ctnr_dev_match(r, type, major, minor, acc) ||
	      (r->any_minor &&
	       ctnr_dev_match(r, type, major, CTNR_DEV_ANY, acc)) ||
	      (r->any_major &&
	       ctnr_dev_match(r, type, CTNR_DEV_ANY, minor, acc)) ||
	      (r->any_major && r->any_minor &&
	       ctnr_dev_match(r, type, CTNR_DEV_ANY, CTNR_DEV_ANY, acc));
	return r->deflt == CTNR_DEV_DENY ? hit : !hit;
}

static void ctnr_dev_rules_index(struct ctnr_dev_rules *r)
{
	u32 i;

	r->any_major = false;
	r->any_minor = false;
	for (i = 0; i < r->count; i++) {
		r->any_major |= r->rule[i].major == CTNR_DEV_ANY;
		r->any_minor |= r->rule[i].minor == CTNR_DEV_ANY;
	}
}

/* A policy of @deflt without exceptions: NULL for allow (no policy). */
static int ctnr_dev_rules_empty(u32 deflt, struct ctnr_dev_rules **newp)
{
	*newp = NULL;
	if (deflt == CTNR_DEV_ALLOW)
		return 0;
	*newp = ctnr_dev_rules_alloc(deflt, 0);
	return *newp ? 0 : -ENOMEM;
}

/* @old with the exception at @pos given @access (not 0). */
static int ctnr_dev_rules_set_access(const struct ctnr_dev_rules *old,
				     u32 pos, u8 access,
				     struct ctnr_dev_rules **newp)
{
	struct ctnr_dev_rules *new;

	new = ctnr_dev_rules_alloc(old->deflt, old->count);
	if (!new)
		return -ENOMEM;
	memcpy(new->rule, old->rule, old->count * sizeof(*new->rule));
	memcpy(new->order, old->order, old->count * sizeof(*new->order));
	new->rule[pos].access = access;
	new->any_major = old->any_major;
	new->any_minor = old->any_minor;
	*newp = new;
	return 0;
}

/* @old (may be NULL) with @rule inserted at @pos, listed last. */
static int ctnr_dev_rules_insert(const struct ctnr_dev_rules *old, u32 pos,
				 const struct ctnr_dev_rule *rule,
				 struct ctnr_dev_rules **newp)
{
	u32 i, n = old ? old->count : 0;
	struct ctnr_dev_rules *new;

	if (n >= CTNR_DEV_RULES_MAX)
		return -ENOSPC;
	new = ctnr_dev_rules_alloc(old ? old->deflt : CTNR_DEV_ALLOW, n + 1);
	if (!new)
		return -ENOMEM;
	if (old) {
		memcpy(new->rule, old->rule, pos * sizeof(*new->rule));
		memcpy(new->rule + pos + 1, old->rule + pos,
		       (n - pos) * sizeof(*new->rule));
		for (i = 0; i < n; i++)
			new->order[i] = old->order[i] + (old->order[i] >= pos);
	}
	new->rule[pos] = *rule;
	new->order[n] = pos;
	new->any_major = (old && old->any_major) || rule->major == CTNR_DEV_ANY;
	new->any_minor = (old && old->any_minor) || rule->minor == CTNR_DEV_ANY;
	*newp = new;
	return 0;
}

/* @old without the exception at @pos. */
static int ctnr_dev_rules_remove(const struct ctnr_dev_rules *old, u32 pos,
				 struct ctnr_dev_rules **newp)
{
	struct ctnr_dev_rules *new;
	u32 i, j, n = old->count;

	if (n == 1)
		return ctnr_dev_rules_empty(old->deflt, newp);
	new = ctnr_dev_rules_alloc(old->deflt, n - 1);
	if (!new)
		return -ENOMEM;
	memcpy(new->rule, old->rule, pos * sizeof(*new->rule));
	memcpy(new->rule + pos, old->rule + pos + 1,
	       (n - pos - 1) * sizeof(*new->rule));
	for (i = 0, j = 0; i < n; i++) {
		u16 v = old->order[i];

		if (v != pos)
			new->order[j++] = v - (v > pos);
	}
	ctnr_dev_rules_index(new);
	*newp = new;
	return 0;
}

int ctnr_dev_rules_edit(const struct ctnr_dev_rules *old,
			const struct ctnr_dev_rule *rule, bool add,
			struct ctnr_dev_rules **newp)
{
	const struct ctnr_dev_rule *e;
	bool exact;
	u32 pos;

	*newp = NULL;
	pos = ctnr_dev_lower_rule(old, rule, &exact);
	if (!exact)
		return add ? ctnr_dev_rules_insert(old, pos, rule, newp) :
			     -ENOENT;
	e = &old->rule[pos];
	if (add) {
		if (!(rule->access & ~e->access))
			return CTNR_DEV_UNCHANGED;
		return ctnr_dev_rules_set_access(old, pos,
						 e->access | rule->access,
						 newp);
	}
	if (!(e->access & rule->access))
		return CTNR_DEV_UNCHANGED;
	if (e->access & ~rule->access)
		return ctnr_dev_rules_set_access(old, pos,
						 e->access & ~rule->access,
						 newp);
	return ctnr_dev_rules_remove(old, pos, newp);
}

int ctnr_dev_rules_write(const struct ctnr_dev_rules *old,
			 const struct ctnr_dev_rule *rule, bool allow,
			 struct ctnr_dev_rules **newp)
{
	u32 deflt = old ? old->deflt : CTNR_DEV_ALLOW;
	int err;

	*newp = NULL;
	if (rule->type == CTNR_DEV_TYPE_ALL)
		return ctnr_dev_rules_empty(allow ? CTNR_DEV_ALLOW :
						    CTNR_DEV_DENY, newp);
	/* devices.allow adds to a deny list, removes from an allow list. */
	err = ctnr_dev_rules_edit(old, rule, allow == (deflt == CTNR_DEV_DENY),
				  newp);
	return err == -ENOENT ? CTNR_DEV_UNCHANGED : err;
}

/* An exception of a policy being built, and where it came in the list. */
struct ctnr_dev_entry {
	struct ctnr_dev_rule rule;
	u16 seq;		/* first position in the list */
	u16 pos;		/* position in the sorted set */
};

static int ctnr_dev_entry_cmp_rule(const void *a, const void *b)
{
	const struct ctnr_dev_entry *x = a, *y = b;

	return ctnr_dev_cmp(&x->rule, &y->rule) ?: (int)x->seq - (int)y->seq;
}

static int ctnr_dev_entry_cmp_seq(const void *a, const void *b)
{
	const struct ctnr_dev_entry *x = a, *y = b;

	return (int)x->seq - (int)y->seq;
}

int ctnr_dev_rules_build(u32 deflt, const struct ctnr_dev_rule *rules,
			 u32 n, struct ctnr_dev_rules **newp)
{
	struct ctnr_dev_entry *tmp;
	struct ctnr_dev_rules *new;
	u32 i, m;

	*newp = NULL;
	if (n > CTNR_DEV_RULES_MAX)
		return -ENOSPC;
	if (!n)
		return ctnr_dev_rules_empty(deflt, newp);
	tmp = kvmalloc_array(n, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		tmp[i].rule = rules[i];
		tmp[i].seq = i;
	}
	/* By key, the earliest first: merging keeps the first position. */
	sort(tmp, n, sizeof(*tmp), ctnr_dev_entry_cmp_rule, NULL);
	for (i = 1, m = 1; i < n; i++) {
		if (!ctnr_dev_cmp(&tmp[i].rule, &tmp[m - 1].rule))
			tmp[m - 1].rule.access |= tmp[i].rule.access;
		else
			tmp[m++] = tmp[i];
	}
	new = ctnr_dev_rules_alloc(deflt, m);
	if (!new) {
		kvfree(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < m; i++) {
		new->rule[i] = tmp[i].rule;
		tmp[i].pos = i;
	}
	sort(tmp, m, sizeof(*tmp), ctnr_dev_entry_cmp_seq, NULL);
	for (i = 0; i < m; i++)
		new->order[i] = tmp[i].pos;
	kvfree(tmp);
	ctnr_dev_rules_index(new);
	*newp = new;
	return 0;
}
