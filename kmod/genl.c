// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: the generic netlink family "ctnr".
 *
 * One flat attribute space; each command has its own strict policy, so an
 * attribute a command does not take is rejected by genetlink with an
 * extended-ack message.  The policies, with every bound the spec states
 * (NLA_POLICY_MIN/MAX/RANGE/MASK), are generated from
 * Documentation/netlink/specs/ctnr.yaml into genl-gen.c; checks that a
 * policy cannot express are made here, each with its own message.
 *
 * genetlink sizes info->attrs by the op's policy (its highest attribute),
 * so a handler reads only attributes its op's request lists in the spec.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "ctnr.h"
#include "genl-gen.h"
#include "hook.h"

static struct genl_family ctnr_genl_family;
/*
 * Written only at init and exit; an event is multicast only under RCU
 * with it set, so that none goes out once the family is unregistered.
 */
static bool ctnr_genl_registered;

static const struct genl_multicast_group ctnr_mcgrps[] = {
	/* Events name every container: host administrators only. */
	[CTNR_NLGRP_EVENTS] = { .name = CTNR_GENL_MCGRP_EVENTS,
				.flags = GENL_MCAST_CAP_SYS_ADMIN },
};

/* The socket's opener must hold the capability too, not only the sender. */
static const struct file *ctnr_nl_file(const struct sk_buff *skb)
{
	struct sock *sk = NETLINK_CB(skb).sk;

	return sk && sk->sk_socket ? sk->sk_socket->file : NULL;
}

/* A description with a cgroup path of up to PATH_MAX always fits. */
#define CTNR_NL_REPLY_SIZE	(NLMSG_GOODSIZE + PATH_MAX)

