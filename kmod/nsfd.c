// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: namespace capture and nsfs file descriptor hand-out.
 *
 * Every namespace type is handled through its proc_ns_operations: ->get()
 * takes a counted reference on a task's namespace, ->put() drops it, and
 * open_related_ns() makes an nsfs file of a pinned one.  Whether the caller
 * may take a task's namespaces at all is asked of the kernel, through the
 * task's /proc/PID in a private procfs.  The operations are found once, at
 * load, through the initial namespaces' links there.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/ipc_namespace.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/proc_ns.h>
#include <linux/sched.h>
#include <linux/time_namespace.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
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

/* The names of the namespace links in /proc/PID/ns. */
static const char *const ctnr_ns_proc_name[__CTNR_NS_MAX] = {
	[CTNR_NS_USER] = "user",
	[CTNR_NS_MNT] = "mnt",
	[CTNR_NS_UTS] = "uts",
	[CTNR_NS_IPC] = "ipc",
	[CTNR_NS_NET] = "net",
	[CTNR_NS_PID] = "pid",
	[CTNR_NS_CGROUP] = "cgroup",
	[CTNR_NS_TIME] = "time",
};

/*
 * Written once at load, read-only afterwards: the operations of each type
 * this kernel has, NULL for a type it was built without.
 */
static const struct proc_ns_operations *ctnr_ns_ops[__CTNR_NS_MAX];

/*
 * A procfs instance of the initial pid namespace, mounted by the module
 * for itself (never visible in any mount namespace): at load, its links
 * show which namespace types the kernel has; at registration, following a
 * task's links there makes the kernel check, for us, what /proc/PID/ns
 * requires (ctnr_ns_may_read()).
 */
static struct vfsmount *ctnr_proc_mnt;

/*
 * Open /proc/@nr/ns/<type @t> with the caller's credentials; @nr is in the
 * initial pid namespace.  The namespace is pinned while the file is open.
 */
static struct file *ctnr_ns_open(pid_t nr, int t, struct ns_common **nsp)
{
	struct path root = {
		.mnt = ctnr_proc_mnt, .dentry = ctnr_proc_mnt->mnt_root,
	};
	struct file *f;
	char name[32];

	snprintf(name, sizeof(name), "%d/ns/%s", nr, ctnr_ns_proc_name[t]);
	f = file_open_root(&root, name, O_RDONLY, 0);
	if (IS_ERR(f))
		return f;
	if (file_inode(f)->i_sb->s_magic != NSFS_MAGIC) {
		fput(f);
		return ERR_PTR(-EIO);
	}
	/* nsfs keeps the namespace in the inode */
	*nsp = get_proc_ns(file_inode(f));
	return f;
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

struct ctnr_nsfd_setup {
	struct work_struct work;
	int err;
};

/*
 * In a kworker, which lives in the initial namespaces: mount the private
 * procfs (of the initial pid namespace, whoever loads the module) and find
 * each type's operations through its own /proc/self/ns links.  A type the
 * kernel was built without has no link there and stays unsupported.
 */
static void ctnr_nsfd_setup_work(struct work_struct *work)
{
	struct ctnr_nsfd_setup *s = container_of(work, struct ctnr_nsfd_setup,
						 work);
	struct file_system_type *fst = get_fs_type("proc");
	struct ns_common *ns;
	struct file *f;
	int t;

	if (!fst) {
		s->err = -ENODEV;
		return;
	}
	ctnr_proc_mnt = kern_mount(fst);
	module_put(fst->owner);	/* get_fs_type()'s; the mount has its own */
	if (IS_ERR(ctnr_proc_mnt)) {
		s->err = PTR_ERR(ctnr_proc_mnt);
		ctnr_proc_mnt = NULL;
		return;
	}
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		f = ctnr_ns_open(task_tgid_nr(current), t, &ns);
		if (IS_ERR(f))
			continue;
		if (ns->ops &&
		    *ctnr_ns_type_ptr(ns, ns->ops) == ctnr_ns_clone_flag[t])
			ctnr_ns_ops[t] = ns->ops;
		else
			pr_warn("namespace type %d has unexpected operations; not pinned\n",
				t);
		fput(f);
	}
	s->err = 0;
}

int ctnr_nsfd_init(void)
{
	struct ctnr_nsfd_setup s = { .err = -EINVAL };

	INIT_WORK_ONSTACK(&s.work, ctnr_nsfd_setup_work);
	queue_work(system_unbound_wq, &s.work);
	flush_work(&s.work);
	destroy_work_on_stack(&s.work);
	if (s.err)
		pr_err("cannot mount a private procfs (%d)\n", s.err);
	return s.err;
}

void ctnr_nsfd_uninit(void)
{
	kern_unmount(ctnr_proc_mnt);
	ctnr_proc_mnt = NULL;
}

/*
 * May the current task read @task's namespaces?  Asked of the kernel, as
 * ptrace_may_access() is not exported: /proc/PID/exe, opened O_PATH in
 * the private procfs, is the link whose following checks
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS) (proc_fd_access_allowed(),
 * the mode /proc/PID/ns checks, LSMs included) and allocates nothing.
 * Following it takes @task's exec_update_lock for reading
 * (call_proc_get_link()), so the caller must not hold it: a second
 * down_read() behind an exec's queued down_write() deadlocks (lockdep:
 * "possible recursive locking").  0, -EPERM, or -ESRCH if @task is gone or
 * has no mm any more (on its way out).
 */
