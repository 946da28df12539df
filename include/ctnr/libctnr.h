/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libctnr - C API of the ctnr container management module.
 *
 * The module is driven over generic netlink (family "ctnr") for named
 * objects and over ioctls on /dev/ctnr for everything that hands file
 * descriptors to the caller.  This library hides both behind one opaque
 * handle.  Link with -lctnr (pkg-config libctnr).
 *
 * CONVENTIONS
 *	Every function that can fail returns 0 (or a documented non-negative
 *	value) on success and a negative errno on failure.  The errno is the
 *	kernel's own, never a libnl code.  When the kernel explains a
 *	rejection with an extended-ack message, or the library knows better
 *	than the errno, the text is kept in the handle: see
 *	ctnr_last_error().
 *
 *	Structures returned to the caller are plain structs.  Their has
 *	member is a mask of CTNR_HAS_* bits saying which members the module
 *	filled in; a member whose bit is clear is zero.
 *
 *	A handle is not thread-safe: use one handle per thread, or serialise.
 *	Event callbacks may use the handle; the callback of
 *	ctnr_container_list() may not (calls on it fail with -EBUSY): open a
 *	second handle, or collect the ids and act after the walk.
 *
 *	Namespace masks are CLONE_NEW* bits as in <sched.h>, restricted to
 *	CTNR_NS_FDS_MASK_ALL.
 *
 * OPTIONS STRUCTS
 *	Every struct ctnr_*_opts starts with size_t sz, the size of the
 *	struct the program was built with, and grows only at its end; the
 *	zero of every member is its default.  Declare one with CTNR_OPTS(),
 *	which sets sz and zeroes the rest, padding included:
 *
 *		CTNR_OPTS(ctnr_loop_opts, o, .flags = CTNR_LOOP_F_READ_ONLY);
 *		err = ctnr_loop_attach_file(h, 0, "web", path, &o, &n, NULL);
 *
 *	or set sz to sizeof the struct and memset() the rest to 0.  A NULL
 *	options pointer means every default.  The library accepts
 *	 - a smaller sz, from a program built against an older header: the
 *	   members it does not cover read as 0 (their default);
 *	 - a larger sz, from a program built against a newer header, when
 *	   every byte the library does not know is 0: such a program runs
 *	   on an older library as long as it uses nothing newer.
 *	It refuses, before doing anything, an sz smaller than sizeof(size_t)
 *	with -EINVAL and a non-zero byte it does not know with -E2BIG (as
 *	openat2() and clone3() do); ctnr_last_error() names the byte.
 */
#ifndef LIBCTNR_H
#define LIBCTNR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/ctnr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LIBCTNR_VERSION "MAJOR.MINOR.PATCH" and its three numbers */
#include "libctnr_version.h"

/*
 * CTNR_OPTS - declare and initialise an options struct
 * @TYPE: ctnr_exec_opts, ctnr_loop_opts, ...
 * @NAME: the variable
 * @...: designated initialisers of its members, .flags = ... and so on
 *
 * Zeroes the whole struct, padding included, and sets sz (see OPTIONS
 * STRUCTS above).  A GNU C statement expression, as libbpf's LIBBPF_OPTS().
 */
#define CTNR_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE){						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})

/* Longest cgroup path the library keeps, including the NUL. */
#define CTNR_CGROUP_MAX		4096

/*
 * ctnr_lib_version - version of the library
 *
 * Returns LIBCTNR_VERSION of the library actually loaded, which may be newer
 * than the header a program was built with.
 */
const char *ctnr_lib_version(void);

/* ----------------------------------------------------------------------- */
/* Handle and errors                                                        */
/* ----------------------------------------------------------------------- */

struct ctnr_handle;

/*
 * ctnr_open - connect to the ctnr module
 * @hp: where to store the new handle
 *
 * Opens a generic netlink socket with extended acks enabled and resolves the
 * "ctnr" family and its "events" multicast group.  /dev/ctnr is opened
 * later, by the first call that needs it.
 *
 * Returns 0 and sets *hp, or a negative errno and sets *hp to NULL.
 * Errors:
 *	-ENOENT		the ctnr module is not loaded (no family "ctnr").
 *	-ENOMEM		out of memory.
 *	other		socket errors (-EAFNOSUPPORT, -EMFILE, ...).
 */
int ctnr_open(struct ctnr_handle **hp);

/*
 * ctnr_close - release a handle
 *
 * Closes the netlink socket and /dev/ctnr.  NULL is allowed.
 */
void ctnr_close(struct ctnr_handle *h);

/*
 * ctnr_last_error - explanation of the last failure on a handle
 *
 * Returns the extended-ack message of the last failed request (for example
 * "no such container"), or a message the library composed (for example
 * "container demo is stopped: its pid namespace has no init"), or "" when
 * there is none.  Every call on the handle clears it first.  The string
 * belongs to the handle and stays valid until the next call on it.  A NULL
 * handle gives "".
 */
const char *ctnr_last_error(const struct ctnr_handle *h);

/*
 * ctnr_strerror - describe an error code
 * @err: a negative (or positive) errno as returned by this library
 *
 * Returns a static description.  The vocabulary is the kernel's, with the
 * meanings ctnr gives a few codes: -ENOENT is "No such object" (container,
 * namespace or the module itself), -EEXIST "Already exists", -ENOTTY
 * "Unknown ioctl (module too old?)".  Never NULL.
 */
const char *ctnr_strerror(int err);

/* ----------------------------------------------------------------------- */
/* Module information                                                       */
/* ----------------------------------------------------------------------- */

#define CTNR_INFO_HAS_VERSION	(1U << 0)
#define CTNR_INFO_HAS_ABI	(1U << 1)
#define CTNR_INFO_HAS_FEATURES	(1U << 2)
#define CTNR_INFO_HAS_COUNT	(1U << 3)

struct ctnr_info {
	uint32_t has;				/* CTNR_INFO_HAS_* */
	char version[CTNR_VERSION_LEN];		/* module version */
	uint32_t abi_version;			/* CTNR_ABI_VERSION of module */
	uint64_t features;			/* CTNR_FEAT_* */
	uint32_t count;				/* containers visible to us */
};

/*
 * ctnr_info - what the module is (CTNR_CMD_INFO)
 * @h: handle
 * @info: filled in
 *
 * Anyone may ask.  Returns 0 or a negative errno.
 */
int ctnr_info(struct ctnr_handle *h, struct ctnr_info *info);

