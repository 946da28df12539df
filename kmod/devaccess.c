// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: device access rules for cgroup v2 containers.
 *
 * Each container may carry a device policy with the semantics of the cgroup
 * v1 "devices" controller: a default (allow or deny) and a list of
 * exceptions { type a|b|c, major or *, minor or *, access subset of rwm }.
 *
 *   default allow: an access is refused when an exception of the device
 *                  shares any access bit with it (a partial match);
 *   default deny:  an access is granted only when one exception of the
 *                  device covers all of its access bits.
 *
 * Type 'a' matches block and character devices.  A task is subject to the
 * policy of every container registered on its cgroup (default hierarchy)
 * or on an ancestor of it, up to but not including the root cgroup: all of
 * them must allow.  Host tasks outside every container are never affected.
 *
 * Enforcement: a kprobe on the entry of devcgroup_check_permission(),
 * through which every device permission check of the kernel goes (open of
 * a device inode via inode_permission(), mknod, block device open).  On a
 * refusal the pre-handler diverts the call to ctnr_dev_deny(), which
 * returns -EPERM to the caller (arch_hook.c holds the register part).  The
 * kernel's own checks (cgroup v1 devices, BPF_CGROUP_DEVICE programs) still
 * run when we allow: the rules only ever restrict.
 *
 * Cost: the kprobe is registered disabled at load and only armed while some
 * container has a policy; a static key mirrors that state so a pre-handler
 * racing with disarming returns at once.  Evaluation runs under RCU, takes
 * no lock and allocates nothing: a container's policy is an immutable rule
 * set, replaced as a whole on every change (copy on write, under
 * ctnr_dev_lock) and freed after a grace period.  The set keeps, besides
 * the rules in the order they were added, their indices sorted by
 * (major, minor, type, access), so a check is at most four binary searches
 * ((M,m), (M,*), (*,m), (*,*)), not a walk of 4096 rules.
 *
 * Denials are reported from process context: the hook fills a fixed
 * per-container record, rate-limited, and queues a work item that sends
 * the CTNR_EVENT_DEV_DENIED multicast event.
 */
#include <linux/cgroup.h>
#include <linux/device_cgroup.h>
#include <linux/jump_label.h>
#include <linux/kdev_t.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/ratelimit.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "ctnr.h"
#include "trace.h"

#define CTNR_DEV_MAJOR_MAX	(~0U >> MINORBITS)	/* 4095 */
#define CTNR_DEV_MINOR_MAX	MINORMASK		/* 1048575 */

/* At most this many DEV_DENIED events per container and interval. */
#define CTNR_DEV_REPORT_INTERVAL	(5 * HZ)
#define CTNR_DEV_REPORT_BURST		10

/* The hook stays armed this long after the last policy went away. */
#define CTNR_DEV_DISARM_DELAY		HZ

/* One exception, as it was added. */
struct ctnr_dev_rule {
	u32 major;		/* or CTNR_DEV_ANY */
	u32 minor;		/* or CTNR_DEV_ANY */
	u8 type;		/* enum ctnr_dev_type */
	u8 access;		/* CTNR_DEV_ACC_*, not 0 */
};

/*
 * A container's policy.  Immutable once published: replaced as a whole
 * under ctnr_dev_lock, read under RCU, freed after a grace period.
 */
struct ctnr_dev_rules {
	struct rcu_head rcu;	/* first: kvfree_rcu() wants it near */
	size_t size;		/* bytes allocated */
	u32 deflt;		/* enum ctnr_dev_default */
	u32 count;		/* rules */
	u32 gen;		/* the container's change count: dumps */
	bool any_major;		/* some rule has major * */
	bool any_minor;		/* some rule has minor * */
	u16 *by_key;		/* count indices into rule[], sorted */
	struct ctnr_dev_rule rule[];	/* count rules, in order, then by_key */
};

/* The last refused access of a container, waiting to be reported. */
struct ctnr_dev_denial {
	u32 type;
	u32 major;
	u32 minor;
	u32 access;		/* CTNR_DEV_ACC_* */
	u32 pid;		/* in the initial pid namespace */
	u32 vpid;		/* in the container's, 0 if outside it */
	char comm[TASK_COMM_LEN];
};

/*
 * Per-container state, created with the container's first policy and
 * freed with the container.  The container's dev pointer and the rules
 * pointer are written under ctnr_dev_lock and read under RCU.
 */
struct ctnr_dev {
	struct rcu_head rcu;
	struct ctnr_dev_rules __rcu *rules;	/* NULL: no policy */
	u32 gen;				/* under ctnr_dev_lock */
	struct ctnr_container *c;		/* back pointer, not counted */
	struct ratelimit_state rs;		/* of denial reports */
	raw_spinlock_t lock;			/* protects pending and denial */
	bool pending;				/* denial not reported yet */
	struct ctnr_dev_denial denial;
	struct work_struct work;		/* reports; holds a ref on c */
};

