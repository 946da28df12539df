// SPDX-License-Identifier: GPL-2.0
/*
 * perm_matrix: who may do what, cell by cell (issue 10).
 *
 * Documentation/perm-matrix.csv is the table Documentation/security.rst
 * shows: one row per entry point (generic netlink command, ioctl on
 * /dev/ctnr, device node), one column per actor, and in every cell "ok" or
 * the name of the errno the operation fails with.  This program reads that
 * file at run time ($CTNR_PERM_MATRIX, else ../Documentation/ next to this
 * binary) and runs every cell for real: one test per row, every actor in a
 * process of its own.  A cell of the file that no code here checks, or a
 * check that has no cell, fails table_matches_the_checks.
 *
 * The scenario, made again for every row:
 *
 *   host root (this process)
 *    |- cgroup ctnr-matrix-PID/ {host, user, shared, X, Y}; X is delegated
 *    |  (chowned) to host uid 100000, Y to 200000, user to 1000; shared and
 *    |  host stay root's
 *    |- U = user namespace 0..65535 -> 100000.., made by a child of host
 *    |  root (owner uid 0, as a runtime run by root makes it); the maps
 *    |  are written by host root.  That child, root of U, unshares mnt,
 *    |  uts, ipc, net, cgroup and pid, forks X's init (pid 1 of its pid
 *    |  namespace, in cgroup X) and registers it: container X, owner U
 *    |- U2 -> 200000.., container Y on cgroup Y, likewise
 *    |- host root imposes on X what an admin above a tenant does: device
 *    |  default deny, allow c 1:3 rw (/dev/null) and the three ctnr misc
 *    |  nodes, loop quota 4; and attaches one ctnrloop device to X, with a
 *    |  0666 node of it on a tmpfs; kernel.dmesg_restrict is set to 1
 *    `- a host helper that joined U only (setns, as "runc exec" does before
 *       it execs), root of U, non-dumpable, in cgroup X
 *
 * The actors (the columns):
 *   host root             this process's identity, in cgroup host
 *   uid 1000              no capabilities, in cgroup user
 *   uid 1000 (unshare -Ur) root of a fresh user namespace of its own, in
 *                         cgroup user
 *   root of U in X        setns() into all of X's namespaces, uid 0 of U
 *   uid 1000 of U in X    the same, then uid 1000 of U: no capabilities
 *   root of U2 in Y       setns() into all of Y's namespaces, uid 0 of U2
 *
 * Operations that change a container (delete, set, rules) act on a
 * "victim": a fresh container that root of U registers on X's init and on
 * which host root imposes X's policy, so that every cell starts from the
 * same state; a victim that was refused must be unchanged afterwards, one
 * that was allowed must show the change.
 *
 * known_fail[] lists the cells where today's module differs from the
 * model, each with its review finding and the value it gives today; such
 * a cell passes with an "XFAIL" line.  When a fix is merged its entries
 * turn into failures ("stale known_fail entry") until they are deleted.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <sys/sysmacros.h>
#include "ctnr_test.h"

#define UNPRIV		1000		/* the non-root uid, host or U */
#define U_BASE		100000		/* host uid of uid 0 of U */
#define U2_BASE		200000		/* host uid of uid 0 of U2 */
#define ID_RANGE	65536
#define X_LOOP_QUOTA	4
#define CELL_TIMEOUT_MS	30000
#define TENANT_NS	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | \
			 CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | \
			 CLONE_NEWPID)
#define KMSG_PATH	"/dev/" CTNR_KMSG_DEVICE_NAME
#define PROCKMSG_PATH	"/dev/" CTNR_PROCKMSG_DEVICE_NAME
#define DMESG_RESTRICT	"/proc/sys/kernel/dmesg_restrict"
#define PRINTK_LEVELS	"/proc/sys/kernel/printk"
#define SYSLOG_READ_ALL		3	/* linux/syslog.h, not in the uapi */
#define SYSLOG_CONSOLE_LEVEL	8
#define CSV_NAME	"perm-matrix.csv"
#define ACC_RW		(CTNR_DEV_ACC_READ | CTNR_DEV_ACC_WRITE)

/* ------------------------------------------------------------------ */
/* actors and rows                                                    */

enum actor {
	A_HOST,
	A_USER,
	A_USERNS,
	A_XROOT,
	A_XUSER,
	A_YROOT,
	NR_ACTORS
};

/* The column headers of the CSV, exactly. */
static const char *const actor_label[NR_ACTORS] = {
	[A_HOST]	= "host root",
	[A_USER]	= "uid 1000",
	[A_USERNS]	= "uid 1000 (unshare -Ur)",
	[A_XROOT]	= "root of U in X",
	[A_XUSER]	= "uid 1000 of U in X",
	[A_YROOT]	= "root of U2 in Y",
};

enum row_id {
	ROW_INFO,
	ROW_NEW_OWN,
	ROW_NEW_FOREIGN_TASK,
	ROW_NEW_FOREIGN_CGROUP,
	ROW_NEW_NONDUMPABLE,
	ROW_DEL,
	ROW_GET,
	ROW_DUMP,
	ROW_SET_AUTOREMOVE,
	ROW_SET_DEV_DEFAULT,
	ROW_SET_LOG_SIZE,
	ROW_SET_LOOP_QUOTA,
	ROW_DEV_RULE_ADD,
	ROW_DEV_RULE_DEL,
	ROW_DEV_RULE_GET,
	ROW_LOG_GET,
	ROW_LOG_CLEAR,
	ROW_LOOP_GET,
	ROW_EVENTS,
	ROW_IOC_VERSION,
	ROW_IOC_NS_FDS,
	ROW_IOC_WHOAMI,
	ROW_IOC_LOOP_ATTACH,
	ROW_IOC_LOOP_DETACH,
	ROW_OPEN_CTNR,
	ROW_KMSG_READ,
	ROW_KMSG_WRITE,
	ROW_SYSLOG_READ_ALL,
	ROW_SYSLOG_CONSOLE_LEVEL,
	ROW_PROCKMSG_OPEN,
	ROW_LOOP_OPEN,
	ROW_DEV_ZERO,
	NR_ROWS
};

/*
 * Cells where the module of today differs from the model: the row, the
 * column, the review finding whose fix changes it, and what the cell gives
 * until then.  Once the fix is merged the cell gives the table's value and
 * its test fails until the entry is deleted, here and in the list of
 * Documentation/security.rst ("Where the module still differs").
 */
struct known_fail {
	enum row_id row;
	enum actor actor;
	const char *finding;
	const char *today;
};

/* Ends with an entry whose finding is NULL (the list may be empty). */
static const struct known_fail known_fail[] = {
	{ .finding = NULL },
};
#define N_KNOWN_FAIL (ARRAY_SIZE(known_fail) - 1)

/* What one cell needs; a copy goes to the actor's process. */
struct cell {
	enum row_id row;
	enum actor actor;
	uint32_t target;		/* X, or a victim */
	uint32_t own;			/* the actor's container (WHOAMI), or 0 */
	int pidfd;			/* source task of a registration */
	uint32_t loop_index;		/* a device of X */
	char name[CTNR_NAME_MAX];	/* of a container the cell registers */
	char loop_node[128];		/* 0666 node of X's device */
	char backing[128];		/* 0666 file to attach */
};

/* What the actor's process reports. */
struct res {
	int fail;			/* the cell could not be run */
	int err;			/* 0 or the operation's errno */
	uint32_t val;			/* an id, for set-up steps */
	char msg[256];			/* extack message or why it failed */
};

typedef int (*cell_fn)(const struct cell *c, struct res *r);

struct row {
	const char *label;		/* first column of the CSV, exactly */
	cell_fn fn;
	unsigned int flags;
};

#define R_VICTIM	(1U << 0)	/* acts on a fresh copy of X */
#define R_SHARED_CG	(1U << 1)	/* the actor sits in cgroup shared */
#define R_LOOP_DEV	(1U << 2)	/* a fresh device of X to detach */

/* ------------------------------------------------------------------ */
/* helpers                                                            */

