// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: device access rules for cgroup v2 containers.
 *
 * Each container may carry a device policy with the semantics of the cgroup
 * v1 "devices" controller (devrules.c): a default (allow or deny) and
 * exceptions { type b|c, major or *, minor or *, access subset of rwm },
 * one per (type, major, minor), whose access bits merge when added and
 * are subtracted when removed.
 *
 *   default allow: an access is refused when an exception of the device
 *                  shares any access bit with it (a partial match);
 *   default deny:  an access is granted only when one exception of the
 *                  device covers all of its access bits.
 *
 * As in v1, "a" is no exception but the reset of the default.  A task is
 * subject to the policy of every container registered on its cgroup
 * (default hierarchy) or on an ancestor of it, up to but not including
 * the root cgroup: all of them must allow.  Host tasks outside every
 * container are never affected.
 *
 * Enforcement: a hook (hook.c) on the entry of devcgroup_check_permission(),
 * through which every device permission check of the kernel goes (open of
 * a device inode via inode_permission(), mknod, block device open).  On a
 * refusal the call is diverted to ctnr_dev_deny(), which returns -EPERM to
 * the caller.  The kernel's own checks (cgroup v1 devices,
 * BPF_CGROUP_DEVICE programs) still run when we allow: the rules only ever
 * restrict.  Every container with a policy holds the hook, which is armed
 * and verified (its canary is a check of the device c 4294967295:4294967295,
 * which no dev_t can name) before the first policy is published, and
 * checked again at every policy change: a change that would need the hook
 * while it does not divert calls fails with EOPNOTSUPP.
 *
 * Cost: the hook is only armed while some container has a policy.
 * Evaluation runs under RCU, takes no lock and allocates nothing: a
 * container's policy is an immutable rule set, replaced as a whole on
 * every change (copy on write, under ctnr_dev_lock; a whole policy at once
 * is sorted once) and freed after a grace period.  The exceptions are
 * kept sorted by (major, minor, type), so a check is at most four binary
 * searches ((M,m), (M,*), (*,m), (*,*)), not a walk of 4096 rules.
 *
 * Denials are reported from process context: the hook fills a fixed
 * per-container record, rate-limited, and queues a work item that sends
 * the CTNR_EVENT_DEV_DENIED multicast event.
 */
#include <linux/cgroup.h>
#include <linux/device_cgroup.h>
#include <linux/kdev_t.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
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
#include "genl-gen.h"
#include "devrules.h"
#include "hook.h"
#include "trace.h"

/* At most this many DEV_DENIED events per container and interval. */
#define CTNR_DEV_REPORT_INTERVAL	(5 * HZ)
#define CTNR_DEV_REPORT_BURST		10

/* The canary of the hook: a device no dev_t can name. */
#define CTNR_DEV_CANARY_MAJOR		U32_MAX
#define CTNR_DEV_CANARY_MINOR		U32_MAX

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
 *
 * @authority is the user namespace whose administrator imposed the policy
 * (see ctnr_dev_sender_ns()): while there is a policy, changing it,
 * deleting the container or having it removed when its init exits needs
 * CAP_SYS_ADMIN over @authority, not only over the owner.
 */
struct ctnr_dev {
	struct rcu_head rcu;
	struct ctnr_dev_rules __rcu *rules;	/* NULL: no policy */
	u32 gen;				/* under ctnr_dev_lock */
	struct user_namespace *authority;	/* counted while rules */
	bool autoremove_ok;			/* @authority asked for it */
	struct ctnr_container *c;		/* back pointer, not counted */
	struct ratelimit_state rs;		/* of denial reports */
	raw_spinlock_t lock;			/* protects pending and denial */
	bool pending;				/* denial not reported yet */
	struct ctnr_dev_denial denial;
	struct work_struct work;		/* reports; holds a ref on c */
};

/*
 * ctnr_dev_lock protects every container's dev pointer and dev_closed,
 * every ctnr_dev's rules pointer, gen, authority and autoremove_ok, and
 * the writes of ctnr_dev_wq.  It nests inside ctnr_lock (container.c calls
 * ctnr_dev_unlink() with ctnr_lock held) and outside the hook's lock
 * (arming and checking it).
 */
