// SPDX-License-Identifier: GPL-2.0
/*
 * procview: the per-container /proc views (issue 15).
 *
 * Every test mounts its own instance of the ctnrproc file system, makes a
 * cgroup /ctnrtest-pv-<pid> with limits (memory.max 256 MiB, a swap limit,
 * cpuset and cpu.max as each test sets them), starts an init in new
 * namespaces in it and registers it as container pv<pid>-a:
 *
 *   root cgroup: test process --- reads the views: the host's numbers
 *        `- /ctnrtest-pv-<pid>           container pv<pid>-a, its limits
 *             |- init (new mnt, pid, uts namespaces)
 *             `- readers: the test process after ENTER(), or children
 *                that bind-mount the views over /proc/meminfo, ... and
 *                /sys/devices/system/cpu/online in a mount namespace of
 *                their own and run free, top, uptime, vmstat, nproc,
 *                python3
 *
 * What a view shows comes from the cgroup's own files, which the tests
 * read too; the host's side is compared with the real /proc files.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <ctype.h>
#include "ctnr_test.h"

#define CG_PREFIX	"ctnrtest-pv-"
#define MEM_MAX		(256ULL << 20)
#define SWAP_MAX	(32ULL << 20)
#define BIG		(256 << 10)

/* The views and the files they are bind-mounted over. */
static const struct {
	const char *view, *target;
} views[] = {
	{ "meminfo", "/proc/meminfo" },
	{ "cpuinfo", "/proc/cpuinfo" },
	{ "stat", "/proc/stat" },
	{ "uptime", "/proc/uptime" },
	{ "loadavg", "/proc/loadavg" },
	{ "diskstats", "/proc/diskstats" },
	{ "swaps", "/proc/swaps" },
	{ "cpu_online", "/sys/devices/system/cpu/online" },
};
#define NVIEWS (sizeof(views) / sizeof(views[0]))

static const char *const controllers[] = { "memory", "cpu", "cpuset" };

/* ------------------------------------------------------------------ */
/* helpers                                                            */