/*
 * ctnr_version_ioctl - what the module is, asked through /dev/ctnr
 * @h: handle
 * @info: filled in, without the container count
 *
 * Uses CTNR_IOC_VERSION.  Returns 0 or a negative errno: -ENOENT or -EACCES
 * when /dev/ctnr cannot be opened, -ENOTTY or -EINVAL from an incompatible
 * module.
 */
int ctnr_version_ioctl(struct ctnr_handle *h, struct ctnr_info *info);

/*
 * ctnr_feature_name - name of a CTNR_FEAT_* bit
 * @bit: bit number, 0 for CTNR_FEAT_CONTAINER and so on
 *
 * Returns "container", "exit-track", "devaccess", "kmsg", "loop", or NULL
 * for a bit this library does not know.
 */
const char *ctnr_feature_name(unsigned int bit);

/* ----------------------------------------------------------------------- */
/* Containers                                                               */
/* ----------------------------------------------------------------------- */

#define CTNR_HAS_ID		(1U << 0)
#define CTNR_HAS_NAME		(1U << 1)
#define CTNR_HAS_STATE		(1U << 2)
#define CTNR_HAS_FLAGS		(1U << 3)
#define CTNR_HAS_PID		(1U << 4)
#define CTNR_HAS_OWNER_UID	(1U << 5)
#define CTNR_HAS_OWNER_LEVEL	(1U << 6)
#define CTNR_HAS_CTIME		(1U << 7)
#define CTNR_HAS_CGROUP		(1U << 8)
#define CTNR_HAS_NS		(1U << 9)	/* ns_ino[] */
#define CTNR_HAS_NS_MASK	(1U << 10)

struct ctnr_container {
	uint32_t has;			/* CTNR_HAS_* */
	uint32_t id;			/* never 0, never reused */
	char name[CTNR_NAME_MAX];
	uint32_t state;			/* enum ctnr_state */
	uint32_t flags;			/* CTNR_F_* */
	uint32_t pid;			/* init, in our pid namespace; 0: none */
	uint32_t owner_uid;		/* owner of the owner user namespace */
	uint32_t owner_level;		/* depth of the owner user namespace */
	uint64_t ctime;			/* creation, ns since the epoch */
	uint32_t ns_mask;		/* CLONE_NEW* bits pinned */
	uint32_t ns_ino[__CTNR_NS_MAX];	/* by enum ctnr_ns_type; 0: absent */
	char cgroup[CTNR_CGROUP_MAX];	/* relative to our cgroup namespace */
};

/*
 * ctnr_container_new - register a container (CTNR_CMD_CONTAINER_NEW)
 * @h: handle
 * @name: 1..63 characters of [A-Za-z0-9_.-], unique per owner
 * @pid: source task in the caller's pid namespace, used when @pidfd < 0
 * @pidfd: pidfd of the source task, or -1
 * @flags: CTNR_F_* bits
 * @out: if not NULL, receives the new container
 *
 * The module pins every namespace of the task and its cgroup.  The caller
 * needs CAP_SYS_ADMIN in its user namespace, and the task's user namespace
 * must be the caller's or below it.
 *
 * Returns 0 or a negative errno:
 *	-EEXIST		a container of this name already exists.
 *	-ESRCH		no such process (or it is exiting).
 *	-EINVAL		bad name, pid, pidfd or flags.
 *	-EPERM		not privileged enough.
 */
int ctnr_container_new(struct ctnr_handle *h, const char *name, uint32_t pid,
		       int pidfd, uint32_t flags, struct ctnr_container *out);

/*
 * ctnr_container_del - unregister a container (CTNR_CMD_CONTAINER_DEL)
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name (among those owned by the caller's user namespace)
 *
 * Releases the pinned namespaces, the cgroup and everything attached.
 * Returns 0 or a negative errno: -ENOENT when there is no such container
 * the caller may manage.
 */
int ctnr_container_del(struct ctnr_handle *h, uint32_t id, const char *name);

/*
 * ctnr_container_get - look a container up (CTNR_CMD_CONTAINER_GET doit)
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name
 * @out: filled in
 *
 * Returns 0 or a negative errno: -ENOENT when there is no such container
 * the caller may manage.
 */
int ctnr_container_get(struct ctnr_handle *h, uint32_t id, const char *name,
		       struct ctnr_container *out);

/*
 * ctnr_container_set - change a container's flags (CTNR_CMD_CONTAINER_SET)
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name
 * @flags: the new CTNR_F_* bits (all of them, not a delta)
 *
 * Returns 0 or a negative errno: -ENOENT, -EINVAL for unknown flags.
 */
int ctnr_container_set(struct ctnr_handle *h, uint32_t id, const char *name,
		       uint32_t flags);

/*
 * ctnr_container_cb - called once per container by ctnr_container_list()
 * @c: the container, valid only during the call
 * @arg: the caller's argument
 *
 * Returns 0 to go on, anything else to stop the iteration.
 */
typedef int (*ctnr_container_cb)(const struct ctnr_container *c, void *arg);

/*
 * ctnr_container_list - iterate over every container the caller may see
 * @h: handle
 * @cb: called for each container
 * @arg: passed to @cb
 *
 * A CTNR_CMD_CONTAINER_GET dump.  Containers are delivered as the dump
 * arrives, so the list can be as long as the module allows without the
 * library holding it in memory.  Containers created or deleted during the
 * walk may or may not be seen.
 *
 * @cb must not use @h; see CONVENTIONS.
 *
 * Returns 0 when every container was delivered, the non-zero value @cb
 * returned when it stopped the walk, or a negative errno.
 */
int ctnr_container_list(struct ctnr_handle *h, ctnr_container_cb cb,
			void *arg);

/*
 * ctnr_state_name - "running", "stopped", or "unknown"
 */
const char *ctnr_state_name(uint32_t state);

/* ----------------------------------------------------------------------- */
/* Namespaces                                                               */
/* ----------------------------------------------------------------------- */

/*
 * ctnr_ns_name - short name of a namespace type
 * @type: enum ctnr_ns_type
 *
 * Returns "user", "mnt", "uts", "ipc", "net", "pid", "cgroup" or "time", the
 * names used in /proc/PID/ns, or NULL when @type is out of range.
 */
const char *ctnr_ns_name(unsigned int type);

/*
 * ctnr_ns_clone_flag - CLONE_NEW* bit of a namespace type, 0 if out of range
 */
