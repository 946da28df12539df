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
 * A container whose views are read gets one tracker (pv_trackers): the
 * latest snapshot of its cgroup's files, which serves every view for
 * PV_SNAP_MS (reading ten files at each read made meminfo a seventh of
 * the native file's speed, a snapshot every 10 ms still a fifth), and its
 * load samples: a delayed work every
 * LOAD_FREQ walks the threads of each tracked container and decays its
 * averages as the kernel's calc_load() does.  A sample is bounded
 * (PV_SAMPLE_GROUPS cgroups, PV_SAMPLE_THREADS threads); a tracker is
 * freed at the first sample after its container is gone.
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
#include <linux/kernfs.h>
#include <linux/kref.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/loadavg.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <linux/xarray.h>
#ifdef CTNR_KERNEL_CGROUP_NS_HEADER
#include <linux/cgroup_namespace.h>
#endif

#include "ctnr.h"

#define PV_SMALL		4096		/* a one-value cgroup file */
#define PV_FILE_MAX		(4U << 20)	/* the most read of any file */
#define PV_THREADS_MAX		(256U << 10)	/* of one cgroup.threads */
#define PV_IOSTAT_MAX		(64U << 10)	/* io.stat kept in a snapshot */
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

#define PV_SNAP_MS		100		/* a snapshot serves this long */
#define PV_SNAP_JIFFIES		msecs_to_jiffies(PV_SNAP_MS)

struct pv_snap;

/*
 * One per container whose views were read, in pv_trackers by container
 * id: its load samples and the latest snapshot of its cgroup's files.
 * Only the sampling work writes the load numbers once the tracker is
 * published (one work item never runs twice at once); readers take them
 * field by field.  Counted by the xarray (dropped by the sampling work
 * once the container is gone) and by each reader using it; freed after
 * an RCU grace period, since readers take their reference under RCU.
 */
struct pv_tracker {
	struct kref ref;
	struct pv_sb *s;		/* counted */
	struct mutex lock;		/* serialises refreshes of ->snap */
	struct pv_snap __rcu *snap;	/* counted, NULL until first read */
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

/* Scratch space for reading a cgroup's files. */
struct pv_ctx {
	struct pv_sb *s;
	struct ctnr_container *c;	/* counted by the caller */
	char path[PATH_MAX];
	char small[PV_SMALL];
};

/* One read of a view. */
struct pv_read {
	struct pv_sb *s;
	struct ctnr_container *c;	/* counted; NULL: the host's view */
	struct pv_tracker *t;		/* counted, with c */
	struct pv_snap *sn;		/* counted, with c */
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
		buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);
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
	/* outside the namespace ("/../.."), not a name such as "..x" */
	if (!strncmp(x->path, "/..", 3) &&
	    (x->path[3] == '/' || x->path[3] == '\0'))
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

/*
 * A view's text as it is made, in a buffer of a fixed size: seq_buf's
 * idea (6.1 does not export seq_buf_putmem() or seq_buf_putc()).  The
 * views do not use seq_file's buffer, because making a text reads other
 * seq_files (the host's /proc files, the cgroup's files), and with our
 * own seq_file's lock held that is a recursion of one lock class for
 * lockdep; see pv_read_iter().
 */
struct pv_buf {
	char *data;
	size_t size;
	size_t len;		/* size + 1 once something did not fit */
};

static bool pv_overflowed(const struct pv_buf *b)
{
	return b->len > b->size;
}

static void pv_write(struct pv_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->size) {
		b->len = b->size + 1;
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void pv_putc(struct pv_buf *b, char c)
{
	pv_write(b, &c, 1);
}

static __printf(2, 3) void pv_printf(struct pv_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (pv_overflowed(b))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || b->len + n >= b->size)
		b->len = b->size + 1;
	else
		b->len += n;
}

/* Copy the line at @p, newline included (added if it had none). */
static void pv_put_line(struct pv_buf *m, const char *p)
{
	pv_write(m, p, pv_line_len(p));
	pv_putc(m, '\n');
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
 * Nanoseconds since the container started, on the boot clock: since its
 * init started (kept at registration, so the init's death changes
 * nothing).
 */
static u64 pv_uptime_ns(const struct ctnr_container *c)
{
	u64 now = ktime_get_boottime_ns();

	return now > c->start_boottime ? now - c->start_boottime : 0;
}

static u64 pv_clock_t(u64 ns)
{
	return div_u64(ns, NSEC_PER_SEC / USER_HZ);
}

/* ------------------------------------------------------------------ */
/* snapshots of the cgroup's files                                    */

/* The memory.stat keys the views use, in bytes. */
enum pv_ms {
	PV_MS_FILE, PV_MS_SWAPCACHED, PV_MS_ACTIVE_ANON, PV_MS_INACTIVE_ANON,
	PV_MS_ACTIVE_FILE, PV_MS_INACTIVE_FILE, PV_MS_UNEVICTABLE,
	PV_MS_FILE_DIRTY, PV_MS_FILE_WRITEBACK, PV_MS_ANON, PV_MS_FILE_MAPPED,
	PV_MS_SHMEM, PV_MS_SLAB_RECLAIMABLE, PV_MS_SLAB_UNRECLAIMABLE,
	PV_MS_KERNEL_STACK, PV_MS_PAGETABLES, PV_MS_SEC_PAGETABLES,
	PV_MS_ANON_THP, PV_MS_SHMEM_THP, PV_MS_FILE_THP, PV_MS_ZSWAP,
	PV_MS_ZSWAPPED,
	__PV_MS_MAX
};

static const char *const pv_ms_keys[__PV_MS_MAX] = {
	[PV_MS_FILE] = "file",
	[PV_MS_SWAPCACHED] = "swapcached",
	[PV_MS_ACTIVE_ANON] = "active_anon",
	[PV_MS_INACTIVE_ANON] = "inactive_anon",
	[PV_MS_ACTIVE_FILE] = "active_file",
	[PV_MS_INACTIVE_FILE] = "inactive_file",
	[PV_MS_UNEVICTABLE] = "unevictable",
	[PV_MS_FILE_DIRTY] = "file_dirty",
	[PV_MS_FILE_WRITEBACK] = "file_writeback",
	[PV_MS_ANON] = "anon",
	[PV_MS_FILE_MAPPED] = "file_mapped",
	[PV_MS_SHMEM] = "shmem",
	[PV_MS_SLAB_RECLAIMABLE] = "slab_reclaimable",
	[PV_MS_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
	[PV_MS_KERNEL_STACK] = "kernel_stack",
	[PV_MS_PAGETABLES] = "pagetables",
	[PV_MS_SEC_PAGETABLES] = "sec_pagetables",
	[PV_MS_ANON_THP] = "anon_thp",
	[PV_MS_SHMEM_THP] = "shmem_thp",
	[PV_MS_FILE_THP] = "file_thp",
	[PV_MS_ZSWAP] = "zswap",
	[PV_MS_ZSWAPPED] = "zswapped",
};

/*
 * The views whose text is made once per snapshot and then served as it
 * is to every reader of the container (pv_cached()): those made from a
 * host file, which is what makes them dear.  Their text depends only on
 * the snapshot, the host's file and (stat) the latest load sample, not
 * on who reads.
 */
enum pv_text_id {
	PV_TEXT_MEMINFO,
	PV_TEXT_CPUINFO,
	PV_TEXT_DISKSTATS,
	PV_TEXT_STAT,
	__PV_TEXT_MAX
};

struct pv_text {
	size_t len;
	char data[];
};

/*
 * What the views use of the cgroup's files, read at once.  Immutable once
 * published, but for text[], each slot of which goes from NULL to a text
 * once (cmpxchg); counted by the tracker (its current one) and by each reader
 * using it; freed after an RCU grace period, since readers take their
 * reference under RCU.
 */
struct pv_snap {
	struct kref ref;
	unsigned long stamp;		/* jiffies when taken */
	bool mem;			/* memory.current was there */
	u64 mem_lim, mem_cur;		/* bytes; U64_MAX: no limit */
	u64 swap_lim, swap_cur;		/* bytes; U64_MAX: no limit */
	u64 ms[__PV_MS_MAX];		/* memory.stat, bytes */
	unsigned long ms_have;		/* bit per key memory.stat has */
	u64 cpu_user, cpu_system;	/* cpu.stat, ns */
	u64 uptime;			/* the container's, ns, at ->stamp */
	unsigned int ncpus;		/* weight of cpus */
	cpumask_var_t cpus;		/* the visible CPUs */
	char *iostat;			/* io.stat, NULL if none */
	u64 host_swap_kb;		/* the host's SwapTotal */
	struct pv_text *text[__PV_TEXT_MAX];	/* set once, see pv_cached() */
	struct rcu_head rcu;
};

static void pv_snap_free_rcu(struct rcu_head *rcu)
{
	struct pv_snap *sn = container_of(rcu, struct pv_snap, rcu);
	int i;

	for (i = 0; i < __PV_TEXT_MAX; i++)
		kvfree(sn->text[i]);
	free_cpumask_var(sn->cpus);
	kvfree(sn->iostat);
	kfree(sn);
}

static void pv_snap_release(struct kref *ref)
{
	call_rcu(&container_of(ref, struct pv_snap, ref)->rcu,
		 pv_snap_free_rcu);
}

static void pv_snap_put(struct pv_snap *sn)
{
	kref_put(&sn->ref, pv_snap_release);
}

/* Read the cgroup's files into a new snapshot; NULL if memory is short. */
static struct pv_snap *pv_snap_take(struct pv_ctx *x)
{
	struct pv_snap *sn;
	char *st;
	int i;

	sn = kzalloc(sizeof(*sn), GFP_KERNEL);
	if (!sn)
		return NULL;
	if (!zalloc_cpumask_var(&sn->cpus, GFP_KERNEL)) {
		kfree(sn);
		return NULL;
	}
	kref_init(&sn->ref);
	sn->stamp = jiffies;
	sn->mem_lim = U64_MAX;
	sn->swap_lim = U64_MAX;
	if (pv_cg_small(x, x->c->cgrp, "memory.current") > 0) {
		sn->mem = true;
		sn->mem_cur = pv_limit(x->small);
		if (sn->mem_cur == U64_MAX)
			sn->mem_cur = 0;
		sn->mem_lim = min(pv_cg_min(x, "memory.max"),
				  pv_cg_min(x, "memory.high"));
		sn->swap_lim = pv_cg_min(x, "memory.swap.max");
		if (pv_cg_small(x, x->c->cgrp, "memory.swap.current") > 0 &&
		    pv_limit(x->small) != U64_MAX)
			sn->swap_cur = pv_limit(x->small);
		st = pv_cg_slurp(x, x->c->cgrp, "memory.stat", PV_FILE_MAX);
		if (!IS_ERR(st)) {
			for (i = 0; i < __PV_MS_MAX; i++) {
				if (!pv_has_key(st, pv_ms_keys[i]))
					continue;
				sn->ms[i] = pv_kv(st, pv_ms_keys[i]);
				__set_bit(i, &sn->ms_have);
			}
			kvfree(st);
		}
	}
	sn->uptime = pv_uptime_ns(x->c);
	if (pv_cg_small(x, x->c->cgrp, "cpu.stat") > 0) {
		sn->cpu_user = pv_kv(x->small, "user_usec") * NSEC_PER_USEC;
		sn->cpu_system = pv_kv(x->small, "system_usec") * NSEC_PER_USEC;
	}
	pv_cpus(x, sn->cpus);
	sn->ncpus = cpumask_weight(sn->cpus);
	st = pv_cg_slurp(x, x->c->cgrp, "io.stat", PV_IOSTAT_MAX);
	sn->iostat = IS_ERR(st) ? NULL : st;
	st = pv_slurp(x->s->proc, "meminfo", PV_FILE_MAX, NULL);
	if (IS_ERR(st)) {
		pv_snap_free_rcu(&sn->rcu);	/* never published */
		return NULL;
	}
	sn->host_swap_kb = pv_meminfo_kb(st, "SwapTotal");
	kvfree(st);
	return sn;
}

/* ------------------------------------------------------------------ */
/* trackers: load samples and the latest snapshot of a container      */

static void pv_tracker_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct pv_tracker, rcu));
}

/* The last reference: process context (it may unmount the clones). */
static void pv_tracker_release(struct kref *ref)
{
	struct pv_tracker *t = container_of(ref, struct pv_tracker, ref);
	struct pv_snap *sn = rcu_dereference_protected(t->snap, 1);

	if (sn)
		pv_snap_put(sn);
	mutex_destroy(&t->lock);
	pv_sb_put(t->s);
	call_rcu(&t->rcu, pv_tracker_free_rcu);
}

static void pv_tracker_put(struct pv_tracker *t)
{
	kref_put(&t->ref, pv_tracker_release);
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

/*
 * One load sample of container @c into @t: the cgroup and its
 * descendants.  Only the sampling work calls it on a published tracker.
 */
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
			pv_tracker_put(t);	/* the xarray's */
			continue;
		}
		if (x)
			pv_sample(t, c, x);
		ctnr_put(c);
		cond_resched();
	}
	kvfree(x);
	if (!xa_empty(&pv_trackers))
		queue_delayed_work(system_unbound_wq, &pv_sample_work, LOAD_FREQ);
}

