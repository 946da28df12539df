// SPDX-License-Identifier: GPL-2.0
/*
 * container: named, pinned namespace sets and entering them (issue 3).
 *
 * The "container" fixture starts an init the way a runtime does:
 *
 *   test process (root, host namespaces, root cgroup)
 *     `- clone(NEWUTS|NEWNET|NEWPID|NEWNS|NEWIPC)  -> "ctnrinit", pid 1 inside
 *          in cgroup /ctnrtest-<pid>, hostname h-<pid>, / made private,
 *          its own /proc, a tmpfs on /tmp holding /tmp/ctnr-marker,
 *          blocked on a pipe until the test ends
 *
 * and registers it as ct<pid>-main.  Every container a test creates is
 * named ct<pid>-*, so teardown can find and delete them all.  The
 * concurrency and scale tests are in container_bulk.c.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include "container_init.h"

#define INIT_FLAGS	(CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | \
			 CLONE_NEWNS | CLONE_NEWIPC)
#define NO_SUCH_ID	0x7ffffff0U
#define CMD_TIMEOUT	30000

/* Interfaces in the caller's network namespace other than lo; -errno. */
static int netdevs_besides_lo(bool *has_lo)
{
	char buf[4096], *line, *save = NULL;
	int n = 0, i = 0;
	ssize_t len = read_str("/proc/self/net/dev", buf, sizeof(buf));

	*has_lo = false;
	if (len < 0)
		return (int)len;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];

		if (i++ < 2)	/* two header lines */
			continue;
		if (sscanf(line, " %63[^:]:", name) != 1)
			return -EPROTO;
		if (!strcmp(name, "lo"))
			*has_lo = true;
		else
			n++;
	}
	return n;
}

static pid_t unused_pid(void)
{
	char buf[32];
	long max = 32768;
	pid_t p;

	if (read_str("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0)
		max = strtol(buf, NULL, 10);
	for (p = (pid_t)max - 1; p > (pid_t)max - 5000 && p > 300; p--)
		if (kill(p, 0) < 0 && errno == ESRCH)
			return p;
	return -1;
}

/* ------------------------------------------------------------------ */
/* the container fixture                                              */

FIXTURE(container) {
	struct ctnr_nl nl;
	struct ctnr_nl ev;
	int dev;
	struct init_proc init;
	char prefix[32];
	char name[64];
	char hostname[64];
	char cg_rel[64];		/* "/ctnrtest-<pid>" */
	char cg[PATH_MAX];
	char cg_sub[PATH_MAX];
	uint32_t id;
	long count0;			/* visible containers before setup */
	uint64_t t_before, t_after;	/* around CONTAINER_NEW */
	struct ctnr_ctr reply;
	int nparams;			/* module parameters to restore */
	char param[4][64], param_old[4][32];
};

FIXTURE_SETUP(container)
{
	char err[256];
	int r;

	self->dev = -EBADF;
	self->init.pid = -1;
	self->init.ctl = -EBADF;
	snprintf(self->prefix, sizeof(self->prefix), "ct%d", getpid());
	snprintf(self->name, sizeof(self->name), "%s-main", self->prefix);
	snprintf(self->hostname, sizeof(self->hostname), "h-%d", getpid());
	snprintf(self->cg_rel, sizeof(self->cg_rel), "/ctnrtest-%d",
		 getpid());

	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("genl family \"%s\": %s (module loaded?)",
		       CTNR_GENL_NAME, strerror(-r));
	}
	self->dev = ctnr_dev_open();
	ASSERT_GE(self->dev, 0) {
		TH_LOG("%m - open %s", CTNR_DEV_PATH);
	}
	r = cg_create(self->cg_rel + 1, self->cg, sizeof(self->cg));
	ASSERT_EQ(0, r) {
		TH_LOG("create cgroup %s: %s", self->cg_rel, strerror(-r));
	}
	self->count0 = ctnr_count(&self->nl);
	ASSERT_GE(self->count0, 0);

	/* teardown does not run when setup fails: clean up before asserting */
	r = spawn_init(&self->init, INIT_FLAGS, 0, self->hostname, self->cg,
		       err, sizeof(err));
	if (r)
		cg_remove(self->cg);
	ASSERT_EQ(0, r) {
		TH_LOG("%s", err);
	}
	self->t_before = realtime_ns();
	r = ctnr_new(&self->nl, self->name, self->init.pid, 0, &self->reply);
	self->t_after = realtime_ns();
	if (r) {
		stop_init(&self->init);
		cg_remove(self->cg);
	}
	ASSERT_EQ(0, r) {
		TH_LOG("CONTAINER_NEW %s pid %d: %s: %s", self->name,
		       self->init.pid, strerror(-r), self->nl.ext_msg);
	}
	self->id = self->reply.id;
	ASSERT_NE(0U, self->id);
}

FIXTURE_TEARDOWN(container)
{
	char path[128];
	int i;

	for (i = 0; i < self->nparams; i++) {
		snprintf(path, sizeof(path), "/sys/module/ctnr/parameters/%s",
			 self->param[i]);
		if (write_str(path, self->param_old[i]))
			TH_LOG("cannot restore %s", path);
	}
	stop_init(&self->init);
	ctnr_nl_close(&self->ev);
	if (self->nl.sk) {
		int n = ctnr_del_prefix(&self->nl, self->prefix);

		if (n < 0)
			TH_LOG("cleanup dump failed: %s", strerror(-n));
	}
	ctnr_nl_close(&self->nl);
	close_fd(&self->dev);
	if (self->cg_sub[0] && cg_remove(self->cg_sub))
		TH_LOG("%m - rmdir %s", self->cg_sub);
	if (self->cg[0] && cg_remove(self->cg))
		TH_LOG("%m - rmdir %s", self->cg);
}

/* a rejected netlink request: this errno and an extack message */
#define ASSERT_NL_REJECT(err, call) do {				\
	int __r = (call);						\
	ASSERT_EQ(err, __r) {						\
		TH_LOG("%s: %d (%s) \"%s\"", #call, __r,		\
		       strerror(-__r), self->nl.ext_msg);		\
	}								\
	ASSERT_NE(0, self->nl.ext_msg[0]) {				\
		TH_LOG("%s: no extack message", #call);		\
	}								\
} while (0)

/* nothing was registered: INFO's count is what it was after setup */
#define ASSERT_COUNT_UNCHANGED() do {					\
	long __n = ctnr_count(&self->nl);				\
	ASSERT_EQ(self->count0 + 1, __n) {				\
		TH_LOG("container count changed");			\
	}								\
} while (0)

static char *ns_link(pid_t pid, int type, char *buf, size_t len)
{
	snprintf(buf, len, "%s:[%llu]", ctnr_ns_desc[type].name,
		 (unsigned long long)ns_ino(pid, ctnr_ns_desc[type].name));
	return buf;
}

/* ---- registration and lookup ------------------------------------- */

/* CONTAINER_NEW answers with the new container */
TEST_F(container, new_reply_describes_container)
{
	struct ctnr_ctr *c = &self->reply;

	ASSERT_TRUE(CTNR_HAS(c, CTNR_A_ID));
	ASSERT_TRUE(CTNR_HAS(c, CTNR_A_NAME));
	ASSERT_STREQ(self->name, c->name);
	ASSERT_TRUE(CTNR_HAS(c, CTNR_A_STATE));
	ASSERT_EQ((uint32_t)CTNR_STATE_RUNNING, c->state);
	ASSERT_TRUE(CTNR_HAS(c, CTNR_A_PID));
	ASSERT_EQ((uint32_t)self->init.pid, c->pid);
	ASSERT_EQ(0U, c->flags);
	ASSERT_EQ(self->count0 + 1, ctnr_count(&self->nl));
}

/* GET by id and by name return the same, complete description */
TEST_F(container, get_by_id_and_name)
{
	struct ctnr_ctr a, b;
	int r;

	r = ctnr_get_id(&self->nl, self->id, &a);
	ASSERT_EQ(0, r) {
		TH_LOG("GET id %u: %s %s", self->id, strerror(-r),
		       self->nl.ext_msg);
	}
	r = ctnr_get_name(&self->nl, self->name, &b);
	ASSERT_EQ(0, r) {
		TH_LOG("GET name %s: %s %s", self->name, strerror(-r),
		       self->nl.ext_msg);
	}
	ASSERT_EQ(a.have, b.have);
	ASSERT_EQ(0, memcmp(&a, &b, sizeof(a)));

	ASSERT_EQ(self->id, a.id);
	ASSERT_STREQ(self->name, a.name);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_STATE));
	ASSERT_EQ((uint32_t)CTNR_STATE_RUNNING, a.state);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_FLAGS));
	ASSERT_EQ(0U, a.flags);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_PID));
	ASSERT_EQ((uint32_t)self->init.pid, a.pid);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_OWNER_UID));
	ASSERT_EQ(0U, a.owner_uid);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_OWNER_LEVEL));
	ASSERT_EQ(0U, a.owner_level);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_CTIME));
	ASSERT_LE(self->t_before, a.ctime);
	ASSERT_GE(self->t_after, a.ctime);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_CGROUP));
	ASSERT_STREQ(self->cg_rel, a.cgroup);
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_NS));
	ASSERT_TRUE(CTNR_HAS(&a, CTNR_A_NS_MASK));
}

/* the CTNR_A_NS inode numbers are those of /proc/<init>/ns/<type> */
TEST_F(container, ns_inodes_match_proc)
{
	struct ctnr_ctr c;
	int t;

	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c));
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		uint64_t ino = ns_ino(self->init.pid, ctnr_ns_desc[t].name);

		if (!ino) {
			TH_LOG("kernel has no %s namespace",
			       ctnr_ns_desc[t].name);
			ASSERT_FALSE(!!(c.ns_mask & ctnr_ns_desc[t].clone_flag));
			continue;
		}
		ASSERT_TRUE(!!(c.ns_have & (1U << t))) {
			TH_LOG("no inode for the %s namespace",
			       ctnr_ns_desc[t].name);
		}
		ASSERT_EQ(ino, (uint64_t)c.ns[t]) {
			TH_LOG("%s namespace", ctnr_ns_desc[t].name);
		}
		ASSERT_TRUE(!!(c.ns_mask & ctnr_ns_desc[t].clone_flag)) {
			TH_LOG("%s missing in CTNR_A_NS_MASK %#x",
			       ctnr_ns_desc[t].name, c.ns_mask);
		}
	}
	/* the init really is in fresh namespaces */
	ASSERT_NE(ns_ino(0, "uts"), (uint64_t)c.ns[CTNR_NS_UTS]);
	ASSERT_NE(ns_ino(0, "pid"), (uint64_t)c.ns[CTNR_NS_PID]);
	ASSERT_EQ(0U, c.ns_mask & ~CTNR_NS_FDS_MASK_ALL);
}

/* the dump lists the container once, as GET describes it */
TEST_F(container, dump_lists_container)
{
	struct ctnr_ctr g, d;
	long n;

	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &g));
	n = ctnr_dump_count(&self->nl, NULL, self->id, &d);
	ASSERT_EQ(1, n) {
		TH_LOG("dump: %ld (%s)", n, self->nl.ext_msg);
	}
	ASSERT_STREQ(g.name, d.name);
	ASSERT_EQ(0, memcmp(g.ns, d.ns, sizeof(g.ns)));
	ASSERT_EQ(g.pid, d.pid);
	ASSERT_EQ(g.state, d.state);
	ASSERT_STREQ(g.cgroup, d.cgroup);
	/* everything the dump shows, INFO counts */
	n = ctnr_dump_count(&self->nl, NULL, 0, NULL);
	ASSERT_EQ(ctnr_count(&self->nl), n);
}

/* one task may back several containers, each with its own id */
TEST_F(container, same_task_twice_distinct_ids)
{
	struct ctnr_ctr c;
	char name[64];
	int r;

	snprintf(name, sizeof(name), "%s-second", self->prefix);
	r = ctnr_new(&self->nl, name, self->init.pid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("%s %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_NE(self->id, c.id);
	ASSERT_EQ(0, memcmp(self->reply.ns, c.ns, sizeof(c.ns)));
	ASSERT_EQ(self->count0 + 2, ctnr_count(&self->nl));
	ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
	ASSERT_EQ(self->count0 + 1, ctnr_count(&self->nl));
	/* the other one is untouched */
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, NULL));
}

