// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: namespace capture and nsfs file descriptor hand-out.
 *
 * Every namespace type is handled through its proc_ns_operations: ->get()
 * takes a counted reference on a task's namespace, ->put() drops it, and
 * open_related_ns() makes an nsfs file of a pinned one.  The operations are
 * found once, at load, through the loading task's own namespaces.  The mount
 * namespace is opaque to modules: its ns_common is checked at run time
 * before it is trusted.
 */
#include <linux/cgroup.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/time_namespace.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <net/net_namespace.h>

#include "ctnr.h"

const u32 ctnr_ns_clone_flag[__CTNR_NS_MAX] = {
	[CTNR_NS_USER] = CLONE_NEWUSER,
	[CTNR_NS_MNT] = CLONE_NEWNS,
	[CTNR_NS_UTS] = CLONE_NEWUTS,
	[CTNR_NS_IPC] = CLONE_NEWIPC,
	[CTNR_NS_NET] = CLONE_NEWNET,
	[CTNR_NS_PID] = CLONE_NEWPID,
	[CTNR_NS_CGROUP] = CLONE_NEWCGROUP,
	[CTNR_NS_TIME] = CLONE_NEWTIME,
};

/* Written once at load, read-only afterwards. */
static const struct proc_ns_operations *ctnr_ns_ops[__CTNR_NS_MAX];

/*
 * struct mnt_namespace is private to fs/; on the kernels we build for it
 * starts with its ns_common (CTNR_MNTNS_NS_FIRST from compat.h).  Believe it
 * only if it reads back, without faulting, as the CLONE_NEWNS type with
 * operations named "mnt".
 */
static const struct ns_common *ctnr_mntns_common(void)
{
#ifdef CTNR_MNTNS_NS_FIRST
	const struct ns_common *ns = (const void *)current->nsproxy->mnt_ns;
	const struct proc_ns_operations *ops;
	const char *name;
	char buf[4];
	int type;

	if (copy_from_kernel_nofault(&ops, &ns->ops, sizeof(ops)) || !ops)
		return NULL;
	if (copy_from_kernel_nofault(&type, ctnr_ns_type_ptr(ns, ops),
				     sizeof(type)) || type != CLONE_NEWNS)
		return NULL;
	if (copy_from_kernel_nofault(&name, &ops->name, sizeof(name)) ||
	    copy_from_kernel_nofault(buf, name, sizeof(buf)) ||
	    memcmp(buf, "mnt", sizeof(buf)))
		return NULL;
	return ns;
#else
	return NULL;
#endif
}

int ctnr_nsfd_init(void)
{
	struct nsproxy *nsp = current->nsproxy;
	const struct ns_common *ns[__CTNR_NS_MAX] = {
		[CTNR_NS_USER] = &current_user_ns()->ns,
		[CTNR_NS_MNT] = ctnr_mntns_common(),
		[CTNR_NS_UTS] = &nsp->uts_ns->ns,
		[CTNR_NS_IPC] = &nsp->ipc_ns->ns,
		[CTNR_NS_NET] = &nsp->net_ns->ns,
		[CTNR_NS_PID] = &task_active_pid_ns(current)->ns,
		[CTNR_NS_CGROUP] = &nsp->cgroup_ns->ns,
		[CTNR_NS_TIME] = &nsp->time_ns->ns,
	};
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (!ns[t])
			continue;
		if (*ctnr_ns_type_ptr(ns[t], ns[t]->ops) !=
		    ctnr_ns_clone_flag[t]) {
			pr_warn("namespace type %d has unexpected operations; not pinned\n",
				t);
			continue;
		}
		ctnr_ns_ops[t] = ns[t]->ops;
	}
	if (!ctnr_ns_ops[CTNR_NS_MNT])
		pr_warn("mount namespaces cannot be pinned on this kernel\n");
	return 0;
}

/*
 * Pin every namespace of @task that we know how to pin: all of them or
 * none.  ->get() finds nothing only once the task has left its namespaces
 * on its way out, and that can happen between two types; a container with
 * a partial set would fail later, for one type, with a misleading error.
 */
int ctnr_ns_capture(struct ctnr_container *c, struct task_struct *task)
{
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (!ctnr_ns_ops[t])
			continue;
		c->ns[t] = ctnr_ns_ops[t]->get(task);
		if (!c->ns[t]) {
			ctnr_ns_release(c);
			return -ESRCH;
		}
		ctnr_count_add(CTNR_CNT_NS_REFS, 1);
	}
	return 0;
}