/*
 * The tracker of the reader's container, with a reference; made on first
 * use, with its first load sample taken before anyone else can see it.
 * NULL when memory is short.
 */
static struct pv_tracker *pv_tracker_get(struct pv_read *r)
{
	struct pv_tracker *t, *old;
	struct pv_ctx *x;

	rcu_read_lock();
	t = xa_load(&pv_trackers, r->c->id);
	if (t && !kref_get_unless_zero(&t->ref))
		t = NULL;
	rcu_read_unlock();
	if (t)
		return t;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	x = kvmalloc(sizeof(*x), GFP_KERNEL);
	if (!t || !x) {
		kfree(t);
		kvfree(x);
		return NULL;
	}
	kref_init(&t->ref);		/* the xarray's */
	mutex_init(&t->lock);
	kref_get(&r->s->ref);
	t->s = r->s;
	pv_sample(t, r->c, x);
	kvfree(x);
	kref_get(&t->ref);		/* ours */
	old = xa_cmpxchg(&pv_trackers, r->c->id, NULL, t, GFP_KERNEL);
	if (!old) {
		queue_delayed_work(system_unbound_wq, &pv_sample_work, LOAD_FREQ);
		return t;
	}
	/* another reader's is there (or no memory): use that one */
	pv_tracker_put(t);
	pv_tracker_put(t);
	if (xa_is_err(old))
		return NULL;
	rcu_read_lock();
	t = xa_load(&pv_trackers, r->c->id);
	if (t && !kref_get_unless_zero(&t->ref))
		t = NULL;
	rcu_read_unlock();
	return t;
}

