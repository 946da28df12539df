// SPDX-License-Identifier: GPL-2.0
/*
 * exec: `ctnrctl container exec` pointed at a container that may be hostile (issue
 * 10, review userspace.md F2 and F3).
 *
 *   test process (root, host namespaces)
 *     `- clone(NEWUTS|NEWNS|NEWPID|NEWIPC|NEWNET)  -> "ctnrinit", pid 1
 *          in cgroup /ctnrtest-exec-<pid>, registered as ex<pid>-main
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

/* Remove every '\r' (pty output has \r\n line ends). */
static void strip_cr(char *s)
{
	char *d = s;

	for (; *s; s++)
		if (*s != '\r')
			*d++ = *s;
	*d = '\0';
}

/* The "env=" lines of @out, as "A=1\nB=2\n", sorted by the probe's order. */
static void probe_env(const char *out, char *buf, size_t len)
{
	const char *p = out;

	buf[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, "env=", 4)) {
			size_t n = strcspn(p + 4, "\n");

			snprintf(buf + strlen(buf), len - strlen(buf), "%.*s\n",
				 (int)n, p + 4);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* A pty for the administrator's terminal, of @rows x @cols. */
static int admin_pty(int *master, int *slave, unsigned short rows,
		     unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	char *name;

	*slave = -1;
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || unlockpt(*master))
		return -errno;
	name = ptsname(*master);
	if (!name)
		return -errno;
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		return -errno;
	if (ioctl(*master, TIOCSWINSZ, &ws))
		return -errno;
	return 0;
}

/*
 * Run @argv the way an administrator's shell runs it: in a session whose
 * controlling terminal is @slave, which is also its stdin, stdout, stderr.
 */
static pid_t run_on_tty(int slave, char *const argv[])
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(126);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/*
 * Collect what @master shows until @want appears (0) or @pid exited
 * (1, status in *@status), -ETIMEDOUT after @timeout_ms.
 */
static int pty_collect(int master, char *buf, size_t len, size_t *off,
		       const char *want, pid_t pid, int *status,
		       int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	bool exited = false;

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, exited ? 0 : 50) > 0) {
			n = read(master, buf + *off, len - 1 - *off);
			if (n > 0) {
				*off += (size_t)n;
				buf[*off] = '\0';
				if (want && strstr(buf, want))
					return 0;
				if (*off < len - 1)
					continue;
			}
		}
		buf[*off] = '\0';
		if (exited)
			return 1;
		if (waitpid(pid, status, WNOHANG) == pid) {
			exited = true;	/* one more round for the rest */
			continue;
		}
		if (now_ms() > end)
			return -ETIMEDOUT;
	}
}

/* Start ctnrctl with stdin, stdout and stderr on /dev/null. */
static pid_t ctnrctl_bg(char *const argv[])
{
	pid_t pid;
	int null;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* A process of comm @comm in the cgroup directory @cg, or 0. */
static pid_t cg_find_comm(const char *cg, const char *comm)
{
	char path[PATH_MAX + 32], buf[4096], c[64], *line, *save = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (read_str(path, buf, sizeof(buf)) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/comm", line);
		if (read_str(path, c, sizeof(c)) > 0 &&
		    !strcmp(chomp(c), comm))
			return (pid_t)atoi(line);
	}
	return 0;
}

/* A child of @parent, or 0. */
static pid_t child_of(pid_t parent)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	pid_t found = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		int ppid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (read_str(path, buf, sizeof(buf)) <= 0)
			continue;
		p = strrchr(buf, ')');	/* comm may hold anything */
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == parent)
			found = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	return found;
}

/* ------------------------------------------------------------------ */
/* the exec fixture                                                   */

FIXTURE(exec) {
	struct ctnr_nl nl;
	struct test_init init;
	struct test_init uinit;		/* exec_helper_not_dumpable */
	char prefix[32];
	char name[64];
	char cg[PATH_MAX];
	char cg_sub[PATH_MAX + 8];
	uint32_t id;
};

