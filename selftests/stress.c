// SPDX-License-Identifier: GPL-2.0
/*
 * stress: every capability at once, from many processes, for a bounded
 * time; then unload the module, load it again and repeat (issue 9.4).
 *
 * Runs like module_reload, after the suite with the module unloaded and
 * CTNR_KO naming the .ko (it loads and unloads the module itself; without
 * CTNR_KO it skips).  Every round, for CTNR_STRESS_SECONDS (default 15, 300 on the debug kernel):
 *
 *   churn (2)   containers registered from fresh inits in fresh cgroups
 *               and deleted, the init killed before, during or after;
 *   enter       namespace fds of the long-lived containers, and a child
 *               that enters one and exits;
 *   rules       default, exceptions, whole policies and presets of the
 *               long-lived containers but the first, changed at random;
 *   opens       /dev/null, /dev/zero and /dev/full opened from inside
 *               their cgroups meanwhile;
 *   log         records written to /dev/ctnr-kmsg from inside, read from
 *               inside and from the host, cleared and resized;
 *   loop        files attached as ctnrloop devices, I/O on them, detached
 *               (some lazily, with the device still open);
 *   dump        the container list dumped while all this goes on;
 *   views       a container of its own (memory.max 256 MiB, cpu.max of one
 *               CPU) whose member reads the eight /proc views of a
 *               ctnrproc mount in a loop: every read succeeds and no
 *               number is outside the container's limits (issue 15).
 *
 * Every operation may fail only in the ways its interface documents for
 * a race with the others (the container went away, the device is busy,
 * ...); anything else is a failure, reported with the operation and the
 * errno.  At the end of a round every container is deleted, every counter
 * of the module reads 0 and the module unloads; run.sh then checks the
 * kernel log and kmemleak.  CTNR_STRESS_ROUNDS (default 2) rounds.
 */
#define _GNU_SOURCE
#define CTNR_TEST_WITH_LIBCTNR
#include "ctnr_test.h"

#include <ctnr/libctnr.h>

#define MODNAME		"ctnr"
#define N_LONG		3	/* long-lived containers */
#define MAX_BAD		16	/* unexpected errors kept for the report */

enum { W_CHURN, W_CHURN2, W_ENTER, W_RULES, W_OPENS, W_LOG, W_LOOP,
       W_DUMP, W_VIEWS, W_MAX };

static const char *const wname[W_MAX] = {
	"churn", "churn", "enter", "rules", "opens", "log", "loop", "dump",
	"views",
};

struct shared {
	int stop;
	long ops[W_MAX];
	long bad;
	char why[MAX_BAD][160];
};

struct longlived {
	struct test_init ti;
	char cg[CTNR_CGROUP_LEN];
	char name[32];
	uint32_t id;
};

FIXTURE(stress) {
	const char *ko;
	char base[CTNR_CGROUP_LEN];
	char tmp[64];
	struct shared *sh;
	struct longlived ll[N_LONG];
	pid_t w[W_MAX];
};

static int sys_finit_module(int fd)
{
	return (int)syscall(SYS_finit_module, fd, "", 0);
}

static int unload(void)
{
	int64_t end = now_ms() + 10000;

	for (;;) {
		if (!syscall(SYS_delete_module, MODNAME, O_NONBLOCK))
			return 0;
		if ((errno != EAGAIN && errno != EBUSY) || now_ms() > end)
			return -errno;
		sleep_ms(50);
	}
}

static int load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = sys_finit_module(fd) ? -errno : 0;
	close(fd);
	return r;
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

/* Record an unexpected result (first MAX_BAD kept). */
static void bad(struct shared *sh, int w, const char *op, int err)
{
	long n = __atomic_fetch_add(&sh->bad, 1, __ATOMIC_RELAXED);

	if (n < MAX_BAD)
		snprintf(sh->why[n], sizeof(sh->why[n]), "%s: %s: %s (%d)",
			 wname[w], op, strerror(err < 0 ? -err : err),
			 err < 0 ? -err : err);
}