uint32_t ctnr_ns_clone_flag(unsigned int type);

/*
 * ctnr_ns_parse - parse a comma separated list of namespace names
 * @list: for example "net,uts"; "all" stands for every type
 * @mask: receives the CLONE_NEW* bits
 *
 * Returns 0, or -EINVAL for an empty list, an empty element or an unknown
 * name.
 */
int ctnr_ns_parse(const char *list, uint32_t *mask);

/*
 * ctnr_ns_fds - get namespace fds of a container (CTNR_IOC_NS_FDS)
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name, among those owned by the caller's user namespace
 * @mask: CLONE_NEW* bits of the namespaces wanted
 * @fds: receives an O_CLOEXEC nsfs fd per requested type, -1 for the others,
 *       indexed by enum ctnr_ns_type.  The caller closes them.
 *
 * Needs CAP_SYS_ADMIN over the container's owner user namespace.  Returns 0
 * or a negative errno (all fds are -1 then):
 *	-ENOENT		no such container, or it did not pin a requested
 *			namespace.
 *	-ESRCH		the pid namespace was asked for and the container is
 *			stopped.
 *	-EINVAL		unknown mask bits, bad name.
 *	-EPERM		not privileged over the container.
 */
int ctnr_ns_fds(struct ctnr_handle *h, uint32_t id, const char *name,
		uint32_t mask, int fds[__CTNR_NS_MAX]);

/* Flags of ctnr_enter_ex() and ctnr_exec_ex(). */
#define CTNR_ENTER_NO_CGROUP	(1U << 0)	/* do not join its cgroup */
#define CTNR_ENTER_KEEP_CREDS	(1U << 1)	/* no setuid(0) in its userns */
#define CTNR_ENTER_ALL		(CTNR_ENTER_NO_CGROUP | CTNR_ENTER_KEEP_CREDS)

/*
 * ctnr_enter - move the calling process into a container
 * @h: handle
 * @name: container name
 * @mask: CLONE_NEW* bits of the namespaces to enter; 0 means every
 *        namespace the container pinned
 *
 * Equivalent to ctnr_enter_ex(h, 0, name, mask, 0).
 */
int ctnr_enter(struct ctnr_handle *h, const char *name, uint32_t mask);

/*
 * ctnr_enter_ex - move the calling process into a container
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name
 * @mask: CLONE_NEW* bits; 0 means every namespace the container pinned
 * @flags: CTNR_ENTER_* bits
 *
 * In this order:
 *  1. looks the container up and gets the namespace fds from the module
 *     (race-free: they refer to the pinned namespaces, not to a pid);
 *  2. joins the container's cgroup, unless CTNR_ENTER_NO_CGROUP, by writing
 *     to cgroup.procs under the cgroup2 mount the caller sees (nothing to
 *     do when the caller is already in it or below it).  When the cgroup
 *     has controllers enabled (any systemd init enables some), cgroup v2
 *     refuses processes in it (-EBUSY): the caller joins the leaf
 *     ".ctnr-exec" below it instead, created on demand, as LXC joins
 *     ".lxc".  The leaf is inside the container's cgroup, so the
 *     container's device rules bind it as they bind the container;
 *  3. calls setns() for each requested namespace the caller is not already
 *     in: first every namespace but the user namespace, then the user
 *     namespace, then those that failed for lack of privilege before it.
 *     A privileged caller thus enters everything with its own privileges
 *     and drops into the user namespace last; an unprivileged owner of the
 *     user namespace gains the capabilities to enter the rest from it;
 *  4. after entering a user namespace, unless CTNR_ENTER_KEEP_CREDS, drops
 *     supplementary groups and becomes uid and gid 0 in it (when 0 is
 *     mapped there; else the ids stay, shown as the overflow id).
 *
 * The pid namespace (and, for children, the time namespace) only applies to
 * children created afterwards: fork after this call, or use ctnr_exec().
 * setns() into user, mount and time namespaces requires a single-threaded
 * caller.  On failure the process may be partly inside the container; call
 * this in a child that exits on failure.  The container may be hostile:
 * make that child non-dumpable and close what it must not take along
 * first, as ctnr_exec_spawn() does, or use ctnr_exec_spawn().
 *
 * Returns 0 or a negative errno; ctnr_last_error() says which step failed.
 *	-ESRCH		the container is stopped and pid was requested.
 *	-ENOENT		no such container, or a namespace it did not pin,
 *			or no cgroup2 mount to join its cgroup through.
 *	-EPERM		not privileged enough for a setns() or the module.
 *	-EINVAL		unknown mask bits or flags, multithreaded caller.
 */
int ctnr_enter_ex(struct ctnr_handle *h, uint32_t id, const char *name,
		  uint32_t mask, uint32_t flags);

/*
 * ctnr_exec - run a command inside a container and wait for it
 * @h: handle
 * @name: container name
 * @mask: as for ctnr_enter()
 * @argv: command and arguments, NULL terminated; argv[0] is looked up in
 *        PATH inside the container
 * @status: receives the command's exit status, 128 + signal number if it was
 *          killed, or -1 if it never ran
 *
 * Equivalent to ctnr_exec_ex(h, 0, name, mask, 0, argv, status).
 */
int ctnr_exec(struct ctnr_handle *h, const char *name, uint32_t mask,
	      char *const argv[], int *status);

/*
 * ctnr_exec_ex - run a command inside a container and wait for it
 * @h, @id, @name, @mask, @flags: as for ctnr_enter_ex()
 * @argv, @status: as for ctnr_exec()
 *
 * ctnr_exec_run() with opts { mask, flags } and no terminal: the command
 * runs in a session of its own, with the default environment, the caller's
 * stdin, stdout and stderr and no other file descriptor; its working
 * directory is the root of the container's mount namespace when that was
 * entered.  SIGCHLD must not be ignored.
 *
 * Returns 0 when the command ran (its status is in *status), or a negative
 * errno when it did not; then ctnr_last_error() says why, and *status is
 * 127 (command not found) or 126 (not executable) when only the exec
 * failed, -1 otherwise.
 */
int ctnr_exec_ex(struct ctnr_handle *h, uint32_t id, const char *name,
		 uint32_t mask, uint32_t flags, char *const argv[],
		 int *status);