FIXTURE_SETUP(exec)
{
	struct ctnr_ctr c;
	char rel[64], host[64];
	int r;

	self->init.pid = self->uinit.pid = -1;
	self->init.ctl = self->uinit.ctl = -EBADF;
	snprintf(self->prefix, sizeof(self->prefix), "ex%d", getpid());
	snprintf(self->name, sizeof(self->name), "%s-main", self->prefix);
	snprintf(rel, sizeof(rel), "ctnrtest-exec-%d", getpid());
	snprintf(host, sizeof(host), "hx-%d", getpid());
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not found (set CTNRCTL)");
	}
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("genl: %s (module loaded?)", strerror(-r));
	}
	r = cg_create(rel, self->cg, sizeof(self->cg));
	ASSERT_EQ(0, r) {
		TH_LOG("create cgroup %s: %s", rel, strerror(-r));
	}
	r = test_init_start(&self->init, NS_FLAGS, false, host, self->cg);
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
		TH_LOG("CONTAINER_NEW %s: %s: %s", self->name, strerror(-r),
		       self->nl.ext_msg);
	}
	self->id = c.id;
}

FIXTURE_TEARDOWN(exec)
{
	char leaf[PATH_MAX + 16];

	test_init_stop(&self->uinit);
	test_init_stop(&self->init);
	if (self->nl.sk)
		ctnr_del_prefix(&self->nl, self->prefix);
	ctnr_nl_close(&self->nl);
	snprintf(leaf, sizeof(leaf), "%s/" LEAF, self->cg);
	cg_remove(leaf);
	if (self->cg_sub[0])
		cg_remove(self->cg_sub);
	if (self->cg[0] && cg_remove(self->cg))
		TH_LOG("%m - rmdir %s", self->cg);
}

/* the command runs in a session of its own, without a terminal */
TEST_F_TIMEOUT(exec, new_session_without_tty, 60)
{
	char out[8192], err[4096], v[256];
	int r, pid = 0, sid = -1;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", self_exe(), PROBE, "info", NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	ASSERT_EQ(2, sscanf(probe_get(out, "pid", v, sizeof(v)), "%d sid=%d",
			    &pid, &sid)) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(pid, sid) {
		TH_LOG("the command is not a session leader: %s", out);
	}
	ASSERT_STREQ("none", probe_get(out, "ctty", v, sizeof(v)));
}

/* an fd ctnrctl inherited without O_CLOEXEC does not reach the command */
TEST_F_TIMEOUT(exec, inherited_fds_closed, 60)
{
	char out[8192], err[4096], v[256];
	int fd, r;

	fd = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC: leaked */
	ASSERT_GE(fd, 3);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", self_exe(), PROBE, "info", NULL);
	close(fd);
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	ASSERT_STREQ("0,1,2", probe_get(out, "fds", v, sizeof(v))) {
		TH_LOG("fd %d leaked into the container", fd);
	}
}

/* the default environment is PATH, HOME and TERM, not ours */
TEST_F_TIMEOUT(exec, default_environment, 60)
{
	char out[8192], err[4096], env[4096];
	int r;

	setenv("CTNR_TEST_SECRET", "host", 1);
	setenv("TERM", "ctnr-term", 1);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", self_exe(), PROBE, "info", NULL);
	unsetenv("CTNR_TEST_SECRET");
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	probe_env(out, env, sizeof(env));
	ASSERT_STREQ(DEFAULT_PATH "\nHOME=/root\nTERM=ctnr-term\n", env);
}