/* Is @err (negative) 0 or one of the listed errnos (0-terminated)? */
static bool ok_err(int err, const int *allowed)
{
	if (err >= 0)
		return true;
	for (; *allowed; allowed++)
		if (-err == *allowed)
			return true;
	return false;
}

#define CHECK(sh, w, op, err, ...) do {					\
	static const int _ok[] = { __VA_ARGS__, 0 };			\
	int _e = (err);							\
	if (!ok_err(_e, _ok))						\
		bad(sh, w, op, _e);					\
} while (0)

static bool stopping(struct shared *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE);
}

static void count(struct shared *sh, int w)
{
	__atomic_add_fetch(&sh->ops[w], 1, __ATOMIC_RELAXED);
}

/* ---- the workers; each a process with its own handle ---- */

struct wctx {
	FIXTURE_DATA(stress) *self;
	struct ctnr_handle *h;
	struct shared *sh;
	int w;
	unsigned int seed;
};

static const struct longlived *pick(struct wctx *x)
{
	return &x->self->ll[rand_r(&x->seed) % N_LONG];
}

static void churn(struct wctx *x)
{
	struct ctnr_container c;
	struct test_init ti;
	char cg[CTNR_CGROUP_LEN], rel[CTNR_CGROUP_LEN], name[48];
	unsigned int n = 0;
	int r, how;

	while (!stopping(x->sh)) {
		snprintf(rel, sizeof(rel), "%s/churn%d-%u",
			 x->self->base + strlen(cg2_root()) + 1, x->w, n);
		snprintf(name, sizeof(name), "stress-churn%d-%u", x->w, n++);
		if (cg_create(rel, cg, sizeof(cg))) {
			bad(x->sh, x->w, "cgroup", errno);
			break;
		}
		r = test_init_start(&ti, CLONE_NEWUTS | CLONE_NEWIPC |
				    CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET,
				    false, "stress", cg);
		if (r) {
			bad(x->sh, x->w, "init", r);
			cg_remove(cg);
			continue;
		}
		how = rand_r(&x->seed) % 3;
		if (how == 0)
			kill(ti.pid, SIGKILL);	/* may die before NEW */
		r = ctnr_container_new(x->h, name, ti.pid, -1, 0, &c);
		CHECK(x->sh, x->w, "new", r, ESRCH);
		if (how == 1)
			kill(ti.pid, SIGKILL);	/* dies while registered */
		if (!r) {
			r = ctnr_container_del(x->h, c.id, NULL);
			CHECK(x->sh, x->w, "del", r, ENOENT);
		}
		test_init_stop(&ti);
		r = cg_remove(cg);
		if (r)
			bad(x->sh, x->w, "rmdir", r);
		count(x->sh, x->w);
	}
}

static void enter(struct wctx *x)
{
	while (!stopping(x->sh)) {
		const struct longlived *l = pick(x);
		int fds[__CTNR_NS_MAX], r, status;
		pid_t pid;
		size_t i;

		r = ctnr_ns_fds(x->h, l->id, NULL, CLONE_NEWUTS | CLONE_NEWNS |
				CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC, fds);
		CHECK(x->sh, x->w, "ns_fds", r, ESRCH);
		if (!r)
			for (i = 0; i < __CTNR_NS_MAX; i++)
				if (fds[i] >= 0)
					close(fds[i]);
		pid = fork();
		if (pid == 0) {
			struct ctnr_handle *h;

			if (ctnr_open(&h))
				_exit(2);
			r = ctnr_enter_ex(h, l->id, NULL, 0, 0);
			_exit(r && r != -ESRCH ? 1 : 0);
		}
		if (pid > 0 && !wait_pid_timeout(pid, &status, 20000) &&
		    (!WIFEXITED(status) || WEXITSTATUS(status)))
			bad(x->sh, x->w, "enter child", EPROTO);
		count(x->sh, x->w);
	}
}