/*
 * Flags of struct ctnr_exec_opts, next to the CTNR_ENTER_* bits.
 *
 * CTNR_EXEC_KEEP_ENV	start from the caller's whole environment instead
 *			of the default one (see ctnr_exec_spawn()).
 * CTNR_EXEC_TTY_STDIN, _STDOUT, _STDERR
 *			make tty_fd the command's stdin, stdout or stderr.
 *			With any of them tty_fd, which must be a terminal
 *			nobody has as its controlling terminal (the slave
 *			side of a fresh pty), becomes the command's
 *			controlling terminal.
 */
#define CTNR_EXEC_KEEP_ENV	(1U << 16)
#define CTNR_EXEC_TTY_STDIN	(1U << 17)
#define CTNR_EXEC_TTY_STDOUT	(1U << 18)
#define CTNR_EXEC_TTY_STDERR	(1U << 19)
#define CTNR_EXEC_TTY		(CTNR_EXEC_TTY_STDIN | CTNR_EXEC_TTY_STDOUT | \
				 CTNR_EXEC_TTY_STDERR)
#define CTNR_EXEC_ALL		(CTNR_ENTER_ALL | CTNR_EXEC_KEEP_ENV | \
				 CTNR_EXEC_TTY)

/*
 * Options of ctnr_exec_spawn() and ctnr_exec_run(), an options struct
 * (OPTIONS STRUCTS above): declare it with CTNR_OPTS(ctnr_exec_opts, o,
 * ...), or initialise it with CTNR_EXEC_OPTS_INIT.  tty_fd is only read
 * with a CTNR_EXEC_TTY_* flag.
 */
struct ctnr_exec_opts {
	size_t sz;			/* sizeof(struct ctnr_exec_opts) */
	uint32_t mask;			/* CLONE_NEW*; 0: every one pinned */
	uint32_t flags;			/* CTNR_ENTER_* and CTNR_EXEC_* */
	const char *const *env;		/* changes to the environment, or NULL */
	int tty_fd;			/* terminal of CTNR_EXEC_TTY_* */
};

#define CTNR_EXEC_OPTS_INIT	{ .sz = sizeof(struct ctnr_exec_opts) }

/*
 * ctnr_exec_spawn - start a command inside a container
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name, among those owned by the caller's user namespace
 * @argv: command and arguments, NULL terminated; argv[0] is looked up in
 *	the command's PATH inside the container
 * @opts: namespaces, flags, environment and terminal; NULL for defaults
 * @status: if not NULL, receives 127 (not found) or 126 (not executable)
 *	when the container was entered but the command could not be run, -1
 *	otherwise
 *
 * Forks a child that enters the container as ctnr_enter_ex() does and, when
 * the pid namespace is entered, forks once more so that the command runs
 * inside it; that intermediate process stays outside the container's pid
 * namespace, forwards SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1 and SIGUSR2
 * to the command and ends as the command ended (the same exit status, or
 * killed by the same signal), so that the caller reaps one process whatever
 * the namespaces.
 *
 * The process that enters the container does not trust it:
 *  - it is not dumpable (PR_SET_DUMPABLE 0) from before the first setns()
 *    until the execve(), so that no process in the container can ptrace
 *    it or open its /proc files while it holds the caller's resources;
 *  - the command runs in a session of its own (setsid()): the caller's
 *    terminal is never its controlling terminal, so it cannot TIOCSTI
 *    into the caller's shell or get at the terminal through /dev/tty;
 *  - every file descriptor above 2 is closed (close_range()); stdin,
 *    stdout and stderr are the caller's, except those replaced by tty_fd;
 *  - the signal mask is empty;
 *  - the environment is not the caller's.  By default it is
 *	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
 *	HOME=/root (HOME=/ when the command does not run as uid 0)
 *	TERM=<the caller's TERM>, if the caller has one;
 *    CTNR_EXEC_KEEP_ENV starts from the caller's environment instead.  Then
 *    each entry of opts->env applies in order: "VAR=VALUE" sets VAR, "VAR"
 *    alone takes VAR from the caller's environment (or removes it when the
 *    caller has none).
 * The joined cgroup is the container's, or when that cgroup has
 * controllers enabled in cgroup.subtree_control (cgroup v2 then allows no
 * process in it) a leaf cgroup ".ctnr-exec" below it, created on demand
 * and left in place: it is inside the container's cgroup, so every rule of
 * the container binds the command there too.
 *
 * Returns when the command was executed, or failed to be: the pid of the
 * child, which the caller must reap with waitpid() (SIGCHLD must not be
 * ignored), or a negative errno; then ctnr_last_error() says why and there
 * is no child left.
 *	-EINVAL		bad argv, opts (sz too small, unknown flags, tty_fd
 *			not a terminal) or env entry; other errors as
 *			ctnr_enter_ex() and execve().
 *	-E2BIG		@opts sets a member this library does not know.
 */
int ctnr_exec_spawn(struct ctnr_handle *h, uint32_t id, const char *name,
		    char *const argv[], const struct ctnr_exec_opts *opts,
		    int *status);

/*
 * ctnr_exec_run - ctnr_exec_spawn(), then wait for the command
 * @status: receives the command's exit status, 128 + signal number if it
 *	was killed; when the command did not run, as for ctnr_exec_spawn()
 *
 * Returns 0 when the command ran, or a negative errno.
 */
int ctnr_exec_run(struct ctnr_handle *h, uint32_t id, const char *name,
		  char *const argv[], const struct ctnr_exec_opts *opts,
		  int *status);

/*
 * ctnr_whoami - the container the caller is in (CTNR_IOC_WHOAMI)
 * @h: handle
 * @id: receives the id of the innermost container whose cgroup contains the
 *      caller
 * @name: if not NULL, a CTNR_NAME_MAX buffer receiving its name, or "" when
 *        the caller may not see the container
 *
 * Returns 0, -ENOENT when the caller is in no container, or another
 * negative errno.
 */
int ctnr_whoami(struct ctnr_handle *h, uint32_t *id, char *name);

/* ----------------------------------------------------------------------- */
/* Events                                                                   */
/* ----------------------------------------------------------------------- */

#define CTNR_EV_HAS_DEV		(1U << 0)	/* dev_* and task_* */
#define CTNR_EV_HAS_LOG_DROPPED	(1U << 1)
#define CTNR_EV_HAS_LOOP_INDEX	(1U << 2)