/* a pidfd names the source task as well as a pid */
TEST_F(container, new_by_pidfd)
{
	struct ctnr_ctr c;
	char name[64];
	int pidfd, r;

	pidfd = sys_pidfd_open(self->init.pid, 0);
	ASSERT_GE(pidfd, 0) {
		TH_LOG("%m - pidfd_open");
	}
	snprintf(name, sizeof(name), "%s-pidfd", self->prefix);
	r = ctnr_new_pidfd(&self->nl, name, pidfd, 0, &c);
	close(pidfd);
	ASSERT_EQ(0, r) {
		TH_LOG("NEW by pidfd: %s %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_EQ((uint32_t)self->init.pid, c.pid);
	ASSERT_EQ(0, memcmp(self->reply.ns, c.ns, sizeof(c.ns)));
	ASSERT_EQ(0, ctnr_del_name(&self->nl, name));
}

/* DEL by name removes it; a second DEL finds nothing */
TEST_F(container, del_by_name)
{
	ASSERT_EQ(0, ctnr_del_name(&self->nl, self->name)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	ASSERT_EQ(-ENOENT, ctnr_get_id(&self->nl, self->id, NULL));
	ASSERT_EQ(-ENOENT, ctnr_get_name(&self->nl, self->name, NULL));
	ASSERT_NL_REJECT(-ENOENT, ctnr_del_name(&self->nl, self->name));
	ASSERT_NL_REJECT(-ENOENT, ctnr_del_id(&self->nl, self->id));
	ASSERT_EQ(self->count0, ctnr_count(&self->nl));
	ASSERT_EQ(0, ctnr_dump_count(&self->nl, NULL, self->id, NULL));
}

/* ids are not reused: a new registration never gets a deleted id */
TEST_F(container, ids_not_reused)
{
	struct ctnr_ctr c;
	char name[64];
	int i;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, ctnr_del_id(&self->nl, self->id));
		snprintf(name, sizeof(name), "%s-re%d", self->prefix, i);
		ASSERT_EQ(0, ctnr_new(&self->nl, name, self->init.pid, 0, &c));
		ASSERT_NE(self->id, c.id);
		self->id = c.id;
	}
}

/*
 * NEW checks ptrace read access by following /proc/PID/exe, which takes
 * the task's exec_update_lock for reading itself; NEW once held it around
 * that already: an exec of the task, queued for writing between the two,
 * then waited for NEW and NEW for it (and lockdep called it "possible
 * recursive locking").  A task that execs itself 30 times is registered
 * and deleted over and over meanwhile: no hang, and every NEW either
 * succeeds or says why not.
 */
TEST_F_TIMEOUT(container, new_while_its_task_execs, 200)
{
	static const char script[] =
		"#!/bin/sh\n[ \"$1\" -gt 0 ] && exec \"$0\" $(($1 - 1))\n";
	char path[64], name[64];
	struct ctnr_ctr c;
	int fd, r, st = 0, n = 0, ok = 0;
	bool done = false;
	int64_t end;
	pid_t kid;

	snprintf(path, sizeof(path), "/tmp/ctnr-execloop-%d", getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)strlen(script), write(fd, script, strlen(script)));
	close(fd);
	kid = fork();
	ASSERT_GE(kid, 0);
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (cg_enter(self->cg, getpid()))
			_exit(126);
		execl(path, path, "30", (char *)NULL);
		_exit(127);
	}
	end = now_ms() + 120000;	/* the debug kernel execs slowly */
	while (!(done = waitpid(kid, &st, WNOHANG) == kid) && now_ms() < end) {
		snprintf(name, sizeof(name), "%s-ex%d", self->prefix, n++);
		/* autoremove: none stays if the test is stopped half-way */
		r = ctnr_new(&self->nl, name, kid, CTNR_F_AUTOREMOVE, &c);
		if (!r) {
			ok++;
			r = ctnr_del_id(&self->nl, c.id);
			/* or gone with the task's last exit, autoremoved */
			EXPECT_TRUE(!r || r == -ENOENT);
		} else {
			EXPECT_TRUE(r == -ESRCH || r == -EAGAIN ||
				    r == -ENOENT) {
				TH_LOG("NEW of an exec'ing task: %s: %s",
				       strerror(-r), self->nl.ext_msg);
			}
		}
	}
	/* a hang would have stopped the loop: slow execs only end it */
	if (!done)
		kill_reap(&kid);
	unlink(path);
	TH_LOG("%d registrations of an exec'ing task, %d succeeded; its execs %s",
	       n, ok, done ? "done" : "not done in 120 s");
	if (done)
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) {
			TH_LOG("exec loop ended with status %#x", st);
		}
	EXPECT_LT(0, ok);
}

#define NEXT_ID_PATH "/sys/kernel/debug/ctnr/next_id"

/*
 * M7: ids do not run out.  With the allocation cursor set just below
 * 2^32 (debugfs ctnr/next_id), the next registrations get the last two
 * ids, then wrap to a free id: never one in use, and never ENOSPC.
 */
TEST_F(container, ids_wrap_instead_of_running_out)
{
	struct ctnr_ctr c[4], g;
	char name[64], buf[32];
	int i, r;

	if (read_str(NEXT_ID_PATH, buf, sizeof(buf)) <= 0)
		SKIP(return, "no debugfs %s", NEXT_ID_PATH);
	ASSERT_EQ(0, write_str(NEXT_ID_PATH, "4294967294"));
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s-wrap%d", self->prefix, i);
		r = ctnr_new(&self->nl, name, self->init.pid, 0, &c[i]);
		ASSERT_EQ(0, r) {
			TH_LOG("registration %d: %s: %s", i, strerror(-r),
			       self->nl.ext_msg);
		}
	}
	EXPECT_EQ(4294967294u, c[0].id);
	EXPECT_EQ(4294967295u, c[1].id);
	/* wrapped: low ids again, each distinct and not the fixture's */
	EXPECT_LT(c[2].id, c[0].id);
	EXPECT_LT(c[2].id, c[3].id);
	EXPECT_NE(self->id, c[2].id);
	EXPECT_NE(self->id, c[3].id);
	/* every id names its own container */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ctnr_get_id(&self->nl, c[i].id, &g));
		EXPECT_STREQ(c[i].name, g.name);
	}
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &g));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, ctnr_del_id(&self->nl, c[i].id));
}

/* ---- namespace fds ----------------------------------------------- */

static void check_ns_fds(struct __test_metadata *_metadata,
			 struct ctnr_ioc_ns_fds *a, pid_t pid, uint32_t mask)
{
	int t;

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		const struct ctnr_ns_desc *d = &ctnr_ns_desc[t];

		if (!(mask & d->clone_flag)) {
			ASSERT_EQ(-1, a->fds[t]) {
				TH_LOG("fd for unrequested %s", d->name);
			}
			continue;
		}
		ASSERT_GE(a->fds[t], 0) {
			TH_LOG("no fd for %s", d->name);
		}
		ASSERT_EQ(ns_ino(pid, d->name), fd_ino(a->fds[t])) {
			TH_LOG("%s fd is not the init's namespace", d->name);
		}
		ASSERT_EQ((int)d->clone_flag, ioctl(a->fds[t], NS_GET_NSTYPE)) {
			TH_LOG("%m - %s fd is not an nsfs fd of its type",
			       d->name);
		}
		ASSERT_EQ(FD_CLOEXEC, fcntl(a->fds[t], F_GETFD) & FD_CLOEXEC) {
			TH_LOG("%s fd is not O_CLOEXEC", d->name);
		}
	}
}

/* NS_FDS with every bit gives one nsfs fd per type, matching /proc */
TEST_F(container, ns_fds_all_match_proc)
{
	struct ctnr_ioc_ns_fds a;
	int r;

	r = ctnr_ns_fds(self->dev, self->id, NULL, CTNR_NS_FDS_MASK_ALL, &a);
	ASSERT_EQ(0, r) {
		TH_LOG("NS_FDS: %s", strerror(-r));
	}
	ASSERT_EQ((uint32_t)CTNR_STATE_RUNNING, a.state);
	check_ns_fds(_metadata, &a, self->init.pid, CTNR_NS_FDS_MASK_ALL);
	ctnr_ns_fds_close(&a);
}

/* NS_FDS finds the container by name when id is 0 */
TEST_F(container, ns_fds_by_name)
{
	struct ctnr_ioc_ns_fds a;
	int r;

	r = ctnr_ns_fds(self->dev, 0, self->name, CLONE_NEWUTS | CLONE_NEWNET,
			&a);
	ASSERT_EQ(0, r) {
		TH_LOG("NS_FDS by name: %s", strerror(-r));
	}
	check_ns_fds(_metadata, &a, self->init.pid,
		     CLONE_NEWUTS | CLONE_NEWNET);
	ctnr_ns_fds_close(&a);
}

/* NS_FDS installs exactly the requested types */
TEST_F(container, ns_fds_only_requested)
{
	struct ctnr_ioc_ns_fds a;
	int t, fds0 = count_open_fds();

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		uint32_t mask = ctnr_ns_desc[t].clone_flag;

		if (!ns_ino(self->init.pid, ctnr_ns_desc[t].name))
			continue;
		ASSERT_EQ(0, ctnr_ns_fds(self->dev, self->id, NULL, mask, &a)) {
			TH_LOG("NS_FDS %s", ctnr_ns_desc[t].name);
		}
		check_ns_fds(_metadata, &a, self->init.pid, mask);
		ASSERT_EQ(fds0 + 1, count_open_fds());
		ctnr_ns_fds_close(&a);
	}
	ASSERT_EQ(fds0, count_open_fds());
}

/* the reference count debugfs shows for @what in kernel_refs, or -1 */
static long long kernel_ref(const char *what)
{
	char buf[1024], *line, *save = NULL, key[64];
	long long v;

	if (read_str("/sys/kernel/debug/ctnr/kernel_refs", buf,
		     sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%63s %lld", key, &v) == 2 &&
		    !strcmp(key, what))
			return v;
	return -1;
}

/*
 * container.md M2: NS_FDS took a bare reference on the pid namespace,
 * which put_pid_ns() never drops for init_pid_ns: every call on a
 * container in the initial pid namespace leaked one, up to the refcount
 * saturation WARN.
 */
TEST_F(container, ns_fds_init_pid_ns_no_leak)
{
	struct ctnr_ioc_ns_fds a;
	struct ctnr_ctr c;
	char name[64];
	long long before, after;
	pid_t kid;
	int i, r;

	kid = fork();
	ASSERT_GE(kid, 0);
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	snprintf(name, sizeof(name), "%s-initpid", self->prefix);
	r = ctnr_new(&self->nl, name, kid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("%s %s", strerror(-r), self->nl.ext_msg);
		kill_reap(&kid);
	}
	before = kernel_ref("init_pid_ns");
	ASSERT_GT(before, 0) {
		TH_LOG("no init_pid_ns in debugfs ctnr/kernel_refs");
		kill_reap(&kid);
	}
	for (i = 0; i < 200; i++) {
		r = ctnr_ns_fds(self->dev, c.id, NULL, CLONE_NEWPID, &a);
		if (r)
			break;
		ctnr_ns_fds_close(&a);
	}
	after = kernel_ref("init_pid_ns");
	kill_reap(&kid);
	ASSERT_EQ(0, r);
	ASSERT_LT(after - before, 20) {
		TH_LOG("init_pid_ns count %lld -> %lld after 200 NS_FDS",
		       before, after);
	}
	ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
}

struct enter_arg {
	int fds[__CTNR_NS_MAX];
	const char *hostname;
	bool setns_user;
};

/* setns() into the fds (user first if asked) and look around */
static void enter_child(int errfd, void *arg)
{
	struct enter_arg *e = arg;
	char host[128] = "";
	bool lo;
	int n;

	if (e->setns_user)
		CHILD_CHECK(errfd, setns(e->fds[CTNR_NS_USER],
					 CLONE_NEWUSER) == 0,
			    "%m - setns user");
	CHILD_CHECK(errfd, setns(e->fds[CTNR_NS_UTS], CLONE_NEWUTS) == 0,
		    "%m - setns uts");
	CHILD_CHECK(errfd, setns(e->fds[CTNR_NS_NET], CLONE_NEWNET) == 0,
		    "%m - setns net");
	CHILD_CHECK(errfd, gethostname(host, sizeof(host) - 1) == 0, "%m");
	CHILD_CHECK(errfd, !strcmp(host, e->hostname),
		    "hostname \"%s\", expected \"%s\"", host, e->hostname);
	n = netdevs_besides_lo(&lo);
	CHILD_CHECK(errfd, n == 0 && lo, "%d devices besides lo (lo: %d)",
		    n, lo);
	CHILD_CHECK(errfd, ns_ino(0, "uts") == fd_ino(e->fds[CTNR_NS_UTS]),
		    "not in the uts namespace after setns");
}

/* setns() into the uts and net fds shows the container's host and devices */
TEST_F(container, ns_fds_setns_enters)
{
	struct ctnr_ioc_ns_fds a;
	struct enter_arg e = { .hostname = self->hostname };
	char msg[512];

	ASSERT_EQ(0, ctnr_ns_fds(self->dev, self->id, NULL,
				 CLONE_NEWUTS | CLONE_NEWNET, &a));
	memcpy(e.fds, a.fds, sizeof(e.fds));
	ASSERT_EQ(0, run_child(enter_child, &e, msg, sizeof(msg), 20000)) {
		TH_LOG("%s", msg);
	}
	ctnr_ns_fds_close(&a);
}

/* ---- ctnrctl container exec -------------------------------------- */

#define ASSERT_CLI_OK(r, err) do {					\
	ASSERT_NE(-ENOENT, r) {						\
		TH_LOG("ctnrctl not found (set CTNRCTL)");		\
	}								\
	ASSERT_EQ(0, r) {						\
		TH_LOG("ctnrctl exit %d: %s", r, err);			\
	}								\
} while (0)

/* exec sees the container's hostname */
TEST_F_TIMEOUT(container, exec_sees_hostname, 60)
{
	char out[4096], err[4096];
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec", self->name, "--", "uname", "-n", NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_STREQ(self->hostname, chomp(out));
}

/* exec runs in the container's pid namespace: its pid 1 is our init */
TEST_F_TIMEOUT(container, exec_sees_pid_namespace, 60)
{
	char out[4096], err[4096], comm[64];
	int r, pid = -1, ppid = -1;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec", self->name, "--", "sh", "-c",
		    "echo $$ $PPID; cat /proc/1/comm", NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_EQ(3, sscanf(out, "%d %d %63s", &pid, &ppid, comm)) {
		TH_LOG("output: %s", out);
	}
	/* init holds pid 1; a fresh namespace hands out small numbers */
	ASSERT_GT(pid, 1);
	ASSERT_LT(pid, 100) {
		TH_LOG("pid %d is not from the container's pid namespace",
		       pid);
	}
	ASSERT_STREQ(INIT_COMM, comm);
}