/* env VAR=VALUE sets, env VAR passes ours on, keepenv keeps everything */
TEST_F_TIMEOUT(exec, environment_keywords, 60)
{
	char out[8192], err[4096], env[4096];
	int r;

	setenv("CTNR_TEST_SECRET", "host", 1);
	setenv("CTNR_TEST_OTHER", "other", 1);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "env", "FOO=bar baz", "env", "CTNR_TEST_SECRET",
		    "env", "HOME=/home/x", "--", self_exe(), PROBE, "info",
		    NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	probe_env(out, env, sizeof(env));
	EXPECT_TRUE(has_line(env, "FOO=bar baz")) {
		TH_LOG("%s", env);
	}
	EXPECT_TRUE(has_line(env, "CTNR_TEST_SECRET=host"));
	EXPECT_TRUE(has_line(env, "HOME=/home/x"));
	EXPECT_FALSE(has_line(env, "HOME=/root"));
	EXPECT_TRUE(has_line(env, DEFAULT_PATH));
	EXPECT_EQ(NULL, strstr(env, "CTNR_TEST_OTHER"));

	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "keepenv", "env", "CTNR_TEST_SECRET=over",
		    "--", self_exe(), PROBE, "info", NULL);
	unsetenv("CTNR_TEST_SECRET");
	unsetenv("CTNR_TEST_OTHER");
	ASSERT_EQ(0, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	probe_env(out, env, sizeof(env));
	EXPECT_TRUE(has_line(env, "CTNR_TEST_OTHER=other")) {
		TH_LOG("%s", env);
	}
	EXPECT_TRUE(has_line(env, "CTNR_TEST_SECRET=over"));
	EXPECT_FALSE(has_line(env, "CTNR_TEST_SECRET=host"));

	/*
	 * A bad name is a usage error, which exec reports as its own
	 * failures, 125; a keyword alone is the command.
	 */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "env", "1X=y", "--", "true", NULL);
	EXPECT_EQ(125, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "keepenv", "keepenv", "--", "true", NULL);
	EXPECT_EQ(125, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec", self->name, "env", NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("container exec NAME env: exit %d: %s", r, err);
	}
	EXPECT_TRUE(has_line(out, DEFAULT_PATH)) {
		TH_LOG("%s", out);
	}
}

/*
 * On a terminal, the command gets a new pty: its controlling terminal and
 * stdio are that pty, never the administrator's terminal, which it could
 * otherwise push input into (TIOCSTI) or reopen as /dev/tty.  The pty has
 * the terminal's size.
 */
TEST_F_TIMEOUT(exec, pty_instead_of_admin_tty, 60)
{
	char out[16384], v[256], admin[64], ctty[256];
	char *argv[] = { (char *)ctnrctl_path(), "container", "exec", self->name, "--",
			 (char *)self_exe(), PROBE, "info", NULL };
	int m, s, status = 0, r, pid = 0, sid = -1;
	size_t off = 0;
	struct stat st;
	pid_t cli;

	ASSERT_EQ(0, admin_pty(&m, &s, 31, 97));
	ASSERT_EQ(0, fstat(s, &st));
	snprintf(admin, sizeof(admin), "%u:%u tty", major(st.st_rdev),
		 minor(st.st_rdev));
	cli = run_on_tty(s, argv);
	ASSERT_GT(cli, 0);
	r = pty_collect(m, out, sizeof(out), &off, NULL, cli, &status,
			CMD_TIMEOUT);
	if (r < 0)
		kill_reap(&cli);
	close(m);
	close(s);
	ASSERT_EQ(1, r) {
		TH_LOG("ctnrctl did not finish: %s", out);
	}
	strip_cr(out);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x: %s", status, out);
	}
	ASSERT_EQ(2, sscanf(probe_get(out, "pid", v, sizeof(v)), "%d sid=%d",
			    &pid, &sid));
	EXPECT_EQ(pid, sid);
	probe_get(out, "ctty", ctty, sizeof(ctty));
	EXPECT_STRNE(admin, ctty) {
		TH_LOG("the administrator's terminal is the command's controlling terminal");
	}
	EXPECT_STRNE("none", ctty) {
		TH_LOG("no controlling terminal: %s", out);
	}
	EXPECT_STREQ(ctty, probe_get(out, "fd0", v, sizeof(v)));
	EXPECT_STREQ(ctty, probe_get(out, "fd1", v, sizeof(v)));
	EXPECT_STREQ(ctty, probe_get(out, "fd2", v, sizeof(v)));
	EXPECT_STREQ("31 97", probe_get(out, "winsize", v, sizeof(v)));
	EXPECT_STREQ("0,1,2", probe_get(out, "fds", v, sizeof(v)));
}

/* input is relayed with our terminal in raw mode, restored after; the
 * command's exit status is ctnrctl's */
