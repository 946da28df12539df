// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl container exec NAME [ ns LIST ] [ keepenv ] [ env VAR[=VALUE] ]...
 *			       [ -- ] CMD [ ARG... ]
 *
 * Exits with the command's status (128 + N when killed by signal N), 127
 * when it was not found, 126 when it could not be run, and 125 when
 * ctnrctl itself failed, usage errors included, as env(1) and chroot(8):
 * a script can tell "the command said 1" from "ctnrctl could not run it".
 *
 * Runs CMD inside a container that may be hostile, from the administrator's
 * shell.  The library makes the entering process non-dumpable, puts the
 * command in a session of its own, closes every fd but stdin, stdout and
 * stderr and gives it a clean environment.  What is left here is the
 * terminal: when stdin, stdout or stderr is one, the command does not get
 * it (it could push keystrokes into our shell with TIOCSTI, or reopen it
 * through /dev/tty) but the slave of a new pty, each of those three that is
 * a terminal being replaced by it.  ctnrctl relays between its terminal,
 * put in raw mode, and the pty master, passes window size changes on,
 * forwards the signals it gets to the command, restores the terminal and
 * exits with the command's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ctnrctl.h"

struct exec_args {
	const char *name;
	uint32_t mask;
	bool have_ns;
	bool keepenv;
	const char **env;		/* NULL-terminated */
	unsigned int nenv;
	char **argv;
};

/* Signals passed on to the command; SIGWINCH resizes its pty. */
static const int exec_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
};

static volatile sig_atomic_t exec_pending[NSIG];

static void exec_on_signal(int sig)
{
	if (sig > 0 && sig < NSIG)
		exec_pending[sig] = 1;
}

/* ---- arguments ---- */

/* VAR or VAR=VALUE, VAR being [A-Za-z_][A-Za-z0-9_]*; its length or 0. */
static size_t env_name_len(const char *s)
{
	size_t i;

	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	      s[0] == '_'))
		return 0;
	for (i = 1; s[i] && s[i] != '='; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	}
	return i;
}

static int exec_add_env(struct exec_args *a, const char *e)
{
	size_t len = env_name_len(e);
	unsigned int i;
	const char **n;

	if (!len)
		return usage_error("container exec: invalid \"env %s\" (VAR or VAR=VALUE, VAR of A-Z a-z 0-9 _)",
				   e);
	for (i = 0; i < a->nenv; i++) {
		if (!strncmp(a->env[i], e, len) &&
		    (a->env[i][len] == '=' || !a->env[i][len]))
			return usage_error("container exec: \"env %.*s\" given twice",
					   (int)len, e);
	}
	n = realloc(a->env, (a->nenv + 2) * sizeof(*n));
	if (!n)
		return usage_error("container exec: out of memory");
	a->env = n;
	a->env[a->nenv++] = e;
	a->env[a->nenv] = NULL;
	return 0;
}

/*
 * Keywords come before "--" or the command.  A keyword that is the last
 * word is the command: "ctnrctl container exec web env" runs env.
 */
static int exec_parse(int argc, char **argv, struct exec_args *a)
{
	int rc;

	a->name = argv[0];
	for (argc--, argv++; argc > 1; ) {
		const char *kw = argv[0];

		if (!strcmp(kw, "--"))
			break;
		if (!strcmp(kw, "ns")) {
			if (a->have_ns)
				return usage_error("container exec: \"ns\" given twice");
			if (ctnr_ns_parse(argv[1], &a->mask))
				return usage_error("container exec: invalid namespace list \"%s\" (use mnt,uts,ipc,net,pid,user,cgroup,time)",
						   argv[1]);
			a->have_ns = true;
			argc -= 2, argv += 2;
		} else if (!strcmp(kw, "env")) {
			rc = exec_add_env(a, argv[1]);
			if (rc)
				return rc;
			argc -= 2, argv += 2;
		} else if (!strcmp(kw, "keepenv")) {
			if (a->keepenv)
				return usage_error("container exec: \"keepenv\" given twice");
			a->keepenv = true;
			argc--, argv++;
		} else {
			break;
		}
	}
	if (argc > 0 && !strcmp(argv[0], "--"))
		argc--, argv++;
	if (argc == 0)
		return usage_error("container exec: missing the command to run");
	a->argv = argv;
	return 0;
}

/* ---- the terminal ---- */