/*
 * The tracker's snapshot, with a reference, taken again when it is older
 * than PV_SNAP_JIFFIES.  One reader refreshes it (under t->lock, which
 * only serialises refreshes); the others keep using the older one
 * meanwhile, so a reader never waits for another's file reads unless
 * there is no snapshot yet.  NULL when memory is short.
 */
static struct pv_snap *pv_snap_get(struct pv_read *r)
{
	struct pv_snap *sn, *nsn, *old;
	struct pv_tracker *t = r->t;
	struct pv_ctx *x;

	rcu_read_lock();
	sn = rcu_dereference(t->snap);
	if (sn && !kref_get_unless_zero(&sn->ref))
		sn = NULL;
	rcu_read_unlock();
	if (sn && time_before(jiffies, sn->stamp + PV_SNAP_JIFFIES))
		return sn;
	if (sn && !mutex_trylock(&t->lock))
		return sn;
	if (!sn)
		mutex_lock(&t->lock);
	/* t->lock held: we are the only one replacing t->snap */
	old = rcu_dereference_protected(t->snap, lockdep_is_held(&t->lock));
	if (old && old != sn &&
	    time_before(jiffies, old->stamp + PV_SNAP_JIFFIES)) {
		/* refreshed while we waited */
		kref_get(&old->ref);
		mutex_unlock(&t->lock);
		if (sn)
			pv_snap_put(sn);
		return old;
	}
	x = kvmalloc(sizeof(*x), GFP_KERNEL);
	nsn = NULL;
	if (x) {
		x->s = r->s;
		x->c = r->c;
		nsn = pv_snap_take(x);
		kvfree(x);
	}
	if (!nsn) {
		mutex_unlock(&t->lock);
		return sn;	/* the older one, or NULL */
	}
	kref_get(&nsn->ref);		/* the reader's */
	rcu_assign_pointer(t->snap, nsn);
	mutex_unlock(&t->lock);
	if (old)
		pv_snap_put(old);	/* the tracker's */
	if (sn)
		pv_snap_put(sn);
	return nsn;
}