static void rules(struct wctx *x)
{
	struct ctnr_dev_rule set[64];
	unsigned int i, n;
	int r;

	while (!stopping(x->sh)) {
		/*
		 * Not container 0: its log worker opens /dev/ctnr-kmsg from
		 * inside, which a deny policy would refuse, rightly.
		 */
		const struct longlived *l =
			&x->self->ll[1 + rand_r(&x->seed) % (N_LONG - 1)];
		struct ctnr_dev_rule one = {
			.type = CTNR_DEV_TYPE_CHAR, .major = 1,
			.minor = 3 + 2 * (rand_r(&x->seed) % 3),
			.access = 1 + rand_r(&x->seed) % 7,
		};

		switch (rand_r(&x->seed) % 6) {
		case 0:
			r = ctnr_dev_rule_add(x->h, l->id, NULL, &one);
			CHECK(x->sh, x->w, "rule add", r, ENOSPC);
			break;
		case 1:
			r = ctnr_dev_rule_del(x->h, l->id, NULL, &one);
			CHECK(x->sh, x->w, "rule del", r, ENOENT);
			break;
		case 2:
			r = ctnr_dev_set_default(x->h, l->id, NULL,
						 rand_r(&x->seed) & 1 ?
						 CTNR_DEV_ALLOW : CTNR_DEV_DENY);
			CHECK(x->sh, x->w, "default", r, EINVAL);
			break;
		case 3:
			n = 1 + rand_r(&x->seed) % 64;
			for (i = 0; i < n; i++) {
				set[i].type = CTNR_DEV_TYPE_CHAR;
				set[i].major = 1 + rand_r(&x->seed) % 200;
				set[i].minor = rand_r(&x->seed) % 256;
				set[i].access = 1 + rand_r(&x->seed) % 7;
			}
			r = ctnr_dev_policy_set(x->h, l->id, NULL,
						CTNR_DEV_DENY, set, n);
			CHECK(x->sh, x->w, "policy set", r, EINVAL);
			break;
		case 4:
			r = ctnr_dev_preset(x->h, l->id, NULL, "lxc");
			CHECK(x->sh, x->w, "preset", r, EINVAL);
			break;
		default:
			r = ctnr_dev_allow(x->h, l->id, NULL, &one);
			CHECK(x->sh, x->w, "allow", r, ENOSPC);
			break;
		}
		count(x->sh, x->w);
	}
	/* leave them open for the deletes */
	for (i = 0; i < N_LONG; i++)
		ctnr_dev_set_default(x->h, x->self->ll[i].id, NULL,
				     CTNR_DEV_ALLOW);
}

/* One child per long-lived container's cgroup; opens until told to stop. */
static void opens(struct wctx *x)
{
	static const char *const nodes[] = {
		"/dev/null", "/dev/zero", "/dev/full",
	};
	pid_t kids[N_LONG];
	int i, status;

	for (i = 0; i < N_LONG; i++) {
		kids[i] = fork();
		if (kids[i])
			continue;
		if (cg_enter(x->self->ll[i].cg, getpid()))
			_exit(2);
		while (!stopping(x->sh)) {
			int fd = open(nodes[rand_r(&x->seed) % 3],
				      O_RDWR | O_CLOEXEC);

			if (fd >= 0)
				close(fd);
			else if (errno != EPERM)
				bad(x->sh, x->w, "open", errno);
			count(x->sh, x->w);
		}
		_exit(0);
	}
	for (i = 0; i < N_LONG; i++)
		if (kids[i] > 0 && !wait_pid_timeout(kids[i], &status, 60000) &&
		    (!WIFEXITED(status) || WEXITSTATUS(status)))
			bad(x->sh, x->w, "open child", EPROTO);
}

static int log_noop(const struct ctnr_log_record *r, void *arg)
{
	(void)r;
	(void)arg;
	return 0;
}