void ctnr_ns_release(struct ctnr_container *c)
{
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (!c->ns[t])
			continue;
		ctnr_ns_ops[t]->put(c->ns[t]);
		c->ns[t] = NULL;
		ctnr_count_add(CTNR_CNT_NS_REFS, -1);
	}
}

unsigned int ctnr_ns_inum(const struct ctnr_container *c, int type)
{
	return c->ns[type] ? c->ns[type]->inum : 0;
}

u32 ctnr_ns_mask(const struct ctnr_container *c)
{
	u32 mask = 0;
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++)
		if (c->ns[t])
			mask |= ctnr_ns_clone_flag[t];
	return mask;
}

/*
 * One more reference on @ns of type @t, taken the way its type's put
 * (->put of its operations) drops it: get_pid_ns() and put_pid_ns() both
 * leave init_pid_ns alone, where a bare increment would never be undone.
 * The mount namespace has no exported get; put_mnt_ns() drops ns.count.
 */
static void ctnr_ns_get(int t, struct ns_common *ns)
{
	switch (t) {
	case CTNR_NS_USER:
		get_user_ns(container_of(ns, struct user_namespace, ns));
		break;
	case CTNR_NS_UTS:
		get_uts_ns(container_of(ns, struct uts_namespace, ns));
		break;
	case CTNR_NS_IPC:
		get_ipc_ns(container_of(ns, struct ipc_namespace, ns));
		break;
	case CTNR_NS_NET:
		get_net(container_of(ns, struct net, ns));
		break;
	case CTNR_NS_PID:
		get_pid_ns(container_of(ns, struct pid_namespace, ns));
		break;
	case CTNR_NS_CGROUP:
		get_cgroup_ns(container_of(ns, struct cgroup_namespace, ns));
		break;
	case CTNR_NS_TIME:
		get_time_ns(container_of(ns, struct time_namespace, ns));
		break;
	default:
		ctnr_ns_ref_inc(ns);
		break;
	}
}

/* open_related_ns() callback: one more reference on a namespace we pin. */
static struct ns_common *ctnr_ns_get_ref(struct ns_common *ns)
{
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++)
		if (ctnr_ns_ops[t] && ns->ops == ctnr_ns_ops[t])
			break;
	ctnr_ns_get(t, ns);	/* ours: one of the types above */
	return ns;
}

long ctnr_ioc_ns_fds(struct file *file, void __user *arg)
{
	struct ctnr_ioc_ns_fds req;
	struct ctnr_container *c;
	int t, err, fd;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.flags || req.pad)
		return -EINVAL;
	if (!req.mask || (req.mask & ~CTNR_NS_FDS_MASK_ALL))
		return -EINVAL;
	if (!req.id) {
		if (!memchr(req.name, 0, sizeof(req.name)) ||
		    ctnr_name_valid(req.name, NULL))
			return -EINVAL;
	}

	c = ctnr_lookup(req.id, req.name);
	if (!c)
		return -ENOENT;
	if (!ctnr_may_manage(c, file)) {
		err = -ENOENT;	/* invisible containers do not exist */
		goto out;
	}
	req.state = READ_ONCE(c->state);
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		req.fds[t] = -1;
		if (!(req.mask & ctnr_ns_clone_flag[t]))
			continue;
		if (!c->ns[t]) {
			err = -ENOENT;
			goto out;
		}
		if (t == CTNR_NS_PID && req.state == CTNR_STATE_STOPPED) {
			err = -ESRCH;
			goto out;
		}
	}

	/*
	 * open_related_ns() installs each fd at once.  Write the reply, fds
	 * still -1, before the first one: a reply buffer that cannot be
	 * written then fails with no fd ever visible to the caller's threads.
	 */
	if (copy_to_user(arg, &req, sizeof(req))) {
		err = -EFAULT;
		goto out;
	}
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (!(req.mask & ctnr_ns_clone_flag[t]))
			continue;
		fd = open_related_ns(c->ns[t], ctnr_ns_get_ref);
		if (fd < 0) {
			err = fd;
			goto out_close;
		}
		req.fds[t] = fd;
	}
	/* Fails only if another thread unmapped the buffer meanwhile. */
	if (copy_to_user(((struct ctnr_ioc_ns_fds __user *)arg)->fds, req.fds,
			 sizeof(req.fds))) {
		err = -EFAULT;
		goto out_close;
	}
	ctnr_put(c);
	return 0;

out_close:
	for (t = 0; t < __CTNR_NS_MAX; t++)
		if (req.fds[t] >= 0)
			close_fd(req.fds[t]);
out:
	ctnr_put(c);
	return err;
}
