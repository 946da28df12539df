// SPDX-License-Identifier: GPL-2.0
/*
 * exec: `ctnrctl exec` pointed at a container that may be hostile (issue
 * 10, review userspace.md F2).
 *
 * The command run in the container is mostly this very program, started
 * as "exec __ctnr_probe WHAT": a constructor runs the probe and exits
 * before the harness sees argv.  It reports what a process in the
 * container would see of its session, terminal, file descriptors and
 * environment.
 *
 * The exec_cg fixture gives its container a cgroup with a controller
 * enabled in cgroup.subtree_control and its init in init.scope below it,
 * as systemd arranges it.
 */
#define _GNU_SOURCE
#include <termios.h>
#include <sys/sysmacros.h>
#include "ctnr_test.h"

#define NS_FLAGS	(CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWPID | \
			 CLONE_NEWIPC | CLONE_NEWNET)
#define CMD_TIMEOUT	30000
#define PROBE		"__ctnr_probe"
#define LEAF		".ctnr-exec"
#define DEFAULT_PATH	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ------------------------------------------------------------------ */
/* the probe, run inside the container                                */

static void probe_dev(const char *what, int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		printf("%s=closed\n", what);
	else if (S_ISCHR(st.st_mode))
		printf("%s=%u:%u%s\n", what, major(st.st_rdev),
		       minor(st.st_rdev), isatty(fd) ? " tty" : "");
	else
		printf("%s=other\n", what);
}

