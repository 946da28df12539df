// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: the container registry.
 *
 * Containers are indexed by id (xarray), by (owner user namespace, name)
 * (rhashtable), by cgroup (for "which container is this task in") and by
 * init pid (for init exit tracking).  The last two map a key to a bucket
 * holding an RCU list of every container sharing it, so that removal stays
 * O(1) however many containers share a cgroup or an init.  Readers look up
 * under RCU and take a reference with refcount_inc_not_zero(); all writers
 * hold ctnr_lock.
 */
#include <linux/cgroup.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kernfs.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/rhashtable.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "ctnr.h"
#include "trace.h"

/*
 * ctnr_lock protects every write to ctnr_ids, ctnr_names, ctnr_cgroups,
 * ctnr_pids, ctnr_next_id and ctnr_total, and a container's flags, state
 * and unlinked fields (ctnr_owners has its own lock).  It nests outside
 * ctnr_dev_lock (taken by ctnr_dev_unlink()) and ctnr_owner_lock.
 */
static DEFINE_MUTEX(ctnr_lock);
static DEFINE_XARRAY_ALLOC1(ctnr_ids);
/*
 * Where xa_alloc_cyclic() looks for the next free id.  Also debugfs
 * ctnr/next_id (root, for the selftest of the wrap past U32_MAX).
 */
static u32 ctnr_next_id = 1;
static unsigned int ctnr_total;

static struct rhashtable ctnr_names;
static struct rhashtable ctnr_cgroups;	/* struct ctnr_bucket by cgroup */
static struct rhashtable ctnr_pids;	/* struct ctnr_bucket by init pid */
static struct workqueue_struct *ctnr_wq;

static const struct rhashtable_params ctnr_name_params = {
	.key_len = sizeof(struct ctnr_name_key),
	.key_offset = offsetof(struct ctnr_container, key),
	.head_offset = offsetof(struct ctnr_container, name_node),
	.automatic_shrinking = true,
};

/*
 * The containers sharing one cgroup or one init pid.  @list is written
 * under ctnr_lock and read under RCU; an emptied bucket leaves its table
 * and is freed after a grace period.  @key is only compared, never
 * dereferenced: each container on the list holds its own reference.
 */
struct ctnr_bucket {
	struct rhash_head node;
	const void *key;
	struct list_head list;
	struct rcu_head rcu;
};

static const struct rhashtable_params ctnr_bucket_params = {
	.key_len = sizeof(void *),
	.key_offset = offsetof(struct ctnr_bucket, key),
	.head_offset = offsetof(struct ctnr_bucket, node),
	.automatic_shrinking = true,
};

/* The bucket of @key, created if need be.  Caller holds ctnr_lock. */
static struct ctnr_bucket *ctnr_bucket_get(struct rhashtable *tbl,
					   const void *key)
{
	struct ctnr_bucket *b;
	int err;

	lockdep_assert_held(&ctnr_lock);
	b = rhashtable_lookup_fast(tbl, &key, ctnr_bucket_params);
	if (b)
		return b;
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->key = key;
	INIT_LIST_HEAD(&b->list);
	err = rhashtable_insert_fast(tbl, &b->node, ctnr_bucket_params);
	if (err) {
		kfree(b);
		return ERR_PTR(err);
	}
	ctnr_count_add(CTNR_CNT_BUCKETS, 1);
	ctnr_count_add(CTNR_CNT_BYTES, sizeof(*b));
	return b;
}

/* Caller holds ctnr_lock.  The order of the pid buckets does not matter. */
static int ctnr_pid_link(struct ctnr_container *c)
{
	struct ctnr_bucket *b = ctnr_bucket_get(&ctnr_pids, c->init_pid);

	if (IS_ERR(b))
		return PTR_ERR(b);
	list_add_rcu(&c->pid_link, &b->list);
	c->pid_bucket = b;
	return 0;
}

/*
 * Put @c on its cgroup's bucket.  Caller holds ctnr_lock.
 *
 * The containers of one cgroup are kept in order of privilege: the lowest
 * owner level first, then the oldest (ids only grow).  The first decides
 * which container a task of the cgroup is in (kmsg binding, ctnrloop
 * ownership, whoami), so a later, less privileged registration cannot
 * re-home the tasks of a container someone else imposed.  It cannot even
 * be made: the registrant must be able to manage the first container,
 * which (by induction) it can only if it can manage them all.
 */
static int ctnr_cgroup_link(struct ctnr_container *c,
			    struct netlink_ext_ack *extack)
{
	struct ctnr_bucket *b = ctnr_bucket_get(&ctnr_cgroups, c->cgrp);
	struct ctnr_container *first, *pos;

	if (IS_ERR(b))
		return PTR_ERR(b);
	first = list_first_entry_or_null(&b->list, struct ctnr_container,
					  cgrp_link);
	if (first && !ctnr_may_manage(first, NULL)) {
		NL_SET_ERR_MSG(extack, "the cgroup is held by a container of a more privileged or another owner");
		return -EBUSY;
	}
	/* from the newest: after every entry whose owner is not deeper */
	list_for_each_entry_reverse(pos, &b->list, cgrp_link)
		if (pos->level <= c->level)
			break;
	list_add_rcu(&c->cgrp_link, &pos->cgrp_link);
	c->cgrp_bucket = b;
	return 0;
}

/* Caller holds ctnr_lock. */
static void ctnr_bucket_del(struct rhashtable *tbl, struct list_head *link,
			    struct ctnr_bucket **bp)
{
	struct ctnr_bucket *b = *bp;

	lockdep_assert_held(&ctnr_lock);
	if (!b)
		return;
	list_del_rcu(link);
	*bp = NULL;
	if (!list_empty(&b->list))
		return;
	rhashtable_remove_fast(tbl, &b->node, ctnr_bucket_params);
	ctnr_count_add(CTNR_CNT_BUCKETS, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)sizeof(*b));
	kfree_rcu(b, rcu);
}

