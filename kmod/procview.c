// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: /proc views (issue 15).
 *
 * A file system, "ctnrproc", whose files are bind-mounted over
 * /proc/meminfo, /proc/cpuinfo, /proc/stat, /proc/uptime, /proc/loadavg,
 * /proc/diskstats, /proc/swaps and /sys/devices/system/cpu/online inside a
 * container.  Every read is computed for the reader: for the innermost
 * registered container of the reader's cgroup, from that cgroup's own
 * interface files; for a task in no container, the host's file unchanged.
 *
 * Where the numbers come from.  Most memory, CPU and I/O statistics of a
 * cgroup are not exported to modules, and struct mem_cgroup's statistics
 * moved out of the public headers in 6.3.  What is stable on every kernel
 * is the cgroup v2 interface itself (memory.stat, cpu.stat, io.stat, ...,
 * whose formats are ABI), so a view reads those files, and the real /proc
 * files for what it keeps of the host's, with kernel_read() from private
 * clones (clone_private_mount()) of the mounter's /proc and /sys/fs/cgroup.
 * The clones carry no submounts: a view bind-mounted over the mounter's
 * /proc/meminfo is never read back through them.  Files are opened with
 * the credentials of init (the reader's LSM label and user namespace play
 * no part), and only files of the reader's own container's cgroup and its
 * ancestors are read.  Documentation/procview.rst has the field by field
 * account.
 *
 * Load averages need samples: a delayed work every LOAD_FREQ walks the
 * threads of each container whose view was read (pv_trackers) and decays
 * its averages as the kernel's calc_load() does.  A sample is bounded
 * (PV_SAMPLE_GROUPS cgroups, PV_SAMPLE_THREADS threads), and a container
 * has at most one tracker, freed at the first sample after it is gone.
 *
 * Lifetime: the file system type and every open file pin the module
 * (.owner), so unloading is refused while a view is mounted anywhere,
 * bind mounts in containers included.  struct pv_sb (the clones) is shared
 * by the super block and the trackers made through it, with a kref.
 */
#include <linux/cgroup.h>
#include <linux/cpumask.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/loadavg.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>
#ifdef CTNR_KERNEL_CGROUP_NS_HEADER
#include <linux/cgroup_namespace.h>
#endif

#include "ctnr.h"

#define PV_SMALL		4096		/* a one-value cgroup file */
#define PV_FILE_MAX		(4U << 20)	/* the most read of any file */
#define PV_THREADS_MAX		(256U << 10)	/* of one cgroup.threads */
#define PV_DEPTH_MAX		32		/* ancestors looked at */
#define PV_SAMPLE_GROUPS	1024		/* cgroups in one sample */
#define PV_SAMPLE_THREADS	65536		/* threads in one sample */

/* The files, by inode number (simple_fill_super() starts at 2). */
enum pv_file {
	PV_MEMINFO = 2,
	PV_CPUINFO,
	PV_STAT,
	PV_UPTIME,
	PV_LOADAVG,
	PV_DISKSTATS,
	PV_SWAPS,
	PV_CPU_ONLINE,
};

/* Immutable after creation; freed with the last reference. */
struct pv_sb {
	struct kref ref;
	struct vfsmount *proc;		/* clone of the mounter's /proc */
	struct vfsmount *cgroup;	/* clone of its /sys/fs/cgroup */
	struct cgroup_namespace *cgns;	/* the mounter's, counted */
};

/*
 * Load samples of one container, in pv_trackers by container id.  Only
 * the sampling work writes the numbers (one work item never runs twice at
 * once); readers take them under RCU, field by field.
 */
struct pv_tracker {
	struct pv_sb *s;		/* counted */
	unsigned long avenrun[3];	/* FIXED_1 fixed point */
	unsigned int running, blocked, threads;
	struct rcu_head rcu;
};

/* xa_lock: insertions and erasures; lookups under RCU. */
static DEFINE_XARRAY(pv_trackers);
static void pv_sample_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(pv_sample_work, pv_sample_fn);

/* init's credentials, for every file a view reads; set at init. */
static const struct cred *pv_cred;

/* A meminfo line the container's number replaces. */
struct pv_mval {
	const char *label;
	u64 kb;
};

/* What one read works with. */
struct pv_ctx {
	struct pv_sb *s;
	struct ctnr_container *c;	/* counted; NULL: the host's view */
	char path[PATH_MAX];
	char small[PV_SMALL];
	struct pv_mval mv[40];
};

static void pv_sb_release(struct kref *ref)
{
	struct pv_sb *s = container_of(ref, struct pv_sb, ref);

	if (!IS_ERR_OR_NULL(s->proc))
		kern_unmount(s->proc);
	if (!IS_ERR_OR_NULL(s->cgroup))
		kern_unmount(s->cgroup);
	if (s->cgns)
		put_cgroup_ns(s->cgns);
	kfree(s);
}

static void pv_sb_put(struct pv_sb *s)
{
	kref_put(&s->ref, pv_sb_release);
}

/* ------------------------------------------------------------------ */
/* reading files                                                      */

/*
 * Read @name below @mnt into @buf (@size bytes with the NUL); the length,
 * -EFBIG if it did not fit, or -errno.
 */
