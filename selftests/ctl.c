// SPDX-License-Identifier: GPL-2.0
/*
 * ctl: what ctnrctl shows and touches when the container is hostile
 * (issue 10, review userspace.md F10).
 *
 * The "ctl" fixture registers an init whose cgroup name is made to attack
 * a terminal:
 *
 *   /ctnrtest-ctl-<pid>-ESC[2J ESC]0;owned BEL C1-CSI 0xff
 *
 * Text output must show those bytes escaped, never raw; JSON must stay
 * valid and escape them too.  The same goes for a loop device's backing
 * path and for the task name in a dev-denied event.
 */
#define _GNU_SOURCE
#include "ctnr_test.h"

#define NS_FLAGS	(CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWPID | \
			 CLONE_NEWIPC | CLONE_NEWNET)
#define CMD_TIMEOUT	30000
#define EVIL		"\x1b[2J\x1b]0;owned\x07\xc2\x9b\xff"
#define EVIL_TEXT	"\\x1b[2J\\x1b]0;owned\\x07\\xc2\\x9b\\xff"
#define EVIL_JSON	"\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u00ff"
#define EVIL_COMM	"\x1b[31mx\x07"		/* fits in TASK_COMM_LEN */
#define EVIL_COMM_TEXT	"\\x1b[31mx\\x07"
#define EVIL_COMM_JSON	"\\u001b[31mx\\u0007"

/*
 * Raw bytes a terminal acts on, other than the newline: C0 controls, DEL,
 * the C1 CSI as UTF-8 and bytes that are not UTF-8 at all (0xff).
 */
static const char *raw_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f || *p == 0xff ||
		    (p[0] == 0xc2 && p[1] == 0x9b))
			return (const char *)p;
	}
	return NULL;
}

#define ASSERT_NO_RAW(out) do {						\
	const char *__p = raw_control(out);				\
	ASSERT_EQ(NULL, __p) {						\
		TH_LOG("raw byte %#x at offset %td of the output",	\
		       (unsigned char)*__p, __p - (out));		\
	}								\
} while (0)

/* Every line of @out is valid JSON. */
static bool json_lines(char *out)
{
	char *line, *save = NULL;
	bool any = false;

	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!json_valid(line))
			return false;
		any = true;
	}
	return any;
}

/* ------------------------------------------------------------------ */
/* escaping                                                           */

FIXTURE(ctl) {
	struct ctnr_nl nl;
	struct test_init init;
	char prefix[32];
	char name[64];
	char cg[PATH_MAX];
	char dir[64];			/* a tmpfs for backing files */
	uint64_t features;
	uint32_t id;
};

FIXTURE_SETUP(ctl)
{
	struct ctnr_info info;
	struct ctnr_ctr c;
	char rel[128];
	int r;

	self->init.pid = -1;
	self->init.ctl = -EBADF;
	snprintf(self->prefix, sizeof(self->prefix), "cl%d", getpid());
	snprintf(self->name, sizeof(self->name), "%s-esc", self->prefix);
	snprintf(rel, sizeof(rel), "ctnrtest-ctl-%d-" EVIL, getpid());
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not found (set CTNRCTL)");
	}
	ASSERT_EQ(0, ctnr_nl_open(&self->nl));
	ASSERT_EQ(0, ctnr_info(&self->nl, &info));
	self->features = info.features;
	r = cg_create(rel, self->cg, sizeof(self->cg));
	ASSERT_EQ(0, r) {
		TH_LOG("create cgroup: %s", strerror(-r));
	}
	r = test_init_start(&self->init, NS_FLAGS, false, "hctl", self->cg);
	if (r)
		cg_remove(self->cg);
	ASSERT_EQ(0, r) {
		TH_LOG("init: %s", strerror(-r));
	}
	r = ctnr_new(&self->nl, self->name, self->init.pid, 0, &c);
	if (r) {
		test_init_stop(&self->init);
		cg_remove(self->cg);
	}
	ASSERT_EQ(0, r) {
		TH_LOG("CONTAINER_NEW: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	self->id = c.id;
}

FIXTURE_TEARDOWN(ctl)
{
	test_init_stop(&self->init);
	if (self->nl.sk)
		ctnr_del_prefix(&self->nl, self->prefix);
	ctnr_nl_close(&self->nl);
	if (self->dir[0]) {
		umount2(self->dir, MNT_DETACH);
		rmdir(self->dir);
	}
	if (self->cg[0] && cg_remove(self->cg))
		TH_LOG("%m - rmdir the cgroup");
}

/* container show: the cgroup path escaped in text, valid JSON with -j */
TEST_F_TIMEOUT(ctl, show_escapes_cgroup, 60)
{
	char out[16384], err[4096];
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "show", self->name, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	ASSERT_NO_RAW(out);
	ASSERT_NE(NULL, strstr(out, EVIL_TEXT)) {
		TH_LOG("%s", out);
	}

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "-j",
		    "container", "show", self->name, NULL);
	ASSERT_EQ(0, r);
	ASSERT_NO_RAW(out);
	ASSERT_NE(NULL, strstr(out, EVIL_JSON)) {
		TH_LOG("%s", out);
	}
	ASSERT_TRUE(json_valid(out)) {
		TH_LOG("not JSON: %s", out);
	}
}

