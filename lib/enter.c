// SPDX-License-Identifier: LGPL-2.1
/*
 * libctnr: the /dev/ctnr side: namespace fds, entering a container, running
 * a command in it, and whoami.
 *
 * Entering is planned in the caller (look-up, nsfs fds from the module, the
 * cgroup.procs file to join) and applied in the process that moves, which
 * for ctnr_exec() is a child.  Everything the plan needs from the file
 * system is opened before the first setns(), while the caller still sees
 * its own /proc and cgroup2 mount.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "internal.h"

int lc_dev_fd(struct ctnr_handle *h)
{
	static const char path[] = "/dev/" CTNR_DEVICE_NAME;
	int fd, err;

	if (h->dev_fd >= 0)
		return h->dev_fd;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		lc_set_error(h, "cannot open %s%s", path,
			     err == -ENOENT ? " (is the ctnr module loaded?)"
					    : "");
		return err;
	}
	h->dev_fd = fd;
	return fd;
}

/* ---- namespace fds ----------------------------------------------------- */

static void lc_ns_fds_error(struct ctnr_handle *h, int err, const char *what)
{
	switch (err) {
	case -ESRCH:
		lc_set_error(h, "container %s is stopped: its pid namespace has no init",
			     what);
		break;
	case -ENOENT:
		lc_set_error(h, "no container %s, or it did not pin a requested namespace",
			     what);
		break;
	case -EPERM:
		lc_set_error(h, "CAP_SYS_ADMIN over the owner of container %s is required",
			     what);
		break;
	case -EINVAL:
		lc_set_error(h, "the module rejected the namespace request for %s",
			     what);
		break;
	}
}

/* CTNR_IOC_NS_FDS; @what names the container in messages. */
static int lc_ns_fds(struct ctnr_handle *h, uint32_t id, const char *name,
		     const char *what, uint32_t mask, int fds[__CTNR_NS_MAX])
{
	struct ctnr_ioc_ns_fds a;
	unsigned int t;
	int fd, err;

	for (t = 0; t < __CTNR_NS_MAX; t++)
		fds[t] = -1;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = id;
	a.mask = mask;
	if (!id) {
		if (!name || !name[0] || strlen(name) >= sizeof(a.name)) {
			lc_set_error(h, "name must be 1 to %d characters long",
				     CTNR_NAME_MAX - 1);
			return -EINVAL;
		}
		memcpy(a.name, name, strlen(name));
	}
	fd = lc_dev_fd(h);
	if (fd < 0)
		return fd;
	if (ioctl(fd, CTNR_IOC_NS_FDS, &a) < 0) {
		err = -errno;
		lc_ns_fds_error(h, err, what);
		return err;
	}
	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (mask & ctnr_ns_clone_flag(t))
			fds[t] = a.fds[t];
	}
	return 0;
}

int ctnr_ns_fds(struct ctnr_handle *h, uint32_t id, const char *name,
		uint32_t mask, int fds[__CTNR_NS_MAX])
{
	char what[CTNR_NAME_MAX + 16];

	if (!h || !fds)
		return -EINVAL;
	lc_clear_error(h);
	if (id)
		snprintf(what, sizeof(what), "id %u", id);
	else
		snprintf(what, sizeof(what), "%s", name ? name : "");
	return lc_ns_fds(h, id, name, what, mask, fds);
}

/* ---- cgroup ------------------------------------------------------------ */

/* Our cgroup v2 path, relative to our cgroup namespace. */
static int lc_self_cgroup(char *buf, size_t size)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err = -ENOENT;

	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		snprintf(buf, size, "%s", line + 3);
		err = 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

/* Undo the octal escapes (\040 and friends) of /proc/self/mountinfo. */
static void lc_unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* Is cgroup @cur @path or below it? */
static bool lc_cgroup_within(const char *cur, const char *path)
{
	size_t len = strlen(path);

	if (!strcmp(path, "/"))
		return true;
	return !strncmp(cur, path, len) && (cur[len] == '\0' || cur[len] == '/');
}

/*
 * Open cgroup.procs of @path (relative to our cgroup namespace), and its
 * directory for the leaf, through a cgroup2 mount we see.  Both are -1 when
 * we already are in that cgroup or below it: we are bound by its rules.
 */