/*
 * ctnr_dev_lock protects every container's dev pointer, every ctnr_dev's
 * rules pointer and gen, ctnr_dev_active, ctnr_dev_armed,
 * ctnr_dev_ever_armed and the writes of ctnr_dev_wq.  It nests inside
 * ctnr_lock (container.c calls ctnr_dev_unlink() with ctnr_lock held) and
 * outside kprobe_mutex, jump_label_mutex and cpus_read_lock (arming).
 */
static DEFINE_MUTEX(ctnr_dev_lock);
static unsigned int ctnr_dev_active;	/* containers with a policy */
static bool ctnr_dev_armed;		/* the kprobe is enabled */
static bool ctnr_dev_ever_armed;	/* since load: unload must wait */
static bool ctnr_dev_hooked;		/* registered; written at init/exit */
static struct workqueue_struct *ctnr_dev_wq;	/* NULL once unloading */
static DEFINE_STATIC_KEY_FALSE(ctnr_dev_key);	/* on while armed */

static void ctnr_dev_disarm(struct work_struct *work);
static DECLARE_DELAYED_WORK(ctnr_dev_disarm_work, ctnr_dev_disarm);

/* ---- rule sets ---- */

static u64 ctnr_dev_mkkey(u32 major, u32 minor)
{
	return (u64)major << 32 | minor;
}

static u64 ctnr_dev_rule_key(const struct ctnr_dev_rule *r)
{
	return ctnr_dev_mkkey(r->major, r->minor);
}

/* The order of by_key: key, then type, then access. */
static int ctnr_dev_cmp(const struct ctnr_dev_rule *a,
			const struct ctnr_dev_rule *b)
{
	u64 ka = ctnr_dev_rule_key(a), kb = ctnr_dev_rule_key(b);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return (int)a->access - (int)b->access;
}

static const struct ctnr_dev_rule *
ctnr_dev_nth(const struct ctnr_dev_rules *r, u32 pos)
{
	return &r->rule[r->by_key[pos]];
}

/* First position in by_key whose key is >= @key. */
static u32 ctnr_dev_lower_key(const struct ctnr_dev_rules *r, u64 key)
{
	u32 lo = 0, hi = r->count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ctnr_dev_rule_key(ctnr_dev_nth(r, mid)) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First position in by_key whose rule is >= @rule; *exact if equal. */
static u32 ctnr_dev_lower_rule(const struct ctnr_dev_rules *r,
			       const struct ctnr_dev_rule *rule, bool *exact)
{
	u32 lo = 0, hi = r->count;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ctnr_dev_cmp(ctnr_dev_nth(r, mid), rule) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*exact = lo < r->count && !ctnr_dev_cmp(ctnr_dev_nth(r, lo), rule);
	return lo;
}

/*
 * Is there an exception with exactly this (major, minor) key that decides
 * the access: one covering all of @acc under default deny, one sharing a
 * bit with @acc under default allow?  @type CTNR_DEV_TYPE_ALL matches every
 * exception, as a request without a type does in cgroup v1.
 */
static bool ctnr_dev_match(const struct ctnr_dev_rules *r, u32 type,
			   u32 major, u32 minor, u32 acc)
{
	u64 key = ctnr_dev_mkkey(major, minor);
	u32 pos;

	for (pos = ctnr_dev_lower_key(r, key); pos < r->count; pos++) {
		const struct ctnr_dev_rule *e = ctnr_dev_nth(r, pos);

		if (ctnr_dev_rule_key(e) != key)
			break;
		if (e->type != CTNR_DEV_TYPE_ALL &&
		    type != CTNR_DEV_TYPE_ALL && e->type != type)
			continue;
		if (r->deflt == CTNR_DEV_DENY ? !(acc & ~e->access) :
						!!(acc & e->access))
			return true;
	}
	return false;
}

static bool ctnr_dev_rules_allow(const struct ctnr_dev_rules *r, u32 type,
				 u32 major, u32 minor, u32 acc)
{
	bool hit;

	hit = ctnr_dev_match(r, type, major, minor, acc) ||
	      (r->any_minor &&
	       ctnr_dev_match(r, type, major, CTNR_DEV_ANY, acc)) ||
	      (r->any_major &&
	       ctnr_dev_match(r, type, CTNR_DEV_ANY, minor, acc)) ||
	      (r->any_major && r->any_minor &&
	       ctnr_dev_match(r, type, CTNR_DEV_ANY, CTNR_DEV_ANY, acc));
	return r->deflt == CTNR_DEV_DENY ? hit : !hit;
}

static struct ctnr_dev_rules *ctnr_dev_rules_alloc(u32 deflt, u32 count)
{
	struct ctnr_dev_rules *r;
	size_t size;

	size = size_add(struct_size(r, rule, count),
			array_size(count, sizeof(u16)));
	r = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	r->size = size;
	r->deflt = deflt;
	r->count = count;
	r->by_key = (u16 *)&r->rule[count];
	ctnr_count_add(CTNR_CNT_DEV_RULESETS, 1);
	ctnr_count_add(CTNR_CNT_BYTES, size);
	return r;
}

/* Free a set no reader can have seen. */
static void ctnr_dev_rules_free_now(struct ctnr_dev_rules *r)
{
	ctnr_count_add(CTNR_CNT_DEV_RULESETS, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)r->size);
	kvfree(r);
}