static int ctnr_nl_put_ns(struct sk_buff *skb, const struct ctnr_container *c)
{
	struct nlattr *nest;
	int t;

	nest = nla_nest_start(skb, CTNR_A_NS);
	if (!nest)
		return -EMSGSIZE;
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (!c->ns[t])
			continue;
		if (nla_put_u32(skb, CTNR_NS_A_BASE + t, ctnr_ns_inum(c, t))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Whose view a description takes: ids and pids are translated into these
 * namespaces, the cgroup path is relative to @cgns (left out if NULL).
 */
struct ctnr_nl_view {
	struct user_namespace *userns;
	struct pid_namespace *pidns;
	struct cgroup_namespace *cgns;
};

/* The current task's view, for a reply to what it sent. */
static void ctnr_nl_view_current(struct ctnr_nl_view *v)
{
	v->userns = current_user_ns();
	v->pidns = task_active_pid_ns(current);
	v->cgns = current->nsproxy ? current->nsproxy->cgroup_ns : NULL;
}

/* Events are seen from the initial namespaces, and name no cgroup. */
static const struct ctnr_nl_view ctnr_nl_view_init = {
	.userns = &init_user_ns,
	.pidns = &init_pid_ns,
};

/*
 * Describe @c as seen from @v; @buf (PATH_MAX bytes) is for the cgroup
 * path, allocated here if NULL.
 */
static int ctnr_nl_fill(struct sk_buff *skb, const struct ctnr_container *c,
			u32 portid, u32 seq, int flags, u8 cmd, u32 event,
			const struct ctnr_nl_view *v, char *buf)
{
	u32 state = READ_ONCE(c->state);
	u32 pid = ctnr_init_pid_nr(c, v->pidns);
	char *own = NULL;
	void *hdr;
	int len;

	hdr = genlmsg_put(skb, portid, seq, &ctnr_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if ((event && nla_put_u32(skb, CTNR_A_EVENT, event)) ||
	    nla_put_u32(skb, CTNR_A_ID, c->id) ||
	    nla_put_string(skb, CTNR_A_NAME, c->key.name) ||
	    nla_put_u32(skb, CTNR_A_STATE, state) ||
	    nla_put_u32(skb, CTNR_A_FLAGS, READ_ONCE(c->flags)) ||
	    nla_put_u32(skb, CTNR_A_PID, pid) ||
	    nla_put_u32(skb, CTNR_A_OWNER_UID,
			from_kuid_munged(v->userns, c->owner->owner)) ||
	    nla_put_u32(skb, CTNR_A_OWNER_LEVEL, c->owner->level) ||
	    nla_put_u64_64bit(skb, CTNR_A_CTIME, c->ctime, CTNR_A_PAD) ||
	    nla_put_u32(skb, CTNR_A_NS_MASK, ctnr_ns_mask(c)) ||
	    ctnr_nl_put_ns(skb, c) ||
	    ctnr_log_nl_fill(skb, c) ||
	    ctnr_dev_nl_fill(skb, c) ||
	    ctnr_loop_nl_fill(skb, c))
		goto cancel;

	if (v->cgns) {
		if (!buf) {
			buf = own = kmalloc(PATH_MAX, GFP_KERNEL);
			if (!buf)
				goto cancel;
		}
		len = ctnr_cgroup_path(c, buf, PATH_MAX, v->cgns);
		if (len >= 0 && len < PATH_MAX &&
		    nla_put_string(skb, CTNR_A_CGROUP, buf))
			goto cancel;
		kfree(own);
	}
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	kfree(own);
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * Events go to the initial network namespace only.  @put, if not NULL,
 * adds the attributes of the event to those of the container.
 */
void ctnr_genl_notify_extra(const struct ctnr_container *c, u32 event,
			    int (*put)(struct sk_buff *skb, const void *arg),
			    const void *arg)
{
	struct sk_buff *skb;

	if (!READ_ONCE(ctnr_genl_registered) ||
	    !genl_has_listeners(&ctnr_genl_family, &init_net,
				CTNR_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (ctnr_nl_fill(skb, c, 0, 0, 0, CTNR_CMD_EVENT, event,
			 &ctnr_nl_view_init, NULL) ||
	    (put && put(skb, arg))) {
		nlmsg_free(skb);
		return;
	}
	if (put)	/* the attributes went after genlmsg_end() */
		nlmsg_end(skb, nlmsg_hdr(skb));
	/* ctnr_genl_uninit() waits for this section before unregistering */
	rcu_read_lock();
	if (READ_ONCE(ctnr_genl_registered))
		genlmsg_multicast_netns(&ctnr_genl_family, &init_net, skb, 0,
					CTNR_NLGRP_EVENTS, GFP_ATOMIC);
	else
		nlmsg_free(skb);
	rcu_read_unlock();
}

/*
 * An event about the module itself rather than a container
 * (CTNR_EVENT_HOOK); @put adds its attributes.
 */
void ctnr_genl_notify_module(u32 event,
			     int (*put)(struct sk_buff *skb, const void *arg),
			     const void *arg)
{
	struct sk_buff *skb;
	void *hdr;

	if (!ctnr_genl_registered ||
	    !genl_has_listeners(&ctnr_genl_family, &init_net,
				CTNR_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ctnr_genl_family, 0, CTNR_CMD_EVENT);
	if (!hdr || nla_put_u32(skb, CTNR_A_EVENT, event) || put(skb, arg)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&ctnr_genl_family, &init_net, skb, 0,
				CTNR_NLGRP_EVENTS, GFP_KERNEL);
}

void ctnr_genl_notify(const struct ctnr_container *c, u32 event)
{
	ctnr_genl_notify_extra(c, event, NULL, NULL);
}

/* A message header of the family, for the handlers in other files. */
void *ctnr_genl_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		    u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &ctnr_genl_family, flags, cmd);
}

/*
 * Resolve the container a request names with exactly one of CTNR_A_ID and
 * CTNR_A_NAME.  Containers the caller may not manage do not exist for it.
 * The policy has refused id 0 and names of more than 63 bytes already.
 */
struct ctnr_container *ctnr_nl_lookup(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct nlattr *id = info->attrs[CTNR_A_ID];
	struct nlattr *name = info->attrs[CTNR_A_NAME];
	struct ctnr_container *c;

	if (!!id == !!name) {
		NL_SET_ERR_MSG(info->extack, "give exactly one of container id and name");
		return ERR_PTR(-EINVAL);
	}
	if (name && ctnr_name_valid(nla_data(name), info->extack)) {
		NL_SET_BAD_ATTR(info->extack, name);
		return ERR_PTR(-EINVAL);
	}
	c = ctnr_lookup(id ? nla_get_u32(id) : 0, name ? nla_data(name) : NULL);
	if (c && !ctnr_may_manage(c, ctnr_nl_file(skb))) {
		ctnr_put(c);
		c = NULL;
	}
	if (!c) {
		NL_SET_ERR_MSG_ATTR(info->extack, id ?: name, "no such container");
		return ERR_PTR(-ENOENT);
	}
	return c;
}

int ctnr_nl_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ctnr_genl_family, 0,
				CTNR_CMD_INFO);
	if (!hdr)
		goto nomem;
	if (nla_put_string(msg, CTNR_A_VERSION, ctnr_version) ||
	    nla_put_u32(msg, CTNR_A_ABI_VERSION, CTNR_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, CTNR_A_FEATURES, ctnr_features(),
			      CTNR_A_PAD) ||
	    nla_put_u32(msg, CTNR_A_COUNT, ctnr_count_visible()) ||
	    ctnr_hook_nl_fill(msg))
		goto nomem;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nomem:
	nlmsg_free(msg);
	return -ENOMEM;
}

/*
 * The process a request names by pid (in the caller's pid namespace) or by
 * pidfd: its thread-group leader, with a reference.
 */
static struct task_struct *ctnr_nl_task(struct genl_info *info)
{
	struct nlattr *pid_attr = info->attrs[CTNR_A_PID];
	struct nlattr *pidfd_attr = info->attrs[CTNR_A_PIDFD];
	struct task_struct *task = NULL;

	if (!!pid_attr == !!pidfd_attr) {
		NL_SET_ERR_MSG(info->extack, "give exactly one of pid and pidfd");
		return ERR_PTR(-EINVAL);
	}
	if (pid_attr) {
		/* the policy keeps it within 1..PID_MAX_LIMIT */
		u32 nr = nla_get_u32(pid_attr);

		rcu_read_lock();
		task = pid_task(find_vpid(nr), PIDTYPE_PID);
		/* a thread id names its process: threads may hold other ns */
		if (task) {
			task = task->group_leader;
			get_task_struct(task);
		}
		rcu_read_unlock();
		if (!task) {
			NL_SET_ERR_MSG_ATTR(info->extack, pid_attr, "no such process in your pid namespace");
			return ERR_PTR(-ESRCH);
		}
	} else {
		struct file *file = fget(nla_get_s32(pidfd_attr));
		struct pid *pid;

		if (!file) {
			NL_SET_ERR_MSG_ATTR(info->extack, pidfd_attr, "pidfd is not an open file descriptor");
			return ERR_PTR(-EBADF);
		}
		pid = ctnr_pidfd_pid(file);
		if (!pid) {
			fput(file);
			NL_SET_ERR_MSG_ATTR(info->extack, pidfd_attr, "file descriptor is not a pidfd");
			return ERR_PTR(-EBADF);
		}
		rcu_read_lock();
		task = pid_task(pid, PIDTYPE_PID);
		if (task) {
			task = task->group_leader;
			get_task_struct(task);
		}
		rcu_read_unlock();
		fput(file);
		if (!task) {
			NL_SET_ERR_MSG_ATTR(info->extack, pidfd_attr, "the pidfd's process has exited");
			return ERR_PTR(-ESRCH);
		}
	}
	return task;
}

int ctnr_nl_container_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct user_namespace *mine = current_user_ns();
	struct ctnr_nl_view view;
	struct ctnr_container *c;
	struct task_struct *task;
	struct sk_buff *msg;
	u32 flags = 0;
	int err;

	if (!netlink_ns_capable(skb, mine, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "CAP_SYS_ADMIN in your user namespace is required");
		return -EPERM;
	}
	if (CTNR_NL_MISSING(info, CTNR_A_NAME, "container name is required"))
		return -EINVAL;
	err = ctnr_name_valid(nla_data(info->attrs[CTNR_A_NAME]), info->extack);
	if (err) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[CTNR_A_NAME]);
		return err;
	}
	/* the policy refuses unknown flags (NLA_POLICY_MASK) */
	if (info->attrs[CTNR_A_FLAGS])
		flags = nla_get_u32(info->attrs[CTNR_A_FLAGS]);
	task = ctnr_nl_task(info);
	if (IS_ERR(task))
		return PTR_ERR(task);

	/* room for everything: once the container is made, do not fail */
	msg = genlmsg_new(CTNR_NL_REPLY_SIZE, GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG(info->extack, "out of memory");
		err = -ENOMEM;
		goto out_task;
	}
	c = ctnr_container_create(nla_data(info->attrs[CTNR_A_NAME]), task,
				  flags, info->extack);
	if (IS_ERR(c)) {
		err = PTR_ERR(c);
		nlmsg_free(msg);
		goto out_task;
	}
	ctnr_nl_view_current(&view);
	err = ctnr_nl_fill(msg, c, info->snd_portid, info->snd_seq, 0,
			   CTNR_CMD_CONTAINER_NEW, 0, &view, NULL);
	if (err) {
		/*
		 * Only an allocation in ctnr_nl_fill() can fail here (the
		 * message is sized for the reply): the caller would not learn
		 * the id, so the registration is undone, not kept.
		 */
		nlmsg_free(msg);
		ctnr_container_delete(c);
		ctnr_put(c);
		NL_SET_ERR_MSG(info->extack, "out of memory while building the reply: not registered");
		err = -ENOMEM;
		goto out_task;
	}
	/*
	 * The reply is the only way the caller learns the id: if it cannot
	 * be queued (the socket is full, or an allocation on the way
	 * failed), the registration is undone and the error returned, so
	 * an error never leaves a container behind.  (An ACK lost after a
	 * queued reply is the caller's to notice: the reply says it all.)
	 */
	err = genlmsg_reply(msg, info);
	if (err) {
		ctnr_container_delete(c);
		NL_SET_ERR_MSG(info->extack, "the reply could not be queued: not registered");
	}
	ctnr_put(c);
out_task:
	put_task_struct(task);
	return err;
}