/* Read a whole file into a malloc()ed string; NULL with errno set. */
static char *slurp(const char *path)
{
	size_t len = 0, size = 65536;
	char *buf = malloc(size);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (len + 1 >= size) {
			char *p = realloc(buf, size * 2);

			if (!p)
				break;
			buf = p;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0) {
			if (n < 0) {
				int e = errno;

				close(fd);
				free(buf);
				errno = e;
				return NULL;
			}
			break;
		}
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* The number after "@key:" (meminfo) or "@key " (stat) at a line start. */
static long long field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) &&
		    (p[kl] == ':' || p[kl] == ' ' || p[kl] == '\t')) {
			p += kl;
			while (*p == ':' || *p == ' ' || *p == '\t')
				p++;
			return strtoll(p, NULL, 10);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Lines of @text that start with @prefix. */
static int count_prefix(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *p = text;
	int n = 0;

	while (p && *p) {
		if (!strncmp(p, prefix, pl))
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/* The labels of a meminfo text ("A:B:C:"), to compare two files' layout. */
static void labels(const char *text, char *out, size_t len)
{
	const char *p = text, *c;
	size_t o = 0;

	out[0] = '\0';
	while (p && *p) {
		c = strchr(p, ':');
		if (!c)
			break;
		if (o + (c - p) + 2 < len) {
			memcpy(out + o, p, c - p + 1);
			o += c - p + 1;
			out[o] = '\0';
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* Number of CPUs in a cpu list ("0-3,5"). */
static int cpulist_count(const char *s)
{
	int n = 0, a, b;
	char *end;

	while (*s && *s != '\n') {
		a = strtol(s, &end, 10);
		if (end == s)
			return -1;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			s = end;
		}
		n += b - a + 1;
		if (*s == ',')
			s++;
	}
	return n;
}

static int online_cpus(void)
{
	char buf[256];

	if (read_str("/sys/devices/system/cpu/online", buf, sizeof(buf)) < 0)
		return -1;
	return cpulist_count(buf);
}

/*
 * Write a cgroup file, then wait out the views' snapshot of the cgroup
 * (PV_SNAP_MS, 100 ms): the next read shows the new value.
 */
static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[PATH_MAX + 64];
	int r;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	r = write_str(path, val);
	sleep_ms(150);
	return r;
}

static int cg_leave(void)
{
	const char *root = cg2_root();

	return root ? cg_enter(root, getpid()) : -ENOENT;
}

/* ------------------------------------------------------------------ */
/* the fixture                                                        */

FIXTURE(pv) {
	struct ctnr_nl nl;
	struct test_init init;
	char mnt[64];
	char cg[PATH_MAX];
	char name[64];
	char prefix[32];
	uint32_t id;
	int ncpus;
	bool mounted;
	const char *skip;
};

FIXTURE_SETUP(pv)
{
	char rel[64], path[PATH_MAX + 32], ctl[32];
	struct ctnr_ctr c;
	size_t i;
	int r;

	self->init.pid = -1;
	self->init.ctl = -EBADF;
	self->ncpus = online_cpus();
	ASSERT_LT(0, self->ncpus);
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("netlink: %s (is the module loaded?)", strerror(-r));
	}
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/ctnr-pv-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	ASSERT_EQ(0, mount(CTNR_PROCVIEW_FS_NAME, self->mnt,
			   CTNR_PROCVIEW_FS_NAME, 0, NULL)) {
		TH_LOG("mount -t " CTNR_PROCVIEW_FS_NAME ": %m");
	}
	self->mounted = true;

	ASSERT_NE(NULL, cg2_root());
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg2_root());
	for (i = 0; i < sizeof(controllers) / sizeof(controllers[0]); i++) {
		snprintf(ctl, sizeof(ctl), "+%s", controllers[i]);
		if (!has_word(path, controllers[i]) && write_str(path, ctl)) {
			self->skip = "cgroup2 lacks the memory, cpu or cpuset controller";
			return;
		}
	}
	snprintf(self->prefix, sizeof(self->prefix), "pv%d-", getpid());
	snprintf(self->name, sizeof(self->name), "%sa", self->prefix);
	snprintf(rel, sizeof(rel), CG_PREFIX "%d", getpid());
	r = cg_create(rel, self->cg, sizeof(self->cg));
	ASSERT_EQ(0, r) {
		TH_LOG("cgroup %s: %s", rel, strerror(-r));
	}
	snprintf(ctl, sizeof(ctl), "%llu", MEM_MAX);
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", ctl));
	snprintf(ctl, sizeof(ctl), "%llu", SWAP_MAX);
	/* no swap accounting on this kernel: the test of swaps says so */
	cg_write(self->cg, "memory.swap.max", ctl);
	r = test_init_start(&self->init, CLONE_NEWNS | CLONE_NEWPID |
			    CLONE_NEWUTS, false, "pvinit", self->cg);
	ASSERT_EQ(0, r) {
		TH_LOG("init: %s", strerror(-r));
	}
	r = ctnr_new(&self->nl, self->name, self->init.pid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("CONTAINER_NEW: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	self->id = c.id;
}

FIXTURE_TEARDOWN(pv)
{
	cg_leave();
	test_init_stop(&self->init);
	ctnr_del_prefix(&self->nl, self->prefix);
	if (self->cg[0])
		cg_remove(self->cg);
	if (self->mounted)
		umount2(self->mnt, MNT_DETACH);
	rmdir(self->mnt);
	ctnr_nl_close(&self->nl);
}

#define SKIP_IF_NEEDED() do {						\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
} while (0)
#define ENTER() ASSERT_EQ(0, cg_enter(self->cg, getpid()))
#define LEAVE() ASSERT_EQ(0, cg_leave())

static char *view(FIXTURE_DATA(pv) *self, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", self->mnt, name);
	return slurp(path);
}

/*
 * Run @argv in the container as a runtime would: in a mount namespace of
 * its own where the views are bind-mounted over the real files, in the
 * container's cgroup.  Its stdout (and stderr) in @out; the exit status,
 * or -errno.
 */
static int run_in(FIXTURE_DATA(pv) *self, char *const argv[], char *out,
		  size_t len)
{
	char src[128];
	int p[2], st;
	size_t o = 0, i;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(120);
		for (i = 0; i < NVIEWS; i++) {
			snprintf(src, sizeof(src), "%s/%s", self->mnt,
				 views[i].view);
			if (mount(src, views[i].target, NULL, MS_BIND, NULL)) {
				dprintf(1, "bind %s: %m\n", views[i].target);
				_exit(121);
			}
		}
		if (self->cg[0] && cg_enter(self->cg, getpid()))
			_exit(122);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (o + 1 < len && (n = read(p[0], out + o, len - 1 - o)) > 0)
		o += n;
	out[o] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A child burning CPU in the container's cgroup until killed. */
static pid_t burner(const char *cg)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (cg_enter(cg, getpid()))
			_exit(1);
		for (;;)
			;
	}
	return pid;
}

/* ------------------------------------------------------------------ */
/* the host's view                                                    */

/* outside every container, each view is the host's file */
TEST_F(pv, host_view_is_the_hosts)
{
	char a[4096], b[4096], *v, *h;
	double up_v, up_h, idle;
	size_t i;

	SKIP_IF_NEEDED();
	for (i = 0; i < NVIEWS; i++) {
		v = view(self, views[i].view);
		ASSERT_NE(NULL, v) {
			TH_LOG("read %s: %m", views[i].view);
		}
		h = slurp(views[i].target);
		ASSERT_NE(NULL, h);
		if (!strcmp(views[i].view, "meminfo")) {
			labels(v, a, sizeof(a));
			labels(h, b, sizeof(b));
			EXPECT_STREQ(b, a);
			EXPECT_EQ(field(h, "MemTotal"), field(v, "MemTotal"));
		} else if (!strcmp(views[i].view, "cpuinfo")) {
			EXPECT_EQ(count_prefix(h, "processor"),
				  count_prefix(v, "processor"));
		} else if (!strcmp(views[i].view, "stat")) {
			EXPECT_EQ(count_prefix(h, "cpu"),
				  count_prefix(v, "cpu"));
			EXPECT_EQ(field(h, "btime"), field(v, "btime"));
		} else if (!strcmp(views[i].view, "uptime")) {
			ASSERT_EQ(2, sscanf(v, "%lf %lf", &up_v, &idle));
			ASSERT_EQ(1, sscanf(h, "%lf", &up_h));
			EXPECT_GT(1.0, up_h - up_v);
		} else if (!strcmp(views[i].view, "loadavg") ||
			   !strcmp(views[i].view, "diskstats")) {
			/* counters move between the reads */
			EXPECT_EQ(count_lines(h), count_lines(v));
		} else {
			EXPECT_STREQ(h, v);
		}
		free(v);
		free(h);
	}
}

/* ------------------------------------------------------------------ */
/* meminfo                                                            */

/* MemTotal is memory.max, the rest consistent with it, layout the host's */
TEST_F(pv, meminfo_follows_memory_max)
{
	char a[4096], b[4096], *v, *h, *p;
	long long total, free_kb, avail, cached;

	SKIP_IF_NEEDED();
	ENTER();
	v = view(self, "meminfo");
	LEAVE();
	ASSERT_NE(NULL, v);
	h = slurp("/proc/meminfo");
	ASSERT_NE(NULL, h);
	total = field(v, "MemTotal");
	free_kb = field(v, "MemFree");
	avail = field(v, "MemAvailable");
	cached = field(v, "Cached");
	EXPECT_EQ((long long)(MEM_MAX >> 10), total);
	EXPECT_LE(0, free_kb);
	EXPECT_GE(total, free_kb);
	EXPECT_LE(free_kb, avail);
	EXPECT_GE(total, avail);
	EXPECT_LE(0, cached);
	EXPECT_EQ(0, field(v, "Buffers"));
	labels(v, a, sizeof(a));
	labels(h, b, sizeof(b));
	EXPECT_STREQ(b, a);
	/* every line as the kernel's: "Label:" padded to 16, value to 8 */
	for (p = v; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *c = strchr(p, ':');

		ASSERT_NE(NULL, c);
		if (strstr(p, " kB\n") == strchr(p, '\n') - 3)
			EXPECT_LE(16 + 8, strchr(p, '\n') - 3 - p);
	}
	free(v);

	/* a new limit shows at the next read */
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", "134217728"));
	ENTER();
	v = view(self, "meminfo");
	LEAVE();
	ASSERT_NE(NULL, v);
	EXPECT_EQ(131072, field(v, "MemTotal"));
	free(v);

	/* memory.high is a limit too */
	ASSERT_EQ(0, cg_write(self->cg, "memory.high", "67108864"));
	ENTER();
	v = view(self, "meminfo");
	LEAVE();
	ASSERT_NE(NULL, v);
	EXPECT_EQ(65536, field(v, "MemTotal"));
	free(v);

	/* no limit: the host's total */
	ASSERT_EQ(0, cg_write(self->cg, "memory.high", "max"));
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", "max"));
	ENTER();
	v = view(self, "meminfo");
	LEAVE();
	ASSERT_NE(NULL, v);
	EXPECT_EQ(field(h, "MemTotal"), field(v, "MemTotal"));
	free(v);
	free(h);
}

/* memory the container uses shows as used, not free */
TEST_F(pv, meminfo_counts_the_containers_use)
{
	long long before, after;
	char *v;
	void *m;

	SKIP_IF_NEEDED();
	ENTER();
	v = view(self, "meminfo");
	ASSERT_NE(NULL, v);
	before = field(v, "MemFree");
	free(v);
	m = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	sleep_ms(150);	/* a snapshot older than the mapping */
	v = view(self, "meminfo");
	munmap(m, 64 << 20);
	LEAVE();
	ASSERT_NE(NULL, v);
	after = field(v, "MemFree");
	EXPECT_LE(60 << 10, before - after) {
		TH_LOG("MemFree %lld kB before, %lld kB with 64 MiB mapped",
		       before, after);
	}
	EXPECT_LE(60 << 10, field(v, "AnonPages"));
	free(v);
}

/* ------------------------------------------------------------------ */
/* CPUs                                                               */

struct cpu_views {
	char online[256];
	int online_n, cpuinfo_n, stat_n;
};

static void read_cpu_views(FIXTURE_DATA(pv) *self, struct cpu_views *cv,
			   struct __test_metadata *_metadata)
{
	char *v;

	ENTER();
	v = view(self, "cpu_online");
	ASSERT_NE(NULL, v);
	snprintf(cv->online, sizeof(cv->online), "%s", v);
	chomp(cv->online);
	cv->online_n = cpulist_count(v);
	free(v);
	v = view(self, "cpuinfo");
	ASSERT_NE(NULL, v);
	cv->cpuinfo_n = count_prefix(v, "processor");
	free(v);
	v = view(self, "stat");
	ASSERT_NE(NULL, v);
	cv->stat_n = count_prefix(v, "cpu") - 1;
	ASSERT_EQ(1, count_prefix(v, "cpu  "));
	free(v);
	LEAVE();
}

/*
 * The cpuset's CPUs, by their own numbers, in every file.  python3 starts
 * in seconds here, in a minute or more on the debug kernel.
 */
TEST_F_TIMEOUT(pv, cpus_from_cpuset, 240)
{
	char out[4096], cpu[16];
	struct cpu_views cv;
	char *nproc[] = { "nproc", NULL };
	char *py[] = { "python3", "-c", "import os; print(os.cpu_count())",
		       NULL };

	SKIP_IF_NEEDED();
	snprintf(cpu, sizeof(cpu), "%d", self->ncpus - 1);
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", cpu));
	read_cpu_views(self, &cv, _metadata);
	EXPECT_STREQ(cpu, cv.online);
	EXPECT_EQ(1, cv.cpuinfo_n);
	EXPECT_EQ(1, cv.stat_n);
	ASSERT_EQ(0, run_in(self, nproc, out, sizeof(out))) {
		TH_LOG("nproc: %s", out);
	}
	EXPECT_EQ(1, atoi(out));
	if (is_prog("python3")) {
		ASSERT_EQ(0, run_in(self, py, out, sizeof(out))) {
			TH_LOG("python3: %s", out);
		}
		EXPECT_EQ(1, atoi(out));
	}
	/* the cpuset back to all CPUs: all of them */
	snprintf(cpu, sizeof(cpu), "0-%d", self->ncpus - 1);
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", cpu));
	read_cpu_views(self, &cv, _metadata);
	EXPECT_EQ(self->ncpus, cv.online_n);
	EXPECT_EQ(self->ncpus, cv.cpuinfo_n);
	EXPECT_EQ(self->ncpus, cv.stat_n);
}

/* cpu.max: ceil(quota / period) CPUs, the first of the cpuset's */
TEST_F_TIMEOUT(pv, cpus_from_cpu_max, 240)
{
	char out[4096];
	struct cpu_views cv;
	char *py[] = { "python3", "-c", "import os; print(os.cpu_count())",
		       NULL };

	SKIP_IF_NEEDED();
	ASSERT_EQ(0, cg_write(self->cg, "cpu.max", "50000 100000"));
	read_cpu_views(self, &cv, _metadata);
	EXPECT_EQ(1, cv.online_n);
	EXPECT_EQ(1, cv.cpuinfo_n);
	EXPECT_EQ(1, cv.stat_n);
	EXPECT_STREQ("0", cv.online);
	if (is_prog("python3")) {
		ASSERT_EQ(0, run_in(self, py, out, sizeof(out))) {
			TH_LOG("python3: %s", out);
		}
		EXPECT_EQ(1, atoi(out));
	}
	if (self->ncpus < 2)
		return;
	/* 1.5 CPUs round up to 2 */
	ASSERT_EQ(0, cg_write(self->cg, "cpu.max", "150000 100000"));
	read_cpu_views(self, &cv, _metadata);
	EXPECT_EQ(2, cv.online_n);
	EXPECT_EQ(2, cv.cpuinfo_n);
	EXPECT_EQ(2, cv.stat_n);
	/* no quota: every CPU */
	ASSERT_EQ(0, cg_write(self->cg, "cpu.max", "max 100000"));
	read_cpu_views(self, &cv, _metadata);
	EXPECT_EQ(self->ncpus, cv.online_n);
	EXPECT_EQ(self->ncpus, cv.cpuinfo_n);
}

/* ------------------------------------------------------------------ */
/* stat, uptime, loadavg                                              */

struct stat_cpu {
	unsigned long long f[10];
	int n;
};

static int stat_line(const char *text, const char *label, struct stat_cpu *s)
{
	size_t ll = strlen(label);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, label, ll)) {
			s->n = sscanf(p + ll, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				      &s->f[0], &s->f[1], &s->f[2], &s->f[3],
				      &s->f[4], &s->f[5], &s->f[6], &s->f[7],
				      &s->f[8], &s->f[9]);
			return s->n;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* the cgroup's CPU time, monotonic; the total is the sum of the CPUs */
TEST_F(pv, stat_counts_the_cgroups_time)
{
	struct stat_cpu t0, t1, c0;
	char *a, *b, *h;
	int64_t end;
	int i;

	SKIP_IF_NEEDED();
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", "0"));
	ENTER();
	a = view(self, "stat");
	end = now_ms() + 1000;
	while (now_ms() < end)
		;
	b = view(self, "stat");
	LEAVE();
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(10, stat_line(a, "cpu  ", &t0));
	ASSERT_EQ(10, stat_line(b, "cpu  ", &t1));
	ASSERT_EQ(10, stat_line(b, "cpu0 ", &c0));
	for (i = 0; i < 10; i++) {
		EXPECT_LE(t0.f[i], t1.f[i]);
		EXPECT_EQ(t1.f[i], c0.f[i]);
	}
	/* a second of burning is about 100 ticks of user + system */
	EXPECT_LE(50, t1.f[0] + t1.f[2] - t0.f[0] - t0.f[2]);
	h = slurp("/proc/stat");
	ASSERT_NE(NULL, h);
	EXPECT_EQ(field(h, "btime"), field(b, "btime"));
	EXPECT_LE(0, field(b, "procs_running"));
	EXPECT_LE(0, field(b, "procs_blocked"));
	EXPECT_LE(0, field(b, "processes"));
	free(a);
	free(b);
	free(h);
}

/* uptime counts from the container's init; idle fits the visible CPUs */
TEST_F(pv, uptime_from_the_init)
{
	double up, idle, host_up;
	char *v, *h;

	SKIP_IF_NEEDED();
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", "0"));
	sleep_ms(1200);
	ENTER();
	v = view(self, "uptime");
	LEAVE();
	h = slurp("/proc/uptime");
	ASSERT_NE(NULL, v);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(2, sscanf(v, "%lf %lf", &up, &idle));
	ASSERT_EQ(1, sscanf(h, "%lf", &host_up));
	EXPECT_LE(1.0, up);
	EXPECT_GT(30.0, up);
	EXPECT_LT(up, host_up);
	EXPECT_LE(idle, up + 0.01);
	EXPECT_LE(0.0, idle);
	free(v);
	free(h);
}

/* uptime goes on from the init's start after the init is gone */
TEST_F(pv, uptime_goes_on_after_the_init_dies)
{
	double before, after, idle;
	int64_t t0, t1;
	char *v;

	SKIP_IF_NEEDED();
	ENTER();
	v = view(self, "uptime");
	ASSERT_NE(NULL, v);
	ASSERT_EQ(2, sscanf(v, "%lf %lf", &before, &idle));
	free(v);
	t0 = now_ms();
	test_init_stop(&self->init);
	sleep_ms(300);
	v = view(self, "uptime");
	t1 = now_ms();
	LEAVE();
	ASSERT_NE(NULL, v);
	ASSERT_EQ(2, sscanf(v, "%lf %lf", &after, &idle));
	free(v);
	/* no jump: the time that passed, within the snapshot's 0.1 s */
	EXPECT_LE(before + 0.15, after);
	EXPECT_GE(before + (t1 - t0) / 1000.0 + 0.2, after);
}

/* loadavg rises under a CPU-burning load in the container */
TEST_F(pv, loadavg_under_load)
{
	unsigned int running, total;
	double l1, l5, l15;
	pid_t b[2];
	int last, i;
	char *v;

	SKIP_IF_NEEDED();
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", "0"));
	for (i = 0; i < 2; i++) {
		b[i] = burner(self->cg);
		ASSERT_LT(0, b[i]);
	}
	sleep_ms(300);
	ENTER();
	v = view(self, "loadavg");	/* the first read starts sampling */
	LEAVE();
	ASSERT_NE(NULL, v);
	free(v);
	sleep_ms(16000);
	ENTER();
	v = view(self, "loadavg");
	LEAVE();
	for (i = 0; i < 2; i++)
		kill_reap(&b[i]);
	ASSERT_NE(NULL, v);
	ASSERT_EQ(6, sscanf(v, "%lf %lf %lf %u/%u %d", &l1, &l5, &l15,
			    &running, &total, &last)) {
		TH_LOG("loadavg: %s", v);
	}
	EXPECT_LT(0.3, l1) {
		TH_LOG("loadavg: %s", v);
	}
	EXPECT_GT(3.0, l1);
	EXPECT_LE(l5, l1);
	EXPECT_LE(2, running);
	EXPECT_LE(3, total);	/* the init and two burners */
	EXPECT_LT(0, last);
	free(v);
}

/* ------------------------------------------------------------------ */
/* swaps, diskstats                                                   */

TEST_F(pv, swaps_from_swap_max)
{
	char path[PATH_MAX + 32], *v, *h, *nl;
	long long host_total = 0;

	SKIP_IF_NEEDED();
	snprintf(path, sizeof(path), "%s/memory.swap.max", self->cg);
	if (access(path, F_OK))
		SKIP(return, "no swap accounting (memory.swap.max)");
	h = slurp("/proc/swaps");
	ASSERT_NE(NULL, h);
	v = slurp("/proc/meminfo");
	ASSERT_NE(NULL, v);
	host_total = field(v, "SwapTotal");
	free(v);

	ASSERT_EQ(0, cg_write(self->cg, "memory.swap.max", "0"));
	ENTER();
	v = view(self, "swaps");
	LEAVE();
	ASSERT_NE(NULL, v);
	nl = strchr(h, '\n');
	ASSERT_NE(NULL, nl);
	/* the header alone */
	EXPECT_EQ(0, strncmp(v, h, nl - h + 1));
	EXPECT_EQ(1, count_lines(v));
	free(v);
	ENTER();
	v = view(self, "meminfo");
	LEAVE();
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, field(v, "SwapTotal"));
	free(v);

	ASSERT_EQ(0, cg_write(self->cg, "memory.swap.max", "33554432"));
	ENTER();
	v = view(self, "swaps");
	LEAVE();
	ASSERT_NE(NULL, v);
	if (host_total) {
		EXPECT_EQ(2, count_lines(v));
		EXPECT_NE(NULL, strstr(v, "none"));
	} else {
		EXPECT_EQ(1, count_lines(v));
	}
	free(v);

	/* no limit: the host's size, the cgroup's use, no host paths */
	ASSERT_EQ(0, cg_write(self->cg, "memory.swap.max", "max"));
	sleep_ms(150);
	ENTER();
	v = view(self, "swaps");
	LEAVE();
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, strncmp(v, h, nl - h + 1));
	if (host_total) {
		long long size = -1;

		ASSERT_EQ(2, count_lines(v));
		EXPECT_EQ(1, sscanf(strchr(v, '\n') + 1, "none virtual %lld",
				    &size));
		EXPECT_EQ(host_total, size);
	} else {
		EXPECT_EQ(1, count_lines(v));
	}
	EXPECT_EQ(NULL, strstr(v, "/dev/"));
	free(v);
	ENTER();
	v = view(self, "meminfo");
	LEAVE();
	ASSERT_NE(NULL, v);
	EXPECT_EQ(host_total, field(v, "SwapTotal"));
	free(v);
	free(h);
}

