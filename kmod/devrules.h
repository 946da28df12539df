/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctnr: device rule sets (devrules.c), the part of devaccess that is pure
 * computation: no locks, no RCU, no hooks.  It builds with the kernel and,
 * for selftests/devrules.c, in user space against a few stand-ins.
 *
 * A rule set is a container's policy with the semantics of the cgroup v1
 * devices controller: a default (behaviour) and exceptions, one per
 * (type, major, minor), each with the access bits it grants (default deny)
 * or refuses (default allow).  As in v1, adding an exception that exists
 * merges its access bits, removing one subtracts them and drops the
 * exception when none are left, and types are only b and c: "a" is not an
 * exception but the reset of the default.
 */
#ifndef _CTNR_DEVRULES_H
#define _CTNR_DEVRULES_H

#include <linux/types.h>
#include <linux/rcupdate.h>
#include <linux/ctnr.h>

#define CTNR_DEV_MAJOR_MAX	4095U
#define CTNR_DEV_MINOR_MAX	1048575U

/* One exception. */
struct ctnr_dev_rule {
	u32 major;		/* or CTNR_DEV_ANY */
	u32 minor;		/* or CTNR_DEV_ANY */
	u8 type;		/* CTNR_DEV_TYPE_BLOCK or _CHAR */
	u8 access;		/* CTNR_DEV_ACC_*, not 0 */
};

/*
 * A policy.  Immutable once built: every change builds a new set.
 * rule[] is sorted by (major, minor, type), which makes a check at most
 * four binary searches ((M,m), (M,*), (*,m), (*,*)); order[] lists the
 * positions in rule[] in the order the exceptions were first added, for
 * listing them.
 */
struct ctnr_dev_rules {
	struct rcu_head rcu;	/* devaccess.c frees it after a grace period */
	size_t size;		/* bytes allocated */
	u32 deflt;		/* enum ctnr_dev_default */
	u32 count;		/* exceptions */
	u32 gen;		/* devaccess.c: the container's change count */
	bool any_major;		/* some exception has major * */
	bool any_minor;		/* some exception has minor * */
	u16 *order;		/* count positions into rule[] */
	struct ctnr_dev_rule rule[];	/* count exceptions, then order[] */
};

/*
 * Provided by the environment (devaccess.c; the unit test): a zeroed set
 * for @count exceptions with order pointing behind rule[], and its
 * freeing when no reader can have seen it.
 */
struct ctnr_dev_rules *ctnr_dev_rules_alloc(u32 deflt, u32 count);
void ctnr_dev_rules_free_now(struct ctnr_dev_rules *r);

/*
 * Does policy @r (NULL: none) allow access @acc (CTNR_DEV_ACC_* bits, 0
 * for an existence check) to device @type @major:@minor?  @type
 * CTNR_DEV_TYPE_ALL matches exceptions of both types.
 */
bool ctnr_dev_rules_allow(const struct ctnr_dev_rules *r, u32 type,
			  u32 major, u32 minor, u32 acc);

/* The result of an edit: the policy is the same, there is none. */
#define CTNR_DEV_UNCHANGED	1

/*
 * Add (@add) the access bits of @rule to its exception, creating it, or
 * remove them from it, dropping it when none are left, in policy @old
 * (NULL: default allow, no exception).  Returns 0 and the new policy in
 * *@newp (NULL when that is default allow without exceptions: no
 * policy), CTNR_DEV_UNCHANGED when nothing would change, -ENOENT when
 * removing from an exception that does not exist, -ENOSPC beyond
 * CTNR_DEV_RULES_MAX, -ENOMEM.  @rule must be valid (ctnr_dev_rule_valid).
 */
int ctnr_dev_rules_edit(const struct ctnr_dev_rules *old,
			const struct ctnr_dev_rule *rule, bool add,
			struct ctnr_dev_rules **newp);

/*
 * Write @rule as cgroup v1 writes it to devices.allow (@allow) or
 * devices.deny: type CTNR_DEV_TYPE_ALL sets the default to allow or deny
 * and drops every exception; otherwise the rule is added to the exceptions
 * when the default is the opposite of the file, and its bits removed from
 * them when it is the same (removing what is not there changes nothing).
 * Returns as ctnr_dev_rules_edit(), never -ENOENT.
 */
int ctnr_dev_rules_write(const struct ctnr_dev_rules *old,
			 const struct ctnr_dev_rule *rule, bool allow,
			 struct ctnr_dev_rules **newp);

/*
 * A whole policy at once: default @deflt and the exceptions @rules[@n]
 * (valid; the same key twice merges), sorted once: O(n log n).  Returns as
 * ctnr_dev_rules_edit(); -ENOSPC when @n > CTNR_DEV_RULES_MAX.
 */
int ctnr_dev_rules_build(u32 deflt, const struct ctnr_dev_rule *rules,
			 u32 n, struct ctnr_dev_rules **newp);

/* Is @rule an exception: type b or c, ranges, access a non-empty rwm? */
bool ctnr_dev_rule_valid(const struct ctnr_dev_rule *rule);

#endif /* _CTNR_DEVRULES_H */
