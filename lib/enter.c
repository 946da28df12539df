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
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* The default environment (see ctnr_exec_spawn() in libctnr.h). */
static const char lc_env_path[] =
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
static const char lc_env_home_root[] = "HOME=/root";
static const char lc_env_home_user[] = "HOME=/";

/* Signals the intermediate process of a pid namespace passes on. */
static const int lc_relay_sigs[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
};

struct lc_exec {
	struct lc_plan plan;
	char *const *argv;
	char **envp;			/* the command's; borrowed strings */
	uint32_t flags;			/* CTNR_EXEC_* */
	int tty_fd;			/* with CTNR_EXEC_TTY_*, else -1 */
	int wfd;			/* report pipe, O_CLOEXEC */
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

/* Fail in a child: tell the parent why and exit as a shell would. */
static void __attribute__((noreturn))
lc_exec_fail(struct ctnr_handle *h, struct lc_exec *x, int stage, int err)
{
	lc_report(x->wfd, stage, err, h->err);
	if (stage == LC_STAGE_EXEC)
		_exit(err == -ENOENT ? 127 : 126);
	_exit(125);
}

static int lc_close_range(unsigned int lo, unsigned int hi, unsigned int flags)
{
	return (int)syscall(SYS_close_range, lo, hi, flags);
}

/* Close every fd above 2 but @a and @b (either may be -1). */
static int lc_close_fds(int a, int b)
{
	int keep[2] = { a < b ? a : b, a < b ? b : a };
	unsigned int lo = 3, i;

	for (i = 0; i < 2; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned int)keep[i] > lo &&
		    lc_close_range(lo, (unsigned int)keep[i] - 1, 0) < 0)
			return -errno;
		lo = (unsigned int)keep[i] + 1;
	}
	if (lc_close_range(lo, ~0U, 0) < 0)
		return -errno;
	return 0;
}

static void lc_default_signals(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lc_relay_sigs); i++)
		signal(lc_relay_sigs[i], SIG_DFL);
}

/* ---- the environment ---- */

/* The entry of @env for the variable @name of @len bytes, or NULL. */
static char *lc_env_find(char **env, const char *name, size_t len)
{
	for (; env && *env; env++) {
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env;
	}
	return NULL;
}

static void lc_env_unset(char **env, size_t *n, const char *name, size_t len)
{
	size_t i = 0, j = 0;

	for (; i < *n; i++) {
		if (strncmp(env[i], name, len) || env[i][len] != '=')
			env[j++] = env[i];
	}
	*n = j;
	env[j] = NULL;
}

/* Build the command's environment in x->envp: the default or ours, then
 * @changes. */
static int lc_exec_env(struct ctnr_handle *h, const char *const *changes,
		       uint32_t flags, struct lc_exec *x)
{
	char **env, *term;
	size_t n = 0, cap = 4, i;

	if (flags & CTNR_EXEC_KEEP_ENV) {
		for (i = 0; environ && environ[i]; i++)
			cap++;
	}
	for (i = 0; changes && changes[i]; i++)
		cap++;
	env = calloc(cap, sizeof(*env));
	if (!env)
		return -ENOMEM;
	if (flags & CTNR_EXEC_KEEP_ENV) {
		for (i = 0; environ && environ[i]; i++)
			env[n++] = environ[i];
	} else {
		env[n++] = (char *)lc_env_path;
		env[n++] = (char *)lc_env_home_root;
		term = lc_env_find(environ, "TERM", 4);
		if (term)
			env[n++] = term;
	}
	for (i = 0; changes && changes[i]; i++) {
		const char *c = changes[i], *eq = strchr(c, '=');
		size_t len = eq ? (size_t)(eq - c) : strlen(c);
		char *mine;

		if (!len) {
			lc_set_error(h, "environment entry \"%s\" has no variable name",
				     c);
			free(env);
			return -EINVAL;
		}
		mine = eq ? (char *)c : lc_env_find(environ, c, len);
		lc_env_unset(env, &n, c, len);
		if (mine)
			env[n++] = mine;
	}
	env[n] = NULL;
	x->envp = env;
	return 0;
}

/* ---- the children ---- */

/* In the intermediate process: the command, to pass signals on to. */
static volatile sig_atomic_t lc_relay_pid;
static volatile sig_atomic_t lc_relay_pidfd = -1;

static void lc_relay_signal(int sig)
{
	int saved = errno;

	if (lc_relay_pidfd >= 0)
		syscall(SYS_pidfd_send_signal, (int)lc_relay_pidfd, sig, NULL,
			0);
	else if (lc_relay_pid > 0)
		kill((pid_t)lc_relay_pid, sig);
	errno = saved;
}

/*
 * The intermediate process of a pid namespace: outside it, not dumpable,
 * no fds.  Pass signals on, then end as the command ended.  The relay
 * signals are blocked on entry (see lc_exec_fork()).
 */