/* only devices in the cgroup's io.stat (or its own loops) are listed */
TEST_F(pv, diskstats_only_the_containers_devices)
{
	char path[PATH_MAX + 32], *v, *io, *p;
	unsigned int maj, min;
	char key[32];

	SKIP_IF_NEEDED();
	ENTER();
	v = view(self, "diskstats");
	LEAVE();
	ASSERT_NE(NULL, v);
	snprintf(path, sizeof(path), "%s/io.stat", self->cg);
	io = slurp(path);
	for (p = v; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		ASSERT_EQ(2, sscanf(p, "%u %u", &maj, &min));
		snprintf(key, sizeof(key), "%u:%u ", maj, min);
		EXPECT_TRUE(io && strstr(io, key)) {
			TH_LOG("%.*s not in io.stat", (int)strcspn(p, "\n"), p);
		}
	}
	free(io);
	free(v);
}

/*
 * A block device the container's rules grant (default deny, an allow
 * exception) is listed even without I/O; without such a rule it is not.
 */
TEST_F(pv, diskstats_lists_devices_the_rules_grant)
{
	char out[4096], err[4096], key[32], rule[32], *h, *v, *p;
	unsigned int maj = 0, min = 0, a, b, i;
	char *io, path[PATH_MAX + 32];
	bool found = false;
	int r;

	SKIP_IF_NEEDED();
	snprintf(path, sizeof(path), "%s/io.stat", self->cg);
	io = slurp(path);
	h = slurp("/proc/diskstats");
	ASSERT_NE(NULL, h);
	/* a host device the cgroup never did I/O on */
	for (p = h; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (sscanf(p, "%u %u", &a, &b) != 2)
			continue;
		snprintf(key, sizeof(key), "%u:%u ", a, b);
		if (io && strstr(io, key))
			continue;
		maj = a;
		min = b;
		found = true;
		break;
	}
	free(io);
	free(h);
	if (!found)
		SKIP(return, "no block device in /proc/diskstats");
	snprintf(key, sizeof(key), "%4u %7u ", maj, min);
	snprintf(rule, sizeof(rule), "%u:%u", maj, min);

	/* { ctnrctl dev ARGS (none: nothing to run), listed? } */
	static const struct {
		const char *args[4];
		bool listed;
		const char *what;
	} steps[] = {
		{ { NULL }, false, "without a rule" },
		{ { "default", "deny" }, false, "with deny and no exception" },
		{ { "allow", "b", "RULE", "r" }, true, "with b MAJ:MIN r" },
		{ { "set", "deny" }, false, "after a reset to deny" },
		/* mknod alone is no use of the device */
		{ { "allow", "b", "RULE", "m" }, false, "for mknod alone" },
	};
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		char *argv[8] = { "dev" };
		int n = 1, k;

		if (steps[i].args[0]) {
			argv[n++] = (char *)steps[i].args[0];
			argv[n++] = self->name;
			for (k = 1; k < 4 && steps[i].args[k]; k++)
				argv[n++] = strcmp(steps[i].args[k], "RULE") ?
					    (char *)steps[i].args[k] : rule;
			argv[n] = NULL;
			r = ctnrctl(out, sizeof(out), err, sizeof(err), 20000,
				    argv[0], argv[1], argv[2], argv[3], argv[4],
				    argv[5], NULL);
			ASSERT_EQ(0, r) TH_LOG("dev %s: %s", argv[1], err);
			sleep_ms(150);
		}
		ENTER();
		v = view(self, "diskstats");
		LEAVE();
		ASSERT_NE(NULL, v);
		EXPECT_EQ(steps[i].listed, strstr(v, key) != NULL) {
			TH_LOG("%s %s: %s", steps[i].listed ? "not listed" :
			       "listed", steps[i].what, v);
		}
		free(v);
	}
}