static ssize_t pv_read_into(struct vfsmount *mnt, const char *name,
			    char *buf, size_t size)
{
	struct path root = { .mnt = mnt, .dentry = mnt->mnt_root };
	const struct cred *old;
	struct file *f;
	loff_t pos = 0;
	size_t len = 0;
	ssize_t n;

	old = override_creds(pv_cred);
	f = file_open_root(&root, name, O_RDONLY | O_NOFOLLOW, 0);
	if (IS_ERR(f)) {
		revert_creds(old);
		return PTR_ERR(f);
	}
	do {
		n = kernel_read(f, buf + len, size - 1 - len, &pos);
		if (n > 0)
			len += n;
	} while (n > 0 && len < size - 1);
	if (n > 0) {
		char c;

		/* full: is there more? */
		n = kernel_read(f, &c, 1, &pos);
		if (n > 0)
			n = -EFBIG;
	}
	fput(f);
	revert_creds(old);
	if (n < 0)
		return n;
	buf[len] = '\0';
	return len;
}

/*
 * Read a whole file of unknown size, at most PV_FILE_MAX (or @max)
 * bytes: a kvmalloc()ed NUL-terminated buffer, or an ERR_PTR.
 */
static char *pv_slurp(struct vfsmount *mnt, const char *name, size_t max,
		      size_t *lenp)
{
	size_t size = 2 * PAGE_SIZE;
	ssize_t n;
	char *buf;

	for (;;) {
		buf = kvmalloc(size, GFP_KERNEL);
		if (!buf)
			return ERR_PTR(-ENOMEM);
		n = pv_read_into(mnt, name, buf, size);
		if (n >= 0)
			break;
		kvfree(buf);
		if (n != -EFBIG || size >= max)
			return ERR_PTR(n);
		size = min_t(size_t, size * 2, max);
	}
	if (lenp)
		*lenp = n;
	return buf;
}

/*
 * The path of @cgrp's file @file, relative to the clone's root, in
 * x->path; -ENOENT for a cgroup outside the mounter's cgroup namespace.
 */
static int pv_cg_path(struct pv_ctx *x, struct cgroup *cgrp, const char *file)
{
	int n = cgroup_path_ns(cgrp, x->path, sizeof(x->path), x->s->cgns);

	if (n < 0)
		return n;
	if (n >= (int)sizeof(x->path))
		return -ENAMETOOLONG;
	if (!strncmp(x->path, "/..", 3))
		return -ENOENT;
	if (snprintf(x->path + n, sizeof(x->path) - n, "%s%s",
		     n > 1 ? "/" : "", file) >= (int)sizeof(x->path) - n)
		return -ENAMETOOLONG;
	return 0;
}

/* A small cgroup file into x->small; its length or -errno. */
static ssize_t pv_cg_small(struct pv_ctx *x, struct cgroup *cgrp,
			   const char *file)
{
	int err = pv_cg_path(x, cgrp, file);

	if (err)
		return err;
	return pv_read_into(x->s->cgroup, x->path, x->small, sizeof(x->small));
}

static char *pv_cg_slurp(struct pv_ctx *x, struct cgroup *cgrp,
			 const char *file, size_t max)
{
	int err = pv_cg_path(x, cgrp, file);

	if (err)
		return ERR_PTR(err);
	return pv_slurp(x->s->cgroup, x->path, max, NULL);
}

/* ------------------------------------------------------------------ */
/* parsing                                                            */

/* A decimal number at @s; the first byte after it, or NULL. */
static const char *pv_u64(const char *s, u64 *v)
{
	const char *p = s;
	u64 x = 0;

	while (*p >= '0' && *p <= '9') {
		if (x > (U64_MAX - 9) / 10)
			return NULL;
		x = x * 10 + (*p++ - '0');
	}
	if (p == s)
		return NULL;
	*v = x;
	return p;
}

/* "max" or a number: U64_MAX for "max" and for anything unreadable. */
static u64 pv_limit(const char *s)
{
	u64 v;

	if (!strncmp(s, "max", 3) || !pv_u64(s, &v))
		return U64_MAX;
	return v;
}

/* Skip blanks, never past the end of the line. */
static const char *pv_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The end of the word at @p: its first blank, newline or NUL. */
static const char *pv_token_end(const char *p)
{
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	return p;
}

/* The line after the one @p is on, or NULL at the end. */
static const char *pv_next_line(const char *p)
{
	p = strchr(p, '\n');
	return p && p[1] ? p + 1 : NULL;
}

/* The value of "@key value" lines (memory.stat, cpu.stat); 0 if none. */
static u64 pv_kv(const char *buf, const char *key)
{
	size_t kl = strlen(key);
	const char *p;
	u64 v;

	for (p = buf; p; p = pv_next_line(p))
		if (!strncmp(p, key, kl) && p[kl] == ' ' &&
		    pv_u64(p + kl + 1, &v))
			return v;
	return 0;
}

/* Does "@key " start a line of @buf? */
static bool pv_has_key(const char *buf, const char *key)
{
	size_t kl = strlen(key);
	const char *p;

	for (p = buf; p; p = pv_next_line(p))
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return true;
	return false;
}

/* The kB value of meminfo line "@label:"; 0 if none. */
static u64 pv_meminfo_kb(const char *buf, const char *label)
{
	size_t ll = strlen(label);
	const char *p;
	u64 v;

	for (p = buf; p; p = pv_next_line(p)) {
		if (strncmp(p, label, ll) || p[ll] != ':')
			continue;
		return pv_u64(pv_blanks(p + ll + 1), &v) ? v : 0;
	}
	return 0;
}

/* Length of the line at @p, without its newline. */
static size_t pv_line_len(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? e - p : strlen(p);
}

/* Copy the line at @p, newline included (added if it had none). */
static void pv_put_line(struct seq_file *m, const char *p)
{
	seq_write(m, p, pv_line_len(p));
	seq_putc(m, '\n');
}

/* ------------------------------------------------------------------ */
/* limits and usage of the container's cgroup                         */