int ctnr_nl_container_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ctnr_container *c = ctnr_nl_lookup(skb, info);
	int err;

	if (IS_ERR(c))
		return PTR_ERR(c);
	err = ctnr_dev_may_release(c, skb, CTNR_DEV_RELEASE_DELETE,
				   info->extack);
	if (!err) {
		err = ctnr_container_delete(c);
		if (err)
			NL_SET_ERR_MSG(info->extack, "no such container");
	}
	ctnr_put(c);
	return err;
}

int ctnr_nl_container_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ctnr_container *c = ctnr_nl_lookup(skb, info);
	struct ctnr_nl_view view;
	struct sk_buff *msg;
	int err;

	if (IS_ERR(c))
		return PTR_ERR(c);
	msg = genlmsg_new(CTNR_NL_REPLY_SIZE, GFP_KERNEL);
	if (!msg) {
		ctnr_put(c);
		NL_SET_ERR_MSG(info->extack, "out of memory");
		return -ENOMEM;
	}
	ctnr_nl_view_current(&view);
	err = ctnr_nl_fill(msg, c, info->snd_portid, info->snd_seq, 0,
			   CTNR_CMD_CONTAINER_GET, 0, &view, NULL);
	ctnr_put(c);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * A dump decides, in the context of the task that asked for it, what it
 * shows and how: the continuations run in whatever task reads the socket
 * (one it was passed to, a child after fork and exec).  So the sender's
 * credentials (for ctnr_may_manage()), namespaces (for ids, pids and
 * cgroup paths) and charge node (what to walk) are taken at the start.
 */