/*
 * Readers of one container share the text made from one snapshot: many
 * readers at once all get a whole, well-formed file, and a change shows
 * within a snapshot's time.
 */
TEST_F(pv, views_shared_by_concurrent_readers)
{
	const char *names[] = { "meminfo", "cpuinfo", "diskstats", "swaps" };
	pid_t pids[6];
	int i, st, bad = 0;
	char *v;

	SKIP_IF_NEEDED();
	ENTER();
	for (i = 0; i < 6; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int64_t end = now_ms() + 1500;
			size_t k = i % 4;

			while (now_ms() < end) {
				char *t = view(self, names[k]);
				size_t n;

				if (!t)
					_exit(1);
				n = strlen(t);
				/* diskstats is empty without devices */
				if ((!n && k != 2) || (n && t[n - 1] != '\n'))
					_exit(2);
				if (k == 0 && field(t, "MemTotal") != MEM_MAX / 1024)
					_exit(3);
				if (k == 1 && !count_prefix(t, "processor"))
					_exit(4);
				free(t);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &st, 0));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, cg_write(self->cg, "memory.max", "134217728"));
	sleep_ms(150);
	v = view(self, "meminfo");
	LEAVE();
	ASSERT_NE(NULL, v);
	EXPECT_EQ(134217728 / 1024, field(v, "MemTotal"));
	free(v);
}