static DEFINE_MUTEX(ctnr_dev_lock);
static struct workqueue_struct *ctnr_dev_wq;	/* NULL once unloading */
static struct ctnr_hook ctnr_dev_hook;

/* ---- rule sets (devrules.c computes them) ---- */

struct ctnr_dev_rules *ctnr_dev_rules_alloc(u32 deflt, u32 count)
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
	r->order = (u16 *)&r->rule[count];
	ctnr_count_add(CTNR_CNT_DEV_RULESETS, 1);
	ctnr_count_add(CTNR_CNT_BYTES, size);
	return r;
}

/* Free a set no reader can have seen. */
void ctnr_dev_rules_free_now(struct ctnr_dev_rules *r)
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

/* Which of the access bits @acc policy @r (NULL: none) allows @devt. */
static u32 ctnr_dev_block_acc(const struct ctnr_dev_rules *r, dev_t devt,
			      u32 acc)
{
	u32 bit, ok = 0;

	for (bit = CTNR_DEV_ACC_READ; bit <= CTNR_DEV_ACC_WRITE; bit <<= 1)
		if ((acc & bit) &&
		    ctnr_dev_rules_allow(r, CTNR_DEV_TYPE_BLOCK, MAJOR(devt),
					 MINOR(devt), bit))
			ok |= bit;
	return ok;
}

/*
 * Does @c's own policy give it block device @devt by an exception (read
 * or write, default deny), with the policies of the containers around it
 * allowing that too?  For /proc/diskstats (procview.c), which lists such
 * devices: without a default-deny policy nothing is granted, so a
 * container without rules lists only what it used.  Any context but NMI.
 */
bool ctnr_dev_block_granted(const struct ctnr_container *c, dev_t devt)
{
	const u32 rw = CTNR_DEV_ACC_READ | CTNR_DEV_ACC_WRITE;
	struct ctnr_container *o;
	struct ctnr_dev_rules *r;
	struct ctnr_dev *d;
	struct cgroup *cgrp;
	u32 acc;

	rcu_read_lock();
	d = rcu_dereference(c->dev);
	r = d ? rcu_dereference(d->rules) : NULL;
	acc = r && r->deflt == CTNR_DEV_DENY ? rw : 0;
	acc = ctnr_dev_block_acc(r, devt, acc);
	/* as ctnr_dev_check(): every container on the way up has its say */
	for (cgrp = c->cgrp; acc && cgroup_parent(cgrp);
	     cgrp = cgroup_parent(cgrp)) {
		list_for_each_entry_rcu(o, ctnr_on_cgroup_rcu(cgrp), cgrp_link) {
			if (o == c)
				continue;
			d = rcu_dereference(o->dev);
			acc = ctnr_dev_block_acc(d ? rcu_dereference(d->rules) :
						 NULL, devt, acc);
		}
	}
	rcu_read_unlock();
	return acc != 0;
}

/* Calls devcgroup_check_permission() with the canary's device. */
static long ctnr_dev_canary_call(void)
{
	return devcgroup_check_permission(DEVCG_DEV_CHAR, CTNR_DEV_CANARY_MAJOR,
					  CTNR_DEV_CANARY_MINOR,
					  DEVCG_ACC_READ);
}

/*
 * At the entry of
 *   int devcgroup_check_permission(short type, u32 major, u32 minor,
 *                                  short access);
 * what to run instead, if anything.
 */
static void *ctnr_dev_divert(const unsigned long *args)
{
	u32 major = args[1], minor = args[2];

	if (major == CTNR_DEV_CANARY_MAJOR && minor == CTNR_DEV_CANARY_MINOR)
		return ctnr_hook_canary;
	if (ctnr_dev_check(ctnr_dev_type_from_kernel(args[0]), major, minor,
			   ctnr_dev_acc_from_kernel(args[3])))
		return NULL;
	return ctnr_dev_deny;
}

static struct ctnr_hook ctnr_dev_hook = {
	.name = "devaccess",
	.symbol = "devcgroup_check_permission",
	.divert = ctnr_dev_divert,
	.canary_call = ctnr_dev_canary_call,
};