/* Stands for a bucket that does not exist; never written. */
static LIST_HEAD(ctnr_no_bucket);

/* The list of the containers on @key; under rcu_read_lock(). */
static struct list_head *ctnr_bucket_list_rcu(struct rhashtable *tbl,
					      const void *key)
{
	struct ctnr_bucket *b = rhashtable_lookup(tbl, &key,
						  ctnr_bucket_params);

	return b ? &b->list : &ctnr_no_bucket;
}

/*
 * Quotas, charged as the kernel's ucounts are.  A container owned by a
 * user namespace N other than the initial one is charged at every level
 * of N's ancestry, to two nodes per level:
 *
 *   the namespace node of N: everything N and the namespaces below it own
 *     (limits max_ns_containers and max_ns_loops);
 *   the user node (N->parent, N->owner): everything the user namespaces
 *     that uid N->owner created in N->parent own, with what is below them
 *     (limits max_user_containers and max_user_loops when N->parent is
 *     the initial namespace: a host user; none deeper, where the
 *     namespace node of N->parent binds, its admin owning every uid);
 *
 * then the same for N->parent, and so on up to the initial namespace.  A
 * user who makes many user namespaces, side by side or nested, has one
 * budget, and a namespace cannot go around its own with a child.  The
 * nodes of a container's chain are found at registration and kept in
 * c->charge[], one reference each, for as long as the container exists:
 * its ctnrloop devices are charged to them too (ctnr_charge()).
 * Containers of the initial user namespace are only counted globally,
 * where the last sixteenth of max_containers is theirs alone: tenants may
 * register only while fewer are registered in all.
 *
 * The same nodes tell INFO how many containers the caller sees, with no
 * walk: CAP_SYS_ADMIN in its user namespace C shows C's namespace node,
 * otherwise only the namespaces it created in C, that is its user node
 * (C, euid), as ns_capable() decides for each.
 */
#define CTNR_OWNER_NS	((u32)-1)	/* key.uid of a namespace node */

struct ctnr_owner_key {
	const struct user_namespace *ns;	/* compared, never followed */
	u32 uid;			/* a kuid, or CTNR_OWNER_NS */
	u32 pad;
};

struct ctnr_owner {
	struct rhash_head node;
	struct ctnr_owner_key key;
	refcount_t ref;		/* per container charged here, per walk */
	atomic_t used[__CTNR_RES_MAX];
	struct rb_root members;	/* registered containers, under ctnr_lock */
	struct rcu_head rcu;
};

static const struct rhashtable_params ctnr_owner_params = {
	.key_len = sizeof(struct ctnr_owner_key),
	.key_offset = offsetof(struct ctnr_owner, key),
	.head_offset = offsetof(struct ctnr_owner, node),
	.automatic_shrinking = true,
};

/*
 * Nodes are looked up under RCU; ctnr_owner_lock serialises insertion and
 * removal, and a node's last reference is dropped under it, so a node in
 * the table always has one.  A node lives no longer than the containers
 * charged to it, which pin its user namespace (and its ancestors): its key
 * is never matched by a namespace reusing the address.
 */
static struct rhashtable ctnr_owners;
static DEFINE_SPINLOCK(ctnr_owner_lock);

static struct ctnr_owner *ctnr_owner_get(const struct user_namespace *ns,
					 u32 uid)
{
	struct ctnr_owner_key key = { .ns = ns, .uid = uid };
	struct ctnr_owner *o, *new;
	int err;

	rcu_read_lock();
	o = rhashtable_lookup(&ctnr_owners, &key, ctnr_owner_params);
	if (o && !refcount_inc_not_zero(&o->ref))
		o = NULL;
	rcu_read_unlock();
	if (o)
		return o;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return ERR_PTR(-ENOMEM);
	new->key = key;
	new->members = RB_ROOT;
	refcount_set(&new->ref, 1);
	spin_lock(&ctnr_owner_lock);
	o = rhashtable_lookup_fast(&ctnr_owners, &key, ctnr_owner_params);
	if (o) {
		refcount_inc(&o->ref);
		err = 0;
	} else {
		err = rhashtable_insert_fast(&ctnr_owners, &new->node,
					     ctnr_owner_params);
	}
	spin_unlock(&ctnr_owner_lock);
	if (o || err) {
		kfree(new);
		return o ?: ERR_PTR(err);
	}
	ctnr_count_add(CTNR_CNT_OWNERS, 1);
	ctnr_count_add(CTNR_CNT_BYTES, sizeof(*new));
	return new;
}

static void ctnr_owner_put(struct ctnr_owner *o)
{
	/* refcount_dec_and_lock(), spelled out so that sparse can follow */
	if (refcount_dec_not_one(&o->ref))
		return;
	spin_lock(&ctnr_owner_lock);
	if (!refcount_dec_and_test(&o->ref)) {
		spin_unlock(&ctnr_owner_lock);
		return;
	}
	rhashtable_remove_fast(&ctnr_owners, &o->node, ctnr_owner_params);
	spin_unlock(&ctnr_owner_lock);
	ctnr_count_add(CTNR_CNT_OWNERS, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)sizeof(*o));
	kfree_rcu(o, rcu);
}

static void ctnr_chain_put(struct ctnr_container *c)
{
	u32 i;

	for (i = 0; i < c->ncharge; i++)
		ctnr_owner_put(c->charge[i].o);
	if (c->charge)
		ctnr_count_add(CTNR_CNT_BYTES,
			       -(long)(2 * c->level * sizeof(*c->charge)));
	kfree(c->charge);
	c->charge = NULL;
	c->ncharge = 0;
}