/* The smallest of @file's value over the cgroup and its ancestors. */
static u64 pv_cg_min(struct pv_ctx *x, const char *file)
{
	struct cgroup *cg = x->c->cgrp;
	u64 lim = U64_MAX;
	int depth;

	/* ancestors are pinned by their children, the cgroup by x->c */
	for (depth = 0; cg && cgroup_parent(cg) && depth < PV_DEPTH_MAX;
	     depth++, cg = cgroup_parent(cg))
		if (pv_cg_small(x, cg, file) > 0)
			lim = min(lim, pv_limit(x->small));
	return lim;
}

/*
 * The CPUs the container sees, in @mask: those of the nearest
 * cpuset.cpus.effective that are online, cut to the first
 * ceil(quota / period) of the tightest cpu.max on the way to the root.
 * Real CPU numbers, not renumbered: they are those sched_getaffinity()
 * gives in the container.
 */
static void pv_cpus(struct pv_ctx *x, struct cpumask *mask)
{
	struct cgroup *cg = x->c->cgrp;
	u64 n = U64_MAX, quota, period;
	bool have = false;
	unsigned int cpu, k = 0;
	const char *p;
	int depth;

	for (depth = 0; cg && cgroup_parent(cg) && depth < PV_DEPTH_MAX;
	     depth++, cg = cgroup_parent(cg)) {
		if (!have && pv_cg_small(x, cg, "cpuset.cpus.effective") >= 0) {
			strim(x->small);
			have = x->small[0] && !cpulist_parse(x->small, mask);
		}
		if (pv_cg_small(x, cg, "cpu.max") <= 0 ||
		    !strncmp(x->small, "max", 3))
			continue;
		p = pv_u64(x->small, &quota);
		if (p && *p == ' ' && pv_u64(p + 1, &period) && quota && period)
			n = min(n, div64_u64(quota + period - 1, period));
	}
	if (!have)
		cpumask_copy(mask, cpu_online_mask);
	cpumask_and(mask, mask, cpu_online_mask);
	if (cpumask_empty(mask))
		cpumask_copy(mask, cpu_online_mask);
	for_each_cpu(cpu, mask)
		if (k++ >= n)
			cpumask_clear_cpu(cpu, mask);
}

/*
 * Nanoseconds since the container started: since its init started, or
 * since it was registered once the init is gone.
 */
static u64 pv_uptime_ns(const struct ctnr_container *c)
{
	struct task_struct *t;
	u64 start = 0, now;

	rcu_read_lock();
	t = c->init_pid ? pid_task(c->init_pid, PIDTYPE_PID) : NULL;
	if (t)
		start = t->start_boottime;
	rcu_read_unlock();
	if (t) {
		now = ktime_get_boottime_ns();
		return now > start ? now - start : 0;
	}
	now = ktime_get_real_ns();
	return now > c->ctime ? now - c->ctime : 0;
}

/* CPU time the cgroup used (cpu.stat, µs), in ns. */
struct pv_cpu_usage {
	u64 user, system;
};

static void pv_cpu_usage(struct pv_ctx *x, struct pv_cpu_usage *u)
{
	u->user = 0;
	u->system = 0;
	if (pv_cg_small(x, x->c->cgrp, "cpu.stat") <= 0)
		return;
	u->user = pv_kv(x->small, "user_usec") * NSEC_PER_USEC;
	u->system = pv_kv(x->small, "system_usec") * NSEC_PER_USEC;
}

static u64 pv_clock_t(u64 ns)
{
	return div_u64(ns, NSEC_PER_SEC / USER_HZ);
}

/* ------------------------------------------------------------------ */
/* load samples                                                       */

static void pv_tracker_free(struct pv_tracker *t)
{
	pv_sb_put(t->s);
	kfree_rcu(t, rcu);
}

/*
 * Count the runnable and uninterruptible threads of one cgroup (its own,
 * from cgroup.threads, whose pids are those of the current task's pid
 * namespace, as find_vpid()'s) into the counters; false once
 * PV_SAMPLE_THREADS were seen.
 */
static bool pv_sample_cgroup(struct pv_ctx *x, struct cgroup *cg,
			     unsigned int *run, unsigned int *blk,
			     unsigned int *thr)
{
	struct task_struct *task;
	unsigned int state;
	const char *p;
	char *buf;
	u64 tid;

	buf = pv_cg_slurp(x, cg, "cgroup.threads", PV_THREADS_MAX);
	if (IS_ERR(buf))
		return true;
	for (p = buf; p && *p; p = pv_next_line(p)) {
		if (!pv_u64(p, &tid) || !tid || tid > PID_MAX_LIMIT)
			continue;
		if (++*thr > PV_SAMPLE_THREADS)
			break;
		rcu_read_lock();
		task = pid_task(find_vpid(tid), PIDTYPE_PID);
		state = task ? READ_ONCE(task->__state) : TASK_DEAD;
		rcu_read_unlock();
		if (state == TASK_RUNNING)
			++*run;
		else if ((state & TASK_UNINTERRUPTIBLE) &&
			 !(state & TASK_NOLOAD))
			++*blk;
	}
	kvfree(buf);
	return *thr <= PV_SAMPLE_THREADS;
}

/* One sample of container @c into @t: the cgroup and its descendants. */
static void pv_sample(struct pv_tracker *t, struct ctnr_container *c,
		      struct pv_ctx *x)
{
	struct cgroup_subsys_state *pos;
	unsigned int run = 0, blk = 0, thr = 0, groups = 0;
	unsigned long active;
	bool more = true;