static int ctnr_ns_may_read(struct task_struct *task, pid_t nr)
{
	struct path root = {
		.mnt = ctnr_proc_mnt, .dentry = ctnr_proc_mnt->mnt_root,
	};
	struct file *f;
	char name[32];

	snprintf(name, sizeof(name), "%d/exe", nr);
	f = file_open_root(&root, name, O_PATH, 0);
	if (!IS_ERR(f)) {
		fput(f);
		return 0;
	}
	switch (PTR_ERR(f)) {
	case -EACCES:	/* ptrace_may_access() said no */
		return pid_alive(task) ? -EPERM : -ESRCH;
	case -ENOENT:	/* no such pid, or no mm */
		return -ESRCH;
	default:
		return PTR_ERR(f);
	}
}

/*
 * Check that the current task may read @task's namespaces, then take
 * @task's exec_update_lock for reading: 0 with the lock held if no exec
 * and no credential change came between the two (the same credentials,
 * held so that their address cannot be reused, and the same exec count),
 * so that what was checked is what the namespaces are taken from.  The
 * check cannot run under the lock (ctnr_ns_may_read()).  -EAGAIN if
 * @task changed under three checks in a row.
 */
static int ctnr_ns_check_and_lock(struct task_struct *task, pid_t nr)
{
	const struct cred *cred;
	bool changed;
	u64 exec_id;
	int tries, err;

	for (tries = 0; tries < 3; tries++) {
		cred = get_task_cred(task);
		exec_id = READ_ONCE(task->self_exec_id);
		err = ctnr_ns_may_read(task, nr);
		if (!err)
			err = down_read_killable(&task->signal->exec_update_lock);
		if (err) {
			put_cred(cred);
			return err;
		}
		changed = rcu_access_pointer(task->real_cred) != cred ||
			  READ_ONCE(task->self_exec_id) != exec_id;
		put_cred(cred);
		if (!changed)
			return 0;
		up_read(&task->signal->exec_update_lock);
	}
	return -EAGAIN;
}

/*
 * Pin every namespace of @task (a thread-group leader) that we know how to
 * pin, all of them or none, if the current task may read them (-EPERM
 * otherwise).  The namespaces are taken under @task's exec_update_lock,
 * with no exec (new, perhaps setuid, credentials) since the permission was
 * checked (ctnr_ns_check_and_lock()).  ->get() finds nothing once the task
 * left its namespaces on its way out, and that can happen between two
 * types; a container with a partial set would fail later, for one type,
 * with a misleading error (-ESRCH instead).
 */
int ctnr_ns_capture(struct ctnr_container *c, struct task_struct *task)
{
	pid_t nr = task_tgid_nr(task);	/* as the private procfs sees it */
	bool same;
	int t, err;

	err = ctnr_ns_check_and_lock(task, nr);
	if (err)
		return err;
	for (t = 0; !err && t < __CTNR_NS_MAX; t++) {
		if (!ctnr_ns_ops[t])
			continue;
		c->ns[t] = ctnr_ns_ops[t]->get(task);
		if (!c->ns[t]) {
			err = -ESRCH;
			break;
		}
		c->ns_inum[t] = c->ns[t]->inum;
		ctnr_count_add(CTNR_CNT_NS_REFS, 1);
	}
	up_read(&task->signal->exec_update_lock);
	/*
	 * The number named @task all along, or the check was of another
	 * task: a pid number is not reused while its task is hashed.
	 */
	rcu_read_lock();
	same = pid_task(find_pid_ns(nr, &init_pid_ns), PIDTYPE_TGID) == task;
	rcu_read_unlock();
	if (!same)
		err = -ESRCH;
	if (err) {
		ctnr_ns_release(c, false);
		ctnr_ns_release(c, true);
		memset(c->ns_inum, 0, sizeof(c->ns_inum));
	}
	return err;
}

/*
 * Drop @c's namespaces: all but the user namespace, which the remainder of
 * a deleted container keeps (kmsg and ctnrloop check capabilities in it),
 * or, with @user, that one too.  The inode numbers stay for descriptions.
 */
void ctnr_ns_release(struct ctnr_container *c, bool user)
{
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (!c->ns[t] || (t == CTNR_NS_USER) != user)
			continue;
		ctnr_ns_ops[t]->put(c->ns[t]);
		c->ns[t] = NULL;
		ctnr_count_add(CTNR_CNT_NS_REFS, -1);
	}
}

unsigned int ctnr_ns_inum(const struct ctnr_container *c, int type)
{
	return c->ns_inum[type];
}

u32 ctnr_ns_mask(const struct ctnr_container *c)
{
	u32 mask = 0;
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++)
		if (c->ns_inum[t])
			mask |= ctnr_ns_clone_flag[t];
	return mask;
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
	if (req.id) {
		/* exactly one of id and name, as on netlink */
		if (memchr_inv(req.name, 0, sizeof(req.name)))
			return -EINVAL;
	} else if (!memchr(req.name, 0, sizeof(req.name)) ||
		   ctnr_name_valid(req.name, NULL)) {
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
	 * still -1, before the first one, so that a reply buffer that cannot
	 * be written fails before any fd exists.  A later failure closes the
	 * fds made so far, which other threads of the caller may have seen
	 * (and dup()ed) meanwhile: harmless, the caller was allowed them.
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