/* exec sees only the container's network devices (lo) */
TEST_F_TIMEOUT(container, exec_sees_network, 60)
{
	char out[8192], err[4096];
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", "cat", "/proc/net/dev", NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_EQ(3, count_lines(out)) {
		TH_LOG("/proc/net/dev: %s", out);
	}
	ASSERT_NE(NULL, strstr(out, "lo:"));
	if (!is_prog("ip")) {
		TH_LOG("ip not installed, checked /proc/net/dev only");
		return;
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", "ip", "-o", "link", NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_EQ(1, count_lines(out)) {
		TH_LOG("ip -o link: %s", out);
	}
	ASSERT_NE(NULL, strstr(out, ": lo:"));
}

/* exec sees the container's mounts: the tmpfs its init put on /tmp */
TEST_F_TIMEOUT(container, exec_sees_mounts, 60)
{
	char out[4096], err[4096];
	int r;

	ASSERT_NE(0, access(MARKER_PATH, F_OK)) {
		TH_LOG("%s exists on the host", MARKER_PATH);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", "cat", MARKER_PATH, NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_STREQ(self->hostname, chomp(out));
}

/* inside exec every /proc/self/ns link is the container's */
TEST_F_TIMEOUT(container, exec_ns_links_match, 60)
{
	char out[4096], err[4096], want[64], *line, *save = NULL;
	char *argv[16];
	char paths[__CTNR_NS_MAX][32];
	int t, n = 0, r;

	argv[n++] = (char *)ctnrctl_path();
	ASSERT_NE(NULL, argv[0]) {
		TH_LOG("ctnrctl not found (set CTNRCTL)");
	}
	argv[n++] = "container";
	argv[n++] = "exec";
	argv[n++] = self->name;
	argv[n++] = "--";
	argv[n++] = "readlink";
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		snprintf(paths[t], sizeof(paths[t]), "/proc/self/ns/%s",
			 ctnr_ns_desc[t].name);
		argv[n++] = paths[t];
	}
	argv[n] = NULL;
	r = run_cmd(argv, out, sizeof(out), err, sizeof(err), CMD_TIMEOUT);
	ASSERT_CLI_OK(r, err);
	line = strtok_r(out, "\n", &save);
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		ASSERT_NE(NULL, line) {
			TH_LOG("no link for %s", ctnr_ns_desc[t].name);
		}
		ASSERT_STREQ(ns_link(self->init.pid, t, want, sizeof(want)),
			     line);
		line = strtok_r(NULL, "\n", &save);
	}
}

/* `container exec NAME ns net,uts` enters only those two */
TEST_F_TIMEOUT(container, exec_partial_ns, 60)
{
	static const int types[] = { CTNR_NS_NET, CTNR_NS_UTS, CTNR_NS_MNT,
				     CTNR_NS_PID, CTNR_NS_IPC };
	char out[4096], err[4096], want[64], *line, *save = NULL;
	size_t i;
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "ns", "net,uts", "--", "readlink",
		    "/proc/self/ns/net", "/proc/self/ns/uts",
		    "/proc/self/ns/mnt", "/proc/self/ns/pid",
		    "/proc/self/ns/ipc", NULL);
	ASSERT_CLI_OK(r, err);
	line = strtok_r(out, "\n", &save);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		/* net and uts: the container's; the rest: ours */
		pid_t who = i < 2 ? self->init.pid : 0;

		ASSERT_NE(NULL, line);
		ASSERT_STREQ(ns_link(who, types[i], want, sizeof(want)), line);
		line = strtok_r(NULL, "\n", &save);
	}
}

/* exec returns the command's exit status */
TEST_F_TIMEOUT(container, exec_returns_exit_status, 60)
{
	char err[4096];
	int r;

	r = ctnrctl(NULL, 0, err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", "sh", "-c", "exit 7", NULL);
	ASSERT_EQ(7, r) {
		TH_LOG("exit %d: %s", r, err);
	}
}

/* exec of an unknown container: ctnrctl's own failure, 125, a message */
TEST_F_TIMEOUT(container, exec_unknown_container_fails, 60)
{
	char name[64], err[4096];
	int r;

	snprintf(name, sizeof(name), "%s-nosuch", self->prefix);
	r = ctnrctl(NULL, 0, err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec", name, "--", "true", NULL);
	ASSERT_EQ(125, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	ASSERT_NE(0, err[0]);
}

/* ---- init exit --------------------------------------------------- */

/* when init exits the container is stopped, pid 0, and an event says so */
TEST_F(container, init_exit_marks_stopped)
{
	struct ctnr_ctr c, ev;
	int r;

	r = ctnr_events_open(&self->ev);
	ASSERT_EQ(0, r) {
		TH_LOG("subscribe to \"%s\": %s", CTNR_GENL_MCGRP_EVENTS,
		       strerror(-r));
	}
	stop_init(&self->init);
	r = ctnr_wait_state(&self->nl, self->id, CTNR_STATE_STOPPED, 10000,
			    &c);
	ASSERT_EQ(0, r) {
		TH_LOG("state %u after init exit: %s", c.state, strerror(-r));
	}
	ASSERT_EQ(0U, c.pid);
	ASSERT_STREQ(self->name, c.name);
	r = ctnr_event_wait(&self->ev, CTNR_EVENT_CONTAINER_STOPPED, self->id,
			    10000, &ev);
	ASSERT_EQ(0, r) {
		TH_LOG("no STOPPED event: %s", strerror(-r));
	}
	ASSERT_STREQ(self->name, ev.name);
	if (CTNR_HAS(&ev, CTNR_A_STATE)) {
		ASSERT_EQ((uint32_t)CTNR_STATE_STOPPED, ev.state);
	}
	/* still listed, still counted */
	ASSERT_EQ(1, ctnr_dump_count(&self->nl, NULL, self->id, NULL));
	ASSERT_EQ(self->count0 + 1, ctnr_count(&self->nl));
}

/* a stopped container's pid namespace cannot be entered: ESRCH, no fds */
TEST_F(container, stopped_pid_ns_is_esrch)
{
	struct ctnr_ioc_ns_fds a;
	int fds0;

	stop_init(&self->init);
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, self->id, CTNR_STATE_STOPPED,
				     10000, NULL));
	fds0 = count_open_fds();
	ASSERT_EQ(-ESRCH, ctnr_ns_fds(self->dev, self->id, NULL,
				      CLONE_NEWPID, &a));
	ASSERT_EQ(-ESRCH, ctnr_ns_fds(self->dev, self->id, NULL,
				      CTNR_NS_FDS_MASK_ALL, &a));
	ASSERT_EQ(-ESRCH, ctnr_ns_fds(self->dev, 0, self->name,
				      CTNR_NS_FDS_MASK_ALL, &a));
	ASSERT_EQ(fds0, count_open_fds()) {
		TH_LOG("a failed NS_FDS left fds behind");
	}
}

/* the other namespaces stay pinned and enterable after init exit */
TEST_F(container, stopped_keeps_pinned_namespaces)
{
	struct ctnr_ioc_ns_fds a;
	struct enter_arg e = { .hostname = self->hostname };
	uint64_t uts = ns_ino(self->init.pid, "uts");
	char msg[512];
	int r;

	stop_init(&self->init);
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, self->id, CTNR_STATE_STOPPED,
				     10000, NULL));
	r = ctnr_ns_fds(self->dev, self->id, NULL,
			CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS |
			CLONE_NEWIPC, &a);
	ASSERT_EQ(0, r) {
		TH_LOG("NS_FDS on a stopped container: %s", strerror(-r));
	}
	ASSERT_EQ((uint32_t)CTNR_STATE_STOPPED, a.state);
	ASSERT_EQ(uts, fd_ino(a.fds[CTNR_NS_UTS]));
	memcpy(e.fds, a.fds, sizeof(e.fds));
	ASSERT_EQ(0, run_child(enter_child, &e, msg, sizeof(msg), 20000)) {
		TH_LOG("%s", msg);
	}
	ctnr_ns_fds_close(&a);
}

/* exec into a stopped container fails and says it is stopped */
TEST_F_TIMEOUT(container, exec_stopped_fails_with_message, 60)
{
	char err[4096];
	int r;

	stop_init(&self->init);
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, self->id, CTNR_STATE_STOPPED,
				     10000, NULL));
	r = ctnrctl(NULL, 0, err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec", self->name, "--", "true", NULL);
	ASSERT_NE(-ENOENT, r);
	/* its own failure (125), not a crash, a timeout or the command's */
	ASSERT_EQ(125, r) {
		TH_LOG("ctnrctl container exec: %d: %s", r, err);
	}
	ASSERT_NE(NULL, strcasestr(err, "stopped")) {
		TH_LOG("message does not say stopped: %s", err);
	}
}

/* an AUTOREMOVE container disappears when its init exits; others stay */
TEST_F(container, autoremove_on_init_exit)
{
	struct ctnr_ctr c;
	char name[64];
	int r;

	snprintf(name, sizeof(name), "%s-auto", self->prefix);
	r = ctnr_new(&self->nl, name, self->init.pid, CTNR_F_AUTOREMOVE, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("%s %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_EQ(CTNR_F_AUTOREMOVE, c.flags);
	stop_init(&self->init);
	r = ctnr_wait_state(&self->nl, c.id, -ENOENT, 10000, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("AUTOREMOVE container still there: %s", strerror(-r));
	}
	ASSERT_EQ(-ENOENT, ctnr_get_name(&self->nl, name, NULL));
	ASSERT_EQ(0, ctnr_dump_count(&self->nl, NULL, c.id, NULL));
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, self->id, CTNR_STATE_STOPPED,
				     10000, NULL));
	ASSERT_EQ(self->count0 + 1, ctnr_count(&self->nl));
}

/* NEW and DEL are announced on the events group */
TEST_F(container, events_new_and_del)
{
	struct ctnr_ctr c, ev;
	char name[64];
	int r;

	r = ctnr_events_open(&self->ev);
	ASSERT_EQ(0, r) {
		TH_LOG("subscribe: %s", strerror(-r));
	}
	snprintf(name, sizeof(name), "%s-ev", self->prefix);
	ASSERT_EQ(0, ctnr_new(&self->nl, name, self->init.pid, 0, &c));
	r = ctnr_event_wait(&self->ev, CTNR_EVENT_CONTAINER_NEW, c.id, 10000,
			    &ev);
	ASSERT_EQ(0, r) {
		TH_LOG("no NEW event: %s", strerror(-r));
	}
	ASSERT_STREQ(name, ev.name);
	ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
	r = ctnr_event_wait(&self->ev, CTNR_EVENT_CONTAINER_DEL, c.id, 10000,
			    &ev);
	ASSERT_EQ(0, r) {
		TH_LOG("no DEL event: %s", strerror(-r));
	}
	ASSERT_STREQ(name, ev.name);
}

/* ---- CONTAINER_SET ----------------------------------------------- */

/* SET turns AUTOREMOVE on and off, by id or by name */
TEST_F(container, set_toggles_autoremove)
{
	struct ctnr_req by_name = {
		.set = REQ_BIT(CTNR_A_NAME) | REQ_BIT(CTNR_A_FLAGS),
		.name = self->name, .flags = 0,
	};
	struct ctnr_ctr c;
	int r;

	r = ctnr_set_flags(&self->nl, self->id, CTNR_F_AUTOREMOVE);
	ASSERT_EQ(0, r) {
		TH_LOG("SET: %s %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c));
	ASSERT_EQ(CTNR_F_AUTOREMOVE, c.flags);
	r = ctnr_request(&self->nl, CTNR_CMD_CONTAINER_SET, &by_name, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("SET by name: %s %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c));
	ASSERT_EQ(0U, c.flags);
}

/* AUTOREMOVE set after registration takes effect at init exit */
TEST_F(container, set_autoremove_then_exit)
{
	ASSERT_EQ(0, ctnr_set_flags(&self->nl, self->id, CTNR_F_AUTOREMOVE));
	stop_init(&self->init);
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, self->id, -ENOENT, 10000,
				     NULL));
	ASSERT_EQ(self->count0, ctnr_count(&self->nl));
}

/*
 * container.md M5: AUTOREMOVE set on a container that is already stopped
 * removes it.  SET used to return 0 and leave it there.
 */
TEST_F(container, set_autoremove_on_stopped_removes)
{
	stop_init(&self->init);
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, self->id, CTNR_STATE_STOPPED,
				     10000, NULL));
	ASSERT_EQ(0, ctnr_set_flags(&self->nl, self->id, CTNR_F_AUTOREMOVE));
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, self->id, -ENOENT, 10000,
				     NULL)) {
		TH_LOG("the stopped container is still there");
	}
	ASSERT_EQ(self->count0, ctnr_count(&self->nl));
}

struct set_view {
	uint32_t loop_quota, log_size;
};

static int set_view_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct set_view *v = arg;

	(void)cmd;
	if (!tb[CTNR_A_LOOP_QUOTA] || !tb[CTNR_A_LOG_SIZE])
		return -EPROTO;
	v->loop_quota = nla_get_u32(tb[CTNR_A_LOOP_QUOTA]);
	v->log_size = nla_get_u32(tb[CTNR_A_LOG_SIZE]);
	return 0;
}

static int set_view(struct ctnr_nl *nl, uint32_t id, struct set_view *v)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_GET, 0);

	if (msg && nla_put_u32(msg, CTNR_A_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, set_view_cb, v);
}

/*
 * container.md M6: CONTAINER_SET checks every attribute before it applies
 * any.  A bad device default after a good loop quota and log size used to
 * fail the request with the quota and the size already changed.  The
 * policy refuses it now (ERANGE), before the command runs at all.
 */