struct ctnr_event_info {
	uint32_t type;			/* enum ctnr_event */
	struct ctnr_container c;	/* what the module sent about it */
	uint32_t has;			/* CTNR_EV_HAS_*: the fields below */
	uint32_t dev_type;		/* DEV_DENIED: enum ctnr_dev_type */
	uint32_t dev_major, dev_minor;	/* CTNR_DEV_ANY never appears */
	uint32_t dev_access;		/* CTNR_DEV_ACC_* asked for */
	uint32_t task_pid;		/* in the initial pid namespace */
	char task_comm[16];
	uint64_t log_dropped;		/* LOG_DROPPED: records dropped */
	uint32_t loop_index;		/* LOOP_*: N of /dev/ctnrloopN */
};

/*
 * ctnr_event_cb - called once per event
 * @ev: the event, valid only during the call
 * @arg: the caller's argument
 *
 * Returns 0 to go on, anything else to stop.
 */
typedef int (*ctnr_event_cb)(const struct ctnr_event_info *ev, void *arg);

/*
 * ctnr_event_name - "new", "del", "stopped", "dev-denied", "log-dropped",
 * "loop-attached", "loop-detached", or "unknown"
 */
const char *ctnr_event_name(uint32_t type);

/*
 * ctnr_monitor - deliver events until told to stop
 * @h: handle
 * @cb: called for each event
 * @arg: passed to @cb
 *
 * Subscribes a socket of its own to the "events" group (the handle stays
 * free for requests from @cb) and blocks.  Events are only sent in the
 * initial network namespace, and subscribing needs CAP_SYS_ADMIN.
 *
 * Returns the non-zero value @cb returned, or a negative errno:
 *	-ENOBUFS	events were lost because the caller was too slow.
 *	-EINTR		a signal interrupted the wait.
 *	-EOPNOTSUPP	the module has no events group.
 *	-EPERM		not allowed to subscribe.
 */
int ctnr_monitor(struct ctnr_handle *h, ctnr_event_cb cb, void *arg);

/* The same, for callers with an event loop of their own. */
struct ctnr_monitor;

/*
 * ctnr_monitor_open - subscribe to events
 * @h: handle, used for the family; must outlive the monitor
 * @mp: receives the monitor
 *
 * Returns 0 or a negative errno (see ctnr_monitor()).
 */
int ctnr_monitor_open(struct ctnr_handle *h, struct ctnr_monitor **mp);

/*
 * ctnr_monitor_fd - file descriptor to poll() for POLLIN
 */
int ctnr_monitor_fd(const struct ctnr_monitor *m);

/*
 * ctnr_monitor_read - deliver pending events
 * @m: monitor
 * @timeout_ms: how long to wait for the first event: -1 forever, 0 not at all
 * @cb: called for each event
 * @arg: passed to @cb
 *
 * Delivers every event already queued, or waits for one.  Stops early when
 * @cb returns non-zero; the events after it stay queued.
 *
 * Returns the number of events delivered (0 on timeout), or a negative
 * errno: -ENOBUFS when events were lost (the monitor stays usable),
 * -EINTR when a signal interrupted the wait.
 */
int ctnr_monitor_read(struct ctnr_monitor *m, int timeout_ms,
		      ctnr_event_cb cb, void *arg);

/*
 * ctnr_monitor_close - unsubscribe and free; NULL is allowed
 */
void ctnr_monitor_close(struct ctnr_monitor *m);

/* ----------------------------------------------------------------------- */
/* Container logs (the syslog namespace)                                    */
/* ----------------------------------------------------------------------- */

/*
 * Every container has a log of its own, read by processes in it through
 * /dev/ctnr-kmsg with /dev/kmsg semantics, and from outside with these
 * calls.  Reading needs CAP_SYSLOG in the container's user namespace on top
 * of the right to manage the container.
 */

#define CTNR_LOG_TEXT_MAX	1024	/* room for the text of any record */

struct ctnr_log_record {
	uint32_t id;			/* the container */
	uint64_t seq;			/* from 0, one per record */
	uint64_t ts_usec;		/* us since boot, as /dev/kmsg */
	uint32_t facility;		/* 0 kern (the module), 1 user, ... */
	uint32_t level;			/* 0 emerg .. 7 debug */
	uint32_t flags;			/* CTNR_LOG_F_* */
	uint32_t text_len;		/* bytes in text, without the NUL */
	char text[CTNR_LOG_TEXT_MAX + 1];	/* raw bytes, NUL-terminated */
};

/*
 * ctnr_log_cb - called once per record
 * @r: the record, valid only during the call
 * @arg: the caller's argument
 *
 * Returns 0 to go on, anything else to stop.
 */
typedef int (*ctnr_log_cb)(const struct ctnr_log_record *r, void *arg);

/* from_seq of ctnr_log_get(): start after the last ctnr_log_clear(). */
#define CTNR_LOG_FROM_CLEAR	(-1)

/*
 * ctnr_log_get - read a container's log (CTNR_CMD_LOG_GET dump)
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name
 * @from_seq: first sequence number wanted; older records that are gone are
 *	skipped.  CTNR_LOG_FROM_CLEAR: the first record after the last clear,
 *	as dmesg shows it.
 * @cb: called for each record, oldest first (may be NULL)
 * @arg: passed to @cb
 * @next_seq: if not NULL and a record was delivered, receives the sequence
 *	number after the last one: pass it as @from_seq to read on
 *
 * Returns 0, the non-zero value @cb returned, or a negative errno:
 *	-ENOENT		no such container the caller may manage.
 *	-EPERM		no CAP_SYSLOG in the container's user namespace.
 */
int ctnr_log_get(struct ctnr_handle *h, uint32_t id, const char *name,
		 int64_t from_seq, ctnr_log_cb cb, void *arg,
		 uint64_t *next_seq);

/*
 * ctnr_log_follow - ctnr_log_get(), then every @interval_ms (0: 250) the
 * records that came since, until @cb returns non-zero, a signal arrives
 * (-EINTR) or the container is deleted (0).  Other errors as
 * ctnr_log_get().
 */
int ctnr_log_follow(struct ctnr_handle *h, uint32_t id, const char *name,
		    int64_t from_seq, int interval_ms, ctnr_log_cb cb,
		    void *arg);

/*
 * ctnr_log_clear - clear a container's log (CTNR_CMD_LOG_CLEAR)
 *
 * Like dmesg -C: the records stay until overwritten, but dmesg in the
 * container and CTNR_LOG_FROM_CLEAR start after them.  Same permission and
 * errors as ctnr_log_get().
 */