	x->s = t->s;
	x->c = c;
	rcu_read_lock();
	css_for_each_descendant_pre(pos, &c->cgrp->self) {
		if (++groups > PV_SAMPLE_GROUPS || !more)
			break;
		if (!css_tryget(pos))
			continue;
		rcu_read_unlock();
		more = pv_sample_cgroup(x, pos->cgroup, &run, &blk, &thr);
		rcu_read_lock();
		/* RCU keeps @pos readable for the next step */
		css_put(pos);
	}
	rcu_read_unlock();
	active = (unsigned long)(run + blk) * FIXED_1;
	WRITE_ONCE(t->avenrun[0], calc_load(t->avenrun[0], EXP_1, active));
	WRITE_ONCE(t->avenrun[1], calc_load(t->avenrun[1], EXP_5, active));
	WRITE_ONCE(t->avenrun[2], calc_load(t->avenrun[2], EXP_15, active));
	WRITE_ONCE(t->running, run);
	WRITE_ONCE(t->blocked, blk);
	WRITE_ONCE(t->threads, min_t(unsigned int, thr, PV_SAMPLE_THREADS));
}

static void pv_sample_fn(struct work_struct *work)
{
	struct ctnr_container *c;
	struct pv_tracker *t;
	struct pv_ctx *x;
	unsigned long id;

	x = kvmalloc(sizeof(*x), GFP_KERNEL);
	xa_for_each(&pv_trackers, id, t) {
		c = ctnr_lookup(id, NULL);
		if (!c || READ_ONCE(c->unlinked)) {
			if (c)
				ctnr_put(c);
			xa_erase(&pv_trackers, id);
			pv_tracker_free(t);
			continue;
		}
		if (x)
			pv_sample(t, c, x);
		ctnr_put(c);
		cond_resched();
	}
	kvfree(x);
	if (!xa_empty(&pv_trackers))
		queue_delayed_work(system_wq, &pv_sample_work, LOAD_FREQ);
}

/*
 * Make the tracker of the reader's container, with its first sample taken
 * before anyone else can see it.  Losing a race to another reader, or
 * short of memory, leaves the one there (if any).
 */
static void pv_tracker_make(struct pv_ctx *x)
{
	struct pv_tracker *t, *old;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return;
	kref_get(&x->s->ref);
	t->s = x->s;
	pv_sample(t, x->c, x);
	old = xa_cmpxchg(&pv_trackers, x->c->id, NULL, t, GFP_KERNEL);
	if (old) {
		pv_sb_put(t->s);
		kfree(t);
		return;
	}
	queue_delayed_work(system_wq, &pv_sample_work, LOAD_FREQ);
}

struct pv_load {
	unsigned long avenrun[3];
	unsigned int running, blocked, threads;
};

/* The latest sample of the reader's container; zeros if there is none. */
static void pv_load_get(struct pv_ctx *x, struct pv_load *l)
{
	struct pv_tracker *t;
	int i, tries;

	memset(l, 0, sizeof(*l));
	for (tries = 0; tries < 2; tries++) {
		rcu_read_lock();
		t = xa_load(&pv_trackers, x->c->id);
		if (t) {
			for (i = 0; i < 3; i++)
				l->avenrun[i] = READ_ONCE(t->avenrun[i]);
			l->running = READ_ONCE(t->running);
			l->blocked = READ_ONCE(t->blocked);
			l->threads = READ_ONCE(t->threads);
		}
		rcu_read_unlock();
		if (t)
			return;
		if (!tries)
			pv_tracker_make(x);
	}
}

/* ------------------------------------------------------------------ */
/* the views                                                          */

