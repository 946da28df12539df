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
#include <linux/hashtable.h>
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
 * ctnr_pids, ctnr_owners and ctnr_next_id, and a container's flags, state
 * and unlinked fields.  It nests outside cgroup_mutex (taken by
 * cgroup_path_ns() while sending events) and outside ctnr_dev_lock (taken
 * by ctnr_dev_unlink()).
 */
static DEFINE_MUTEX(ctnr_lock);
static DEFINE_XARRAY(ctnr_ids);
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

/* Caller holds ctnr_lock. */
static int ctnr_bucket_add(struct rhashtable *tbl, const void *key,
			   struct list_head *link, struct ctnr_bucket **bp)
{
	struct ctnr_bucket *b;
	int err;

	lockdep_assert_held(&ctnr_lock);
	b = rhashtable_lookup_fast(tbl, &key, ctnr_bucket_params);
	if (!b) {
		b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
		if (!b)
			return -ENOMEM;
		b->key = key;
		INIT_LIST_HEAD(&b->list);
		err = rhashtable_insert_fast(tbl, &b->node, ctnr_bucket_params);
		if (err) {
			kfree(b);
			return err;
		}
		ctnr_count_add(CTNR_CNT_BUCKETS, 1);
		ctnr_count_add(CTNR_CNT_BYTES, sizeof(*b));
	}
	/* Newest first: the innermost lookup prefers the latest container. */
	list_add_rcu(link, &b->list);
	*bp = b;
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

/* Containers per owner user namespace other than the initial one. */
struct ctnr_owner {
	struct hlist_node node;
	const struct user_namespace *ns;
	unsigned int count;
};

static DEFINE_HASHTABLE(ctnr_owners, 8);	/* under ctnr_lock */

static struct ctnr_owner *ctnr_owner_find(const struct user_namespace *ns)
{
	struct ctnr_owner *o;

	hash_for_each_possible(ctnr_owners, o, node, (unsigned long)ns)
		if (o->ns == ns)
			return o;
	return NULL;
}

static int ctnr_owner_charge(const struct user_namespace *ns,
			     struct netlink_ext_ack *extack)
{
	struct ctnr_owner *o;