/* The nodes @c is charged to, from its owner up (none for init's). */
static int ctnr_chain_get(struct ctnr_container *c)
{
	const struct user_namespace *ns;
	struct ctnr_owner *o;

	if (!c->level)
		return 0;
	c->charge = kcalloc(2 * c->level, sizeof(*c->charge),
			    GFP_KERNEL_ACCOUNT);
	if (!c->charge)
		return -ENOMEM;
	ctnr_count_add(CTNR_CNT_BYTES, 2 * c->level * sizeof(*c->charge));
	for (ns = c->owner; ns != &init_user_ns; ns = ns->parent) {
		o = ctnr_owner_get(ns, CTNR_OWNER_NS);
		if (IS_ERR(o))
			goto fail;
		c->charge[c->ncharge].c = c;
		c->charge[c->ncharge++].o = o;
		o = ctnr_owner_get(ns->parent, __kuid_val(ns->owner));
		if (IS_ERR(o))
			goto fail;
		c->charge[c->ncharge].c = c;
		c->charge[c->ncharge++].o = o;
	}
	return 0;
fail:
	ctnr_chain_put(c);
	return PTR_ERR(o);
}

static unsigned int ctnr_owner_max(const struct ctnr_owner *o,
				   enum ctnr_res res)
{
	bool containers = res == CTNR_RES_CONTAINERS;

	if (o->key.uid == CTNR_OWNER_NS)
		return containers ? READ_ONCE(ctnr_max_ns_containers) :
				    READ_ONCE(ctnr_max_ns_loops);
	if (o->key.ns == &init_user_ns)
		return containers ? READ_ONCE(ctnr_max_user_containers) :
				    READ_ONCE(ctnr_max_user_loops);
	return UINT_MAX;
}

static void ctnr_owner_full(const struct ctnr_owner *o, enum ctnr_res res,
			    struct netlink_ext_ack *extack)
{
	bool ns = o->key.uid == CTNR_OWNER_NS;

	if (res == CTNR_RES_CONTAINERS && ns)
		NL_SET_ERR_MSG(extack, "a user namespace on the way up has all its containers (module parameter max_ns_containers)");
	else if (res == CTNR_RES_CONTAINERS)
		NL_SET_ERR_MSG(extack, "the host user who made your user namespace has all its containers (module parameter max_user_containers)");
	else if (ns)
		NL_SET_ERR_MSG(extack, "a user namespace on the way up has all its ctnrloop devices (module parameter max_ns_loops)");
	else
		NL_SET_ERR_MSG(extack, "the host user who made your user namespace has all its ctnrloop devices (module parameter max_user_loops)");
}

static bool ctnr_inc_below(atomic_t *v, unsigned int max)
{
	int old = atomic_read(v);

	do {
		if ((unsigned int)old >= max)
			return false;
	} while (!atomic_try_cmpxchg(v, &old, old + 1));
	return true;
}

/*
 * Charge one more @res to every node of @c's chain, or to none and fail:
 * -ENOSPC for a container, -EDQUOT for a ctnrloop device.  The caller
 * holds a reference on @c.  Any context: only atomics.
 */
int ctnr_charge(struct ctnr_container *c, enum ctnr_res res,
		struct netlink_ext_ack *extack)
{
	u32 i;

	for (i = 0; i < c->ncharge; i++) {
		struct ctnr_owner *o = c->charge[i].o;

		if (ctnr_inc_below(&o->used[res], ctnr_owner_max(o, res)))
			continue;
		ctnr_owner_full(o, res, extack);
		while (i--)
			atomic_dec(&c->charge[i].o->used[res]);
		return res == CTNR_RES_CONTAINERS ? -ENOSPC : -EDQUOT;
	}
	return 0;
}

void ctnr_uncharge(struct ctnr_container *c, enum ctnr_res res)
{
	u32 i;

	for (i = 0; i < c->ncharge; i++)
		atomic_dec(&c->charge[i].o->used[res]);
}

static bool ctnr_member_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct ctnr_charge, rb)->c->id <
	       rb_entry(b, struct ctnr_charge, rb)->c->id;
}

/* Into the index of every node of its chain.  Caller holds ctnr_lock. */
static void ctnr_members_link(struct ctnr_container *c)
{
	u32 i;

	lockdep_assert_held(&ctnr_lock);
	for (i = 0; i < c->ncharge; i++)
		rb_add(&c->charge[i].rb, &c->charge[i].o->members,
		       ctnr_member_less);
}

static void ctnr_members_unlink(struct ctnr_container *c)
{
	u32 i;

	lockdep_assert_held(&ctnr_lock);
	for (i = 0; i < c->ncharge; i++)
		rb_erase(&c->charge[i].rb, &c->charge[i].o->members);
}

/* Caller holds ctnr_lock. */
static int ctnr_container_charge(struct ctnr_container *c,
				 struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(ctnr_max_containers);
	int err;

	lockdep_assert_held(&ctnr_lock);
	if (ctnr_total >= max) {
		NL_SET_ERR_MSG(extack, "too many containers (module parameter max_containers)");
		return -ENOSPC;
	}
	if (c->level && ctnr_total >= max - DIV_ROUND_UP(max, 16)) {
		NL_SET_ERR_MSG(extack, "too many containers below the initial user namespace (the rest of max_containers is the host's)");
		return -ENOSPC;
	}
	err = ctnr_charge(c, CTNR_RES_CONTAINERS, extack);
	if (err)
		return err;
	ctnr_total++;
	return 0;
}

/* Caller holds ctnr_lock. */
static void ctnr_container_uncharge(struct ctnr_container *c)
{
	lockdep_assert_held(&ctnr_lock);
	ctnr_uncharge(c, CTNR_RES_CONTAINERS);
	ctnr_total--;
}