TEST_F_TIMEOUT(exec, pty_relays_input_raw_and_status, 60)
{
	char out[16384];
	char *argv[] = { (char *)ctnrctl_path(), "container", "exec", self->name, "--",
			 (char *)self_exe(), PROBE, "read", NULL };
	struct termios before, during, after;
	int m, s, status = 0, r;
	size_t off = 0;
	pid_t cli;

	ASSERT_EQ(0, admin_pty(&m, &s, 24, 80));
	ASSERT_EQ(0, tcgetattr(s, &before));
	ASSERT_TRUE(before.c_lflag & ICANON);
	cli = run_on_tty(s, argv);
	ASSERT_GT(cli, 0);
	r = pty_collect(m, out, sizeof(out), &off, "ready", cli, &status,
			CMD_TIMEOUT);
	if (r) {
		kill_reap(&cli);
		close(m);
		close(s);
	}
	ASSERT_EQ(0, r) {
		TH_LOG("no \"ready\" (%d): %s", r, out);
	}
	ASSERT_EQ(0, tcgetattr(s, &during));
	ASSERT_EQ(6, write(m, "hello\r", 6));	/* Enter sends \r */
	r = pty_collect(m, out, sizeof(out), &off, NULL, cli, &status,
			CMD_TIMEOUT);
	if (r < 0)
		kill_reap(&cli);
	ASSERT_EQ(0, tcgetattr(s, &after));
	close(m);
	close(s);
	ASSERT_EQ(1, r);
	EXPECT_FALSE(during.c_lflag & (ICANON | ECHO)) {
		TH_LOG("the terminal is not raw while the command runs");
	}
	EXPECT_EQ(before.c_lflag, after.c_lflag) {
		TH_LOG("the terminal was not restored");
	}
	EXPECT_EQ(before.c_iflag, after.c_iflag);
	EXPECT_EQ(before.c_oflag, after.c_oflag);
	strip_cr(out);
	EXPECT_NE(NULL, strstr(out, "got=hello\n")) {
		TH_LOG("%s", out);
	}
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("status %#x", status);
	}
	ASSERT_EQ(42, WEXITSTATUS(status));
}

/* a new size of our terminal reaches the command's pty (SIGWINCH) */
TEST_F_TIMEOUT(exec, pty_passes_window_size, 60)
{
	char out[16384], v[64];
	char *argv[] = { (char *)ctnrctl_path(), "container", "exec", self->name, "--",
			 (char *)self_exe(), PROBE, "winch", NULL };
	struct winsize ws = { .ws_row = 50, .ws_col = 132 };
	int m, s, status = 0, r;
	size_t off = 0;
	pid_t cli;

	ASSERT_EQ(0, admin_pty(&m, &s, 24, 80));
	cli = run_on_tty(s, argv);
	ASSERT_GT(cli, 0);
	r = pty_collect(m, out, sizeof(out), &off, "ready", cli, &status,
			CMD_TIMEOUT);
	if (!r)
		r = ioctl(m, TIOCSWINSZ, &ws);	/* SIGWINCH to ctnrctl */
	if (!r)
		r = pty_collect(m, out, sizeof(out), &off, NULL, cli, &status,
				CMD_TIMEOUT);
	if (r < 0)
		kill_reap(&cli);
	close(m);
	close(s);
	ASSERT_EQ(1, r) {
		TH_LOG("%s", out);
	}
	strip_cr(out);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x: %s", status, out);
	}
	ASSERT_STREQ("50 132", probe_get(out, "winsize", v, sizeof(v)));
}

/* SIGTERM to ctnrctl reaches the command; ctnrctl exits 128 + 15 */
TEST_F_TIMEOUT(exec, forwards_sigterm, 60)
{
	char *argv[] = { (char *)ctnrctl_path(), "container", "exec", self->name, "--",
			 "sleep", "60", NULL };
	int64_t end;
	pid_t cli;
	int st = 0;

	cli = ctnrctl_bg(argv);
	ASSERT_GT(cli, 0);
	for (end = now_ms() + 20000; now_ms() < end; sleep_ms(20))
		if (cg_find_comm(self->cg, "sleep"))
			break;
	if (!cg_find_comm(self->cg, "sleep"))
		kill_reap(&cli);
	ASSERT_NE(0, cg_find_comm(self->cg, "sleep")) {
		TH_LOG("the command did not start");
	}
	ASSERT_EQ(0, kill(cli, SIGTERM));
	ASSERT_EQ(0, wait_pid_timeout(cli, &st, 10000)) {
		kill_reap(&cli);
	}
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM) {
		TH_LOG("ctnrctl: status %#x, not exit 143", st);
	}
	for (end = now_ms() + 5000; now_ms() < end; sleep_ms(20))
		if (!cg_find_comm(self->cg, "sleep"))
			break;
	EXPECT_EQ(0, cg_find_comm(self->cg, "sleep")) {
		TH_LOG("the command outlived the SIGTERM");
	}
}