static void res_fail(struct res *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void res_fail(struct res *r, const char *fmt, ...)
{
	va_list ap;

	r->fail = 1;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

static void res_ext(struct res *r, const struct ctnr_nl *nl)
{
	snprintf(r->msg, sizeof(r->msg), "%s", nl->ext_msg);
}

/* A KTAP diagnostic line, flushed: the harness leaves with _exit(). */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* One request of @cmd carrying @n (attribute, u32 value) pairs. */
static int nl_req(struct ctnr_nl *nl, uint8_t cmd, int nlflags, int n, ...)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, cmd, nlflags);
	va_list ap;
	int i, bad = 0;

	if (!msg)
		return -ENOMEM;
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int attr = va_arg(ap, int);
		unsigned int v = va_arg(ap, unsigned int);

		if (nla_put_u32(msg, attr, v) < 0)
			bad = 1;
	}
	va_end(ap);
	if (bad) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

static int rule_req(struct ctnr_nl *nl, uint8_t cmd, uint32_t id,
		    uint32_t major, uint32_t minor)
{
	return nl_req(nl, cmd, 0, 5, CTNR_A_ID, id,
		      CTNR_A_DEV_TYPE, CTNR_DEV_TYPE_CHAR,
		      CTNR_A_DEV_MAJOR, major, CTNR_A_DEV_MINOR, minor,
		      CTNR_A_DEV_ACCESS, ACC_RW);
}

/* What a change to a container would show. */
struct snap {
	uint32_t exists, flags, deflt, rules, quota, log_size;
};

static int snap_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	static const int attrs[] = {
		CTNR_A_FLAGS, CTNR_A_DEV_DEFAULT, CTNR_A_DEV_COUNT,
		CTNR_A_LOOP_QUOTA, CTNR_A_LOG_SIZE,
	};
	struct snap *s = arg;
	uint32_t *dst[] = {
		&s->flags, &s->deflt, &s->rules, &s->quota, &s->log_size,
	};
	unsigned int i;

	(void)cmd;
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		if (!tb[attrs[i]] || nla_len(tb[attrs[i]]) != 4)
			return -EPROTO;
		*dst[i] = nla_get_u32(tb[attrs[i]]);
	}
	s->exists = 1;
	return 0;
}

static int snapshot(struct ctnr_nl *nl, uint32_t id, struct snap *s)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_GET, 0);
	int r;

	memset(s, 0, sizeof(*s));
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	r = ctnr_nl_xfer(nl, msg, snap_cb, s);
	return r == -ENOENT ? 0 : r;
}

static void snap_str(const struct snap *s, char *buf, size_t len)
{
	if (!s->exists)
		snprintf(buf, len, "gone");
	else
		snprintf(buf, len, "flags %u, default %s, %u rules, loop quota %u, log %u",
			 s->flags, s->deflt == CTNR_DEV_DENY ? "deny" : "allow",
			 s->rules, s->quota, s->log_size);
}

static int loop_attach(int dev, uint32_t id, int bfd, uint32_t *index)
{
	struct ctnr_ioc_loop_attach a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = id;
	a.backing_fd = bfd;
	a.fd = -1;
	if (ioctl(dev, CTNR_IOC_LOOP_ATTACH, &a) < 0)
		return -errno;
	*index = a.index;
	return 0;
}

static int loop_detach(int dev, uint32_t index, uint32_t flags)
{
	struct ctnr_ioc_loop_detach d = {
		.size = sizeof(d), .flags = flags, .index = index,
	};

	return ioctl(dev, CTNR_IOC_LOOP_DETACH, &d) < 0 ? -errno : 0;
}

static int loop_wait_gone(uint32_t index, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	char p[64];

	snprintf(p, sizeof(p), "/sys/block/ctnrloop%u", index);
	while (!access(p, F_OK)) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
	return 0;
}

/* A child that waits to be killed, in our cgroup and namespaces. */
static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	return pid;
}

/* "ok" or the errno's name, as the CSV spells it. */
static const char *result_name(int err)
{
	const char *n;

	if (!err)
		return "ok";
	n = strerrorname_np(err);
	return n ? n : "E?";
}

static bool valid_cell_value(const char *v)
{
	int e;

	if (!strcmp(v, "ok"))
		return true;
	for (e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, v))
			return true;
	}
	return false;
}

/* Effective capabilities of this process in its user namespace. */
static int cap_eff(uint64_t *caps)
{
	char buf[4096], *p;

	if (read_str("/proc/self/status", buf, sizeof(buf)) < 0)
		return -errno;
	p = strstr(buf, "\nCapEff:");
	if (!p || sscanf(p + 8, "%" SCNx64, caps) != 1)
		return -EPROTO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the operations, one per row, run as the actor                      */

static int nl_open_or_fail(struct ctnr_nl *nl, struct res *r)
{
	int e = ctnr_nl_open(nl);

	if (e)
		res_fail(r, "genl socket: %s", strerror(-e));
	return e;
}

/* A netlink request on container c->target with (attr, value) pairs. */
#define NL_OP(c, r, cmd, nlflags, n, ...) ({				\
	struct ctnr_nl __nl;						\
	int __e = nl_open_or_fail(&__nl, r);				\
	if (!__e) {							\
		__e = nl_req(&__nl, cmd, nlflags, (n) + 1,		\
			     CTNR_A_ID, (c)->target, ##__VA_ARGS__);	\
		res_ext(r, &__nl);					\
		ctnr_nl_close(&__nl);					\
	}								\
	__e;								\
})

static int op_info(const struct cell *c, struct res *r)
{
	struct ctnr_info in;
	struct ctnr_nl nl;
	int e;

	(void)c;
	if (nl_open_or_fail(&nl, r))
		return 0;
	e = ctnr_info(&nl, &in);
	res_ext(r, &nl);
	ctnr_nl_close(&nl);
	return e;
}

/* Register @pid or @pidfd as c->name; delete what was made at once. */
static int do_register(const struct cell *c, struct res *r, pid_t pid,
		       int pidfd)
{
	struct ctnr_nl nl;
	struct ctnr_ctr out;
	int e;

	if (nl_open_or_fail(&nl, r))
		return 0;
	if (pidfd >= 0)
		e = ctnr_new_pidfd(&nl, c->name, pidfd, 0, &out);
	else
		e = ctnr_new(&nl, c->name, pid, 0, &out);
	res_ext(r, &nl);
	if (!e)
		ctnr_del_id(&nl, out.id);
	ctnr_nl_close(&nl);
	return e;
}

/* A child of its own, in the cgroup the actor sits in. */
static int op_new_own(const struct cell *c, struct res *r)
{
	pid_t kid = sleeper();
	int e;

	if (kid < 0) {
		res_fail(r, "fork: %m");
		return 0;
	}
	e = do_register(c, r, kid, -1);
	kill_reap(&kid);
	return e;
}

static int op_new_pidfd(const struct cell *c, struct res *r)
{
	return do_register(c, r, 0, c->pidfd);
}

static int op_del(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_CONTAINER_DEL, 0, 0);
}

static int op_get(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_CONTAINER_GET, 0, 0);
}

/* ok when the dump lists the container, ENOENT when it does not. */
static int op_dump(const struct cell *c, struct res *r)
{
	struct ctnr_nl nl;
	long n;

	if (nl_open_or_fail(&nl, r))
		return 0;
	n = ctnr_dump_count(&nl, NULL, c->target, NULL);
	res_ext(r, &nl);
	ctnr_nl_close(&nl);
	if (n < 0)
		return (int)n;
	return n ? 0 : -ENOENT;
}

static int op_set_autoremove(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_CONTAINER_SET, 0, 1,
		     CTNR_A_FLAGS, CTNR_F_AUTOREMOVE);
}

static int op_set_dev_default(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_CONTAINER_SET, 0, 1,
		     CTNR_A_DEV_DEFAULT, CTNR_DEV_ALLOW);
}

static int op_set_log_size(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_CONTAINER_SET, 0, 1,
		     CTNR_A_LOG_SIZE, 2 * CTNR_LOG_SIZE_MIN);
}

static int op_set_loop_quota(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_CONTAINER_SET, 0, 1,
		     CTNR_A_LOOP_QUOTA, 64);
}

/* allow /dev/zero, which the policy denies */
static int op_rule_add(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_DEV_RULE_ADD, 0, 4,
		     CTNR_A_DEV_TYPE, CTNR_DEV_TYPE_CHAR, CTNR_A_DEV_MAJOR, 1,
		     CTNR_A_DEV_MINOR, 5, CTNR_A_DEV_ACCESS, ACC_RW);
}