/*
 * Replace @d's rule set by @new (NULL: no policy) and free the old one;
 * @auth (ignored without @new) becomes the policy's authority.  Consumes
 * @new, also on error.  Caller holds ctnr_dev_lock.
 *
 * Each policy holds the hook, which is checked before the new set can be
 * seen (fail closed); the hook holds the module, so that unloading cannot
 * silently lift every policy: rmmod fails as for a module in use until
 * the policies (or their containers) are gone.
 */
static int ctnr_dev_publish(struct ctnr_dev *d, struct ctnr_dev_rules *new,
			    struct user_namespace *auth,
			    struct netlink_ext_ack *extack)
{
	struct ctnr_dev_rules *old;
	int err;

	old = rcu_dereference_protected(d->rules,
					lockdep_is_held(&ctnr_dev_lock));
	if (new) {
		err = old ? ctnr_hook_check(&ctnr_dev_hook, extack) :
			    ctnr_hook_get(&ctnr_dev_hook, extack);
		if (err) {
			ctnr_dev_rules_free_now(new);
			return err;
		}
	} else if (old) {
		ctnr_hook_put(&ctnr_dev_hook);
	}
	if (!new || auth != d->authority) {
		if (d->authority)
			put_user_ns(d->authority);
		d->authority = new ? get_user_ns(auth) : NULL;
		d->autoremove_ok = false;
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
	ctnr_log_prepare(c);	/* a work item: the first log is made here */
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
		ctnr_dev_publish(d, NULL, NULL, NULL);
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
		ctnr_dev_publish(d, NULL, NULL, NULL);
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
 * On success *auth is the namespace the sender acts for (see below).
 */
static int ctnr_dev_may_change(struct sk_buff *skb,
			       const struct ctnr_container *c,
			       struct user_namespace **auth,
			       struct netlink_ext_ack *extack)
{
	struct user_namespace *base = c->owner->parent ?: &init_user_ns;
	struct user_namespace *mine = current_user_ns(), *ns;

	if (!netlink_ns_capable(skb, base, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(extack, "changing device rules needs CAP_SYS_ADMIN over the parent of the container's owner user namespace");
		return -EPERM;
	}
	if (!ctnr_dev_hook.registered) {
		NL_SET_ERR_MSG(extack, "device access hook unavailable on this kernel (see the kernel log)");
		return -EOPNOTSUPP;
	}
	/*
	 * The policy's authority: the outermost user namespace on the way
	 * from @base to the initial one over which the sender holds
	 * CAP_SYS_ADMIN.  cap_capable() grants a capability over a
	 * namespace to a task in it that has the capability, and to the
	 * owner of a child of the task's namespace over that child and
	 * all below it; so that is the sender's own namespace, or the
	 * child of it on the way to @c.  Asked without audit first: not
	 * holding it in its own namespace is no denial.
	 */
	*auth = base;
	for (ns = base; ns && ns != mine && ns->parent != mine; ns = ns->parent)
		;
	if (!ns)
		return 0;	/* not reached: @mine is @base or above it */
	if (ns != mine && ns_capable_noaudit(mine, CAP_SYS_ADMIN))
		ns = mine;
	if (ns != base && netlink_ns_capable(skb, ns, CAP_SYS_ADMIN))
		*auth = ns;
	return 0;
}

/*
 * Under ctnr_dev_lock, for a sender that passed ctnr_dev_may_change():
 * may it change @c's policy now?  Not once the container is going, and
 * a policy in force can only be changed with its authority.
 */
static int ctnr_dev_may_override(struct sk_buff *skb,
				 const struct ctnr_container *c,
				 struct netlink_ext_ack *extack)
{
	struct ctnr_dev *d;

	lockdep_assert_held(&ctnr_dev_lock);
	if (READ_ONCE(c->unlinked) || c->dev_closed) {
		NL_SET_ERR_MSG(extack, "no such container");
		return -ENOENT;
	}
	d = rcu_dereference_protected(c->dev, lockdep_is_held(&ctnr_dev_lock));
	if (d && rcu_access_pointer(d->rules) &&
	    !netlink_ns_capable(skb, d->authority, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(extack, "the device policy was imposed from an ancestor user namespace: changing it needs CAP_SYS_ADMIN there");
		return -EPERM;
	}
	return 0;
}

/*
 * May @c be deleted (@how CTNR_DEV_RELEASE_DELETE, by the sender of
 * @skb), be marked for removal when its init exits (_AUTOREMOVE, by the
 * sender of @skb) or be removed because its init exited (_EXIT, @skb
 * NULL)?  Not while a policy imposed from above its owner is in force,
 * unless the policy's authority asks for it: the host's rules must not go
 * because the tenant deleted its registration or let its init exit.  On
 * success of DELETE and EXIT no policy can be set any more, so none can
 * slip in between this check and the removal.  -EPERM otherwise, with a
 * message in @extack or, for EXIT, in the container's log.
 */
int ctnr_dev_may_release(struct ctnr_container *c, struct sk_buff *skb,
			 enum ctnr_dev_release how,
			 struct netlink_ext_ack *extack)
{
	struct ctnr_dev *d;
	int err = 0;

	mutex_lock(&ctnr_dev_lock);
	d = rcu_dereference_protected(c->dev, lockdep_is_held(&ctnr_dev_lock));
	if (d && rcu_access_pointer(d->rules) && d->authority != c->owner) {
		if (how == CTNR_DEV_RELEASE_EXIT) {
			if (!d->autoremove_ok)
				err = -EPERM;
		} else if (!netlink_ns_capable(skb, d->authority,
					       CAP_SYS_ADMIN)) {
			if (how == CTNR_DEV_RELEASE_DELETE)
				NL_SET_ERR_MSG(extack, "the container has a device policy imposed from an ancestor user namespace: deleting it needs CAP_SYS_ADMIN there");
			else
				NL_SET_ERR_MSG(extack, "the container has a device policy imposed from an ancestor user namespace: autoremove needs CAP_SYS_ADMIN there");
			err = -EPERM;
		} else if (how == CTNR_DEV_RELEASE_AUTOREMOVE) {
			d->autoremove_ok = true;
		}
	}
	if (!err && how != CTNR_DEV_RELEASE_AUTOREMOVE)
		c->dev_closed = true;
	mutex_unlock(&ctnr_dev_lock);
	if (err && how == CTNR_DEV_RELEASE_EXIT) {
		ctnr_log_prepare(c);
		ctnr_log_emit(c, LOGLEVEL_NOTICE,
			      "ctnr: init exited; the container stays registered (stopped): its device policy was imposed from an ancestor user namespace\n");
	}
	return err;
}

/* How a request changes a policy. */
enum ctnr_dev_how {
	CTNR_DEV_HOW_ADD,	/* DEV_RULE_ADD: merge into the exception */
	CTNR_DEV_HOW_DEL,	/* DEV_RULE_DEL: subtract from it */
	CTNR_DEV_HOW_ALLOW,	/* DEV_ALLOW: as a write to devices.allow */
	CTNR_DEV_HOW_DENY,	/* DEV_DENY: as a write to devices.deny */
};

/* A required attribute of a rule is missing; in @nest if not NULL. */
#define CTNR_DEV_MISSING(tb, nest, type, msg, extack) ({		\
	bool __missing = !(tb)[type];					\
	if (__missing) {						\
		NL_SET_ERR_ATTR_MISS(extack, nest, type);		\
		NL_SET_ERR_MSG(extack, msg);				\
	}								\
	__missing;							\
})

/*
 * Parse and check a rule from its attributes @tb (those of the request,
 * or of a CTNR_A_DEV_RULE nest @nest); type a (the reset, which needs no
 * numbers) only when @reset_ok.  The policy has checked the type (a, b or
 * c) and the access bits (rwm); a major or minor may be CTNR_DEV_ANY,
 * which no policy range expresses, so they are checked here.
 */
static int ctnr_dev_parse_rule(struct nlattr **tb, struct nlattr *nest,
			       bool reset_ok, struct ctnr_dev_rule *r,
			       struct netlink_ext_ack *extack)
{
	bool reset;
	u32 type;

	if (CTNR_DEV_MISSING(tb, nest, CTNR_A_DEV_TYPE, "device type is required", extack))
		return -EINVAL;
	type = nla_get_u32(tb[CTNR_A_DEV_TYPE]);
	reset = type == CTNR_DEV_TYPE_ALL;
	if (reset && !reset_ok) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTNR_A_DEV_TYPE], "device type a is no exception: as in cgroup v1 it resets the default (set the default, or DEV_ALLOW/DEV_DENY type a)");
		return -EINVAL;
	}
	if (!reset &&
	    (CTNR_DEV_MISSING(tb, nest, CTNR_A_DEV_MAJOR, "major is required", extack) ||
	     CTNR_DEV_MISSING(tb, nest, CTNR_A_DEV_MINOR, "minor is required", extack) ||
	     CTNR_DEV_MISSING(tb, nest, CTNR_A_DEV_ACCESS, "access is required", extack)))
		return -EINVAL;
	r->type = type;
	r->major = tb[CTNR_A_DEV_MAJOR] ? nla_get_u32(tb[CTNR_A_DEV_MAJOR]) :
					  CTNR_DEV_ANY;
	r->minor = tb[CTNR_A_DEV_MINOR] ? nla_get_u32(tb[CTNR_A_DEV_MINOR]) :
					  CTNR_DEV_ANY;
	r->access = tb[CTNR_A_DEV_ACCESS] ? nla_get_u32(tb[CTNR_A_DEV_ACCESS]) :
					    CTNR_DEV_ACC_MASK;
	if (r->major != CTNR_DEV_ANY && r->major > CTNR_DEV_MAJOR_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTNR_A_DEV_MAJOR], "major must be 0 to 4095 or *");
		return -EINVAL;
	}
	if (r->minor != CTNR_DEV_ANY && r->minor > CTNR_DEV_MINOR_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTNR_A_DEV_MINOR], "minor must be 0 to 1048575 or *");
		return -EINVAL;
	}
	if (tb[CTNR_A_DEV_ACCESS] && !r->access) {
		NL_SET_ERR_MSG_ATTR(extack, tb[CTNR_A_DEV_ACCESS], "access must be a non-empty subset of rwm");
		return -EINVAL;
	}
	return 0;
}