struct ctnr_nl_dump {
	const struct cred *cred;
	struct ctnr_nl_view view;
	struct ctnr_walk walk;
	unsigned long next;
};

int ctnr_nl_container_get_start(struct netlink_callback *cb)
{
	struct ctnr_nl_dump *d = kzalloc(sizeof(*d), GFP_KERNEL);
	struct ctnr_nl_view v;

	if (!d)
		return -ENOMEM;
	ctnr_nl_view_current(&v);
	d->cred = get_current_cred();
	d->view.userns = get_user_ns(v.userns);
	d->view.pidns = get_pid_ns(v.pidns);
	if (v.cgns) {
		get_cgroup_ns(v.cgns);
		d->view.cgns = v.cgns;
	}
	ctnr_walk_start(&d->walk);
	cb->args[0] = (long)d;
	return 0;
}

int ctnr_nl_container_get_done(struct netlink_callback *cb)
{
	struct ctnr_nl_dump *d = (struct ctnr_nl_dump *)cb->args[0];

	if (!d)
		return 0;
	ctnr_walk_end(&d->walk);
	put_cgroup_ns(d->view.cgns);
	put_pid_ns(d->view.pidns);
	put_user_ns(d->view.userns);
	put_cred(d->cred);
	kfree(d);
	return 0;
}