/* drop the /dev/null exception */
static int op_rule_del(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_DEV_RULE_DEL, 0, 4,
		     CTNR_A_DEV_TYPE, CTNR_DEV_TYPE_CHAR, CTNR_A_DEV_MAJOR, 1,
		     CTNR_A_DEV_MINOR, 3, CTNR_A_DEV_ACCESS, ACC_RW);
}

static int op_rule_get(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_DEV_RULE_GET, NLM_F_DUMP, 0);
}

static int op_log_get(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_LOG_GET, NLM_F_DUMP, 0);
}

static int op_log_clear(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_LOG_CLEAR, 0, 0);
}

static int op_loop_get(const struct cell *c, struct res *r)
{
	return NL_OP(c, r, CTNR_CMD_LOOP_GET, NLM_F_DUMP, 0);
}

static int op_events(const struct cell *c, struct res *r)
{
	struct ctnr_nl nl;
	int e;

	(void)c;
	(void)r;
	e = ctnr_events_open(&nl);
	if (!e)
		ctnr_nl_close(&nl);
	return e;
}

static int dev_or_fail(struct res *r)
{
	int dev = ctnr_dev_open();

	if (dev < 0)
		res_fail(r, "open " CTNR_DEV_PATH ": %m");
	return dev;
}

static int op_ioc_version(const struct cell *c, struct res *r)
{
	struct ctnr_ioc_version v = { .size = sizeof(v) };
	int dev = dev_or_fail(r), e;

	(void)c;
	if (dev < 0)
		return 0;
	e = ioctl(dev, CTNR_IOC_VERSION, &v) < 0 ? -errno : 0;
	close(dev);
	return e;
}

static int op_ioc_ns_fds(const struct cell *c, struct res *r)
{
	struct ctnr_ioc_ns_fds a;
	int dev = dev_or_fail(r), e;

	if (dev < 0)
		return 0;
	e = ctnr_ns_fds(dev, c->target, NULL, CLONE_NEWNET | CLONE_NEWUTS,
			&a);
	ctnr_ns_fds_close(&a);
	close(dev);
	return e;
}

/* ok only for the actor's own container; EPROTO for another one. */
static int op_ioc_whoami(const struct cell *c, struct res *r)
{
	struct ctnr_ioc_whoami w;
	int dev = dev_or_fail(r), e;

	if (dev < 0)
		return 0;
	e = ctnr_whoami(dev, &w);
	close(dev);
	if (!e && w.id != c->own) {
		snprintf(r->msg, sizeof(r->msg), "whoami says %u", w.id);
		return -EPROTO;
	}
	return e;
}

static int op_ioc_loop_attach(const struct cell *c, struct res *r)
{
	int dev = dev_or_fail(r), bfd, e;
	uint32_t index;

	if (dev < 0)
		return 0;
	bfd = open(c->backing, O_RDWR | O_CLOEXEC);
	if (bfd < 0) {
		res_fail(r, "open %s: %m", c->backing);
		close(dev);
		return 0;
	}
	e = loop_attach(dev, c->target, bfd, &index);
	if (!e)
		loop_detach(dev, index, CTNR_LOOP_DETACH_F_LAZY);
	close(bfd);
	close(dev);
	return e;
}

static int op_ioc_loop_detach(const struct cell *c, struct res *r)
{
	int dev = dev_or_fail(r), e;

	if (dev < 0)
		return 0;
	e = loop_detach(dev, c->loop_index, 0);
	close(dev);
	return e;
}