struct pv_load {
	unsigned long avenrun[3];
	unsigned int running, blocked, threads;
};

/* The latest load sample of the reader's container. */
static void pv_load_get(struct pv_read *r, struct pv_load *l)
{
	int i;

	for (i = 0; i < 3; i++)
		l->avenrun[i] = READ_ONCE(r->t->avenrun[i]);
	l->running = READ_ONCE(r->t->running);
	l->blocked = READ_ONCE(r->t->blocked);
	l->threads = READ_ONCE(r->t->threads);
}

/* ------------------------------------------------------------------ */
/* the views                                                          */

static void pv_read_end(struct pv_read *r)
{
	if (r->sn)
		pv_snap_put(r->sn);
	if (r->t)
		pv_tracker_put(r->t);
	if (r->c)
		ctnr_put(r->c);
}

/* Who reads (current), and the snapshot of its container's cgroup. */
static int pv_read_begin(struct pv_read *r, struct inode *inode)
{
	r->s = inode->i_sb->s_fs_info;
	r->t = NULL;
	r->sn = NULL;
	r->c = ctnr_find_by_task(current);
	if (!r->c)
		return 0;
	r->t = pv_tracker_get(r);
	if (r->t)
		r->sn = pv_snap_get(r);
	if (r->sn)
		return 0;
	pv_read_end(r);
	return -ENOMEM;
}

/*
 * A container's view @id: the text made from the same snapshot if a
 * reader made it already, else made by @make and kept in the snapshot
 * for the readers after us (if memory allows; the first one to keep it
 * wins).  The text is at most PV_SNAP_MS older than the snapshot, as old
 * as the cgroup's numbers in it: what the host's file shows then is
 * that old too.  Reading meminfo again at each read kept a container's
 * meminfo under half the native file's speed, cpuinfo (whose MHz lines
 * the kernel works out per CPU at each read) under a third.
 */
static int pv_cached(struct pv_buf *m, struct pv_read *r,
		     enum pv_text_id id,
		     int (*make)(struct pv_buf *m, struct pv_read *r))
{
	struct pv_text *t;
	size_t start = m->len, len;
	int err;

	/* pairs with the cmpxchg_release() below: the text is whole */
	t = smp_load_acquire(&r->sn->text[id]);

	if (t) {
		pv_write(m, t->data, t->len);
		return 0;
	}
	err = make(m, r);
	/* too big for the buffer: pv_make() calls us again */
	if (err || pv_overflowed(m))
		return err;
	len = m->len - start;
	t = kvmalloc(struct_size(t, data, len), GFP_KERNEL_ACCOUNT);
	if (!t)
		return 0;
	t->len = len;
	memcpy(t->data, m->data + start, len);
	if (cmpxchg_release(&r->sn->text[id], NULL, t))
		kvfree(t);
	return 0;
}