/* Free a published set after a grace period. */
static void ctnr_dev_rules_free(struct ctnr_dev_rules *r)
{
	ctnr_count_add(CTNR_CNT_DEV_RULESETS, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)r->size);
	kvfree_rcu(r, rcu);
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

/* ---- the hook ---- */

/* Runs instead of devcgroup_check_permission() when we refuse. */
static noinline int ctnr_dev_deny(short type, u32 major, u32 minor,
				  short access)
{
	return -EPERM;
}

static u32 ctnr_dev_type_from_kernel(unsigned long type)
{
	switch ((u16)type) {
	case DEVCG_DEV_BLOCK:
		return CTNR_DEV_TYPE_BLOCK;
	case DEVCG_DEV_CHAR:
		return CTNR_DEV_TYPE_CHAR;
	default:
		return CTNR_DEV_TYPE_ALL;
	}
}

static u32 ctnr_dev_acc_from_kernel(unsigned long access)
{
	u32 acc = 0;

	if (access & DEVCG_ACC_READ)
		acc |= CTNR_DEV_ACC_READ;
	if (access & DEVCG_ACC_WRITE)
		acc |= CTNR_DEV_ACC_WRITE;
	if (access & DEVCG_ACC_MKNOD)
		acc |= CTNR_DEV_ACC_MKNOD;
	return acc;
}

/*
 * Remember a refusal and queue its report.  Atomic context, under RCU:
 * @c cannot be freed under us but may be dying.
 */
static void ctnr_dev_report(struct ctnr_container *c, struct ctnr_dev *d,
			    u32 type, u32 major, u32 minor, u32 acc)
{
	struct workqueue_struct *wq = READ_ONCE(ctnr_dev_wq);
	unsigned long flags;

	if (!wq || !__ratelimit(&d->rs))
		return;
	raw_spin_lock_irqsave(&d->lock, flags);
	if (d->pending) {
		raw_spin_unlock_irqrestore(&d->lock, flags);
		return;
	}
	d->pending = true;
	d->denial.type = type;
	d->denial.major = major;
	d->denial.minor = minor;
	d->denial.access = acc;
	d->denial.pid = task_tgid_nr(current);
	d->denial.vpid = 0;
	if (c->ns[CTNR_NS_PID])
		d->denial.vpid = task_tgid_nr_ns(current,
			container_of(c->ns[CTNR_NS_PID], struct pid_namespace,
				     ns));
	strscpy(d->denial.comm, current->comm, sizeof(d->denial.comm));
	raw_spin_unlock_irqrestore(&d->lock, flags);

	if (!refcount_inc_not_zero(&c->ref)) {
		raw_spin_lock_irqsave(&d->lock, flags);
		d->pending = false;
		raw_spin_unlock_irqrestore(&d->lock, flags);
		return;
	}
	/* A work already queued holds a reference: this is never the last. */
	if (!queue_work(wq, &d->work))
		refcount_dec(&c->ref);
}

/* Do all containers around the current task allow this access? */
static bool ctnr_dev_check(u32 type, u32 major, u32 minor, u32 acc)
{
	struct ctnr_container *c;
	struct list_head *head;
	struct cgroup *cgrp;
	bool ok = true;

	rcu_read_lock();
	for (cgrp = task_dfl_cgroup(current); cgroup_parent(cgrp);
	     cgrp = cgroup_parent(cgrp)) {
		head = ctnr_on_cgroup_rcu(cgrp);
		list_for_each_entry_rcu(c, head, cgrp_link) {
			struct ctnr_dev *d = rcu_dereference(c->dev);
			struct ctnr_dev_rules *r;

			if (!d)
				continue;
			r = rcu_dereference(d->rules);
			if (!r || ctnr_dev_rules_allow(r, type, major, minor,
						       acc))
				continue;
			/* A container may always use its own ctnrloop disks. */
			if (type == CTNR_DEV_TYPE_BLOCK &&
			    ctnr_loop_owned_rcu(MKDEV(major, minor), c))
				continue;
			trace_ctnr_dev_denied(c, type, major, minor, acc);
			ctnr_dev_report(c, d, type, major, minor, acc);
			ok = false;
			goto out;
		}
	}
out:
	rcu_read_unlock();
	return ok;
}