static void __attribute__((noreturn))
lc_exec_relay(struct lc_exec *x, pid_t pid, const sigset_t *relay)
{
	int status, sig;
	unsigned int i;

	close(x->wfd);
	if (x->tty_fd >= 0)
		close(x->tty_fd);
	lc_relay_pid = pid;
	/* A pidfd cannot hit a recycled pid after the command is reaped. */
	lc_relay_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	sigprocmask(SIG_UNBLOCK, relay, NULL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			_exit(125);
	}
	sigprocmask(SIG_BLOCK, relay, NULL);
	for (i = 0; i < ARRAY_SIZE(lc_relay_sigs); i++)
		signal(lc_relay_sigs[i], SIG_IGN);
	if (WIFSIGNALED(status)) {
		sigset_t one;

		sig = WTERMSIG(status);
		signal(sig, SIG_DFL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
	}
	_exit(lc_exit_code(status));
}

/*
 * Fork the process that runs the command in the pid namespace.  Signals
 * sent to us before we know its pid are held back, not lost: blocked
 * across the fork, then passed on (by us) or taken with their default
 * action (by the child, before it executes anything).
 */
static void lc_exec_fork(struct ctnr_handle *h, struct lc_exec *x)
{
	struct sigaction sa;
	sigset_t relay;
	unsigned int i;
	pid_t pid;
	int err;

	sigemptyset(&relay);
	for (i = 0; i < ARRAY_SIZE(lc_relay_sigs); i++)
		sigaddset(&relay, lc_relay_sigs[i]);
	sigprocmask(SIG_BLOCK, &relay, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lc_relay_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(lc_relay_sigs); i++)
		sigaction(lc_relay_sigs[i], &sa, NULL);

	pid = fork();
	if (pid < 0) {
		err = -errno;
		lc_set_error(h, "cannot fork into the pid namespace of container %s%s",
			     x->plan.what,
			     err == -ENOMEM ? " (its init has exited)" : "");
		lc_exec_fail(h, x, LC_STAGE_ENTER, err);
	}
	if (pid > 0)
		lc_exec_relay(x, pid, &relay);
	lc_default_signals();
	sigprocmask(SIG_UNBLOCK, &relay, NULL);
	/* A session of its own, apart from the intermediate process. */
	if (setsid() < 0) {
		err = -errno;
		lc_set_error(h, "cannot start a session in container %s",
			     x->plan.what);
		lc_exec_fail(h, x, LC_STAGE_ENTER, err);
	}
}

/* Last steps before execve(): terminal, environment, fds. */
static void __attribute__((noreturn))
lc_exec_command(struct ctnr_handle *h, struct lc_exec *x)
{
	char **e;
	int fd, err;

	if (x->flags & CTNR_EXEC_TTY) {
		/* 0: never steal a terminal that is someone's already. */
		if (ioctl(x->tty_fd, TIOCSCTTY, 0) < 0) {
			err = -errno;
			lc_set_error(h, "cannot make the terminal the controlling terminal of the command");
			lc_exec_fail(h, x, LC_STAGE_ENTER, err);
		}
		for (fd = 0; fd < 3; fd++) {
			if (x->flags & (CTNR_EXEC_TTY_STDIN << fd) &&
			    dup2(x->tty_fd, fd) < 0) {
				err = -errno;
				lc_set_error(h, "cannot attach the terminal to fd %d",
					     fd);
				lc_exec_fail(h, x, LC_STAGE_ENTER, err);
			}
		}
		if (x->tty_fd > 2)
			close(x->tty_fd);
	}
	if (geteuid() != 0) {
		for (e = x->envp; *e; e++) {
			if (*e == lc_env_home_root)
				*e = (char *)lc_env_home_user;
		}
	}
	environ = x->envp;
	/* Only the report pipe is left, and it closes on execve(). */
	if (lc_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		err = -errno;
		lc_set_error(h, "cannot close the inherited file descriptors");
		lc_exec_fail(h, x, LC_STAGE_ENTER, err);
	}
	execvp(x->argv[0], x->argv);
	err = -errno;
	lc_set_error(h, "cannot execute %s", x->argv[0]);
	lc_exec_fail(h, x, LC_STAGE_EXEC, err);
}

/*
 * The child: from here on it holds our resources (the namespace fds, the
 * cgroup, whatever the caller leaked) while it walks into a container that
 * may be hostile.  Not dumpable, so nothing in the container can ptrace it
 * or read its /proc files; in a new session, so the caller's terminal is
 * not its controlling terminal; then inside, nothing kept but the report
 * pipe and the terminal.
 */
static void __attribute__((noreturn))
lc_exec_child(struct ctnr_handle *h, struct lc_exec *x)
{
	sigset_t none;
	int err;

	lc_default_signals();
	signal(SIGCHLD, SIG_DFL);	/* we may wait for the command */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		err = -errno;
		lc_set_error(h, "cannot make the process entering container %s non-dumpable",
			     x->plan.what);
		lc_exec_fail(h, x, LC_STAGE_ENTER, err);
	}
	if (setsid() < 0) {
		err = -errno;
		lc_set_error(h, "cannot start a session for container %s",
			     x->plan.what);
		lc_exec_fail(h, x, LC_STAGE_ENTER, err);
	}
	err = lc_plan_apply(h, &x->plan);
	if (err)
		lc_exec_fail(h, x, LC_STAGE_ENTER, err);
	lc_plan_release(&x->plan);
	err = lc_close_fds(x->wfd, x->tty_fd);
	if (err) {
		lc_set_error(h, "cannot close the inherited file descriptors");
		lc_exec_fail(h, x, LC_STAGE_ENTER, err);
	}
	if (x->plan.mask & CLONE_NEWPID)
		lc_exec_fork(h, x);
	lc_exec_command(h, x);
}