TEST_F(container, set_checks_all_before_applying)
{
	struct set_view before, after;
	struct nl_msg *msg;
	int r;

	ASSERT_EQ(0, set_view(&self->nl, self->id, &before));
	msg = ctnr_nl_msg(&self->nl, CTNR_CMD_CONTAINER_SET, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, CTNR_A_ID, self->id));
	ASSERT_EQ(0, nla_put_u32(msg, CTNR_A_LOOP_QUOTA,
				 before.loop_quota + 3));
	ASSERT_EQ(0, nla_put_u32(msg, CTNR_A_LOG_SIZE,
				 before.log_size == 8192 ? 16384 : 8192));
	ASSERT_EQ(0, nla_put_u32(msg, CTNR_A_DEV_DEFAULT, 7));
	r = ctnr_nl_xfer(&self->nl, msg, NULL, NULL);
	ASSERT_EQ(-ERANGE, r);
	ASSERT_NE(0, self->nl.ext_msg[0]);
	ASSERT_TRUE(self->nl.pol_have & CTNR_POL_RANGE);
	EXPECT_EQ((uint64_t)CTNR_DEV_DENY, self->nl.pol_max);
	ASSERT_EQ(0, set_view(&self->nl, self->id, &after));
	EXPECT_EQ(before.loop_quota, after.loop_quota);
	EXPECT_EQ(before.log_size, after.log_size);
}

/* SET with unknown flag bits is rejected and changes nothing */
TEST_F(container, set_rejects_unknown_flags)
{
	const uint32_t bad[] = { 1U << 1, 1U << 31, ~0U,
				 (uint32_t)~CTNR_F_MASK };
	struct ctnr_ctr c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_NL_REJECT(-EINVAL,
				 ctnr_set_flags(&self->nl, self->id, bad[i]));
	}
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c));
	ASSERT_EQ(0U, c.flags);
	ASSERT_NL_REJECT(-ENOENT, ctnr_set_flags(&self->nl, NO_SUCH_ID,
						 CTNR_F_AUTOREMOVE));
}

/* ---- WHOAMI ------------------------------------------------------ */

struct whoami_arg {
	const char *cgroup;		/* absolute; join it first */
	uid_t uid;			/* then become this user if non-0 */
	int expect;			/* expected ioctl result */
	uint32_t id;			/* expected id */
	const char *name;		/* expected name, NULL: empty */
};

static void whoami_child(int errfd, void *arg)
{
	struct whoami_arg *a = arg;
	struct ctnr_ioc_whoami w;
	int dev, r;

	r = cg_enter(a->cgroup, getpid());
	CHILD_CHECK(errfd, r == 0, "join %s: %s", a->cgroup, strerror(-r));
	if (a->uid) {
		r = become_user(a->uid, a->uid);
		CHILD_CHECK(errfd, r == 0, "setuid: %s", strerror(-r));
	}
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - open %s", CTNR_DEV_PATH);
	r = ctnr_whoami(dev, &w);
	CHILD_CHECK(errfd, r == a->expect, "WHOAMI in %s: %d (%s)", a->cgroup,
		    r, strerror(-r));
	if (r)
		return;
	CHILD_CHECK(errfd, w.id == a->id, "id %u, expected %u", w.id, a->id);
	CHILD_CHECK(errfd, memchr(w.name, 0, sizeof(w.name)) != NULL,
		    "name not terminated");
	if (a->name)
		CHILD_CHECK(errfd, !strcmp(w.name, a->name),
			    "name \"%s\", expected \"%s\"", w.name, a->name);
	else
		CHILD_CHECK(errfd, w.name[0] == 0,
			    "name \"%s\" shown to a caller who cannot see it",
			    w.name);
}

/* a process in the container's cgroup learns the container's id and name */
TEST_F(container, whoami_in_container_cgroup)
{
	struct whoami_arg a = {
		.cgroup = self->cg, .id = self->id, .name = self->name,
	};
	char msg[512];

	ASSERT_EQ(0, run_child(whoami_child, &a, msg, sizeof(msg), 20000)) {
		TH_LOG("%s", msg);
	}
}

/* a process in the root cgroup is in no container: ENOENT */
TEST_F(container, whoami_root_cgroup_enoent)
{
	struct whoami_arg a = { .cgroup = cg2_root(), .expect = -ENOENT };
	char msg[512];

	ASSERT_NE(NULL, a.cgroup);
	ASSERT_EQ(0, run_child(whoami_child, &a, msg, sizeof(msg), 20000)) {
		TH_LOG("%s", msg);
	}
}

/* with nested container cgroups the innermost one answers */
TEST_F(container, whoami_innermost)
{
	struct whoami_arg a = { .id = 0 };
	struct ctnr_ctr inner, outer;
	char rel[128], name[64], msg[512];
	int r;

	snprintf(rel, sizeof(rel), "%s/sub", self->cg_rel + 1);
	ASSERT_EQ(0, cg_create(rel, self->cg_sub, sizeof(self->cg_sub)));
	ASSERT_EQ(0, cg_enter(self->cg_sub, self->init.pid));
	snprintf(name, sizeof(name), "%s-inner", self->prefix);
	r = ctnr_new(&self->nl, name, self->init.pid, 0, &inner);
	ASSERT_EQ(0, r) {
		TH_LOG("%s %s", strerror(-r), self->nl.ext_msg);
	}
	snprintf(rel, sizeof(rel), "%s/sub", self->cg_rel);
	ASSERT_STREQ(rel, inner.cgroup);
	/* the outer one keeps the cgroup it was registered with */
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &outer));
	ASSERT_STREQ(self->cg_rel, outer.cgroup);

	a.cgroup = self->cg_sub;
	a.id = inner.id;
	a.name = name;
	ASSERT_EQ(0, run_child(whoami_child, &a, msg, sizeof(msg), 20000)) {
		TH_LOG("in sub: %s", msg);
	}
	a.cgroup = self->cg;
	a.id = self->id;
	a.name = self->name;
	ASSERT_EQ(0, run_child(whoami_child, &a, msg, sizeof(msg), 20000)) {
		TH_LOG("in outer: %s", msg);
	}
	/* the init must leave cg_sub before teardown can remove it */
	ASSERT_EQ(0, cg_enter(self->cg, self->init.pid));
}

/* an unprivileged caller gets the id but not the name */
TEST_F(container, whoami_hides_name_from_unprivileged)
{
	struct whoami_arg a = {
		.cgroup = self->cg, .uid = 1000, .id = self->id, .name = NULL,
	};
	char msg[512];

	ASSERT_EQ(0, run_child(whoami_child, &a, msg, sizeof(msg), 20000)) {
		TH_LOG("%s", msg);
	}
}

/* ---- bad input: clear errors, nothing changes -------------------- */

/* names of 64 or more characters are refused, 63 are fine */
TEST_F(container, new_rejects_long_name)
{
	char name[CTNR_NAME_MAX + 1], huge[2048];
	struct ctnr_ctr c;
	size_t len = strlen(self->prefix);

	memset(name, 'a', sizeof(name));
	memcpy(name, self->prefix, len);
	name[len] = '-';
	name[CTNR_NAME_MAX] = '\0';			/* 64 characters */
	ASSERT_NL_REJECT(-EINVAL, ctnr_new(&self->nl, name, self->init.pid,
					   0, NULL));
	/* the policy's: a NUL_STRING of at most 63 bytes */
	ASSERT_TRUE(self->nl.pol_have & CTNR_POL_MAXLEN);
	EXPECT_EQ((uint32_t)CTNR_NAME_MAX - 1, self->nl.pol_maxlen);
	ASSERT_COUNT_UNCHANGED();

	memset(huge, 'b', sizeof(huge));
	memcpy(huge, self->prefix, len);
	huge[sizeof(huge) - 1] = '\0';
	ASSERT_NL_REJECT(-EINVAL, ctnr_new(&self->nl, huge, self->init.pid,
					   0, NULL));
	ASSERT_COUNT_UNCHANGED();

	name[CTNR_NAME_MAX - 1] = '\0';			/* 63 characters */
	ASSERT_EQ(0, ctnr_new(&self->nl, name, self->init.pid, 0, &c)) {
		TH_LOG("63 characters refused: %s", self->nl.ext_msg);
	}
	ASSERT_STREQ(name, c.name);
	ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
}

/* an empty name is refused */
TEST_F(container, new_rejects_empty_name)
{
	ASSERT_NL_REJECT(-EINVAL, ctnr_new(&self->nl, "", self->init.pid, 0,
					   NULL));
	ASSERT_COUNT_UNCHANGED();
}

/* characters outside [A-Za-z0-9_.-] are refused */
TEST_F(container, new_rejects_bad_characters)
{
	static const char *const bad[] = {
		"/x", " x", "\nx", "\tx", ":x", "\\x", "*", "-caf\xc3\xa9",
		"-\xff", "-\x7f",
	};
	char name[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(name, sizeof(name), "%s%s", self->prefix, bad[i]);
		ASSERT_NL_REJECT(-EINVAL, ctnr_new(&self->nl, name,
						   self->init.pid, 0, NULL));
	}
	ASSERT_COUNT_UNCHANGED();
	/* the whole allowed alphabet is accepted */
	snprintf(name, sizeof(name), "%s-AZaz09_.-", self->prefix);
	ASSERT_EQ(0, ctnr_new(&self->nl, name, self->init.pid, 0, NULL)) {
		TH_LOG("%s refused: %s", name, self->nl.ext_msg);
	}
	ASSERT_EQ(0, ctnr_del_name(&self->nl, name));
}

/* a name already in use by the same owner gives EEXIST */
TEST_F(container, new_rejects_duplicate_name)
{
	struct ctnr_ctr c;

	ASSERT_NL_REJECT(-EEXIST, ctnr_new(&self->nl, self->name,
					   self->init.pid, 0, NULL));
	ASSERT_COUNT_UNCHANGED();
	ASSERT_EQ(0, ctnr_get_name(&self->nl, self->name, &c));
	ASSERT_EQ(self->id, c.id);
}

/* a request without a name is refused */
TEST_F(container, new_rejects_missing_name)
{
	struct ctnr_req rq = { .set = REQ_BIT(CTNR_A_PID),
			       .pid = (uint32_t)self->init.pid };
	int r;

	r = ctnr_request(&self->nl, CTNR_CMD_CONTAINER_NEW, &rq, NULL);
	ASSERT_EQ(-EINVAL, r);
	ASSERT_TRUE(self->nl.ext_msg[0] || self->nl.miss_type == CTNR_A_NAME) {
		TH_LOG("neither a message nor the missing attribute");
	}
	ASSERT_COUNT_UNCHANGED();
}

/* pid 0 is refused, by the policy (1..PID_MAX_LIMIT): ERANGE */
TEST_F(container, new_rejects_pid_zero)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-pid0", self->prefix);
	ASSERT_NL_REJECT(-ERANGE, ctnr_new(&self->nl, name, 0, 0, NULL));
	ASSERT_TRUE(self->nl.pol_have & CTNR_POL_RANGE);
	EXPECT_EQ(1U, self->nl.pol_min);
	ASSERT_COUNT_UNCHANGED();
}

/* a pid that does not exist gives ESRCH */
TEST_F(container, new_rejects_dead_pid)
{
	pid_t pid = unused_pid();
	char name[64];

	ASSERT_GT(pid, 0);
	snprintf(name, sizeof(name), "%s-dead", self->prefix);
	ASSERT_NL_REJECT(-ESRCH, ctnr_new(&self->nl, name, pid, 0, NULL));
	ASSERT_COUNT_UNCHANGED();
}

struct pidns_arg {
	pid_t host_pid;
	const char *name;
};

static void new_from_pidns_child(int errfd, void *arg)
{
	struct pidns_arg *a = arg;
	struct ctnr_nl nl;
	pid_t pid;
	int r, st;

	CHILD_CHECK(errfd, unshare(CLONE_NEWPID) == 0, "%m - unshare pid");
	pid = fork();
	CHILD_CHECK(errfd, pid >= 0, "%m - fork");
	if (pid == 0) {
		/* pid 1 of a new pid namespace: host pids are invisible */
		r = ctnr_nl_open(&nl);
		CHILD_CHECK(errfd, r == 0, "genl: %s", strerror(-r));
		r = ctnr_new(&nl, a->name, a->host_pid, 0, NULL);
		CHILD_CHECK(errfd, r == -ESRCH,
			    "NEW of host pid %d from a child pid ns: %d (%s)",
			    a->host_pid, r, nl.ext_msg);
		CHILD_CHECK(errfd, nl.ext_msg[0], "no extack message");
		_exit(0);
	}
	CHILD_CHECK(errfd, wait_pid_timeout(pid, &st, 15000) == 0,
		    "grandchild hung");
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		_exit(1);
}

/* a pid is looked up in the caller's pid namespace */
TEST_F(container, new_rejects_pid_not_visible)
{
	struct pidns_arg a = { .host_pid = self->init.pid };
	char name[64], msg[512];

	snprintf(name, sizeof(name), "%s-invisible", self->prefix);
	a.name = name;
	ASSERT_EQ(0, run_child(new_from_pidns_child, &a, msg, sizeof(msg),
			       20000)) {
		TH_LOG("%s", msg);
	}
	ASSERT_COUNT_UNCHANGED();
}

/* neither pid nor pidfd: refused */
TEST_F(container, new_rejects_missing_task)
{
	struct ctnr_req rq = { .set = REQ_BIT(CTNR_A_NAME) };
	char name[64];
	int r;

	snprintf(name, sizeof(name), "%s-notask", self->prefix);
	rq.name = name;
	r = ctnr_request(&self->nl, CTNR_CMD_CONTAINER_NEW, &rq, NULL);
	ASSERT_EQ(-EINVAL, r);
	ASSERT_TRUE(self->nl.ext_msg[0] || self->nl.miss_type >= 0) {
		TH_LOG("neither a message nor the missing attribute");
	}
	ASSERT_COUNT_UNCHANGED();
}