/* loop list: the backing file's path escaped in text and JSON */
TEST_F_TIMEOUT(ctl, loop_list_escapes_backing_path, 60)
{
	char out[16384], err[4096], path[PATH_MAX], dev[64];
	unsigned int index;
	int fd, r;

	if (!(self->features & CTNR_FEAT_LOOP))
		SKIP(return, "the module has no ctnrloop devices here");
	snprintf(self->dir, sizeof(self->dir), "/tmp/ctnrctl.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount("tmpfs", self->dir, "tmpfs", 0, "size=8m")) {
		TH_LOG("%m - mount tmpfs");
	}
	snprintf(path, sizeof(path), "%s/b-" EVIL ".img", self->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));
	close(fd);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "loop",
		    "attach", self->name, path, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("attach: exit %d: %s", r, err);
	}
	ASSERT_EQ(1, sscanf(out, "/dev/ctnrloop%u", &index));
	snprintf(dev, sizeof(dev), "%u", index);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "loop",
		    "list", self->name, NULL);
	EXPECT_EQ(0, r);
	EXPECT_EQ(NULL, raw_control(out)) {
		TH_LOG("raw bytes in: %s", out);
	}
	EXPECT_NE(NULL, strstr(out, EVIL_TEXT)) {
		TH_LOG("%s", out);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "-j",
		    "loop", "list", self->name, NULL);
	EXPECT_EQ(0, r);
	EXPECT_EQ(NULL, raw_control(out));
	EXPECT_NE(NULL, strstr(out, EVIL_JSON));
	EXPECT_TRUE(json_valid(out)) {
		TH_LOG("not JSON: %s", out);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "loop",
		    "detach", self->name, dev, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("detach: exit %d: %s", r, err);
	}
}

/* Open a denied device now and then, with a task name made to attack. */
static void __attribute__((noreturn)) toucher(const char *cg)
{
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (cg_enter(cg, getpid()))
		_exit(1);
	prctl(PR_SET_NAME, EVIL_COMM, 0, 0, 0);
	for (;;) {
		fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		sleep_ms(100);
	}
}

/* monitor: the task name of a dev-denied event escaped, JSON valid */
TEST_F_TIMEOUT(ctl, monitor_escapes_task_comm, 90)
{
	char out[65536], err[4096];
	pid_t pid;
	int r;

	if (!(self->features & CTNR_FEAT_DEVACCESS))
		SKIP(return, "the module cannot enforce device rules here");
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "dev",
		    "default", self->name, "deny", NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("dev default deny: exit %d: %s", r, err);
	}
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		toucher(self->cg);

	/*
	 * monitor runs until killed: take what it printed in 8 s.  Reports
	 * are limited to 10 per container in 5 s, and the toucher may have
	 * used them up before monitor subscribed: a new interval starts
	 * while it listens.
	 */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 8000, "monitor", NULL);
	EXPECT_EQ(-ETIMEDOUT, r) {
		TH_LOG("monitor: exit %d: %s", r, err);
	}
	EXPECT_NE(NULL, strstr(out, "dev-denied")) {
		TH_LOG("no dev-denied event: %s", out);
	}
	EXPECT_EQ(NULL, raw_control(out)) {
		TH_LOG("raw bytes in the events");
	}
	EXPECT_NE(NULL, strstr(out, EVIL_COMM_TEXT)) {
		TH_LOG("%s", out);
	}

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 8000, "-j", "monitor",
		    NULL);
	kill_reap(&pid);
	EXPECT_EQ(NULL, raw_control(out));
	EXPECT_NE(NULL, strstr(out, EVIL_COMM_JSON)) {
		TH_LOG("%s", out);
	}
	EXPECT_TRUE(json_lines(out)) {
		TH_LOG("not one JSON object per line");
	}
}

/* error messages are escaped as the output is */
TEST_F_TIMEOUT(ctl, error_message_escaped, 60)
{
	char out[4096], err[4096];
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "exec",
		    self->name, "--", "/nonexistent-" EVIL, NULL);
	EXPECT_EQ(127, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	EXPECT_EQ(NULL, raw_control(err)) {
		TH_LOG("raw bytes in the message");
	}
	EXPECT_NE(NULL, strstr(err, "/nonexistent-" EVIL_TEXT)) {
		TH_LOG("%s", err);
	}
}

TEST_HARNESS_MAIN