/*
 * kprobe pre-handler at the entry of
 *   int devcgroup_check_permission(short type, u32 major, u32 minor,
 *                                  short access);
 * Returns 0 to let the function run, 1 after diverting it.
 */
static int ctnr_dev_pre_handler(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long args[4];

	if (!static_branch_unlikely(&ctnr_dev_key))
		return 0;
	ctnr_arch_hook_args(regs, args);
	if (ctnr_dev_check(ctnr_dev_type_from_kernel(args[0]), (u32)args[1],
			   (u32)args[2], ctnr_dev_acc_from_kernel(args[3])))
		return 0;
	ctnr_arch_hook_divert(regs, ctnr_dev_deny);
	return 1;
}

static struct kprobe ctnr_dev_kp = {
	.symbol_name = "devcgroup_check_permission",
	.pre_handler = ctnr_dev_pre_handler,
	/* No post_handler: it would make the kprobe single-step. */
	.flags = KPROBE_FLAG_DISABLED,
};

/* Caller holds ctnr_dev_lock. */
static int ctnr_dev_arm(struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&ctnr_dev_lock);
	if (ctnr_dev_armed)
		return 0;
	err = enable_kprobe(&ctnr_dev_kp);
	/* With every kprobe disarmed through debugfs, nothing is armed. */
	if (!err && kprobe_disabled(&ctnr_dev_kp)) {
		NL_SET_ERR_MSG(extack, "kprobes are disarmed on this system (debugfs kprobes/enabled): device rules cannot be enforced");
		return -EOPNOTSUPP;
	}
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot arm the device access hook");
		return err;
	}
	static_branch_enable(&ctnr_dev_key);
	ctnr_dev_armed = true;
	ctnr_dev_ever_armed = true;
	return 0;
}

static void ctnr_dev_disarm(struct work_struct *work)
{
	mutex_lock(&ctnr_dev_lock);
	if (!ctnr_dev_active && ctnr_dev_armed) {
		static_branch_disable(&ctnr_dev_key);
		disable_kprobe(&ctnr_dev_kp);
		ctnr_dev_armed = false;
	}
	mutex_unlock(&ctnr_dev_lock);
}

/*
 * Replace @d's rule set by @new (NULL: no policy) and free the old one.
 * Consumes @new, also on error.  Caller holds ctnr_dev_lock.
 */
static int ctnr_dev_publish(struct ctnr_dev *d, struct ctnr_dev_rules *new,
			    struct netlink_ext_ack *extack)
{
	struct ctnr_dev_rules *old;
	int err;

	old = rcu_dereference_protected(d->rules,
					lockdep_is_held(&ctnr_dev_lock));
	if (new && !old) {
		/* Armed before the policy can be seen: fail closed. */
		err = ctnr_dev_arm(extack);
		if (err) {
			ctnr_dev_rules_free_now(new);
			return err;
		}
		ctnr_dev_active++;
	} else if (!new && old) {
		if (!--ctnr_dev_active && ctnr_dev_wq)
			mod_delayed_work(ctnr_dev_wq, &ctnr_dev_disarm_work,
					 CTNR_DEV_DISARM_DELAY);
	}
	d->gen++;
	if (new)
		new->gen = d->gen;
	ctnr_count_add(CTNR_CNT_DEV_RULES, (long)(new ? new->count : 0) -
					   (long)(old ? old->count : 0));
	rcu_assign_pointer(d->rules, new);
	if (old)
		ctnr_dev_rules_free(old);
	return 0;
}

/* ---- per-container state ---- */

/* The attributes a DEV_DENIED event adds to the container's. */
static int ctnr_dev_put_denial(struct sk_buff *skb, const void *arg)
{
	const struct ctnr_dev_denial *rec = arg;

	if (nla_put_u32(skb, CTNR_A_DEV_TYPE, rec->type) ||
	    nla_put_u32(skb, CTNR_A_DEV_MAJOR, rec->major) ||
	    nla_put_u32(skb, CTNR_A_DEV_MINOR, rec->minor) ||
	    nla_put_u32(skb, CTNR_A_DEV_ACCESS, rec->access) ||
	    nla_put_u32(skb, CTNR_A_TASK_PID, rec->pid) ||
	    nla_put_string(skb, CTNR_A_TASK_COMM, rec->comm))
		return -EMSGSIZE;
	return 0;
}