static void logs(struct wctx *x)
{
	pid_t kid;
	int status, r;

	/* inside: a writer and a non-blocking reader in one process */
	kid = fork();
	if (kid == 0) {
		char buf[2048];
		int wfd, rfd;
		long n = 0;

		if (cg_enter(x->self->ll[0].cg, getpid())) {
			bad(x->sh, x->w, "log child: cgroup", errno);
			_exit(0);
		}
		wfd = open("/dev/ctnr-kmsg", O_WRONLY | O_CLOEXEC);
		if (wfd < 0) {
			bad(x->sh, x->w, "kmsg open for writing", errno);
			_exit(0);
		}
		rfd = open("/dev/ctnr-kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (rfd < 0) {
			bad(x->sh, x->w, "kmsg open for reading", errno);
			_exit(0);
		}
		while (!stopping(x->sh)) {
			int len = snprintf(buf, sizeof(buf),
					   "<6>stress record %ld\n", n++);
			ssize_t r;

			if (write(wfd, buf, len) < 0 && errno != EAGAIN)
				bad(x->sh, x->w, "kmsg write", errno);
			r = read(rfd, buf, sizeof(buf));
			/* EPIPE: overwritten under us, as /dev/kmsg */
			if (r < 0 && errno != EAGAIN && errno != EPIPE)
				bad(x->sh, x->w, "kmsg read", errno);
			if (!(n % 64))
				lseek(rfd, 0, SEEK_DATA);
		}
		_exit(0);
	}
	while (!stopping(x->sh)) {
		const struct longlived *l = pick(x);

		switch (rand_r(&x->seed) % 4) {
		case 0:
			r = ctnr_log_clear(x->h, l->id, NULL);
			CHECK(x->sh, x->w, "log clear", r, ENOENT);
			break;
		case 1:
			r = ctnr_log_set_size(x->h, l->id, NULL,
					      (64 << 10) << (rand_r(&x->seed) % 4));
			CHECK(x->sh, x->w, "log size", r, ENOMEM);
			break;
		default:
			r = ctnr_log_get(x->h, l->id, NULL, CTNR_LOG_FROM_CLEAR,
					 log_noop, NULL, NULL);
			CHECK(x->sh, x->w, "log get", r, ENOENT);
			break;
		}
		count(x->sh, x->w);
	}
	r = wait_pid_timeout(kid, &status, 60000);
	if (r)
		bad(x->sh, x->w, "log child did not stop", r);
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		bad(x->sh, x->w, WIFSIGNALED(status) ? "log child killed" :
		    "log child exit status", WIFSIGNALED(status) ?
		    WTERMSIG(status) : WEXITSTATUS(status));
}

static void loops(struct wctx *x)
{
	char path[128], buf[4096];
	unsigned int n = 0;

	memset(buf, 0x5a, sizeof(buf));
	while (!stopping(x->sh)) {
		const struct longlived *l = pick(x);
		uint32_t index;
		int bfd, fd = -1, r, i;
		bool lazy;

		snprintf(path, sizeof(path), "%s/backing%u", x->self->tmp,
			 n++ % 4);
		bfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (bfd < 0 || ftruncate(bfd, 4 << 20)) {
			bad(x->sh, x->w, "backing file", errno);
			if (bfd >= 0)
				close(bfd);
			break;
		}
		r = ctnr_loop_attach(x->h, l->id, NULL, bfd, NULL, &index, &fd);
		close(bfd);
		CHECK(x->sh, x->w, "loop attach", r, ENOSPC, EDQUOT);
		if (r) {
			count(x->sh, x->w);
			continue;
		}
		for (i = 0; i < 8; i++) {
			off_t off = (rand_r(&x->seed) % 1024) * 4096;

			if (pwrite(fd, buf, sizeof(buf), off) != sizeof(buf) ||
			    pread(fd, buf, sizeof(buf), off) != sizeof(buf))
				bad(x->sh, x->w, "loop io", errno);
		}
		lazy = rand_r(&x->seed) & 1;
		if (!lazy) {
			close(fd);
			fd = -1;
		}
		r = ctnr_loop_detach(x->h, index,
				     lazy ? CTNR_LOOP_DETACH_F_LAZY : 0);
		CHECK(x->sh, x->w, "loop detach", r, EBUSY, EALREADY, ENOENT);
		if (fd >= 0)
			close(fd);
		count(x->sh, x->w);
	}
}