struct exec_tty {
	int master;		/* our side of the command's pty, or -1 */
	int slave;		/* its side until it is started, or -1 */
	int in;			/* our terminal to read, 0, or -1 */
	int out;		/* where the pty's output goes */
	int win;		/* our terminal to take the window size from */
	uint32_t flags;		/* CTNR_EXEC_TTY_* */
	bool raw;		/* in was put in raw mode */
	struct termios saved;
};

/* A new pty with the settings and size of our terminal @t->win. */
static int exec_pty_open(struct exec_tty *t)
{
	struct termios tio;
	struct winsize ws;
	char *path;

	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0 || unlockpt(t->master) < 0)
		return -errno;
	/* Race-free where the kernel has it (4.13): no path lookup. */
	t->slave = ioctl(t->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0) {
		path = ptsname(t->master);
		if (!path)
			return -errno;
		t->slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (t->slave < 0)
			return -errno;
	}
	if (!tcgetattr(t->win, &tio))
		tcsetattr(t->slave, TCSANOW, &tio);
	if (!ioctl(t->win, TIOCGWINSZ, &ws))
		ioctl(t->master, TIOCSWINSZ, &ws);
	if (fcntl(t->master, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void exec_tty_close(struct exec_tty *t)
{
	if (t->raw) {
		tcsetattr(t->in, TCSADRAIN, &t->saved);
		t->raw = false;
	}
	if (t->slave >= 0)
		close(t->slave);
	if (t->master >= 0)
		close(t->master);
	t->slave = t->master = -1;
}

/* Which of stdin, stdout and stderr are terminals; a pty if any is. */
static int exec_tty_setup(struct exec_tty *t)
{
	int fd, err;

	memset(t, 0, sizeof(*t));
	t->master = t->slave = t->in = t->win = -1;
	for (fd = 2; fd >= 0; fd--) {
		if (!isatty(fd))
			continue;
		t->flags |= CTNR_EXEC_TTY_STDIN << fd;
		t->win = fd;
	}
	if (!t->flags)
		return 0;
	if (t->flags & CTNR_EXEC_TTY_STDIN)
		t->in = 0;
	/* The echo goes back to the terminal we type on, if nothing else. */
	t->out = t->flags & CTNR_EXEC_TTY_STDOUT ? 1 :
		 t->flags & CTNR_EXEC_TTY_STDERR ? 2 : 0;
	err = exec_pty_open(t);
	if (err)
		exec_tty_close(t);
	return err;
}

static int exec_raw(struct exec_tty *t)
{
	struct termios raw;

	if (t->in < 0)
		return 0;
	if (tcgetattr(t->in, &t->saved) < 0)
		return -errno;
	raw = t->saved;
	cfmakeraw(&raw);
	if (tcsetattr(t->in, TCSADRAIN, &raw) < 0)
		return -errno;
	t->raw = true;
	return 0;
}

static void write_all(int fd, const char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, -1);
		} else if (n < 0 && errno != EINTR) {
			return;		/* nowhere to write: drop it */
		}
	}
}

/* Copy what the pty has for us; false at its end (the slave is closed). */
static bool exec_pty_out(struct exec_tty *t)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(t->master, buf, sizeof(buf));
		if (n > 0) {
			write_all(t->out, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
}

/* ---- running ---- */

static void exec_signals(bool on)
{
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? exec_on_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(exec_sigs); i++) {
		exec_pending[exec_sigs[i]] = 0;
		sigaction(exec_sigs[i], &sa, NULL);
	}
}

/* Signals that came: passed on to the command, or resize its pty. */
static void exec_deliver(struct exec_tty *t, int pid, int pidfd)
{
	struct winsize ws;
	unsigned int i;
	int sig;

	for (i = 0; i < ARRAY_SIZE(exec_sigs); i++) {
		sig = exec_sigs[i];
		if (!exec_pending[sig])
			continue;
		exec_pending[sig] = 0;
		if (sig == SIGWINCH) {
			if (t->master >= 0 && !ioctl(t->win, TIOCGWINSZ, &ws))
				ioctl(t->master, TIOCSWINSZ, &ws);
		} else if (pidfd < 0 ||
			   syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0)) {
			kill(pid, sig);
		}
	}
}

/*
 * Relay until the command ends: our terminal to the pty, the pty to our
 * terminal, signals to the command.  Input is read only when the last of
 * it was written, so a command that does not read cannot make us block.
 */