/* The message for an error of devrules.c. */
static int ctnr_dev_rules_err(int err, struct netlink_ext_ack *extack)
{
	switch (err) {
	case -ENOENT:
		NL_SET_ERR_MSG(extack, "no such device rule");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG(extack, "too many device rules (at most 4096 per container)");
		break;
	}
	return err;
}

/*
 * Make @new (NULL: no policy) @c's policy, for a sender that passed
 * ctnr_dev_may_change() with authority @auth and ctnr_dev_may_override().
 * Consumes @new.  Caller holds ctnr_dev_lock.
 */
static int ctnr_dev_replace_locked(struct ctnr_container *c,
				   struct ctnr_dev_rules *new,
				   struct user_namespace *auth,
				   struct netlink_ext_ack *extack)
{
	struct ctnr_dev *d;

	d = rcu_dereference_protected(c->dev, lockdep_is_held(&ctnr_dev_lock));
	if (!new)
		return d ? ctnr_dev_publish(d, NULL, NULL, extack) : 0;
	if (ctnr_dev_on_root(c)) {
		ctnr_dev_rules_free_now(new);
		NL_SET_ERR_MSG(extack, "the container's cgroup is the root cgroup: device rules would bind the whole host");
		return -EINVAL;
	}
	d = ctnr_dev_state(c);
	if (!d) {
		ctnr_dev_rules_free_now(new);
		return -ENOMEM;
	}
	return ctnr_dev_publish(d, new, auth, extack);
}