/*
 * Registering an init that exits and is reaped at the same moment: the
 * task the kernel looked up may be released between its checks (its pid
 * is then gone from it).  Each try succeeds or fails with ESRCH; none
 * crashes (found by the fuzzer: a NULL init pid dereferenced in the
 * reply), none leaves a container behind.  Timing-dependent by nature:
 * the child exits after a random spin so that the exit falls anywhere in
 * the registration.
 */
TEST_F_TIMEOUT(container, new_races_the_init_exit, 120)
{
	int64_t end = now_ms() + 4000;
	unsigned int seed = (unsigned int)getpid();
	long ok = 0, gone = 0, tries = 0;
	char rel[128], name[64];
	struct ctnr_ctr c;
	int r, p[2];
	pid_t pid;
	char b;

	snprintf(rel, sizeof(rel), "%s/race", self->cg_rel + 1);
	ASSERT_EQ(0, cg_create(rel, self->cg_sub, sizeof(self->cg_sub)));
	/* reaped at once by the kernel: released as soon as it exits */
	signal(SIGCHLD, SIG_IGN);
	while (now_ms() < end) {
		unsigned int spin = rand_r(&seed) % 200000;

		ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			volatile unsigned int i;

			close(p[0]);
			if (cg_enter(self->cg_sub, getpid()))
				_exit(1);
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			for (i = 0; i < spin; i++)
				;
			_exit(0);
		}
		close(p[1]);
		r = read(p[0], &b, 1) == 1 ? 0 : -EIO;
		close(p[0]);
		if (r)
			continue;	/* it could not enter the cgroup */
		snprintf(name, sizeof(name), "%s-race%ld", self->prefix, tries++);
		r = ctnr_new(&self->nl, name, pid, 0, &c);
		if (!r) {
			ok++;
			ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
		} else {
			ASSERT_EQ(-ESRCH, r) {
				TH_LOG("try %ld: %s %s", tries, strerror(-r),
				       self->nl.ext_msg);
			}
			gone++;
		}
	}
	signal(SIGCHLD, SIG_DFL);
	/* the last children may still be exiting: the cgroup empties */
	for (r = 0; r < 100 && cg_nprocs(self->cg_sub) > 0; r++)
		sleep_ms(50);
	TH_LOG("%ld tries: %ld registered, %ld found the init gone", tries,
	       ok, gone);
	EXPECT_LT(0, tries);
	ASSERT_COUNT_UNCHANGED();
}

/* both pid and pidfd: refused */
TEST_F(container, new_rejects_pid_and_pidfd)
{
	struct ctnr_req rq = {
		.set = REQ_BIT(CTNR_A_NAME) | REQ_BIT(CTNR_A_PID) |
		       REQ_BIT(CTNR_A_PIDFD),
		.pid = (uint32_t)self->init.pid,
	};
	char name[64];
	int pidfd;

	snprintf(name, sizeof(name), "%s-both", self->prefix);
	rq.name = name;
	pidfd = sys_pidfd_open(self->init.pid, 0);
	ASSERT_GE(pidfd, 0) {
		TH_LOG("%m - pidfd_open");
	}
	rq.pidfd = pidfd;
	ASSERT_NL_REJECT(-EINVAL, ctnr_request(&self->nl,
					       CTNR_CMD_CONTAINER_NEW, &rq,
					       NULL));
	close(pidfd);
	ASSERT_COUNT_UNCHANGED();
}

/* an fd that is not a pidfd is refused (EBADF or EINVAL) */
TEST_F(container, new_rejects_non_pidfd)
{
	const char *paths[] = { "/dev/null", "/proc/self" };
	char name[64], proc[64];
	size_t i;
	int fd, r;

	snprintf(name, sizeof(name), "%s-notpidfd", self->prefix);
	snprintf(proc, sizeof(proc), "/proc/%d", self->init.pid);
	paths[1] = proc;
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		ASSERT_GE(fd, 0) {
			TH_LOG("%m - open %s", paths[i]);
		}
		r = ctnr_new_pidfd(&self->nl, name, fd, 0, NULL);
		close(fd);
		ASSERT_TRUE(r == -EBADF || r == -EINVAL) {
			TH_LOG("%s as pidfd: %d (%s)", paths[i], r,
			       strerror(-r));
		}
		ASSERT_NE(0, self->nl.ext_msg[0]);
	}
	ASSERT_COUNT_UNCHANGED();
}

/* pidfd -1 (and any closed fd) gives EBADF */
TEST_F(container, new_rejects_bad_pidfd)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "%s-badfd", self->prefix);
	ASSERT_NL_REJECT(-EBADF, ctnr_new_pidfd(&self->nl, name, -1, 0,
						NULL));
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	close(fd);
	ASSERT_NL_REJECT(-EBADF, ctnr_new_pidfd(&self->nl, name, fd, 0,
						NULL));
	ASSERT_COUNT_UNCHANGED();
}

/* flags with unknown bits are refused */
TEST_F(container, new_rejects_unknown_flags)
{
	const uint32_t bad[] = { 1U << 1, 1U << 31, (uint32_t)~CTNR_F_MASK };
	char name[64];
	size_t i;

	snprintf(name, sizeof(name), "%s-flags", self->prefix);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_NL_REJECT(-EINVAL, ctnr_new(&self->nl, name,
						   self->init.pid, bad[i],
						   NULL));
	}
	ASSERT_COUNT_UNCHANGED();
}

/* GET, DEL and SET of an unknown id or name give ENOENT */
TEST_F(container, unknown_id_or_name_enoent)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-nosuch", self->prefix);
	ASSERT_NL_REJECT(-ENOENT, ctnr_get_id(&self->nl, NO_SUCH_ID, NULL));
	ASSERT_NL_REJECT(-ENOENT, ctnr_get_name(&self->nl, name, NULL));
	ASSERT_NL_REJECT(-ENOENT, ctnr_del_id(&self->nl, NO_SUCH_ID));
	ASSERT_NL_REJECT(-ENOENT, ctnr_del_name(&self->nl, name));
	ASSERT_COUNT_UNCHANGED();
}

/* GET/DEL/SET with both id and name, or with neither, give EINVAL */
TEST_F(container, id_and_name_exclusive)
{
	const uint8_t cmds[] = { CTNR_CMD_CONTAINER_GET,
				 CTNR_CMD_CONTAINER_DEL,
				 CTNR_CMD_CONTAINER_SET };
	struct ctnr_req both = {
		.set = REQ_BIT(CTNR_A_ID) | REQ_BIT(CTNR_A_NAME),
		.id = self->id, .name = self->name,
	};
	struct ctnr_req neither = { .set = 0 };
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ASSERT_NL_REJECT(-EINVAL, ctnr_request(&self->nl, cmds[i],
						       &both, NULL));
		r = ctnr_request(&self->nl, cmds[i], &neither, NULL);
		ASSERT_EQ(-EINVAL, r) {
			TH_LOG("cmd %u with neither: %d", cmds[i], r);
		}
		ASSERT_TRUE(self->nl.ext_msg[0] || self->nl.miss_type >= 0);
	}
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, NULL));
	ASSERT_COUNT_UNCHANGED();
}

/* NS_FDS with unknown mask bits, or none, gives EINVAL and no fds */
TEST_F(container, ns_fds_rejects_bad_mask)
{
	const uint32_t bad[] = {
		0,
		CLONE_NEWUTS | 0x1,		/* CSIGNAL */
		CLONE_NEWUTS | CLONE_VM,
		CLONE_NEWUTS | 0x80000000U,
		~CTNR_NS_FDS_MASK_ALL,
	};
	struct ctnr_ioc_ns_fds a;
	int fds0 = count_open_fds();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(-EINVAL, ctnr_ns_fds(self->dev, self->id, NULL,
					       bad[i], &a)) {
			TH_LOG("mask %#x", bad[i]);
		}
	}
	ASSERT_EQ(fds0, count_open_fds());
}

/* NS_FDS of an unknown id or name gives ENOENT; a bad name EINVAL */
TEST_F(container, ns_fds_unknown_container)
{
	struct ctnr_ioc_ns_fds a;
	char name[64];
	int fds0 = count_open_fds();

	snprintf(name, sizeof(name), "%s-nosuch", self->prefix);
	ASSERT_EQ(-ENOENT, ctnr_ns_fds(self->dev, NO_SUCH_ID, NULL,
				       CLONE_NEWUTS, &a));
	ASSERT_EQ(-ENOENT, ctnr_ns_fds(self->dev, 0, name, CLONE_NEWUTS, &a));
	/* id 0 with an empty name names nothing */
	ASSERT_EQ(-EINVAL, ctnr_ns_fds(self->dev, 0, "", CLONE_NEWUTS, &a));
	/* a name field without its NUL */
	ctnr_ns_fds_init(&a, 0, NULL, CLONE_NEWUTS);
	memset(a.name, 'a', sizeof(a.name));
	ASSERT_EQ(-EINVAL, ctnr_ioc_ns_fds(self->dev, &a));
	ASSERT_EQ(fds0, count_open_fds());
}

/*
 * NS_FDS whose reply cannot be written fails with EFAULT before any fd is
 * installed: none is left behind, and the namespace references are back.
 */
TEST_F(container, ns_fds_unwritable_reply_efault)
{
	struct ctnr_ioc_ns_fds *a;
	long refs0 = ctnr_counter_settled("ns_refs");
	int fds0 = count_open_fds();

	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	ctnr_ns_fds_init(a, self->id, NULL, CLONE_NEWUTS | CLONE_NEWNET);
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ));
	/* not ctnr_ioc_ns_fds(): it would reset a->fds[] on failure */
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_NS_FDS, a));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(fds0, count_open_fds());
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_NS_FDS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(fds0, count_open_fds());
	EXPECT_EQ(refs0, ctnr_counter("ns_refs"));
	munmap(a, 4096);
}

/* ---- permissions ------------------------------------------------- */

struct perm_arg {
	uint32_t root_id;
	const char *root_name;
	const char *prefix;
	pid_t root_init;
	const char *cg;		/* a cgroup delegated to uid 1000 */
};

static void userns_enter_child(int errfd, void *arg)
{
	enter_child(errfd, arg);
	CHILD_CHECK(errfd, getuid() == 0, "uid %d after setns user",
		    (int)getuid());
}

/*
 * uid 1000 makes a user namespace U (unshare -Ur) and works in it as
 * root.  Checks run in order; the first failure is reported.
 */