int ctnr_nl_container_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	const struct file *file = ctnr_nl_file(cb->skb);
	struct ctnr_nl_dump *d = (struct ctnr_nl_dump *)cb->args[0];
	const struct cred *old;
	struct ctnr_container *c;
	char *buf;
	int err = 0;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	old = override_creds(d->cred);
	while ((c = ctnr_walk_next(&d->walk, &d->next))) {
		if (ctnr_may_manage(c, file))
			err = ctnr_nl_fill(skb, c, NETLINK_CB(cb->skb).portid,
					   cb->nlh->nlmsg_seq, NLM_F_MULTI,
					   CTNR_CMD_CONTAINER_GET, 0, &d->view,
					   buf);
		ctnr_put(c);
		if (err)
			break;	/* the next call resumes with this one */
		d->next++;
		cond_resched();
	}
	revert_creds(old);
	kfree(buf);
	return err && !skb->len ? err : skb->len;
}

int ctnr_nl_container_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *fattr = info->attrs[CTNR_A_FLAGS];
	struct ctnr_container *c;
	u32 flags = 0;
	int err;

	/*
	 * Every attribute is optional.  All are checked (values and
	 * permissions) before any applies; then only a lack of memory or a
	 * concurrent delete can fail, and what can runs first.  The policy
	 * has checked the values it can: flags, default and log size.
	 */
	if (fattr)
		flags = nla_get_u32(fattr);
	c = ctnr_nl_lookup(skb, info);
	if (IS_ERR(c))
		return PTR_ERR(c);
	err = 0;
	if (flags & CTNR_F_AUTOREMOVE)
		err = ctnr_dev_may_release(c, skb, CTNR_DEV_RELEASE_AUTOREMOVE,
					   info->extack);
	if (!err)
		err = ctnr_loop_nl_set_check(skb, info, c);
	if (!err && info->attrs[CTNR_A_DEV_DEFAULT])
		err = ctnr_dev_nl_set_default_check(skb, info, c);
	if (err)
		goto out;

	err = ctnr_log_nl_set(c, info);
	if (!err && info->attrs[CTNR_A_DEV_DEFAULT])
		err = ctnr_dev_nl_set_default(skb, info, c);
	if (!err)
		err = ctnr_loop_nl_set(skb, info, c);
	if (!err && fattr) {
		err = ctnr_container_set_flags(c, flags);
		if (err)
			NL_SET_ERR_MSG(info->extack, "no such container");
	}
out:
	ctnr_put(c);
	return err;
}

/*
 * The policies are ynl-gen's (genl-gen.c), one per command as the spec
 * gives its request; maxattr is each one's highest attribute.  The table
 * is struct genl_ops, which every kernel from 6.1 takes (split ops came in
 * 6.2).  INFO takes no attribute: its policy is empty and as wide as the
 * attribute space, so strict validation refuses every attribute as
 * unsupported.  (Left without one, 7.2's genetlink paired its two-entry
 * reject-all policy with the family's maxattr: attribute 6 made
 * __nla_validate_parse() read past it and BUG.)  CONTAINER_GET's dump takes none either, but a
 * genl_ops entry has one policy for doit and dumpit: the dump accepts the
 * doit's id and name and ignores them, as it always did.
 */