static void ctnr_dev_report_work(struct work_struct *work)
{
	struct ctnr_dev *d = container_of(work, struct ctnr_dev, work);
	struct ctnr_container *c = d->c;
	struct ctnr_dev_denial rec;
	char acc[4], *p = acc;

	raw_spin_lock_irq(&d->lock);
	rec = d->denial;
	d->pending = false;
	raw_spin_unlock_irq(&d->lock);

	ctnr_genl_notify_extra(c, CTNR_EVENT_DEV_DENIED, ctnr_dev_put_denial,
			       &rec);
	if (rec.access & CTNR_DEV_ACC_READ)
		*p++ = 'r';
	if (rec.access & CTNR_DEV_ACC_WRITE)
		*p++ = 'w';
	if (rec.access & CTNR_DEV_ACC_MKNOD)
		*p++ = 'm';
	*p = '\0';
	ctnr_log_emit(c, LOGLEVEL_NOTICE,
		      "ctnr: device %c %u:%u access '%s' denied to pid %u (%s)\n",
		      "abc"[rec.type], rec.major, rec.minor, acc, rec.vpid,
		      rec.comm);
	ctnr_put(c);	/* the report's reference; may free c and d */
}

/* @c's state, created if need be.  Caller holds ctnr_dev_lock. */
static struct ctnr_dev *ctnr_dev_state(struct ctnr_container *c)
{
	struct ctnr_dev *d;

	d = rcu_dereference_protected(c->dev, lockdep_is_held(&ctnr_dev_lock));
	if (d)
		return d;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return NULL;
	d->c = c;
	ratelimit_state_init(&d->rs, CTNR_DEV_REPORT_INTERVAL,
			     CTNR_DEV_REPORT_BURST);
	/* Count what was suppressed, never print about it. */
	ratelimit_set_flags(&d->rs, RATELIMIT_MSG_ON_RELEASE);
	raw_spin_lock_init(&d->lock);
	INIT_WORK(&d->work, ctnr_dev_report_work);
	ctnr_count_add(CTNR_CNT_DEV_STATES, 1);
	ctnr_count_add(CTNR_CNT_BYTES, sizeof(*d));
	rcu_assign_pointer(c->dev, d);
	return d;
}

/* Called by ctnr_unlink() under ctnr_lock: the policy goes at once. */
void ctnr_dev_unlink(struct ctnr_container *c)
{
	struct ctnr_dev *d;

	mutex_lock(&ctnr_dev_lock);
	d = rcu_dereference_protected(c->dev, lockdep_is_held(&ctnr_dev_lock));
	if (d)
		ctnr_dev_publish(d, NULL, NULL);
	mutex_unlock(&ctnr_dev_lock);
}

/*
 * Called by the last ctnr_put(): nothing can queue a report any more (a
 * queued one holds a reference), but hook readers may still look at @c
 * until a grace period passed.
 */
void ctnr_dev_release(struct ctnr_container *c)
{
	struct ctnr_dev *d = rcu_dereference_protected(c->dev, 1);

	if (!d)
		return;
	if (rcu_access_pointer(d->rules)) {
		/* Never linked again after ctnr_dev_unlink(); be safe. */
		mutex_lock(&ctnr_dev_lock);
		ctnr_dev_publish(d, NULL, NULL);
		mutex_unlock(&ctnr_dev_lock);
	}
	ctnr_count_add(CTNR_CNT_DEV_STATES, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)sizeof(*d));
	kfree_rcu(d, rcu);
}

/* ---- netlink ---- */

static bool ctnr_dev_on_root(const struct ctnr_container *c)
{
	return !cgroup_parent(c->cgrp);
}

/*
 * Changing a policy needs CAP_SYS_ADMIN over the parent of the container's
 * owner user namespace: a container's own root cannot loosen its rules.
 */
static int ctnr_dev_may_change(struct sk_buff *skb,
			       const struct ctnr_container *c,
			       struct netlink_ext_ack *extack)
{
	struct user_namespace *ns = c->owner->parent ?: &init_user_ns;