/* The host's file, unchanged. */
static int pv_host(struct pv_buf *m, struct pv_read *r, const char *name)
{
	size_t len;
	char *buf;

	buf = pv_slurp(r->s->proc, name, PV_FILE_MAX, &len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	pv_write(m, buf, len);
	kvfree(buf);
	return 0;
}

/* A meminfo line the container's number replaces. */
struct pv_mval {
	const char *label;
	u64 kb;
};

#define PV_MVALS	40

static int pv_meminfo(struct pv_buf *m, struct pv_read *r)
{
	const struct pv_snap *sn = r->sn;
	u64 total, cur, free, avail, swap_total;
	struct pv_mval *v;
	const char *p;
	int nv = 0, i;
	char *host;

	if (!r->c || !sn->mem)
		return pv_host(m, r, "meminfo");
	host = pv_slurp(r->s->proc, "meminfo", PV_FILE_MAX, NULL);
	if (IS_ERR(host))
		return PTR_ERR(host);
	v = kmalloc_array(PV_MVALS, sizeof(*v), GFP_KERNEL);
	if (!v) {
		kvfree(host);
		return -ENOMEM;
	}
#define MS(k) (sn->ms[PV_MS_##k] >> 10)
#define PV_SET(l, val) do {						\
	if (nv < PV_MVALS) {						\
		v[nv].label = (l);					\
		v[nv++].kb = (val);					\
	}								\
} while (0)
	cur = sn->mem_cur >> 10;
	total = min(sn->mem_lim >> 10, pv_meminfo_kb(host, "MemTotal"));
	free = total > cur ? total - cur : 0;
	avail = min(total, free + MS(ACTIVE_FILE) + MS(INACTIVE_FILE) +
			   MS(SLAB_RECLAIMABLE));
	PV_SET("MemTotal", total);
	PV_SET("MemFree", free);
	PV_SET("MemAvailable", avail);
	PV_SET("Buffers", 0);
	PV_SET("Cached", MS(FILE));
	PV_SET("SwapCached", MS(SWAPCACHED));
	PV_SET("Active", MS(ACTIVE_ANON) + MS(ACTIVE_FILE));
	PV_SET("Inactive", MS(INACTIVE_ANON) + MS(INACTIVE_FILE));
	PV_SET("Active(anon)", MS(ACTIVE_ANON));
	PV_SET("Inactive(anon)", MS(INACTIVE_ANON));
	PV_SET("Active(file)", MS(ACTIVE_FILE));
	PV_SET("Inactive(file)", MS(INACTIVE_FILE));
	PV_SET("Unevictable", MS(UNEVICTABLE));
	PV_SET("Dirty", MS(FILE_DIRTY));
	PV_SET("Writeback", MS(FILE_WRITEBACK));
	PV_SET("AnonPages", MS(ANON));
	PV_SET("Mapped", MS(FILE_MAPPED));
	PV_SET("Shmem", MS(SHMEM));
	PV_SET("KReclaimable", MS(SLAB_RECLAIMABLE));
	PV_SET("Slab", MS(SLAB_RECLAIMABLE) + MS(SLAB_UNRECLAIMABLE));
	PV_SET("SReclaimable", MS(SLAB_RECLAIMABLE));
	PV_SET("SUnreclaim", MS(SLAB_UNRECLAIMABLE));
	PV_SET("KernelStack", MS(KERNEL_STACK));
	PV_SET("PageTables", MS(PAGETABLES));
	if (test_bit(PV_MS_SEC_PAGETABLES, &sn->ms_have))
		PV_SET("SecPageTables", MS(SEC_PAGETABLES));
	PV_SET("AnonHugePages", MS(ANON_THP));
	PV_SET("ShmemHugePages", MS(SHMEM_THP));
	PV_SET("FileHugePages", MS(FILE_THP));
	if (test_bit(PV_MS_ZSWAP, &sn->ms_have)) {
		PV_SET("Zswap", MS(ZSWAP));
		PV_SET("Zswapped", MS(ZSWAPPED));
	}
	/* as swaps: the limit (the host's swap without one), the use ours */
	swap_total = min(sn->swap_lim >> 10, pv_meminfo_kb(host, "SwapTotal"));
	PV_SET("SwapTotal", swap_total);
	PV_SET("SwapFree", swap_total > (sn->swap_cur >> 10) ?
				   swap_total - (sn->swap_cur >> 10) : 0);
#undef PV_SET
#undef MS

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
		pv_printf(m, "%s:%*s%8llu kB\n", v[i].label,
			  (int)(15 - min_t(size_t, 15, colon - p)), "",
			  v[i].kb);
	}
	kfree(v);
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