static int lc_cgroup_open(struct ctnr_handle *h, const char *path, int *fdp,
			  int *dirp)
{
	char *cur, *line = NULL, *file = NULL;
	size_t cap = 0;
	bool seen = false;
	int err = -ENOENT;
	FILE *f;

	*fdp = -1;
	*dirp = -1;
	cur = malloc(CTNR_CGROUP_MAX);
	if (!cur)
		return -ENOMEM;
	if (!lc_self_cgroup(cur, CTNR_CGROUP_MAX) &&
	    lc_cgroup_within(cur, path)) {
		free(cur);
		return 0;
	}
	free(cur);

	f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		err = -errno;
		lc_set_error(h, "cannot read /proc/self/mountinfo to join cgroup %s",
			     path);
		return err;
	}
	while (getline(&line, &cap, f) > 0) {
		char *sep, *tok, *save, *root = NULL, *mnt = NULL;
		const char *rel;
		size_t rlen;
		int i, fd, dir;

		/* id parent major:minor root mountpoint ... - fstype ... */
		sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		*sep = '\0';
		for (i = 0, tok = strtok_r(line, " ", &save); tok && i < 5;
		     i++, tok = strtok_r(NULL, " ", &save)) {
			if (i == 3)
				root = tok;
			else if (i == 4)
				mnt = tok;
		}
		if (!root || !mnt)
			continue;
		lc_unescape(root);
		lc_unescape(mnt);

		/* The mount shows the subtree below its root only. */
		rlen = strlen(root);
		if (!strcmp(root, "/"))
			rel = path;
		else if (!strncmp(path, root, rlen) &&
			 (path[rlen] == '/' || path[rlen] == '\0'))
			rel = path + rlen;
		else
			continue;
		while (*rel == '/')
			rel++;

		free(file);
		if (asprintf(&file, "%s/%s", mnt, rel) < 0) {
			file = NULL;
			err = -ENOMEM;
			break;
		}
		dir = open(file, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		fd = dir < 0 ? -1 :
		     openat(dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			*fdp = fd;
			*dirp = dir;
			err = 0;
			break;
		}
		if (!seen)
			err = -errno;
		seen = true;
		if (dir >= 0)
			close(dir);
	}
	free(line);
	fclose(f);
	if (err == -ENOENT && !seen)
		lc_set_error(h, "cannot join cgroup %s: no cgroup2 mount shows it",
			     path);
	else if (err)
		lc_set_error(h, "cannot join cgroup %s: cannot open %s/cgroup.procs",
			     path, file ? file : "");
	free(file);
	return err;
}

/* ---- entering ---------------------------------------------------------- */

/* Where a process goes when the container's cgroup has controllers. */
#define LC_EXEC_LEAF	".ctnr-exec"

struct lc_plan {
	uint32_t mask;			/* namespaces to enter */
	uint32_t flags;			/* CTNR_ENTER_* */
	int fds[__CTNR_NS_MAX];
	int cg_fd;			/* cgroup.procs to join, or -1 */
	int cg_dir;			/* its directory, for the leaf */
	char what[CTNR_NAME_MAX + 16];	/* the container, for messages */
	char cgroup[CTNR_CGROUP_MAX];
};

static void lc_plan_release(struct lc_plan *p)
{
	unsigned int t;

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (p->fds[t] >= 0)
			close(p->fds[t]);
		p->fds[t] = -1;
	}
	if (p->cg_fd >= 0)
		close(p->cg_fd);
	p->cg_fd = -1;
	if (p->cg_dir >= 0)
		close(p->cg_dir);
	p->cg_dir = -1;
}