static int open_close(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int op_open_ctnr(const struct cell *c, struct res *r)
{
	(void)c;
	(void)r;
	return open_close(CTNR_DEV_PATH, O_RDONLY);
}

static int op_kmsg_read(const struct cell *c, struct res *r)
{
	(void)c;
	(void)r;
	return open_close(KMSG_PATH, O_RDONLY | O_NONBLOCK);
}

static int op_kmsg_write(const struct cell *c, struct res *r)
{
	static const char rec[] = "<6>perm_matrix: a record\n";
	int fd = open(KMSG_PATH, O_WRONLY | O_CLOEXEC), e = 0;

	(void)c;
	(void)r;
	if (fd < 0)
		return -errno;
	if (write(fd, rec, sizeof(rec) - 1) != (ssize_t)sizeof(rec) - 1)
		e = -errno;
	close(fd);
	return e;
}

/*
 * syslog(2) READ_ALL, under kernel.dmesg_restrict=1 (the scenario sets
 * it): the host's log for host root, the container's for a task in one;
 * a container task that gets the host's log fails the cell.
 */
static int op_syslog_read_all(const struct cell *c, struct res *r)
{
	static char buf[1 << 20];
	long n = syscall(SYS_syslog, SYSLOG_READ_ALL, buf, sizeof(buf) - 1);
	bool in_ctr;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	/* a container's log starts with its banner; the host's has none */
	in_ctr = c->actor == A_XROOT || c->actor == A_XUSER ||
		 c->actor == A_YROOT;
	if (in_ctr != (strstr(buf, "ctnr: log of container") != NULL))
		res_fail(r, "READ_ALL read the %s log",
			 in_ctr ? "host's" : "a container's");
	return 0;
}

/* CONSOLE_LEVEL to the level it has: allowed, it changes nothing */
static int op_syslog_console_level(const struct cell *c, struct res *r)
{
	char buf[64];
	int level;

	(void)c;
	(void)r;
	if (read_str(PRINTK_LEVELS, buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%d", &level) != 1)
		return -EIO;
	level = level < 1 ? 1 : level > 8 ? 8 : level;
	return syscall(SYS_syslog, SYSLOG_CONSOLE_LEVEL, NULL, level) < 0 ?
		-errno : 0;
}

static int op_prockmsg_open(const struct cell *c, struct res *r)
{
	(void)c;
	(void)r;
	return open_close(PROCKMSG_PATH, O_RDONLY | O_NONBLOCK);
}

static int op_loop_open(const struct cell *c, struct res *r)
{
	(void)r;
	return open_close(c->loop_node, O_RDWR);
}

static int op_dev_zero(const struct cell *c, struct res *r)
{
	(void)c;
	(void)r;
	return open_close("/dev/zero", O_RDONLY);
}

static const struct row rows[NR_ROWS] = {
	[ROW_INFO] = { "INFO", op_info },
	[ROW_NEW_OWN] = { "CONTAINER_NEW (own task)", op_new_own },
	[ROW_NEW_FOREIGN_TASK] = { "CONTAINER_NEW (another tenant's init)",
				   op_new_pidfd },
	[ROW_NEW_FOREIGN_CGROUP] = {
		"CONTAINER_NEW (own task in a cgroup not delegated to it)",
		op_new_own, R_SHARED_CG },
	[ROW_NEW_NONDUMPABLE] = {
		"CONTAINER_NEW (non-dumpable helper that joined U)",
		op_new_pidfd },
	[ROW_DEL] = { "CONTAINER_DEL", op_del, R_VICTIM },
	[ROW_GET] = { "CONTAINER_GET", op_get },
	[ROW_DUMP] = { "CONTAINER_GET dump (lists X)", op_dump },
	[ROW_SET_AUTOREMOVE] = { "CONTAINER_SET AUTOREMOVE",
				 op_set_autoremove, R_VICTIM },
	[ROW_SET_DEV_DEFAULT] = { "CONTAINER_SET dev-default allow",
				  op_set_dev_default, R_VICTIM },
	[ROW_SET_LOG_SIZE] = { "CONTAINER_SET log-size", op_set_log_size,
			       R_VICTIM },
	[ROW_SET_LOOP_QUOTA] = { "CONTAINER_SET loop-quota",
				 op_set_loop_quota, R_VICTIM },
	[ROW_DEV_RULE_ADD] = { "DEV_RULE_ADD", op_rule_add, R_VICTIM },
	[ROW_DEV_RULE_DEL] = { "DEV_RULE_DEL", op_rule_del, R_VICTIM },
	[ROW_DEV_RULE_GET] = { "DEV_RULE_GET", op_rule_get },
	[ROW_LOG_GET] = { "LOG_GET", op_log_get },
	[ROW_LOG_CLEAR] = { "LOG_CLEAR", op_log_clear },
	[ROW_LOOP_GET] = { "LOOP_GET", op_loop_get },
	[ROW_EVENTS] = { "join the events group", op_events },
	[ROW_IOC_VERSION] = { "ioctl VERSION", op_ioc_version },
	[ROW_IOC_NS_FDS] = { "ioctl NS_FDS", op_ioc_ns_fds },
	[ROW_IOC_WHOAMI] = { "ioctl WHOAMI", op_ioc_whoami },
	[ROW_IOC_LOOP_ATTACH] = { "ioctl LOOP_ATTACH", op_ioc_loop_attach },
	[ROW_IOC_LOOP_DETACH] = { "ioctl LOOP_DETACH", op_ioc_loop_detach,
				  R_LOOP_DEV },
	[ROW_OPEN_CTNR] = { "open /dev/ctnr", op_open_ctnr },
	[ROW_KMSG_READ] = { "open /dev/ctnr-kmsg for reading",
			    op_kmsg_read },
	[ROW_KMSG_WRITE] = { "write /dev/ctnr-kmsg", op_kmsg_write },
	[ROW_SYSLOG_READ_ALL] = { "syslog(2) READ_ALL (dmesg_restrict=1)",
				  op_syslog_read_all },
	[ROW_SYSLOG_CONSOLE_LEVEL] = {
		"syslog(2) CONSOLE_LEVEL (to the level it has)",
		op_syslog_console_level },
	[ROW_PROCKMSG_OPEN] = { "open /dev/ctnr-prockmsg", op_prockmsg_open },
	[ROW_LOOP_OPEN] = { "open a ctnrloop node of X", op_loop_open },
	[ROW_DEV_ZERO] = { "open /dev/zero (denied by X's rules)",
			   op_dev_zero },
};

/*
 * One test per row, named after it: row.<name>.cells.  The list makes the
 * tests and variant_rows[], which table_matches_the_checks compares with
 * rows[].
 */
#define ROW_LIST(R)							\
	R(info, ROW_INFO)						\
	R(container_new_own, ROW_NEW_OWN)				\
	R(container_new_foreign_task, ROW_NEW_FOREIGN_TASK)		\
	R(container_new_foreign_cgroup, ROW_NEW_FOREIGN_CGROUP)		\
	R(container_new_nondumpable, ROW_NEW_NONDUMPABLE)		\
	R(container_del, ROW_DEL)					\
	R(container_get, ROW_GET)					\
	R(container_get_dump, ROW_DUMP)					\
	R(container_set_autoremove, ROW_SET_AUTOREMOVE)			\
	R(container_set_dev_default, ROW_SET_DEV_DEFAULT)		\
	R(container_set_log_size, ROW_SET_LOG_SIZE)			\
	R(container_set_loop_quota, ROW_SET_LOOP_QUOTA)			\
	R(dev_rule_add, ROW_DEV_RULE_ADD)				\
	R(dev_rule_del, ROW_DEV_RULE_DEL)				\
	R(dev_rule_get, ROW_DEV_RULE_GET)				\
	R(log_get, ROW_LOG_GET)						\
	R(log_clear, ROW_LOG_CLEAR)					\
	R(loop_get, ROW_LOOP_GET)					\
	R(events_join, ROW_EVENTS)					\
	R(ioc_version, ROW_IOC_VERSION)					\
	R(ioc_ns_fds, ROW_IOC_NS_FDS)					\
	R(ioc_whoami, ROW_IOC_WHOAMI)					\
	R(ioc_loop_attach, ROW_IOC_LOOP_ATTACH)				\
	R(ioc_loop_detach, ROW_IOC_LOOP_DETACH)				\
	R(open_ctnr, ROW_OPEN_CTNR)					\
	R(kmsg_read, ROW_KMSG_READ)					\
	R(kmsg_write, ROW_KMSG_WRITE)					\
	R(syslog_read_all, ROW_SYSLOG_READ_ALL)				\
	R(syslog_console_level, ROW_SYSLOG_CONSOLE_LEVEL)		\
	R(prockmsg_open, ROW_PROCKMSG_OPEN)				\
	R(loop_open, ROW_LOOP_OPEN)					\
	R(dev_zero, ROW_DEV_ZERO)

#define ROW_ID(name, id)	id,
#define ROW_VARIANT(name, id)	FIXTURE_VARIANT_ADD(row, name) { .row = id };

static const enum row_id variant_rows[] = { ROW_LIST(ROW_ID) };
_Static_assert(ARRAY_SIZE(variant_rows) == NR_ROWS,
	       "one test per row");

/* ------------------------------------------------------------------ */
/* the table                                                          */

#define MAX_COLS	(NR_ACTORS + 4)
#define MAX_ROWS	(NR_ROWS + 16)

struct table {
	int ncols, nrows;
	char head[MAX_COLS][64];
	char label[MAX_ROWS][128];
	char cell[MAX_ROWS][MAX_COLS][32];	/* [row][column], column 0 unused */
};

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void csv_path(char *buf, size_t len)
{
	const char *env = getenv("CTNR_PERM_MATRIX");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, len, "%s/../Documentation/" CSV_NAME,
		 n > 0 ? exe : ".");
}

/* Split one CSV line (RFC 4180 quoting, no embedded newline). */
static int csv_split(char *line, char fields[][128], int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *out = fields[n], *end = fields[n] + 127;

		if (n == max)
			return -E2BIG;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			p++;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				if (out < end)
					*out++ = *p;
				p++;
			}
			if (*p != '"')
				return -EINVAL;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
		} else {
			while (*p && *p != ',' && out < end)
				*out++ = *p++;
			while (out > fields[n] && (out[-1] == ' ' ||
						   out[-1] == '\t'))
				out--;
		}
		*out = '\0';
		n++;
		if (*p == '\0')
			return n;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

static int table_read(struct table *t, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], line[1024], f[MAX_COLS + 1][128];
	int lineno = 0, n, i;
	FILE *fp;

	memset(t, 0, sizeof(*t));
	csv_path(path, sizeof(path));
	fp = fopen(path, "re");
	if (!fp) {
		snprintf(err, errlen, "%.300s: %m", path);
		return -errno;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[strspn(line, " \t")])
			continue;
		n = csv_split(line, f, MAX_COLS + 1);
		if (n < 0 || n > MAX_COLS) {
			snprintf(err, errlen, "%.300s:%d: cannot parse", path,
				 lineno);
			fclose(fp);
			return -EINVAL;
		}
		if (!t->ncols) {
			t->ncols = n;
			for (i = 0; i < n; i++)
				copy_str(t->head[i], sizeof(t->head[i]), f[i]);
			continue;
		}
		if (n != t->ncols || t->nrows == MAX_ROWS) {
			snprintf(err, errlen, "%.300s:%d: %d fields, the header has %d",
				 path, lineno, n, t->ncols);
			fclose(fp);
			return -EINVAL;
		}
		copy_str(t->label[t->nrows], sizeof(t->label[0]), f[0]);
		for (i = 1; i < n; i++)
			copy_str(t->cell[t->nrows][i], sizeof(t->cell[0][0]),
				 f[i]);
		t->nrows++;
	}
	fclose(fp);
	if (!t->ncols) {
		snprintf(err, errlen, "%.300s: empty", path);
		return -EINVAL;
	}
	return 0;
}

static int table_row(const struct table *t, const char *label)
{
	int i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->label[i], label))
			return i;
	return -1;
}

static int table_col(const struct table *t, const char *label)
{
	int i;

	for (i = 1; i < t->ncols; i++)
		if (!strcmp(t->head[i], label))
			return i;
	return -1;
}

static const struct known_fail *known(enum row_id row, enum actor a)
{
	const struct known_fail *kf;

	for (kf = known_fail; kf->finding; kf++)
		if (kf->row == row && kf->actor == a)
			return kf;
	return NULL;
}