static int pv_cpuinfo(struct pv_buf *m, struct pv_read *r)
{
	bool keep = true;
	const char *p;
	char *host;
	long cpu;

	if (!r->c)
		return pv_host(m, r, "cpuinfo");
	host = pv_slurp(r->s->proc, "cpuinfo", PV_FILE_MAX, NULL);
	if (IS_ERR(host))
		return PTR_ERR(host);
	/* the blocks of the visible CPUs, and what precedes the first */
	for (p = host; p; p = pv_next_line(p)) {
		cpu = pv_processor(p);
		if (cpu >= 0)
			keep = cpu < nr_cpu_ids &&
			       cpumask_test_cpu(cpu, r->sn->cpus);
		if (keep)
			pv_put_line(m, p);
	}
	kvfree(host);
	return 0;
}

static int pv_cpu_online(struct pv_buf *m, struct pv_read *r)
{
	pv_printf(m, "%*pbl\n",
		  cpumask_pr_args(r->c ? r->sn->cpus : cpu_online_mask));
	return 0;
}

/*
 * Per visible CPU, in ns: an even share of the cgroup's user and system
 * time, and idle the rest of the container's uptime, both as of the
 * snapshot, so that idle never goes back from one snapshot to the next
 * (it grows by the time that passed less the CPU time used, which the
 * visible CPUs bound).
 */
struct pv_cpu_times {
	u64 user, system, idle;
};

static void pv_cpu_times(struct pv_read *r, struct pv_cpu_times *t)
{
	unsigned int n = max(r->sn->ncpus, 1U);
	u64 up = r->sn->uptime, busy;

	t->user = div_u64(r->sn->cpu_user, n);
	t->system = div_u64(r->sn->cpu_system, n);
	busy = t->user + t->system;
	t->idle = up > busy ? up - busy : 0;
}

static void pv_stat_cpu(struct pv_buf *m, const char *name,
			u64 user, u64 system, u64 idle)
{
	pv_printf(m, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name,
		  pv_clock_t(user), pv_clock_t(system), pv_clock_t(idle));
}

static int pv_stat(struct pv_buf *m, struct pv_read *r)
{
	struct pv_cpu_times t;
	struct pv_load l;
	unsigned int cpu, n;
	char name[16];
	const char *p;
	char *host;

	if (!r->c)
		return pv_host(m, r, "stat");
	host = pv_slurp(r->s->proc, "stat", PV_FILE_MAX, NULL);
	if (IS_ERR(host))
		return PTR_ERR(host);
	n = r->sn->ncpus;
	pv_cpu_times(r, &t);
	pv_load_get(r, &l);
	/* the total is the sum of the lines below, tick for tick */
	pv_stat_cpu(m, "cpu ", t.user * n, t.system * n, t.idle * n);
	for_each_cpu(cpu, r->sn->cpus) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		pv_stat_cpu(m, name, t.user, t.system, t.idle);
	}
	for (p = host; p; p = pv_next_line(p)) {
		if (!strncmp(p, "cpu", 3))
			continue;
		if (!strncmp(p, "procs_running ", 14))
			pv_printf(m, "procs_running %u\n", l.running);
		else if (!strncmp(p, "procs_blocked ", 14))
			pv_printf(m, "procs_blocked %u\n", l.blocked);
		else
			pv_put_line(m, p);
	}
	kvfree(host);
	return 0;
}

static int pv_uptime(struct pv_buf *m, struct pv_read *r)
{
	struct pv_cpu_times t;
	u64 up, idle;
	u32 rem;

	if (!r->c)
		return pv_host(m, r, "uptime");
	up = pv_uptime_ns(r->c);
	pv_cpu_times(r, &t);
	idle = t.idle * r->sn->ncpus;
	up = div_u64_rem(up, NSEC_PER_SEC, &rem);
	pv_printf(m, "%llu.%02u ", up, rem / (u32)(NSEC_PER_SEC / 100));
	idle = div_u64_rem(idle, NSEC_PER_SEC, &rem);
	pv_printf(m, "%llu.%02u\n", idle, rem / (u32)(NSEC_PER_SEC / 100));
	return 0;
}