static int lc_plan_init(struct ctnr_handle *h, uint32_t id, const char *name,
			uint32_t mask, uint32_t flags, struct lc_plan *p)
{
	struct ctnr_container *c;
	unsigned int t;
	int err;

	p->cg_fd = -1;
	p->cg_dir = -1;
	for (t = 0; t < __CTNR_NS_MAX; t++)
		p->fds[t] = -1;
	lc_clear_error(h);
	if (flags & ~CTNR_ENTER_ALL) {
		lc_set_error(h, "unknown enter flags %#x", flags & ~CTNR_ENTER_ALL);
		return -EINVAL;
	}
	if (mask & ~CTNR_NS_FDS_MASK_ALL) {
		lc_set_error(h, "unknown namespace bits %#x",
			     mask & ~CTNR_NS_FDS_MASK_ALL);
		return -EINVAL;
	}

	/*
	 * Netlink first, for the namespaces it pinned and its cgroup.  A name
	 * resolves among the containers of our own user namespace only, as
	 * in every command; then everything goes by that id.
	 */
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = ctnr_container_get(h, id, name, c);
	if (err)
		goto out;
	if (c->has & CTNR_HAS_NAME)
		snprintf(p->what, sizeof(p->what), "%s", c->name);
	else
		snprintf(p->what, sizeof(p->what), "id %u", c->id);

	if (!mask)
		mask = c->has & CTNR_HAS_NS_MASK ? c->ns_mask : CTNR_NS_FDS_MASK_ALL;
	mask &= CTNR_NS_FDS_MASK_ALL;
	if (c->has & CTNR_HAS_NS_MASK && mask & ~c->ns_mask) {
		for (t = 0; t < __CTNR_NS_MAX; t++) {
			if (mask & ~c->ns_mask & ctnr_ns_clone_flag(t))
				break;
		}
		lc_set_error(h, "container %s did not pin a %s namespace",
			     p->what, ctnr_ns_name(t));
		err = -ENOENT;
		goto out;
	}
	if (mask & CLONE_NEWPID && c->has & CTNR_HAS_STATE &&
	    c->state == CTNR_STATE_STOPPED) {
		lc_ns_fds_error(h, -ESRCH, p->what);
		err = -ESRCH;
		goto out;
	}
	p->mask = mask;
	p->flags = flags;

	err = lc_ns_fds(h, c->id, NULL, p->what, mask, p->fds);
	if (err)
		goto out;
	if (!(flags & CTNR_ENTER_NO_CGROUP) && c->has & CTNR_HAS_CGROUP) {
		snprintf(p->cgroup, sizeof(p->cgroup), "%s", c->cgroup);
		err = lc_cgroup_open(h, c->cgroup, &p->cg_fd, &p->cg_dir);
	}
out:
	free(c);
	if (err)
		lc_plan_release(p);
	return err;
}

/* Is @fd the namespace /proc/self/ns/@link is? */
static bool lc_same_ns(int fd, const char *link)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", link);
	if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int lc_setns(struct ctnr_handle *h, struct lc_plan *p, unsigned int t)
{
	int err;

	if (!setns(p->fds[t], (int)ctnr_ns_clone_flag(t)))
		return 0;
	err = -errno;
	lc_set_error(h, "cannot enter the %s namespace of container %s",
		     ctnr_ns_name(t), p->what);
	return err;
}

/* Become root of the user namespace we just entered, as nsenter does. */
static int lc_become_root(struct ctnr_handle *h, struct lc_plan *p)
{
	int err;

	/* EPERM: setgroups is denied in that namespace; nothing to drop. */
	if (setgroups(0, NULL) < 0 && errno != EPERM) {
		err = -errno;
		lc_set_error(h, "cannot drop supplementary groups in container %s",
			     p->what);
		return err;
	}
	/* EINVAL: 0 is not mapped there; stay who we are (the overflow id). */
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL) {
		err = -errno;
		lc_set_error(h, "cannot become gid 0 in the user namespace of container %s",
			     p->what);
		return err;
	}
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL) {
		err = -errno;
		lc_set_error(h, "cannot become uid 0 in the user namespace of container %s",
			     p->what);
		return err;
	}
	return 0;
}

/*
 * Join the container's cgroup.  cgroup v2 allows no process in a cgroup
 * (but the root) that has controllers enabled for its children, which a
 * systemd init always does: then join the leaf below it, as LXC joins
 * ".lxc".  The leaf is inside the container's cgroup, so nothing the
 * container's rules bind is loosened.  It is made on demand and left in
 * place for the next time (rmdir fails while something is in it anyway).
 */