/* Session, controlling terminal, stdio, open fds, window, environment. */
static int probe_info(void)
{
	char fds[512] = "", stat[1024], *p;
	struct winsize ws;
	unsigned int tty;
	char **e;
	int fd;

	printf("pid=%d sid=%d\n", getpid(), getsid(0));
	/* the controlling terminal: tty_nr, field 7 of /proc/self/stat */
	if (read_str("/proc/self/stat", stat, sizeof(stat)) <= 0 ||
	    !(p = strrchr(stat, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %u", &tty) != 1)
		printf("ctty=unknown\n");
	else if (!tty)
		printf("ctty=none\n");
	else
		printf("ctty=%u:%u tty\n", (tty >> 8) & 0xfff,
		       (tty & 0xff) | ((tty >> 12) & 0xfff00));
	probe_dev("fd0", 0);
	probe_dev("fd1", 1);
	probe_dev("fd2", 2);
	for (fd = 0; fd < 4096; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		snprintf(fds + strlen(fds), sizeof(fds) - strlen(fds), "%s%d",
			 fds[0] ? "," : "", fd);
	}
	printf("fds=%s\n", fds);
	if (!ioctl(0, TIOCGWINSZ, &ws))
		printf("winsize=%u %u\n", ws.ws_row, ws.ws_col);
	for (e = environ; *e; e++)
		printf("env=%s\n", *e);
	printf("end\n");
	return 0;
}

/* "ready", a line from stdin back as "got=", exit 42. */
static int probe_read(void)
{
	char line[256] = "";

	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	line[strcspn(line, "\r\n")] = '\0';
	printf("got=%s\n", line);
	return 42;
}

/* "ready", then the window size once a SIGWINCH came. */
static int probe_winch(void)
{
	struct timespec ts = { 20, 0 };
	struct winsize ws;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready\n");
	fflush(stdout);
	if (sigtimedwait(&set, NULL, &ts) != SIGWINCH)
		return 1;
	if (ioctl(0, TIOCGWINSZ, &ws))
		return 1;
	printf("winsize=%u %u\n", ws.ws_row, ws.ws_col);
	return 0;
}

/* open(@path): "open=0" or "open=ERRNO", and our cgroup. */
static int probe_open(const char *path)
{
	char cg[512] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	printf("open=%d\n", fd < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	if (read_str("/proc/self/cgroup", cg, sizeof(cg)) > 0)
		printf("cgroup=%s", cg);
	return 0;
}

/* glibc passes argc and argv to constructors of the executable. */
static void __attribute__((constructor)) probe(int argc, char **argv)
{
	int rc = 2;

	if (argc < 3 || strcmp(argv[1], PROBE))
		return;
	if (!strcmp(argv[2], "info"))
		rc = probe_info();
	else if (!strcmp(argv[2], "read"))
		rc = probe_read();
	else if (!strcmp(argv[2], "winch"))
		rc = probe_winch();
	else if (!strcmp(argv[2], "open") && argc > 3)
		rc = probe_open(argv[3]);
	fflush(stdout);
	_exit(rc);
}

/* ------------------------------------------------------------------ */
/* helpers                                                            */

static const char *self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n;

	if (!path[0]) {
		n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		if (n > 0)
			path[n] = '\0';
	}
	return path;
}

/* The value of the first "KEY=" line of @out, in @buf ("" if none). */
static const char *probe_get(const char *out, const char *key, char *buf,
			     size_t len)
{
	size_t klen = strlen(key);
	const char *p = out;

	buf[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, "\r\n");

			snprintf(buf, len, "%.*s", (int)n, p + klen + 1);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return buf;
}

/* ------------------------------------------------------------------ */
/* a cgroup with controllers, as systemd makes it                     */

FIXTURE(exec_cg) {
	struct ctnr_nl nl;
	struct test_init init;
	char prefix[32];
	char name[64];
	char rel[64];			/* /ctnrtest-execcg-<pid> */
	char cg[PATH_MAX];
	char scope[PATH_MAX + 16];	/* its init.scope */
	char root_ctl[PATH_MAX + 32];	/* root's cgroup.subtree_control */
	char controller[16];		/* the one enabled */
	bool root_enabled;		/* by us, at the root */
	bool devaccess;
	const char *skip;		/* why the tests cannot run */
	uint32_t id;
};

/* The first of pids, memory, cpu, io that the hierarchy has. */
static int pick_controller(char *buf, size_t len)
{
	static const char *const want[] = { "pids", "memory", "cpu", "io" };
	char path[PATH_MAX + 32], have[512], *tok, *save = NULL;
	unsigned int i;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", cg2_root());
	if (read_str(path, have, sizeof(have)) < 0)
		return -errno;
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		char copy[512];

		snprintf(copy, sizeof(copy), "%s", have);
		for (tok = strtok_r(copy, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (!strcmp(tok, want[i])) {
				snprintf(buf, len, "%s", want[i]);
				return 0;
			}
		}
	}
	return -ENOENT;
}

static bool word_in_file(const char *path, const char *word)
{
	char buf[512], *tok, *save = NULL;

	if (read_str(path, buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

FIXTURE_SETUP(exec_cg)
{
	char path[PATH_MAX + 32], ctl[32];
	struct ctnr_info info;
	struct ctnr_ctr c;
	int r;

	self->init.pid = -1;
	self->init.ctl = -EBADF;
	snprintf(self->prefix, sizeof(self->prefix), "exc%d", getpid());
	snprintf(self->name, sizeof(self->name), "%s-sd", self->prefix);
	snprintf(self->rel, sizeof(self->rel), "/ctnrtest-execcg-%d",
		 getpid());
	ASSERT_NE(NULL, ctnrctl_path());
	ASSERT_EQ(0, ctnr_nl_open(&self->nl));
	ASSERT_EQ(0, ctnr_info(&self->nl, &info));
	self->devaccess = !!(info.features & CTNR_FEAT_DEVACCESS);
	r = pick_controller(self->controller, sizeof(self->controller));
	if (r) {
		self->skip = "the cgroup2 hierarchy has no pids, memory, cpu or io controller";
		return;
	}

	snprintf(self->root_ctl, sizeof(self->root_ctl),
		 "%s/cgroup.subtree_control", cg2_root());
	if (!word_in_file(self->root_ctl, self->controller)) {
		snprintf(ctl, sizeof(ctl), "+%s", self->controller);
		r = write_str(self->root_ctl, ctl);
		ASSERT_EQ(0, r) {
			TH_LOG("enable %s at the root: %s", self->controller,
			       strerror(-r));
		}
		self->root_enabled = true;
	}
	ASSERT_EQ(0, cg_create(self->rel + 1, self->cg, sizeof(self->cg)));
	snprintf(self->scope, sizeof(self->scope), "%s/init.scope", self->cg);
	r = test_init_start(&self->init, NS_FLAGS, false, "hsd", self->cg);
	ASSERT_EQ(0, r) {
		TH_LOG("init: %s", strerror(-r));
	}
	/* registered at start, as a runtime's start hook does */
	r = ctnr_new(&self->nl, self->name, self->init.pid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("CONTAINER_NEW: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	self->id = c.id;
	/* then what systemd does: move to init.scope, enable controllers */
	ASSERT_EQ(0, mkdir(self->scope, 0755));
	ASSERT_EQ(0, cg_enter(self->scope, self->init.pid));
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", self->cg);
	snprintf(ctl, sizeof(ctl), "+%s", self->controller);
	r = write_str(path, ctl);
	ASSERT_EQ(0, r) {
		TH_LOG("enable %s in %s: %s", self->controller, self->cg,
		       strerror(-r));
	}
}

FIXTURE_TEARDOWN(exec_cg)
{
	char path[PATH_MAX + 32], ctl[32];

	test_init_stop(&self->init);
	if (self->nl.sk)
		ctnr_del_prefix(&self->nl, self->prefix);
	ctnr_nl_close(&self->nl);
	snprintf(path, sizeof(path), "%s/" LEAF, self->cg);
	cg_remove(path);
	if (self->scope[0])
		cg_remove(self->scope);
	if (self->cg[0])
		cg_remove(self->cg);
	if (self->root_enabled) {
		snprintf(ctl, sizeof(ctl), "-%s", self->controller);
		write_str(self->root_ctl, ctl);
	}
}

/*
 * The container's cgroup has a controller enabled, so cgroup v2 refuses
 * processes in it (EBUSY): exec joins the leaf .ctnr-exec below it, made
 * on demand, and can do so again.
 */
TEST_F_TIMEOUT(exec_cg, joins_leaf_of_busy_cgroup, 60)
{
	char out[4096], err[4096], want[128];
	int r, i;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	snprintf(want, sizeof(want), "0::%s/" LEAF "\n", self->rel);
	for (i = 0; i < 2; i++) {
		r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
			    "exec", self->name, "--", "cat", "/proc/self/cgroup",
			    NULL);
		ASSERT_EQ(0, r) {
			TH_LOG("exec %d: exit %d: %s", i, r, err);
		}
		ASSERT_STREQ(want, out);
	}
}

/*
 * The leaf is inside the container's cgroup: the container's device rules
 * bind the command there as anywhere in the container.
 */
TEST_F_TIMEOUT(exec_cg, leaf_obeys_device_rules, 60)
{
	char out[4096], err[4096], v[256], want[128];
	int r;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	if (!self->devaccess)
		SKIP(return, "the module cannot enforce device rules here");
	snprintf(want, sizeof(want), "0::%s/" LEAF, self->rel);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "exec",
		    self->name, "--", self_exe(), PROBE, "open", "/dev/null",
		    NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	ASSERT_STREQ("0", probe_get(out, "open", v, sizeof(v)));
	ASSERT_STREQ(want, probe_get(out, "cgroup", v, sizeof(v)));

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "dev",
		    "default", self->name, "deny", NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("dev default deny: exit %d: %s", r, err);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT, "exec",
		    self->name, "--", self_exe(), PROBE, "open", "/dev/null",
		    NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	ASSERT_STREQ(want, probe_get(out, "cgroup", v, sizeof(v)));
	snprintf(want, sizeof(want), "%d", EPERM);
	ASSERT_STREQ(want, probe_get(out, "open", v, sizeof(v))) {
		TH_LOG("a command in the leaf opened /dev/null under default deny");
	}
}

TEST_HARNESS_MAIN