static int pv_loadavg(struct pv_buf *m, struct pv_read *r)
{
	unsigned long a;
	struct pv_load l;
	int i;

	if (!r->c)
		return pv_host(m, r, "loadavg");
	pv_load_get(r, &l);
	/* rounded as the kernel's loadavg_proc_show() does */
	for (i = 0; i < 3; i++) {
		a = l.avenrun[i] + FIXED_1 / 200;
		pv_printf(m, "%lu.%02lu ", LOAD_INT(a), LOAD_FRAC(a));
	}
	pv_printf(m, "%u/%u %d\n", l.running, l.threads,
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
 * The host's lines of the devices the container used (io.stat), owns (its
 * ctnrloop devices) or is granted by its device rules
 * (ctnr_dev_block_granted()), with the cgroup's counts: reads, sectors
 * read, writes, sectors written, discards, sectors discarded (0 for a
 * granted device it did not use); the fields the cgroup does not count
 * (merges, times, in flight) are 0.  An owned device io.stat does not
 * know keeps the host's numbers: they are all the container's.
 */
static int pv_diskstats(struct pv_buf *m, struct pv_read *r)
{
	unsigned int maj, min, f;
	const char *iostat;
	char *host;
	const char *p, *q, *end;
	struct pv_io io;
	u64 a, b, val;
	int namelen;

	if (!r->c)
		return pv_host(m, r, "diskstats");
	host = pv_slurp(r->s->proc, "diskstats", PV_FILE_MAX, NULL);
	if (IS_ERR(host))
		return PTR_ERR(host);
	iostat = r->sn->iostat;
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
		/* all of an own loop's I/O is the container's */
		if (!(iostat && pv_io_find(iostat, maj, min, &io))) {
			if (ctnr_loop_owned_rcu(MKDEV(maj, min), r->c)) {
				pv_put_line(m, p);
				continue;
			}
			/* granted, never used: zeros (io was cleared) */
			if (!ctnr_dev_block_granted(r->c, MKDEV(maj, min)))
				continue;
		}
		q = pv_blanks(q);
		namelen = pv_token_end(q) - q;
		pv_printf(m, "%4u %7u %.*s", maj, min, namelen, q);
		q += namelen;
		for (f = 0; q < end; f++) {
			q = pv_u64(pv_blanks(q), &val);
			if (!q || q > end)
				break;
			val = f == 0 ? io.rios : f == 2 ? io.rbytes >> 9 :
			      f == 4 ? io.wios : f == 6 ? io.wbytes >> 9 :
			      f == 11 ? io.dios :
			      f == 13 ? io.dbytes >> 9 : 0;
			pv_printf(m, " %llu", val);
		}
		pv_putc(m, '\n');
	}
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
static ssize_t pv_swaps_host(struct pv_read *r, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct path root = { .mnt = r->s->proc, .dentry = r->s->proc->mnt_root };
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
		buf = pv_slurp(r->s->proc, "swaps", PV_FILE_MAX, &len);
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
 * The kernel's header and one line "none virtual SIZE USED 0": SIZE the
 * swap limit (the host's SwapTotal without one, and never more), USED
 * the cgroup's swap use; with a limit of 0 or no swap on the host, the
 * header alone.  The host's swap files are not shown: their paths are
 * the host's business.  Without the memory controller, the host's file.
 * The text is made at each read() from offset 0 and cut at the reader's
 * offset.
 */
static ssize_t pv_swaps_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char text[192];
	u64 size, used;
	struct pv_read r;
	ssize_t n;
	int len;

	n = pv_read_begin(&r, file_inode(file));
	if (n)
		return n;
	if (!r.c || !r.sn->mem) {
		n = pv_swaps_host(&r, ubuf, count, ppos);
		goto out;
	}
	size = min(r.sn->swap_lim >> 10, r.sn->host_swap_kb);
	used = min(size, r.sn->swap_cur >> 10);
	/* as the kernel's swap_show() */
	len = scnprintf(text, sizeof(text),
			"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (size)
		len += scnprintf(text + len, sizeof(text) - len,
				 "%s%*s%s\t%llu\t%s%llu\t%s%d\n", "none", 36,
				 " ", "virtual", size,
				 size < 10000000 ? "\t" : "", used,
				 used < 10000000 ? "\t" : "", 0);
	n = simple_read_from_buffer(ubuf, count, ppos, text, len);
out:
	pv_read_end(&r);
	return n;
}

static const struct file_operations pv_swaps_fops = {
	.owner = THIS_MODULE,
	.read = pv_swaps_read,
	.llseek = default_llseek,
};

/* Make the text of the view @inode is for the reader, into @m. */
static int pv_show(struct pv_buf *m, struct inode *inode)
{
	struct pv_read r;
	int err;

	err = pv_read_begin(&r, inode);
	if (err)
		return err;
	switch (inode->i_ino) {
	case PV_MEMINFO:
		err = r.c ? pv_cached(m, &r, PV_TEXT_MEMINFO, pv_meminfo) :
			    pv_host(m, &r, "meminfo");
		break;
	case PV_CPUINFO:
		err = r.c ? pv_cached(m, &r, PV_TEXT_CPUINFO, pv_cpuinfo) :
			    pv_host(m, &r, "cpuinfo");
		break;
	case PV_STAT:
		err = r.c ? pv_cached(m, &r, PV_TEXT_STAT, pv_stat) :
			    pv_host(m, &r, "stat");
		break;
	case PV_UPTIME:
		err = pv_uptime(m, &r);
		break;
	case PV_LOADAVG:
		err = pv_loadavg(m, &r);
		break;
	case PV_DISKSTATS:
		err = r.c ? pv_cached(m, &r, PV_TEXT_DISKSTATS, pv_diskstats) :
			    pv_host(m, &r, "diskstats");
		break;
	case PV_CPU_ONLINE:
		err = pv_cpu_online(m, &r);
		break;
	default:
		err = -ENOENT;
	}
	pv_read_end(&r);
	return err;
}

/*
 * A new text for the view @inode: made in a page (four for the files
 * that rarely fit one), and again in twice the space as long as it does
 * not fit, up to PV_FILE_MAX.  The size is the allocation's, header
 * included, so that kmalloc() does not round a page and a few bytes up
 * to two.
 */
static struct pv_text *pv_make(struct inode *inode)
{
	size_t size = PAGE_SIZE;
	struct pv_text *t;
	struct pv_buf m;
	int err;

	if (inode->i_ino == PV_STAT || inode->i_ino == PV_CPUINFO ||
	    inode->i_ino == PV_DISKSTATS)
		size = 4 * PAGE_SIZE;
	for (;;) {
		t = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!t)
			return ERR_PTR(-ENOMEM);
		m = (struct pv_buf){
			.data = t->data,
			.size = size - offsetof(struct pv_text, data),
		};
		err = pv_show(&m, inode);
		if (!err && !pv_overflowed(&m)) {
			t->len = m.len;
			return t;
		}
		kvfree(t);
		if (err)
			return ERR_PTR(err);
		if (size >= PV_FILE_MAX)
			return ERR_PTR(-EFBIG);
		size = min_t(size_t, 2 * size, PV_FILE_MAX);
	}
}

/* An open view. */
struct pv_open {
	struct mutex lock;	/* serialises its reads; protects text */
	struct pv_text *text;	/* the latest text made; NULL before one */
};

static int pv_open(struct inode *inode, struct file *file)
{
	struct pv_open *o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);

	if (!o)
		return -ENOMEM;
	mutex_init(&o->lock);
	file->private_data = o;
	return 0;
}

static int pv_release(struct inode *inode, struct file *file)
{
	struct pv_open *o = file->private_data;

	mutex_destroy(&o->lock);
	kvfree(o->text);
	kfree(o);
	return 0;
}

/*
 * A read at offset 0 makes a new text, as a read of the real file from
 * its start does (top and vmstat seek back to 0 and read stat again);
 * reads further on go on in the text the last one made, so that a reader
 * reading in small pieces sees one text, whole, as with seq_file.  The
 * text is made under o->lock alone: it reads the host's and the cgroup's
 * files, which take seq_file and kernfs locks after ours, never before.
 */
static ssize_t pv_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct pv_open *o = iocb->ki_filp->private_data;
	loff_t pos = iocb->ki_pos;
	struct pv_text *t;
	size_t want, n;

	if (mutex_lock_killable(&o->lock))
		return -EINTR;
	if (pos == 0 || !o->text) {
		t = pv_make(file_inode(iocb->ki_filp));
		if (IS_ERR(t)) {
			mutex_unlock(&o->lock);
			return PTR_ERR(t);
		}
		kvfree(o->text);
		o->text = t;
	}
	t = o->text;
	if (pos < 0 || pos >= t->len) {
		mutex_unlock(&o->lock);
		return 0;
	}
	want = min_t(size_t, t->len - pos, iov_iter_count(to));
	n = copy_to_iter(t->data + pos, want, to);
	mutex_unlock(&o->lock);
	if (!n && want)
		return -EFAULT;
	iocb->ki_pos = pos + n;
	return n;
}