int ctnr_name_valid(const char *name, struct netlink_ext_ack *extack)
{
	size_t i, len = strnlen(name, CTNR_NAME_MAX);

	if (!len || len >= CTNR_NAME_MAX) {
		NL_SET_ERR_MSG(extack, "name must be 1 to 63 characters long");
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = name[i];

		if (!isascii(ch) || !(isalnum(ch) || ch == '_' || ch == '.' ||
				      ch == '-')) {
			NL_SET_ERR_MSG(extack, "name may only contain A-Z a-z 0-9 _ . -");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * A container has two reference counts.  ->ref counts the users of all of
 * it: the registry while it is linked, lookups, works.  Its last put
 * releases, after a grace period and from a work item, what it pins in the
 * kernel (the namespaces but the user namespace, the cgroup, the init pid):
 * deleting a container lets them go at once, whatever else still points at
 * it.  ->husk counts the holders of the small remainder (identity, owner
 * and user namespace, log, device state, charges): one for all ->ref
 * holders together, one per ctnrloop device and open /dev/ctnr-kmsg.
 * Those get a container whose ->ref may be gone, and take it with
 * ctnr_tryget() when they need what it pinned (ctnr_init_pid_nr(),
 * ctnr_cgroup_path()).  So a device mounted inside the container's mount
 * namespace no longer pins that namespace through its container.
 */
void ctnr_get(struct ctnr_container *c)
{
	refcount_inc(&c->ref);
}

/*
 * RCU readers may still look at a container that lost its last reference,
 * and through it at its owner (ctnr_may_manage()): both go only after a
 * grace period.  __put_user_ns() only queues work, so this may drop the
 * last reference on the user namespace.
 */
static void ctnr_free_rcu(struct rcu_head *rcu)
{
	struct ctnr_container *c = container_of(rcu, struct ctnr_container,
						rcu);

	put_user_ns(c->owner);
	ctnr_count_add(CTNR_CNT_USERNS_REFS, -1);
	kfree(c);
}

/* A reference on the remainder of @c, of which the caller holds one. */
struct ctnr_container *ctnr_husk_get(struct ctnr_container *c)
{
	refcount_inc(&c->husk);
	return c;
}

/* The last put must be in process context. */
void ctnr_husk_put(struct ctnr_container *c)
{
	if (!refcount_dec_and_test(&c->husk))
		return;
	might_sleep();
	ctnr_log_release(c);
	ctnr_dev_release(c);
	ctnr_ns_release(c, true);
	ctnr_chain_put(c);
	ctnr_count_add(CTNR_CNT_CONTAINERS, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)sizeof(*c));
	call_rcu(&c->rcu, ctnr_free_rcu);
}

/*
 * After the grace period that follows the last put of ->ref: RCU readers
 * of the cgroup and pid buckets (the device hook reads the pid namespace)
 * are gone, and no lookup can find @c again.
 */
static void ctnr_release_work(struct work_struct *work)
{
	struct ctnr_container *c = container_of(to_rcu_work(work),
						struct ctnr_container,
						release_rwork);

	ctnr_ns_release(c, false);
	if (c->cgrp) {
		cgroup_put(c->cgrp);
		c->cgrp = NULL;
		ctnr_count_add(CTNR_CNT_CGROUP_REFS, -1);
	}
	if (c->init_pid) {
		put_pid(c->init_pid);
		c->init_pid = NULL;
		ctnr_count_add(CTNR_CNT_PID_REFS, -1);
	}
	ctnr_husk_put(c);
}

/* Any context: the release is deferred. */
void ctnr_put(struct ctnr_container *c)
{
	if (refcount_dec_and_test(&c->ref))
		queue_rcu_work(ctnr_wq, &c->release_rwork);
}

static struct ctnr_container *ctnr_tryget(struct ctnr_container *c)
{
	if (c && refcount_inc_not_zero(&c->ref))
		return c;
	return NULL;
}

/*
 * @c's init pid as seen in @ns: 0 once the init is dead (even before the
 * stop work ran: the number may already be someone else's) or the
 * container's pins are gone.  The caller holds any reference on @c.
 */
u32 ctnr_init_pid_nr(const struct ctnr_container *c, struct pid_namespace *ns)
{
	struct ctnr_container *full = ctnr_tryget((struct ctnr_container *)c);
	u32 nr = 0;

	if (!full)
		return 0;
	if (READ_ONCE(c->state) == CTNR_STATE_RUNNING &&
	    pid_has_task(c->init_pid, PIDTYPE_TGID))
		nr = pid_nr_ns(c->init_pid, ns);
	ctnr_put(full);
	return nr;
}

/* cgroup_path_ns() of @c's cgroup, -ENOENT once its pins are gone. */
int ctnr_cgroup_path(const struct ctnr_container *c, char *buf, size_t len,
		     struct cgroup_namespace *ns)
{
	struct ctnr_container *full = ctnr_tryget((struct ctnr_container *)c);
	int ret;

	if (!full)
		return -ENOENT;
	ret = cgroup_path_ns(c->cgrp, buf, len, ns);
	ctnr_put(full);
	return ret;
}

/* Caller holds ctnr_lock; drops no reference. */
static void ctnr_unlink(struct ctnr_container *c)
{
	lockdep_assert_held(&ctnr_lock);
	xa_erase(&ctnr_ids, c->id);
	rhashtable_remove_fast(&ctnr_names, &c->name_node, ctnr_name_params);
	ctnr_bucket_del(&ctnr_cgroups, &c->cgrp_link, &c->cgrp_bucket);
	ctnr_bucket_del(&ctnr_pids, &c->pid_link, &c->pid_bucket);
	ctnr_members_unlink(c);
	ctnr_container_uncharge(c);
	WRITE_ONCE(c->unlinked, true);
	ctnr_log_unlink(c);
	ctnr_dev_unlink(c);
	trace_ctnr_container_del(c);
	ctnr_genl_notify(c, CTNR_EVENT_CONTAINER_DEL);
}

static void ctnr_stop_work(struct work_struct *work)
{
	struct ctnr_container *c = container_of(work, struct ctnr_container,
						stop_work);
	bool removed = false;

	/*
	 * Queued when the init died, or when AUTOREMOVE was set on a
	 * stopped container: either way the container is stopped now, and
	 * goes if it is to be removed.
	 */
	mutex_lock(&ctnr_lock);
	if (!c->unlinked) {
		if (c->state == CTNR_STATE_RUNNING) {
			WRITE_ONCE(c->state, CTNR_STATE_STOPPED);
			trace_ctnr_container_stopped(c);
			ctnr_genl_notify(c, CTNR_EVENT_CONTAINER_STOPPED);
		}
		/* Not if that drops a device policy imposed from above. */
		if ((c->flags & CTNR_F_AUTOREMOVE) &&
		    !ctnr_dev_may_release(c, NULL, CTNR_DEV_RELEASE_EXIT,
					  NULL)) {
			ctnr_unlink(c);
			removed = true;
		}
	}
	mutex_unlock(&ctnr_lock);
	if (removed) {
		ctnr_loop_container_gone(c);
		ctnr_put(c);	/* the registry's reference */
	}
	ctnr_put(c);		/* the work's reference */
}

/* Called from the sched_process_exit probe: atomic context. */
void ctnr_pid_exited(struct pid *pid)
{
	struct ctnr_container *c;
	struct list_head *head;

	rcu_read_lock();
	/*
	 * Looked up once: list_for_each_entry_rcu() evaluates its head at
	 * every step, and a bucket emptied meanwhile would leave the table.
	 */
	head = ctnr_bucket_list_rcu(&ctnr_pids, pid);
	list_for_each_entry_rcu(c, head, pid_link) {
		if (!refcount_inc_not_zero(&c->ref))
			continue;
		/* An already queued work holds a reference: never the last. */
		if (!queue_work(ctnr_wq, &c->stop_work))
			refcount_dec(&c->ref);
	}
	rcu_read_unlock();
}

static void ctnr_queue_stop(struct ctnr_container *c)
{
	ctnr_get(c);
	if (!queue_work(ctnr_wq, &c->stop_work))
		refcount_dec(&c->ref);
}

/* Is @ns the same as or below @ancestor? */
static bool ctnr_userns_within(const struct user_namespace *ns,
			       const struct user_namespace *ancestor)
{
	for (; ns; ns = ns->parent)
		if (ns == ancestor)
			return true;
	return false;
}

static void ctnr_cgroup2_sb(struct super_block *sb, void *arg)
{
	struct super_block **found = arg;

	if (!*found && atomic_inc_not_zero(&sb->s_active))
		*found = sb;
}

/*
 * May the current task write @cgrp's cgroup.procs, as far as the file's
 * owner and mode go?  This is cgroup_may_write(): inode_permission() on
 * the kernfs inode, which is the same in every cgroup2 mount (there is one
 * superblock).  kernfs_get_inode() is not exported: the inode is looked up
 * by number (kernfs_ino()), or else reached from the root by the cgroup's
 * path and checked to be the cgroup's own (a rename could have put another
 * in its place).
 */
static int ctnr_cgroup_procs_writable(struct cgroup *cgrp)
{
	struct file_system_type *fst = get_fs_type("cgroup2");
	struct super_block *sb = NULL;
	struct dentry *d, *next;
	struct inode *inode;
	char *buf, *p, *name;
	int len, err;

	if (!fst)
		return -ENOENT;
	iterate_supers_type(fst, ctnr_cgroup2_sb, &sb);
	module_put(fst->owner);
	if (!sb)
		return -ENOENT;		/* cgroup2 is not mounted anywhere */
	/* kernfs numbers its inodes by node id: usually it is cached */
	inode = ilookup(sb, kernfs_ino(cgrp->procs_file.kn));
	if (inode) {
		err = ctnr_inode_permission(inode, MAY_WRITE);
		iput(inode);
		goto out_sb;
	}
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf) {
		err = -ENOMEM;
		goto out_sb;
	}
	len = kernfs_path(cgrp->kn, buf, PATH_MAX);
	if (len < 0 || len >= PATH_MAX) {
		err = len < 0 ? len : -ENAMETOOLONG;
		goto out_buf;
	}
	d = dget(sb->s_root);
	for (p = buf; (name = strsep(&p, "/")) != NULL;) {
		if (!*name)
			continue;
		next = ctnr_lookup_positive(name, d);
		dput(d);
		if (IS_ERR(next)) {
			err = PTR_ERR(next);
			goto out_buf;
		}
		d = next;
	}
	next = ctnr_lookup_positive("cgroup.procs", d);
	dput(d);
	if (IS_ERR(next)) {
		err = PTR_ERR(next);
		goto out_buf;
	}
	if (d_inode(next)->i_ino != kernfs_ino(cgrp->procs_file.kn))
		err = -ESTALE;
	else
		err = ctnr_inode_permission(d_inode(next), MAY_WRITE);
	dput(next);
out_buf:
	kfree(buf);
out_sb:
	deactivate_super(sb);
	return err;
}

/*
 * The cgroup a container made from a task of @cgrp binds: @cgrp, or, when
 * @cgrp is a threaded cgroup, the threaded domain at the root of its
 * threaded subtree (*@threaded true).  The threads of one process may sit
 * in different cgroups of one threaded subtree, never outside it, so only
 * the domain binds them all: a container bound to one threaded cgroup
 * would let a sibling thread, moved to a sibling threaded cgroup, escape
 * its device rules.  Caller holds rcu_read_lock(); @cgrp->dom_cgrp is
 * written under cgroup_mutex, and is @cgrp or an ancestor of it.
 */
static struct cgroup *ctnr_cgroup_domain(struct cgroup *cgrp, bool *threaded)
{
	struct cgroup *dom = READ_ONCE(cgrp->dom_cgrp);

	*threaded = dom != cgrp;
	return dom;
}

/*
 * Authority over the cgroup a container is registered on, which binds
 * every task in it (whoami, kmsg, ctnrloop ownership, device rules): the
 * cgroup must be inside the caller's cgroup namespace, and the caller must
 * be allowed to write its cgroup.procs, that is to put tasks into it (a
 * cgroup delegated to the caller, or any for the host's root).  @threaded:
 * @cgrp is the threaded domain of the task's threaded cgroup.
 */
static int ctnr_cgroup_may_claim(struct cgroup *cgrp, bool threaded,
				 struct netlink_ext_ack *extack)
{
	struct cgroup *root = current->nsproxy->cgroup_ns->root_cset->dfl_cgrp;
	int err;

	if (!cgroup_is_descendant(cgrp, root)) {
		if (threaded)
			NL_SET_ERR_MSG(extack, "the task's cgroup is threaded and its threaded domain, which the container would bind, is outside your cgroup namespace");
		else
			NL_SET_ERR_MSG(extack, "the task's cgroup is outside your cgroup namespace");
		return -EPERM;
	}
	err = ctnr_cgroup_procs_writable(cgrp);
	switch (err) {
	case 0:
		return 0;
	case -EACCES:
	case -EPERM:
	case -EROFS:
		if (threaded)
			NL_SET_ERR_MSG(extack, "the task's cgroup is threaded: the container binds its threaded domain, whose cgroup.procs you may not write (it is not delegated to you)");
		else
			NL_SET_ERR_MSG(extack, "you may not write the cgroup.procs of the task's cgroup (it is not delegated to you)");
		return -EPERM;
	case -ENOMEM:
		NL_SET_ERR_MSG(extack, "out of memory");
		return err;
	default:
		NL_SET_ERR_MSG(extack, "cannot check the task's cgroup (renamed, removed, or no cgroup2 mount)");
		return err == -ESTALE ? -EAGAIN : err;
	}
}

struct ctnr_container *ctnr_container_create(const char *name,
					     struct task_struct *task, u32 flags,
					     struct netlink_ext_ack *extack)
{
	struct user_namespace *owner = current_user_ns();
	struct ctnr_container *c;
	struct cgroup *cgrp;
	bool threaded;
	int err;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	ctnr_count_add(CTNR_CNT_CONTAINERS, 1);
	ctnr_count_add(CTNR_CNT_BYTES, sizeof(*c));
	refcount_set(&c->ref, 1);
	refcount_set(&c->husk, 1);
	INIT_RCU_WORK(&c->release_rwork, ctnr_release_work);
	INIT_WORK(&c->stop_work, ctnr_stop_work);
	c->owner = get_user_ns(owner);
	ctnr_count_add(CTNR_CNT_USERNS_REFS, 1);
	c->level = owner->level;
	c->key.owner = owner;
	strscpy_pad(c->key.name, name, sizeof(c->key.name));
	c->flags = flags;
	c->state = CTNR_STATE_RUNNING;
	c->ctime = ktime_get_real_ns();

	/*
	 * Only tasks of the caller's user namespace or below; checked again
	 * on what was pinned, since the task may setns() meanwhile.
	 */
	rcu_read_lock();
	err = ctnr_userns_within(__task_cred(task)->user_ns, owner) ? 0 :
								      -EPERM;
	rcu_read_unlock();
	if (err) {
		NL_SET_ERR_MSG(extack, "the task's user namespace is not yours or below it");
		goto out_put;
	}
	err = ctnr_ns_capture(c, task);
	if (err) {
		if (err == -EPERM)
			NL_SET_ERR_MSG(extack, "you may not read the task's namespaces (ptrace read access, as /proc/PID/ns needs)");
		else if (err == -ESRCH)
			NL_SET_ERR_MSG(extack, "the task is exiting: cannot pin its namespaces");
		else if (err == -EAGAIN)
			NL_SET_ERR_MSG(extack, "the task kept changing credentials (exec or setuid): try again");
		else
			NL_SET_ERR_MSG(extack, "cannot pin the task's namespaces");
		goto out_put;
	}
	/* the user namespace as pinned, whatever the task did meanwhile */
	if (c->ns[CTNR_NS_USER] &&
	    !ctnr_userns_within(container_of(c->ns[CTNR_NS_USER],
					     struct user_namespace, ns),
				owner)) {
		err = -EPERM;
		NL_SET_ERR_MSG(extack, "the task's user namespace is not yours or below it");
		goto out_put;
	}

	rcu_read_lock();
	cgrp = ctnr_cgroup_domain(task_dfl_cgroup(task), &threaded);
	if (!cgroup_tryget(cgrp))
		cgrp = NULL;
	rcu_read_unlock();
	if (!cgrp) {
		err = -ESRCH;
		NL_SET_ERR_MSG(extack, "the task's cgroup is going away");
		goto out_put;
	}
	c->cgrp = cgrp;
	ctnr_count_add(CTNR_CNT_CGROUP_REFS, 1);
	err = ctnr_cgroup_may_claim(cgrp, threaded, extack);
	if (err)
		goto out_put;
	/* NULL once the task is released: it may die at any point above */
	c->init_pid = get_task_pid(task, PIDTYPE_TGID);
	if (!c->init_pid) {
		err = -ESRCH;
		NL_SET_ERR_MSG(extack, "the task has exited");
		goto out_put;
	}
	c->start_boottime = task->start_boottime;
	ctnr_count_add(CTNR_CNT_PID_REFS, 1);

	err = ctnr_chain_get(c);
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory");
		goto out_put;
	}

	mutex_lock(&ctnr_lock);
	err = ctnr_container_charge(c, extack);
	if (err)
		goto out_unlock;
	/*
	 * The next free id after the last one given, wrapping past U32_MAX:
	 * ids run out only with 2^32 - 1 containers registered, and a
	 * deleted id comes back only after the cursor has gone all the way
	 * round.  Reserved (a NULL entry, which lookups skip) until the
	 * container is published below.
	 */
	err = xa_alloc_cyclic(&ctnr_ids, &c->id, NULL, XA_LIMIT(1, U32_MAX),
			      &ctnr_next_id, GFP_KERNEL);
	if (err < 0) {
		if (err == -EBUSY) {
			err = -ENOSPC;
			NL_SET_ERR_MSG(extack, "every container id is in use");
		} else {
			NL_SET_ERR_MSG(extack, "cannot allocate an id (out of memory)");
		}
		goto out_uncharge;
	}
	err = rhashtable_lookup_insert_fast(&ctnr_names, &c->name_node,
					    ctnr_name_params);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack, "a container of this name already exists");
		else
			NL_SET_ERR_MSG(extack, "cannot index the name (out of memory)");
		goto out_id;
	}
	err = ctnr_cgroup_link(c, extack);
	if (err) {
		if (err != -EBUSY)
			NL_SET_ERR_MSG(extack, "cannot index the cgroup (out of memory)");
		goto out_names;
	}
	err = ctnr_pid_link(c);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot index the init (out of memory)");
		goto out_cgroups;
	}
	/* over the reserved entry: nothing to allocate, cannot fail */
	xa_store(&ctnr_ids, c->id, c, GFP_KERNEL);
	ctnr_members_link(c);
	trace_ctnr_container_new(c);
	ctnr_genl_notify(c, CTNR_EVENT_CONTAINER_NEW);

	/*
	 * The exit probe looks up ctnr_pids after the exiting thread dropped
	 * signal->live; we inserted before reading it.  One of the two sees
	 * the other, so an init that died meanwhile still stops the container.
	 */
	smp_mb();
	/*
	 * The caller's reference, taken before the lock is dropped: from then
	 * on a stop work (queued below, or by the exit probe) or a concurrent
	 * delete may drop the registry's.
	 */
	ctnr_get(c);
	if (!atomic_read(&task->signal->live))
		ctnr_queue_stop(c);
	mutex_unlock(&ctnr_lock);
	return c;