static void exec_relay(struct exec_tty *t, int pid)
{
	char in[4096];
	size_t in_len = 0, in_off = 0;
	bool in_open = t->in >= 0, pty_open = t->master >= 0, done = false;
	struct timespec tick = { 0, 200 * 1000 * 1000 };
	sigset_t block, orig;
	unsigned int i;
	int pidfd, status;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(exec_sigs); i++)
		sigaddset(&block, exec_sigs[i]);
	sigprocmask(SIG_BLOCK, &block, &orig);
	while (!done) {
		struct pollfd p[3] = {
			{ .fd = in_open && !in_len ? t->in : -1,
			  .events = POLLIN },
			{ .fd = pty_open ? t->master : -1,
			  .events = POLLIN | (in_len ? POLLOUT : 0) },
			{ .fd = pidfd, .events = POLLIN },
		};
		ssize_t n;

		exec_deliver(t, pid, pidfd);
		if (ppoll(p, 3, pidfd < 0 ? &tick : NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			n = read(t->in, in, sizeof(in));
			if (n > 0) {
				in_len = (size_t)n;
				in_off = 0;
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				in_open = false;
			}
		}
		if (p[1].revents & POLLOUT && in_len) {
			n = write(t->master, in + in_off, in_len);
			if (n > 0) {
				in_off += (size_t)n;
				in_len -= (size_t)n;
			} else if (n < 0 && errno != EINTR && errno != EAGAIN) {
				in_len = 0;
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			pty_open = exec_pty_out(t);
		if (pidfd >= 0)
			done = p[2].revents != 0;
		else
			done = waitpid(pid, &status, WNOHANG | WNOWAIT) == pid;
	}
	/* What the command wrote last. */
	if (pty_open)
		exec_pty_out(t);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (pidfd >= 0)
		close(pidfd);
}

/* A failure of ctnrctl's own, as container exec reports it. */
static int exec_own(int rc)
{
	return rc ? EXIT_EXEC_FAIL : EXIT_OK;
}

static int exec_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_EXEC_FAIL;
}

static int exec_run(struct ctnr_handle *h, uint32_t id, struct exec_args *a)
{
	struct ctnr_exec_opts o = CTNR_EXEC_OPTS_INIT;
	struct exec_tty t;
	int pid, err, status = -1, wstatus;

	err = exec_tty_setup(&t);
	if (err)
		return exec_own(op_failed(err, "container exec %s: cannot open a pty",
					  a->name));
	o.mask = a->mask;
	o.flags = t.flags | (a->keepenv ? CTNR_EXEC_KEEP_ENV : 0);
	o.env = a->env;
	o.tty_fd = t.slave;

	fflush(NULL);
	exec_signals(true);
	pid = ctnr_exec_spawn(h, id, NULL, a->argv, &o, &status);
	if (t.slave >= 0)
		close(t.slave);
	t.slave = -1;
	if (pid < 0) {
		exec_signals(false);
		exec_tty_close(&t);
		if (status >= 0) {
			/* Entered, but the command could not be run: as sh. */
			say("container exec %s: %s: %s", a->name, a->argv[0],
			    strerror(-pid));
			return status;
		}
		return exec_own(op_failed(pid, "container exec %s", a->name));
	}
	err = exec_raw(&t);
	if (err)
		say("container exec %s: cannot put the terminal in raw mode: %s",
		    a->name, strerror(-err));
	exec_relay(&t, pid);
	exec_tty_close(&t);
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			wstatus = 0;
			status = exec_own(op_failed(-errno,
						    "container exec %s: wait",
						    a->name));
			break;
		}
	}
	if (status < 0)
		status = exec_status(wstatus);
	exec_signals(false);
	return status;
}

int container_exec(int argc, char **argv)
{
	struct exec_args a = { 0 };
	struct ctnr_handle *h = NULL;
	uint32_t id = 0;
	int err;

	if (argc == 0)
		return exec_own(usage_error("container exec: missing NAME, try \"ctnrctl container help\""));
	if (argc == 1 && is_help(argv[0])) {
		print_usage("container");
		return EXIT_OK;
	}
	err = exec_parse(argc, argv, &a);
	if (!err) {
		err = lookup_id("container exec", a.name, &id, &h);
		if (err)
			err = exec_own(report(err, "container exec", a.name));
	} else {
		err = exec_own(err);
	}
	if (!err)
		err = exec_run(h, id, &a);
	free(a.env);
	return err;
}