static int dump_noop(const struct ctnr_container *c, void *arg)
{
	(void)c;
	(void)arg;
	return 0;
}

static void dumps(struct wctx *x)
{
	while (!stopping(x->sh)) {
		int r = ctnr_container_list(x->h, dump_noop, NULL);

		CHECK(x->sh, x->w, "dump", r, EAGAIN);
		count(x->sh, x->w);
	}
}

#define VIEW_MEM	(256ULL << 20)

static const char *const view_names[] = {
	"meminfo", "cpuinfo", "stat", "uptime", "loadavg", "diskstats",
	"swaps", "cpu_online",
};

/* A whole view into @buf; its length or -errno. */
static ssize_t read_view(const char *dir, const char *name, char *buf,
			 size_t len)
{
	char path[128];
	ssize_t n, got = 0;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[got] = '\0';
	return got;
}

/* "KEY: N" or "KEY N" at the start of a line; -1 if none. */
static long long view_field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && (p[kl] == ':' || p[kl] == ' '))
			return strtoll(p + kl + 1 + strspn(p + kl + 1, ": \t"),
				       NULL, 10);
	return -1;
}

static int view_lines(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *p;
	int n = 0;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += !strncmp(p, prefix, pl);
	return n;
}

/* Is view @name, as read, inside the limits of the views container? */
static const char *view_outside(const char *name, const char *t)
{
	long long total = view_field(t, "MemTotal");
	double a, b, c;

	if (!strcmp(name, "meminfo")) {
		if (total <= 0 || total > (long long)(VIEW_MEM >> 10))
			return "MemTotal outside memory.max";
		if (view_field(t, "MemFree") > total ||
		    view_field(t, "MemAvailable") > total)
			return "MemFree or MemAvailable above MemTotal";
	} else if (!strcmp(name, "cpuinfo")) {
		if (view_lines(t, "processor") != 1)
			return "not one processor for cpu.max of one CPU";
	} else if (!strcmp(name, "stat")) {
		/* "cpu " and one "cpuN" */
		if (view_lines(t, "cpu") != 2)
			return "not one cpuN line";
	} else if (!strcmp(name, "cpu_online")) {
		if (strchr(t, '-') || strchr(t, ','))
			return "more than one CPU online";
	} else if (!strcmp(name, "uptime")) {
		if (sscanf(t, "%lf %lf", &a, &b) != 2 || a < 0 || b < 0)
			return "uptime unreadable";
	} else if (!strcmp(name, "loadavg")) {
		if (sscanf(t, "%lf %lf %lf", &a, &b, &c) != 3)
			return "loadavg unreadable";
	}
	return NULL;
}