int ctnr_log_clear(struct ctnr_handle *h, uint32_t id, const char *name);

/*
 * ctnr_log_set_size - resize a container's log buffer
 * @bytes: CTNR_LOG_SIZE_MIN..CTNR_LOG_SIZE_MAX
 *
 * Keeps the newest records that fit.  Needs the right to manage the
 * container.  Returns 0 or a negative errno: -ENOENT, -EINVAL for a size out
 * of range, -ENOMEM.
 */
int ctnr_log_set_size(struct ctnr_handle *h, uint32_t id, const char *name,
		      uint32_t bytes);

#define CTNR_LOG_HAS_SIZE	(1U << 0)
#define CTNR_LOG_HAS_DROPPED	(1U << 1)

struct ctnr_log_info {
	uint32_t has;			/* CTNR_LOG_HAS_* */
	uint32_t size;			/* buffer bytes */
	uint64_t dropped;		/* writes dropped by the rate limit */
};

/*
 * ctnr_log_info - a container's log size and drop count
 *
 * Returns 0 or a negative errno: -ENOENT, -EOPNOTSUPP when the module has
 * no container logs.
 */
int ctnr_log_info(struct ctnr_handle *h, uint32_t id, const char *name,
		  struct ctnr_log_info *out);

/* "kern", "user", ... "local7"; "warn", "info", ...; else "unknown". */
const char *ctnr_log_facility_name(uint32_t facility);
const char *ctnr_log_level_name(uint32_t level);

/* ----------------------------------------------------------------------- */
/* Device access rules                                                      */
/* ----------------------------------------------------------------------- */

/*
 * Per container, the semantics of one cgroup of the v1 "devices"
 * controller: a default (CTNR_DEV_ALLOW or CTNR_DEV_DENY) and at most one
 * exception per (type b or c, major, minor), whose access bits merge when
 * added and are subtracted when removed.  With default allow an access is
 * refused when an exception of the device shares any access bit with it;
 * with default deny it is granted only when one exception covers all of
 * its bits.  Type a is no exception: as in v1 it is the reset of the
 * default (ctnr_dev_allow()/ctnr_dev_deny() take it).  A task obeys every
 * container whose cgroup contains its own.  Changing a container's rules
 * or default needs CAP_SYS_ADMIN over the parent of its owner user
 * namespace (a container cannot loosen its own rules), and while a policy
 * is in force over the namespace that imposed it; reading them, the right
 * to manage the container.
 */

#define CTNR_DEV_MAJOR_MAX	4095		/* largest major of the kernel */
#define CTNR_DEV_MINOR_MAX	1048575		/* largest minor */

struct ctnr_dev_rule {
	uint32_t type;			/* enum ctnr_dev_type */
	uint32_t major;			/* or CTNR_DEV_ANY */
	uint32_t minor;			/* or CTNR_DEV_ANY */
	uint32_t access;		/* CTNR_DEV_ACC_* bits, not 0 */
};

/*
 * ctnr_dev_rule_add - add to an exception (CTNR_CMD_DEV_RULE_ADD)
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name
 * @r: the exception, type b or c
 *
 * Merges @r's access bits into the exception of its type, major and minor,
 * creating it: "c 1:3 r" then "c 1:3 w" is "c 1:3 rw".  Adding what is
 * there changes nothing.  Returns 0 or a negative errno:
 *	-ENOENT		no such container the caller may manage.
 *	-EPERM		not privileged over the owner's parent namespace, or
 *			over the namespace that imposed the policy.
 *	-EINVAL		bad type (a included), major, minor or access; the
 *			container's cgroup is the root cgroup.
 *	-ENOSPC		CTNR_DEV_RULES_MAX exceptions already.
 *	-EOPNOTSUPP	the module cannot enforce rules on this kernel, or
 *			its hook lapsed (ctnr_hook_list()).
 */
int ctnr_dev_rule_add(struct ctnr_handle *h, uint32_t id, const char *name,
		      const struct ctnr_dev_rule *r);

/*
 * ctnr_dev_rule_del - remove from an exception (CTNR_CMD_DEV_RULE_DEL)
 *
 * Removes @r's access bits from the exception of its type, major and
 * minor, and the exception when none are left; -ENOENT when there is no
 * exception of that type, major and minor.  Other errors as
 * ctnr_dev_rule_add().
 */
int ctnr_dev_rule_del(struct ctnr_handle *h, uint32_t id, const char *name,
		      const struct ctnr_dev_rule *r);

/*
 * ctnr_dev_allow, ctnr_dev_deny - as writing @r to devices.allow or
 * devices.deny of a v1 cgroup (CTNR_CMD_DEV_ALLOW, CTNR_CMD_DEV_DENY)
 *
 * Type a ("a", or "a *:* rwm") sets the default to allow or deny and
 * removes every exception.  Any other rule is added to the exceptions
 * (as ctnr_dev_rule_add()) when the default is the opposite of the file,
 * and its bits removed from them (as ctnr_dev_rule_del(), but removing what
 * is not there is no error) when the default is the same; the module
 * decides atomically.  Errors as ctnr_dev_rule_add().
 */
int ctnr_dev_allow(struct ctnr_handle *h, uint32_t id, const char *name,
		   const struct ctnr_dev_rule *r);
int ctnr_dev_deny(struct ctnr_handle *h, uint32_t id, const char *name,
		  const struct ctnr_dev_rule *r);

/*
 * ctnr_dev_set_default - set the default (CTNR_A_DEV_DEFAULT)
 * @deflt: CTNR_DEV_ALLOW or CTNR_DEV_DENY
 *
 * As writing "a" to devices.allow or devices.deny in cgroup v1, this
 * removes every exception, even when the default does not change.  A deny
 * default on a container of the root cgroup is -EINVAL.  Other errors as
 * ctnr_dev_rule_add().
 */
int ctnr_dev_set_default(struct ctnr_handle *h, uint32_t id,
			 const char *name, uint32_t deflt);

/*
 * ctnr_dev_policy_set - set a whole policy at once (CTNR_CMD_DEV_POLICY_SET)
 * @deflt: CTNR_DEV_ALLOW or CTNR_DEV_DENY
 * @rules: @n exceptions, type b or c (the same device twice merges), at
 *	most CTNR_DEV_RULES_MAX
 *
 * The module checks everything, then replaces the old default and
 * exceptions in one step: a running container sees the old policy or the
 * new one, never one without its /dev/null.  Errors as
 * ctnr_dev_rule_add(); on error nothing changed.
 */