/*
 * A text is made when a read starts at offset 0: a reader reading a byte
 * at a time gets one whole text, the same as one big read of the same
 * snapshot; seeking back to 0 gives new numbers, as top does with stat;
 * and two threads reading one fd at once never see a torn text.
 */
TEST_F(pv, reads_in_pieces_and_again_from_the_start)
{
	char small[64 << 10], big[64 << 10];
	double up1, up2, idle;
	size_t len = 0;
	ssize_t n;
	char path[PATH_MAX];
	int fd;

	SKIP_IF_NEEDED();
	ENTER();
	snprintf(path, sizeof(path), "%s/stat", self->mnt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	while (len < sizeof(small) - 1 && (n = read(fd, small + len, 1)) == 1)
		len++;
	ASSERT_EQ(0, n);
	small[len] = '\0';
	/* the same text again from offset 0 of the same snapshot */
	n = pread(fd, big, sizeof(big) - 1, 0);
	ASSERT_LT(0, n);
	big[n] = '\0';
	EXPECT_EQ('\n', small[len - 1]);
	EXPECT_EQ(count_prefix(small, "cpu"), count_prefix(big, "cpu"));
	EXPECT_EQ(field(small, "btime"), field(big, "btime"));
	EXPECT_LT(0, field(small, "processes"));
	/* a read past the end, and one from the middle, of the text made */
	EXPECT_EQ(0, pread(fd, big, 16, len + 100));
	close(fd);

	snprintf(path, sizeof(path), "%s/uptime", self->mnt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, big, sizeof(big) - 1);
	ASSERT_LT(0, n);
	big[n] = '\0';
	ASSERT_EQ(2, sscanf(big, "%lf %lf", &up1, &idle));
	sleep_ms(400);
	/* without a seek, the end of the old text */
	EXPECT_EQ(0, read(fd, big, sizeof(big) - 1));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	n = read(fd, big, sizeof(big) - 1);
	ASSERT_LT(0, n);
	big[n] = '\0';
	ASSERT_EQ(2, sscanf(big, "%lf %lf", &up2, &idle));
	EXPECT_LE(up1 + 0.3, up2);
	close(fd);

	/* one fd, two threads reading a piece at a time from 0 */
	snprintf(path, sizeof(path), "%s/meminfo", self->mnt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	{
		pid_t pid = fork();
		int64_t end = now_ms() + 1000;
		int bad = 0, st;

		ASSERT_LE(0, pid);
		while (now_ms() < end) {
			/* pread: the fd's offset is shared by the two */
			size_t got = 0;

			while ((n = pread(fd, big + got, 7, got)) > 0)
				got += n;
			big[got] = '\0';
			if (n < 0 || field(big, "MemTotal") != MEM_MAX / 1024 ||
			    big[got - 1] != '\n')
				bad++;
		}
		if (pid == 0)
			_exit(bad ? 1 : 0);
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
		EXPECT_EQ(0, bad);
	}
	close(fd);
	LEAVE();
}

/* ------------------------------------------------------------------ */
/* the tools                                                          */

/* free, top, uptime, vmstat in the container give its numbers */
TEST_F_TIMEOUT(pv, tools_in_the_container, 300)
{
	char out[16384], *line;
	unsigned long long total;
	char *free_b[] = { "free", "-b", NULL };
	char *top[] = { "top", "-bn1", NULL };
	char *uptime[] = { "uptime", NULL };
	char *vmstat[] = { "vmstat", NULL };
	long long v_free;
	char saved;
	int r;

	SKIP_IF_NEEDED();
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", "0"));
	ASSERT_EQ(0, run_in(self, free_b, out, sizeof(out))) {
		TH_LOG("free: %s", out);
	}
	line = strstr(out, "Mem:");
	ASSERT_NE(NULL, line);
	ASSERT_EQ(1, sscanf(line, "Mem: %llu", &total));
	EXPECT_EQ(MEM_MAX, total);

	if (is_prog("top")) {
		r = run_in(self, top, out, sizeof(out));
		ASSERT_EQ(0, r) {
			TH_LOG("top: %s", out);
		}
		EXPECT_NE(NULL, strstr(out, "256.0 total")) {
			TH_LOG("top: %.400s", out);
		}
	}
	r = run_in(self, uptime, out, sizeof(out));
	ASSERT_EQ(0, r) {
		TH_LOG("uptime: %s", out);
	}
	EXPECT_NE(NULL, strstr(out, "load average")) {
		TH_LOG("uptime: %s", out);
	}
	/* up for seconds: "up 0 min" */
	EXPECT_NE(NULL, strstr(out, "up 0 min")) {
		TH_LOG("uptime: %s", out);
	}
	if (is_prog("vmstat")) {
		r = run_in(self, vmstat, out, sizeof(out));
		ASSERT_EQ(0, r) {
			TH_LOG("vmstat: %s", out);
		}
		/* the third line: r b swpd free ... */
		line = strchr(out, '\n');
		ASSERT_NE(NULL, line);
		line = strchr(line + 1, '\n');
		ASSERT_NE(NULL, line);
		ASSERT_EQ(1, sscanf(line + 1, "%*d %*d %*d %lld", &v_free)) {
			TH_LOG("vmstat: %s", out);
		}
		EXPECT_GE((long long)(MEM_MAX >> 10), v_free);
	}

	/* the same tools outside: the host's memory */
	saved = self->cg[0];
	self->cg[0] = '\0';	/* run_in() then leaves the cgroup alone */
	r = run_in(self, free_b, out, sizeof(out));
	self->cg[0] = saved;
	ASSERT_EQ(0, r);
	line = strstr(out, "Mem:");
	ASSERT_NE(NULL, line);
	ASSERT_EQ(1, sscanf(line, "Mem: %llu", &total));
	EXPECT_EQ(field(slurp("/proc/meminfo"), "MemTotal") * 1024,
		  (long long)total);
}

/* ------------------------------------------------------------------ */
/* refusals                                                           */

/* the views are read-only and nothing can be made in the file system */
TEST_F(pv, read_only)
{
	char path[128];
	int fd;

	SKIP_IF_NEEDED();
	snprintf(path, sizeof(path), "%s/meminfo", self->mnt);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		EXPECT_GT(0, write(fd, "x", 1));
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/new", self->mnt);
	EXPECT_GT(0, open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	EXPECT_GT(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/meminfo", self->mnt);
	EXPECT_GT(0, unlink(path));
}

/* only the initial namespace's admin mounts the file system */
TEST_F(pv, mount_needs_the_host_admin)
{
	char msg[256];
	int st;
	pid_t pid;

	SKIP_IF_NEEDED();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char dir[] = "/tmp/ctnr-pv-u-XXXXXX";

		if (!mkdtemp(dir))
			_exit(10);
		if (chown(dir, UNPRIV_UID, UNPRIV_UID) ||
		    become_user(UNPRIV_UID, UNPRIV_UID))
			_exit(11);
		if (!mount(CTNR_PROCVIEW_FS_NAME, dir, CTNR_PROCVIEW_FS_NAME,
			   0, NULL))
			_exit(12);
		if (errno != EPERM)
			_exit(13);
		if (enter_userns_as_root(CLONE_NEWNS))
			_exit(14);
		if (!mount(CTNR_PROCVIEW_FS_NAME, dir, CTNR_PROCVIEW_FS_NAME,
			   0, NULL))
			_exit(15);
		_exit(errno == EPERM ? 0 : 16);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	snprintf(msg, sizeof(msg), "exit %d", WEXITSTATUS(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) {
		TH_LOG("child: %s (12/15: mounted; 13/16: not EPERM)", msg);
	}
}

/*
 * The views take cgroup paths relative to the mounter's cgroup namespace
 * and read them below /sys/fs/cgroup: from a cgroup namespace that
 * /sys/fs/cgroup was not mounted in, the mount is refused (EINVAL); once
 * cgroup2 is mounted again in that namespace, it works.
 */
TEST_F(pv, mount_refused_when_cgroup2_is_not_the_cgns_root)
{
	char msg[256] = "";
	int st, p[2];
	ssize_t n;
	pid_t pid;

	SKIP_IF_NEEDED();
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char dir[] = "/tmp/ctnr-pv-ns-XXXXXX";
		char buf[4096];
		int fd;

#define FAIL_CHILD(...) do {						\
		dprintf(p[1], __VA_ARGS__);				\
		_exit(1);						\
	} while (0)
		close(p[0]);
		if (!mkdtemp(dir))
			FAIL_CHILD("mkdtemp: %m");
		if (cg_enter(self->cg, getpid()) ||
		    unshare(CLONE_NEWCGROUP | CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			FAIL_CHILD("cgroup namespace: %m");
		if (!mount(CTNR_PROCVIEW_FS_NAME, dir, CTNR_PROCVIEW_FS_NAME,
			   0, NULL))
			FAIL_CHILD("mounted in a foreign cgroup namespace");
		if (errno != EINVAL)
			FAIL_CHILD("refused with %m, not EINVAL");
		/* the same super block on its own root would be EBUSY */
		if (umount2("/sys/fs/cgroup", MNT_DETACH) ||
		    mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL))
			FAIL_CHILD("cgroup2 mount in the namespace: %m");
		if (mount(CTNR_PROCVIEW_FS_NAME, dir, CTNR_PROCVIEW_FS_NAME,
			   0, NULL))
			FAIL_CHILD("refused with its own cgroup2: %m");
		snprintf(buf, sizeof(buf), "%s/meminfo", dir);
		fd = open(buf, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
			FAIL_CHILD("read: %m");
		close(fd);
		umount2(dir, MNT_DETACH);
		rmdir(dir);
		_exit(0);
#undef FAIL_CHILD
	}
	close(p[1]);
	n = read(p[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = 0;
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		TH_LOG("child: %s (status %#x)", msg, st);
	}
}

/*
 * The module stays while a view is mounted: each mount counts.  (The
 * fixture's mount is also in the init's mount namespace, copied when it
 * was made, so a second one is measured here.)
 */
TEST_F(pv, unload_refused_while_mounted)
{
	char buf[32], dir[] = "/tmp/ctnr-pv-m-XXXXXX";
	long before, during, after;

	SKIP_IF_NEEDED();
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_LT(0, read_str("/sys/module/ctnr/refcnt", buf, sizeof(buf)));
	before = atol(buf);
	ASSERT_EQ(0, mount(CTNR_PROCVIEW_FS_NAME, dir, CTNR_PROCVIEW_FS_NAME,
			   0, NULL));
	ASSERT_LT(0, read_str("/sys/module/ctnr/refcnt", buf, sizeof(buf)));
	during = atol(buf);
	EXPECT_EQ(before + 1, during);
	EXPECT_NE(0, syscall(SYS_delete_module, "ctnr", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) {
		TH_LOG("delete_module: %m");
	}
	ASSERT_EQ(0, umount2(dir, 0));
	rmdir(dir);
	ASSERT_LT(0, read_str("/sys/module/ctnr/refcnt", buf, sizeof(buf)));
	after = atol(buf);
	EXPECT_EQ(before, after);
}

/* a reader in a user namespace, not root anywhere, gets the same view */
TEST_F(pv, unprivileged_reader_in_a_user_namespace)
{
	char path[128];
	int st;
	pid_t pid;

	SKIP_IF_NEEDED();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *v;

		if (cg_enter(self->cg, getpid()) ||
		    become_user(UNPRIV_UID, UNPRIV_UID) ||
		    enter_userns_as_root(0))
			_exit(10);
		snprintf(path, sizeof(path), "%s/meminfo", self->mnt);
		v = slurp(path);
		if (!v)
			_exit(11);
		_exit(field(v, "MemTotal") == (long long)(MEM_MAX >> 10) ?
		      0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* ------------------------------------------------------------------ */
/* ctnrctl proc                                                       */

/* proc mount NAME binds every view in the container's mount namespace */
TEST_F(pv, ctnrctl_proc_mount_and_show)
{
	char out[8192], err[2048], path[128];
	struct statfs sf;
	size_t i;
	int r;

	SKIP_IF_NEEDED();
	ASSERT_NE(NULL, ctnrctl_path());
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "proc", "mount",
		    self->name, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("proc mount: %d: %s%s", r, out, err);
	}
	for (i = 0; i < NVIEWS; i++) {
		snprintf(path, sizeof(path), "/proc/%d/root%s",
			 self->init.pid, views[i].target);
		ASSERT_EQ(0, statfs(path, &sf)) {
			TH_LOG("%s: %m", path);
		}
		EXPECT_EQ(CTNR_PROCVIEW_MAGIC, (unsigned long)sf.f_type) {
			TH_LOG("%s is not a view", views[i].target);
		}
	}
	/* the host's own files are left alone */
	ASSERT_EQ(0, statfs("/proc/meminfo", &sf));
	EXPECT_NE(CTNR_PROCVIEW_MAGIC, (unsigned long)sf.f_type);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "-j", "proc", "show",
		    self->name, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("proc show: %s", err);
	}
	EXPECT_TRUE(json_valid(out)) {
		TH_LOG("not JSON: %s", out);
	}
	EXPECT_NE(NULL, strstr(out, "\"mounted\":true"));
	EXPECT_NE(NULL, strstr(out, "/proc/meminfo"));

	/* refusals: no such container, bad arguments */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "proc", "mount",
		    "pv-no-such-container", NULL);
	EXPECT_EQ(1, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "proc", "mount",
		    self->name, "rot", "/", NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "proc", "mount",
		    self->name, "root", "relative", NULL);
	EXPECT_EQ(2, r);
	umount2("/run/ctnr/proc", MNT_DETACH);
}

/* ------------------------------------------------------------------ */
/* concurrency                                                        */

/*
 * Readers in the container loop over every view while containers come
 * and go, the container's log is written and another container's
 * readers use the same file system: no read fails, no number leaves the
 * limits.
 */
TEST_F(pv, readers_while_containers_churn)
{
	char rel[64], cg2[PATH_MAX], name[64];
	int64_t end = now_ms() + 5000;
	struct ctnr_ctr c;
	pid_t readers[3], logger;
	int i, st, bad = 0, rounds = 0;

	SKIP_IF_NEEDED();
	ASSERT_EQ(0, cg_write(self->cg, "cpuset.cpus", "0"));
	snprintf(rel, sizeof(rel), CG_PREFIX "%d-b", getpid());
	ASSERT_EQ(0, cg_create(rel, cg2, sizeof(cg2)));
	for (i = 0; i < 3; i++) {
		readers[i] = fork();
		ASSERT_LE(0, readers[i]);
		if (readers[i] == 0) {
			const char *cg = i < 2 ? self->cg : cg2;
			size_t k;
			char *v;

			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			if (cg_enter(cg, getpid()))
				_exit(10);
			while (now_ms() < end) {
				for (k = 0; k < NVIEWS; k++) {
					v = view(self, views[k].view);
					if (!v)
						_exit(11);
					if (i < 2 && k == 0 &&
					    field(v, "MemTotal") !=
					    (long long)(MEM_MAX >> 10))
						_exit(12);
					if (i < 2 && k == NVIEWS - 1 &&
					    strcmp(v, "0\n"))
						_exit(13);
					free(v);
				}
			}
			_exit(0);
		}
	}
	/* the container's log is busy meanwhile */
	logger = fork();
	ASSERT_LE(0, logger);
	if (logger == 0) {
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (cg_enter(self->cg, getpid()))
			_exit(10);
		fd = open("/dev/" CTNR_KMSG_DEVICE_NAME, O_WRONLY | O_CLOEXEC);
		while (fd >= 0 && now_ms() < end)
			if (write(fd, "<6>procview churn\n", 18) < 0)
				sleep_ms(1);
		_exit(0);
	}
	/* containers on the second cgroup come and go */
	while (now_ms() < end) {
		snprintf(name, sizeof(name), "%sb%d", self->prefix, rounds++);
		if (cg_enter(cg2, getpid()))
			break;
		if (!ctnr_new(&self->nl, name, getpid(), 0, &c))
			ctnr_del_id(&self->nl, c.id);
		cg_leave();
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(readers[i], waitpid(readers[i], &st, 0));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
		if (bad)
			TH_LOG("reader %d: status %#x", i, st);
	}
	ASSERT_EQ(logger, waitpid(logger, &st, 0));
	cg_remove(cg2);
	EXPECT_EQ(0, bad);
	EXPECT_LT(5, rounds);
}

TEST_HARNESS_MAIN