static const struct nla_policy ctnr_info_nl_policy[CTNR_A_MAX + 1] = {
};

#define CTNR_NL_POLICY(op)						\
	.policy = ctnr_##op##_nl_policy,				\
	.maxattr = ARRAY_SIZE(ctnr_##op##_nl_policy) - 1

static const struct genl_ops ctnr_genl_ops[] = {
	{
		.cmd = CTNR_CMD_INFO,
		.doit = ctnr_nl_info_doit,
		CTNR_NL_POLICY(info),
	},
	{
		.cmd = CTNR_CMD_CONTAINER_NEW,
		.doit = ctnr_nl_container_new_doit,
		CTNR_NL_POLICY(container_new),
	},
	{
		.cmd = CTNR_CMD_CONTAINER_DEL,
		.doit = ctnr_nl_container_del_doit,
		CTNR_NL_POLICY(container_del),
	},
	{
		.cmd = CTNR_CMD_CONTAINER_GET,
		.doit = ctnr_nl_container_get_doit,
		.start = ctnr_nl_container_get_start,
		.dumpit = ctnr_nl_container_get_dumpit,
		.done = ctnr_nl_container_get_done,
		CTNR_NL_POLICY(container_get),
	},
	{
		.cmd = CTNR_CMD_CONTAINER_SET,
		.doit = ctnr_nl_container_set_doit,
		CTNR_NL_POLICY(container_set),
	},
	{
		.cmd = CTNR_CMD_DEV_RULE_ADD,
		.doit = ctnr_nl_dev_rule_add_doit,
		CTNR_NL_POLICY(dev_rule_add),
	},
	{
		.cmd = CTNR_CMD_DEV_RULE_DEL,
		.doit = ctnr_nl_dev_rule_del_doit,
		CTNR_NL_POLICY(dev_rule_del),
	},
	{
		.cmd = CTNR_CMD_DEV_RULE_GET,
		.dumpit = ctnr_nl_dev_rule_get_dumpit,
		CTNR_NL_POLICY(dev_rule_get),
	},
	{
		.cmd = CTNR_CMD_LOG_GET,
		.dumpit = ctnr_nl_log_get_dumpit,
		CTNR_NL_POLICY(log_get),
	},
	{
		.cmd = CTNR_CMD_LOG_CLEAR,
		.doit = ctnr_nl_log_clear_doit,
		CTNR_NL_POLICY(log_clear),
	},
	{
		.cmd = CTNR_CMD_LOOP_GET,
		.dumpit = ctnr_nl_loop_get_dumpit,
		CTNR_NL_POLICY(loop_get),
	},
	{
		.cmd = CTNR_CMD_DEV_ALLOW,
		.doit = ctnr_nl_dev_allow_doit,
		CTNR_NL_POLICY(dev_allow),
	},
	{
		.cmd = CTNR_CMD_DEV_DENY,
		.doit = ctnr_nl_dev_deny_doit,
		CTNR_NL_POLICY(dev_deny),
	},
	{
		.cmd = CTNR_CMD_DEV_POLICY_SET,
		.doit = ctnr_nl_dev_policy_set_doit,
		CTNR_NL_POLICY(dev_policy_set),
	},
};

static struct genl_family ctnr_genl_family __ro_after_init = {
	.name = CTNR_GENL_NAME,
	.version = CTNR_GENL_VERSION,
	.maxattr = CTNR_A_MAX,
	.netnsok = true,
	/* every op has its own locking: none needs genl_mutex */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ctnr_genl_ops,
	.n_ops = ARRAY_SIZE(ctnr_genl_ops),
	.mcgrps = ctnr_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ctnr_mcgrps),
};

int ctnr_genl_init(void)
{
	int err = genl_register_family(&ctnr_genl_family);

	if (!err)
		WRITE_ONCE(ctnr_genl_registered, true);
	return err;
}

void ctnr_genl_uninit(void)
{
	WRITE_ONCE(ctnr_genl_registered, false);
	synchronize_rcu();	/* events being multicast */
	genl_unregister_family(&ctnr_genl_family);
}