/* ---- the caller's side ---- */

/* Copy @o into @d; refuse what this library does not know. */
static int lc_exec_opts(struct ctnr_handle *h, const struct ctnr_exec_opts *o,
			struct ctnr_exec_opts *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->sz = sizeof(*d);
	err = LC_OPTS_VALID(h, o, ctnr_exec_opts);
	if (err)
		return err;
	d->mask = LC_OPTS_GET(o, mask, 0);
	d->flags = LC_OPTS_GET(o, flags, 0);
	d->env = LC_OPTS_GET(o, env, NULL);
	d->tty_fd = LC_OPTS_GET(o, tty_fd, -1);
	if (d->flags & ~CTNR_EXEC_ALL) {
		lc_set_error(h, "unknown exec flags %#x", d->flags & ~CTNR_EXEC_ALL);
		return -EINVAL;
	}
	if (!(d->flags & CTNR_EXEC_TTY)) {
		d->tty_fd = -1;
	} else if (d->tty_fd < 0 || !isatty(d->tty_fd)) {
		lc_set_error(h, "tty_fd %d is not a terminal", d->tty_fd);
		return -EINVAL;
	}
	return 0;
}

static void lc_exec_free(struct lc_exec *x)
{
	lc_plan_release(&x->plan);
	free(x->envp);
	free(x);
}

int ctnr_exec_spawn(struct ctnr_handle *h, uint32_t id, const char *name,
		    char *const argv[], const struct ctnr_exec_opts *opts,
		    int *status)
{
	struct ctnr_exec_opts o;
	struct lc_report r;
	struct lc_exec *x;
	int pfd[2], err, wstatus;
	ssize_t n;
	pid_t pid;

	if (status)
		*status = -1;
	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	if (!argv || !argv[0] || !argv[0][0]) {
		lc_set_error(h, "no command to run");
		return -EINVAL;
	}
	err = lc_exec_opts(h, opts, &o);
	if (err)
		return err;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->argv = argv;
	x->flags = o.flags & ~CTNR_ENTER_ALL;
	x->tty_fd = o.tty_fd;
	err = lc_plan_init(h, id, name, o.mask, o.flags & CTNR_ENTER_ALL,
			   &x->plan);
	if (!err)
		err = lc_exec_env(h, o.env, o.flags, x);
	if (!err && pipe2(pfd, O_CLOEXEC) < 0)
		err = -errno;
	if (err) {
		lc_exec_free(x);
		return err;
	}
	x->wfd = pfd[1];
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		lc_exec_child(h, x);
	}
	err = pid < 0 ? -errno : 0;
	close(pfd[1]);
	lc_exec_free(x);
	if (err) {
		close(pfd[0]);
		return err;
	}

	/* EOF when the command was executed, a report when it was not. */
	do {
		n = read(pfd[0], &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n < (ssize_t)offsetof(struct lc_report, msg))
		return pid;

	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (n < (ssize_t)sizeof(r))
		r.msg[0] = '\0';
	r.msg[sizeof(r.msg) - 1] = '\0';
	lc_set_error(h, "%s", r.msg);
	if (r.err >= 0)
		r.err = -EIO;
	if (r.stage == LC_STAGE_EXEC && status)
		*status = r.err == -ENOENT ? 127 : 126;
	return r.err;
}

int ctnr_exec_run(struct ctnr_handle *h, uint32_t id, const char *name,
		  char *const argv[], const struct ctnr_exec_opts *opts,
		  int *status)
{
	int pid, wstatus;

	if (!status)
		return -EINVAL;
	pid = ctnr_exec_spawn(h, id, name, argv, opts, status);
	if (pid < 0)
		return pid;
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	*status = lc_exit_code(wstatus);
	return 0;
}

int ctnr_exec_ex(struct ctnr_handle *h, uint32_t id, const char *name,
		 uint32_t mask, uint32_t flags, char *const argv[],
		 int *status)
{
	struct ctnr_exec_opts o = CTNR_EXEC_OPTS_INIT;

	if (status)
		*status = -1;
	if (!h || !argv || !argv[0] || !status)
		return -EINVAL;
	if (flags & ~CTNR_ENTER_ALL) {
		lc_clear_error(h);
		lc_set_error(h, "unknown enter flags %#x", flags & ~CTNR_ENTER_ALL);
		return -EINVAL;
	}
	o.mask = mask;
	o.flags = flags;
	return ctnr_exec_run(h, id, name, argv, &o, status);
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