	if (!netlink_ns_capable(skb, ns, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(extack, "changing device rules needs CAP_SYS_ADMIN over the parent of the container's owner user namespace");
		return -EPERM;
	}
	if (!ctnr_dev_hooked) {
		NL_SET_ERR_MSG(extack, "device access hook unavailable on this kernel");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Parse and check the rule of an ADD or DEL request. */
static int ctnr_dev_nl_rule(struct genl_info *info, struct ctnr_dev_rule *r)
{
	struct nlattr **tb = info->attrs;
	u32 type, major, minor, access;

	if (CTNR_NL_MISSING(info, CTNR_A_DEV_TYPE, "device type is required") ||
	    CTNR_NL_MISSING(info, CTNR_A_DEV_MAJOR, "major is required") ||
	    CTNR_NL_MISSING(info, CTNR_A_DEV_MINOR, "minor is required") ||
	    CTNR_NL_MISSING(info, CTNR_A_DEV_ACCESS, "access is required"))
		return -EINVAL;
	type = nla_get_u32(tb[CTNR_A_DEV_TYPE]);
	major = nla_get_u32(tb[CTNR_A_DEV_MAJOR]);
	minor = nla_get_u32(tb[CTNR_A_DEV_MINOR]);
	access = nla_get_u32(tb[CTNR_A_DEV_ACCESS]);
	if (type > CTNR_DEV_TYPE_CHAR) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CTNR_A_DEV_TYPE], "device type must be a, b or c");
		return -EINVAL;
	}
	if (major != CTNR_DEV_ANY && major > CTNR_DEV_MAJOR_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CTNR_A_DEV_MAJOR], "major must be 0 to 4095 or *");
		return -EINVAL;
	}
	if (minor != CTNR_DEV_ANY && minor > CTNR_DEV_MINOR_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CTNR_A_DEV_MINOR], "minor must be 0 to 1048575 or *");
		return -EINVAL;
	}
	if (!access || (access & ~CTNR_DEV_ACC_ALL)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CTNR_A_DEV_ACCESS], "access must be a non-empty subset of rwm");
		return -EINVAL;
	}
	r->type = type;
	r->major = major;
	r->minor = minor;
	r->access = access;
	return 0;
}

static int ctnr_dev_add_locked(struct ctnr_container *c,
			       const struct ctnr_dev_rule *rule,
			       struct netlink_ext_ack *extack)
{
	struct ctnr_dev_rules *old, *new;
	struct ctnr_dev *d;
	u32 n = 0, pos = 0;
	bool exact = false;

	d = ctnr_dev_state(c);
	if (!d)
		return -ENOMEM;
	old = rcu_dereference_protected(d->rules,
					lockdep_is_held(&ctnr_dev_lock));
	if (old) {
		n = old->count;
		pos = ctnr_dev_lower_rule(old, rule, &exact);
	}
	if (exact) {
		NL_SET_ERR_MSG(extack, "this device rule already exists");
		return -EEXIST;
	}
	if (n >= CTNR_DEV_RULES_MAX) {
		NL_SET_ERR_MSG(extack, "too many device rules (at most 4096 per container)");
		return -ENOSPC;
	}
	new = ctnr_dev_rules_alloc(old ? old->deflt : CTNR_DEV_ALLOW, n + 1);
	if (!new)
		return -ENOMEM;
	if (old) {
		memcpy(new->rule, old->rule, n * sizeof(*new->rule));
		memcpy(new->by_key, old->by_key, pos * sizeof(u16));
		memcpy(new->by_key + pos + 1, old->by_key + pos,
		       (n - pos) * sizeof(u16));
	}
	new->rule[n] = *rule;
	new->by_key[pos] = n;
	new->any_major = (old && old->any_major) || rule->major == CTNR_DEV_ANY;
	new->any_minor = (old && old->any_minor) || rule->minor == CTNR_DEV_ANY;
	return ctnr_dev_publish(d, new, extack);
}

static int ctnr_dev_del_locked(struct ctnr_container *c,
			       const struct ctnr_dev_rule *rule,
			       struct netlink_ext_ack *extack)
{
	struct ctnr_dev_rules *old, *new = NULL;
	struct ctnr_dev *d;
	u32 i, j, k, n, pos;
	bool exact = false;

	d = rcu_dereference_protected(c->dev, lockdep_is_held(&ctnr_dev_lock));
	old = d ? rcu_dereference_protected(d->rules,
					    lockdep_is_held(&ctnr_dev_lock)) :
		  NULL;
	pos = old ? ctnr_dev_lower_rule(old, rule, &exact) : 0;
	if (!exact) {
		NL_SET_ERR_MSG(extack, "no such device rule");
		return -ENOENT;
	}
	n = old->count;
	k = old->by_key[pos];
	if (n > 1 || old->deflt == CTNR_DEV_DENY) {
		new = ctnr_dev_rules_alloc(old->deflt, n - 1);
		if (!new)
			return -ENOMEM;
		memcpy(new->rule, old->rule, k * sizeof(*new->rule));
		memcpy(new->rule + k, old->rule + k + 1,
		       (n - k - 1) * sizeof(*new->rule));
		for (i = 0, j = 0; i < n; i++) {
			u16 v = old->by_key[i];

			if (i == pos)
				continue;
			new->by_key[j++] = v > k ? v - 1 : v;
		}
		ctnr_dev_rules_index(new);
	}
	return ctnr_dev_publish(d, new, extack);
}