static void userns_child(int errfd, void *arg)
{
	struct perm_arg *a = arg;
	struct init_proc c = { -1, -EBADF };
	struct ctnr_ioc_ns_fds nsf;
	struct ctnr_ctr own, dup, tmp;
	struct enter_arg e;
	struct ctnr_nl nl;
	char name[64], host[64], err[256], msg[512];
	long n;
	int dev, r;

	/* registering claims the task's cgroup: one delegated to uid 1000 */
	r = cg_enter(a->cg, getpid());
	CHILD_CHECK(errfd, r == 0, "enter %s: %s", a->cg, strerror(-r));
	r = become_user(1000, 1000);
	CHILD_CHECK(errfd, r == 0, "become uid 1000: %s", strerror(-r));
	r = enter_userns_as_root(0);
	CHILD_CHECK(errfd, r == 0, "unshare -Ur: %s", strerror(-r));
	r = ctnr_nl_open(&nl);
	CHILD_CHECK(errfd, r == 0, "genl in userns: %s", strerror(-r));
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - open %s as root in a userns",
		    CTNR_DEV_PATH);

	/* root's containers are invisible and untouchable */
	n = ctnr_count(&nl);
	CHILD_CHECK(errfd, n == 0, "INFO count %ld in a fresh userns", n);
	n = ctnr_dump_count(&nl, NULL, 0, NULL);
	CHILD_CHECK(errfd, n == 0, "dump shows %ld containers", n);
	r = ctnr_get_id(&nl, a->root_id, NULL);
	CHILD_CHECK(errfd, r == -ENOENT, "GET root's id: %d", r);
	r = ctnr_get_name(&nl, a->root_name, NULL);
	CHILD_CHECK(errfd, r == -ENOENT, "GET root's name: %d", r);
	r = ctnr_del_id(&nl, a->root_id);
	CHILD_CHECK(errfd, r == -ENOENT || r == -EPERM, "DEL root's: %d", r);
	r = ctnr_set_flags(&nl, a->root_id, CTNR_F_AUTOREMOVE);
	CHILD_CHECK(errfd, r == -ENOENT || r == -EPERM, "SET root's: %d", r);
	r = ctnr_ns_fds(dev, a->root_id, NULL, CLONE_NEWUTS, &nsf);
	CHILD_CHECK(errfd, r == -ENOENT || r == -EPERM,
		    "NS_FDS root's by id: %d", r);
	r = ctnr_ns_fds(dev, 0, a->root_name, CLONE_NEWUTS, &nsf);
	CHILD_CHECK(errfd, r == -ENOENT, "NS_FDS root's by name: %d", r);

	/* tasks outside U cannot be registered */
	snprintf(name, sizeof(name), "%s-uout", a->prefix);
	r = ctnr_new(&nl, name, 1, 0, NULL);
	CHILD_CHECK(errfd, r == -EPERM, "NEW of pid 1: %d (%s)", r,
		    nl.ext_msg);
	CHILD_CHECK(errfd, nl.ext_msg[0], "no extack message for EPERM");
	r = ctnr_new(&nl, name, a->root_init, 0, NULL);
	CHILD_CHECK(errfd, r == -EPERM, "NEW of root's init: %d", r);

	/* its own child, in a user namespace below U, can be */
	snprintf(host, sizeof(host), "uh-%d", getpid());
	r = spawn_init(&c, 0, CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWNET,
		       host, NULL, err, sizeof(err));
	CHILD_CHECK(errfd, r == 0, "child task: %s", err);
	snprintf(name, sizeof(name), "%s-u", a->prefix);
	r = ctnr_new(&nl, name, c.pid, 0, &own);
	CHILD_CHECK(errfd, r == 0, "NEW in userns: %s: %s", strerror(-r),
		    nl.ext_msg);
	CHILD_CHECK(errfd, own.owner_level == 1, "owner level %u",
		    own.owner_level);
	CHILD_CHECK(errfd, own.owner_uid == 0, "owner uid %u seen from U",
		    own.owner_uid);
	CHILD_CHECK(errfd, own.pid == (uint32_t)c.pid, "pid %u, expected %d",
		    own.pid, c.pid);
	CHILD_CHECK(errfd, own.ns[CTNR_NS_UTS] == ns_ino(c.pid, "uts") &&
		    own.ns[CTNR_NS_USER] == ns_ino(c.pid, "user"),
		    "namespaces are not the child's");

	/* names are unique per owner: root's name is free in U */
	r = ctnr_new(&nl, a->root_name, c.pid, 0, &dup);
	CHILD_CHECK(errfd, r == 0, "NEW with root's name in U: %s: %s",
		    strerror(-r), nl.ext_msg);
	CHILD_CHECK(errfd, dup.id != a->root_id, "same id as root's");
	r = ctnr_get_name(&nl, a->root_name, &tmp);
	CHILD_CHECK(errfd, r == 0 && tmp.id == dup.id,
		    "GET by name in U: %d id %u", r, tmp.id);
	r = ctnr_del_id(&nl, dup.id);
	CHILD_CHECK(errfd, r == 0, "DEL own: %d", r);

	/* it sees exactly its own */
	n = ctnr_count(&nl);
	CHILD_CHECK(errfd, n == 1, "INFO count %ld", n);
	n = ctnr_dump_count(&nl, NULL, 0, &tmp);
	CHILD_CHECK(errfd, n == 1 && tmp.id == own.id,
		    "dump: %ld entries, id %u", n, tmp.id);

	/* and enters it: user namespace first, then uts and net */
	r = ctnr_ns_fds(dev, 0, name, CLONE_NEWUTS, &nsf);
	CHILD_CHECK(errfd, r == 0, "NS_FDS own by name: %d", r);
	CHILD_CHECK(errfd, fd_ino(nsf.fds[CTNR_NS_UTS]) == own.ns[CTNR_NS_UTS],
		    "wrong uts fd");
	ctnr_ns_fds_close(&nsf);
	r = ctnr_ns_fds(dev, own.id, NULL,
			CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWNET, &nsf);
	CHILD_CHECK(errfd, r == 0, "NS_FDS own: %d", r);
	memcpy(e.fds, nsf.fds, sizeof(e.fds));
	e.hostname = host;
	e.setns_user = true;
	r = run_child(userns_enter_child, &e, msg, sizeof(msg), 20000);
	CHILD_CHECK(errfd, r == 0, "entering: %s", msg);
	ctnr_ns_fds_close(&nsf);

	/* leave one behind for root to look at, delete the other */
	snprintf(name, sizeof(name), "%s-uleft", a->prefix);
	r = ctnr_new(&nl, name, c.pid, 0, NULL);
	CHILD_CHECK(errfd, r == 0, "NEW left-over: %d", r);
	r = ctnr_del_id(&nl, own.id);
	CHILD_CHECK(errfd, r == 0, "DEL own: %d", r);
	stop_init(&c);
	ctnr_nl_close(&nl);
	close(dev);
}

/* root in a user namespace manages only its own containers */
TEST_F_TIMEOUT(container, userns_root_scope, 60)
{
	struct perm_arg a = {
		.root_id = self->id, .root_name = self->name,
		.prefix = self->prefix, .root_init = self->init.pid,
	};
	struct ctnr_ctr c, left;
	char name[64], msg[512], rel[64], cg[PATH_MAX];
	long n;
	int r;

	snprintf(rel, sizeof(rel), "ctnrtest-%d-u1000", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	ASSERT_EQ(0, cg_delegate(cg, 1000, 1000));
	a.cg = cg;
	r = run_child(userns_child, &a, msg, sizeof(msg), 40000);
	cg_remove(cg);
	ASSERT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	/* root's container is untouched */
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c));
	ASSERT_EQ((uint32_t)CTNR_STATE_RUNNING, c.state);
	ASSERT_EQ(0U, c.flags);
	/* root sees the one U left: owned by U (level 1, uid 1000) */
	snprintf(name, sizeof(name), "%s-uleft", self->prefix);
	n = ctnr_dump_count(&self->nl, name, 0, &left);
	ASSERT_EQ(1, n);
	ASSERT_EQ(1U, left.owner_level);
	ASSERT_EQ(1000U, left.owner_uid);
	ASSERT_EQ(0, ctnr_get_id(&self->nl, left.id, NULL));
	/* a name is looked up among the caller's own: not found by root */
	ASSERT_EQ(-ENOENT, ctnr_get_name(&self->nl, name, NULL));
	ASSERT_EQ(0, ctnr_del_id(&self->nl, left.id));
	ASSERT_EQ(self->count0 + 1, ctnr_count(&self->nl));
}

static void unpriv_child(int errfd, void *arg)
{
	struct perm_arg *a = arg;
	struct ctnr_ioc_ns_fds nsf;
	struct ctnr_nl nl;
	char name[64];
	long n;
	int dev, r;

	r = become_user(1000, 1000);
	CHILD_CHECK(errfd, r == 0, "become uid 1000: %s", strerror(-r));
	r = ctnr_nl_open(&nl);
	CHILD_CHECK(errfd, r == 0, "genl as uid 1000: %s", strerror(-r));
	snprintf(name, sizeof(name), "%s-unpriv", a->prefix);
	r = ctnr_new(&nl, name, getpid(), 0, NULL);
	CHILD_CHECK(errfd, r == -EPERM, "NEW as uid 1000: %d", r);
	CHILD_CHECK(errfd, nl.ext_msg[0], "no extack message for EPERM");
	n = ctnr_count(&nl);
	CHILD_CHECK(errfd, n == 0, "uid 1000 counts %ld containers", n);
	n = ctnr_dump_count(&nl, NULL, 0, NULL);
	CHILD_CHECK(errfd, n == 0 || n == -EPERM, "uid 1000 dumps %ld", n);
	r = ctnr_get_id(&nl, a->root_id, NULL);
	CHILD_CHECK(errfd, r == -ENOENT || r == -EPERM, "GET: %d", r);
	r = ctnr_del_id(&nl, a->root_id);
	CHILD_CHECK(errfd, r == -ENOENT || r == -EPERM, "DEL: %d", r);
	r = ctnr_set_flags(&nl, a->root_id, CTNR_F_AUTOREMOVE);
	CHILD_CHECK(errfd, r == -ENOENT || r == -EPERM, "SET: %d", r);
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - open %s as uid 1000",
		    CTNR_DEV_PATH);
	r = ctnr_ns_fds(dev, a->root_id, NULL, CLONE_NEWUTS, &nsf);
	CHILD_CHECK(errfd, r == -ENOENT || r == -EPERM, "NS_FDS: %d", r);
	close(dev);
	ctnr_nl_close(&nl);
}

/* an unprivileged user without a user namespace can do nothing */
TEST_F(container, unprivileged_user_denied)
{
	struct perm_arg a = { .root_id = self->id, .prefix = self->prefix };
	struct ctnr_ctr c;
	char msg[512];

	ASSERT_EQ(0, run_child(unpriv_child, &a, msg, sizeof(msg), 20000)) {
		TH_LOG("%s", msg);
	}
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c));
	ASSERT_EQ(0U, c.flags);
	ASSERT_COUNT_UNCHANGED();
}

/* ---- registration authority (container.md H2, M1, kmsg-loop.md X1) */

/*
 * A tenant: a process that made a user namespace of its own (its uid
 * mapped to root in it, as `unshare -Ur`), with a child "kid" that
 * inherits it, and that registers the pids it is sent.
 */
struct tenant {
	pid_t pid, kid;
	int to, from;
};

struct tenant_req {
	int32_t pid;		/* -1: the tenant's kid */
	char name[64];
};

struct tenant_rep {
	int32_t r;
	uint32_t id;
	char msg[CTNR_EXT_MSG_LEN];
};