	if (ctnr_total >= ctnr_max_containers) {
		NL_SET_ERR_MSG(extack, "too many containers (module parameter max_containers)");
		return -ENOSPC;
	}
	if (ns == &init_user_ns)
		return 0;
	o = ctnr_owner_find(ns);
	if (!o) {
		o = kzalloc(sizeof(*o), GFP_KERNEL);
		if (!o)
			return -ENOMEM;
		o->ns = ns;
		hash_add(ctnr_owners, &o->node, (unsigned long)ns);
	}
	if (o->count >= ctnr_max_user_containers) {
		NL_SET_ERR_MSG(extack, "too many containers for this user namespace (module parameter max_user_containers)");
		if (!o->count) {
			hash_del(&o->node);
			kfree(o);
		}
		return -ENOSPC;
	}
	o->count++;
	return 0;
}

static void ctnr_owner_uncharge(const struct user_namespace *ns)
{
	struct ctnr_owner *o;

	if (ns == &init_user_ns)
		return;
	o = ctnr_owner_find(ns);
	if (WARN_ON_ONCE(!o))
		return;
	if (!--o->count) {
		hash_del(&o->node);
		kfree(o);
	}
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

void ctnr_get(struct ctnr_container *c)
{
	refcount_inc(&c->ref);
}

static void ctnr_release(struct ctnr_container *c)
{
	might_sleep();
	ctnr_log_release(c);
	ctnr_dev_release(c);
	ctnr_ns_release(c);
	if (c->cgrp) {
		cgroup_put(c->cgrp);
		ctnr_count_add(CTNR_CNT_CGROUP_REFS, -1);
	}
	if (c->init_pid) {
		put_pid(c->init_pid);
		ctnr_count_add(CTNR_CNT_PID_REFS, -1);
	}
	put_user_ns(c->owner);
	ctnr_count_add(CTNR_CNT_USERNS_REFS, -1);
	ctnr_count_add(CTNR_CNT_CONTAINERS, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)sizeof(*c));
	kfree_rcu(c, rcu);
}

/* The last put must be in process context. */
void ctnr_put(struct ctnr_container *c)
{
	if (refcount_dec_and_test(&c->ref))
		ctnr_release(c);
}

/* Caller holds ctnr_lock; drops no reference. */
static void ctnr_unlink(struct ctnr_container *c)
{
	lockdep_assert_held(&ctnr_lock);
	xa_erase(&ctnr_ids, c->id);
	rhashtable_remove_fast(&ctnr_names, &c->name_node, ctnr_name_params);
	ctnr_bucket_del(&ctnr_cgroups, &c->cgrp_link, &c->cgrp_bucket);
	ctnr_bucket_del(&ctnr_pids, &c->pid_link, &c->pid_bucket);
	ctnr_owner_uncharge(c->owner);
	ctnr_total--;
	c->unlinked = true;
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

	mutex_lock(&ctnr_lock);
	if (!c->unlinked && c->state == CTNR_STATE_RUNNING) {
		WRITE_ONCE(c->state, CTNR_STATE_STOPPED);
		trace_ctnr_container_stopped(c);
		ctnr_genl_notify(c, CTNR_EVENT_CONTAINER_STOPPED);
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

struct ctnr_container *ctnr_container_create(const char *name,
					     struct task_struct *task, u32 flags,
					     struct netlink_ext_ack *extack)
{
	struct user_namespace *owner = current_user_ns();
	struct ctnr_container *c;
	struct cgroup *cgrp;
	int err;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	ctnr_count_add(CTNR_CNT_CONTAINERS, 1);
	ctnr_count_add(CTNR_CNT_BYTES, sizeof(*c));
	refcount_set(&c->ref, 1);
	INIT_WORK(&c->stop_work, ctnr_stop_work);
	c->owner = get_user_ns(owner);
	ctnr_count_add(CTNR_CNT_USERNS_REFS, 1);
	c->key.owner = owner;
	strscpy_pad(c->key.name, name, sizeof(c->key.name));
	c->flags = flags;
	c->state = CTNR_STATE_RUNNING;
	c->ctime = ktime_get_real_ns();

	err = ctnr_ns_capture(c, task);
	if (err) {
		NL_SET_ERR_MSG(extack, "the task is exiting: cannot pin its namespaces");
		goto out_put;
	}

	rcu_read_lock();
	cgrp = task_dfl_cgroup(task);
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
	c->init_pid = get_task_pid(task, PIDTYPE_TGID);
	ctnr_count_add(CTNR_CNT_PID_REFS, 1);

	mutex_lock(&ctnr_lock);
	err = ctnr_owner_charge(owner, extack);
	if (err)
		goto out_unlock;
	if (!ctnr_next_id) {
		err = -ENOSPC;
		NL_SET_ERR_MSG(extack, "container ids exhausted until the module is reloaded");
		goto out_uncharge;
	}
	c->id = ctnr_next_id;
	err = rhashtable_lookup_insert_fast(&ctnr_names, &c->name_node,
					    ctnr_name_params);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG(extack, "a container of this name already exists");
		goto out_uncharge;
	}
	err = ctnr_bucket_add(&ctnr_cgroups, c->cgrp, &c->cgrp_link,
			      &c->cgrp_bucket);
	if (err)
		goto out_names;
	err = ctnr_bucket_add(&ctnr_pids, c->init_pid, &c->pid_link,
			      &c->pid_bucket);
	if (err)
		goto out_cgroups;
	err = xa_insert(&ctnr_ids, c->id, c, GFP_KERNEL);
	if (err)
		goto out_pids;
	ctnr_next_id++;
	ctnr_total++;
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

out_pids:
	ctnr_bucket_del(&ctnr_pids, &c->pid_link, &c->pid_bucket);
out_cgroups:
	ctnr_bucket_del(&ctnr_cgroups, &c->cgrp_link, &c->cgrp_bucket);
out_names:
	rhashtable_remove_fast(&ctnr_names, &c->name_node, ctnr_name_params);
out_uncharge:
	ctnr_owner_uncharge(owner);
out_unlock:
	/*
	 * The exit probe may have seen c on its init's bucket and queued a
	 * stop work: it must find c unlinked, as if deleted.
	 */
	c->unlinked = true;
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

static struct ctnr_container *ctnr_tryget(struct ctnr_container *c)
{
	if (c && refcount_inc_not_zero(&c->ref))
		return c;
	return NULL;
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

/* The first container with an id >= *id; a reference or NULL. */
struct ctnr_container *ctnr_next(unsigned long *id)
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

unsigned int ctnr_count_visible(void)
{
	struct ctnr_container *c;
	unsigned long id;
	unsigned int n = 0;

	rcu_read_lock();
	xa_for_each(&ctnr_ids, id, c)
		if (ctnr_may_manage(c, NULL))
			n++;
	rcu_read_unlock();
	return n;
}

/*
 * The innermost container whose cgroup contains @cgrp; containers on the
 * root cgroup never match.  Caller holds rcu_read_lock(); no reference is
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
	return 0;

out_cgroups:
	rhashtable_destroy(&ctnr_cgroups);
out_names:
	rhashtable_destroy(&ctnr_names);
out_wq:
	destroy_workqueue(ctnr_wq);
	return err;
}

/* After the exit probe is gone and no request can come in any more. */
void ctnr_container_uninit(void)
{
	struct ctnr_container *c;
	unsigned long id;

	flush_workqueue(ctnr_wq);
	xa_for_each(&ctnr_ids, id, c)
		ctnr_container_delete(c);
	/* Stop works queued by the deletions above hold the last refs. */
	flush_workqueue(ctnr_wq);
	destroy_workqueue(ctnr_wq);
	rhashtable_destroy(&ctnr_pids);
	rhashtable_destroy(&ctnr_cgroups);
	rhashtable_destroy(&ctnr_names);
	xa_destroy(&ctnr_ids);
	rcu_barrier();	/* kfree_rcu() of the containers */
}