/* DEV_RULE_ADD, DEV_RULE_DEL, DEV_ALLOW and DEV_DENY. */
static int ctnr_dev_nl_edit(struct sk_buff *skb, struct genl_info *info,
			    enum ctnr_dev_how how)
{
	struct ctnr_dev_rules *old, *new;
	struct user_namespace *auth;
	struct ctnr_dev_rule rule;
	struct ctnr_container *c;
	struct ctnr_dev *d;
	int err;

	err = ctnr_dev_parse_rule(info->attrs, NULL,
				  how == CTNR_DEV_HOW_ALLOW ||
				  how == CTNR_DEV_HOW_DENY, &rule, info->extack);
	if (err)
		return err;
	c = ctnr_nl_lookup(skb, info);
	if (IS_ERR(c))
		return PTR_ERR(c);
	err = ctnr_dev_may_change(skb, c, &auth, info->extack);
	if (err)
		goto out;
	mutex_lock(&ctnr_dev_lock);
	err = ctnr_dev_may_override(skb, c, info->extack);
	if (err)
		goto unlock;
	d = rcu_dereference_protected(c->dev, lockdep_is_held(&ctnr_dev_lock));
	old = d ? rcu_dereference_protected(d->rules,
					    lockdep_is_held(&ctnr_dev_lock)) :
		  NULL;
	if (how == CTNR_DEV_HOW_ADD || how == CTNR_DEV_HOW_DEL)
		err = ctnr_dev_rules_edit(old, &rule, how == CTNR_DEV_HOW_ADD,
					  &new);
	else
		err = ctnr_dev_rules_write(old, &rule, how == CTNR_DEV_HOW_ALLOW,
					   &new);
	if (err == CTNR_DEV_UNCHANGED)
		/*
		 * Nothing to publish, but an edit of a policy in force
		 * fails like any other while the hook does not enforce it:
		 * re-applying rules must not report them as in force.
		 */
		err = old ? ctnr_hook_check(&ctnr_dev_hook, info->extack) : 0;
	else if (err)
		ctnr_dev_rules_err(err, info->extack);
	else
		err = ctnr_dev_replace_locked(c, new, auth, info->extack);
unlock:
	mutex_unlock(&ctnr_dev_lock);
out:
	ctnr_put(c);
	return err;
}

