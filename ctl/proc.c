// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl proc: the /proc views, the module's "ctnrproc" file system.
 *
 *	ctnrctl proc { show | list } [ NAME ]
 *	ctnrctl proc mount [ NAME [ root DIR ] ]
 *
 * proc alone shows.
 * "show" lists the view files and the paths a runtime bind-mounts them
 * over in a container (with NAME: after checking that it exists).
 * "mount" mounts the file system on /run/ctnr/proc when nothing is there
 * yet; with NAME it also bind-mounts every view over DIR/proc/meminfo,
 * ... and DIR/sys/devices/system/cpu/online in the mount namespace of the
 * running container NAME (DIR is "/" by default: the container's root).
 * The views are cloned here (open_tree()), then moved there (move_mount()
 * from a child that joined the container's mount namespace), so nothing
 * of the host's tree needs to be visible in the container.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ctnrctl.h"

#define PROC_MNT	"/run/ctnr/proc"

static const struct {
	const char *view, *target;
} views[] = {
	{ "meminfo",	"/proc/meminfo" },
	{ "cpuinfo",	"/proc/cpuinfo" },
	{ "stat",	"/proc/stat" },
	{ "uptime",	"/proc/uptime" },
	{ "loadavg",	"/proc/loadavg" },
	{ "diskstats",	"/proc/diskstats" },
	{ "swaps",	"/proc/swaps" },
	{ "cpu_online",	"/sys/devices/system/cpu/online" },
};

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE		1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH	0x00000004
#endif

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd,
			  const char *to, unsigned int flags)
{
	return syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static bool views_mounted(void)
{
	struct statfs s;

	return !statfs(PROC_MNT, &s) &&
	       (unsigned long)s.f_type == CTNR_PROCVIEW_MAGIC;
}

/* NAME exists: 0, or the exit status after saying why. */
static int check_name(const char *name, struct ctr_ref *ref)
{
	struct ctnr_handle *h;

	return report(lookup_ref("proc", name, ref, &h), "proc", name);
}

static int proc_show(int argc, char **argv)
{
	char src[sizeof(PROC_MNT) + 32];
	struct ctr_ref ref = { 0 };
	unsigned int i;
	int rc;

	if (argc > 1)
		return usage_error("proc show: unexpected \"%s\"", argv[1]);
	if (argc == 1) {
		rc = check_name(argv[0], &ref);
		if (rc)
			return rc;
	}
	open_json_array(NULL);
	open_json_object(NULL);
	if (argc == 1)
		print_string(PRINT_ANY, "container", "container %s\n",
			     ref.name);
	print_string(PRINT_ANY, "mount", "views %s", PROC_MNT);
	print_bool(PRINT_JSON, "mounted", NULL, views_mounted());
	print_fp("%s\n", views_mounted() ? "" : " (not mounted)");
	open_json_array("files");
	for (i = 0; i < ARRAY_SIZE(views); i++) {
		snprintf(src, sizeof(src), "%s/%s", PROC_MNT, views[i].view);
		open_json_object(NULL);
		print_string(PRINT_ANY, "view", "  %s", src);
		print_string(PRINT_ANY, "target", " -> %s\n",
			     views[i].target);
		close_json_object();
	}
	close_json_array();
	close_json_object();
	close_json_array();
	return print_flush() ? EXIT_FAIL : EXIT_OK;
}

/* Mount the views on PROC_MNT unless they are there already. */
static int mount_views(void)
{
	if (views_mounted())
		return 0;
	if ((mkdir("/run/ctnr", 0755) && errno != EEXIST) ||
	    (mkdir(PROC_MNT, 0755) && errno != EEXIST))
		return op_failed(-errno, "proc mount: mkdir %s", PROC_MNT);
	if (mount(CTNR_PROCVIEW_FS_NAME, PROC_MNT, CTNR_PROCVIEW_FS_NAME,
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return op_failed(-errno, "proc mount: mount -t %s %s",
				 CTNR_PROCVIEW_FS_NAME, PROC_MNT);
	return 0;
}

/*
 * In a child in the container's mount namespace @mntfd: move each clone
 * @fds[i] onto @root + its target.  The child reports one errno per view
 * on @pipe (0: done).
 */
static void __attribute__((noreturn))
bind_child(int mntfd, const int *fds, const char *root, int pipe)
{
	char target[4096];
	unsigned int i;
	int err;

	if (setns(mntfd, CLONE_NEWNS))
		_exit(100);
	for (i = 0; i < ARRAY_SIZE(views); i++) {
		err = 0;
		if (snprintf(target, sizeof(target), "%s%s",
			     strcmp(root, "/") ? root : "",
			     views[i].target) >= (int)sizeof(target))
			err = ENAMETOOLONG;
		else if (sys_move_mount(fds[i], "", AT_FDCWD, target,
					MOVE_MOUNT_F_EMPTY_PATH))
			err = errno;
		if (write(pipe, &err, sizeof(err)) != sizeof(err))
			_exit(101);
	}
	_exit(0);
}

static int bind_views(const char *name, const char *root)
{
	int fds[ARRAY_SIZE(views)], nsfds[__CTNR_NS_MAX], errs[ARRAY_SIZE(views)];
	char src[sizeof(PROC_MNT) + 32];
	struct ctr_ref ref = { 0 };
	struct ctnr_handle *h;
	int p[2], st, err, rc = EXIT_OK;
	unsigned int i, n;
	pid_t pid;

	rc = check_name(name, &ref);
	if (rc)
		return rc;
	h = handle();
	err = ctnr_ns_fds(h, ref.id, NULL, CLONE_NEWNS, nsfds);
	if (err)
		return op_failed(err, "proc mount %s: its mount namespace",
				 name);
	for (i = 0; i < ARRAY_SIZE(views); i++) {
		snprintf(src, sizeof(src), "%s/%s", PROC_MNT, views[i].view);
		fds[i] = sys_open_tree(AT_FDCWD, src,
				       OPEN_TREE_CLONE | O_CLOEXEC);
		if (fds[i] < 0) {
			rc = op_failed(-errno, "proc mount: open_tree %s",
				       src);
			n = i;
			goto out;
		}
	}
	n = i;
	if (pipe2(p, O_CLOEXEC)) {
		rc = op_failed(-errno, "proc mount");
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		bind_child(nsfds[CTNR_NS_MNT], fds, root, p[1]);
	}
	close(p[1]);
	for (i = 0; i < ARRAY_SIZE(views); i++)
		if (pid < 0 || read(p[0], &errs[i], sizeof(errs[i])) !=
		    sizeof(errs[i]))
			errs[i] = pid < 0 ? errno : EIO;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	open_json_object(NULL);
	print_string(PRINT_ANY, "container", "container %s", ref.name);
	print_string(PRINT_ANY, "root", " root %s\n", root);
	open_json_array("files");
	for (i = 0; i < ARRAY_SIZE(views); i++) {
		snprintf(src, sizeof(src), "%s/%s", PROC_MNT, views[i].view);
		open_json_object(NULL);
		print_string(PRINT_ANY, "view", "  %s", src);
		print_string(PRINT_ANY, "target", " -> %s", views[i].target);
		print_string(PRINT_ANY, "result", ": %s\n",
			     errs[i] ? strerror(errs[i]) : "mounted");
		close_json_object();
		if (errs[i])
			rc = EXIT_FAIL;
	}
	close_json_array();
	close_json_object();
	if (print_flush())
		rc = EXIT_FAIL;
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	for (i = 0; i < __CTNR_NS_MAX; i++)
		if (nsfds[i] >= 0)
			close(nsfds[i]);
	return rc;
}

static int proc_mount(int argc, char **argv)
{
	const char *root = "/";
	int rc;

	if (argc == 2 || argc > 3)
		return usage_error("proc mount: expected [ NAME [ root DIR ] ]");
	if (argc == 3) {
		if (!is_prefix(argv[1], "root"))
			return usage_error("proc mount: unknown \"%s\", expected \"root\"",
					   argv[1]);
		root = argv[2];
		if (root[0] != '/')
			return usage_error("proc mount: root \"%s\" is not absolute",
					   root);
	}
	rc = mount_views();
	if (rc || argc == 0)
		return rc;
	return bind_views(argv[0], root);
}

static const struct ctl_cmd proc_cmds[] = {
	CTL_CMD("show",		proc_show),
	CTL_CMD("list",		proc_show),
	CTL_CMD("ls",		proc_show),
	CTL_CMD("mount",	proc_mount),
};

int do_proc(int argc, char **argv)
{
	return run_cmd("proc", proc_cmds, ARRAY_SIZE(proc_cmds), proc_show,
		       argc, argv);
}