/* The host's file, unchanged. */
static int pv_host(struct seq_file *m, struct pv_ctx *x, const char *name)
{
	size_t len;
	char *buf;

	buf = pv_slurp(x->s->proc, name, PV_FILE_MAX, &len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	seq_write(m, buf, len);
	kvfree(buf);
	return 0;
}

static int pv_meminfo(struct seq_file *m, struct pv_ctx *x)
{
	u64 total, cur, free, avail, file, swap_lim, swap_total, swap_cur;
	struct pv_mval *v = x->mv;
	const char *p;
	char *host, *st;
	size_t len;
	int nv = 0, i;

	if (!x->c)
		return pv_host(m, x, "meminfo");
	host = pv_slurp(x->s->proc, "meminfo", PV_FILE_MAX, &len);
	if (IS_ERR(host))
		return PTR_ERR(host);
	st = pv_cg_slurp(x, x->c->cgrp, "memory.stat", PV_FILE_MAX);
	if (IS_ERR(st) || pv_cg_small(x, x->c->cgrp, "memory.current") <= 0) {
		/* no memory controller here: the host's numbers */
		seq_write(m, host, len);
		goto out;
	}
	cur = pv_limit(x->small);
	cur = cur == U64_MAX ? 0 : cur >> 10;
	total = min(pv_cg_min(x, "memory.max"), pv_cg_min(x, "memory.high"));
	total = min(total >> 10, pv_meminfo_kb(host, "MemTotal"));
	free = total > cur ? total - cur : 0;
	file = (pv_kv(st, "active_file") + pv_kv(st, "inactive_file")) >> 10;
	avail = min(total, free + file + (pv_kv(st, "slab_reclaimable") >> 10));

#define PV_SET(l, val) do {						\
	if (nv < ARRAY_SIZE(x->mv)) {					\
		v[nv].label = (l);					\
		v[nv++].kb = (val);					\
	}								\
} while (0)
#define PV_STAT(l, key) PV_SET(l, pv_kv(st, key) >> 10)
	PV_SET("MemTotal", total);
	PV_SET("MemFree", free);
	PV_SET("MemAvailable", avail);
	PV_SET("Buffers", 0);
	PV_STAT("Cached", "file");
	PV_STAT("SwapCached", "swapcached");
	PV_SET("Active", (pv_kv(st, "active_anon") +
			  pv_kv(st, "active_file")) >> 10);
	PV_SET("Inactive", (pv_kv(st, "inactive_anon") +
			    pv_kv(st, "inactive_file")) >> 10);
	PV_STAT("Active(anon)", "active_anon");
	PV_STAT("Inactive(anon)", "inactive_anon");
	PV_STAT("Active(file)", "active_file");
	PV_STAT("Inactive(file)", "inactive_file");
	PV_STAT("Unevictable", "unevictable");
	PV_STAT("Dirty", "file_dirty");
	PV_STAT("Writeback", "file_writeback");
	PV_STAT("AnonPages", "anon");
	PV_STAT("Mapped", "file_mapped");
	PV_STAT("Shmem", "shmem");
	PV_STAT("KReclaimable", "slab_reclaimable");
	PV_SET("Slab", (pv_kv(st, "slab_reclaimable") +
			pv_kv(st, "slab_unreclaimable")) >> 10);
	PV_STAT("SReclaimable", "slab_reclaimable");
	PV_STAT("SUnreclaim", "slab_unreclaimable");
	PV_STAT("KernelStack", "kernel_stack");
	PV_STAT("PageTables", "pagetables");
	if (pv_has_key(st, "sec_pagetables"))
		PV_STAT("SecPageTables", "sec_pagetables");
	PV_STAT("AnonHugePages", "anon_thp");
	PV_STAT("ShmemHugePages", "shmem_thp");
	PV_STAT("FileHugePages", "file_thp");
	if (pv_has_key(st, "zswap")) {
		PV_STAT("Zswap", "zswap");
		PV_STAT("Zswapped", "zswapped");
	}
	swap_lim = pv_cg_min(x, "memory.swap.max");
	if (swap_lim != U64_MAX) {
		swap_total = min(swap_lim >> 10,
				 pv_meminfo_kb(host, "SwapTotal"));
		swap_cur = 0;
		if (pv_cg_small(x, x->c->cgrp, "memory.swap.current") > 0 &&
		    pv_limit(x->small) != U64_MAX)
			swap_cur = pv_limit(x->small) >> 10;
		PV_SET("SwapTotal", swap_total);
		PV_SET("SwapFree", swap_total > swap_cur ?
					   swap_total - swap_cur : 0);
	}
#undef PV_STAT
#undef PV_SET

	for (p = host; p; p = pv_next_line(p)) {
		const char *colon = memchr(p, ':', pv_line_len(p));

		for (i = 0; colon && i < nv; i++)
			if ((size_t)(colon - p) == strlen(v[i].label) &&
			    !strncmp(p, v[i].label, colon - p))
				break;
		if (!colon || i == nv) {
			pv_put_line(m, p);
			continue;
		}
		/* as the kernel's show_val_kb(): label to 16, value to 8 */
		seq_printf(m, "%s:%*s%8llu kB\n", v[i].label,
			   (int)(15 - min_t(size_t, 15, colon - p)), "",
			   v[i].kb);
	}
out:
	if (!IS_ERR(st))
		kvfree(st);
	kvfree(host);
	return 0;
}

/* "processor\t: N" starts a block: its N, or -1 for another line. */
static long pv_processor(const char *p)
{
	u64 n;

	if (strncmp(p, "processor", 9))
		return -1;
	p = pv_blanks(p + 9);
	if (*p != ':')
		return -1;
	p = pv_blanks(p + 1);
	return pv_u64(p, &n) && n < INT_MAX ? (long)n : -1;
}

static int pv_cpuinfo(struct seq_file *m, struct pv_ctx *x)
{
	cpumask_var_t mask;
	bool keep = true;
	const char *p;
	char *host;
	long cpu;

	if (!x->c)
		return pv_host(m, x, "cpuinfo");
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	pv_cpus(x, mask);
	host = pv_slurp(x->s->proc, "cpuinfo", PV_FILE_MAX, NULL);
	if (IS_ERR(host)) {
		free_cpumask_var(mask);
		return PTR_ERR(host);
	}
	/* the blocks of the visible CPUs, and what precedes the first */
	for (p = host; p; p = pv_next_line(p)) {
		cpu = pv_processor(p);
		if (cpu >= 0)
			keep = cpu < nr_cpu_ids && cpumask_test_cpu(cpu, mask);
		if (keep)
			pv_put_line(m, p);
	}
	kvfree(host);
	free_cpumask_var(mask);
	return 0;
}

static int pv_cpu_online(struct seq_file *m, struct pv_ctx *x)
{
	cpumask_var_t mask;

	if (!x->c) {
		seq_printf(m, "%*pbl\n", cpumask_pr_args(cpu_online_mask));
		return 0;
	}
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	pv_cpus(x, mask);
	seq_printf(m, "%*pbl\n", cpumask_pr_args(mask));
	free_cpumask_var(mask);
	return 0;
}

/*
 * Per visible CPU, in USER_HZ ticks: an even share of the cgroup's user
 * and system time, and idle the rest of the container's uptime.
 */
struct pv_cpu_times {
	u64 user, system, idle;
};

static void pv_cpu_times(struct pv_ctx *x, unsigned int n,
			 struct pv_cpu_times *t)
{
	struct pv_cpu_usage u;
	u64 up = pv_uptime_ns(x->c), busy;

	pv_cpu_usage(x, &u);
	t->user = div_u64(u.user, n);
	t->system = div_u64(u.system, n);
	busy = t->user + t->system;
	t->idle = up > busy ? up - busy : 0;
}