/* The file has exactly the cells this program checks, and sane values. */
TEST(table_matches_the_checks)
{
	struct table *t = calloc(1, sizeof(*t));
	char err[512] = "";
	int i, j, k;

	ASSERT_NE(NULL, t);
	/* every row has its code and its test */
	for (i = 0; i < NR_ROWS; i++) {
		ASSERT_TRUE(rows[i].label && rows[i].fn) {
			TH_LOG("row %d has no entry in rows[]", i);
		}
		k = 0;
		for (j = 0; j < NR_ROWS; j++)
			k += variant_rows[j] == (enum row_id)i;
		EXPECT_EQ(1, k) {
			TH_LOG("row \"%s\": %d tests", rows[i].label, k);
		}
	}
	ASSERT_EQ(0, table_read(t, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	/* every actor once, and nothing else */
	EXPECT_EQ(NR_ACTORS + 1, t->ncols);
	for (i = 0; i < NR_ACTORS; i++) {
		k = 0;
		for (j = 1; j < t->ncols; j++)
			k += !strcmp(t->head[j], actor_label[i]);
		EXPECT_EQ(1, k) {
			TH_LOG("column \"%s\": %d in the table", actor_label[i],
			       k);
		}
	}
	for (j = 1; j < t->ncols; j++) {
		for (i = 0; i < NR_ACTORS; i++)
			if (!strcmp(t->head[j], actor_label[i]))
				break;
		EXPECT_LT(i, NR_ACTORS) {
			TH_LOG("the table has a column no check fills: \"%s\"",
			       t->head[j]);
		}
	}
	/* every row once, and nothing else */
	for (i = 0; i < NR_ROWS; i++) {
		k = 0;
		for (j = 0; j < t->nrows; j++)
			k += !strcmp(t->label[j], rows[i].label);
		EXPECT_EQ(1, k) {
			TH_LOG("row \"%s\": %d in the table", rows[i].label, k);
		}
	}
	for (j = 0; j < t->nrows; j++) {
		for (i = 0; i < NR_ROWS; i++)
			if (!strcmp(t->label[j], rows[i].label))
				break;
		EXPECT_LT(i, NR_ROWS) {
			TH_LOG("the table has a row no check runs: \"%s\"",
			       t->label[j]);
		}
		for (k = 1; k < t->ncols; k++) {
			EXPECT_TRUE(valid_cell_value(t->cell[j][k])) {
				TH_LOG("\"%s\" / \"%s\": \"%s\" is neither ok nor an errno name",
				       t->label[j], t->head[k],
				       t->cell[j][k]);
			}
		}
	}
	/* a known failure is a cell whose value today is not the model's */
	for (i = 0; i < (int)N_KNOWN_FAIL; i++) {
		const struct known_fail *kf = &known_fail[i];
		int r = table_row(t, rows[kf->row].label);
		int c = table_col(t, actor_label[kf->actor]);

		if (r < 0 || c < 0)
			continue;	/* reported above */
		EXPECT_STRNE(t->cell[r][c], kf->today) {
			TH_LOG("known_fail entry %s / %s equals the table",
			       rows[kf->row].label, actor_label[kf->actor]);
		}
		EXPECT_TRUE(valid_cell_value(kf->today));
		EXPECT_EQ(kf, known(kf->row, kf->actor)) {
			TH_LOG("known_fail lists %s / %s twice",
			       rows[kf->row].label, actor_label[kf->actor]);
		}
	}
	free(t);
}

/* ------------------------------------------------------------------ */
/* the scenario                                                       */

struct tenant {
	uid_t base;			/* host uid of its uid 0 */
	char name[CTNR_NAME_MAX];
	char cg[PATH_MAX];
	pid_t runtime, init;		/* host pids */
	int init_pidfd;
	uint32_t id;
};

FIXTURE(row) {
	struct ctnr_nl nl;		/* host root's */
	int dev;			/* host root's /dev/ctnr */
	char prefix[32];		/* of every container name */
	char cgroot[PATH_MAX];
	char cg_host[PATH_MAX], cg_user[PATH_MAX], cg_shared[PATH_MAX];
	char dir[64];			/* tmpfs: backing files, loop node */
	bool mounted;
	struct tenant x, y;
	pid_t helper;
	int helper_pidfd;
	dev_t ctnr_rdev, kmsg_rdev, prockmsg_rdev;
	char dmesg_restrict[16];	/* before the scenario set it to 1 */
	uint32_t xloop;			/* X's device */
	bool have_xloop;
	char xloop_node[128];
	struct snap xsnap;		/* X after set-up */
	int nvictims;
	int64_t setup_ms;
	struct table table;
};

FIXTURE_VARIANT(row) {
	enum row_id row;
};

/* The prefix of every container name: one per run of the program. */
static pid_t main_pid;

static void __attribute__((constructor)) remember_main_pid(void)
{
	main_pid = getpid();
}

static int chown_cgroup(const char *cg, uid_t uid)
{
	static const char *const files[] = {
		"", "/cgroup.procs", "/cgroup.threads",
		"/cgroup.subtree_control",
	};
	char p[PATH_MAX + 32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s%s", cg, files[i]);
		if (chown(p, uid, uid))
			return -errno;
	}
	return 0;
}

static int write_map(pid_t pid, const char *which, uid_t base)
{
	char p[64], map[64];

	snprintf(p, sizeof(p), "/proc/%d/%s", pid, which);
	snprintf(map, sizeof(map), "0 %u %u\n", (unsigned int)base, ID_RANGE);
	return write_str(p, map);
}

struct tenant_report {
	int err;
	pid_t init;
	uint32_t id;
	char msg[200];
};

static void __attribute__((noreturn))
runtime_fail(int fd, struct tenant_report *rep, const char *what, int err)
{
	rep->err = err ? err : EIO;
	snprintf(rep->msg, sizeof(rep->msg), "%s: %s", what, strerror(rep->err));
	if (write(fd, rep, sizeof(*rep)) < 0)
		_exit(2);
	_exit(1);
}

/*
 * The runtime of a tenant: in its cgroup, a user namespace whose maps the
 * parent writes, root of it, the rest of the namespaces, an init, and the
 * registration.  Then it waits to be killed.
 */
static void __attribute__((noreturn))
runtime_main(const struct tenant *t, int to_parent, int from_parent)
{
	struct tenant_report rep = { 0 };
	struct ctnr_nl nl;
	struct ctnr_ctr out;
	char ch;
	pid_t init;
	int e;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	e = cg_enter(t->cg, getpid());
	if (e)
		runtime_fail(to_parent, &rep, "enter cgroup", -e);
	if (unshare(CLONE_NEWUSER))
		runtime_fail(to_parent, &rep, "unshare user", errno);
	ch = 'u';
	if (write(to_parent, &ch, 1) != 1 || read(from_parent, &ch, 1) != 1)
		_exit(3);
	if (setgroups(0, NULL) || setresgid(0, 0, 0) || setresuid(0, 0, 0))
		runtime_fail(to_parent, &rep, "become root of the userns",
			     errno);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (unshare(TENANT_NS & ~CLONE_NEWUSER))
		runtime_fail(to_parent, &rep, "unshare", errno);
	if (sethostname(t->name, strlen(t->name)))
		runtime_fail(to_parent, &rep, "sethostname", errno);
	init = fork();
	if (init < 0)
		runtime_fail(to_parent, &rep, "fork init", errno);
	if (init == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	rep.init = init;
	e = ctnr_nl_open(&nl);
	if (e)
		runtime_fail(to_parent, &rep, "genl socket", -e);
	e = ctnr_new(&nl, t->name, init, 0, &out);
	if (e) {
		snprintf(rep.msg, sizeof(rep.msg), "register: %s: %.120s",
			 strerror(-e), nl.ext_msg);
		rep.err = -e;
	}
	rep.id = out.id;
	ctnr_nl_close(&nl);
	if (write(to_parent, &rep, sizeof(rep)) != sizeof(rep))
		_exit(2);
	for (;;)
		pause();
}

static int tenant_start(struct tenant *t, char *msg, size_t len)
{
	struct tenant_report rep;
	int to[2], from[2], e = 0;
	char ch = 'm';
	ssize_t n;

	if (pipe2(to, O_CLOEXEC))
		return -errno;
	if (pipe2(from, O_CLOEXEC)) {
		e = -errno;
		close(to[0]);
		close(to[1]);
		return e;
	}
	fflush(stdout);
	fflush(stderr);
	t->runtime = fork();
	if (t->runtime < 0) {
		e = -errno;
		goto out;
	}
	if (t->runtime == 0) {
		close(to[0]);
		close(from[1]);
		runtime_main(t, to[1], from[0]);
	}
	close(to[1]);
	to[1] = -1;
	close(from[0]);
	from[0] = -1;
	if (read(to[0], &ch, 1) != 1 || ch != 'u') {
		snprintf(msg, len, "%s: runtime died before its userns", t->name);
		e = -EIO;
		goto report;
	}
	e = write_map(t->runtime, "uid_map", t->base);
	if (!e)
		e = write_map(t->runtime, "gid_map", t->base);
	if (e) {
		snprintf(msg, len, "%s: write maps: %s", t->name, strerror(-e));
		goto out;
	}
	ch = 'm';
	if (write(from[1], &ch, 1) != 1) {
		e = -errno;
		goto out;
	}
report:
	n = read(to[0], &rep, sizeof(rep));
	if (n != sizeof(rep)) {
		if (!e)
			snprintf(msg, len, "%s: runtime died", t->name);
		e = -EIO;
		goto out;
	}
	if (rep.err) {
		snprintf(msg, len, "%s: %s", t->name, rep.msg);
		e = -rep.err;
		goto out;
	}
	t->init = rep.init;
	t->id = rep.id;
	t->init_pidfd = sys_pidfd_open(t->init, 0);
	if (t->init_pidfd < 0) {
		e = -errno;
		snprintf(msg, len, "%s: pidfd_open: %m", t->name);
	}
out:
	close(to[0]);
	if (to[1] >= 0)
		close(to[1]);
	if (from[0] >= 0)
		close(from[0]);
	close(from[1]);
	return e;
}

/* ------------------------------------------------------------------ */
/* becoming an actor, running a cell                                  */

static int enter_actor(const FIXTURE_DATA(row) *s, enum actor a,
		       const char *cg, const char **why)
{
	const struct tenant *t = a == A_YROOT ? &s->y : &s->x;
	uid_t id = a == A_XUSER ? UNPRIV : 0;
	uint64_t caps;
	int e;

	*why = "enter cgroup";
	e = cg_enter(cg, getpid());
	if (e)
		return e;
	switch (a) {
	case A_HOST:
		break;
	case A_USER:
		*why = "become uid 1000";
		e = become_user(UNPRIV, UNPRIV);
		break;
	case A_USERNS:
		*why = "become uid 1000";
		e = become_user(UNPRIV, UNPRIV);
		if (!e) {
			*why = "unshare -Ur";
			e = enter_userns_as_root(0);
		}
		break;
	default:
		*why = "setns into the tenant's namespaces";
		if (setns(t->init_pidfd, TENANT_NS))
			return -errno;
		/* uid 0 first: leaving root is what drops the capabilities */
		*why = "become root of the user namespace";
		if (setgroups(0, NULL) || setresgid(0, 0, 0) ||
		    setresuid(0, 0, 0))
			return -errno;
		*why = "become uid 1000 of the user namespace";
		if (id && (setresgid(id, id, id) || setresuid(id, id, id)))
			return -errno;
		*why = "prctl";
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
		    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
			return -errno;
		break;
	}
	if (e)
		return e;
	/* the actors without capabilities really have none */
	*why = "read capabilities";
	e = cap_eff(&caps);
	if (e)
		return e;
	*why = "capabilities are not as the actor's";
	if ((a == A_USER || a == A_XUSER) != !caps)
		return -EPERM;
	return 0;
}

static const char *actor_cgroup(const FIXTURE_DATA(row) *s, enum actor a,
				unsigned int flags)
{
	if (flags & R_SHARED_CG)
		return s->cg_shared;
	switch (a) {
	case A_HOST:
		return s->cg_host;
	case A_USER:
	case A_USERNS:
		return s->cg_user;
	case A_YROOT:
		return s->y.cg;
	default:
		return s->x.cg;
	}
}

static void __attribute__((noreturn))
cell_child(const FIXTURE_DATA(row) *s, enum actor a, const char *cg,
	   cell_fn fn, const struct cell *c, int fd)
{
	struct res r = { 0 };
	const char *why = "";
	pid_t pid;
	int e, st;

	e = enter_actor(s, a, cg, &why);
	if (e) {
		errno = -e;
		res_fail(&r, "%s: %m", why);
		if (write(fd, &r, sizeof(r)) < 0)
			_exit(2);
		_exit(1);
	}
	/* a fork, so that a new pid namespace applies */
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		e = fn(c, &r);
		r.err = e < 0 ? -e : 0;
		if (write(fd, &r, sizeof(r)) < 0)
			_exit(2);
		_exit(0);
	}
	if (pid < 0) {
		res_fail(&r, "fork: %m");
		if (write(fd, &r, sizeof(r)) < 0)
			_exit(2);
		_exit(1);
	}
	waitpid(pid, &st, 0);
	_exit(0);
}

/* Run @fn as actor @a, in cgroup @cg; @out gets its report. */
static void run_as(const FIXTURE_DATA(row) *s, enum actor a, const char *cg,
		   cell_fn fn, const struct cell *c, struct res *out)
{
	int p[2], st, e;
	ssize_t n;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe2(p, O_CLOEXEC)) {
		res_fail(out, "pipe: %m");
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		res_fail(out, "fork: %m");
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		cell_child(s, a, cg, fn, c, p[1]);
	}
	close(p[1]);
	e = wait_pid_timeout(pid, &st, CELL_TIMEOUT_MS);
	if (e) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	n = read(p[0], out, sizeof(*out));
	close(p[0]);
	if (e)
		res_fail(out, "timed out after %d ms", CELL_TIMEOUT_MS);
	else if (n != sizeof(*out))
		res_fail(out, "no report (status %#x)", st);
}

/* ------------------------------------------------------------------ */
/* set-up and tear-down                                               */

/* What host root imposes on a container of X's tenant. */
static int impose(FIXTURE_DATA(row) *s, uint32_t id, char *msg, size_t len)
{
	int e;

	e = nl_req(&s->nl, CTNR_CMD_CONTAINER_SET, 0, 2, CTNR_A_ID, id,
		   CTNR_A_DEV_DEFAULT, CTNR_DEV_DENY);
	if (!e)
		e = rule_req(&s->nl, CTNR_CMD_DEV_RULE_ADD, id, 1, 3);
	if (!e)
		e = rule_req(&s->nl, CTNR_CMD_DEV_RULE_ADD, id,
			     major(s->ctnr_rdev), minor(s->ctnr_rdev));
	if (!e)
		e = rule_req(&s->nl, CTNR_CMD_DEV_RULE_ADD, id,
			     major(s->kmsg_rdev), minor(s->kmsg_rdev));
	if (!e)
		e = rule_req(&s->nl, CTNR_CMD_DEV_RULE_ADD, id,
			     major(s->prockmsg_rdev), minor(s->prockmsg_rdev));
	if (!e)
		e = nl_req(&s->nl, CTNR_CMD_CONTAINER_SET, 0, 2, CTNR_A_ID, id,
			   CTNR_A_LOOP_QUOTA, X_LOOP_QUOTA);
	if (e)
		snprintf(msg, len, "impose the policy on %u: %s: %s", id,
			 strerror(-e), s->nl.ext_msg);
	return e;
}

static void __attribute__((noreturn)) helper_main(const FIXTURE_DATA(row) *s,
						  int fd)
{
	char ch = 'r';

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (cg_enter(s->x.cg, getpid()) || setns(s->x.init_pidfd, CLONE_NEWUSER) ||
	    setgroups(0, NULL) || setresgid(0, 0, 0) || setresuid(0, 0, 0))
		_exit(1);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		_exit(1);
	if (write(fd, &ch, 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static int helper_start(FIXTURE_DATA(row) *s, char *msg, size_t len)
{
	int p[2], e = 0;
	char ch;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	s->helper = fork();
	if (s->helper == 0) {
		close(p[0]);
		helper_main(s, p[1]);
	}
	close(p[1]);
	if (s->helper < 0 || read(p[0], &ch, 1) != 1) {
		snprintf(msg, len, "the non-dumpable helper did not start");
		e = -EIO;
	} else {
		s->helper_pidfd = sys_pidfd_open(s->helper, 0);
		if (s->helper_pidfd < 0) {
			e = -errno;
			snprintf(msg, len, "pidfd_open helper: %m");
		}
	}
	close(p[0]);
	return e;
}

/* X's own ctnrloop device and a node of it anyone may open. */
static int xloop_start(FIXTURE_DATA(row) *s, char *msg, size_t len)
{
	char p[128], buf[32];
	unsigned int maj, min;
	int bfd, e;

	snprintf(p, sizeof(p), "%s/x.img", s->dir);
	bfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (bfd < 0 || ftruncate(bfd, 1 << 20)) {
		e = -errno;
		snprintf(msg, len, "%s: %m", p);
		if (bfd >= 0)
			close(bfd);
		return e;
	}
	e = loop_attach(s->dev, s->x.id, bfd, &s->xloop);
	close(bfd);
	if (e) {
		snprintf(msg, len, "attach X's device: %s", strerror(-e));
		return e;
	}
	s->have_xloop = true;
	snprintf(p, sizeof(p), "/sys/block/ctnrloop%u/dev", s->xloop);
	if (read_str(p, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%u:%u", &maj, &min) != 2) {
		snprintf(msg, len, "%s: %m", p);
		return -EIO;
	}
	snprintf(s->xloop_node, sizeof(s->xloop_node), "%s/ctnrloop-x",
		 s->dir);
	if (mknod(s->xloop_node, S_IFBLK | 0666, makedev(maj, min)) ||
	    chmod(s->xloop_node, 0666)) {
		e = -errno;
		snprintf(msg, len, "mknod %s: %m", s->xloop_node);
		return e;
	}
	return 0;
}

static int make_file(const char *dir, const char *name, mode_t mode,
		     char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, 1 << 20) || fchmod(fd, mode)) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	return 0;
}

/* What a run killed half-way may have left: cgroups and mounts. */
static void sweep_stale(void)
{
	const char *root = cg2_root();
	static const char *const kids[] = { "X", "Y", "host", "user",
					    "shared" };
	char p[PATH_MAX + 300];
	struct dirent *de;
	unsigned int i;
	DIR *d;

	d = root ? opendir(root) : NULL;
	if (d) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "ctnr-matrix-", 12))
				continue;
			for (i = 0; i < ARRAY_SIZE(kids); i++) {
				snprintf(p, sizeof(p), "%s/%s/%s", root,
					 de->d_name, kids[i]);
				rmdir(p);
			}
			snprintf(p, sizeof(p), "%s/%s", root, de->d_name);
			rmdir(p);
		}
		closedir(d);
	}
	d = opendir("/tmp");
	if (d) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "ctnr-matrix-", 12))
				continue;
			snprintf(p, sizeof(p), "/tmp/%s", de->d_name);
			umount2(p, MNT_DETACH);
			rmdir(p);
		}
		closedir(d);
	}
}

