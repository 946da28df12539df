// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: namespace capture and nsfs file descriptor hand-out.
 *
 * Every namespace type is handled through its proc_ns_operations: ->get()
 * takes a counted reference on a task's namespace, ->put() drops it, and
 * open_related_ns() makes an nsfs file of a pinned one.  Whether the caller
 * may take a task's namespaces at all is asked of the kernel, through the
 * task's /proc/PID/ns in a private procfs.  The operations are found once,
 * at load, through the initial namespaces' links there.
 */
#include <linux/cgroup.h>
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
 * for itself (never visible in any mount namespace).  Before a task's
 * namespaces are taken, one of its /proc/PID/ns links is opened there, so
 * that the kernel makes, for us, the check it makes on every other way to
 * a task's namespaces: proc_ns_get_link() holds the task's
 * exec_update_lock and requires ptrace_may_access(PTRACE_MODE_READ_FSCREDS)
 * of the current task.  Neither ptrace_may_access() nor the
 * exec_update_lock helpers are exported to modules; this is the exported
 * way to the same check, LSMs included.
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
 * May the current task read @task's namespaces?  Asked of the kernel
 * itself: opening one of @task's /proc/PID/ns links in the private procfs
 * makes proc_ns_get_link() check ptrace_may_access(PTRACE_MODE_READ_FSCREDS)
 * under @task's exec_update_lock.  0, -EPERM, or -ESRCH if @task is gone.
 */
static int ctnr_ns_may_read(struct task_struct *task, pid_t nr)
{
	struct ns_common *ns;
	struct file *f;
	int t;

	for (t = 0; t < __CTNR_NS_MAX && !ctnr_ns_ops[t]; t++)
		;
	if (t == __CTNR_NS_MAX)
		return 0;	/* nothing to pin, nothing to check */
	f = ctnr_ns_open(nr, t, &ns);
	if (!IS_ERR(f)) {
		fput(f);
		return 0;
	}
	switch (PTR_ERR(f)) {
	case -EACCES:	/* ptrace_may_access() said no, or the task went */
		return pid_alive(task) ? -EPERM : -ESRCH;
	case -ENOENT:	/* no such pid, or on its way out */
		return -ESRCH;
	default:
		return PTR_ERR(f);
	}
}

/*
 * Pin every namespace of @task (a thread-group leader) that we know how to
 * pin, all of them or none, if the current task may read them (-EPERM
 * otherwise).  ->get() finds nothing once the task left its namespaces on
 * its way out, and that can happen between two types; a container with a
 * partial set would fail later, for one type, with a misleading error
 * (-ESRCH instead).
 *
 * The permission is asked once, through /proc/PID/ns, and the namespaces
 * are then taken with ->get(), as the /proc links would give them.  An
 * exec that committed in between (new credentials, perhaps setuid) shows
 * in self_exec_id: then all is done again, with the new credentials.
 */
int ctnr_ns_capture(struct ctnr_container *c, struct task_struct *task)
{
	pid_t nr = task_tgid_nr(task);	/* as the private procfs sees it */
	int t, tries, err = -EAGAIN;
	bool same;
	u64 exec_id;

	for (tries = 0; tries < 3 && err == -EAGAIN; tries++) {
		exec_id = READ_ONCE(task->self_exec_id);
		err = ctnr_ns_may_read(task, nr);
		if (err)
			break;
		for (t = 0; t < __CTNR_NS_MAX; t++) {
			if (!ctnr_ns_ops[t])
				continue;
			c->ns[t] = ctnr_ns_ops[t]->get(task);
			if (!c->ns[t]) {
				err = -ESRCH;
				break;
			}
			ctnr_count_add(CTNR_CNT_NS_REFS, 1);
		}
		/*
		 * The number named @task all along, or the check was of
		 * another task: a pid number is not reused while its task
		 * is hashed.
		 */
		rcu_read_lock();
		same = pid_task(find_pid_ns(nr, &init_pid_ns),
				PIDTYPE_TGID) == task;
		rcu_read_unlock();
		if (!same)
			err = -ESRCH;
		else if (!err && READ_ONCE(task->self_exec_id) != exec_id)
			err = -EAGAIN;
		if (err)
			ctnr_ns_release(c);
	}
	return err;
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