static int lc_cgroup_join(struct ctnr_handle *h, struct lc_plan *p)
{
	const char *sep = strcmp(p->cgroup, "/") ? "/" : "";
	int fd, err;

	if (p->cg_fd < 0)
		return 0;
	if (write(p->cg_fd, "0", 1) == 1)
		return 0;
	err = -errno;
	if (err != -EBUSY) {
		lc_set_error(h, "cannot join cgroup %s of container %s",
			     p->cgroup, p->what);
		return err;
	}
	if (mkdirat(p->cg_dir, LC_EXEC_LEAF, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		lc_set_error(h, "cannot create cgroup %s%s%s for container %s (its cgroup has controllers enabled)",
			     p->cgroup, sep, LC_EXEC_LEAF, p->what);
		return err;
	}
	fd = openat(p->cg_dir, LC_EXEC_LEAF "/cgroup.procs",
		    O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && write(fd, "0", 1) == 1) {
		close(fd);
		return 0;
	}
	err = -errno;
	if (fd >= 0)
		close(fd);
	lc_set_error(h, "cannot join cgroup %s%s%s of container %s",
		     p->cgroup, sep, LC_EXEC_LEAF, p->what);
	return err;
}

/*
 * Join the cgroup, then setns() every namespace but the user namespace,
 * then the user namespace, then retry those that needed its privileges.
 * Namespaces we already are in are skipped: setns() into our own user
 * namespace is an error, and an unprivileged caller could not re-enter
 * namespaces owned by an ancestor.
 */
static int lc_plan_apply(struct ctnr_handle *h, struct lc_plan *p)
{
	static const char *const self[__CTNR_NS_MAX] = {
		[CTNR_NS_USER]		= "user",
		[CTNR_NS_MNT]		= "mnt",
		[CTNR_NS_UTS]		= "uts",
		[CTNR_NS_IPC]		= "ipc",
		[CTNR_NS_NET]		= "net",
		[CTNR_NS_PID]		= "pid_for_children",
		[CTNR_NS_CGROUP]	= "cgroup",
		[CTNR_NS_TIME]		= "time_for_children",
	};
	bool todo[__CTNR_NS_MAX], retry[__CTNR_NS_MAX] = { false };
	unsigned int t;
	int err;

	err = lc_cgroup_join(h, p);
	if (err)
		return err;

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		todo[t] = p->fds[t] >= 0 && !lc_same_ns(p->fds[t], self[t]);
		if (t == CTNR_NS_TIME && !todo[t] && p->fds[t] >= 0)
			todo[t] = !lc_same_ns(p->fds[t], "time");
	}

	for (t = 0; t < __CTNR_NS_MAX; t++) {
		if (t == CTNR_NS_USER || !todo[t])
			continue;
		err = lc_setns(h, p, t);
		if (!err)
			continue;
		if (!todo[CTNR_NS_USER])
			return err;
		retry[t] = true;	/* may work with the userns' caps */
	}
	if (todo[CTNR_NS_USER]) {
		lc_clear_error(h);
		err = lc_setns(h, p, CTNR_NS_USER);
		if (err)
			return err;
		for (t = 0; t < __CTNR_NS_MAX; t++) {
			if (retry[t]) {
				err = lc_setns(h, p, t);
				if (err)
					return err;
			}
		}
		if (!(p->flags & CTNR_ENTER_KEEP_CREDS))
			return lc_become_root(h, p);
	}
	return 0;
}

int ctnr_enter_ex(struct ctnr_handle *h, uint32_t id, const char *name,
		  uint32_t mask, uint32_t flags)
{
	struct lc_plan *p;
	int err;

	if (!h)
		return -EINVAL;
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = lc_plan_init(h, id, name, mask, flags, p);
	if (!err) {
		err = lc_plan_apply(h, p);
		lc_plan_release(p);
	}
	free(p);
	return err;
}

int ctnr_enter(struct ctnr_handle *h, const char *name, uint32_t mask)
{
	return ctnr_enter_ex(h, 0, name, mask, 0);
}

/* ---- exec -------------------------------------------------------------- */

enum { LC_STAGE_ENTER, LC_STAGE_EXEC };

/* What a child that failed tells its parent, in one atomic pipe write. */
struct lc_report {
	int stage;
	int err;
	char msg[LC_ERR_MAX];
};