out_cgroups:
	ctnr_bucket_del(&ctnr_cgroups, &c->cgrp_link, &c->cgrp_bucket);
out_names:
	rhashtable_remove_fast(&ctnr_names, &c->name_node, ctnr_name_params);
out_id:
	xa_erase(&ctnr_ids, c->id);
out_uncharge:
	ctnr_container_uncharge(c);
out_unlock:
	/*
	 * The exit probe may have seen c on its init's bucket and queued a
	 * stop work: it must find c unlinked, as if deleted.
	 */
	WRITE_ONCE(c->unlinked, true);
	mutex_unlock(&ctnr_lock);
out_put:
	ctnr_put(c);	/* lookups that saw it hold their own references */
	return ERR_PTR(err);
}

int ctnr_container_delete(struct ctnr_container *c)
{
	mutex_lock(&ctnr_lock);
	if (c->unlinked) {
		mutex_unlock(&ctnr_lock);
		return -ENOENT;
	}
	ctnr_unlink(c);
	mutex_unlock(&ctnr_lock);
	ctnr_loop_container_gone(c);
	ctnr_put(c);	/* the registry's reference */
	return 0;
}

int ctnr_container_set_flags(struct ctnr_container *c, u32 flags)
{
	int err = 0;

	mutex_lock(&ctnr_lock);
	if (c->unlinked) {
		err = -ENOENT;
	} else {
		WRITE_ONCE(c->flags, flags);
		/* Asking for autoremove on a stopped container removes it. */
		if ((flags & CTNR_F_AUTOREMOVE) &&
		    c->state == CTNR_STATE_STOPPED)
			ctnr_queue_stop(c);
	}
	mutex_unlock(&ctnr_lock);
	return err;
}