static int scenario_setup(FIXTURE_DATA(row) *s, char *msg, size_t len)
{
	struct {
		char *path;
		const char *name;
		uid_t owner;
	} cgs[] = {
		{ s->cg_host, "host", 0 },
		{ s->cg_user, "user", UNPRIV },
		{ s->cg_shared, "shared", 0 },
		{ s->x.cg, "X", U_BASE },
		{ s->y.cg, "Y", U2_BASE },
	};
	char rel[64], path[PATH_MAX + 32];
	struct stat st;
	unsigned int i;
	int e;

	s->dev = -1;
	s->x.runtime = s->x.init = s->y.runtime = s->y.init = -1;
	s->x.init_pidfd = s->y.init_pidfd = -1;
	s->helper = -1;
	s->helper_pidfd = -1;
	snprintf(s->prefix, sizeof(s->prefix), "pm%d-", main_pid);
	e = table_read(&s->table, msg, len);
	if (e)
		return e;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return -errno;
	e = ctnr_nl_open(&s->nl);
	if (e) {
		snprintf(msg, len, "genl socket: %s", strerror(-e));
		return e;
	}
	ctnr_del_prefix(&s->nl, s->prefix);
	sweep_stale();
	s->dev = ctnr_dev_open();
	if (s->dev < 0 || stat(CTNR_DEV_PATH, &st)) {
		snprintf(msg, len, CTNR_DEV_PATH ": %m");
		return -errno;
	}
	s->ctnr_rdev = st.st_rdev;
	if (stat(KMSG_PATH, &st)) {
		snprintf(msg, len, KMSG_PATH ": %m");
		return -errno;
	}
	s->kmsg_rdev = st.st_rdev;
	if (stat(PROCKMSG_PATH, &st)) {
		snprintf(msg, len, PROCKMSG_PATH ": %m");
		return -errno;
	}
	s->prockmsg_rdev = st.st_rdev;
	if (read_str(DMESG_RESTRICT, s->dmesg_restrict,
		     sizeof(s->dmesg_restrict)) <= 0 ||
	    write_str(DMESG_RESTRICT, "1")) {
		s->dmesg_restrict[0] = '\0';
		snprintf(msg, len, DMESG_RESTRICT ": %m");
		return -errno;
	}

	/* a tmpfs that allows device nodes, before any mount namespace */
	snprintf(s->dir, sizeof(s->dir), "/tmp/ctnr-matrix-%d", getpid());
	if (mkdir(s->dir, 0755) ||
	    mount("tmpfs", s->dir, "tmpfs", MS_NOSUID, "mode=0755")) {
		snprintf(msg, len, "tmpfs on %s: %m", s->dir);
		return -errno;
	}
	s->mounted = true;

	snprintf(rel, sizeof(rel), "ctnr-matrix-%d", getpid());
	e = cg_create(rel, s->cgroot, sizeof(s->cgroot));
	for (i = 0; !e && i < ARRAY_SIZE(cgs); i++) {
		snprintf(path, sizeof(path), "%s/%s", rel, cgs[i].name);
		e = cg_create(path, cgs[i].path, PATH_MAX);
		if (!e && cgs[i].owner)
			e = chown_cgroup(cgs[i].path, cgs[i].owner);
	}
	if (e) {
		snprintf(msg, len, "cgroups under %s: %s", rel, strerror(-e));
		return e;
	}

	s->x.base = U_BASE;
	snprintf(s->x.name, sizeof(s->x.name), "%sx", s->prefix);
	e = tenant_start(&s->x, msg, len);
	if (e)
		return e;
	s->y.base = U2_BASE;
	snprintf(s->y.name, sizeof(s->y.name), "%sy", s->prefix);
	e = tenant_start(&s->y, msg, len);
	if (e)
		return e;
	e = impose(s, s->x.id, msg, len);
	if (e)
		return e;
	e = helper_start(s, msg, len);
	if (e)
		return e;
	e = make_file(s->dir, "attach.img", 0666, path, sizeof(path));
	if (!e)
		e = make_file(s->dir, "d.img", 0600, path, sizeof(path));
	if (e) {
		snprintf(msg, len, "backing files: %s", strerror(-e));
		return e;
	}
	e = xloop_start(s, msg, len);
	if (e)
		return e;
	e = snapshot(&s->nl, s->x.id, &s->xsnap);
	if (!e && !s->xsnap.exists)
		e = -ENOENT;
	if (e)
		snprintf(msg, len, "X: %s", strerror(-e));
	return e;
}

