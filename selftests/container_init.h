/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Container inits for the container and container_bulk selftests: a
 * process started the way a runtime starts one, in new namespaces.
 */
#ifndef CTNR_CONTAINER_INIT_H
#define CTNR_CONTAINER_INIT_H

#include "ctnr_test.h"

#define INIT_COMM	"ctnrinit"
#define MARKER_PATH	"/tmp/ctnr-marker"

/* ------------------------------------------------------------------ */
/* init processes                                                     */

struct init_proc {
	pid_t pid;
	int ctl;		/* write end; init exits when it closes */
};

struct init_report {
	int err;
	char msg[120];
};

static void __attribute__((noreturn))
init_fail(int fd, const char *what)
{
	struct init_report rep = { .err = errno ? errno : EIO };

	snprintf(rep.msg, sizeof(rep.msg), "init: %s: %s", what,
		 strerror(rep.err));
	if (write(fd, &rep, sizeof(rep)) < 0)
		_exit(2);
	_exit(1);
}

/*
 * Body of an init: optionally unshare more namespaces (a user namespace
 * with our uid mapped to 0 when CLONE_NEWUSER is asked), set the hostname,
 * and with a new mount namespace make / private, mount proc (new pid
 * namespace) and a tmpfs with a marker on /tmp.  Then wait on @ctl.
 */
static void __attribute__((noreturn))
init_main(int ready, int ctl, unsigned long clone_flags,
	  unsigned long unshare_flags, const char *hostname)
{
	struct init_report rep = { 0 };
	char c;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_NAME, INIT_COMM, 0, 0, 0);
	signal(SIGCHLD, SIG_IGN);	/* reap whatever gets reparented */
	if (unshare_flags & CLONE_NEWUSER) {
		int r = enter_userns_as_root(unshare_flags & ~CLONE_NEWUSER);

		if (r) {
			errno = -r;
			init_fail(ready, "unshare user namespace");
		}
	} else if (unshare_flags && unshare(unshare_flags)) {
		init_fail(ready, "unshare");
	}
	if (hostname && sethostname(hostname, strlen(hostname)))
		init_fail(ready, "sethostname");
	if (clone_flags & CLONE_NEWNS) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			init_fail(ready, "make / private");
		if ((clone_flags & CLONE_NEWPID) &&
		    mount("proc", "/proc", "proc",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
			init_fail(ready, "mount proc");
		if (mount("ctnrtest", "/tmp", "tmpfs", 0, "size=64k,mode=755"))
			init_fail(ready, "mount tmpfs on /tmp");
		fd = open(MARKER_PATH, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || !hostname ||
		    write(fd, hostname, strlen(hostname)) < 0)
			init_fail(ready, "write " MARKER_PATH);
		close(fd);
	}
	if (write(ready, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	close(ready);
	while (read(ctl, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * Start an init with clone(@clone_flags), move it into cgroup @cgroup
 * (absolute path, may be NULL) and wait until it is set up.
 */
static int spawn_init(struct init_proc *ip, unsigned long clone_flags,
		      unsigned long unshare_flags, const char *hostname,
		      const char *cgroup, char *err, size_t errlen)
{
	struct pollfd pfd;
	struct init_report rep;
	int ready[2], ctl[2], r;
	pid_t pid;

	ip->pid = -1;
	ip->ctl = -EBADF;
	err[0] = '\0';
	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	if (pipe2(ctl, O_CLOEXEC)) {
		r = -errno;
		close(ready[0]);
		close(ready[1]);
		return r;
	}
	fflush(stdout);
	fflush(stderr);
	pid = sys_clone(clone_flags);
	if (pid == 0) {
		close(ready[0]);
		close(ctl[1]);
		init_main(ready[1], ctl[0], clone_flags, unshare_flags,
			  hostname);
	}
	r = pid < 0 ? -errno : 0;
	close(ready[1]);
	close(ctl[0]);
	if (r) {
		snprintf(err, errlen, "clone(%#lx): %s", clone_flags,
			 strerror(-r));
		close(ready[0]);
		close(ctl[1]);
		return r;
	}
	ip->pid = pid;
	ip->ctl = ctl[1];
	if (cgroup) {
		r = cg_enter(cgroup, pid);
		if (r) {
			snprintf(err, errlen, "move init to %s: %s", cgroup,
				 strerror(-r));
			goto fail;
		}
	}
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 20000) != 1 ||
	    read(ready[0], &rep, sizeof(rep)) != sizeof(rep)) {
		snprintf(err, errlen, "init did not get ready");
		r = -ETIMEDOUT;
		goto fail;
	}
	if (rep.err) {
		snprintf(err, errlen, "%s", rep.msg);
		r = -rep.err;
		goto fail;
	}
	close(ready[0]);
	return 0;
fail:
	close(ready[0]);
	close_fd(&ip->ctl);
	kill_reap(&ip->pid);
	return r;
}

static void stop_init(struct init_proc *ip)
{
	close_fd(&ip->ctl);
	kill_reap(&ip->pid);
}

#endif /* CTNR_CONTAINER_INIT_H */