/* May the caller (and the opener of @file, if any) manage @c? */
bool ctnr_may_manage(const struct ctnr_container *c, const struct file *file)
{
	if (file && !file_ns_capable(file, c->owner, CAP_SYS_ADMIN))
		return false;
	return ns_capable_noaudit(c->owner, CAP_SYS_ADMIN);
}

/*
 * Look a container up by id, or by name among those owned by the caller's
 * user namespace when id is 0.  Returns a reference or NULL.  Visibility is
 * the caller's business.
 */
struct ctnr_container *ctnr_lookup(u32 id, const char *name)
{
	struct ctnr_name_key key = { .owner = current_user_ns() };
	struct ctnr_container *c;

	rcu_read_lock();
	if (id) {
		c = xa_load(&ctnr_ids, id);
	} else {
		strscpy_pad(key.name, name, sizeof(key.name));
		c = rhashtable_lookup(&ctnr_names, &key, ctnr_name_params);
	}
	c = ctnr_tryget(c);
	rcu_read_unlock();
	return c;
}

/*
 * The charge node whose containers are those the current task may manage
 * (see "Quotas" above), in @key; false when that is every container.
 */
static bool ctnr_view_key(struct ctnr_owner_key *key)
{
	struct user_namespace *ns = current_user_ns();

	memset(key, 0, sizeof(*key));
	key->ns = ns;
	if (ns_capable_noaudit(ns, CAP_SYS_ADMIN)) {
		if (ns == &init_user_ns)
			return false;
		key->uid = CTNR_OWNER_NS;
	} else {
		key->uid = __kuid_val(current_euid());
	}
	return true;
}