int ctnr_dev_policy_set(struct ctnr_handle *h, uint32_t id, const char *name,
			uint32_t deflt, const struct ctnr_dev_rule *rules,
			unsigned int n);

/*
 * ctnr_dev_preset - apply a named policy
 * @preset: "lxc": default deny; c *:* m, b *:* m; rwm on null, zero, full,
 *	random, urandom, tty, console, ptmx, pts/N, fuse and net/tun
 *
 * Replaces the container's policy by the preset in one step
 * (ctnr_dev_policy_set()).  Returns 0, -EINVAL for an unknown preset, or an
 * error of ctnr_dev_policy_set().
 */
int ctnr_dev_preset(struct ctnr_handle *h, uint32_t id, const char *name,
		    const char *preset);

/*
 * ctnr_dev_preset_rules - the exceptions of a preset, NULL if unknown
 * @n: if not NULL, receives their number
 */
const struct ctnr_dev_rule *ctnr_dev_preset_rules(const char *preset,
						  unsigned int *n);

/*
 * ctnr_dev_rule_cb - called once per rule by ctnr_dev_rule_list()
 * @r: the rule, valid only during the call
 * @index: its position, from 0, in the order the rules were added
 *
 * Returns 0 to go on, anything else to stop.
 */
typedef int (*ctnr_dev_rule_cb)(const struct ctnr_dev_rule *r,
				uint32_t index, void *arg);

/*
 * ctnr_dev_rule_list - the exceptions of a container, in order
 * (CTNR_CMD_DEV_RULE_GET dump)
 *
 * Returns 0, the non-zero value @cb returned, or a negative errno:
 * -ENOENT, or -EAGAIN when the rules changed while they were listed (the
 * listing may then be incomplete: ask again).
 */
int ctnr_dev_rule_list(struct ctnr_handle *h, uint32_t id, const char *name,
		       ctnr_dev_rule_cb cb, void *arg);

#define CTNR_DEV_HAS_DEFAULT	(1U << 0)
#define CTNR_DEV_HAS_COUNT	(1U << 1)

struct ctnr_dev_info {
	uint32_t has;			/* CTNR_DEV_HAS_* */
	uint32_t deflt;			/* enum ctnr_dev_default */
	uint32_t count;			/* exceptions */
};

/*
 * ctnr_dev_info - a container's device default and number of rules
 *
 * Returns 0 or a negative errno: -ENOENT, -EOPNOTSUPP when the module has
 * no device rules.
 */
int ctnr_dev_info(struct ctnr_handle *h, uint32_t id, const char *name,
		  struct ctnr_dev_info *out);

/*
 * ctnr_dev_rule_parse - parse a rule written as in cgroup v1
 * @s: "TYPE MAJOR:MINOR ACCESS", for example "c 1:3 rwm" or "b 8:* r":
 *	TYPE a, b or c; MAJOR 0..CTNR_DEV_MAJOR_MAX or *; MINOR
 *	0..CTNR_DEV_MINOR_MAX or *; ACCESS a non-empty subset of rwm.
 *	"a" alone is the v1 reset line, as "a *:* rwm".
 *
 * Returns 0, -EINVAL for bad syntax, -ERANGE for a number out of range.
 */
int ctnr_dev_rule_parse(const char *s, struct ctnr_dev_rule *r);

/* The same, with the three fields apart (as on a command line). */
int ctnr_dev_rule_parse_args(const char *type, const char *majmin,
			     const char *access, struct ctnr_dev_rule *r);

/*
 * ctnr_dev_rule_format - write @r as "c 1:3 rwm" into @buf
 *
 * Returns the length, or -ENOSPC when @len is too small (24 always does).
 */
int ctnr_dev_rule_format(const struct ctnr_dev_rule *r, char *buf,
			 size_t len);

/* "allow", "deny" or "unknown". */
const char *ctnr_dev_default_name(uint32_t deflt);

/*
 * Hooks: the kernel functions the module diverts to enforce (device checks:
 * "devaccess").  A hook proves at every arming and every few seconds that
 * it diverts calls; when it does not, it is "lapsed" and what depends on it
 * fails with -EOPNOTSUPP.
 */
#define CTNR_HOOK_HAS_MODE	(1U << 0)
#define CTNR_HOOK_HAS_MISSED	(1U << 1)
#define CTNR_HOOK_HAS_REASON	(1U << 2)

struct ctnr_hook_info {
	uint32_t has;			/* CTNR_HOOK_HAS_* */
	char name[32];			/* "devaccess" */
	uint32_t state;			/* enum ctnr_hook_state */
	char mode[16];			/* "ftrace" or "int3" */
	uint64_t missed;		/* calls the kprobe let through unseen */
	char reason[256];		/* why it is unavailable or lapsed */
};

/* Called once per hook by ctnr_hook_list(); non-zero stops. */
typedef int (*ctnr_hook_cb)(const struct ctnr_hook_info *hi, void *arg);

/*
 * ctnr_hook_list - the module's hooks (CTNR_A_HOOK of CTNR_CMD_INFO)
 *
 * Anyone may ask.  Returns 0, what @cb returned if not 0, or a negative
 * errno.  A module without hooks calls @cb never.
 */
int ctnr_hook_list(struct ctnr_handle *h, ctnr_hook_cb cb, void *arg);

/* "unavailable", "idle", "enforcing", "lapsed" or "unknown". */
const char *ctnr_hook_state_name(uint32_t state);

/* ----------------------------------------------------------------------- */
/* Loop devices (ctnrloop)                                                  */
/* ----------------------------------------------------------------------- */

/*
 * /dev/ctnrloopN: a block device over a regular file that belongs to one
 * container.  Only the container's tasks (and host root outside every
 * container) may open it; it counts against the container's quota and is
 * detached when the container is deleted (at its last close if open).
 * Attaching and detaching need CAP_SYS_ADMIN in the container's user
 * namespace; setting the quota, CAP_SYS_ADMIN over the parent of the
 * container's owner user namespace.
 */

#define CTNR_LOOP_PATH_MAX	4096	/* backing file path, with the NUL */