int ctnr_nl_dev_rule_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ctnr_dev_nl_edit(skb, info, CTNR_DEV_HOW_ADD);
}

int ctnr_nl_dev_rule_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ctnr_dev_nl_edit(skb, info, CTNR_DEV_HOW_DEL);
}

int ctnr_nl_dev_allow_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ctnr_dev_nl_edit(skb, info, CTNR_DEV_HOW_ALLOW);
}

int ctnr_nl_dev_deny_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ctnr_dev_nl_edit(skb, info, CTNR_DEV_HOW_DENY);
}

/*
 * The exceptions of a DEV_POLICY_SET, each a CTNR_A_DEV_RULE of the
 * request (repeated at the top level: an attribute cannot hold 4096 of
 * them): *@rulesp (kvfree) and their number, or a negative errno.
 */
static int ctnr_dev_nl_rules(struct genl_info *info,
			     struct ctnr_dev_rule **rulesp)
{
	struct nlattr *head = genlmsg_data(info->genlhdr), *a;
	int len = genlmsg_len(info->genlhdr), n = 0, rem, err = 0;
	struct ctnr_dev_rule *rules;
	struct nlattr **tb;

	*rulesp = NULL;
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != CTNR_A_DEV_RULE)
			continue;
		if (++n > CTNR_DEV_RULES_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "too many device rules (at most 4096 per container)");
			return -ENOSPC;
		}
	}
	if (!n)
		return 0;
	tb = kcalloc(CTNR_A_MAX + 1, sizeof(*tb), GFP_KERNEL);
	rules = kvmalloc_array(n, sizeof(*rules), GFP_KERNEL);
	if (!tb || !rules) {
		err = -ENOMEM;
		goto out;
	}
	n = 0;
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != CTNR_A_DEV_RULE)
			continue;
		/* genetlink validated every one against its nested policy */
		err = nla_parse_nested(tb, CTNR_A_MAX, a, NULL, info->extack);
		if (!err)
			err = ctnr_dev_parse_rule(tb, a, false, &rules[n],
						  info->extack);
		if (err)
			goto out;
		n++;
	}
	*rulesp = rules;
	rules = NULL;
	err = n;