int ctnr_nl_dev_rule_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ctnr_dev_rule rule;
	struct ctnr_container *c;
	int err;

	err = ctnr_dev_nl_rule(info, &rule);
	if (err)
		return err;
	c = ctnr_nl_lookup(skb, info);
	if (IS_ERR(c))
		return PTR_ERR(c);
	err = ctnr_dev_may_change(skb, c, info->extack);
	if (err)
		goto out;
	if (ctnr_dev_on_root(c)) {
		NL_SET_ERR_MSG(info->extack, "the container's cgroup is the root cgroup: device rules would bind the whole host");
		err = -EINVAL;
		goto out;
	}
	mutex_lock(&ctnr_dev_lock);
	if (READ_ONCE(c->unlinked)) {
		NL_SET_ERR_MSG(info->extack, "no such container");
		err = -ENOENT;
	} else {
		err = ctnr_dev_add_locked(c, &rule, info->extack);
	}
	mutex_unlock(&ctnr_dev_lock);
out:
	ctnr_put(c);
	return err;
}

int ctnr_nl_dev_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ctnr_dev_rule rule;
	struct ctnr_container *c;
	int err;

	err = ctnr_dev_nl_rule(info, &rule);
	if (err)
		return err;
	c = ctnr_nl_lookup(skb, info);
	if (IS_ERR(c))
		return PTR_ERR(c);
	err = ctnr_dev_may_change(skb, c, info->extack);
	if (err)
		goto out;
	mutex_lock(&ctnr_dev_lock);
	if (READ_ONCE(c->unlinked)) {
		NL_SET_ERR_MSG(info->extack, "no such container");
		err = -ENOENT;
	} else {
		err = ctnr_dev_del_locked(c, &rule, info->extack);
	}
	mutex_unlock(&ctnr_dev_lock);
out:
	ctnr_put(c);
	return err;
}

/*
 * CTNR_A_DEV_DEFAULT of CTNR_CMD_CONTAINER_SET.  As writing "a" to
 * devices.allow or devices.deny in cgroup v1, setting the default (even to
 * its current value) removes every exception.
 */
/* Every test of ctnr_dev_nl_set_default(), for CONTAINER_SET to run first. */
int ctnr_dev_nl_set_default_check(struct sk_buff *skb, struct genl_info *info,
				  const struct ctnr_container *c)
{
	struct nlattr *attr = info->attrs[CTNR_A_DEV_DEFAULT];
	u32 deflt;
	int err;

	deflt = nla_get_u32(attr);
	if (deflt != CTNR_DEV_ALLOW && deflt != CTNR_DEV_DENY) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "device default must be allow or deny");
		return -EINVAL;
	}
	err = ctnr_dev_may_change(skb, c, info->extack);
	if (err)
		return err;
	if (deflt == CTNR_DEV_DENY && ctnr_dev_on_root(c)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "the container's cgroup is the root cgroup: a deny default would bind the whole host");
		return -EINVAL;
	}
	return 0;
}

int ctnr_dev_nl_set_default(struct sk_buff *skb, struct genl_info *info,
			    struct ctnr_container *c)
{
	struct nlattr *attr = info->attrs[CTNR_A_DEV_DEFAULT];
	struct ctnr_dev_rules *new = NULL;
	struct ctnr_dev *d;
	u32 deflt;
	int err;

	err = ctnr_dev_nl_set_default_check(skb, info, c);
	if (err)
		return err;
	deflt = nla_get_u32(attr);
	mutex_lock(&ctnr_dev_lock);
	if (READ_ONCE(c->unlinked)) {
		NL_SET_ERR_MSG(info->extack, "no such container");
		err = -ENOENT;
		goto out;
	}
	if (deflt == CTNR_DEV_ALLOW) {
		d = rcu_dereference_protected(c->dev,
					      lockdep_is_held(&ctnr_dev_lock));
		if (d)
			err = ctnr_dev_publish(d, NULL, info->extack);
		goto out;
	}
	d = ctnr_dev_state(c);
	new = ctnr_dev_rules_alloc(CTNR_DEV_DENY, 0);
	if (!d || !new) {
		if (new)
			ctnr_dev_rules_free_now(new);
		err = -ENOMEM;
		goto out;
	}
	err = ctnr_dev_publish(d, new, info->extack);
out:
	mutex_unlock(&ctnr_dev_lock);
	return err;
}

/* CTNR_A_DEV_DEFAULT and CTNR_A_DEV_COUNT of a container description. */
int ctnr_dev_nl_fill(struct sk_buff *skb, const struct ctnr_container *c)
{
	u32 deflt = CTNR_DEV_ALLOW, count = 0;
	struct ctnr_dev_rules *r = NULL;
	struct ctnr_dev *d;

	rcu_read_lock();
	d = rcu_dereference(c->dev);
	if (d)
		r = rcu_dereference(d->rules);
	if (r) {
		deflt = r->deflt;
		count = r->count;
	}
	rcu_read_unlock();
	if (nla_put_u32(skb, CTNR_A_DEV_DEFAULT, deflt) ||
	    nla_put_u32(skb, CTNR_A_DEV_COUNT, count))
		return -EMSGSIZE;
	return 0;
}

