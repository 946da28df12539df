// SPDX-License-Identifier: GPL-2.0
/*
 * ctl: what ctnrctl shows and touches when the container is hostile
 * (issue 10, review userspace.md F8 and F10).
 *
 * The "ctl" fixture registers an init whose cgroup name is made to attack
 * a terminal:
 *
 *   /ctnrtest-ctl-<pid>-ESC[2J ESC]0;owned BEL C1-CSI 0xff
 *
 * Text output must show those bytes escaped, never raw; JSON must stay
 * valid and escape them too.  The same goes for a loop device's backing
 * path and for the task name in a dev-denied event.
 *
 * The "names" fixture makes a container owned by a user namespace of uid
 * 1000 ("unshare -Ur"): host root has none of that name, and ctnrctl must
 * not act on the tenant's when given the name; @ID addresses it.
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
	ASSERT_EQ('[', *json__ws(out));	/* show NAME: an array of one */
}

/* loop list: the backing file's path escaped in text and JSON */
TEST_F_TIMEOUT(ctl, loop_list_escapes_backing_path, 60)
{
	char out[16384], err[4096], path[PATH_MAX], dev[64];
	unsigned int index;
	int fd, r;

	/* every build of the module has ctnrloop: never a skip */
	ASSERT_TRUE(self->features & CTNR_FEAT_LOOP);
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
		SKIP_OR_FAIL_NO_DEVACCESS();
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
	 * monitor runs until killed: take what it printed in 20 s (starting
	 * it took longer than 8 s on the debug kernel at load 12).  Reports
	 * are limited to 10 per container in 5 s, and the toucher may have
	 * used them up before monitor subscribed: a new interval starts
	 * while it listens.
	 */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 20000, "monitor",
		    NULL);
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

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 20000, "-j", "monitor",
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

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
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

/* ------------------------------------------------------------------ */
/* names: never another owner's container                             */

FIXTURE(names) {
	struct ctnr_nl nl;
	char prefix[32];
	char name[64];			/* the tenant's; root has none */
	char cg[PATH_MAX];		/* delegated to uid 1000 */
	uint32_t id;
};

struct tenant_arg {
	const char *name;
	int ready;			/* we write: in a userns, waiting */
	int go;				/* parent writes: moved to the cgroup */
	int idfd;			/* we write the id */
};

/* uid 1000, unshare -Ur, then register itself as @name. */
static void __attribute__((noreturn)) tenant(struct tenant_arg *a)
{
	struct ctnr_ctr c;
	struct ctnr_nl nl;
	uint32_t id = 0;
	char ch = 0;
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	r = become_user(1000, 1000);
	if (!r)
		r = enter_userns_as_root(0);
	if (write(a->ready, &r, sizeof(r)) != sizeof(r) || r)
		_exit(1);
	if (read(a->go, &ch, 1) != 1)
		_exit(1);
	r = ctnr_nl_open(&nl);
	if (!r)
		r = ctnr_new(&nl, a->name, getpid(), 0, &c);
	if (!r)
		id = c.id;
	if (write(a->idfd, &id, sizeof(id)) != sizeof(id))
		_exit(1);
	_exit(r ? 1 : 0);
}

/* Delegate @cg to uid 1000, as systemd delegates a user's slice. */
static int delegate(const char *cg)
{
	static const char *const files[] = {
		"", "/cgroup.procs", "/cgroup.threads", "/cgroup.subtree_control",
	};
	char path[PATH_MAX + 32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s%s", cg, files[i]);
		if (chown(path, 1000, 1000))
			return -errno;
	}
	return 0;
}

FIXTURE_SETUP(names)
{
	int ready[2], go[2], idp[2], r = 0, st;
	struct tenant_arg a;
	char rel[64];
	pid_t pid;

	snprintf(self->prefix, sizeof(self->prefix), "cn%d", getpid());
	snprintf(self->name, sizeof(self->name), "%s-web", self->prefix);
	snprintf(rel, sizeof(rel), "ctnrtest-names-%d", getpid());
	ASSERT_NE(NULL, ctnrctl_path());
	ASSERT_EQ(0, ctnr_nl_open(&self->nl));
	ASSERT_EQ(0, cg_create(rel, self->cg, sizeof(self->cg)));
	ASSERT_EQ(0, delegate(self->cg));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(idp, O_CLOEXEC));
	a = (struct tenant_arg){ .name = self->name, .ready = ready[1],
				 .go = go[0], .idfd = idp[1] };
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		tenant(&a);
	if (read(ready[0], &r, sizeof(r)) != sizeof(r))
		r = -EIO;
	if (!r)
		r = cg_enter(self->cg, pid);
	if (!r && write(go[1], "g", 1) != 1)
		r = -EIO;
	if (!r && read(idp[0], &self->id, sizeof(self->id)) !=
		  sizeof(self->id))
		r = -EIO;
	waitpid(pid, &st, 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	close(idp[0]);
	close(idp[1]);
	ASSERT_EQ(0, r) {
		TH_LOG("tenant: %s", strerror(-r));
	}
	ASSERT_NE(0U, self->id) {
		TH_LOG("the tenant could not register %s", self->name);
	}
}

FIXTURE_TEARDOWN(names)
{
	if (self->id)
		ctnr_del_id(&self->nl, self->id);
	ctnr_nl_close(&self->nl);
	if (self->cg[0])
		cg_remove(self->cg);
}

/*
 * Host root has no container of the tenant's name: ctnrctl does not fall
 * back to the tenant's (delete, loosen, enter), it says what there is.
 */
TEST_F_TIMEOUT(names, name_never_matches_another_owner, 60)
{
	char out[8192], err[4096], at[32];
	struct ctnr_ctr c;
	int r;

	ASSERT_EQ(-ENOENT, ctnr_get_name(&self->nl, self->name, NULL));
	snprintf(at, sizeof(at), "@%u", self->id);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "del", self->name, NULL);
	EXPECT_EQ(1, r) {
		TH_LOG("container del: exit %d: %s", r, err);
	}
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c)) {
		TH_LOG("root's \"container del %s\" deleted the tenant's",
		       self->name);
	}
	EXPECT_NE(NULL, strstr(err, at)) {
		TH_LOG("the message does not name %s: %s", at, err);
	}
	EXPECT_EQ(1, count_lines(err));

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "set", self->name, "autoremove", "on", NULL);
	EXPECT_EQ(1, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec", self->name, "--", "true", NULL);
	EXPECT_EQ(125, r);	/* ctnrctl's own failure, not the command's */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "show", self->name, NULL);
	EXPECT_EQ(1, r);
	ASSERT_EQ(0, ctnr_get_id(&self->nl, self->id, &c));
	EXPECT_EQ(0U, c.flags);

	/* by id it is found, and acted on */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "show", at, NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("container show %s: exit %d: %s", at, r, err);
	}
	EXPECT_NE(NULL, strstr(out, self->name));
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "show", "@x1", NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "del", at, NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("container del %s: exit %d: %s", at, r, err);
	}
	EXPECT_EQ(-ENOENT, ctnr_get_id(&self->nl, self->id, NULL));
	if (!r)
		self->id = 0;
}

/* a device default is never set on another owner's container by name */
TEST_F_TIMEOUT(names, dev_rules_not_set_by_name, 60)
{
	char out[8192], err[4096];
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "dev",
		    "default", self->name, "allow", NULL);
	EXPECT_EQ(1, r) {
		TH_LOG("dev default: exit %d: %s", r, err);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "log",
		    "clear", self->name, NULL);
	EXPECT_EQ(1, r);
}

TEST_HARNESS_MAIN