/* An options struct (OPTIONS STRUCTS above): use CTNR_OPTS(). */
struct ctnr_loop_opts {
	size_t sz;			/* sizeof(struct ctnr_loop_opts) */
	uint32_t flags;			/* CTNR_LOOP_F_READ_ONLY, _DIRECT_IO */
	uint64_t offset;		/* bytes, a multiple of block_size */
	uint64_t sizelimit;		/* bytes, 0: up to the end */
	uint32_t block_size;		/* 512 or 4096; 0 means 512 */
};

/*
 * ctnr_loop_attach - attach a file as a ctnrloop device of a container
 * @h: handle
 * @id: container id, or 0 to use @name
 * @name: container name (among those owned by the caller's user namespace)
 * @backing_fd: an open regular file, read-write unless read-only is asked
 * @opts: flags, offset, size limit and block size; NULL for defaults
 * @index: if not NULL, receives N of /dev/ctnrloopN
 * @fd: if not NULL, receives an O_CLOEXEC open fd of the new device (so no
 *	device node is needed), read-only for a read-only device
 *
 * The device holds its own reference to the file: @backing_fd may be
 * closed afterwards.  Returns 0 or a negative errno, explained by
 * ctnr_last_error():
 *	-ENOENT		no such container the caller may see.
 *	-EPERM		no CAP_SYS_ADMIN in the container's user namespace.
 *	-EDQUOT		the container's quota is reached.
 *	-ENOSPC		every device of the module is taken.
 *	-EBADF		@backing_fd is not open, or not for writing when the
 *			device is read-write.
 *	-EISDIR		@backing_fd is a directory.
 *	-EINVAL		not a regular file, opened for appending, bad offset,
 *			size limit, block size or flags.
 *	-EOPNOTSUPP	direct I/O impossible on this file at this offset and
 *			block size.
 *	-E2BIG		@opts sets a member this library does not know
 *			(-EINVAL when its sz is too small).
 */
int ctnr_loop_attach(struct ctnr_handle *h, uint32_t id, const char *name,
		     int backing_fd, const struct ctnr_loop_opts *opts,
		     uint32_t *index, int *fd);

/*
 * ctnr_loop_attach_file - the same with a path, opened read-write, or
 * read-only for CTNR_LOOP_F_READ_ONLY, by the caller
 */
int ctnr_loop_attach_file(struct ctnr_handle *h, uint32_t id,
			  const char *name, const char *path,
			  const struct ctnr_loop_opts *opts, uint32_t *index,
			  int *fd);

/*
 * ctnr_loop_detach - detach /dev/ctnrloopN
 * @flags: CTNR_LOOP_DETACH_F_LAZY to detach a mounted or exclusively open
 *	device at its last close
 *
 * A device nobody has open is gone when this returns (I/O in flight
 * completed); one open only non-exclusively goes at its last close, and
 * refuses new opens meanwhile.  Returns 0 or a negative errno: -ENOENT no
 * such device, -EPERM not a device of a container the caller administers,
 * -EBUSY mounted or open exclusively, -EALREADY already being detached.
 */
int ctnr_loop_detach(struct ctnr_handle *h, uint32_t index, uint32_t flags);

#define CTNR_LOOP_HAS_ID		(1U << 0)
#define CTNR_LOOP_HAS_NAME		(1U << 1)
#define CTNR_LOOP_HAS_INDEX		(1U << 2)
#define CTNR_LOOP_HAS_PATH		(1U << 3)
#define CTNR_LOOP_HAS_OFFSET		(1U << 4)
#define CTNR_LOOP_HAS_SIZE		(1U << 5)
#define CTNR_LOOP_HAS_FLAGS		(1U << 6)
#define CTNR_LOOP_HAS_BLOCK_SIZE	(1U << 7)
#define CTNR_LOOP_HAS_RBYTES		(1U << 8)
#define CTNR_LOOP_HAS_WBYTES		(1U << 9)

struct ctnr_loop_dev {
	uint32_t has;			/* CTNR_LOOP_HAS_* */
	uint32_t id;			/* owning container */
	char name[CTNR_NAME_MAX];
	uint32_t index;			/* N of /dev/ctnrloopN */
	char path[CTNR_LOOP_PATH_MAX];	/* backing file, from our root */
	uint64_t offset;		/* bytes */
	uint64_t size;			/* bytes */
	uint32_t flags;			/* CTNR_LOOP_F_* and _DETACHING */
	uint32_t block_size;
	uint64_t rbytes;		/* read through the device */
	uint64_t wbytes;		/* written through the device */
};

/* Called once per device by ctnr_loop_list(); non-zero stops. */
typedef int (*ctnr_loop_cb)(const struct ctnr_loop_dev *d, void *arg);

/*
 * ctnr_loop_list - the devices the caller may see (CTNR_CMD_LOOP_GET dump)
 * @id: only this container's, or 0 to use @name
 * @name: only this container's, or NULL (with @id 0) for all
 *
 * Returns 0, the non-zero value @cb returned, or a negative errno
 * (-ENOENT for an unknown container).
 */
int ctnr_loop_list(struct ctnr_handle *h, uint32_t id, const char *name,
		   ctnr_loop_cb cb, void *arg);

#define CTNR_LOOP_HAS_QUOTA	(1U << 0)
#define CTNR_LOOP_HAS_COUNT	(1U << 1)

struct ctnr_loop_info {
	uint32_t has;			/* CTNR_LOOP_HAS_QUOTA, _COUNT */
	uint32_t quota;			/* most devices it may have */
	uint32_t count;			/* devices it has */
};

/*
 * ctnr_loop_info - a container's loop quota and device count
 *
 * Returns 0 or a negative errno: -ENOENT, -EOPNOTSUPP when the module has
 * no loop devices.
 */
int ctnr_loop_info(struct ctnr_handle *h, uint32_t id, const char *name,
		   struct ctnr_loop_info *out);

/*
 * ctnr_loop_set_quota - set a container's loop quota (CTNR_A_LOOP_QUOTA)
 *
 * Devices beyond a lowered quota stay; no new one can be attached until
 * the count is below it.  Returns 0 or a negative errno: -ENOENT, -EPERM
 * (not privileged over the parent of the owner user namespace).
 */
int ctnr_loop_set_quota(struct ctnr_handle *h, uint32_t id, const char *name,
			uint32_t quota);

/*
 * ctnr_loop_flags_format - "ro,direct,detaching", or "-" for none
 *
 * Returns the length, or -ENOSPC when @len is too small (24 always does).
 */
int ctnr_loop_flags_format(uint32_t flags, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* LIBCTNR_H */