static void __attribute__((noreturn))
tenant_main(int to, int from, const char *cgroup, uid_t uid,
	    unsigned long more)
{
	struct tenant_req rq;
	struct tenant_rep rep;
	struct ctnr_ctr c;
	struct ctnr_nl nl;
	pid_t kid, tenant;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (cgroup && cg_enter(cgroup, getpid()))
		_exit(10);
	if (uid && become_user(uid, uid))
		_exit(11);
	if (enter_userns_as_root(more))
		_exit(12);
	tenant = getpid();
	kid = fork();
	if (kid == 0) {
		/*
		 * tenant_stop() kills the tenant, not the kid: a tenant
		 * killed before the kid set its parent-death signal sends
		 * none, and the kid, paused for ever, kept the cgroup busy
		 * and the module in use (an inherited /dev/ctnr).
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) ||
		    getppid() != tenant)
			_exit(0);
		for (;;)
			pause();
	}
	if (kid < 0 || ctnr_nl_open(&nl) ||
	    write(from, &kid, sizeof(kid)) != sizeof(kid))
		_exit(13);
	while (read(to, &rq, sizeof(rq)) == sizeof(rq)) {
		memset(&rep, 0, sizeof(rep));
		rq.name[sizeof(rq.name) - 1] = '\0';
		rep.r = ctnr_new(&nl, rq.name, rq.pid < 0 ? kid : rq.pid, 0,
				 &c);
		rep.id = rep.r ? 0 : c.id;
		snprintf(rep.msg, sizeof(rep.msg), "%s", nl.ext_msg);
		if (write(from, &rep, sizeof(rep)) != sizeof(rep))
			break;
	}
	kill(kid, SIGKILL);
	_exit(0);
}

static int tenant_start(struct tenant *t, const char *cgroup, uid_t uid,
			unsigned long more)
{
	int to[2], from[2];

	t->pid = t->kid = -1;
	t->to = t->from = -EBADF;
	if (pipe2(to, O_CLOEXEC))
		return -errno;
	if (pipe2(from, O_CLOEXEC)) {
		close(to[0]);
		close(to[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	t->pid = fork();
	if (t->pid == 0) {
		close(to[1]);
		close(from[0]);
		tenant_main(to[0], from[1], cgroup, uid, more);
	}
	close(to[0]);
	close(from[1]);
	t->to = to[1];
	t->from = from[0];
	if (t->pid < 0 ||
	    read(t->from, &t->kid, sizeof(t->kid)) != sizeof(t->kid))
		return -ECHILD;
	return 0;
}

static int tenant_register(struct tenant *t, pid_t pid, const char *name,
			   struct tenant_rep *rep)
{
	struct tenant_req rq = { .pid = pid };

	snprintf(rq.name, sizeof(rq.name), "%s", name);
	if (write(t->to, &rq, sizeof(rq)) != sizeof(rq) ||
	    read(t->from, rep, sizeof(*rep)) != sizeof(*rep))
		return -ECHILD;
	return rep->r;
}

static void tenant_stop(struct tenant *t)
{
	close_fd(&t->to);
	close_fd(&t->from);
	kill_reap(&t->pid);
}

/*
 * A helper of the host that joins @userns_of's user namespace, as runc
 * exec or lxc-attach do, non-dumpable unless @dumpable; it keeps every
 * other host namespace.
 */
static pid_t joined_helper(pid_t userns_of, bool dumpable)
{
	char path[64], b = 'E';
	int p[2], fd;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		snprintf(path, sizeof(path), "/proc/%d/ns/user", userns_of);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (!dumpable)
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (fd >= 0 && !setns(fd, CLONE_NEWUSER))
			b = 'R';
		if (write(p[1], &b, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && (read(p[0], &b, 1) != 1 || b != 'R'))
		kill_reap(&pid);
	close(p[0]);
	return pid;
}

/*
 * container.md H2: container root could register a non-dumpable host
 * helper that joined its user namespace, and so pin the host namespaces
 * the helper still holds.  Registration now needs what /proc/PID/ns needs:
 * ptrace read access, which a non-dumpable task refuses.
 */
TEST_F(container, new_refuses_undumpable_helper)
{
	struct tenant t;
	struct tenant_rep rep;
	char name[64];
	pid_t h;
	int r;

	ASSERT_EQ(0, tenant_start(&t, NULL, 0, 0));
	snprintf(name, sizeof(name), "%s-helper", self->prefix);
	h = joined_helper(t.pid, false);
	ASSERT_GT(h, 0) {
		tenant_stop(&t);
	}
	r = tenant_register(&t, h, name, &rep);
	kill_reap(&h);
	EXPECT_EQ(-EPERM, r) {
		TH_LOG("non-dumpable helper: %d (%s) %s", r, strerror(-r),
		       rep.msg);
	}
	EXPECT_NE(0, rep.msg[0]);
	/* the same helper, dumpable: the tenant may read its namespaces */
	h = joined_helper(t.pid, true);
	ASSERT_GT(h, 0) {
		tenant_stop(&t);
	}
	r = tenant_register(&t, h, name, &rep);
	kill_reap(&h);
	tenant_stop(&t);
	ASSERT_EQ(0, r) {
		TH_LOG("dumpable helper: %s %s", strerror(-r), rep.msg);
	}
	ASSERT_EQ(0, ctnr_del_id(&self->nl, rep.id));
}

/*
 * container.md H2, kmsg-loop.md X1: registering claims the task's cgroup
 * for everything in it, so it needs the authority a write to that
 * cgroup's cgroup.procs needs: uid 1000 with `unshare -Ur` may claim a
 * cgroup delegated to it, not one of root's.
 */
TEST_F_TIMEOUT(container, new_needs_cgroup_delegation, 60)
{
	char rel[64], cg[PATH_MAX], name[64];
	struct tenant t;
	struct tenant_rep rep;
	int r;

	snprintf(rel, sizeof(rel), "ctnrtest-%d-deleg", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	snprintf(name, sizeof(name), "%s-deleg", self->prefix);

	ASSERT_EQ(0, tenant_start(&t, cg, 1000, 0));
	r = tenant_register(&t, -1, name, &rep);
	tenant_stop(&t);
	EXPECT_EQ(-EPERM, r) {
		TH_LOG("root's cgroup: %d (%s) %s", r, strerror(-r), rep.msg);
	}
	EXPECT_NE(0, rep.msg[0]);

	ASSERT_EQ(0, cg_delegate(cg, 1000, 1000));
	ASSERT_EQ(0, tenant_start(&t, cg, 1000, 0));
	r = tenant_register(&t, -1, name, &rep);
	tenant_stop(&t);
	EXPECT_EQ(0, r) {
		TH_LOG("delegated cgroup: %s %s", strerror(-r), rep.msg);
	}
	if (!r)
		EXPECT_EQ(0, ctnr_del_id(&self->nl, rep.id));
	ASSERT_EQ(0, cg_remove(cg));
}

/*
 * container.md H2: the task's cgroup must be inside the caller's cgroup
 * namespace.  A tenant whose cgroup namespace is rooted at cgroup A
 * cannot register its own child once the host moved it to a sibling B.
 */
TEST_F_TIMEOUT(container, new_needs_cgroup_in_cgroupns, 60)
{
	char rel[64], a[PATH_MAX], b[PATH_MAX], name[64];
	struct tenant t;
	struct tenant_rep rep;
	int r;

	snprintf(rel, sizeof(rel), "ctnrtest-%d-a", getpid());
	ASSERT_EQ(0, cg_create(rel, a, sizeof(a)));
	snprintf(rel, sizeof(rel), "ctnrtest-%d-b", getpid());
	ASSERT_EQ(0, cg_create(rel, b, sizeof(b)));
	snprintf(name, sizeof(name), "%s-cgns", self->prefix);
	ASSERT_EQ(0, tenant_start(&t, a, 0, CLONE_NEWCGROUP));
	ASSERT_EQ(0, cg_enter(b, t.kid));
	r = tenant_register(&t, -1, name, &rep);
	EXPECT_EQ(-EPERM, r) {
		TH_LOG("cgroup outside the cgroup ns: %d (%s) %s", r,
		       strerror(-r), rep.msg);
	}
	/* back inside its cgroup namespace it is fine */
	ASSERT_EQ(0, cg_enter(a, t.kid));
	r = tenant_register(&t, -1, name, &rep);
	tenant_stop(&t);
	EXPECT_EQ(0, r) {
		TH_LOG("cgroup inside: %s %s", strerror(-r), rep.msg);
	}
	if (!r)
		EXPECT_EQ(0, ctnr_del_id(&self->nl, rep.id));
	ASSERT_EQ(0, cg_remove(a));
	ASSERT_EQ(0, cg_remove(b));
}

static void *tid_thread(void *arg)
{
	int *p = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (unshare(CLONE_NEWUTS) || sethostname("tid-own", 7))
		tid = -1;
	if (write(p[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	for (;;)
		pause();
	return NULL;
}

/*
 * container.md H2: a thread id names its process.  A thread that
 * unshared its uts namespace does not give the container its own.
 */
TEST_F(container, new_by_tid_takes_the_process)
{
	struct ctnr_ctr c;
	char name[64], path[64];
	struct stat st;
	pthread_t th;
	pid_t kid, tid = -1;
	int p[2], r;

	ASSERT_EQ(0, pipe(p));
	kid = fork();
	ASSERT_GE(kid, 0);
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (pthread_create(&th, NULL, tid_thread, p))
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_EQ(sizeof(tid), read(p[0], &tid, sizeof(tid)));
	close(p[0]);
	close(p[1]);
	ASSERT_GT(tid, 0) {
		kill_reap(&kid);
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/uts", kid, tid);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_NE(ns_ino(kid, "uts"), (uint64_t)st.st_ino) {
		kill_reap(&kid);
	}
	snprintf(name, sizeof(name), "%s-tid", self->prefix);
	r = ctnr_new(&self->nl, name, tid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("%s %s", strerror(-r), self->nl.ext_msg);
		kill_reap(&kid);
	}
	EXPECT_EQ((uint32_t)kid, c.pid);
	EXPECT_EQ(ns_ino(kid, "uts"), c.ns[CTNR_NS_UTS]) {
		TH_LOG("the container has the thread's uts namespace");
	}
	kill_reap(&kid);
	ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
}

/*
 * container.md M1, kmsg-loop.md X1: a less privileged owner cannot claim
 * a cgroup a more privileged one holds.  Root of a user namespace used to
 * register on the host's container's cgroup and become, being newest, the
 * container of every task there.  Below it, on a cgroup of its own, it
 * still may.
 */
TEST_F_TIMEOUT(container, tenant_cannot_claim_held_cgroup, 60)
{
	char rel[128], name[64];
	struct tenant t;
	struct tenant_rep rep;
	int r;

	snprintf(name, sizeof(name), "%s-shadow", self->prefix);
	ASSERT_EQ(0, tenant_start(&t, self->cg, 0, 0));
	r = tenant_register(&t, -1, name, &rep);
	EXPECT_EQ(-EBUSY, r) {
		TH_LOG("tenant on the host's cgroup: %d (%s) %s", r,
		       strerror(-r), rep.msg);
	}
	EXPECT_NE(0, rep.msg[0]);
	if (!r)
		ctnr_del_id(&self->nl, rep.id);
	snprintf(rel, sizeof(rel), "%s/sub", self->cg_rel + 1);
	ASSERT_EQ(0, cg_create(rel, self->cg_sub, sizeof(self->cg_sub)));
	ASSERT_EQ(0, cg_enter(self->cg_sub, t.kid));
	r = tenant_register(&t, -1, name, &rep);
	tenant_stop(&t);
	ASSERT_EQ(0, r) {
		TH_LOG("tenant on a sub-cgroup: %s %s", strerror(-r), rep.msg);
	}
	ASSERT_EQ(0, ctnr_del_id(&self->nl, rep.id));
}

/*
 * container.md M1: among the containers of one cgroup the most privileged
 * owner decides, then the oldest, never the newest: a second host
 * container on the cgroup does not re-home its tasks.
 */
TEST_F(container, oldest_most_privileged_decides)
{
	struct whoami_arg a = {
		.cgroup = self->cg, .id = self->id, .name = self->name,
	};
	struct ctnr_ctr c;
	char name[64], msg[512];
	int r;

	snprintf(name, sizeof(name), "%s-second", self->prefix);
	r = ctnr_new(&self->nl, name, self->init.pid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("%s %s", strerror(-r), self->nl.ext_msg);
	}
	r = run_child(whoami_child, &a, msg, sizeof(msg), 20000);
	ctnr_del_id(&self->nl, c.id);
	ASSERT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
}

/* ---- quotas (container.md H3) ----------------------------------- */

/* Set module parameter @name for this test; teardown restores it. */
static int set_param(FIXTURE_DATA(container) *self, const char *name,
		     unsigned long v)
{
	char path[128], buf[32];
	ssize_t n;
	int i = self->nparams;

	if (i == 4)
		return -ENOSPC;
	snprintf(path, sizeof(path), "/sys/module/ctnr/parameters/%s", name);
	n = read_str(path, self->param_old[i], sizeof(self->param_old[i]));
	if (n < 0)
		return (int)n;
	snprintf(self->param[i], sizeof(self->param[i]), "%s", name);
	self->nparams++;
	snprintf(buf, sizeof(buf), "%lu", v);
	return write_str(path, buf);
}

/*
 * The containers of every user namespace one host user makes, side by
 * side, share that user's budget (max_user_containers): it used to be per
 * namespace, so a new namespace was a new budget.
 */
TEST_F_TIMEOUT(container, quota_shared_by_sibling_userns, 60)
{
	char rel[64], cg[PATH_MAX], cg2[PATH_MAX], name[64];
	struct tenant a, b;
	struct tenant_rep rep;
	int i, r;

	ASSERT_EQ(0, set_param(self, "max_user_containers", 3));
	/* one cgroup each: siblings cannot share one (M1) */
	snprintf(rel, sizeof(rel), "ctnrtest-%d-quota", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	ASSERT_EQ(0, cg_delegate(cg, 1000, 1000));
	snprintf(rel, sizeof(rel), "ctnrtest-%d-quota2", getpid());
	ASSERT_EQ(0, cg_create(rel, cg2, sizeof(cg2)));
	ASSERT_EQ(0, cg_delegate(cg2, 1000, 1000));
	ASSERT_EQ(0, tenant_start(&a, cg, 1000, 0));
	ASSERT_EQ(0, tenant_start(&b, cg2, 1000, 0));
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s-qa%d", self->prefix, i);
		r = tenant_register(&a, -1, name, &rep);
		EXPECT_EQ(0, r) {
			TH_LOG("first namespace, #%d: %s %s", i, strerror(-r),
			       rep.msg);
		}
	}
	snprintf(name, sizeof(name), "%s-qb0", self->prefix);
	r = tenant_register(&b, -1, name, &rep);
	EXPECT_EQ(0, r) {
		TH_LOG("second namespace: %s %s", strerror(-r), rep.msg);
	}
	snprintf(name, sizeof(name), "%s-qb1", self->prefix);
	r = tenant_register(&b, -1, name, &rep);
	EXPECT_EQ(-ENOSPC, r) {
		TH_LOG("fourth of the user's: %d (%s)", r, strerror(-r));
	}
	EXPECT_NE(0, rep.msg[0]);
	tenant_stop(&a);
	tenant_stop(&b);
	ctnr_del_prefix(&self->nl, self->prefix);
	cg_remove(cg);
	cg_remove(cg2);
}

/* a user namespace below the initial one gets max_ns_containers */
TEST_F_TIMEOUT(container, quota_per_user_namespace, 60)
{
	struct tenant t;
	struct tenant_rep rep;
	char name[64];
	int i, r;

	ASSERT_EQ(0, set_param(self, "max_ns_containers", 2));
	ASSERT_EQ(0, tenant_start(&t, NULL, 0, 0));
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s-qn%d", self->prefix, i);
		r = tenant_register(&t, -1, name, &rep);
		EXPECT_EQ(i < 2 ? 0 : -ENOSPC, r) {
			TH_LOG("#%d: %d (%s) %s", i, r, strerror(-r), rep.msg);
		}
	}
	tenant_stop(&t);
}

/*
 * Tenants cannot take the last slots of max_containers: the host's root
 * still registers when they are at their limit.  It used to get ENOSPC.
 */
TEST_F_TIMEOUT(container, host_keeps_headroom, 60)
{
	struct tenant t;
	struct tenant_rep rep;
	struct ctnr_ctr c;
	char name[64];
	long total = ctnr_count(&self->nl);
	int i, r;

	ASSERT_GT(total, 0);
	/* a sixteenth of total + 3, rounded up, is 1 for a few containers */
	ASSERT_LT(total, 12);
	ASSERT_EQ(0, set_param(self, "max_containers", total + 3));
	ASSERT_EQ(0, tenant_start(&t, NULL, 0, 0));
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s-hr%d", self->prefix, i);
		r = tenant_register(&t, -1, name, &rep);
		EXPECT_EQ(i < 2 ? 0 : -ENOSPC, r) {
			TH_LOG("tenant #%d: %d (%s) %s", i, r, strerror(-r),
			       rep.msg);
		}
	}
	tenant_stop(&t);
	snprintf(name, sizeof(name), "%s-host1", self->prefix);
	r = ctnr_new(&self->nl, name, self->init.pid, 0, &c);
	EXPECT_EQ(0, r) {
		TH_LOG("host: %s %s", strerror(-r), self->nl.ext_msg);
	}
	snprintf(name, sizeof(name), "%s-host2", self->prefix);
	ASSERT_NL_REJECT(-ENOSPC, ctnr_new(&self->nl, name, self->init.pid,
					   0, NULL));
}

/* ---- deletion releases what a container pins (kmsg-loop.md X2) -- */

struct x2_mount {
	const char *cg;
	int dev;
	uint32_t id;
	unsigned int index;
};

/* as the container's task: join its mount namespace, mount the device */
static void x2_mount_child(int errfd, void *arg)
{
	struct x2_mount *m = arg;
	struct ctnr_ioc_ns_fds nsf;
	char path[64];
	int r;

	CHILD_CHECK(errfd, !cg_enter(m->cg, getpid()), "enter cgroup");
	r = ctnr_ns_fds(m->dev, m->id, NULL, CLONE_NEWNS, &nsf);
	CHILD_CHECK(errfd, r == 0, "NS_FDS mnt: %d", r);
	CHILD_CHECK(errfd, !setns(nsf.fds[CTNR_NS_MNT], CLONE_NEWNS),
		    "setns mnt: %m");
	ctnr_ns_fds_close(&nsf);
	CHILD_CHECK(errfd, !mkdir("/tmp/x2", 0755) || errno == EEXIST,
		    "mkdir: %m");
	snprintf(path, sizeof(path), "/dev/ctnrloop%u", m->index);
	CHILD_CHECK(errfd, !mount(path, "/tmp/x2", "ext4", 0, NULL),
		    "mount %s: %m", path);
}

static bool wait_gone(const char *path, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	while (!access(path, F_OK)) {
		if (now_ms() > end)
			return false;
		sleep_ms(50);
	}
	return true;
}

/*
 * Deleting a container drops its namespaces, cgroup and pid at once.  A
 * ctnrloop device mounted inside the container's own mount namespace used
 * to close a cycle (mount namespace -> mount -> device -> container ->
 * mount namespace): after the delete the mount namespace, the network
 * namespace and the device stayed until reboot.
 */
TEST_F_TIMEOUT(container, delete_frees_pins_despite_mounted_loop, 200)
{
	char rel[64], cg[PATH_MAX], img[64], name[64], err[1024], sys[64];
	char hostname[64], mkfs[PATH_MAX];
	struct ctnr_ioc_loop_attach a;
	struct init_proc ip = { -1, -EBADF };
	struct x2_mount m = { .dev = self->dev };
	struct ctnr_ctr c;
	long long refs0, refs;
	int64_t end;
	int bfd, r;

	if (find_in_path("mkfs.ext4", mkfs, sizeof(mkfs)))
		SKIP(return, "mkfs.ext4 not found");
	snprintf(img, sizeof(img), "/tmp/ctnr-x2-%d.img", getpid());
	bfd = open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, ftruncate(bfd, 16 << 20));
	r = run_cmd((char *[]){ mkfs, "-q", "-F", img, NULL }, NULL, 0,
		    err, sizeof(err), 60000);
	ASSERT_EQ(0, r) {
		TH_LOG("mkfs.ext4: %d %s", r, err);
		unlink(img);
	}
	snprintf(rel, sizeof(rel), "ctnrtest-%d-x2", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	m.cg = cg;
	refs0 = ctnr_counter_settled("ns_refs");
	snprintf(hostname, sizeof(hostname), "x2-%d", getpid());
	r = spawn_init(&ip, INIT_FLAGS, 0, hostname, cg, err, sizeof(err));
	ASSERT_EQ(0, r) {
		TH_LOG("%s", err);
		unlink(img);
	}
	snprintf(name, sizeof(name), "%s-x2", self->prefix);
	r = ctnr_new(&self->nl, name, ip.pid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("%s %s", strerror(-r), self->nl.ext_msg);
		stop_init(&ip);
		unlink(img);
	}
	m.id = c.id;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = c.id;
	a.backing_fd = bfd;
	a.fd = -2;
	r = ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, &a) < 0 ? -errno : 0;
	close(bfd);
	unlink(img);
	ASSERT_EQ(0, r) {
		TH_LOG("LOOP_ATTACH: %s", strerror(-r));
		stop_init(&ip);
	}
	m.index = a.index;
	/* the mount took over 30 s on 7.2 under TCG at load 10 */
	r = run_child(x2_mount_child, &m, err, sizeof(err), 90000);
	ASSERT_EQ(0, r) {
		TH_LOG("%s", err);
		stop_init(&ip);
	}
	/* the init goes, then the container: nothing holds the mount ns */
	stop_init(&ip);
	ASSERT_EQ(0, ctnr_wait_state(&self->nl, c.id, CTNR_STATE_STOPPED,
				     10000, NULL));
	ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
	snprintf(sys, sizeof(sys), "/sys/block/ctnrloop%u", a.index);
	EXPECT_TRUE(wait_gone(sys, 20000)) {
		TH_LOG("%s still there: the mount namespace was not freed",
		       sys);
	}
	end = now_ms() + 10000;
	while ((refs = ctnr_counter("ns_refs")) != refs0 && now_ms() < end)
		sleep_ms(50);
	EXPECT_EQ(refs0, refs) {
		TH_LOG("ns_refs %lld, %lld before the container", refs, refs0);
	}
	cg_remove(cg);
}

/* ---- genl family (container.md M4, L3, L4) ---------------------- */

#define M4_N	150

/* count CONTAINER_GET entries named @prefix* in one netlink datagram */
static int m4_count(const char *buf, ssize_t len, const char *prefix,
		    int family, bool *done)
{
	const struct nlmsghdr *h = (const void *)buf;
	size_t plen = strlen(prefix);
	int n = 0;

	for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		const struct nlattr *a;
		int alen;

		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
			*done = true;
			break;
		}
		if (h->nlmsg_type != family)
			continue;
		a = (const void *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);
		alen = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		for (; alen >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
		       a->nla_len <= alen;
		     alen -= NLA_ALIGN(a->nla_len),
		     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))
			if ((a->nla_type & NLA_TYPE_MASK) == CTNR_A_NAME &&
			    !strncmp((const char *)a + NLA_HDRLEN, prefix, plen))
				n++;
	}
	return n;
}

/*
 * container.md M4: a dump's continuations used to decide what to show
 * with the credentials of whichever task read the socket.  Root starts a
 * dump, reads the first part and hands the socket to a child that drops
 * to uid 65534: the child still gets root's whole dump.
 */
TEST_F_TIMEOUT(container, dump_view_fixed_at_start, 120)
{
	struct {
		struct nlmsghdr h;
		struct genlmsghdr g;
	} req = {
		.h = {
			.nlmsg_len = sizeof(req),
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.g = { .cmd = CTNR_CMD_CONTAINER_GET,
		       .version = CTNR_GENL_VERSION },
	};
	char name[64], prefix[48], buf[8192];
	int p[2], sk, i, n = 0, r, kid_n = -1, st;
	bool done = false;
	ssize_t len;
	pid_t kid;

	snprintf(prefix, sizeof(prefix), "%s-m4-", self->prefix);
	for (i = 0; i < M4_N; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		r = ctnr_new(&self->nl, name, self->init.pid, 0, NULL);
		ASSERT_EQ(0, r) {
			TH_LOG("#%d: %s %s", i, strerror(-r), self->nl.ext_msg);
		}
	}
	req.h.nlmsg_type = (uint16_t)self->nl.family;
	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_GE(sk, 0);
	ASSERT_EQ((ssize_t)sizeof(req), send(sk, &req, sizeof(req), 0));
	len = recv(sk, buf, sizeof(buf), 0);
	ASSERT_GT(len, 0);
	n = m4_count(buf, len, prefix, self->nl.family, &done);
	ASSERT_FALSE(done) {
		TH_LOG("the whole dump fit in one part");
	}
	ASSERT_EQ(0, pipe(p));
	kid = fork();
	ASSERT_GE(kid, 0);
	if (kid == 0) {
		int m = 0;

		if (become_user(65534, 65534))
			_exit(1);
		while (!done && (len = recv(sk, buf, sizeof(buf), 0)) > 0)
			m += m4_count(buf, len, prefix, self->nl.family, &done);
		if (write(p[1], &m, sizeof(m)) != sizeof(m))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &kid_n, sizeof(kid_n)) != sizeof(kid_n))
		kid_n = -1;
	close(p[0]);
	waitpid(kid, &st, 0);
	close(sk);
	ASSERT_GE(kid_n, 0);
	EXPECT_EQ(M4_N, n + kid_n) {
		TH_LOG("root read %d, the uid 65534 reader %d, of %d", n,
		       kid_n, M4_N);
	}
}

/*
 * container.md L3: the NEW reply could fail with EMSGSIZE after the
 * container was made (a cgroup path near PATH_MAX), and a retry then got
 * EEXIST.  It has room for any path now.
 */
TEST_F_TIMEOUT(container, new_reply_fits_long_cgroup_path, 60)
{
	char deep[PATH_MAX], seg[251], name[64];
	size_t len = strlen(self->cg);
	struct nl_msg *msg;
	int depth = 0, r;

	memset(seg, 'd', sizeof(seg) - 1);
	seg[sizeof(seg) - 1] = '\0';
	memcpy(deep, self->cg, len + 1);
	while (len + 1 + strlen(seg) + 32 < sizeof(deep)) {
		len += snprintf(deep + len, sizeof(deep) - len, "/%s", seg);
		ASSERT_EQ(0, mkdir(deep, 0755)) {
			TH_LOG("%m - mkdir level %d", depth);
		}
		depth++;
	}
	ASSERT_EQ(0, cg_enter(deep, self->init.pid));
	snprintf(name, sizeof(name), "%s-deep", self->prefix);
	/* the reply is not parsed: the test helpers keep 256-byte paths */
	msg = ctnr_nl_msg(&self->nl, CTNR_CMD_CONTAINER_NEW, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_string(msg, CTNR_A_NAME, name));
	ASSERT_EQ(0, nla_put_u32(msg, CTNR_A_PID, self->init.pid));
	r = ctnr_nl_xfer(&self->nl, msg, NULL, NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("NEW with a %zu-byte cgroup path: %s %s", len,
		       strerror(-r), self->nl.ext_msg);
	}
	ctnr_del_name(&self->nl, name);
	ASSERT_EQ(0, cg_enter(self->cg, self->init.pid));
	for (; depth > 0; depth--) {
		char *slash = strrchr(deep, '/');

		EXPECT_EQ(0, cg_remove(deep));
		*slash = '\0';
	}
}

/* container.md L4: NS_FDS names a container by id or by name, not both */
TEST_F(container, ns_fds_rejects_id_and_name)
{
	struct ctnr_ioc_ns_fds a;

	ctnr_ns_fds_init(&a, self->id, self->name, CLONE_NEWUTS);
	ASSERT_EQ(-EINVAL, ctnr_ioc_ns_fds(self->dev, &a));
}

/* ---- ctnrctl container ------------------------------------------- */

/* container add, list, show (-j), del through the CLI */
TEST_F_TIMEOUT(container, cli_add_list_show_del, 90)
{
	char out[16384], err[4096], name[64], pid[16];
	struct ctnr_ctr c;
	int r;

	snprintf(name, sizeof(name), "%s-cli", self->prefix);
	snprintf(pid, sizeof(pid), "%d", self->init.pid);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "add", name, "pid", pid, NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_EQ(0, ctnr_get_name(&self->nl, name, &c));
	ASSERT_EQ((uint32_t)self->init.pid, c.pid);
	ASSERT_EQ(0U, c.flags);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "list", NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_NE(NULL, strstr(out, name));
	ASSERT_NE(NULL, strstr(out, self->name));

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "-j",
		    "container", "list", NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_TRUE(json_valid(out)) {
		TH_LOG("not JSON: %s", out);
	}
	ASSERT_NE(NULL, strstr(out, name));

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "-j",
		    "container", "show", name, NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_TRUE(json_valid(out)) {
		TH_LOG("not JSON: %s", out);
	}
	ASSERT_EQ('[', *json__ws(out));	/* show NAME: an array of one */
	ASSERT_NE(NULL, strstr(out, name));

	/* identify PID: both containers of the init's cgroup */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "identify", pid, NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_NE(NULL, strstr(out, name)) {
		TH_LOG("identify %s: %s", pid, out);
	}
	ASSERT_NE(NULL, strstr(out, self->name));

	/* del is never abbreviated: "d" deletes nothing */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "d", name, NULL);
	ASSERT_EQ(2, r);
	ASSERT_EQ(0, ctnr_get_name(&self->nl, name, NULL));

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "del", name, NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_EQ(-ENOENT, ctnr_get_name(&self->nl, name, NULL));

	/* a failed operation: exit 1 and a message */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "show", name, NULL);
	ASSERT_EQ(1, r) {
		TH_LOG("show of a deleted container: exit %d", r);
	}
	ASSERT_NE(0, err[0]);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "add", name, "pid", pid, "autoremove", NULL);
	ASSERT_CLI_OK(r, err);
	ASSERT_EQ(0, ctnr_get_name(&self->nl, name, &c));
	ASSERT_EQ(CTNR_F_AUTOREMOVE, c.flags);
	ASSERT_EQ(0, ctnr_del_id(&self->nl, c.id));
}