static void pv_stat_cpu(struct seq_file *m, const char *name,
			u64 user, u64 system, u64 idle)
{
	seq_printf(m, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name,
		   pv_clock_t(user), pv_clock_t(system), pv_clock_t(idle));
}

static int pv_stat(struct seq_file *m, struct pv_ctx *x)
{
	struct pv_cpu_times t;
	struct pv_load l;
	cpumask_var_t mask;
	unsigned int cpu, n;
	char name[16];
	const char *p;
	char *host;

	if (!x->c)
		return pv_host(m, x, "stat");
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	host = pv_slurp(x->s->proc, "stat", PV_FILE_MAX, NULL);
	if (IS_ERR(host)) {
		free_cpumask_var(mask);
		return PTR_ERR(host);
	}
	pv_cpus(x, mask);
	n = cpumask_weight(mask);
	pv_cpu_times(x, n, &t);
	pv_load_get(x, &l);
	/* the total is the sum of the lines below, tick for tick */
	pv_stat_cpu(m, "cpu ", t.user * n, t.system * n, t.idle * n);
	for_each_cpu(cpu, mask) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		pv_stat_cpu(m, name, t.user, t.system, t.idle);
	}
	for (p = host; p; p = pv_next_line(p)) {
		if (!strncmp(p, "cpu", 3))
			continue;
		if (!strncmp(p, "procs_running ", 14))
			seq_printf(m, "procs_running %u\n", l.running);
		else if (!strncmp(p, "procs_blocked ", 14))
			seq_printf(m, "procs_blocked %u\n", l.blocked);
		else
			pv_put_line(m, p);
	}
	kvfree(host);
	free_cpumask_var(mask);
	return 0;
}

static int pv_uptime(struct seq_file *m, struct pv_ctx *x)
{
	struct pv_cpu_times t;
	cpumask_var_t mask;
	u64 up, idle;
	unsigned int n;
	u32 rem;

	if (!x->c)
		return pv_host(m, x, "uptime");
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	pv_cpus(x, mask);
	n = cpumask_weight(mask);
	free_cpumask_var(mask);
	up = pv_uptime_ns(x->c);
	pv_cpu_times(x, n, &t);
	idle = t.idle * n;
	up = div_u64_rem(up, NSEC_PER_SEC, &rem);
	seq_printf(m, "%llu.%02u ", up, rem / (u32)(NSEC_PER_SEC / 100));
	idle = div_u64_rem(idle, NSEC_PER_SEC, &rem);
	seq_printf(m, "%llu.%02u\n", idle, rem / (u32)(NSEC_PER_SEC / 100));
	return 0;
}

static int pv_loadavg(struct seq_file *m, struct pv_ctx *x)
{
	unsigned long a[3];
	struct pv_load l;
	int i;

	if (!x->c)
		return pv_host(m, x, "loadavg");
	pv_load_get(x, &l);
	/* rounded as the kernel's loadavg_proc_show() does */
	for (i = 0; i < 3; i++) {
		a[i] = l.avenrun[i] + FIXED_1 / 200;
		seq_printf(m, "%lu.%02lu ", LOAD_INT(a[i]), LOAD_FRAC(a[i]));
	}
	seq_printf(m, "%u/%u %d\n", l.running, l.threads,
		   idr_get_cursor(&task_active_pid_ns(current)->idr) - 1);
	return 0;
}

/* What io.stat says of one device. */
struct pv_io {
	u64 rbytes, wbytes, rios, wios, dbytes, dios;
};

/* io.stat's line for @maj:@min into @io; false if it has none. */
static bool pv_io_find(const char *iostat, unsigned int maj,
		       unsigned int min, struct pv_io *io)
{
	static const char *const keys[] = {
		"rbytes=", "wbytes=", "rios=", "wios=", "dbytes=", "dios=",
	};
	u64 *vals[] = {
		&io->rbytes, &io->wbytes, &io->rios, &io->wios,
		&io->dbytes, &io->dios,
	};
	const char *p, *q, *end;
	u64 a, b;
	int i;

	memset(io, 0, sizeof(*io));
	for (p = iostat; p && *p; p = pv_next_line(p)) {
		q = pv_u64(p, &a);
		if (!q || *q != ':')
			continue;
		q = pv_u64(q + 1, &b);
		if (!q || a != maj || b != min)
			continue;
		end = p + pv_line_len(p);
		while (q && q < end) {
			q = pv_blanks(q);
			for (i = 0; i < ARRAY_SIZE(keys); i++) {
				size_t kl = strlen(keys[i]);

				if (!strncmp(q, keys[i], kl)) {
					pv_u64(q + kl, vals[i]);
					break;
				}
			}
			q = pv_token_end(q);
		}
		return true;
	}
	return false;
}

/*
 * The host's lines of the devices the container used (io.stat) or owns
 * (its ctnrloop devices), with the cgroup's counts where io.stat has them:
 * reads, sectors read, writes, sectors written, discards, sectors
 * discarded; the fields the cgroup does not count (merges, times, in
 * flight) are 0.  An owned device io.stat does not know keeps the host's
 * numbers: they are all the container's.
 */