static int ctnr_dev_nl_put_rule(struct sk_buff *skb,
				const struct ctnr_container *c, u32 index,
				const struct ctnr_dev_rule *r)
{
	if (nla_put_u32(skb, CTNR_A_ID, c->id) ||
	    nla_put_u32(skb, CTNR_A_DEV_INDEX, index) ||
	    nla_put_u32(skb, CTNR_A_DEV_TYPE, r->type) ||
	    nla_put_u32(skb, CTNR_A_DEV_MAJOR, r->major) ||
	    nla_put_u32(skb, CTNR_A_DEV_MINOR, r->minor) ||
	    nla_put_u32(skb, CTNR_A_DEV_ACCESS, r->access))
		return -EMSGSIZE;
	return 0;
}

/*
 * CTNR_CMD_DEV_RULE_GET dump: the rules in order.  cb->args[0] is the
 * container id once resolved (ids are never 0), cb->args[1] the next
 * index.  A change between two parts of the dump sets NLM_F_DUMP_INTR.
 */
int ctnr_nl_dev_rule_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct ctnr_dev_rules *r = NULL;
	struct ctnr_container *c;
	struct ctnr_dev *d;
	u32 i = cb->args[1];
	int err = 0;

	if (!cb->args[0]) {
		struct genl_info info = {
			.attrs = ctnr_dump_attrs(cb),
			.extack = cb->extack,
		};

		c = ctnr_nl_lookup(cb->skb, &info);
		if (IS_ERR(c))
			return PTR_ERR(c);
		cb->args[0] = c->id;
	} else {
		c = ctnr_lookup(cb->args[0], NULL);
		if (!c)
			return 0;	/* deleted meanwhile: the end */
	}

	rcu_read_lock();
	d = rcu_dereference(c->dev);
	if (d)
		r = rcu_dereference(d->rules);
	cb->seq = r ? r->gen : 0;
	for (; r && i < r->count; i++) {
		void *hdr = ctnr_genl_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI,
					  CTNR_CMD_DEV_RULE_GET);

		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));
		err = ctnr_dev_nl_put_rule(skb, c, i, &r->rule[i]);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[1] = i;
	ctnr_put(c);
	return err && !skb->len ? err : skb->len;
}

/* ---- init and exit ---- */

bool ctnr_devaccess_available(void)
{
	return ctnr_dev_hooked;
}

int ctnr_devaccess_init(void)
{
	int err;

	BUILD_BUG_ON(CTNR_DEV_RULES_MAX > U16_MAX);
	ctnr_dev_wq = alloc_workqueue("ctnr_dev", WQ_UNBOUND, 0);
	if (!ctnr_dev_wq)
		return -ENOMEM;
	if (!ctnr_arch_hook_supported()) {
		pr_warn("device access hook not implemented for this architecture: device rules are unavailable\n");
		return 0;
	}
	err = register_kprobe(&ctnr_dev_kp);
	if (err) {
		pr_warn("cannot probe devcgroup_check_permission (%d): device rules are unavailable\n",
			err);
		return 0;
	}
	ctnr_dev_hooked = true;
	return 0;
}

/*
 * After the netlink family is gone; containers, and their policies, may
 * still exist: they go in ctnr_container_uninit() and find no hook then.
 */
void ctnr_devaccess_uninit(void)
{
	struct workqueue_struct *wq;
	bool wait_tasks;

	mutex_lock(&ctnr_dev_lock);
	wq = ctnr_dev_wq;
	WRITE_ONCE(ctnr_dev_wq, NULL);	/* no more reports nor disarming */
	mutex_unlock(&ctnr_dev_lock);
	cancel_delayed_work_sync(&ctnr_dev_disarm_work);

	mutex_lock(&ctnr_dev_lock);
	wait_tasks = ctnr_dev_ever_armed;
	if (ctnr_dev_hooked)
		unregister_kprobe(&ctnr_dev_kp);	/* waits for handlers */
	ctnr_dev_hooked = false;
	ctnr_dev_armed = false;
	static_branch_disable(&ctnr_dev_key);
	mutex_unlock(&ctnr_dev_lock);
	/* A task diverted to ctnr_dev_deny() may not have left it yet. */
	if (wait_tasks)
		synchronize_rcu_tasks();
	destroy_workqueue(wq);	/* runs the pending reports */
}