static void views(struct wctx *x)
{
	static char buf[256 << 10];
	char mnt[96], cg[CTNR_CGROUP_LEN], rel[CTNR_CGROUP_LEN];
	char path[CTNR_CGROUP_LEN + 32], num[32];
	struct ctnr_container c;
	struct test_init ti;
	const char *why;
	ssize_t n;
	size_t i;
	int r;

	/* a mount of our own, gone with the worker's mount namespace */
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		bad(x->sh, x->w, "unshare", errno);
		return;
	}
	snprintf(mnt, sizeof(mnt), "%s/views", x->self->tmp);
	if ((mkdir(mnt, 0700) && errno != EEXIST) ||
	    mount(CTNR_PROCVIEW_FS_NAME, mnt, CTNR_PROCVIEW_FS_NAME, 0, NULL)) {
		bad(x->sh, x->w, "mount", errno);
		return;
	}
	snprintf(rel, sizeof(rel), "%s/views",
		 x->self->base + strlen(cg2_root()) + 1);
	r = cg_create(rel, cg, sizeof(cg));
	if (r) {
		bad(x->sh, x->w, "cgroup", -r);
		return;
	}
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	snprintf(num, sizeof(num), "%llu", VIEW_MEM);
	r = write_str(path, num);
	snprintf(path, sizeof(path), "%s/cpu.max", cg);
	if (!r)
		r = write_str(path, "100000 100000");
	if (!r)
		r = test_init_start(&ti, CLONE_NEWPID | CLONE_NEWNS, false,
				    "views", cg);
	if (r) {
		bad(x->sh, x->w, "limits or init", -r);
		cg_remove(cg);
		return;
	}
	r = ctnr_container_new(x->h, "stress-views", ti.pid, -1, 0, &c);
	if (!r)
		r = cg_enter(cg, getpid());
	if (r) {
		bad(x->sh, x->w, "container", -r);
		test_init_stop(&ti);
		cg_remove(cg);
		return;
	}
	while (!stopping(x->sh)) {
		for (i = 0; i < sizeof(view_names) / sizeof(view_names[0]); i++) {
			n = read_view(mnt, view_names[i], buf, sizeof(buf));
			/* diskstats is empty until the container does I/O */
			if (n < 0 || (!n && strcmp(view_names[i], "diskstats"))) {
				bad(x->sh, x->w, view_names[i], n ? (int)-n : ENODATA);
				continue;
			}
			why = view_outside(view_names[i], buf);
			if (why) {
				snprintf(path, sizeof(path), "%s: %s",
					 view_names[i], why);
				bad(x->sh, x->w, path, ERANGE);
			}
		}
		count(x->sh, x->w);
	}
	cg_enter(cg2_root(), getpid());
	r = ctnr_container_del(x->h, c.id, NULL);
	if (r)
		bad(x->sh, x->w, "del", -r);
	test_init_stop(&ti);
	cg_remove(cg);
	umount2(mnt, MNT_DETACH);
}

static void (*const workers[W_MAX])(struct wctx *) = {
	churn, churn, enter, rules, opens, logs, loops, dumps, views,
};

/* ---- the fixture ---- */

FIXTURE_SETUP(stress)
{
	char rel[64];
	int i;

	self->ko = getenv("CTNR_KO");
	if (!self->ko || !*self->ko)
		SKIP(return, "CTNR_KO not set (run.sh runs this with the module unloaded)");
	if (!access("/sys/module/" MODNAME, F_OK))
		ASSERT_EQ(0, unload());
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	snprintf(rel, sizeof(rel), "ctnrstress-%d", (int)getpid());
	ASSERT_EQ(0, cg_create(rel, self->base, sizeof(self->base)));
	/* the views worker's container has memory and CPU limits */
	for (i = 0; i < 2; i++) {
		char path[CTNR_CGROUP_LEN + 32];

		snprintf(path, sizeof(path), "%s/cgroup.subtree_control",
			 i ? self->base : cg2_root());
		ASSERT_EQ(0, write_str(path, "+memory +cpu")) TH_LOG("%s", path);
	}
	snprintf(self->tmp, sizeof(self->tmp), "/tmp/ctnrstress-%d",
		 (int)getpid());
	ASSERT_EQ(0, mkdir(self->tmp, 0700));
}

FIXTURE_TEARDOWN(stress)
{
	char path[128];
	int i;

	if (!self->ko || !*self->ko)
		return;
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/backing%d", self->tmp, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/views", self->tmp);
	rmdir(path);
	rmdir(self->tmp);
	cg_remove(self->base);
	if (!access("/sys/module/" MODNAME, F_OK))
		unload();
}

static int start_longlived(FIXTURE_DATA(stress) *self,
			   struct ctnr_handle *h, int i)
{
	struct longlived *l = &self->ll[i];
	struct ctnr_container c;
	char rel[CTNR_CGROUP_LEN];
	int r;

	snprintf(rel, sizeof(rel), "%s/long%d",
		 self->base + strlen(cg2_root()) + 1, i);
	r = cg_create(rel, l->cg, sizeof(l->cg));
	if (r)
		return r;
	r = test_init_start(&l->ti, CLONE_NEWUTS | CLONE_NEWNS |
			    CLONE_NEWPID, false, "long", l->cg);
	if (r)
		return r;
	snprintf(l->name, sizeof(l->name), "stress-long%d", i);
	r = ctnr_container_new(h, l->name, l->ti.pid, -1, 0, &c);
	if (r)
		return r;
	l->id = c.id;
	return 0;
}

