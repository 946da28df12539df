// SPDX-License-Identifier: GPL-2.0
/*
 * module_reload: load and unload the module 20 times (issue 2).
 *
 * Runs with the module NOT loaded (it removes a loaded one first) and
 * leaves it unloaded.  CTNR_KO names the .ko; without it the test skips.
 *
 * Every round:  finit_module -> /dev/ctnr and the counters appear -> a
 * short-lived container is registered, entered and deleted -> all counters
 * read 0 -> (every other round a container stays registered, its init
 * dying before or after the unload) -> delete_module(O_NONBLOCK) -> the
 * module, its device and its genl family are gone.
 */
#define _GNU_SOURCE
#include "ctnr_test.h"

#define ROUNDS		20
#define MODNAME		"ctnr"

FIXTURE(reload) {
	const char *ko;
	pid_t init;
	int ctl;		/* write end: closing it ends the init */
	int dev;
	struct ctnr_nl nl, ev;
};

static int sys_finit_module(int fd)
{
	return (int)syscall(SYS_finit_module, fd, "", 0);
}

static int sys_delete_module(const char *name)
{
	return (int)syscall(SYS_delete_module, name, O_NONBLOCK);
}

static bool module_present(void)
{
	return access("/sys/module/" MODNAME, F_OK) == 0;
}

/* Unload, retrying while something transient still holds a reference. */
static int unload(void)
{
	int64_t end = now_ms() + 5000;

	for (;;) {
		if (!sys_delete_module(MODNAME))
			return 0;
		if ((errno != EAGAIN && errno != EBUSY) || now_ms() > end)
			return -errno;
		sleep_ms(50);
	}
}

static bool wait_path(const char *path, bool present, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	for (;;) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		if (now_ms() > end)
			return false;
		sleep_ms(20);
	}
}