static const struct file_operations pv_fops = {
	.owner = THIS_MODULE,
	.open = pv_open,
	.read_iter = pv_read_iter,
	.llseek = default_llseek,
	.release = pv_release,
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

/*
 * Is the clone of cgroup2 rooted at the root of the mounter's cgroup
 * namespace?  Cgroup paths are made relative to that namespace
 * (cgroup_path_ns()) and looked up from the clone's root: a mount made
 * in another cgroup namespace, or of a subdirectory, would have the
 * views read another cgroup's files.  The clone's root is a kernfs
 * directory (its magic was checked), whose node's priv is the cgroup.
 */
static bool pv_cgroup_rooted_at_cgns(const struct pv_sb *s)
{
	struct inode *inode = d_inode(s->cgroup->mnt_root);
	struct kernfs_node *kn = inode ? inode->i_private : NULL;
	bool same;

	rcu_read_lock();
	same = kn && rcu_dereference(*(void __rcu __force **)&kn->priv) ==
		     s->cgns->root_cset->dfl_cgrp;
	rcu_read_unlock();
	return same;
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
	if (!pv_cgroup_rooted_at_cgns(s))
		return invalfc(fc, "/sys/fs/cgroup is not the root of this cgroup namespace: mount the views from the cgroup namespace cgroup2 was mounted in");
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
		pv_tracker_put(t);
	}
	/* the snapshots' and trackers' RCU callbacks are module code */
	rcu_barrier();
	put_cred(pv_cred);
}