out:
	kvfree(rules);
	kfree(tb);
	return err;
}

/*
 * CTNR_CMD_DEV_POLICY_SET: a whole policy, default and exceptions, checked
 * entirely, sorted once (O(n log n)) and published with one pointer swap:
 * a running container sees the old policy or the new one, never a state
 * in between.
 */
int ctnr_nl_dev_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *dattr = info->attrs[CTNR_A_DEV_DEFAULT];
	struct ctnr_dev_rule *rules = NULL;
	struct ctnr_dev_rules *new;
	struct user_namespace *auth;
	struct ctnr_container *c;
	u32 deflt;
	int n, err;

	if (CTNR_NL_MISSING(info, CTNR_A_DEV_DEFAULT, "device default is required"))
		return -EINVAL;
	deflt = nla_get_u32(dattr);	/* allow or deny: the policy says */
	n = ctnr_dev_nl_rules(info, &rules);
	if (n < 0)
		return n;
	c = ctnr_nl_lookup(skb, info);
	if (IS_ERR(c)) {
		err = PTR_ERR(c);
		goto out_rules;
	}
	err = ctnr_dev_may_change(skb, c, &auth, info->extack);
	if (err)
		goto out;
	/* built outside the lock: the sort needs none */
	err = ctnr_dev_rules_build(deflt, rules, n, &new);
	if (err) {
		ctnr_dev_rules_err(err, info->extack);
		goto out;
	}
	mutex_lock(&ctnr_dev_lock);
	err = ctnr_dev_may_override(skb, c, info->extack);
	if (!err)
		err = ctnr_dev_replace_locked(c, new, auth, info->extack);
	else if (new)
		ctnr_dev_rules_free_now(new);
	mutex_unlock(&ctnr_dev_lock);
out:
	ctnr_put(c);
out_rules:
	kvfree(rules);
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
	struct user_namespace *auth;
	u32 deflt;
	int err;

	deflt = nla_get_u32(attr);	/* allow or deny: the policy says */
	err = ctnr_dev_may_change(skb, c, &auth, info->extack);
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
	struct user_namespace *auth;
	struct ctnr_dev_rules *new;
	u32 deflt;
	int err;

	err = ctnr_dev_nl_set_default_check(skb, info, c);
	if (err)
		return err;
	deflt = nla_get_u32(attr);
	err = ctnr_dev_may_change(skb, c, &auth, info->extack);
	if (err)
		return err;
	mutex_lock(&ctnr_dev_lock);
	err = ctnr_dev_may_override(skb, c, info->extack);
	if (!err)
		err = ctnr_dev_rules_build(deflt, NULL, 0, &new);
	if (!err)
		err = ctnr_dev_replace_locked(c, new, auth, info->extack);
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
		err = ctnr_dev_nl_put_rule(skb, c, i, &r->rule[r->order[i]]);
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

/* The hook is installed and its last check passed. */
bool ctnr_devaccess_available(void)
{
	return ctnr_hook_verified(&ctnr_dev_hook);
}

int ctnr_devaccess_init(void)
{
	BUILD_BUG_ON(CTNR_DEV_RULES_MAX > U16_MAX);
	ctnr_dev_wq = alloc_workqueue("ctnr_dev", WQ_UNBOUND, 0);
	if (!ctnr_dev_wq)
		return -ENOMEM;
	/* Without it, rule changes fail with EOPNOTSUPP: the module loads. */
	ctnr_hook_register(&ctnr_dev_hook);
	return 0;
}

/*
 * After the netlink family is gone.  Containers with policies can only
 * be left after a forced unload: they go in ctnr_container_uninit() and
 * put the hook then.
 */
void ctnr_devaccess_uninit(void)
{
	struct workqueue_struct *wq;

	mutex_lock(&ctnr_dev_lock);
	wq = ctnr_dev_wq;
	WRITE_ONCE(ctnr_dev_wq, NULL);	/* no more reports */
	mutex_unlock(&ctnr_dev_lock);
	ctnr_hook_unregister(&ctnr_dev_hook);
	destroy_workqueue(wq);	/* runs the pending reports */
}