/* A task in fresh uts and net namespaces that lives until ctl closes. */
static pid_t spawn_init(int *ctl)
{
	int ready[2], c[2];
	pid_t pid;
	char b;

	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	if (pipe2(c, O_CLOEXEC)) {
		close(ready[0]);
		close(ready[1]);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(c[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (unshare(CLONE_NEWUTS | CLONE_NEWNET) ||
		    sethostname("ctnr-reload", 11))
			_exit(1);
		if (write(ready[1], "1", 1) != 1)
			_exit(1);
		while (read(c[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(c[0]);
	if (pid < 0 || read(ready[0], &b, 1) != 1) {
		close(ready[0]);
		close(c[1]);
		if (pid > 0)
			kill_reap(&pid);
		return -ECHILD;
	}
	close(ready[0]);
	*ctl = c[1];
	return pid;
}

FIXTURE_SETUP(reload)
{
	self->init = -1;
	self->ctl = -EBADF;
	self->dev = -EBADF;
	self->nl.sk = NULL;
	self->ev.sk = NULL;
	self->ko = getenv("CTNR_KO");
}

FIXTURE_TEARDOWN(reload)
{
	close_fd(&self->dev);
	ctnr_nl_close(&self->nl);
	ctnr_nl_close(&self->ev);
	close_fd(&self->ctl);
	kill_reap(&self->init);
	if (module_present() && unload())
		TH_LOG("%m - could not leave the module unloaded");
}

/* 20 load/use/unload rounds leave no counters behind and unload cleanly */
TEST_F_TIMEOUT(reload, load_unload_20_times, 280)
{
	int64_t t0 = now_ms();
	int round, fd, r;

	if (!self->ko || access(self->ko, R_OK))
		SKIP(return, "CTNR_KO not set or not readable (%s)",
		     self->ko ? self->ko : "unset");
	if (module_present()) {
		r = unload();
		ASSERT_EQ(0, r) {
			TH_LOG("module already loaded and cannot be removed: %s",
			       strerror(-r));
		}
		ASSERT_TRUE(wait_path("/sys/module/" MODNAME, false, 5000));
	}

	for (round = 0; round < ROUNDS; round++) {
		struct ctnr_ioc_ns_fds nsf;
		struct ctnr_ctr c, keep;
		char name[64], bad[1024];
		bool keep_one = round % 2 == 1;
		bool kill_before = round % 4 == 1;

		fd = open(self->ko, O_RDONLY | O_CLOEXEC);
		ASSERT_GE(fd, 0) {
			TH_LOG("%m - open %s", self->ko);
		}
		r = sys_finit_module(fd);
		close(fd);
		ASSERT_EQ(0, r) {
			TH_LOG("%m - finit_module, round %d", round);
		}
		ASSERT_TRUE(wait_path(CTNR_DEV_PATH, true, 5000)) {
			TH_LOG("%s did not appear, round %d", CTNR_DEV_PATH,
			       round);
		}
		ASSERT_TRUE(wait_path(CTNR_COUNTERS_PATH, true, 5000)) {
			TH_LOG("%s did not appear", CTNR_COUNTERS_PATH);
		}
		r = ctnr_counters_wait_zero(0, bad, sizeof(bad));
		ASSERT_EQ(0, r) {
			TH_LOG("fresh module, round %d: %s%s", round, bad,
			       r < 0 ? strerror(-r) : "");
		}

		r = ctnr_nl_open(&self->nl);
		ASSERT_EQ(0, r) {
			TH_LOG("genl family after load, round %d: %s", round,
			       strerror(-r));
		}
		r = ctnr_events_open(&self->ev);
		ASSERT_EQ(0, r) {
			TH_LOG("events group, round %d: %s", round,
			       strerror(-r));
		}
		/* a short-lived container: registered, entered, deleted */
		self->init = spawn_init(&self->ctl);
		ASSERT_GT(self->init, 0);
		/* opened after the fork: an init holding it would pin the module */
		self->dev = ctnr_dev_open();
		ASSERT_GE(self->dev, 0) {
			TH_LOG("%m - open %s, round %d", CTNR_DEV_PATH, round);
		}
		snprintf(name, sizeof(name), "reload-%d-%d", getpid(), round);
		r = ctnr_new(&self->nl, name, self->init, 0, &c);
		ASSERT_EQ(0, r) {
			TH_LOG("CONTAINER_NEW, round %d: %s: %s", round,
			       strerror(-r), self->nl.ext_msg);
		}
		ASSERT_NE(0U, c.id);
		ASSERT_EQ(0, ctnr_event_wait(&self->ev,
					     CTNR_EVENT_CONTAINER_NEW, c.id,
					     5000, NULL));
		r = ctnr_ns_fds(self->dev, c.id, NULL,
				CLONE_NEWUTS | CLONE_NEWNET, &nsf);
		ASSERT_EQ(0, r) {
			TH_LOG("NS_FDS, round %d: %s", round, strerror(-r));
		}
		ASSERT_EQ(ns_ino(self->init, "uts"),
			  fd_ino(nsf.fds[CTNR_NS_UTS]));
		ctnr_ns_fds_close(&nsf);
		r = ctnr_del_id(&self->nl, c.id);
		ASSERT_EQ(0, r) {
			TH_LOG("CONTAINER_DEL, round %d: %s: %s", round,
			       strerror(-r), self->nl.ext_msg);
		}
		r = ctnr_counters_wait_zero(5000, bad, sizeof(bad));
		ASSERT_EQ(0, r) {
			TH_LOG("after delete, round %d: %s", round, bad);
		}

		/* odd rounds: unload with a container still registered */
		if (keep_one) {
			snprintf(name, sizeof(name), "reload-keep-%d-%d",
				 getpid(), round);
			r = ctnr_new(&self->nl, name, self->init, 0, &keep);
			ASSERT_EQ(0, r) {
				TH_LOG("CONTAINER_NEW (kept), round %d: %s",
				       round, strerror(-r));
			}
			ASSERT_GT(ctnr_counter("containers"), 0);
		}
		if (kill_before) {
			close_fd(&self->ctl);
			kill_reap(&self->init);
		}

		close_fd(&self->dev);
		ctnr_nl_close(&self->nl);
		/* the events socket stays open across the unload */
		r = unload();
		ASSERT_EQ(0, r) {
			TH_LOG("delete_module, round %d: %s", round,
			       strerror(-r));
		}
		ctnr_nl_close(&self->ev);
		ASSERT_TRUE(wait_path("/sys/module/" MODNAME, false, 5000)) {
			TH_LOG("/sys/module/%s still there, round %d",
			       MODNAME, round);
		}
		ASSERT_TRUE(wait_path(CTNR_DEV_PATH, false, 5000)) {
			TH_LOG("%s still there after unload", CTNR_DEV_PATH);
		}
		ASSERT_NE(0, access(CTNR_COUNTERS_PATH, F_OK));
		/* the family is gone too */
		r = ctnr_nl_open(&self->nl);
		ASSERT_EQ(-ENOENT, r);

		/* the init dies with the module gone (exit tracepoint off) */
		close_fd(&self->ctl);
		kill_reap(&self->init);
	}
	TH_LOG("%d rounds in %lld ms", ROUNDS, (long long)(now_ms() - t0));
	ASSERT_FALSE(module_present());
}

#define TRACEFS		"/sys/kernel/tracing"
#define PRE_PROBE	"ctnrtest_pre"

static int set_dev_default(struct ctnr_nl *nl, uint32_t id, uint32_t deflt)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) < 0 ||
	    nla_put_u32(msg, CTNR_A_DEV_DEFAULT, deflt) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

static void pre_probe_remove(void)
{
	write_str(TRACEFS "/events/kprobes/" PRE_PROBE "/enable", "0");
	write_str(TRACEFS "/kprobe_events", "-:" PRE_PROBE "\n");
}

/*
 * devaccess.md F2, audit-11 G3: a kprobe that already sits, armed, on
 * devcgroup_check_permission() when ctnr registers its own holds the
 * function through ftrace ops without IPMODIFY, and ctnr's probe only
 * joins it: a livepatch or BPF trampoline could then undo denials.  The
 * module must notice and refuse to enforce (EOPNOTSUPP, with a message),
 * not arm silently without IPMODIFY; once the other probe is gone, the
 * next policy arms it, with IPMODIFY.
 */
TEST_F_TIMEOUT(reload, hook_refuses_preexisting_probe, 120)
{
	char rel[64], cg[PATH_MAX], name[CTNR_NAME_MAX];
	struct ctnr_ctr out;
	bool ftrace;
	int fd, r;

	if (!self->ko || access(self->ko, R_OK))
		SKIP(return, "CTNR_KO not set or not readable");
	if (access(TRACEFS "/kprobe_events", W_OK))
		SKIP(return, "no tracefs kprobe_events");
	if (module_present())
		ASSERT_EQ(0, unload());
	ASSERT_EQ(0, write_str(TRACEFS "/kprobe_events",
			       "p:" PRE_PROBE " devcgroup_check_permission\n"));
	r = write_str(TRACEFS "/events/kprobes/" PRE_PROBE "/enable", "1");
	if (r)
		pre_probe_remove();
	ASSERT_EQ(0, r);
	ftrace = file_has_line("/sys/kernel/debug/kprobes/list",
			       "devcgroup_check_permission", "FTRACE");

	fd = open(self->ko, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	r = sys_finit_module(fd);
	close(fd);
	if (r)
		pre_probe_remove();
	ASSERT_EQ(0, r) TH_LOG("%m - finit_module");
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r);

	snprintf(rel, sizeof(rel), "ctnrtest-reload-%d", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	self->init = spawn_init(&self->ctl);
	ASSERT_GT(self->init, 0);
	ASSERT_EQ(0, cg_enter(cg, self->init));
	snprintf(name, sizeof(name), "reload-pre-%d", getpid());
	ASSERT_EQ(0, ctnr_new(&self->nl, name, self->init, 0, &out));

	r = set_dev_default(&self->nl, out.id, CTNR_DEV_DENY);
	if (ftrace) {
		EXPECT_EQ(-EOPNOTSUPP, r) {
			TH_LOG("a deny policy was accepted with the hook sharing an ftrace probe that has no IPMODIFY%s",
			       file_has_line(TRACEFS "/enabled_functions",
					     "devcgroup_check_permission",
					     " I") ? "" : " (no I in enabled_functions)");
		}
		EXPECT_NE(NULL, strstr(self->nl.ext_msg, "another kprobe")) {
			TH_LOG("extack \"%s\"", self->nl.ext_msg);
		}
	}
	if (!r)
		set_dev_default(&self->nl, out.id, CTNR_DEV_ALLOW);

	/* the other probe goes: the next policy arms ours, IPMODIFY */
	pre_probe_remove();
	r = set_dev_default(&self->nl, out.id, CTNR_DEV_DENY);
	EXPECT_EQ(0, r) TH_LOG("%s", self->nl.ext_msg);
	if (ftrace) {
		EXPECT_TRUE(file_has_line(TRACEFS "/enabled_functions",
					  "devcgroup_check_permission", " I"));
	}
	EXPECT_EQ(0, set_dev_default(&self->nl, out.id, CTNR_DEV_ALLOW));
	EXPECT_EQ(0, ctnr_del_id(&self->nl, out.id));
	close_fd(&self->ctl);
	kill_reap(&self->init);
	cg_remove(cg);
	ctnr_nl_close(&self->nl);
	/* the policy's reference goes with it; teardown unloads */
}

TEST_HARNESS_MAIN