struct observe_arg {
	pid_t init;	/* of the container: its user namespace */
	pid_t helper;	/* the process ctnrctl forked to enter it */
};

/* From the container's user namespace, try to read the helper. */
static void observe_child(int errfd, void *arg)
{
	struct observe_arg *a = arg;
	char path[64];
	int ns, fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", a->init);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, ns >= 0, "%m - open %s", path);
	CHILD_CHECK(errfd, setns(ns, CLONE_NEWUSER) == 0, "%m - setns user");
	snprintf(path, sizeof(path), "/proc/%d/environ", a->helper);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, fd < 0 && errno == EACCES,
		    "root of the container's user namespace opened %s (fd %d, %m): the helper is dumpable",
		    path, fd);
}

/*
 * The process that enters the container is not dumpable: root of the
 * container's user namespace (0 mapped to 0 here, so no credential change
 * makes it non-dumpable by accident) cannot open its /proc files while it
 * holds our resources.  With a pid namespace it stays, outside that
 * namespace, for as long as the command runs.
 */
TEST_F_TIMEOUT(exec, helper_not_dumpable, 60)
{
	char *argv[] = { (char *)ctnrctl_path(), "container", "exec", NULL, "--",
			 "sleep", "60", NULL };
	struct observe_arg a = { 0 };
	char name[64], msg[512];
	struct ctnr_ctr c;
	int64_t end;
	pid_t cli;
	int r;

	snprintf(self->cg_sub, sizeof(self->cg_sub), "%s/u", self->cg);
	ASSERT_EQ(0, mkdir(self->cg_sub, 0755));
	r = test_init_start(&self->uinit, NS_FLAGS, true, "hu", self->cg_sub);
	ASSERT_EQ(0, r) {
		TH_LOG("init in a user namespace: %s", strerror(-r));
	}
	snprintf(name, sizeof(name), "%s-u", self->prefix);
	r = ctnr_new(&self->nl, name, self->uinit.pid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("CONTAINER_NEW %s: %s: %s", name, strerror(-r),
		       self->nl.ext_msg);
	}
	argv[3] = name;
	cli = ctnrctl_bg(argv);
	ASSERT_GT(cli, 0);
	for (end = now_ms() + 20000; now_ms() < end; sleep_ms(20)) {
		a.helper = child_of(cli);
		if (a.helper && child_of(a.helper) &&
		    cg_find_comm(self->cg_sub, "sleep"))
			break;
		a.helper = 0;
	}
	if (!a.helper)
		kill_reap(&cli);
	ASSERT_NE(0, a.helper) {
		TH_LOG("no helper with the command below it");
	}
	a.init = self->uinit.pid;
	r = run_child(observe_child, &a, msg, sizeof(msg), 20000);
	kill(cli, SIGTERM);
	if (wait_pid_timeout(cli, NULL, 10000))
		kill_reap(&cli);
	ASSERT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
}

/* a command that is not there: 127 and sh's message */
TEST_F_TIMEOUT(exec, missing_command_127, 60)
{
	char err[4096];
	int r;

	r = ctnrctl(NULL, 0, err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
		    self->name, "--", "/nonexistent/cmd", NULL);
	ASSERT_EQ(127, r) {
		TH_LOG("exit %d: %s", r, err);
	}
	ASSERT_NE(NULL, strstr(err, "/nonexistent/cmd")) {
		TH_LOG("%s", err);
	}
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
	if (!has_word(self->root_ctl, self->controller)) {
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
			    "container", "exec", self->name, "--", "cat",
			    "/proc/self/cgroup",
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
		SKIP_OR_FAIL_NO_DEVACCESS();
	snprintf(want, sizeof(want), "0::%s/" LEAF, self->rel);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
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
	r = ctnrctl(out, sizeof(out), err, sizeof(err), CMD_TIMEOUT,
		    "container", "exec",
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