/* A fixture defined last, so that its test runs after the others. */
FIXTURE(zz_after_all) {
	int unused;
};

FIXTURE_SETUP(zz_after_all)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(zz_after_all)
{
}

/*
 * Other processes of this program, but for the harness (our parent): the
 * pids, in @buf, and their number.
 */
static int stray_procs(char *buf, size_t len)
{
	char me[PATH_MAX], exe[PATH_MAX], p[64];
	struct dirent *de;
	size_t off = 0;
	ssize_t n;
	DIR *d;
	int nr = 0;

	buf[0] = '\0';
	n = readlink("/proc/self/exe", me, sizeof(me) - 1);
	d = opendir("/proc");
	if (n <= 0 || !d) {
		if (d)
			closedir(d);
		return -1;
	}
	me[n] = '\0';
	while ((de = readdir(d))) {
		pid_t pid = atoi(de->d_name);

		if (pid <= 0 || pid == getpid() || pid == getppid())
			continue;
		snprintf(p, sizeof(p), "/proc/%d/exe", pid);
		n = readlink(p, exe, sizeof(exe) - 1);
		if (n <= 0)
			continue;
		exe[n] = '\0';
		if (strcmp(exe, me))
			continue;
		nr++;
		if (off < len)
			off += snprintf(buf + off, len - off, " %d", pid);
	}
	closedir(d);
	return nr;
}

/*
 * After all of the above, no process of theirs is left: one that is holds
 * what it inherited (/dev/ctnr: the module stays in use) and its cgroup.
 * A tenant's child paused for ever, when the tenant was killed before the
 * child set its parent-death signal.
 */
TEST_F_TIMEOUT(zz_after_all, no_stray_process, 30)
{
	int64_t end = now_ms() + 10000;
	char pids[256];
	int nr;

	while ((nr = stray_procs(pids, sizeof(pids))) > 0 && now_ms() < end)
		sleep_ms(50);
	EXPECT_EQ(0, nr) {
		TH_LOG("processes of this suite still alive:%s", pids);
	}
}

TEST_HARNESS_MAIN