static void reap(pid_t *pid)
{
	kill_reap(pid);
}

static void scenario_teardown(FIXTURE_DATA(row) *s)
{
	const char *cgs[] = {
		s->x.cg, s->y.cg, s->cg_host, s->cg_user, s->cg_shared,
		s->cgroot,
	};
	unsigned int i;

	if (s->dmesg_restrict[0])
		write_str(DMESG_RESTRICT, s->dmesg_restrict);
	s->dmesg_restrict[0] = '\0';
	if (s->nl.sk)
		ctnr_del_prefix(&s->nl, s->prefix);
	if (s->have_xloop)
		loop_wait_gone(s->xloop, 10000);
	s->have_xloop = false;
	if (s->helper_pidfd >= 0)
		close(s->helper_pidfd);
	s->helper_pidfd = -1;
	reap(&s->helper);
	if (s->x.init_pidfd >= 0)
		close(s->x.init_pidfd);
	if (s->y.init_pidfd >= 0)
		close(s->y.init_pidfd);
	s->x.init_pidfd = s->y.init_pidfd = -1;
	/* the runtimes first: their inits come to us, the subreaper */
	reap(&s->x.runtime);
	reap(&s->y.runtime);
	reap(&s->x.init);
	reap(&s->y.init);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (i = 0; i < ARRAY_SIZE(cgs); i++)
		if (cgs[i][0])
			cg_remove(cgs[i]);
	if (s->mounted)
		umount2(s->dir, MNT_DETACH);
	s->mounted = false;
	if (s->dir[0])
		rmdir(s->dir);
	if (s->dev >= 0)
		close(s->dev);
	s->dev = -1;
	ctnr_nl_close(&s->nl);
}