static int pv_diskstats(struct seq_file *m, struct pv_ctx *x)
{
	unsigned int maj, min, f;
	char *host, *iostat;
	const char *p, *q, *end;
	struct pv_io io;
	u64 a, b, val;
	int namelen;

	if (!x->c)
		return pv_host(m, x, "diskstats");
	host = pv_slurp(x->s->proc, "diskstats", PV_FILE_MAX, NULL);
	if (IS_ERR(host))
		return PTR_ERR(host);
	iostat = pv_cg_slurp(x, x->c->cgrp, "io.stat", PV_FILE_MAX);
	for (p = host; p; p = pv_next_line(p)) {
		end = p + pv_line_len(p);
		q = pv_u64(pv_blanks(p), &a);
		if (!q)
			continue;
		q = pv_u64(pv_blanks(q), &b);
		if (!q || a > UINT_MAX || b > UINT_MAX)
			continue;
		maj = a;
		min = b;
		if (!IS_ERR(iostat) && pv_io_find(iostat, maj, min, &io)) {
			q = pv_blanks(q);
			namelen = pv_token_end(q) - q;
			seq_printf(m, "%4u %7u %.*s", maj, min, namelen, q);
			q += namelen;
			for (f = 0; q < end; f++) {
				q = pv_u64(pv_blanks(q), &val);
				if (!q || q > end)
					break;
				val = f == 0 ? io.rios : f == 2 ? io.rbytes >> 9 :
				      f == 4 ? io.wios : f == 6 ? io.wbytes >> 9 :
				      f == 11 ? io.dios :
				      f == 13 ? io.dbytes >> 9 : 0;
				seq_printf(m, " %llu", val);
			}
			seq_putc(m, '\n');
		} else if (ctnr_loop_owned_rcu(MKDEV(maj, min), x->c)) {
			pv_put_line(m, p);
		}
	}
	if (!IS_ERR(iostat))
		kvfree(iostat);
	kvfree(host);
	return 0;
}

/*
 * /proc/swaps has no ->read_iter() on 6.1 (it is seq_read()), so
 * kernel_read() cannot read it, and vfs_read() is not exported: the
 * host's view calls the real file's ->read() with the reader's own buffer
 * and offset, as vfs_read() would (the file is ours, opened for reading,
 * and @count is at most MAX_RW_COUNT).  Where it has ->read_iter(), it is
 * read as the other files are.
 */
static ssize_t pv_swaps_host(struct pv_ctx *x, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct path root = { .mnt = x->s->proc, .dentry = x->s->proc->mnt_root };
	const struct cred *old;
	struct file *f;
	loff_t pos = *ppos;
	size_t len;
	char *buf;
	ssize_t n;

	old = override_creds(pv_cred);
	f = file_open_root(&root, "swaps", O_RDONLY | O_NOFOLLOW, 0);
	revert_creds(old);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (f->f_op->read_iter || !f->f_op->read) {
		fput(f);
		buf = pv_slurp(x->s->proc, "swaps", PV_FILE_MAX, &len);
		if (IS_ERR(buf))
			return PTR_ERR(buf);
		n = simple_read_from_buffer(ubuf, count, ppos, buf, len);
		kvfree(buf);
		return n;
	}
	n = vfs_llseek(f, pos, SEEK_SET);
	if (n == pos)
		n = f->f_op->read(f, ubuf, min_t(size_t, count, MAX_RW_COUNT),
				  &pos);
	else if (n >= 0)
		n = -EINVAL;
	fput(f);
	if (n > 0)
		*ppos = pos;
	return n;
}

/*
 * With a swap limit: the kernel's header and one "none" line of that size
 * (no more than the host's SwapTotal) and the cgroup's swap use; with a
 * limit of 0 or no swap on the host, the header alone.  Without a limit,
 * the host's file.  The text is made at each read() from offset 0 and
 * cut at the reader's offset.
 */
static ssize_t pv_swaps_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	u64 lim, size, used = 0;
	struct pv_ctx *x;
	char *host;
	ssize_t n;
	int len;

	x = kvmalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	x->s = file_inode(file)->i_sb->s_fs_info;
	x->c = ctnr_find_by_task(current);
	lim = x->c ? pv_cg_min(x, "memory.swap.max") : U64_MAX;
	if (lim == U64_MAX) {
		n = pv_swaps_host(x, ubuf, count, ppos);
		goto out;
	}
	host = pv_slurp(x->s->proc, "meminfo", PV_FILE_MAX, NULL);
	if (IS_ERR(host)) {
		n = PTR_ERR(host);
		goto out;
	}
	size = min(lim >> 10, pv_meminfo_kb(host, "SwapTotal"));
	kvfree(host);
	if (pv_cg_small(x, x->c->cgrp, "memory.swap.current") > 0 &&
	    pv_limit(x->small) != U64_MAX)
		used = min(size, pv_limit(x->small) >> 10);
	/* as the kernel's swap_show() */
	len = scnprintf(x->small, sizeof(x->small),
			"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (size)
		len += scnprintf(x->small + len, sizeof(x->small) - len,
				 "%s%*s%s\t%llu\t%s%llu\t%s%d\n", "none", 36,
				 " ", "virtual", size,
				 size < 10000000 ? "\t" : "", used,
				 used < 10000000 ? "\t" : "", 0);
	n = simple_read_from_buffer(ubuf, count, ppos, x->small, len);
out:
	if (x->c)
		ctnr_put(x->c);
	kvfree(x);
	return n;
}

static const struct file_operations pv_swaps_fops = {
	.owner = THIS_MODULE,
	.read = pv_swaps_read,
	.llseek = default_llseek,
};