TEST_F_TIMEOUT(stress, all_at_once_then_reload, 1800)
{
	/* ten minutes in all on the debug kernel (make check KERNEL=debug) */
	int seconds = env_int("CTNR_STRESS_SECONDS",
			      env_int("CTNR_SANITIZERS", 0) ? 300 : 15);
	int rounds = env_int("CTNR_STRESS_ROUNDS", 2);
	unsigned int seed = env_int("CTNR_STRESS_SEED", (int)time(NULL));
	int round, i, status;
	char buf[4096];
	long total;

	TH_LOG("%d rounds of %d s, seed %u", rounds, seconds, seed);
	for (round = 0; round < rounds; round++) {
		struct ctnr_handle *h;

		ASSERT_EQ(0, load(self->ko)) TH_LOG("round %d: load", round);
		ASSERT_EQ(0, ctnr_open(&h));
		for (i = 0; i < N_LONG; i++)
			ASSERT_EQ(0, start_longlived(self, h, i)) {
				TH_LOG("round %d: container %d: %s", round, i,
				       ctnr_last_error(h));
			}
		memset(self->sh, 0, sizeof(*self->sh));
		for (i = 0; i < W_MAX; i++) {
			self->w[i] = fork();
			ASSERT_LE(0, self->w[i]);
			if (self->w[i] == 0) {
				struct wctx x = {
					.self = self, .sh = self->sh, .w = i,
					.seed = seed + round * W_MAX + i,
				};

				prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
				if (ctnr_open(&x.h))
					_exit(2);
				workers[i](&x);
				ctnr_close(x.h);
				_exit(0);
			}
		}
		sleep(seconds);
		__atomic_store_n(&self->sh->stop, 1, __ATOMIC_RELEASE);
		for (i = 0; i < W_MAX; i++) {
			EXPECT_EQ(0, wait_pid_timeout(self->w[i], &status,
						      120000)) {
				TH_LOG("round %d: %s worker did not stop",
				       round, wname[i]);
				kill_reap(&self->w[i]);
				continue;
			}
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
				TH_LOG("round %d: %s worker: status %#x",
				       round, wname[i], status);
			}
		}
		for (i = 0, total = 0; i < W_MAX; i++)
			total += self->sh->ops[i];
		TH_LOG("round %d: %ld operations (churn %ld+%ld, enter %ld, rules %ld, opens %ld, log %ld, loop %ld, dump %ld, views %ld)",
		       round, total, self->sh->ops[W_CHURN],
		       self->sh->ops[W_CHURN2], self->sh->ops[W_ENTER],
		       self->sh->ops[W_RULES], self->sh->ops[W_OPENS],
		       self->sh->ops[W_LOG], self->sh->ops[W_LOOP],
		       self->sh->ops[W_DUMP], self->sh->ops[W_VIEWS]);
		EXPECT_EQ(0, self->sh->bad) {
			for (i = 0; i < self->sh->bad && i < MAX_BAD; i++)
				TH_LOG("unexpected: %s", self->sh->why[i]);
		}
		/* every worker made progress */
		for (i = 0; i < W_MAX; i++)
			EXPECT_GT(self->sh->ops[i], 0) TH_LOG("%s", wname[i]);

		/* tear down: delete, stop the inits, everything back to 0 */
		for (i = 0; i < N_LONG; i++) {
			EXPECT_EQ(0, ctnr_container_del(h, self->ll[i].id,
							NULL));
			test_init_stop(&self->ll[i].ti);
			EXPECT_EQ(0, cg_remove(self->ll[i].cg));
		}
		ctnr_close(h);
		EXPECT_EQ(0, ctnr_counters_wait_zero(10000, buf, sizeof(buf))) {
			TH_LOG("round %d: counters left: %s", round, buf);
		}
		ASSERT_EQ(0, unload()) TH_LOG("round %d: rmmod", round);
		EXPECT_NE(0, access("/sys/module/" MODNAME, F_OK));
	}
}

TEST_HARNESS_MAIN