FIXTURE_SETUP(row)
{
	int64_t t0 = now_ms();
	char msg[512] = "";
	int e = scenario_setup(self, msg, sizeof(msg));

	self->setup_ms = now_ms() - t0;
	if (e)
		scenario_teardown(self);
	ASSERT_EQ(0, e) {
		TH_LOG("set-up: %s", msg);
	}
}

FIXTURE_TEARDOWN(row)
{
	scenario_teardown(self);
}

/* ------------------------------------------------------------------ */
/* one cell                                                           */

static int op_register_victim(const struct cell *c, struct res *r)
{
	struct ctnr_nl nl;
	struct ctnr_ctr out;
	int e;

	if (nl_open_or_fail(&nl, r))
		return 0;
	e = ctnr_new_pidfd(&nl, c->name, c->pidfd, 0, &out);
	if (e)
		res_fail(r, "register: %s: %s", strerror(-e), nl.ext_msg);
	r->val = out.id;
	ctnr_nl_close(&nl);
	return 0;
}

/* A fresh container of X's tenant on X's init, under X's policy. */
static int victim_new(FIXTURE_DATA(row) *s, uint32_t *id, char *msg,
		      size_t len)
{
	struct cell vc = { .pidfd = s->x.init_pidfd };
	struct res r;

	snprintf(vc.name, sizeof(vc.name), "%sv%d", s->prefix,
		 s->nvictims++);
	run_as(s, A_XROOT, s->x.cg, op_register_victim, &vc, &r);
	if (r.fail) {
		snprintf(msg, len, "victim: %s", r.msg);
		return -EIO;
	}
	*id = r.val;
	return impose(s, *id, msg, len);
}

struct outcome {
	const char *got;
	char msg[512];
	bool failed;			/* the harness could not run it */
};

/* Set the cell up, run it, check what it did, clean up. */
static void run_cell(FIXTURE_DATA(row) *s, enum row_id row, enum actor a,
		     struct outcome *o)
{
	const struct row *rw = &rows[row];
	struct snap before = { 0 }, after;
	struct cell c = { .row = row, .actor = a };
	char b1[160], b2[160];
	bool dev_made = false;
	struct res r;
	int e;

	memset(o, 0, sizeof(*o));
	c.target = s->x.id;
	c.own = a == A_XROOT || a == A_XUSER ? s->x.id :
		a == A_YROOT ? s->y.id : 0;
	c.pidfd = -1;
	if (row == ROW_NEW_FOREIGN_TASK)
		c.pidfd = a == A_YROOT ? s->x.init_pidfd : s->y.init_pidfd;
	else if (row == ROW_NEW_NONDUMPABLE)
		c.pidfd = s->helper_pidfd;
	snprintf(c.name, sizeof(c.name), "%sc%d-%d", s->prefix, row, a);
	snprintf(c.loop_node, sizeof(c.loop_node), "%s", s->xloop_node);
	snprintf(c.backing, sizeof(c.backing), "%s/attach.img", s->dir);

	if (rw->flags & R_VICTIM) {
		e = victim_new(s, &c.target, o->msg, sizeof(o->msg));
		if (!e)
			e = snapshot(&s->nl, c.target, &before);
		if (e) {
			o->failed = true;
			goto out;
		}
	}
	if (rw->flags & R_LOOP_DEV) {
		char p[PATH_MAX + 16];
		int bfd;

		snprintf(p, sizeof(p), "%s/d.img", s->dir);
		bfd = open(p, O_RDWR | O_CLOEXEC);
		e = bfd < 0 ? -errno : loop_attach(s->dev, s->x.id, bfd,
						   &c.loop_index);
		if (bfd >= 0)
			close(bfd);
		if (e) {
			snprintf(o->msg, sizeof(o->msg), "attach a device to X: %s",
				 strerror(-e));
			o->failed = true;
			goto out;
		}
		dev_made = true;
	}

	run_as(s, a, actor_cgroup(s, a, rw->flags), rw->fn, &c, &r);
	if (r.fail) {
		snprintf(o->msg, sizeof(o->msg), "%s", r.msg);
		o->failed = true;
		goto out;
	}
	o->got = result_name(r.err);
	snprintf(o->msg, sizeof(o->msg), "%s", r.msg);

	/* refused: nothing changed; allowed: the change shows */
	if (rw->flags & R_VICTIM) {
		e = snapshot(&s->nl, c.target, &after);
		if (e) {
			snprintf(o->msg, sizeof(o->msg), "snapshot: %s",
				 strerror(-e));
			o->failed = true;
		} else if (!memcmp(&before, &after, sizeof(after)) !=
			   !!r.err) {
			snap_str(&before, b1, sizeof(b1));
			snap_str(&after, b2, sizeof(b2));
			snprintf(o->msg, sizeof(o->msg),
				 "answered %s but the victim went from [%s] to [%s]",
				 o->got, b1, b2);
			o->failed = true;
		}
	}
out:
	if ((rw->flags & R_VICTIM) && c.target != s->x.id)
		ctnr_del_id(&s->nl, c.target);
	if (dev_made) {
		loop_detach(s->dev, c.loop_index, CTNR_LOOP_DETACH_F_LAZY);
		loop_wait_gone(c.loop_index, 10000);
	}
}

TEST_F_TIMEOUT(row, cells, 600)
{
	const enum row_id row = variant->row;
	const struct table *t = &self->table;
	char line[1024];
	struct snap xs;
	int64_t t0 = now_ms();
	size_t off;
	int tr, a, e;

	tr = table_row(t, rows[row].label);
	ASSERT_GE(tr, 0) {
		TH_LOG("no row \"%s\" in " CSV_NAME, rows[row].label);
	}
	off = snprintf(line, sizeof(line), "%s:", rows[row].label);
	for (a = 0; a < NR_ACTORS; a++) {
		int col = table_col(t, actor_label[a]);
		const struct known_fail *kf = known(row, a);
		const char *want;
		struct outcome o;

		ASSERT_GT(col, 0) {
			TH_LOG("no column \"%s\" in " CSV_NAME, actor_label[a]);
		}
		want = t->cell[tr][col];
		run_cell(self, row, a, &o);
		off += snprintf(line + off, sizeof(line) - off, " %s",
				o.failed ? "?" : o.got);
		if (off >= sizeof(line))
			off = sizeof(line) - 1;
		EXPECT_FALSE(o.failed) {
			TH_LOG("%s | %s: %s", rows[row].label, actor_label[a],
			       o.msg);
		}
		if (o.failed)
			continue;
		if (kf && !strcmp(o.got, want)) {
			EXPECT_FALSE(true) {
				TH_LOG("%s | %s: now %s as the table says: delete its known_fail entry (%s)",
				       rows[row].label, actor_label[a], want,
				       kf->finding);
			}
		} else if (kf && !strcmp(o.got, kf->today)) {
			note("XFAIL %s | %s: %s, the model says %s (%s)",
			     rows[row].label, actor_label[a], o.got, want,
			     kf->finding);
		} else {
			EXPECT_STREQ(want, o.got) {
				TH_LOG("%s | %s: got %s, the table says %s%s%s",
				       rows[row].label, actor_label[a], o.got,
				       want, o.msg[0] ? ": " : "", o.msg);
			}
		}
	}
	note("%s (set-up %.1f s, cells %.1f s)", line, self->setup_ms / 1000.0,
	     (now_ms() - t0) / 1000.0);
	/* no cell touched X */
	e = snapshot(&self->nl, self->x.id, &xs);
	EXPECT_EQ(0, e);
	EXPECT_EQ(0, memcmp(&xs, &self->xsnap, sizeof(xs))) {
		char b1[160], b2[160];

		snap_str(&self->xsnap, b1, sizeof(b1));
		snap_str(&xs, b2, sizeof(b2));
		TH_LOG("X changed from [%s] to [%s]", b1, b2);
	}
}

ROW_LIST(ROW_VARIANT)

TEST_HARNESS_MAIN