/* Containers the current task may manage, from its charge node. */
unsigned int ctnr_count_visible(void)
{
	struct ctnr_owner_key key;
	struct ctnr_owner *o;
	unsigned int n;

	if (!ctnr_view_key(&key))
		return READ_ONCE(ctnr_total);
	rcu_read_lock();
	o = rhashtable_lookup(&ctnr_owners, &key, ctnr_owner_params);
	n = o ? atomic_read(&o->used[CTNR_RES_CONTAINERS]) : 0;
	rcu_read_unlock();
	return n;
}

void ctnr_walk_start(struct ctnr_walk *w)
{
	struct ctnr_owner_key key;
	struct ctnr_owner *o;

	w->o = NULL;
	w->all = !ctnr_view_key(&key);
	if (w->all)
		return;
	rcu_read_lock();
	o = rhashtable_lookup(&ctnr_owners, &key, ctnr_owner_params);
	if (o && refcount_inc_not_zero(&o->ref))
		w->o = o;
	rcu_read_unlock();
}

void ctnr_walk_end(struct ctnr_walk *w)
{
	if (w->o)
		ctnr_owner_put(w->o);
	w->o = NULL;
}

/* The first container with an id >= *id in the xarray. */
static struct ctnr_container *ctnr_next(unsigned long *id)
{
	struct ctnr_container *c;