static void lc_report(int fd, int stage, int err, const char *msg)
{
	struct lc_report r = { .stage = stage, .err = err };
	ssize_t n;

	snprintf(r.msg, sizeof(r.msg), "%s", msg);
	do {
		n = write(fd, &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
}

static int lc_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

/* In the child: enter, fork again for the pid namespace, exec. */
static void __attribute__((noreturn))
lc_exec_child(struct ctnr_handle *h, struct lc_plan *p, char *const argv[],
	      int wfd)
{
	int err, status;
	pid_t pid;

	err = lc_plan_apply(h, p);
	if (err) {
		lc_report(wfd, LC_STAGE_ENTER, err, h->err);
		_exit(125);
	}
	lc_plan_release(p);

	if (p->mask & CLONE_NEWPID) {
		pid = fork();
		if (pid < 0) {
			err = -errno;
			lc_set_error(h, "cannot fork into the pid namespace of container %s%s",
				     p->what,
				     err == -ENOMEM ? " (its init has exited)" : "");
			lc_report(wfd, LC_STAGE_ENTER, err, h->err);
			_exit(125);
		}
		if (pid > 0) {
			/* Relay: the command gets the terminal's signals. */
			close(wfd);
			signal(SIGINT, SIG_IGN);
			signal(SIGQUIT, SIG_IGN);
			while (waitpid(pid, &status, 0) < 0) {
				if (errno != EINTR)
					_exit(125);
			}
			_exit(lc_exit_code(status));
		}
	}

	execvp(argv[0], argv);
	err = -errno;
	lc_set_error(h, "cannot execute %s", argv[0]);
	lc_report(wfd, LC_STAGE_EXEC, err, h->err);
	_exit(err == -ENOENT ? 127 : 126);
}

/* Fork a child that applies @p and runs @argv; wait for it. */
static int lc_exec_plan(struct ctnr_handle *h, struct lc_plan *p,
			char *const argv[], int *status)
{
	struct lc_report r;
	int pfd[2], wstatus;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		close(pfd[0]);
		lc_exec_child(h, p, argv, pfd[1]);
	}
	close(pfd[1]);
	lc_plan_release(p);

	/* EOF when the command was executed, a report when it was not. */
	do {
		n = read(pfd[0], &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);

	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (n < (ssize_t)offsetof(struct lc_report, msg)) {
		*status = lc_exit_code(wstatus);
		return 0;
	}
	if (n < (ssize_t)sizeof(r))
		r.msg[0] = '\0';
	r.msg[sizeof(r.msg) - 1] = '\0';
	lc_set_error(h, "%s", r.msg);
	if (r.err >= 0)
		r.err = -EIO;
	if (r.stage == LC_STAGE_EXEC)
		*status = r.err == -ENOENT ? 127 : 126;
	return r.err;
}

int ctnr_exec_ex(struct ctnr_handle *h, uint32_t id, const char *name,
		 uint32_t mask, uint32_t flags, char *const argv[],
		 int *status)
{
	struct lc_plan *p;
	int err;

	if (status)
		*status = -1;
	if (!h || !argv || !argv[0] || !status)
		return -EINVAL;
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	err = lc_plan_init(h, id, name, mask, flags, p);
	if (!err) {
		err = lc_exec_plan(h, p, argv, status);
		lc_plan_release(p);
	}
	free(p);
	return err;
}

int ctnr_exec(struct ctnr_handle *h, const char *name, uint32_t mask,
	      char *const argv[], int *status)
{
	return ctnr_exec_ex(h, 0, name, mask, 0, argv, status);
}

/* ---- whoami ------------------------------------------------------------ */

int ctnr_whoami(struct ctnr_handle *h, uint32_t *id, char *name)
{
	struct ctnr_ioc_whoami w;
	int fd, err;

	if (!h || !id)
		return -EINVAL;
	lc_clear_error(h);
	*id = 0;
	if (name)
		name[0] = '\0';
	fd = lc_dev_fd(h);
	if (fd < 0)
		return fd;
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	if (ioctl(fd, CTNR_IOC_WHOAMI, &w) < 0) {
		err = -errno;
		if (err == -ENOENT)
			lc_set_error(h, "not in any container");
		return err;
	}
	*id = w.id;
	if (name) {
		w.name[sizeof(w.name) - 1] = '\0';
		memcpy(name, w.name, sizeof(w.name));
	}
	return 0;
}