static int pv_show(struct seq_file *m, void *v)
{
	struct inode *inode = file_inode(m->file);
	struct pv_ctx *x;
	int err;

	x = kvmalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	x->s = inode->i_sb->s_fs_info;
	x->c = ctnr_find_by_task(current);
	switch (inode->i_ino) {
	case PV_MEMINFO:
		err = pv_meminfo(m, x);
		break;
	case PV_CPUINFO:
		err = pv_cpuinfo(m, x);
		break;
	case PV_STAT:
		err = pv_stat(m, x);
		break;
	case PV_UPTIME:
		err = pv_uptime(m, x);
		break;
	case PV_LOADAVG:
		err = pv_loadavg(m, x);
		break;
	case PV_DISKSTATS:
		err = pv_diskstats(m, x);
		break;
	case PV_CPU_ONLINE:
		err = pv_cpu_online(m, x);
		break;
	default:
		err = -ENOENT;
	}
	if (x->c)
		ctnr_put(x->c);
	kvfree(x);
	return err;
}

static int pv_open(struct inode *inode, struct file *file)
{
	size_t size = PAGE_SIZE;

	/* the host's stat and cpuinfo rarely fit a page */
	if (inode->i_ino == PV_STAT || inode->i_ino == PV_CPUINFO ||
	    inode->i_ino == PV_DISKSTATS)
		size = 4 * PAGE_SIZE;
	return single_open_size(file, pv_show, NULL, size);
}

static const struct file_operations pv_fops = {
	.owner = THIS_MODULE,
	.open = pv_open,
	.read_iter = seq_read_iter,
	.llseek = seq_lseek,
	.release = single_release,
};

/* ------------------------------------------------------------------ */
/* the file system                                                    */

/*
 * A private clone of the mount at @name in the mounter's namespace, which
 * must be the root of a file system of type @magic.
 */
static struct vfsmount *pv_clone(struct fs_context *fc, const char *name,
				 unsigned long magic)
{
	struct vfsmount *mnt;
	struct path p;
	int err;

	err = kern_path(name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err) {
		errorfc(fc, "%s: cannot look it up", name);
		return ERR_PTR(err);
	}
	if (p.dentry != p.mnt->mnt_root || p.mnt->mnt_sb->s_magic != magic) {
		path_put(&p);
		errorfc(fc, "%s is not the root of a %s mount", name,
			magic == PROC_SUPER_MAGIC ? "proc" : "cgroup2");
		return ERR_PTR(-EINVAL);
	}
	mnt = clone_private_mount(&p);
	path_put(&p);
	if (IS_ERR(mnt))
		errorfc(fc, "%s: cannot clone the mount", name);
	return mnt;
}

static int pv_fill_super(struct super_block *sb, struct fs_context *fc)
{
	static const struct tree_descr files[] = {
		[PV_MEMINFO] = { "meminfo", &pv_fops, 0444 },
		[PV_CPUINFO] = { "cpuinfo", &pv_fops, 0444 },
		[PV_STAT] = { "stat", &pv_fops, 0444 },
		[PV_UPTIME] = { "uptime", &pv_fops, 0444 },
		[PV_LOADAVG] = { "loadavg", &pv_fops, 0444 },
		[PV_DISKSTATS] = { "diskstats", &pv_fops, 0444 },
		[PV_SWAPS] = { "swaps", &pv_swaps_fops, 0444 },
		[PV_CPU_ONLINE] = { "cpu_online", &pv_fops, 0444 },
		{ "" }
	};

	return simple_fill_super(sb, CTNR_PROCVIEW_MAGIC, files);
}

static int pv_get_tree(struct fs_context *fc)
{
	struct pv_sb *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	kref_init(&s->ref);
	s->cgns = current->nsproxy->cgroup_ns;
	get_cgroup_ns(s->cgns);
	/* the free op puts it if no super block takes it over */
	fc->s_fs_info = s;
	s->proc = pv_clone(fc, "/proc", PROC_SUPER_MAGIC);
	if (IS_ERR(s->proc))
		return PTR_ERR(s->proc);
	s->cgroup = pv_clone(fc, "/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
	if (IS_ERR(s->cgroup))
		return PTR_ERR(s->cgroup);
	return get_tree_nodev(fc, pv_fill_super);
}

static void pv_free_fc(struct fs_context *fc)
{
	if (fc->s_fs_info)
		pv_sb_put(fc->s_fs_info);
}

static const struct fs_context_operations pv_context_ops = {
	.get_tree = pv_get_tree,
	.free = pv_free_fc,
};

static int pv_init_fs_context(struct fs_context *fc)
{
	fc->ops = &pv_context_ops;
	return 0;
}

static void pv_kill_sb(struct super_block *sb)
{
	struct pv_sb *s = sb->s_fs_info;

	ctnr_kill_simple_super(sb);
	if (s)
		pv_sb_put(s);
}

static struct file_system_type pv_fs_type = {
	.owner = THIS_MODULE,
	.name = CTNR_PROCVIEW_FS_NAME,
	.init_fs_context = pv_init_fs_context,
	.kill_sb = pv_kill_sb,
};
MODULE_ALIAS_FS(CTNR_PROCVIEW_FS_NAME);

int ctnr_procview_init(void)
{
	int err;

	pv_cred = prepare_kernel_cred(&init_task);
	if (!pv_cred)
		return -ENOMEM;
	err = register_filesystem(&pv_fs_type);
	if (err)
		put_cred(pv_cred);
	return err;
}

/*
 * No view is mounted or open (each pins the module), so no reader is
 * left; the sampling work may still run for the trackers.
 */
void ctnr_procview_uninit(void)
{
	struct pv_tracker *t;
	unsigned long id;

	unregister_filesystem(&pv_fs_type);
	cancel_delayed_work_sync(&pv_sample_work);
	xa_for_each(&pv_trackers, id, t) {
		xa_erase(&pv_trackers, id);
		pv_tracker_free(t);
	}
	put_cred(pv_cred);
}