	rcu_read_lock();
	for (;;) {
		c = xa_find(&ctnr_ids, id, ULONG_MAX, XA_PRESENT);
		if (!c || ctnr_tryget(c))
			break;
		(*id)++;
	}
	rcu_read_unlock();
	return c;
}

/*
 * The first container with an id >= *id that the walk covers, with a
 * reference, or NULL; *id is set to its id.  O(log n) in the node.
 */
struct ctnr_container *ctnr_walk_next(const struct ctnr_walk *w,
				      unsigned long *id)
{
	struct ctnr_charge *best = NULL, *ch;
	struct ctnr_container *c = NULL;
	struct rb_node *n;

	if (w->all)
		return ctnr_next(id);
	if (!w->o)
		return NULL;
	mutex_lock(&ctnr_lock);
	for (n = w->o->members.rb_node; n;) {
		ch = rb_entry(n, struct ctnr_charge, rb);
		if (ch->c->id >= *id) {
			best = ch;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	/* every member is registered: the registry holds a reference */
	if (best) {
		c = best->c;
		ctnr_get(c);
		*id = c->id;
	}
	mutex_unlock(&ctnr_lock);
	return c;
}

/*
 * The container whose cgroup is the innermost one containing @cgrp, and
 * among those on that cgroup the most privileged (ctnr_cgroup_link());
 * containers on the root cgroup never match.  Caller holds rcu_read_lock(); no reference is
 * taken.
 */
struct ctnr_container *ctnr_find_by_cgroup_rcu(struct cgroup *cgrp)
{
	struct ctnr_container *c;

	for (; cgrp && cgroup_parent(cgrp); cgrp = cgroup_parent(cgrp)) {
		c = list_first_or_null_rcu(ctnr_on_cgroup_rcu(cgrp),
					   struct ctnr_container, cgrp_link);
		if (c)
			return c;
	}
	return NULL;
}

/*
 * The list of the containers registered on exactly @cgrp; caller holds
 * rcu_read_lock().  Keep the result for the whole walk: looked up again, an
 * emptied bucket would be gone from the table while the walk is on it.
 */
struct list_head *ctnr_on_cgroup_rcu(struct cgroup *cgrp)
{
	return ctnr_bucket_list_rcu(&ctnr_cgroups, cgrp);
}

/* The container @task is in, with a reference, or NULL. */
struct ctnr_container *ctnr_find_by_task(struct task_struct *task)
{
	struct ctnr_container *c;

	rcu_read_lock();
	c = ctnr_tryget(ctnr_find_by_cgroup_rcu(task_dfl_cgroup(task)));
	rcu_read_unlock();
	return c;
}

int ctnr_container_init(void)
{
	int err;

	ctnr_wq = alloc_workqueue("ctnr", WQ_UNBOUND, 0);
	if (!ctnr_wq)
		return -ENOMEM;
	err = rhashtable_init(&ctnr_names, &ctnr_name_params);
	if (err)
		goto out_wq;
	err = rhashtable_init(&ctnr_cgroups, &ctnr_bucket_params);
	if (err)
		goto out_names;
	err = rhashtable_init(&ctnr_pids, &ctnr_bucket_params);
	if (err)
		goto out_cgroups;
	err = rhashtable_init(&ctnr_owners, &ctnr_owner_params);
	if (err)
		goto out_pids;
	debugfs_create_u32("next_id", 0600, ctnr_debugfs_dir(), &ctnr_next_id);
	return 0;

out_pids:
	rhashtable_destroy(&ctnr_pids);
out_cgroups:
	rhashtable_destroy(&ctnr_cgroups);
out_names:
	rhashtable_destroy(&ctnr_names);
out_wq:
	destroy_workqueue(ctnr_wq);
	return err;
}

/*
 * The exit probe is gone and no request can come in any more: let the
 * stop works queued so far run, before the subsystems they call go down.
 */
void ctnr_container_quiesce(void)
{
	flush_workqueue(ctnr_wq);
}

/* After the exit probe is gone and no request can come in any more. */
void ctnr_container_uninit(void)
{
	struct ctnr_container *c;
	unsigned long id;

	flush_workqueue(ctnr_wq);
	xa_for_each(&ctnr_ids, id, c)
		ctnr_container_delete(c);
	/*
	 * Stop works queued meanwhile hold references; the last puts queue
	 * the releases after a grace period, and those free the containers
	 * after another one.
	 */
	flush_workqueue(ctnr_wq);
	rcu_barrier();
	flush_workqueue(ctnr_wq);
	rcu_barrier();	/* ctnr_free_rcu() */
	destroy_workqueue(ctnr_wq);
	rhashtable_destroy(&ctnr_owners);
	rhashtable_destroy(&ctnr_pids);
	rhashtable_destroy(&ctnr_cgroups);
	rhashtable_destroy(&ctnr_names);
	xa_destroy(&ctnr_ids);
}
