// SPDX-License-Identifier: GPL-2.0
/*
 * devaccess: device access rules for cgroup v2 containers (issue 4).
 *
 *   test process (root, host namespaces)
 *     |- tmpfs on /tmp/ctnrdev-<pid> holding device nodes (mem 1:1,
 *     |  port 1:4, kmsg 1:11, sda b 8:0, ...): a denial is on major:minor,
 *     |  where the node lives does not matter
 *     |- cgroup /ctnrtest-dev<pid>-<tag>[/sub]: a "holder" child sits in
 *     |  it and is registered as container dv<pid>-<tag>
 *     `- "inside" children: forked, moved into the container's cgroup,
 *        they open and mknod and report what they got
 *
 * Every container a test creates is named dv<pid>-*, so teardown finds
 * and deletes them all, then checks that the devaccess counters in
 * debugfs are back to zero.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/sysmacros.h>
#include <linux/io_uring.h>
#include "ctnr_test.h"

#define NO_SUCH_ID	0x7ffffff0U
#define ANY		CTNR_DEV_ANY
#define ACC_R		CTNR_DEV_ACC_READ
#define ACC_W		CTNR_DEV_ACC_WRITE
#define ACC_M		CTNR_DEV_ACC_MKNOD
#define ACC_RW		(ACC_R | ACC_W)
#define ACC_RWM		CTNR_DEV_ACC_MASK
#define T_A		CTNR_DEV_TYPE_ALL
#define T_B		CTNR_DEV_TYPE_BLOCK
#define T_C		CTNR_DEV_TYPE_CHAR
#define CHILD_TIMEOUT	60000
#define CONC_SECONDS	30

/* ------------------------------------------------------------------ */
/* netlink requests of this feature                                   */

struct dev_rule {
	uint32_t index, type, major, minor, access;
};

/* Which attributes a request carries (bad-input tests leave some out). */
#define RQ_ID		(1U << 0)
#define RQ_TYPE		(1U << 1)
#define RQ_MAJOR	(1U << 2)
#define RQ_MINOR	(1U << 3)
#define RQ_ACCESS	(1U << 4)
#define RQ_ALL		(RQ_ID | RQ_TYPE | RQ_MAJOR | RQ_MINOR | RQ_ACCESS)

static int dev_req(struct ctnr_nl *nl, uint8_t cmd, unsigned int have,
		   uint32_t id, uint32_t type, uint32_t major, uint32_t minor,
		   uint32_t access)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, cmd, 0);

	if (!msg)
		return -ENOMEM;
	if (((have & RQ_ID) && nla_put_u32(msg, CTNR_A_ID, id) < 0) ||
	    ((have & RQ_TYPE) && nla_put_u32(msg, CTNR_A_DEV_TYPE, type) < 0) ||
	    ((have & RQ_MAJOR) &&
	     nla_put_u32(msg, CTNR_A_DEV_MAJOR, major) < 0) ||
	    ((have & RQ_MINOR) &&
	     nla_put_u32(msg, CTNR_A_DEV_MINOR, minor) < 0) ||
	    ((have & RQ_ACCESS) &&
	     nla_put_u32(msg, CTNR_A_DEV_ACCESS, access) < 0)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

static int dev_add(struct ctnr_nl *nl, uint32_t id, uint32_t type,
		   uint32_t major, uint32_t minor, uint32_t access)
{
	return dev_req(nl, CTNR_CMD_DEV_RULE_ADD, RQ_ALL, id, type, major,
		       minor, access);
}

static int dev_del(struct ctnr_nl *nl, uint32_t id, uint32_t type,
		   uint32_t major, uint32_t minor, uint32_t access)
{
	return dev_req(nl, CTNR_CMD_DEV_RULE_DEL, RQ_ALL, id, type, major,
		       minor, access);
}

/* As "echo RULE > devices.allow" (@allow) or devices.deny in cgroup v1. */
static int dev_write(struct ctnr_nl *nl, uint32_t id, bool allow,
		     uint32_t type, uint32_t major, uint32_t minor,
		     uint32_t access)
{
	return dev_req(nl, allow ? CTNR_CMD_DEV_ALLOW : CTNR_CMD_DEV_DENY,
		       RQ_ALL, id, type, major, minor, access);
}

/*
 * DEV_POLICY_SET with default @deflt and @n rules (@n may exceed what the
 * module takes; @no_default leaves CTNR_A_DEV_DEFAULT out).
 */
static int dev_policy_set_ex(struct ctnr_nl *nl, uint32_t id, uint32_t deflt,
			     const struct dev_rule *r, int n, bool no_default)
{
	size_t size = 1024 + (size_t)n * 40;
	struct nlattr *one;
	struct nl_msg *msg = nlmsg_alloc_size(size);
	int i, bad = 0, sndbuf = (int)(2 * size);

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 CTNR_CMD_DEV_POLICY_SET, CTNR_GENL_VERSION) ||
	    nla_put_u32(msg, CTNR_A_ID, id) < 0 ||
	    (!no_default && nla_put_u32(msg, CTNR_A_DEV_DEFAULT, deflt) < 0))
		bad = 1;
	for (i = 0; !bad && i < n; i++) {
		one = nla_nest_start(msg, CTNR_A_DEV_RULE);
		if (!one || nla_put_u32(msg, CTNR_A_DEV_TYPE, r[i].type) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_MAJOR, r[i].major) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_MINOR, r[i].minor) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_ACCESS, r[i].access) < 0)
			bad = 1;
		else if (nla_nest_end(msg, one) < 0)
			bad = 1;
	}
	if (bad) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_SNDBUFFORCE,
		   &sndbuf, sizeof(sndbuf));
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

static int dev_policy_set(struct ctnr_nl *nl, uint32_t id, uint32_t deflt,
			  const struct dev_rule *r, int n)
{
	return dev_policy_set_ex(nl, id, deflt, r, n, false);
}

static int dev_default(struct ctnr_nl *nl, uint32_t id, uint32_t deflt)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) < 0 ||
	    nla_put_u32(msg, CTNR_A_DEV_DEFAULT, deflt) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

struct dev_info {
	int have_default, have_count;
	uint32_t deflt, count;
};

static int dev_info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct dev_info *in = arg;

	(void)cmd;
	if (tb[CTNR_A_DEV_DEFAULT]) {
		in->have_default = 1;
		in->deflt = nla_get_u32(tb[CTNR_A_DEV_DEFAULT]);
	}
	if (tb[CTNR_A_DEV_COUNT]) {
		in->have_count = 1;
		in->count = nla_get_u32(tb[CTNR_A_DEV_COUNT]);
	}
	return 0;
}

/* CONTAINER_GET: the device default and the number of rules. */
static int dev_info(struct ctnr_nl *nl, uint32_t id, struct dev_info *in)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_GET, 0);
	int r;

	memset(in, 0, sizeof(*in));
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	r = ctnr_nl_xfer(nl, msg, dev_info_cb, in);
	if (!r && (!in->have_default || !in->have_count))
		return -EPROTO;
	return r;
}

struct dev_list {
	struct dev_rule *r;
	int max, n, bad;
};

static int dev_list_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct dev_list *l = arg;
	struct dev_rule r;

	if (cmd != CTNR_CMD_DEV_RULE_GET || !tb[CTNR_A_DEV_INDEX] ||
	    !tb[CTNR_A_DEV_TYPE] || !tb[CTNR_A_DEV_MAJOR] ||
	    !tb[CTNR_A_DEV_MINOR] || !tb[CTNR_A_DEV_ACCESS] ||
	    !tb[CTNR_A_ID]) {
		l->bad++;
		return 0;
	}
	r.index = nla_get_u32(tb[CTNR_A_DEV_INDEX]);
	r.type = nla_get_u32(tb[CTNR_A_DEV_TYPE]);
	r.major = nla_get_u32(tb[CTNR_A_DEV_MAJOR]);
	r.minor = nla_get_u32(tb[CTNR_A_DEV_MINOR]);
	r.access = nla_get_u32(tb[CTNR_A_DEV_ACCESS]);
	if (r.index != (uint32_t)l->n)
		l->bad++;
	if (l->n < l->max)
		l->r[l->n] = r;
	l->n++;
	return 0;
}

/* DEV_RULE_GET dump: number of rules (the first @max in @r) or -errno. */
static int dev_list(struct ctnr_nl *nl, uint32_t id, struct dev_rule *r,
		    int max)
{
	struct dev_list l = { .r = r, .max = max };
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_DEV_RULE_GET,
					 NLM_F_DUMP);
	int err;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = ctnr_nl_xfer(nl, msg, dev_list_cb, &l);
	if (err)
		return err;
	return l.bad ? -EPROTO : l.n;
}

/* ------------------------------------------------------------------ */
/* events                                                             */

struct dev_event {
	uint32_t id, type, major, minor, access, pid;
	char comm[32];
};

struct dev_evwait {
	uint32_t id;
	int n, bad;
	struct dev_event first;
};

static int dev_event_cb(struct nl_msg *msg, void *arg)
{
	struct dev_evwait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[CTNR_A_MAX + 1];
	struct dev_event e = { 0 };

	if (gh->cmd != CTNR_CMD_EVENT ||
	    genlmsg_parse(nlh, 0, tb, CTNR_A_MAX, NULL) < 0)
		return NL_OK;
	if (!tb[CTNR_A_EVENT] ||
	    nla_get_u32(tb[CTNR_A_EVENT]) != CTNR_EVENT_DEV_DENIED ||
	    !tb[CTNR_A_ID] || nla_get_u32(tb[CTNR_A_ID]) != w->id)
		return NL_OK;
	if (!tb[CTNR_A_DEV_TYPE] || !tb[CTNR_A_DEV_MAJOR] ||
	    !tb[CTNR_A_DEV_MINOR] || !tb[CTNR_A_DEV_ACCESS] ||
	    !tb[CTNR_A_TASK_PID] || !tb[CTNR_A_TASK_COMM] ||
	    !tb[CTNR_A_NAME]) {
		w->bad++;
		return NL_OK;
	}
	e.id = w->id;
	e.type = nla_get_u32(tb[CTNR_A_DEV_TYPE]);
	e.major = nla_get_u32(tb[CTNR_A_DEV_MAJOR]);
	e.minor = nla_get_u32(tb[CTNR_A_DEV_MINOR]);
	e.access = nla_get_u32(tb[CTNR_A_DEV_ACCESS]);
	e.pid = nla_get_u32(tb[CTNR_A_TASK_PID]);
	snprintf(e.comm, sizeof(e.comm), "%.*s",
		 nla_len(tb[CTNR_A_TASK_COMM]),
		 (char *)nla_data(tb[CTNR_A_TASK_COMM]));
	if (!w->n)
		w->first = e;
	w->n++;
	return NL_OK;
}

static int dev_noop_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * Collect DEV_DENIED events of container @id for @ms milliseconds, or
 * until the first one when @first_only.  Returns how many came.
 */
static int dev_events(struct ctnr_nl *ev, uint32_t id, int ms,
		      bool first_only, struct dev_event *first)
{
	struct dev_evwait w = { .id = id };
	int64_t end = now_ms() + ms;
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev->sk),
			      .events = POLLIN };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dev_event_cb, &w);
	/* events carry sequence number 0: no sequence check */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, dev_noop_cb, NULL);
	while (!(first_only && w.n)) {
		int64_t left = end - now_ms();

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		nl_recvmsgs(ev->sk, cb);
	}
	nl_cb_put(cb);
	if (w.bad)
		return -EPROTO;
	if (first && w.n)
		*first = w.first;
	return w.n;
}

/* Does the container's log (LOG_GET dump) hold a record containing @s? */
struct log_find {
	const char *s;
	int found;
};

static int log_find_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct log_find *f = arg;
	char text[1024];
	int n;

	(void)cmd;
	if (!tb[CTNR_A_LOG_TEXT])
		return 0;
	n = nla_len(tb[CTNR_A_LOG_TEXT]);
	if (n > (int)sizeof(text) - 1)
		n = sizeof(text) - 1;
	memcpy(text, nla_data(tb[CTNR_A_LOG_TEXT]), n);
	text[n] = '\0';
	if (strstr(text, f->s))
		f->found = 1;
	return 0;
}

static int log_contains(struct ctnr_nl *nl, uint32_t id, const char *s)
{
	struct log_find f = { .s = s };
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_LOG_GET, NLM_F_DUMP);
	int r;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	r = ctnr_nl_xfer(nl, msg, log_find_cb, &f);
	return r ? r : f.found;
}

/* ------------------------------------------------------------------ */
/* containers on cgroups                                              */

struct ctr {
	char cg[PATH_MAX];	/* absolute path of its cgroup */
	char name[CTNR_NAME_MAX];
	pid_t holder;		/* task in cg the container was made from */
	int ctl;		/* holder exits when this closes */
	uint32_t id;
};

static void ctr_init(struct ctr *c)
{
	memset(c, 0, sizeof(*c));
	c->holder = -1;
	c->ctl = -EBADF;
}

/* A child that sits in cgroup @cg until @*ctl is closed. */
static int holder_start(const char *cg, pid_t *pid, int *ctl)
{
	int p[2], r;
	char ch;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	*pid = fork();
	if (*pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (*pid == 0) {
		close(p[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		prctl(PR_SET_NAME, "ctnrholder", 0, 0, 0);
		if (read(p[0], &ch, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	*ctl = p[1];
	return cg_enter(cg, *pid);
}

/*
 * Make cgroup @rel (absolute path "" for the root cgroup), put a holder
 * in it and register it as container @name.
 */
static int ctr_new(struct ctnr_nl *nl, struct ctr *c, const char *rel,
		   const char *name)
{
	struct ctnr_ctr out;
	int r;

	ctr_init(c);
	snprintf(c->name, sizeof(c->name), "%s", name);
	if (rel) {
		r = cg_create(rel, c->cg, sizeof(c->cg));
	} else {
		snprintf(c->cg, sizeof(c->cg), "%s", cg2_root());
		r = 0;
	}
	if (r)
		return r;
	r = holder_start(c->cg, &c->holder, &c->ctl);
	if (r)
		return r;
	r = ctnr_new(nl, name, c->holder, 0, &out);
	if (r)
		return r;
	c->id = out.id;
	return 0;
}

static void ctr_del(struct ctnr_nl *nl, struct ctr *c, bool rm_cgroup)
{
	if (c->id)
		ctnr_del_id(nl, c->id);
	c->id = 0;
	close_fd(&c->ctl);
	kill_reap(&c->holder);
	if (rm_cgroup && c->cg[0])
		cg_remove(c->cg);
}

/* ------------------------------------------------------------------ */
/* doing things inside a cgroup                                       */

#define ANY_BUT_EPERM	(-1)	/* expect: whatever happens, not EPERM */

enum { OP_OPEN, OP_MKNOD };

struct op {
	int kind;
	const char *path;
	int flags;		/* open flags, or S_IFCHR / S_IFBLK */
	unsigned int major, minor;	/* mknod */
	int expect;		/* 0, an errno, or ANY_BUT_EPERM */
};

struct ops_arg {
	const char *cg;		/* NULL: stay where we are (the host) */
	const struct op *ops;
	int n;
};

static int op_run(const struct op *o)
{
	int fd, e = 0;

	if (o->kind == OP_OPEN) {
		fd = open(o->path, o->flags | O_CLOEXEC | O_NOCTTY |
			  O_NONBLOCK);
		if (fd < 0)
			e = errno;
		else
			close(fd);
	} else {
		unlink(o->path);
		if (mknod(o->path, o->flags | 0600,
			  makedev(o->major, o->minor)))
			e = errno;
		else
			unlink(o->path);
	}
	return e;
}

static bool op_ok(const struct op *o, int e)
{
	return o->expect == ANY_BUT_EPERM ? e != EPERM : e == o->expect;
}

static void ops_child(int errfd, void *arg)
{
	const struct ops_arg *a = arg;
	int i, e;

	if (a->cg)
		CHILD_CHECK(errfd, !cg_enter(a->cg, getpid()),
			    "entering cgroup %s", a->cg);
	for (i = 0; i < a->n; i++) {
		const struct op *o = &a->ops[i];

		e = op_run(o);
		CHILD_CHECK(errfd, op_ok(o, e),
			    "%s %s: got %s, expected %s",
			    o->kind == OP_OPEN ? "open" : "mknod", o->path,
			    e ? strerror(e) : "success",
			    o->expect == ANY_BUT_EPERM ? "anything but EPERM" :
			    o->expect ? strerror(o->expect) : "success");
	}
}

/* Run @ops in a child in cgroup @cg (NULL: the host's). 0 or status. */
static int run_ops(const char *cg, const struct op *ops, int n, char *msg,
		   size_t len)
{
	struct ops_arg a = { .cg = cg, .ops = ops, .n = n };

	return run_child(ops_child, &a, msg, len, CHILD_TIMEOUT);
}

#define RUN_OPS(cg, ...) ({						\
	const struct op __ops[] = { __VA_ARGS__ };			\
	char __msg[512];						\
	int __r = run_ops(cg, __ops, sizeof(__ops) / sizeof(__ops[0]),	\
			  __msg, sizeof(__msg));			\
	EXPECT_EQ(0, __r) {						\
		TH_LOG("in %s: %s", (cg) ? (cg) : "the host", __msg);	\
	}								\
	__r;								\
})

#define OPEN(p, fl, ex)		{ OP_OPEN, (p), (fl), 0, 0, (ex) }
#define MKNOD(p, t, ma, mi, ex)	{ OP_MKNOD, (p), (t), (ma), (mi), (ex) }

/* What opening @path from the host gives: 0 or errno. */
static int host_open(const char *path, int flags)
{
	struct op o = OPEN(path, flags, 0);

	return op_run(&o);
}

/* ------------------------------------------------------------------ */
/* the fixture                                                        */

struct node {
	const char *name;
	mode_t type;
	unsigned int major, minor;
};

static const struct node nodes[] = {
	{ "mem", S_IFCHR, 1, 1 },	{ "null", S_IFCHR, 1, 3 },
	{ "port", S_IFCHR, 1, 4 },	{ "zero", S_IFCHR, 1, 5 },
	{ "full", S_IFCHR, 1, 7 },	{ "urandom", S_IFCHR, 1, 9 },
	{ "kmsg", S_IFCHR, 1, 11 },	{ "vcs", S_IFCHR, 7, 0 },
	{ "misc5", S_IFCHR, 10, 5 },	{ "ram3", S_IFBLK, 1, 3 },
	{ "loop0", S_IFBLK, 7, 0 },	{ "sda", S_IFBLK, 8, 0 },
	{ "sda1", S_IFBLK, 8, 1 },
};

FIXTURE(dev) {
	struct ctnr_nl nl;
	char prefix[32];
	char dir[64];		/* tmpfs with the device nodes */
	bool mounted;
	struct ctr c[4];
	char cgs[4][PATH_MAX];	/* extra cgroups to remove */
	bool kprobes_off;	/* debugfs kprobes/enabled written 0 */
	bool trace_probe;	/* a tracefs kprobe of ours exists */
	char tp[64];		/* tracefs instance recording denials */
};

/* Path of node @name in the fixture's tmpfs (a static buffer per call). */
#define NODE(name) ({							\
	static char __p[128];						\
	snprintf(__p, sizeof(__p), "%s/%s", self->dir, (name));		\
	(const char *)__p;						\
})

FIXTURE_SETUP(dev)
{
	struct ctnr_info in;
	unsigned int i;
	int r;

	for (i = 0; i < 4; i++)
		ctr_init(&self->c[i]);
	memset(self->cgs, 0, sizeof(self->cgs));
	snprintf(self->prefix, sizeof(self->prefix), "dv%d-", getpid());
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("resolving genl family \"%s\": %s (is the module loaded?)",
		       CTNR_GENL_NAME, strerror(-r));
	}
	ASSERT_EQ(0, ctnr_info(&self->nl, &in));
	if (!(in.features & CTNR_FEAT_DEVACCESS))
		SKIP_OR_FAIL_NO_DEVACCESS();
	ASSERT_NE(NULL, cg2_root());

	snprintf(self->dir, sizeof(self->dir), "/tmp/ctnrdev-%d", getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0700)) TH_LOG("%m - mkdir %s", self->dir);
	ASSERT_EQ(0, mount("ctnrdev", self->dir, "tmpfs", 0, "mode=0700")) {
		TH_LOG("%m - mount tmpfs on %s", self->dir);
	}
	self->mounted = true;
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		char p[128];

		snprintf(p, sizeof(p), "%s/%s", self->dir, nodes[i].name);
		ASSERT_EQ(0, mknod(p, nodes[i].type | 0600,
				   makedev(nodes[i].major, nodes[i].minor))) {
			TH_LOG("%m - mknod %s", p);
		}
	}
}

static void hook_restore(FIXTURE_DATA(dev) *self);
static void tp_close(FIXTURE_DATA(dev) *self);

FIXTURE_TEARDOWN(dev)
{
	char buf[512];
	int i, r;

	hook_restore(self);
	tp_close(self);
	if (self->nl.sk)
		ctnr_del_prefix(&self->nl, self->prefix);
	/* innermost first: c[] are made outer to inner */
	for (i = 3; i >= 0; i--)
		ctr_del(&self->nl, &self->c[i], false);
	for (i = 3; i >= 0; i--)
		if (self->c[i].cg[0] && strcmp(self->c[i].cg, cg2_root()))
			cg_remove(self->c[i].cg);
	for (i = 3; i >= 0; i--)
		if (self->cgs[i][0])
			cg_remove(self->cgs[i]);
	if (self->mounted)
		umount2(self->dir, MNT_DETACH);
	if (self->dir[0])
		rmdir(self->dir);
	if (self->nl.sk) {
		/* This program's containers are gone: so are their policies. */
		r = 0;
		for (i = 0; i < 100 && r == 0; i++) {
			if (ctnr_counter("dev_rulesets") == 0 &&
			    ctnr_counter("dev_states") == 0 &&
			    ctnr_counter("dev_rules") == 0)
				r = 1;
			else
				sleep_ms(50);
		}
		if (!r) {
			ctnr_counters_nonzero(buf, sizeof(buf));
			TH_LOG("devaccess counters not back to zero: %s", buf);
		}
		EXPECT_EQ(1, r);
		ctnr_nl_close(&self->nl);
	}
}

/* Container c[i]: cgroup ctnrtest-<prefix><tag>, name <prefix><tag>. */
static int fx_ctr(FIXTURE_DATA(dev) *self, int i, const char *tag)
{
	char rel[128], name[CTNR_NAME_MAX];

	snprintf(rel, sizeof(rel), "ctnrtest-%s%s", self->prefix, tag);
	snprintf(name, sizeof(name), "%s%s", self->prefix, tag);
	return ctr_new(&self->nl, &self->c[i], rel, name);
}

/* The preset LXC applies: default deny and these exceptions. */
static const struct dev_rule lxc_rules[] = {
	{ 0, T_C, ANY, ANY, ACC_M },	{ 0, T_B, ANY, ANY, ACC_M },
	{ 0, T_C, 1, 3, ACC_RWM },	{ 0, T_C, 1, 5, ACC_RWM },
	{ 0, T_C, 1, 7, ACC_RWM },	{ 0, T_C, 1, 8, ACC_RWM },
	{ 0, T_C, 1, 9, ACC_RWM },	{ 0, T_C, 5, 0, ACC_RWM },
	{ 0, T_C, 5, 1, ACC_RWM },	{ 0, T_C, 5, 2, ACC_RWM },
	{ 0, T_C, 136, ANY, ACC_RWM },	{ 0, T_C, 10, 229, ACC_RWM },
	{ 0, T_C, 10, 200, ACC_RWM },
};
#define N_LXC	((int)(sizeof(lxc_rules) / sizeof(lxc_rules[0])))

static int apply_lxc(struct ctnr_nl *nl, uint32_t id)
{
	int i, r = dev_default(nl, id, CTNR_DEV_DENY);

	for (i = 0; !r && i < N_LXC; i++)
		r = dev_add(nl, id, lxc_rules[i].type, lxc_rules[i].major,
			    lxc_rules[i].minor, lxc_rules[i].access);
	return r;
}

/* A request fails with @err and the extended ack contains @text. */
#define EXPECT_REJECT(err, call, text) do {				\
	int __e = (call);						\
	EXPECT_EQ(-(err), __e);						\
	EXPECT_NE(NULL, strstr(self->nl.ext_msg, (text))) {		\
		TH_LOG("extack \"%s\", expected \"%s\"",		\
		       self->nl.ext_msg, (text));			\
	}								\
} while (0)

/* ------------------------------------------------------------------ */
/* the hook                                                           */

#define KPROBES_ENABLED	"/sys/kernel/debug/kprobes/enabled"
#define KPROBES_LIST	"/sys/kernel/debug/kprobes/list"
#define HOOK_DEBUGFS	"/sys/kernel/debug/ctnr/hook_devaccess"
#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_PROBE	"ctnrtest_dcp"

struct hook_info {
	int found;
	uint32_t state;
	uint64_t missed;
	char mode[16], reason[256];
};

/* The "devaccess" CTNR_A_HOOK nest of an INFO reply or a HOOK event. */
static int hook_parse(struct nlattr *nest, struct hook_info *hi)
{
	struct nlattr *tb[CTNR_HOOK_A_MAX + 1];

	if (nla_parse_nested(tb, CTNR_HOOK_A_MAX, nest, NULL) ||
	    !tb[CTNR_HOOK_A_NAME] || !tb[CTNR_HOOK_A_STATE])
		return -EPROTO;
	if (strcmp(nla_get_string(tb[CTNR_HOOK_A_NAME]), "devaccess"))
		return 0;
	hi->found = 1;
	hi->state = nla_get_u32(tb[CTNR_HOOK_A_STATE]);
	if (tb[CTNR_HOOK_A_MISSED])
		hi->missed = nla_get_u64(tb[CTNR_HOOK_A_MISSED]);
	if (tb[CTNR_HOOK_A_MODE])
		snprintf(hi->mode, sizeof(hi->mode), "%s",
			 nla_get_string(tb[CTNR_HOOK_A_MODE]));
	if (tb[CTNR_HOOK_A_REASON])
		snprintf(hi->reason, sizeof(hi->reason), "%s",
			 nla_get_string(tb[CTNR_HOOK_A_REASON]));
	return 0;
}

static int hook_info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)cmd;
	return tb[CTNR_A_HOOK] ? hook_parse(tb[CTNR_A_HOOK], arg) : 0;
}

/* The devaccess hook as CTNR_CMD_INFO describes it. */
static int hook_info(struct ctnr_nl *nl, struct hook_info *hi)
{
	int r;

	memset(hi, 0, sizeof(*hi));
	r = ctnr_nl_xfer(nl, ctnr_nl_msg(nl, CTNR_CMD_INFO, 0), hook_info_cb,
			 hi);
	return r ? r : hi->found ? 0 : -ENOENT;
}

/* Poll INFO until the hook is in @state; 0, or -ETIMEDOUT. */
static int hook_wait_state(struct ctnr_nl *nl, uint32_t state, int ms)
{
	int64_t end = now_ms() + ms;
	struct hook_info hi;

	for (;;) {
		if (!hook_info(nl, &hi) && hi.state == state)
			return 0;
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(100);
	}
}

/* Poll INFO until the hook is verified (idle or enforcing). */
static int hook_wait_verified(struct ctnr_nl *nl, int ms)
{
	int64_t end = now_ms() + ms;
	struct hook_info hi;

	for (;;) {
		if (!hook_info(nl, &hi) && (hi.state == CTNR_HOOK_IDLE ||
					   hi.state == CTNR_HOOK_ENFORCING))
			return 0;
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(100);
	}
}

struct hook_evwait {
	uint32_t state;
	int found;
};

static int hook_event_cb(struct nl_msg *msg, void *arg)
{
	struct hook_evwait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[CTNR_A_MAX + 1];
	struct hook_info hi = { 0 };

	if (gh->cmd != CTNR_CMD_EVENT ||
	    genlmsg_parse(nlh, 0, tb, CTNR_A_MAX, NULL) < 0 ||
	    !tb[CTNR_A_EVENT] ||
	    nla_get_u32(tb[CTNR_A_EVENT]) != CTNR_EVENT_HOOK ||
	    !tb[CTNR_A_HOOK] || hook_parse(tb[CTNR_A_HOOK], &hi))
		return NL_OK;
	if (hi.found && hi.state == w->state)
		w->found = 1;
	return NL_OK;
}

/* Wait for a CTNR_EVENT_HOOK of the devaccess hook in @state. */
static int hook_event_wait(struct ctnr_nl *ev, uint32_t state, int ms)
{
	struct hook_evwait w = { .state = state };
	int64_t end = now_ms() + ms;
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev->sk),
			      .events = POLLIN };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, hook_event_cb, &w);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, dev_noop_cb, NULL);
	while (!w.found) {
		int64_t left = end - now_ms();

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		nl_recvmsgs(ev->sk, cb);
	}
	nl_cb_put(cb);
	return w.found ? 0 : -ETIMEDOUT;
}

/* How many lines of the kernel log contain @s. */
static int kmsg_count(const char *s)
{
	char line[1024];
	int n = 0;
	FILE *f = popen("dmesg 2>/dev/null", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, s);
	pclose(f);
	return n;
}

/* Does the kernel log hold a line containing @s? */
static bool kmsg_has(const char *s)
{
	return kmsg_count(s) > 0;
}

static int kprobes_set_enabled(FIXTURE_DATA(dev) *self, bool on)
{
	int r = write_str(KPROBES_ENABLED, on ? "1" : "0");

	if (!r)
		self->kprobes_off = !on;
	return r;
}

/* Undo what a hook test did to the system; wait for the hook to recover. */
static void hook_restore(FIXTURE_DATA(dev) *self)
{
	bool touched = self->kprobes_off || self->trace_probe;

	if (self->kprobes_off)
		kprobes_set_enabled(self, true);
	if (self->trace_probe) {
		write_str(TRACEFS "/events/kprobes/" TRACE_PROBE "/enable", "0");
		if (!write_str(TRACEFS "/kprobe_events", "-:" TRACE_PROBE "\n"))
			self->trace_probe = false;
	}
	/* a lapsed hook is tried again every 5 s */
	if (touched && self->nl.sk)
		hook_wait_verified(&self->nl, 20000);
}

/*
 * The ctnr:ctnr_dev_denied tracepoint fires for every denial the module
 * makes, unlike the DEV_DENIED event, which is rate-limited and coalesced:
 * it is how a test proves that an EPERM came from the module and not from
 * the kernel (lockdown, a driver, a missing capability).  A tracefs
 * instance of our own records it, so nothing else's tracing is touched.
 */
static int tp_open(FIXTURE_DATA(dev) *self)
{
	char path[128];
	int r;

	if (access(TRACEFS "/events/ctnr/ctnr_dev_denied", F_OK))
		return -ENOENT;
	snprintf(self->tp, sizeof(self->tp), TRACEFS "/instances/ctnrtest-%d",
		 getpid());
	if (mkdir(self->tp, 0700) && errno != EEXIST) {
		r = -errno;
		self->tp[0] = '\0';
		return r;
	}
	snprintf(path, sizeof(path), "%s/buffer_size_kb", self->tp);
	write_str(path, "8192");
	snprintf(path, sizeof(path), "%s/events/ctnr/ctnr_dev_denied/enable",
		 self->tp);
	return write_str(path, "1");
}

static void tp_close(FIXTURE_DATA(dev) *self)
{
	char path[128];

	if (!self->tp[0])
		return;
	snprintf(path, sizeof(path), "%s/events/ctnr/ctnr_dev_denied/enable",
		 self->tp);
	write_str(path, "0");
	rmdir(self->tp);
	self->tp[0] = '\0';
}

/*
 * Denials of device @type (b or c) @major:@minor to container @id the
 * instance recorded; *@lost (if not NULL) tells whether the buffer
 * dropped events.
 */
static int tp_count(FIXTURE_DATA(dev) *self, uint32_t id, char type,
		    unsigned int major, unsigned int minor, bool *lost)
{
	char path[128], want[64], line[512];
	unsigned long in = 0, written = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", self->tp);
	snprintf(want, sizeof(want), "id=%u dev=%c %u:%u ", id, type, major,
		 minor);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			sscanf(line, "# entries-in-buffer/entries-written: %lu/%lu",
			       &in, &written);
		else if (strstr(line, "ctnr_dev_denied") && strstr(line, want))
			n++;
	}
	fclose(f);
	if (lost)
		*lost = in != written;
	return n;
}

/* Forget what the instance recorded. */
static void tp_clear(FIXTURE_DATA(dev) *self)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/trace", self->tp);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

#define TP_OPEN_OR_SKIP() do {						\
	if (tp_open(self))						\
		SKIP(return, "no tracefs or no ctnr:ctnr_dev_denied event"); \
} while (0)

/* ------------------------------------------------------------------ */
/* tests                                                              */

/*
 * Default deny + the lxc preset: the usual devices open inside, memory,
 * kmsg, port and disks give EPERM, mknod follows the m rules, the host is
 * unaffected, and denials are reported as events and in the log.
 */
TEST_F_TIMEOUT(dev, lxc_preset_inside_and_host, 120)
{
	const char *cg;
	struct dev_rule r[32];
	struct dev_info in;
	struct dev_event e;
	struct ctnr_info fi;
	struct ctnr_nl ev;
	int hn, hz, hu, hp, n, i;
	bool tp;

	ASSERT_EQ(0, fx_ctr(self, 0, "lxc"));
	cg = self->c[0].cg;
	ASSERT_EQ(0, ctnr_events_open(&ev));
	tp = !tp_open(self);
	ASSERT_EQ(0, apply_lxc(&self->nl, self->c[0].id)) {
		TH_LOG("lxc preset: %s", self->nl.ext_msg);
	}
	ASSERT_EQ(0, dev_info(&self->nl, self->c[0].id, &in));
	EXPECT_EQ(CTNR_DEV_DENY, in.deflt);
	EXPECT_EQ((uint32_t)N_LXC, in.count);
	n = dev_list(&self->nl, self->c[0].id, r, 32);
	ASSERT_EQ(N_LXC, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(lxc_rules[i].type, r[i].type);
		EXPECT_EQ(lxc_rules[i].major, r[i].major);
		EXPECT_EQ(lxc_rules[i].minor, r[i].minor);
		EXPECT_EQ(lxc_rules[i].access, r[i].access);
	}

	/* what the real nodes give on the host is what they give inside */
	hn = host_open("/dev/null", O_RDWR);
	hz = host_open("/dev/zero", O_RDONLY);
	hu = host_open("/dev/urandom", O_RDONLY);
	hp = host_open("/dev/ptmx", O_RDWR);
	EXPECT_EQ(0, hn);
	EXPECT_EQ(0, hz);
	EXPECT_EQ(0, hu);
	EXPECT_NE(EPERM, hp);
	RUN_OPS(cg,
		OPEN("/dev/null", O_RDWR, hn),
		OPEN("/dev/zero", O_RDONLY, hz),
		OPEN("/dev/urandom", O_RDONLY, hu),
		OPEN("/dev/ptmx", O_RDWR, hp),
		OPEN(NODE("null"), O_RDWR, 0),
		OPEN(NODE("full"), O_WRONLY, 0),
		OPEN(NODE("mem"), O_RDONLY, EPERM),
		OPEN(NODE("kmsg"), O_RDONLY, EPERM),
		OPEN(NODE("port"), O_RDONLY, EPERM),
		OPEN(NODE("sda"), O_RDONLY, EPERM),
		OPEN(NODE("loop0"), O_RDWR, EPERM),
		OPEN(NODE("ram3"), O_RDONLY, EPERM),
		/* "c *:* m" and "b *:* m": mknod of anything, as LXC */
		MKNOD(NODE("mem2"), S_IFCHR, 1, 1, 0),
		MKNOD(NODE("sdb"), S_IFBLK, 8, 16, 0));
	/*
	 * Each EPERM was the module's: under lockdown the kernel refuses
	 * /dev/mem and /dev/port itself, after our check, which comes first
	 * (inode_permission() in the open, before the driver's open).  The
	 * DEV_DENIED events are coalesced; the tracepoint is not.
	 */
	if (tp) {
		static const struct node denied[] = {
			{ "mem", S_IFCHR, 1, 1 },	{ "kmsg", S_IFCHR, 1, 11 },
			{ "port", S_IFCHR, 1, 4 },	{ "sda", S_IFBLK, 8, 0 },
			{ "loop0", S_IFBLK, 7, 0 },	{ "ram3", S_IFBLK, 1, 3 },
		};

		for (i = 0; i < (int)(sizeof(denied) / sizeof(denied[0])); i++) {
			n = tp_count(self, self->c[0].id,
				     denied[i].type == S_IFCHR ? 'c' : 'b',
				     denied[i].major, denied[i].minor, NULL);
			EXPECT_EQ(1, n) {
				TH_LOG("%s: %d ctnr_dev_denied events for one open",
				       denied[i].name, n);
			}
		}
	} else {
		TH_LOG("no ctnr:ctnr_dev_denied tracepoint: the mem/port denials are not proven the module's");
	}
	/* the host, outside the container, is not affected */
	RUN_OPS(NULL,
		OPEN(NODE("mem"), O_RDONLY, ANY_BUT_EPERM),
		OPEN(NODE("kmsg"), O_RDONLY, ANY_BUT_EPERM),
		OPEN(NODE("port"), O_RDONLY, ANY_BUT_EPERM),
		OPEN(NODE("sda"), O_RDONLY, ANY_BUT_EPERM),
		OPEN(NODE("loop0"), O_RDWR, ANY_BUT_EPERM));

	/* the denials were reported */
	n = dev_events(&ev, self->c[0].id, 5000, true, &e);
	ASSERT_GE(n, 1) TH_LOG("no DEV_DENIED event came");
	EXPECT_EQ(T_C, e.type);
	EXPECT_EQ(1U, e.major);
	EXPECT_EQ(1U, e.minor);
	EXPECT_EQ(ACC_R, e.access);
	EXPECT_NE(0U, e.pid);
	EXPECT_NE('\0', e.comm[0]);
	ASSERT_EQ(0, ctnr_info(&self->nl, &fi));
	if (fi.features & CTNR_FEAT_KMSG) {
		int found = 0;

		for (i = 0; i < 50 && found != 1; i++) {
			found = log_contains(&self->nl, self->c[0].id,
					     "device c 1:1 access 'r' denied");
			if (found != 1)
				sleep_ms(50);
		}
		EXPECT_EQ(1, found) TH_LOG("no denial in the container log");
	}

	/* without the m wildcards, mknod of a denied device is refused */
	ASSERT_EQ(0, dev_del(&self->nl, self->c[0].id, T_C, ANY, ANY, ACC_M));
	ASSERT_EQ(0, dev_del(&self->nl, self->c[0].id, T_B, ANY, ANY, ACC_M));
	RUN_OPS(cg,
		MKNOD(NODE("mem2"), S_IFCHR, 1, 1, EPERM),
		MKNOD(NODE("sdb"), S_IFBLK, 8, 16, EPERM),
		MKNOD(NODE("null2"), S_IFCHR, 1, 3, 0));
	ctnr_nl_close(&ev);
}

/* A rule with r only lets O_RDONLY through; w alone only O_WRONLY. */
TEST_F_TIMEOUT(dev, access_bits, 90)
{
	uint32_t id;
	const char *cg;

	ASSERT_EQ(0, fx_ctr(self, 0, "acc"));
	id = self->c[0].id;
	cg = self->c[0].cg;

	/* default deny: an exception must cover every requested bit */
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_R));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 5, ACC_W));
	RUN_OPS(cg,
		OPEN(NODE("null"), O_RDONLY, 0),
		OPEN(NODE("null"), O_WRONLY, EPERM),
		OPEN(NODE("null"), O_RDWR, EPERM),
		OPEN(NODE("zero"), O_WRONLY, 0),
		OPEN(NODE("zero"), O_RDONLY, EPERM),
		OPEN(NODE("zero"), O_RDWR, EPERM),
		MKNOD(NODE("n2"), S_IFCHR, 1, 3, EPERM));
	/*
	 * F6: as in v1, adding to the exception of a device merges the
	 * bits: c 1:3 r then c 1:3 w is one exception c 1:3 rw, O_RDWR
	 */
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_W));
	RUN_OPS(cg,
		OPEN(NODE("null"), O_WRONLY, 0),
		OPEN(NODE("null"), O_RDWR, 0));
	{
		struct dev_rule r[4];

		ASSERT_EQ(2, dev_list(&self->nl, id, r, 4));
		EXPECT_EQ(1U, r[0].major);
		EXPECT_EQ(3U, r[0].minor);
		EXPECT_EQ(ACC_RW, r[0].access);
	}
	/* and deleting subtracts: c 1:3 w goes, c 1:3 r stays */
	ASSERT_EQ(0, dev_del(&self->nl, id, T_C, 1, 3, ACC_W));
	RUN_OPS(cg,
		OPEN(NODE("null"), O_RDONLY, 0),
		OPEN(NODE("null"), O_WRONLY, EPERM),
		OPEN(NODE("null"), O_RDWR, EPERM));
	/* but two devices' exceptions do not add up */
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, ANY, ACC_W));
	RUN_OPS(cg,
		OPEN(NODE("null"), O_WRONLY, 0),
		OPEN(NODE("null"), O_RDWR, EPERM));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_RW));
	RUN_OPS(cg, OPEN(NODE("null"), O_RDWR, 0));

	/*
	 * default allow: an exception sharing any bit denies; setting the
	 * default removes the exceptions, as writing "a" in cgroup v1
	 */
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_ALLOW));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 5, ACC_W));
	RUN_OPS(cg,
		OPEN(NODE("zero"), O_RDONLY, 0),
		OPEN(NODE("zero"), O_WRONLY, EPERM),
		OPEN(NODE("zero"), O_RDWR, EPERM),
		OPEN(NODE("null"), O_RDWR, 0),
		MKNOD(NODE("z2"), S_IFCHR, 1, 5, 0));
}

/*
 * F6: DEV_ALLOW and DEV_DENY mean what writing to v1's devices.allow and
 * devices.deny means, whatever the default; "a *:* rwm" is the reset it is
 * in v1 (under default allow it used to deny everything).
 */
TEST_F_TIMEOUT(dev, v1_allow_deny_files, 90)
{
	struct dev_rule r[4];
	struct dev_info in;
	const char *cg;
	uint32_t id;

	ASSERT_EQ(0, fx_ctr(self, 0, "v1"));
	id = self->c[0].id;
	cg = self->c[0].cg;
	/* default allow: devices.deny adds an exception, .allow removes */
	ASSERT_EQ(0, dev_write(&self->nl, id, false, T_C, 1, 5, ACC_W));
	RUN_OPS(cg,
		OPEN(NODE("zero"), O_RDONLY, 0),
		OPEN(NODE("zero"), O_WRONLY, EPERM));
	ASSERT_EQ(0, dev_write(&self->nl, id, true, T_C, 1, 5, ACC_RW));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ(0U, in.count);
	RUN_OPS(cg, OPEN(NODE("zero"), O_WRONLY, 0));
	/* removing what is not there is no error, as in v1 */
	EXPECT_EQ(0, dev_write(&self->nl, id, true, T_B, 8, 0, ACC_R));
	/* "a" to devices.deny: default deny, no exceptions */
	ASSERT_EQ(0, dev_write(&self->nl, id, false, T_C, 1, 7, ACC_W));
	ASSERT_EQ(0, dev_write(&self->nl, id, false, T_A, ANY, ANY, ACC_RWM));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ(CTNR_DEV_DENY, in.deflt);
	EXPECT_EQ(0U, in.count);
	RUN_OPS(cg, OPEN(NODE("null"), O_RDONLY, EPERM));
	/* default deny: devices.allow adds, merging; .deny subtracts */
	ASSERT_EQ(0, dev_write(&self->nl, id, true, T_C, 1, 3, ACC_R));
	ASSERT_EQ(0, dev_write(&self->nl, id, true, T_C, 1, 3, ACC_W));
	ASSERT_EQ(1, dev_list(&self->nl, id, r, 4));
	EXPECT_EQ(ACC_RW, r[0].access);
	RUN_OPS(cg, OPEN(NODE("null"), O_RDWR, 0));
	ASSERT_EQ(0, dev_write(&self->nl, id, false, T_C, 1, 3, ACC_W));
	RUN_OPS(cg,
		OPEN(NODE("null"), O_RDONLY, 0),
		OPEN(NODE("null"), O_WRONLY, EPERM));
	/* "a *:* rwm" to devices.allow: everything, no exception left */
	ASSERT_EQ(0, dev_write(&self->nl, id, true, T_A, ANY, ANY, ACC_RWM));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ(CTNR_DEV_ALLOW, in.deflt);
	EXPECT_EQ(0U, in.count);
	RUN_OPS(cg,
		OPEN(NODE("null"), O_RDWR, 0),
		OPEN(NODE("zero"), O_RDWR, 0),
		OPEN(NODE("full"), O_RDWR, 0));
	/* and written again under default allow it still allows all */
	ASSERT_EQ(0, dev_write(&self->nl, id, false, T_C, 1, 7, ACC_W));
	ASSERT_EQ(0, dev_write(&self->nl, id, true, T_A, ANY, ANY, ACC_RWM));
	RUN_OPS(cg, OPEN(NODE("full"), O_RDWR, 0));
	/* bad input as for the other commands */
	EXPECT_REJECT(ERANGE, dev_write(&self->nl, id, true, 3, 1, 5, ACC_R),
		      "integer out of range");
	EXPECT_REJECT(EINVAL, dev_write(&self->nl, id, true, T_C, 1, 5, 0),
		      "non-empty subset of rwm");
}

/*
 * Wildcards, block versus char, and deletion taking effect at once
 * for new opens (an fd opened before stays usable, as in cgroup v1).
 */
TEST_F_TIMEOUT(dev, wildcards_block_char_delete, 90)
{
	uint32_t id;
	const char *cg;
	int fd;

	ASSERT_EQ(0, fx_ctr(self, 0, "wild"));
	id = self->c[0].id;
	cg = self->c[0].cg;
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, ANY, ACC_RW));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_B, ANY, 0, ACC_R));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_B, 7, ANY, ACC_RW));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 7, ANY, ACC_RW));
	RUN_OPS(cg,
		OPEN(NODE("null"), O_RDWR, 0),		/* c 1:* */
		OPEN(NODE("mem"), O_RDONLY, ANY_BUT_EPERM),
		OPEN(NODE("ram3"), O_RDONLY, EPERM),	/* b 1:3: block */
		OPEN(NODE("sda"), O_RDONLY, ANY_BUT_EPERM), /* b *:0 */
		OPEN(NODE("sda"), O_RDWR, EPERM),
		OPEN(NODE("sda1"), O_RDONLY, EPERM),
		OPEN(NODE("loop0"), O_RDWR, ANY_BUT_EPERM), /* b 7:* */
		OPEN(NODE("vcs"), O_RDONLY, ANY_BUT_EPERM), /* c 7:* */
		OPEN(NODE("misc5"), O_RDONLY, EPERM),
		MKNOD(NODE("x"), S_IFCHR, 1, 3, EPERM));

	/* default allow with "b *:* m" and "c *:* m": no mknod, opens fine */
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_ALLOW));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_B, ANY, ANY, ACC_M));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, ANY, ANY, ACC_M));
	RUN_OPS(cg,
		MKNOD(NODE("x"), S_IFCHR, 1, 3, EPERM),
		MKNOD(NODE("y"), S_IFBLK, 8, 0, EPERM),
		OPEN(NODE("null"), O_RDWR, 0),
		OPEN(NODE("misc5"), O_RDONLY, ANY_BUT_EPERM));

	/* deletion: new opens see it at once; an open fd stays usable */
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 5, ACC_R));
	RUN_OPS(cg, OPEN(NODE("zero"), O_RDONLY, 0));
	/* a child inside keeps an fd open across the deletion */
	{
		int p[2], q[2];
		char ch = 0;
		pid_t pid;

		ASSERT_EQ(0, pipe(p));
		ASSERT_EQ(0, pipe(q));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			char buf[16];
			int ok;

			close(p[1]);
			close(q[0]);
			if (cg_enter(cg, getpid()))
				_exit(2);
			fd = open(NODE("zero"), O_RDONLY);
			ch = fd >= 0 ? 'o' : 'f';
			if (write(q[1], &ch, 1) != 1 || read(p[0], &ch, 1) != 1)
				_exit(3);
			ok = read(fd, buf, sizeof(buf)) == sizeof(buf);
			ch = ok ? 'r' : 'x';
			ch = open(NODE("zero"), O_RDONLY) < 0 &&
			     errno == EPERM ? ch : 'n';
			if (write(q[1], &ch, 1) != 1)
				_exit(4);
			_exit(0);
		}
		close(p[0]);
		close(q[1]);
		ASSERT_EQ(1, read(q[0], &ch, 1));
		EXPECT_EQ('o', ch);
		ASSERT_EQ(0, dev_del(&self->nl, id, T_C, 1, 5, ACC_R));
		ASSERT_EQ(1, write(p[1], &ch, 1));
		ASSERT_EQ(1, read(q[0], &ch, 1));
		EXPECT_EQ('r', ch) TH_LOG("'x': old fd unusable, 'n': new open not EPERM");
		close(p[1]);
		close(q[0]);
		waitpid(pid, NULL, 0);
	}
	RUN_OPS(cg, OPEN(NODE("zero"), O_RDONLY, EPERM));
}

/*
 * Nesting: a child container can only narrow its parent's rules, and two
 * containers on the same cgroup must both allow.
 */
TEST_F_TIMEOUT(dev, nesting_only_narrows, 90)
{
	char rel[128], name[CTNR_NAME_MAX];
	const char *outer, *inner;
	uint32_t p, c, x;

	ASSERT_EQ(0, fx_ctr(self, 0, "outer"));
	snprintf(rel, sizeof(rel), "ctnrtest-%souter/inner", self->prefix);
	snprintf(name, sizeof(name), "%sinner", self->prefix);
	ASSERT_EQ(0, ctr_new(&self->nl, &self->c[1], rel, name));
	outer = self->c[0].cg;
	inner = self->c[1].cg;
	p = self->c[0].id;
	c = self->c[1].id;

	ASSERT_EQ(0, dev_default(&self->nl, p, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, p, T_C, 1, 3, ACC_RWM));
	ASSERT_EQ(0, dev_add(&self->nl, p, T_C, 1, 5, ACC_RWM));
	ASSERT_EQ(0, dev_default(&self->nl, c, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, c, T_C, 1, 3, ACC_RWM));
	ASSERT_EQ(0, dev_add(&self->nl, c, T_C, 1, 7, ACC_RWM));
	RUN_OPS(outer,
		OPEN(NODE("null"), O_RDWR, 0),
		OPEN(NODE("zero"), O_RDWR, 0),
		OPEN(NODE("full"), O_RDWR, EPERM));
	RUN_OPS(inner,
		OPEN(NODE("null"), O_RDWR, 0),
		OPEN(NODE("zero"), O_RDWR, EPERM),	/* the child denies */
		OPEN(NODE("full"), O_RDWR, EPERM));	/* the parent denies */

	/* a second container on the inner cgroup: all of them must allow */
	snprintf(name, sizeof(name), "%ssame", self->prefix);
	{
		struct ctnr_ctr out;

		ASSERT_EQ(0, ctnr_new(&self->nl, name, self->c[1].holder, 0,
				      &out));
		x = out.id;
	}
	ASSERT_EQ(0, dev_add(&self->nl, x, T_C, 1, 3, ACC_W));
	RUN_OPS(inner,
		OPEN(NODE("null"), O_RDONLY, 0),
		OPEN(NODE("null"), O_WRONLY, EPERM));
	RUN_OPS(outer, OPEN(NODE("null"), O_RDWR, 0));
	/* deleting the parent container leaves only the child's rules */
	ASSERT_EQ(0, ctnr_del_id(&self->nl, p));
	self->c[0].id = 0;
	RUN_OPS(inner,
		OPEN(NODE("full"), O_RDWR, 0),
		OPEN(NODE("zero"), O_RDWR, EPERM));
	RUN_OPS(outer, OPEN(NODE("full"), O_RDWR, 0));
}

/* ------------------------------------------------------------------ */
/* permissions                                                        */

struct croot_arg {
	const char *cg, *subcg;
	char name[CTNR_NAME_MAX], nested[CTNR_NAME_MAX];
	int to_parent, from_parent;	/* pipe ends */
	const char *zero, *null;
};

/*
 * Container root: in cgroup @cg, in a user namespace of its own (uid 0 of
 * it is ours), registers its container, lets the host lock it down, then
 * tries to loosen it; then registers a nested container owned by a child
 * user namespace and narrows that one.
 */
static void croot_child(int errfd, void *arg)
{
	struct croot_arg *a = arg;
	struct ctnr_nl nl;
	struct ctnr_ctr out;
	struct dev_rule r[8];
	uint32_t id, nid;
	int g2c[2], c2g[2], e, n;
	pid_t g;
	char ch;

	CHILD_CHECK(errfd, !cg_enter(a->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !enter_userns_as_root(0), "user namespace");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	e = ctnr_new(&nl, a->name, getpid(), 0, &out);
	CHILD_CHECK(errfd, !e, "register own container: %s %s", strerror(-e),
		    nl.ext_msg);
	id = out.id;
	CHILD_CHECK(errfd, write(a->to_parent, &id, 4) == 4, "write");
	CHILD_CHECK(errfd, read(a->from_parent, &ch, 1) == 1, "read");

	/* the host set deny + c 1:3 rwm: we cannot loosen it */
	e = dev_default(&nl, id, CTNR_DEV_ALLOW);
	CHILD_CHECK(errfd, e == -EPERM, "default allow gave %d", e);
	CHILD_CHECK(errfd, strstr(nl.ext_msg, "CAP_SYS_ADMIN"),
		    "message: %s", nl.ext_msg);
	e = dev_add(&nl, id, T_C, 1, 5, ACC_RWM);
	CHILD_CHECK(errfd, e == -EPERM, "add gave %d", e);
	e = dev_del(&nl, id, T_C, 1, 3, ACC_RWM);
	CHILD_CHECK(errfd, e == -EPERM, "del gave %d", e);
	e = dev_write(&nl, id, true, T_A, ANY, ANY, ACC_RWM);
	CHILD_CHECK(errfd, e == -EPERM, "allow a gave %d", e);
	e = dev_policy_set(&nl, id, CTNR_DEV_ALLOW, NULL, 0);
	CHILD_CHECK(errfd, e == -EPERM, "policy set gave %d", e);
	/*
	 * nor drop them with the registration: deleting it or having it
	 * autoremoved needs the privilege of whoever imposed the rules
	 */
	e = ctnr_del_id(&nl, id);
	CHILD_CHECK(errfd, e == -EPERM, "deleting the locked container gave %d",
		    e);
	CHILD_CHECK(errfd, strstr(nl.ext_msg, "imposed"), "message: %s",
		    nl.ext_msg);
	e = ctnr_set_flags(&nl, id, CTNR_F_AUTOREMOVE);
	CHILD_CHECK(errfd, e == -EPERM, "autoremove gave %d", e);
	/* but we may read them */
	n = dev_list(&nl, id, r, 8);
	CHILD_CHECK(errfd, n == 1 && r[0].major == 1 && r[0].minor == 3,
		    "list gave %d", n);
	CHILD_CHECK(errfd, open(a->zero, O_RDONLY) < 0 && errno == EPERM,
		    "open zero inside");
	e = open(a->null, O_RDWR);
	CHILD_CHECK(errfd, e >= 0, "open null inside");
	close(e);

	/* a nested container, owned by a user namespace of ours */
	CHILD_CHECK(errfd, !pipe(g2c) && !pipe(c2g), "pipe");
	g = fork();
	CHILD_CHECK(errfd, g >= 0, "fork");
	if (g == 0) {
		struct ctnr_nl gnl;
		struct ctnr_ctr gout;
		uint32_t gid = 0;
		char c2;
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (cg_enter(a->subcg, getpid()) || enter_userns_as_root(0) ||
		    ctnr_nl_open(&gnl) ||
		    ctnr_new(&gnl, a->nested, getpid(), 0, &gout))
			_exit(2);
		gid = gout.id;
		if (write(g2c[1], &gid, 4) != 4 || read(c2g[0], &c2, 1) != 1)
			_exit(3);
		/* narrowed by the nested rules, still bound by the outer */
		fd = open(a->null, O_RDWR);
		if (fd < 0)
			_exit(4);
		close(fd);
		if (open(a->zero, O_RDONLY) >= 0 || errno != EPERM)
			_exit(5);
		/* the nested container's root cannot loosen its rules */
		if (dev_default(&gnl, gid, CTNR_DEV_ALLOW) != -EPERM)
			_exit(6);
		_exit(0);
	}
	CHILD_CHECK(errfd, read(g2c[0], &nid, 4) == 4, "nested id");
	e = dev_default(&nl, nid, CTNR_DEV_DENY);
	CHILD_CHECK(errfd, !e, "deny on nested: %d %s", e, nl.ext_msg);
	e = dev_add(&nl, nid, T_C, 1, 3, ACC_RW);
	CHILD_CHECK(errfd, !e, "add on nested: %d %s", e, nl.ext_msg);
	/* allowing zero in the nested one does not beat the outer denial */
	e = dev_add(&nl, nid, T_C, 1, 5, ACC_RW);
	CHILD_CHECK(errfd, !e, "add on nested: %d %s", e, nl.ext_msg);
	CHILD_CHECK(errfd, write(c2g[1], &ch, 1) == 1, "go");
	CHILD_CHECK(errfd, !wait_pid_timeout(g, &e, 30000), "wait nested");
	CHILD_CHECK(errfd, WIFEXITED(e) && WEXITSTATUS(e) == 0,
		    "nested child status %#x", e);
	/* what we imposed on the nested one, we may drop */
	e = ctnr_del_id(&nl, nid);
	CHILD_CHECK(errfd, !e, "deleting the nested container: %d %s", e,
		    nl.ext_msg);
	e = ctnr_del_id(&nl, id);
	CHILD_CHECK(errfd, e == -EPERM, "deleting our own gave %d", e);
	CHILD_CHECK(errfd, open(a->zero, O_RDONLY) < 0 && errno == EPERM,
		    "open zero after the delete attempts");
	ctnr_nl_close(&nl);
}

/* Container root cannot loosen its own rules but may narrow a nested one. */
TEST_F_TIMEOUT(dev, container_root_cannot_loosen, 90)
{
	struct croot_arg a = { 0 };
	char msg[512], rel[128], sub[PATH_MAX];
	int to[2], from[2], r;
	uint32_t id = 0;
	pid_t pid;

	snprintf(rel, sizeof(rel), "ctnrtest-%scroot", self->prefix);
	ASSERT_EQ(0, cg_create(rel, self->cgs[0], sizeof(self->cgs[0])));
	snprintf(rel, sizeof(rel), "ctnrtest-%scroot/sub", self->prefix);
	ASSERT_EQ(0, cg_create(rel, sub, sizeof(sub)));
	snprintf(self->cgs[1], sizeof(self->cgs[1]), "%s", sub);
	a.cg = self->cgs[0];
	a.subcg = self->cgs[1];
	snprintf(a.name, sizeof(a.name), "%scroot", self->prefix);
	snprintf(a.nested, sizeof(a.nested), "%snested", self->prefix);
	a.zero = NODE("zero");
	a.null = "/dev/null";
	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	a.to_parent = to[1];
	a.from_parent = from[0];

	/* run_child() waits: drive the child from a thread-less fork */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		r = run_child(croot_child, &a, msg, sizeof(msg), 60000);
		if (r)
			fprintf(stderr, "# croot: %s\n", msg);
		_exit(r ? 1 : 0);
	}
	ASSERT_EQ(4, read(to[0], &id, 4));
	/* the host (admin over the owner's parent) locks it down */
	EXPECT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	EXPECT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_RWM)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	ASSERT_EQ(1, write(from[1], "g", 1));
	ASSERT_EQ(0, wait_pid_timeout(pid, &r, 90000));
	EXPECT_TRUE(WIFEXITED(r) && WEXITSTATUS(r) == 0);
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
	/* the host's policy is still there, and the host may delete it */
	{
		struct dev_info in;

		ASSERT_EQ(0, dev_info(&self->nl, id, &in));
		EXPECT_EQ(CTNR_DEV_DENY, in.deflt);
		EXPECT_EQ(1U, in.count);
		EXPECT_EQ(0, ctnr_del_id(&self->nl, id)) {
			TH_LOG("%s", self->nl.ext_msg);
		}
	}
}

struct tenant_arg {
	const char *cg;
	char name[2][CTNR_NAME_MAX];
	int to_parent, from_parent;	/* pipe ends */
};

/*
 * A tenant (root of its own user namespace, in cgroup @cg) registers two
 * AUTOREMOVE containers, each on a short-lived task of its own, and lets
 * those tasks exit when told to.
 */
static void tenant_child(int errfd, void *arg)
{
	struct tenant_arg *a = arg;
	struct ctnr_nl nl;
	struct ctnr_ctr out;
	uint32_t id[2];
	pid_t task[2];
	int ctl[2], i, e;
	char ch;

	CHILD_CHECK(errfd, !cg_enter(a->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !enter_userns_as_root(0), "user namespace");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	for (i = 0; i < 2; i++) {
		CHILD_CHECK(errfd, !holder_start(a->cg, &task[i], &ctl[i]),
			    "short-lived task");
		e = ctnr_new(&nl, a->name[i], task[i], CTNR_F_AUTOREMOVE, &out);
		CHILD_CHECK(errfd, !e, "register: %s %s", strerror(-e),
			    nl.ext_msg);
		id[i] = out.id;
	}
	CHILD_CHECK(errfd, write(a->to_parent, id, sizeof(id)) == sizeof(id),
		    "write");
	CHILD_CHECK(errfd, read(a->from_parent, &ch, 1) == 1, "read");
	for (i = 0; i < 2; i++) {
		close(ctl[i]);
		kill_reap(&task[i]);
	}
	CHILD_CHECK(errfd, read(a->from_parent, &ch, 1) == 1, "read");
	ctnr_nl_close(&nl);
}

/*
 * F1: a tenant's registration with AUTOREMOVE does not take the policy the
 * host imposed with it when the tenant lets the registered task exit: the
 * container stops and stays, its rules still bind the cgroup, and only
 * the host may delete it.  The same registration without a policy goes.
 */
TEST_F_TIMEOUT(dev, imposed_policy_survives_autoremove, 90)
{
	struct tenant_arg a = { 0 };
	char msg[512], rel[128];
	int to[2], from[2], r;
	struct ctnr_info fi;
	struct ctnr_ctr ct;
	struct dev_info in;
	uint32_t id[2];
	pid_t pid;

	snprintf(rel, sizeof(rel), "ctnrtest-%stenant", self->prefix);
	ASSERT_EQ(0, cg_create(rel, self->cgs[0], sizeof(self->cgs[0])));
	a.cg = self->cgs[0];
	snprintf(a.name[0], sizeof(a.name[0]), "%stenant", self->prefix);
	snprintf(a.name[1], sizeof(a.name[1]), "%sfree", self->prefix);
	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	a.to_parent = to[1];
	a.from_parent = from[0];
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		r = run_child(tenant_child, &a, msg, sizeof(msg), 60000);
		if (r)
			fprintf(stderr, "# tenant: %s\n", msg);
		_exit(r ? 1 : 0);
	}
	ASSERT_EQ((ssize_t)sizeof(id), read(to[0], id, sizeof(id)));
	ASSERT_EQ(0, dev_default(&self->nl, id[0], CTNR_DEV_DENY)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	ASSERT_EQ(0, dev_add(&self->nl, id[0], T_C, 1, 3, ACC_RWM));
	ASSERT_EQ(1, write(from[1], "g", 1));	/* the tasks exit */
	EXPECT_EQ(0, ctnr_wait_state(&self->nl, id[1], -ENOENT, 10000, NULL));
	EXPECT_EQ(0, ctnr_wait_state(&self->nl, id[0], CTNR_STATE_STOPPED,
				     10000, NULL));
	sleep_ms(300);
	ASSERT_EQ(0, ctnr_get_id(&self->nl, id[0], &ct)) {
		TH_LOG("the policed container was removed with its init");
	}
	EXPECT_EQ((uint32_t)CTNR_STATE_STOPPED, ct.state);
	ASSERT_EQ(0, dev_info(&self->nl, id[0], &in));
	EXPECT_EQ(CTNR_DEV_DENY, in.deflt);
	EXPECT_EQ(1U, in.count);
	RUN_OPS(a.cg,
		OPEN(NODE("zero"), O_RDONLY, EPERM),
		OPEN(NODE("null"), O_RDWR, 0));
	ASSERT_EQ(0, ctnr_info(&self->nl, &fi));
	if (fi.features & CTNR_FEAT_KMSG) {
		int found = 0, i;

		for (i = 0; i < 50 && found != 1; i++) {
			found = log_contains(&self->nl, id[0],
					     "stays registered");
			if (found != 1)
				sleep_ms(50);
		}
		EXPECT_EQ(1, found) TH_LOG("nothing said in the container log");
	}
	ASSERT_EQ(1, write(from[1], "g", 1));
	ASSERT_EQ(0, wait_pid_timeout(pid, &r, 30000));
	EXPECT_TRUE(WIFEXITED(r) && WEXITSTATUS(r) == 0);
	EXPECT_EQ(0, ctnr_del_id(&self->nl, id[0])) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
}

/* The module's reference count, from sysfs; -1 if unknown. */
static long module_refcnt(void)
{
	char buf[32];

	if (read_str("/sys/module/ctnr/refcnt", buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * F4: while a policy exists the module cannot be unloaded (it would lift
 * every policy at once): it holds a reference on itself, delete_module()
 * says it is in use, and the reference goes with the last policy.
 */
TEST_F_TIMEOUT(dev, policy_pins_module, 60)
{
	long base, with;
	int i, r;

	base = module_refcnt();
	ASSERT_GE(base, 0) TH_LOG("no /sys/module/ctnr/refcnt");
	ASSERT_EQ(0, fx_ctr(self, 0, "pin"));
	ASSERT_EQ(0, fx_ctr(self, 1, "pin2"));
	ASSERT_EQ(0, dev_default(&self->nl, self->c[0].id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, self->c[1].id, T_C, 1, 5, ACC_W));
	with = module_refcnt();
	/* one reference for any number of policies */
	ASSERT_EQ(base + 1, with);
	/* only now that a reference is known to be held: try to unload */
	r = (int)syscall(SYS_delete_module, "ctnr", O_NONBLOCK);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, access("/sys/module/ctnr", F_OK));
	ASSERT_EQ(0, dev_default(&self->nl, self->c[0].id, CTNR_DEV_ALLOW));
	EXPECT_EQ(with, module_refcnt());
	ASSERT_EQ(0, ctnr_del_id(&self->nl, self->c[1].id));
	self->c[1].id = 0;
	for (i = 0; i < 100 && module_refcnt() != base; i++)
		sleep_ms(20);
	EXPECT_EQ(base, module_refcnt());
}

/*
 * F2: the kprobe has a post-handler, so an ftrace-based one is armed with
 * FTRACE_OPS_FL_IPMODIFY (the "I" of tracefs enabled_functions) and an
 * int3 one is never optimised; INFO and debugfs say what it is.
 */
TEST_F_TIMEOUT(dev, hook_ipmodify_never_optimised, 60)
{
	struct hook_info hi;
	char buf[1024];
	bool ftrace;

	ASSERT_EQ(0, fx_ctr(self, 0, "ipm"));
	ASSERT_EQ(0, dev_default(&self->nl, self->c[0].id, CTNR_DEV_DENY));
	ftrace = file_has_line(KPROBES_LIST, "devcgroup_check_permission",
			       "FTRACE");
	if (ftrace) {
		EXPECT_TRUE(file_has_line(TRACEFS "/enabled_functions",
					  "devcgroup_check_permission", " I")) {
			TH_LOG("devcgroup_check_permission not IPMODIFY in enabled_functions");
		}
	} else {
		/* the optimiser runs a few jiffies after arming */
		sleep_ms(500);
		EXPECT_FALSE(file_has_line(KPROBES_LIST,
					   "devcgroup_check_permission",
					   "OPTIMIZED"));
	}
	RUN_OPS(self->c[0].cg, OPEN(NODE("zero"), O_RDONLY, EPERM));
	ASSERT_EQ(0, hook_info(&self->nl, &hi));
	EXPECT_EQ(CTNR_HOOK_ENFORCING, hi.state);
	EXPECT_STREQ(ftrace ? "ftrace" : "int3", hi.mode);
	ASSERT_GT(read_str(HOOK_DEBUGFS, buf, sizeof(buf)), 0);
	EXPECT_NE(NULL, strstr(buf, "state enforcing")) TH_LOG("%s", buf);
	/* what follows from the registration, not a measurement */
	EXPECT_NE(NULL, strstr(buf, ftrace ? "ipmodify expected" :
					     "ipmodify n/a")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "shared 0")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "mode ")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "missed ")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "traps ")) TH_LOG("%s", buf);
	/* and ctnrctl shows it */
	if (ctnrctl_path()) {
		char out[4096], err[1024];

		EXPECT_EQ(0, ctnrctl(out, sizeof(out), err, sizeof(err), 30000,
				     "-j", "version", NULL)) TH_LOG("%s", err);
		EXPECT_TRUE(json_valid(out)) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "{\"name\":\"devaccess\",\"state\":\"enforcing\"")) {
			TH_LOG("%s", out);
		}
		EXPECT_NE(NULL, strstr(out, ftrace ? "\"mode\":\"ftrace\"" :
						 "\"mode\":\"int3\"")) {
			TH_LOG("%s", out);
		}
		EXPECT_NE(NULL, strstr(out, "\"missed\":")) TH_LOG("%s", out);
	}
	/* disarmed a second after the last policy, and idle again */
	ASSERT_EQ(0, dev_default(&self->nl, self->c[0].id, CTNR_DEV_ALLOW));
	EXPECT_EQ(0, hook_wait_state(&self->nl, CTNR_HOOK_IDLE, 5000));
}

/*
 * F3: disarming every kprobe through debugfs does not leave the rules in
 * force silently: the periodic canary notices, logs it, sends an event,
 * INFO says "lapsed", the feature bit goes and rule changes fail with
 * EOPNOTSUPP; when kprobes come back the hook enforces again.
 */
TEST_F_TIMEOUT(dev, hook_lapse_noticed_and_reported, 120)
{
	struct ctnr_info fi;
	struct hook_info hi;
	struct ctnr_nl ev;
	uint32_t id;

	if (access(KPROBES_ENABLED, W_OK))
		SKIP(return, "no %s", KPROBES_ENABLED);
	ASSERT_EQ(0, fx_ctr(self, 0, "lapse"));
	ASSERT_EQ(0, fx_ctr(self, 1, "lapse2"));
	id = self->c[0].id;
	ASSERT_EQ(0, ctnr_events_open(&ev));
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_RW));
	ASSERT_EQ(0, dev_default(&self->nl, self->c[1].id, CTNR_DEV_DENY));
	RUN_OPS(self->c[0].cg, OPEN(NODE("zero"), O_RDONLY, EPERM));

	ASSERT_EQ(0, kprobes_set_enabled(self, false));
	/* noticed by the periodic check, without any request */
	EXPECT_EQ(0, hook_event_wait(&ev, CTNR_HOOK_LAPSED, 15000)) {
		TH_LOG("no HOOK event for the lapse");
	}
	EXPECT_EQ(0, hook_info(&self->nl, &hi));
	EXPECT_EQ(CTNR_HOOK_LAPSED, hi.state);
	EXPECT_NE(NULL, strstr(hi.reason, "canary")) TH_LOG("%s", hi.reason);
	ASSERT_EQ(0, ctnr_info(&self->nl, &fi));
	EXPECT_FALSE(fi.features & CTNR_FEAT_DEVACCESS);
	EXPECT_TRUE(kmsg_has("is not diverted any more"));
	/* changes that need the hook fail, and say why */
	EXPECT_REJECT(EOPNOTSUPP, dev_add(&self->nl, id, T_C, 1, 5, ACC_R),
		      "does not divert calls");
	EXPECT_REJECT(EOPNOTSUPP, dev_del(&self->nl, id, T_C, 1, 3, ACC_RW),
		      "does not divert calls");
	/*
	 * So do edits that change nothing (re-adding a rule in force, a
	 * v1 deny write of bits no exception has): re-applying a policy
	 * must not report success for rules that are not enforced.
	 */
	EXPECT_REJECT(EOPNOTSUPP, dev_add(&self->nl, id, T_C, 1, 3, ACC_RW),
		      "does not divert calls");
	EXPECT_REJECT(EOPNOTSUPP, dev_write(&self->nl, id, false, T_C, 1, 9,
					    ACC_R), "does not divert calls");
	/* dropping a policy altogether does not need the hook */
	EXPECT_EQ(0, dev_default(&self->nl, self->c[1].id, CTNR_DEV_ALLOW));
	EXPECT_REJECT(EOPNOTSUPP, dev_default(&self->nl, self->c[1].id,
					      CTNR_DEV_DENY),
		      "does not divert calls");

	ASSERT_EQ(0, kprobes_set_enabled(self, true));
	EXPECT_EQ(0, dev_add(&self->nl, id, T_C, 1, 5, ACC_W)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	EXPECT_EQ(0, hook_event_wait(&ev, CTNR_HOOK_ENFORCING, 15000));
	ASSERT_EQ(0, hook_info(&self->nl, &hi));
	EXPECT_EQ(CTNR_HOOK_ENFORCING, hi.state);
	ASSERT_EQ(0, ctnr_info(&self->nl, &fi));
	EXPECT_TRUE(fi.features & CTNR_FEAT_DEVACCESS);
	RUN_OPS(self->c[0].cg,
		OPEN(NODE("zero"), O_RDONLY, EPERM),
		OPEN(NODE("null"), O_RDWR, 0));
	ctnr_nl_close(&ev);
}

/*
 * F3: with another kprobe on the same function, enable_kprobe() reports
 * success while every kprobe is disarmed; arming must still be refused,
 * and once kprobes are back the shared probe enforces.
 */
TEST_F_TIMEOUT(dev, hook_shared_probe_arming_checked, 120)
{
	struct hook_info hi;
	struct ctnr_nl ev;
	int logged, again;
	uint32_t id;

	if (access(KPROBES_ENABLED, W_OK) ||
	    access(TRACEFS "/kprobe_events", W_OK))
		SKIP(return, "no kprobes debugfs or tracefs kprobe_events");
	ASSERT_EQ(0, fx_ctr(self, 0, "shared"));
	id = self->c[0].id;
	/* nothing else uses the hook: the next policy arms it */
	if (hook_wait_state(&self->nl, CTNR_HOOK_IDLE, 5000))
		TH_LOG("the hook did not report idle");
	ASSERT_EQ(0, write_str(TRACEFS "/kprobe_events",
			       "p:" TRACE_PROBE " devcgroup_check_permission\n"));
	self->trace_probe = true;
	ASSERT_EQ(0, write_str(TRACEFS "/events/kprobes/" TRACE_PROBE "/enable",
			       "1"));
	ASSERT_EQ(0, ctnr_events_open(&ev));
	/*
	 * A lapse is logged once per change from verified to not.  The
	 * kernel's own disarming and the trace probe joining ours may make
	 * a check in between succeed ("is diverted again", seen on 6.12):
	 * then the next lapse is a change again and logged again.
	 */
	logged = kmsg_count("is not diverted any more");
	again = kmsg_count("is diverted again");
	ASSERT_EQ(0, kprobes_set_enabled(self, false));
	EXPECT_REJECT(EOPNOTSUPP, dev_default(&self->nl, id, CTNR_DEV_DENY),
		      "does not divert calls");
	/* the refusal at arming is reported: log line, event, state */
	EXPECT_EQ(0, hook_event_wait(&ev, CTNR_HOOK_LAPSED, 5000)) {
		TH_LOG("no HOOK event for the refusal at arming");
	}
	EXPECT_EQ(logged + 1 + kmsg_count("is diverted again") - again,
		  kmsg_count("is not diverted any more"));
	ASSERT_EQ(0, hook_info(&self->nl, &hi));
	EXPECT_EQ(CTNR_HOOK_LAPSED, hi.state);
	EXPECT_NE(NULL, strstr(hi.reason, "canary")) TH_LOG("%s", hi.reason);
	/* refused again while lapsed: same errno and message, logged once */
	EXPECT_REJECT(EOPNOTSUPP, dev_default(&self->nl, id, CTNR_DEV_DENY),
		      "does not divert calls");
	EXPECT_EQ(logged + 1 + kmsg_count("is diverted again") - again,
		  kmsg_count("is not diverted any more"));
	ctnr_nl_close(&ev);
	RUN_OPS(self->c[0].cg, OPEN(NODE("zero"), O_RDONLY, 0));
	ASSERT_EQ(0, kprobes_set_enabled(self, true));
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	RUN_OPS(self->c[0].cg, OPEN(NODE("zero"), O_RDONLY, EPERM));
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_ALLOW));
}

static void unpriv_child(int errfd, void *arg)
{
	const uint32_t *id = arg;
	struct ctnr_nl nl;
	struct dev_rule r[4];
	int e;

	CHILD_CHECK(errfd, !become_user(65534, 65534), "setuid");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	e = dev_add(&nl, *id, T_C, 1, 5, ACC_RWM);
	CHILD_CHECK(errfd, e == -ENOENT, "add gave %d", e);
	e = dev_del(&nl, *id, T_C, 1, 3, ACC_RWM);
	CHILD_CHECK(errfd, e == -ENOENT, "del gave %d", e);
	e = dev_default(&nl, *id, CTNR_DEV_ALLOW);
	CHILD_CHECK(errfd, e == -ENOENT, "default gave %d", e);
	e = dev_write(&nl, *id, true, T_C, 1, 5, ACC_RWM);
	CHILD_CHECK(errfd, e == -ENOENT, "allow gave %d", e);
	e = dev_policy_set(&nl, *id, CTNR_DEV_ALLOW, NULL, 0);
	CHILD_CHECK(errfd, e == -ENOENT, "policy set gave %d", e);
	e = dev_list(&nl, *id, r, 4);
	CHILD_CHECK(errfd, e == -ENOENT, "list gave %d", e);
	ctnr_nl_close(&nl);
}

/* An unprivileged user cannot see or touch root's containers' rules. */
TEST_F_TIMEOUT(dev, unprivileged_user_cannot_touch, 60)
{
	struct dev_info in;
	char msg[512];

	ASSERT_EQ(0, fx_ctr(self, 0, "unpriv"));
	ASSERT_EQ(0, dev_default(&self->nl, self->c[0].id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, self->c[0].id, T_C, 1, 3, ACC_RWM));
	EXPECT_EQ(0, run_child(unpriv_child, &self->c[0].id, msg,
			       sizeof(msg), CHILD_TIMEOUT)) TH_LOG("%s", msg);
	ASSERT_EQ(0, dev_info(&self->nl, self->c[0].id, &in));
	EXPECT_EQ(CTNR_DEV_DENY, in.deflt);
	EXPECT_EQ(1U, in.count);
}

/* ------------------------------------------------------------------ */
/* bad input                                                          */

/* The container's rules, to compare before and after a failed request. */
static int snapshot(struct ctnr_nl *nl, uint32_t id, struct dev_rule *r,
		    int max, struct dev_info *in)
{
	int e = dev_info(nl, id, in);

	return e ? e : dev_list(nl, id, r, max);
}

#define EXPECT_UNCHANGED(id, n0, r0, in0) do {				\
	struct dev_rule __r[8];						\
	struct dev_info __in;						\
	int __n = snapshot(&self->nl, (id), __r, 8, &__in);		\
	EXPECT_EQ((n0), __n);						\
	EXPECT_EQ((in0).deflt, __in.deflt);				\
	EXPECT_EQ((in0).count, __in.count);				\
	EXPECT_EQ(0, memcmp((r0), __r, sizeof(__r[0]) * (__n > 0 && __n <= 8 ? __n : 0))); \
} while (0)

/* Bad type, access, major/minor, missing attributes, unknown container. */
TEST_F_TIMEOUT(dev, bad_input_rejected_nothing_changed, 90)
{
	struct dev_rule r0[8];
	struct dev_info in0;
	uint32_t id;
	int n0;

	ASSERT_EQ(0, fx_ctr(self, 0, "bad"));
	id = self->c[0].id;
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_RWM));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_B, 8, ANY, ACC_R));
	n0 = snapshot(&self->nl, id, r0, 8, &in0);
	ASSERT_EQ(2, n0);

	/* type and access bits: the policy's checks (a, b, c; rwm) */
	EXPECT_REJECT(ERANGE, dev_add(&self->nl, id, 3, 1, 5, ACC_R),
		      "integer out of range");
	EXPECT_TRUE(self->nl.pol_have & CTNR_POL_RANGE);
	EXPECT_EQ((uint64_t)CTNR_DEV_TYPE_CHAR, self->nl.pol_max);
	EXPECT_REJECT(EINVAL, dev_add(&self->nl, id, T_C, 1, 5, 0),
		      "non-empty subset of rwm");
	EXPECT_REJECT(EINVAL, dev_add(&self->nl, id, T_C, 1, 5, 8),
		      "reserved bit set");
	EXPECT_REJECT(EINVAL, dev_add(&self->nl, id, T_C, 4096, 5, ACC_R),
		      "major must be");
	EXPECT_REJECT(EINVAL, dev_add(&self->nl, id, T_C, 0xfffffffe, 5,
				      ACC_R), "major must be");
	EXPECT_REJECT(EINVAL, dev_add(&self->nl, id, T_C, 1, 1U << 20, ACC_R),
		      "minor must be");
	EXPECT_REJECT(ERANGE, dev_del(&self->nl, id, 7, 1, 3, ACC_RWM),
		      "integer out of range");
	EXPECT_EQ(-EINVAL, dev_req(&self->nl, CTNR_CMD_DEV_RULE_ADD,
				   RQ_ALL & ~RQ_ACCESS, id, T_C, 1, 5, 0));
	EXPECT_EQ(CTNR_A_DEV_ACCESS, self->nl.miss_type);
	EXPECT_EQ(-EINVAL, dev_req(&self->nl, CTNR_CMD_DEV_RULE_ADD,
				   RQ_ALL & ~RQ_TYPE, id, 0, 1, 5, ACC_R));
	EXPECT_EQ(CTNR_A_DEV_TYPE, self->nl.miss_type);
	EXPECT_REJECT(EINVAL, dev_req(&self->nl, CTNR_CMD_DEV_RULE_ADD,
				      RQ_ALL & ~RQ_ID, 0, T_C, 1, 5, ACC_R),
		      "exactly one of container id and name");
	EXPECT_REJECT(ENOENT, dev_add(&self->nl, NO_SUCH_ID, T_C, 1, 5, ACC_R),
		      "no such container");
	EXPECT_REJECT(ENOENT, dev_list(&self->nl, NO_SUCH_ID, NULL, 0),
		      "no such container");
	EXPECT_REJECT(ERANGE, dev_default(&self->nl, id, 2),
		      "integer out of range");
	EXPECT_REJECT(ENOENT, dev_del(&self->nl, id, T_C, 1, 5, ACC_R),
		      "no such device rule");
	EXPECT_REJECT(ENOENT, dev_del(&self->nl, id, T_B, 1, 3, ACC_R),
		      "no such device rule");
	/* type a is the v1 reset, not an exception */
	EXPECT_REJECT(EINVAL, dev_add(&self->nl, id, T_A, 1, 3, ACC_R),
		      "type a is no exception");
	EXPECT_REJECT(EINVAL, dev_del(&self->nl, id, T_A, ANY, ANY, ACC_RWM),
		      "type a is no exception");
	/* adding what is there (merging nothing) changes nothing */
	EXPECT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_RWM));
	EXPECT_EQ(0, dev_add(&self->nl, id, T_B, 8, ANY, ACC_R));
	EXPECT_UNCHANGED(id, n0, r0, in0);
}

/* 4096 rules fit, the 4097th gives ENOSPC; an open does not walk them. */
TEST_F_TIMEOUT(dev, rule_limit_4096, 300)
{
	struct dev_info in;
	uint32_t id, i;
	int64_t t0;
	int e = 0;

	ASSERT_EQ(0, fx_ctr(self, 0, "max"));
	id = self->c[0].id;
	/* default allow: every rule denies one minor of misc (10:N) */
	t0 = now_ms();
	for (i = 0; i < CTNR_DEV_RULES_MAX && !e; i++)
		e = dev_add(&self->nl, id, T_C, 10, i, ACC_R);
	ASSERT_EQ(0, e) TH_LOG("rule %u: %s", i, self->nl.ext_msg);
	TH_LOG("4096 rules added one by one in %lld ms (an O(n) copy each)",
	       (long long)(now_ms() - t0));
	EXPECT_REJECT(ENOSPC, dev_add(&self->nl, id, T_C, 11, 0, ACC_R),
		      "too many device rules");
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ((uint32_t)CTNR_DEV_RULES_MAX, in.count);
	EXPECT_EQ(CTNR_DEV_RULES_MAX, dev_list(&self->nl, id, NULL, 0));
	EXPECT_EQ(CTNR_DEV_RULES_MAX, ctnr_counter("dev_rules"));
	RUN_OPS(self->c[0].cg,
		OPEN(NODE("misc5"), O_RDONLY, EPERM),
		OPEN(NODE("misc5"), O_WRONLY, ANY_BUT_EPERM),
		OPEN(NODE("null"), O_RDWR, 0));
	/* still full after a failed add; one deletion makes room */
	ASSERT_EQ(0, dev_del(&self->nl, id, T_C, 10, 5, ACC_R));
	RUN_OPS(self->c[0].cg, OPEN(NODE("misc5"), O_RDONLY, ANY_BUT_EPERM));
	EXPECT_EQ(0, dev_add(&self->nl, id, T_C, 11, 0, ACC_R));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ((uint32_t)CTNR_DEV_RULES_MAX, in.count);
	/* setting the default drops them all */
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_ALLOW));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ(0U, in.count);
	EXPECT_EQ(0, ctnr_counter("dev_rules"));
}

/*
 * F7: a whole policy in one request: 4096 rules sorted once, duplicates
 * merged, listed in the order given; rejected whole on any bad rule.
 */
TEST_F_TIMEOUT(dev, policy_set_whole_and_checked, 300)
{
	static struct dev_rule rules[CTNR_DEV_RULES_MAX + 1], got[8];
	struct dev_rule r0[8];
	struct dev_info in, in0;
	int64_t t0;
	uint32_t id;
	int i, n, n0;

	ASSERT_EQ(0, fx_ctr(self, 0, "pset"));
	id = self->c[0].id;
	/* 4096 distinct rules, given in descending order */
	for (i = 0; i <= CTNR_DEV_RULES_MAX; i++)
		rules[i] = (struct dev_rule){ 0, T_C, 10 + i / 1024,
					      1023 - i % 1024, ACC_R };
	t0 = now_ms();
	ASSERT_EQ(0, dev_policy_set(&self->nl, id, CTNR_DEV_ALLOW, rules,
				    CTNR_DEV_RULES_MAX)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	TH_LOG("4096 rules set in %lld ms", (long long)(now_ms() - t0));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ((uint32_t)CTNR_DEV_RULES_MAX, in.count);
	EXPECT_EQ(1, ctnr_counter("dev_rulesets"));
	EXPECT_EQ(CTNR_DEV_RULES_MAX, ctnr_counter("dev_rules"));
	n = dev_list(&self->nl, id, got, 8);
	ASSERT_EQ(CTNR_DEV_RULES_MAX, n);
	for (i = 0; i < 8; i++)		/* in the order given */
		EXPECT_EQ(rules[i].minor, got[i].minor);
	RUN_OPS(self->c[0].cg,
		OPEN(NODE("misc5"), O_RDONLY, EPERM),	/* 10:5 r */
		OPEN(NODE("misc5"), O_WRONLY, ANY_BUT_EPERM),
		OPEN(NODE("null"), O_RDWR, 0));
	/* one more is too many, and nothing changes */
	EXPECT_REJECT(ENOSPC, dev_policy_set(&self->nl, id, CTNR_DEV_DENY,
					     rules, CTNR_DEV_RULES_MAX + 1),
		      "too many device rules");
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ(CTNR_DEV_ALLOW, in.deflt);
	EXPECT_EQ((uint32_t)CTNR_DEV_RULES_MAX, in.count);

	/* duplicates merge, as in v1; the default comes with the rules */
	rules[0] = (struct dev_rule){ 0, T_C, 1, 3, ACC_R };
	rules[1] = (struct dev_rule){ 0, T_C, 1, 5, ACC_RW };
	rules[2] = (struct dev_rule){ 0, T_C, 1, 3, ACC_W };
	rules[3] = (struct dev_rule){ 0, T_B, ANY, ANY, ACC_M };
	ASSERT_EQ(0, dev_policy_set(&self->nl, id, CTNR_DEV_DENY, rules, 4));
	n0 = snapshot(&self->nl, id, r0, 8, &in0);
	ASSERT_EQ(3, n0);
	EXPECT_EQ(CTNR_DEV_DENY, in0.deflt);
	EXPECT_EQ(ACC_RW, r0[0].access);
	EXPECT_EQ(5U, r0[1].minor);
	EXPECT_EQ(T_B, r0[2].type);
	RUN_OPS(self->c[0].cg,
		OPEN(NODE("null"), O_RDWR, 0),
		OPEN(NODE("zero"), O_RDWR, 0),
		OPEN(NODE("full"), O_RDONLY, EPERM));

	/* any bad rule rejects the whole request: nothing changes */
	rules[2] = (struct dev_rule){ 0, T_A, ANY, ANY, ACC_RWM };
	EXPECT_REJECT(EINVAL, dev_policy_set(&self->nl, id, CTNR_DEV_ALLOW,
					     rules, 4), "type a is no exception");
	rules[2] = (struct dev_rule){ 0, T_C, 1, 3, 0 };
	EXPECT_REJECT(EINVAL, dev_policy_set(&self->nl, id, CTNR_DEV_ALLOW,
					     rules, 4), "non-empty subset");
	rules[2] = (struct dev_rule){ 0, T_C, 4096, 3, ACC_R };
	EXPECT_REJECT(EINVAL, dev_policy_set(&self->nl, id, CTNR_DEV_ALLOW,
					     rules, 4), "major must be");
	rules[2] = (struct dev_rule){ 0, T_C, 1, 3, ACC_W };
	EXPECT_REJECT(EINVAL, dev_policy_set_ex(&self->nl, id, 0, rules, 4,
						true), "default is required");
	EXPECT_REJECT(ERANGE, dev_policy_set(&self->nl, id, 7, rules, 4),
		      "integer out of range");
	EXPECT_REJECT(ENOENT, dev_policy_set(&self->nl, NO_SUCH_ID,
					     CTNR_DEV_DENY, rules, 4),
		      "no such container");
	EXPECT_UNCHANGED(id, n0, r0, in0);
	/* default allow without rules is no policy at all */
	ASSERT_EQ(0, dev_policy_set(&self->nl, id, CTNR_DEV_ALLOW, NULL, 0));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ(0U, in.count);
	EXPECT_EQ(0, ctnr_counter("dev_rulesets"));
}

struct null_opener {
	const char *cg, *node;
	int stop;		/* read end: the parent closes the other */
	int stop_w;		/* that other end, which we must close */
	int report;		/* write end: opens and EPERMs, two longs */
};

/* In the container: open /dev/null until told to stop; count EPERMs. */
static void null_opener_child(int errfd, void *arg)
{
	const struct null_opener *o = arg;
	struct pollfd pfd = { .fd = o->stop, .events = POLLIN };
	long res[2] = { 0, 0 };
	int fd, i;

	close(o->stop_w);
	CHILD_CHECK(errfd, !cg_enter(o->cg, getpid()), "enter cgroup");
	while (poll(&pfd, 1, 0) == 0) {
		for (i = 0; i < 64; i++) {
			fd = open(o->node, O_RDWR | O_CLOEXEC);
			if (fd >= 0)
				close(fd);
			else if (errno == EPERM)
				res[1]++;
			res[0]++;
		}
	}
	CHILD_CHECK(errfd, write(o->report, res, sizeof(res)) == sizeof(res),
		    "report");
}

struct null_opener_run {
	struct null_opener o;
	int status;
	char msg[512];
};

static void *null_opener_thread(void *arg)
{
	struct null_opener_run *r = arg;

	r->status = run_child(null_opener_child, &r->o, r->msg,
			      sizeof(r->msg), 170000);
	return NULL;
}

/*
 * F7: re-applying a preset, or replacing a policy by one that also allows
 * /dev/null, never passes through a state where a running container
 * cannot open /dev/null (the preset used to be default deny, then one add
 * per rule).
 */
TEST_F_TIMEOUT(dev, preset_never_drops_null, 240)
{
	struct null_opener_run run = { 0 };
	char out[4096], err[4096], batch[PATH_MAX];
	int stop[2], rep[2], i, r;
	long res[2] = { 0, 0 };
	const char *name;
	pthread_t th;
	FILE *f;

	/* ctnrctl is part of this tree: without it, fail, not skip */
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not built (make ctl)");
	}
	ASSERT_EQ(0, fx_ctr(self, 0, "atomic"));
	name = self->c[0].name;
	ASSERT_EQ(0, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev",
			     "preset", name, "lxc", NULL)) TH_LOG("%s", err);
	snprintf(batch, sizeof(batch), "%s/batch", self->dir);
	f = fopen(batch, "we");
	ASSERT_NE(NULL, f);
	for (i = 0; i < 60; i++) {
		fprintf(f, "dev preset %s lxc\n", name);
		fprintf(f, "dev set %s deny 'c 1:3 rwm' 'c 1:5 r' 'b *:* m'\n",
			name);
	}
	fclose(f);

	ASSERT_EQ(0, pipe2(stop, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	run.o.cg = self->c[0].cg;
	run.o.node = NODE("null");
	run.o.stop = stop[0];
	run.o.stop_w = stop[1];
	run.o.report = rep[1];
	ASSERT_EQ(0, pthread_create(&th, NULL, null_opener_thread, &run));
	sleep_ms(300);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 120000, "-b", batch,
		    NULL);
	EXPECT_EQ(0, r) TH_LOG("batch: %s", err);
	close(stop[1]);
	pthread_join(th, NULL);
	EXPECT_EQ(0, run.status) TH_LOG("%s", run.msg);
	EXPECT_EQ((ssize_t)sizeof(res), read(rep[0], res, sizeof(res)));
	TH_LOG("%ld opens of /dev/null during 120 policy changes", res[0]);
	EXPECT_GT(res[0], 0);
	EXPECT_EQ(0, res[1]) TH_LOG("%ld opens of /dev/null gave EPERM", res[1]);
	close(stop[0]);
	close(rep[0]);
	close(rep[1]);
}

/* Rules on a container of the root cgroup would bind the whole host. */
TEST_F_TIMEOUT(dev, root_cgroup_container_refused, 60)
{
	char name[CTNR_NAME_MAX];
	struct dev_info in;
	uint32_t id;

	snprintf(name, sizeof(name), "%sroot", self->prefix);
	ASSERT_EQ(0, ctr_new(&self->nl, &self->c[0], NULL, name));
	id = self->c[0].id;
	EXPECT_REJECT(EINVAL, dev_add(&self->nl, id, T_C, 1, 3, ACC_R),
		      "root cgroup");
	EXPECT_REJECT(EINVAL, dev_default(&self->nl, id, CTNR_DEV_DENY),
		      "root cgroup");
	EXPECT_REJECT(EINVAL, dev_write(&self->nl, id, false, T_A, ANY, ANY,
					ACC_RWM), "root cgroup");
	EXPECT_REJECT(EINVAL, dev_policy_set(&self->nl, id, CTNR_DEV_ALLOW,
					     &(struct dev_rule){ 0, T_C, 1, 3,
								 ACC_R }, 1),
		      "root cgroup");
	EXPECT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_ALLOW));
	ASSERT_EQ(0, dev_info(&self->nl, id, &in));
	EXPECT_EQ(CTNR_DEV_ALLOW, in.deflt);
	EXPECT_EQ(0U, in.count);
	RUN_OPS(NULL, OPEN(NODE("mem"), O_RDONLY, ANY_BUT_EPERM));
}

/* Denial events are rate-limited per container. */
TEST_F_TIMEOUT(dev, denial_events_rate_limited, 60)
{
	struct ctnr_nl ev;
	struct op ops[60];
	char msg[512];
	int i, n;

	ASSERT_EQ(0, fx_ctr(self, 0, "rate"));
	ASSERT_EQ(0, ctnr_events_open(&ev));
	ASSERT_EQ(0, dev_default(&self->nl, self->c[0].id, CTNR_DEV_DENY));
	for (i = 0; i < 60; i++)
		ops[i] = (struct op)OPEN(NODE("mem"), O_RDONLY, EPERM);
	ASSERT_EQ(0, run_ops(self->c[0].cg, ops, 60, msg, sizeof(msg))) {
		TH_LOG("%s", msg);
	}
	n = dev_events(&ev, self->c[0].id, 2000, false, NULL);
	EXPECT_GE(n, 1);
	EXPECT_LE(n, 20) TH_LOG("%d events for 60 denials", n);
	ctnr_nl_close(&ev);
}

/* ------------------------------------------------------------------ */
/* concurrency                                                        */

struct opener {
	const char *cg, *null, *zero, *full;
	int seconds;
	bool full_may_open;	/* the container goes away meanwhile */
};

struct opener_thread {
	const struct opener *o;
	long opens, bad;
	char why[128];
};

static void *opener_thread(void *arg)
{
	struct opener_thread *t = arg;
	const struct opener *o = t->o;
	int64_t end = now_ms() + o->seconds * 1000;
	int fd;

	while (now_ms() < end) {
		fd = open(o->null, O_RDWR | O_CLOEXEC);
		if (fd < 0 && !t->bad++)
			snprintf(t->why, sizeof(t->why), "null: %m");
		if (fd >= 0)
			close(fd);
		fd = open(o->zero, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno != EPERM && !t->bad++)
			snprintf(t->why, sizeof(t->why), "zero: %m");
		if (fd >= 0)
			close(fd);
		fd = open(o->full, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && !o->full_may_open && !t->bad++)
			snprintf(t->why, sizeof(t->why), "full opened");
		if (fd < 0 && errno != EPERM && !t->bad++)
			snprintf(t->why, sizeof(t->why), "full: %m");
		if (fd >= 0)
			close(fd);
		t->opens += 3;
	}
	return NULL;
}

/* In a child in the container's cgroup: 3 threads opening for a while. */
static void opener_child(int errfd, void *arg)
{
	const struct opener *o = arg;
	struct opener_thread t[3] = { 0 };
	pthread_t th[3];
	long opens = 0;
	int i;

	CHILD_CHECK(errfd, !cg_enter(o->cg, getpid()), "enter cgroup");
	for (i = 0; i < 3; i++) {
		t[i].o = o;
		CHILD_CHECK(errfd, !pthread_create(&th[i], NULL, opener_thread,
						   &t[i]), "thread");
	}
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		CHILD_CHECK(errfd, !t[i].bad, "thread %d: %ld bad, %s", i,
			    t[i].bad, t[i].why);
		opens += t[i].opens;
	}
	CHILD_CHECK(errfd, opens > 0, "no opens");
}

struct conc {
	struct opener o;
	int status;
	char msg[512];
};

static void *conc_opener(void *arg)
{
	struct conc *c = arg;

	c->status = run_child(opener_child, &c->o, c->msg, sizeof(c->msg),
			      (c->o.seconds + 60) * 1000);
	return NULL;
}

/*
 * For 30 s, rules are added and deleted (and dumped) while threads in the
 * container open devices: allowed ones always open, denied ones always
 * give EPERM, those that come and go give one of the two.  Then the
 * container is deleted under the openers.
 */
TEST_F_TIMEOUT(dev, concurrent_rules_and_opens, 180)
{
	struct conc c = { 0 };
	struct dev_rule r[64];
	pthread_t th;
	int64_t end;
	long rounds = 0;
	uint32_t id, i;
	int e = 0, n;

	ASSERT_EQ(0, fx_ctr(self, 0, "conc"));
	ASSERT_EQ(0, fx_ctr(self, 1, "conc2"));
	id = self->c[0].id;
	ASSERT_EQ(0, dev_default(&self->nl, id, CTNR_DEV_DENY));
	ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 3, ACC_RW));
	c.o.cg = self->c[0].cg;
	c.o.null = "/dev/null";
	c.o.zero = "/dev/zero";
	c.o.full = "/dev/full";
	c.o.seconds = CONC_SECONDS;
	ASSERT_EQ(0, pthread_create(&th, NULL, conc_opener, &c));

	end = now_ms() + CONC_SECONDS * 1000;
	while (now_ms() < end && !e) {
		e = dev_add(&self->nl, id, T_C, 1, 5, ACC_R);
		for (i = 0; !e && i < 20; i++)
			e = dev_add(&self->nl, id, T_C, 200, i, ACC_R);
		n = e ? e : dev_list(&self->nl, id, r, 64);
		if (!e && n != 22)
			e = -EPROTO;
		for (i = 0; !e && i < 20; i++)
			e = dev_del(&self->nl, id, T_C, 200, i, ACC_R);
		if (!e)
			e = dev_del(&self->nl, id, T_C, 1, 5, ACC_R);
		/* another container's policy comes and goes meanwhile */
		if (!e)
			e = dev_default(&self->nl, self->c[1].id,
					rounds & 1 ? CTNR_DEV_ALLOW :
						     CTNR_DEV_DENY);
		rounds++;
	}
	EXPECT_EQ(0, e) TH_LOG("round %ld: %s", rounds, self->nl.ext_msg);
	pthread_join(th, NULL);
	EXPECT_EQ(0, c.status) TH_LOG("openers: %s", c.msg);
	TH_LOG("%ld rounds of rule changes", rounds);

	/* delete the container under a second wave of openers */
	memset(c.msg, 0, sizeof(c.msg));
	c.o.seconds = 5;
	c.o.full_may_open = true;
	c.o.zero = "/dev/null";
	ASSERT_EQ(0, pthread_create(&th, NULL, conc_opener, &c));
	sleep_ms(2000);
	EXPECT_EQ(0, ctnr_del_id(&self->nl, id));
	self->c[0].id = 0;
	pthread_join(th, NULL);
	EXPECT_EQ(0, c.status) TH_LOG("openers: %s", c.msg);
	RUN_OPS(self->c[0].cg, OPEN("/dev/full", O_RDWR, 0));
}

/* ------------------------------------------------------------------ */
/* threaded cgroups                                                   */

/*
 * A process whose two threads sit in two sibling threaded cgroups: each
 * thread reports its tid, waits for a byte on @go, opens @node and
 * reports the errno (0: opened).
 */
struct thr_proc {
	int tids[2];		/* pipe: the threads' tids */
	int go[2];		/* pipe: one byte per thread */
	int res[2];		/* pipe: one int per thread */
	const char *cg, *node;
};

static void *thr_main(void *arg)
{
	struct thr_proc *t = arg;
	int tid = (int)syscall(SYS_gettid), e = 0, fd;
	char ch;

	if (write(t->tids[1], &tid, sizeof(tid)) != sizeof(tid) ||
	    read(t->go[0], &ch, 1) != 1)
		return NULL;
	fd = open(t->node, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		e = errno;
	else
		close(fd);
	if (write(t->res[1], &e, sizeof(e)) != sizeof(e))
		return NULL;
	return NULL;
}

static void thr_child(int errfd, void *arg)
{
	struct thr_proc *t = arg;
	pthread_t th;

	CHILD_CHECK(errfd, !cg_enter(t->cg, getpid()), "enter %s", t->cg);
	CHILD_CHECK(errfd, !pthread_create(&th, NULL, thr_main, t), "thread");
	thr_main(t);
	pthread_join(th, NULL);
}

struct thr_run {
	struct thr_proc p;
	int status;
	char msg[512];
};

static void *thr_run_thread(void *arg)
{
	struct thr_run *r = arg;

	r->status = run_child(thr_child, &r->p, r->msg, sizeof(r->msg),
			      CHILD_TIMEOUT);
	return NULL;
}

/* Move thread @tid into threaded cgroup @cg. */
static int cg_enter_thread(const char *cg, int tid)
{
	char path[PATH_MAX + 32], buf[32];

	snprintf(path, sizeof(path), "%s/cgroup.threads", cg);
	snprintf(buf, sizeof(buf), "%d", tid);
	return write_str(path, buf);
}

/* Is thread @tid's cgroup (of /proc/self/cgroup form) @cg's? */
static bool thread_in_cgroup(int tid, const char *cg)
{
	char path[64], buf[PATH_MAX];
	const char *rel = cg + strlen(cg2_root());

	snprintf(path, sizeof(path), "/proc/%d/cgroup", tid);
	if (read_str(path, buf, sizeof(buf)) <= 0)
		return false;
	chomp(buf);
	return !strncmp(buf, "0::", 3) && !strcmp(buf + 3, rel);
}

/*
 * F14: a container registered from a thread of a threaded cgroup binds
 * the threaded domain, which holds every thread of the process: a
 * sibling thread moved to a sibling threaded cgroup is still inside the
 * container, and a denied device is denied to both threads.
 */
TEST_F_TIMEOUT(dev, threaded_cgroup_threads_bound, 90)
{
	char rel[128], path[PATH_MAX + 64];
	const char *t1, *t2;
	struct thr_run run = { 0 };
	struct ctnr_ctr out;
	char name[CTNR_NAME_MAX];
	int tids[2], res[2], i, n;
	pthread_t th;

	/* D, a domain, with two threaded children (teardown: last first) */
	snprintf(rel, sizeof(rel), "ctnrtest-%sthr", self->prefix);
	ASSERT_EQ(0, cg_create(rel, self->cgs[0], sizeof(self->cgs[0])));
	snprintf(rel, sizeof(rel), "ctnrtest-%sthr/t1", self->prefix);
	ASSERT_EQ(0, cg_create(rel, self->cgs[1], sizeof(self->cgs[1])));
	snprintf(rel, sizeof(rel), "ctnrtest-%sthr/t2", self->prefix);
	ASSERT_EQ(0, cg_create(rel, self->cgs[2], sizeof(self->cgs[2])));
	t1 = self->cgs[1];
	t2 = self->cgs[2];
	snprintf(path, sizeof(path), "%s/cgroup.type", t1);
	if (write_str(path, "threaded"))
		SKIP(return, "%m - cannot make %s threaded", t1);
	snprintf(path, sizeof(path), "%s/cgroup.type", t2);
	ASSERT_EQ(0, write_str(path, "threaded"));
	TP_OPEN_OR_SKIP();

	ASSERT_EQ(0, pipe2(run.p.tids, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(run.p.go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(run.p.res, O_CLOEXEC));
	run.p.cg = self->cgs[0];
	run.p.node = NODE("null");
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_run_thread, &run));
	for (i = 0; i < 2; i++)
		ASSERT_EQ((ssize_t)sizeof(int),
			  read(run.p.tids[0], &tids[i], sizeof(int)));
	ASSERT_EQ(0, cg_enter_thread(t1, tids[0])) TH_LOG("tid %d", tids[0]);
	ASSERT_EQ(0, cg_enter_thread(t2, tids[1])) TH_LOG("tid %d", tids[1]);
	EXPECT_TRUE(thread_in_cgroup(tids[0], t1));
	EXPECT_TRUE(thread_in_cgroup(tids[1], t2));

	/* registered from the thread in t1: the container binds D */
	snprintf(name, sizeof(name), "%sthr-t1", self->prefix);
	ASSERT_EQ(0, ctnr_new(&self->nl, name, tids[0], 0, &out)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	EXPECT_EQ(NULL, strstr(out.cgroup, "/t1")) {
		TH_LOG("the container binds %s, not the threaded domain",
		       out.cgroup);
	}
	ASSERT_EQ(0, dev_add(&self->nl, out.id, T_C, 1, 3, ACC_RWM)) {
		TH_LOG("%s", self->nl.ext_msg);
	}
	ASSERT_EQ(2, write(run.p.go[1], "gg", 2));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ((ssize_t)sizeof(int),
			  read(run.p.res[0], &res[i], sizeof(int)));
		EXPECT_EQ(EPERM, res[i]) {
			TH_LOG("a thread opened /dev/null: %s",
			       res[i] ? strerror(res[i]) : "success");
		}
	}
	pthread_join(th, NULL);
	EXPECT_EQ(0, run.status) TH_LOG("%s", run.msg);
	n = tp_count(self, out.id, 'c', 1, 3, NULL);
	EXPECT_EQ(2, n) TH_LOG("%d ctnr_dev_denied events for two threads", n);
	EXPECT_EQ(0, ctnr_del_id(&self->nl, out.id));
	for (i = 0; i < 2; i++) {
		close(run.p.tids[i]);
		close(run.p.go[i]);
		close(run.p.res[i]);
	}
}

/* ------------------------------------------------------------------ */
/* routes to the check                                                */

/* A free kernel loop device (/dev/loopN, N in *@num), or -errno. */
static int loop_free(char *dev, size_t len, int *num)
{
	int ctl, n;

	if (access("/dev/loop-control", F_OK) &&
	    system("modprobe -q loop 2>/dev/null") != 0)
		return -ENOENT;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	n = ioctl(ctl, 0x4C82 /* LOOP_CTL_GET_FREE */);
	close(ctl);
	if (n < 0)
		return -errno;
	*num = n;
	snprintf(dev, len, "/dev/loop%d", n);
	return 0;
}

/* A filesystem type that mounts block devices: ext4 if it can be had. */
static const char *block_fstype(void)
{
	static char type[32];
	char line[128];
	FILE *f;

	if (system("modprobe -q ext4 2>/dev/null") == 0)
		return "ext4";
	f = fopen("/proc/filesystems", "re");
	if (!f)
		return NULL;
	while (!type[0] && fgets(line, sizeof(line), f))
		if (strncmp(line, "nodev", 5))
			sscanf(line, " %31s", type);
	fclose(f);
	return type[0] ? type : NULL;
}

struct mount_arg {
	const char *cg, *dev, *dir, *type;
	int expect;		/* EPERM, or ANY_BUT_EPERM */
};

static void mount_child(int errfd, void *arg)
{
	const struct mount_arg *a = arg;
	int r, e;

	CHILD_CHECK(errfd, !cg_enter(a->cg, getpid()), "enter %s", a->cg);
	r = mount(a->dev, a->dir, a->type, MS_RDONLY | MS_NOSUID | MS_NODEV,
		  NULL);
	e = r ? errno : 0;
	if (!r)
		umount2(a->dir, MNT_DETACH);
	if (a->expect == EPERM)
		CHILD_CHECK(errfd, e == EPERM, "mount %s: %s, expected EPERM",
			    a->dev, e ? strerror(e) : "success");
	else
		CHILD_CHECK(errfd, e != EPERM, "mount %s: EPERM", a->dev);
}

/*
 * mount(2) of a block device opens it by dev_t (blkdev_get_by_dev() on
 * 6.1, bdev_file_open_by_dev() and bdev_permission() on 6.12), not
 * through inode_permission(): the rules apply there too, and it is the
 * module that refuses.
 */
TEST_F_TIMEOUT(dev, route_block_mount_checked, 90)
{
	struct mount_arg a = { 0 };
	char dev[64], dir[128], msg[512];
	int num, n;

	if (loop_free(dev, sizeof(dev), &num))
		SKIP(return, "no loop devices");
	a.type = block_fstype();
	if (!a.type)
		SKIP(return, "no block filesystem type");
	TP_OPEN_OR_SKIP();
	ASSERT_EQ(0, fx_ctr(self, 0, "mnt"));
	snprintf(dir, sizeof(dir), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(dir, 0700));
	a.cg = self->c[0].cg;
	a.dev = dev;
	a.dir = dir;
	ASSERT_EQ(0, dev_add(&self->nl, self->c[0].id, T_B, 7, num, ACC_RWM));
	a.expect = EPERM;
	EXPECT_EQ(0, run_child(mount_child, &a, msg, sizeof(msg),
			       CHILD_TIMEOUT)) TH_LOG("%s", msg);
	n = tp_count(self, self->c[0].id, 'b', 7, num, NULL);
	EXPECT_GE(n, 1) TH_LOG("the mount's EPERM was not the module's");
	/* without the rule, the same mount gets past the check */
	ASSERT_EQ(0, dev_del(&self->nl, self->c[0].id, T_B, 7, num, ACC_RWM));
	tp_clear(self);
	a.expect = ANY_BUT_EPERM;
	EXPECT_EQ(0, run_child(mount_child, &a, msg, sizeof(msg),
			       CHILD_TIMEOUT)) TH_LOG("%s", msg);
	EXPECT_EQ(0, tp_count(self, self->c[0].id, 'b', 7, num, NULL));
}

struct opath_arg {
	const char *cg, *node;
	pid_t other;		/* holds an O_PATH fd of node as @other_fd */
	int other_fd;
};

static void opath_child(int errfd, void *arg)
{
	const struct opath_arg *a = arg;
	char path[64];
	int fd, re;

	CHILD_CHECK(errfd, !cg_enter(a->cg, getpid()), "enter %s", a->cg);
	/* an O_PATH open checks no device access: it opens nothing */
	fd = open(a->node, O_PATH | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "O_PATH open of %s: %m", a->node);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	re = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, re < 0 && errno == EPERM,
		    "reopen through %s: %s", path, re < 0 ? strerror(errno) :
		    "opened");
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)a->other,
		 a->other_fd);
	re = open(path, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, re < 0 && errno == EPERM,
		    "reopen through %s: %s", path, re < 0 ? strerror(errno) :
		    "opened");
	close(fd);
}

/*
 * An O_PATH descriptor of a denied device, reopened for reading through
 * /proc/self/fd/N or another task's /proc/PID/fd/N, is a full open: the
 * rules apply to it.
 */
TEST_F_TIMEOUT(dev, route_opath_reopen_checked, 60)
{
	struct opath_arg a = { 0 };
	char msg[512], path[64];
	int fd, re, n;

	TP_OPEN_OR_SKIP();
	ASSERT_EQ(0, fx_ctr(self, 0, "opath"));
	ASSERT_EQ(0, dev_add(&self->nl, self->c[0].id, T_C, 1, 5, ACC_RWM));
	fd = open(NODE("zero"), O_PATH | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	/* the host, outside the container, may reopen it */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	re = open(path, O_RDONLY | O_CLOEXEC);
	EXPECT_GE(re, 0) TH_LOG("%m - host reopen");
	if (re >= 0)
		close(re);
	a.cg = self->c[0].cg;
	a.node = NODE("zero");
	a.other = getpid();
	a.other_fd = fd;
	EXPECT_EQ(0, run_child(opath_child, &a, msg, sizeof(msg),
			       CHILD_TIMEOUT)) TH_LOG("%s", msg);
	n = tp_count(self, self->c[0].id, 'c', 1, 5, NULL);
	EXPECT_EQ(2, n) TH_LOG("%d ctnr_dev_denied events for two reopens", n);
	close(fd);
}

/* The bare minimum of io_uring: one ring, one request at a time. */
struct uring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len, sqes_len;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void uring_close(struct uring *u)
{
	if (u->sqes && u->sqes != MAP_FAILED)
		munmap(u->sqes, u->sqes_len);
	if (u->cq && u->cq != MAP_FAILED)
		munmap(u->cq, u->cq_len);
	if (u->sq && u->sq != MAP_FAILED)
		munmap(u->sq, u->sq_len);
	if (u->fd >= 0)
		close(u->fd);
	memset(u, 0, sizeof(*u));
	u->fd = -EBADF;
}

static int uring_setup(struct uring *u, unsigned int flags)
{
	struct io_uring_params p = { .flags = flags, .sq_thread_idle = 2000 };
	int prot = PROT_READ | PROT_WRITE, map = MAP_SHARED | MAP_POPULATE;
	char *sq, *cq;
	int r;

	memset(u, 0, sizeof(*u));
	u->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (u->fd < 0)
		return -errno;
	u->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	u->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	u->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	u->sq = mmap(NULL, u->sq_len, prot, map, u->fd, IORING_OFF_SQ_RING);
	u->cq = mmap(NULL, u->cq_len, prot, map, u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, u->sqes_len, prot, map, u->fd, IORING_OFF_SQES);
	if (u->sq == MAP_FAILED || u->cq == MAP_FAILED ||
	    u->sqes == MAP_FAILED) {
		r = -errno;
		uring_close(u);
		return r;
	}
	sq = u->sq;
	cq = u->cq;
	u->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	u->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned int *)(sq + p.sq_off.array);
	u->cq_head = (unsigned int *)(cq + p.cq_off.head);
	u->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	u->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* IORING_OP_OPENAT of @path; *@res is the completion's result. */
static int uring_openat(struct uring *u, const char *path, int flags,
			unsigned int sqe_flags, bool sqpoll, int *res)
{
	unsigned int tail = *u->sq_tail, idx = tail & *u->sq_mask, head;
	unsigned int enter = IORING_ENTER_GETEVENTS, submit = 1;
	struct io_uring_sqe *sqe = &u->sqes[idx];
	int64_t end = now_ms() + 20000;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (uintptr_t)path;
	sqe->open_flags = (unsigned int)flags;
	sqe->flags = (uint8_t)sqe_flags;
	sqe->user_data = 1;
	u->sq_array[idx] = idx;
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (sqpoll) {
		/* the kernel thread submits; wake it if it sleeps */
		submit = 0;
		enter |= IORING_ENTER_SQ_WAKEUP;
	}
	for (;;) {
		head = *u->cq_head;
		if (head != __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE)) {
			*res = u->cqes[head & *u->cq_mask].res;
			__atomic_store_n(u->cq_head, head + 1,
					 __ATOMIC_RELEASE);
			return 0;
		}
		if (now_ms() > end)
			return -ETIMEDOUT;
		if (syscall(__NR_io_uring_enter, u->fd, submit, 1, enter, NULL,
			    0) < 0 && errno != EINTR)
			return -errno;
		submit = 0;
	}
}

struct uring_arg {
	const char *cg, *denied, *allowed;
};

static void uring_child(int errfd, void *arg)
{
	static const struct {
		const char *name;
		unsigned int setup, sqe;
	} modes[] = {
		{ "inline", 0, 0 },
		{ "IOSQE_ASYNC (io-wq)", 0, IOSQE_ASYNC },
		{ "SQPOLL", IORING_SETUP_SQPOLL, 0 },
	};
	const struct uring_arg *a = arg;
	struct uring u;
	unsigned int i;
	int r, res;

	CHILD_CHECK(errfd, !cg_enter(a->cg, getpid()), "enter %s", a->cg);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		bool sqpoll = modes[i].setup & IORING_SETUP_SQPOLL;

		r = uring_setup(&u, modes[i].setup);
		CHILD_CHECK(errfd, !r, "%s: io_uring_setup: %s", modes[i].name,
			    strerror(-r));
		r = uring_openat(&u, a->denied, O_RDONLY | O_CLOEXEC,
				 modes[i].sqe, sqpoll, &res);
		CHILD_CHECK(errfd, !r, "%s: %s", modes[i].name, strerror(-r));
		if (res >= 0)
			close(res);
		CHILD_CHECK(errfd, res == -EPERM, "%s: openat of %s gave %d",
			    modes[i].name, a->denied, res);
		r = uring_openat(&u, a->allowed, O_RDONLY | O_CLOEXEC,
				 modes[i].sqe, sqpoll, &res);
		CHILD_CHECK(errfd, !r, "%s: %s", modes[i].name, strerror(-r));
		if (res >= 0)
			close(res);
		CHILD_CHECK(errfd, res >= 0, "%s: openat of %s gave %d",
			    modes[i].name, a->allowed, res);
		uring_close(&u);
	}
}

/*
 * IORING_OP_OPENAT, inline, punted to an io-wq worker (IOSQE_ASYNC) and
 * from an SQPOLL thread: the kernel threads doing the open belong to the
 * submitter's thread group and cgroup, so the rules apply to them.
 */
TEST_F_TIMEOUT(dev, route_io_uring_openat_checked, 90)
{
	struct uring_arg a;
	struct uring u;
	char msg[512];
	int r, n;

	r = uring_setup(&u, 0);
	if (r == -ENOSYS || r == -EPERM)
		SKIP(return, "io_uring disabled here (%s)", strerror(-r));
	ASSERT_EQ(0, r);
	uring_close(&u);
	TP_OPEN_OR_SKIP();
	ASSERT_EQ(0, fx_ctr(self, 0, "uring"));
	ASSERT_EQ(0, dev_add(&self->nl, self->c[0].id, T_C, 1, 5, ACC_RWM));
	a.cg = self->c[0].cg;
	a.denied = NODE("zero");
	a.allowed = strdup(NODE("null"));
	ASSERT_NE(NULL, a.allowed);
	EXPECT_EQ(0, run_child(uring_child, &a, msg, sizeof(msg),
			       CHILD_TIMEOUT)) TH_LOG("%s", msg);
	n = tp_count(self, self->c[0].id, 'c', 1, 5, NULL);
	/* an inline attempt may be retried from io-wq: at least one each */
	EXPECT_GE(n, 3) TH_LOG("%d ctnr_dev_denied events for 3 openats", n);
	free((void *)a.allowed);
}

/* ------------------------------------------------------------------ */
/* disarm and re-arm under load                                       */

/* Shared between the test and the openers (MAP_SHARED). */
struct rearm_shared {
	unsigned int phase;	/* odd: the deny policy is known in force */
	int stop;
	long opens, checked, eperm, bad;
	char why[128];
};

struct rearm_arg {
	const char *cg, *node;
	struct rearm_shared *sh;
};

static void *rearm_thread(void *arg)
{
	const struct rearm_arg *a = arg;
	struct rearm_shared *sh = a->sh;
	unsigned int p1, p2;
	int fd, e;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		p1 = __atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE);
		fd = open(a->node, O_RDONLY | O_CLOEXEC);
		e = errno;
		p2 = __atomic_load_n(&sh->phase, __ATOMIC_ACQUIRE);
		__atomic_add_fetch(&sh->opens, 1, __ATOMIC_RELAXED);
		if (fd >= 0)
			close(fd);
		else if (e == EPERM)
			__atomic_add_fetch(&sh->eperm, 1, __ATOMIC_RELAXED);
		if (p1 != p2 || !(p1 & 1)) {
			if (fd < 0 && e != EPERM &&
			    !__atomic_fetch_add(&sh->bad, 1, __ATOMIC_RELAXED))
				snprintf(sh->why, sizeof(sh->why), "open: %s",
					 strerror(e));
			continue;
		}
		/* the whole open ran while the deny policy was in force */
		__atomic_add_fetch(&sh->checked, 1, __ATOMIC_RELAXED);
		if ((fd >= 0 || e != EPERM) &&
		    !__atomic_fetch_add(&sh->bad, 1, __ATOMIC_RELAXED))
			snprintf(sh->why, sizeof(sh->why),
				 "phase %u: open under deny gave %s", p1,
				 fd >= 0 ? "success" : strerror(e));
	}
	return NULL;
}

static void rearm_child(int errfd, void *arg)
{
	pthread_t th[2];
	int i;

	CHILD_CHECK(errfd, !cg_enter(((struct rearm_arg *)arg)->cg, getpid()),
		    "enter cgroup");
	for (i = 0; i < 2; i++)
		CHILD_CHECK(errfd, !pthread_create(&th[i], NULL, rearm_thread,
						   arg), "thread");
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
}

struct rearm_run {
	struct rearm_arg a;
	int status;
	char msg[512];
};

static void *rearm_run_thread(void *arg)
{
	struct rearm_run *r = arg;

	r->status = run_child(rearm_child, &r->a, r->msg, sizeof(r->msg),
			      170000);
	return NULL;
}

/*
 * F8: the container's only policy flips between a deny rule and none
 * (default allow, no exceptions: the hook's last user goes, and it is
 * disarmed a second later) while two threads in it open the denied
 * device in a loop.  Some allow phases are shorter than the disarm delay
 * (re-armed before it was disarmed), others longer (disarmed, then armed
 * again before the next policy is published).  No open made entirely
 * while the deny policy was known to be in force succeeds.
 */
TEST_F_TIMEOUT(dev, disarm_rearm_under_load, 150)
{
	struct rearm_run run = { 0 };
	struct rearm_shared *sh;
	char buf[1024];
	int round, disarmed = 0, n;
	bool lost;
	pthread_t th;
	uint32_t id;

	TP_OPEN_OR_SKIP();
	ASSERT_EQ(0, fx_ctr(self, 0, "rearm"));
	id = self->c[0].id;
	/* nothing else may hold the hook, or it is never disarmed */
	ASSERT_EQ(0, hook_wait_state(&self->nl, CTNR_HOOK_IDLE, 10000)) {
		TH_LOG("another policy holds the hook");
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	run.a.cg = self->c[0].cg;
	run.a.node = NODE("zero");
	run.a.sh = sh;
	ASSERT_EQ(0, pthread_create(&th, NULL, rearm_run_thread, &run));
	sleep_ms(200);
	for (round = 0; round < 12; round++) {
		ASSERT_EQ(0, dev_add(&self->nl, id, T_C, 1, 5, ACC_RWM)) {
			TH_LOG("round %d: %s", round, self->nl.ext_msg);
		}
		/* published: from now on every open must be refused */
		__atomic_add_fetch(&sh->phase, 1, __ATOMIC_RELEASE);
		sleep_ms(300);
		__atomic_add_fetch(&sh->phase, 1, __ATOMIC_RELEASE);
		ASSERT_EQ(0, dev_del(&self->nl, id, T_C, 1, 5, ACC_RWM));
		if (!(round & 1)) {
			sleep_ms(50);	/* re-armed before the disarm */
			continue;
		}
		sleep_ms(1800);
		if (read_str(HOOK_DEBUGFS, buf, sizeof(buf)) > 0 &&
		    strstr(buf, "armed 0"))
			disarmed++;
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	EXPECT_EQ(0, run.status) TH_LOG("%s", run.msg);
	TH_LOG("%ld opens, %ld under deny, %ld EPERM, disarmed %d times",
	       sh->opens, sh->checked, sh->eperm, disarmed);
	EXPECT_EQ(0, sh->bad) TH_LOG("%ld bad: %s", sh->bad, sh->why);
	EXPECT_GT(sh->checked, 0);
	EXPECT_GE(disarmed, 1) TH_LOG("the hook was never seen disarmed");
	/* calls that reached the probe by a stray int3 (kmod/hook.c) */
	if (read_str(HOOK_DEBUGFS, buf, sizeof(buf)) > 0 && strstr(buf, "traps "))
		TH_LOG("hook: %s", strstr(buf, "traps "));
	/* every EPERM was the module's */
	n = tp_count(self, id, 'c', 1, 5, &lost);
	if (lost) {
		EXPECT_GT(n, 0);
	} else {
		EXPECT_EQ(sh->eperm, n);
	}
	munmap(sh, sizeof(*sh));
}

/* ------------------------------------------------------------------ */
/* ctnrctl                                                            */

/* `ctnrctl dev ...`: grammar, listing, JSON, errors and exit codes. */
TEST_F_TIMEOUT(dev, cli_dev_commands, 400)
{
	char out[8192], err[1024], why[512];
	const char *name;
	struct dev_info in;
	int r;

	/* ctnrctl is part of this tree: without it, fail, not skip */
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not built (make ctl)");
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "help",
		    NULL);
	ASSERT_EQ(0, r) TH_LOG("dev help: %s", err);
	ASSERT_EQ(0, fx_ctr(self, 0, "cli"));
	name = self->c[0].name;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev",
		    "preset", name, "lxc", NULL);
	ASSERT_EQ(0, r) TH_LOG("preset: %s", err);
	ASSERT_EQ(0, dev_info(&self->nl, self->c[0].id, &in));
	EXPECT_EQ(CTNR_DEV_DENY, in.deflt);
	EXPECT_EQ((uint32_t)N_LXC, in.count);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "list",
		    name, NULL);
	ASSERT_EQ(0, r) TH_LOG("list: %s", err);
	EXPECT_NE(NULL, strstr(out, "c 1:3 rwm"));
	EXPECT_NE(NULL, strstr(out, "c 136:* rwm"));
	EXPECT_NE(NULL, strstr(out, "b *:* m"));
	EXPECT_NE(NULL, strstr(out, "deny")) TH_LOG("%s", out);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "-j", "dev",
		    "list", name, NULL);
	ASSERT_EQ(0, r) TH_LOG("list -j: %s", err);
	EXPECT_TRUE(json_valid(out)) TH_LOG("%s", out);
	EXPECT_EQ('[', *json__ws(out)) TH_LOG("not an array: %s", out);
	/* dev alone: every container's policy, this one's among them */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", NULL);
	ASSERT_EQ(0, r) TH_LOG("dev: %s", err);
	EXPECT_NE(NULL, strstr(out, name)) TH_LOG("%s", out);
	/* what changes the policy is never abbreviated: "d" is no default */
	EXPECT_EQ(2, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev",
			     "d", name, "allow", NULL));
	EXPECT_EQ(2, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev",
			     "def", name, "allow", NULL));
	ASSERT_EQ(0, dev_info(&self->nl, self->c[0].id, &in));
	EXPECT_EQ((uint32_t)N_LXC, in.count);
	if (json_valid_python(out, why, sizeof(why)) == 0)
		TH_LOG("python: %s", why);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "add",
		    name, "b", "8:*", "r", NULL);
	EXPECT_EQ(0, r) TH_LOG("add: %s", err);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "del",
		    name, "b", "8:*", "r", NULL);
	EXPECT_EQ(0, r) TH_LOG("del: %s", err);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "del",
		    name, "b", "8:*", "r", NULL);
	EXPECT_EQ(1, r);
	EXPECT_NE(NULL, strstr(err, "no such device rule")) TH_LOG("%s", err);

	/* bad usage: exit 2, one line, nothing sent */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "add",
		    name, "x", "1:3", "r", NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "add",
		    name, "c", "1:3", "rwx", NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "add",
		    name, "c", "13", "r", NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev",
		    "default", name, "maybe", NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev",
		    "preset", name, "docker", NULL);
	EXPECT_EQ(2, r);
	/* the kernel's range check, reported in one line, exit 1 */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "add",
		    name, "c", "5000:1", "r", NULL);
	EXPECT_EQ(1, r);
	EXPECT_NE(NULL, strstr(err, "major must be")) TH_LOG("%s", err);
	EXPECT_EQ(1, count_lines(err));
	ASSERT_EQ(0, dev_info(&self->nl, self->c[0].id, &in));
	EXPECT_EQ((uint32_t)N_LXC, in.count);

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev",
		    "default", name, "allow", NULL);
	EXPECT_EQ(0, r) TH_LOG("default: %s", err);
	ASSERT_EQ(0, dev_info(&self->nl, self->c[0].id, &in));
	EXPECT_EQ(CTNR_DEV_ALLOW, in.deflt);
	EXPECT_EQ(0U, in.count);

	/* dev allow|deny: the v1 files, with "a" the reset */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "deny",
		    name, "a", NULL);
	EXPECT_EQ(0, r) TH_LOG("deny a: %s", err);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "allow",
		    name, "c 1:3 rw", NULL);
	EXPECT_EQ(0, r) TH_LOG("allow 'c 1:3 rw': %s", err);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "allow",
		    name, "c", "1:3", "m", NULL);
	EXPECT_EQ(0, r) TH_LOG("allow c 1:3 m: %s", err);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "list",
		    name, NULL);
	EXPECT_EQ(0, r) TH_LOG("list: %s", err);
	EXPECT_NE(NULL, strstr(out, "default deny")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "c 1:3 rwm")) TH_LOG("%s", out);
	EXPECT_EQ(2, count_lines(out)) TH_LOG("%s", out);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "deny",
		    name, "c 1:3 w", NULL);
	EXPECT_EQ(0, r) TH_LOG("deny 'c 1:3 w': %s", err);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "list",
		    name, NULL);
	EXPECT_NE(NULL, strstr(out, "c 1:3 rm")) TH_LOG("%s", out);
	/* type a is no exception for add and del */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "add",
		    name, "a", "*:*", "m", NULL);
	EXPECT_EQ(2, r);
	EXPECT_NE(NULL, strstr(err, "resets the default")) TH_LOG("%s", err);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "allow",
		    name, "c 1:3", NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "dev", "allow",
		    name, "a *:* rwm", NULL);
	EXPECT_EQ(0, r) TH_LOG("allow 'a *:* rwm': %s", err);
	ASSERT_EQ(0, dev_info(&self->nl, self->c[0].id, &in));
	EXPECT_EQ(CTNR_DEV_ALLOW, in.deflt);
	EXPECT_EQ(0U, in.count);
}

TEST_HARNESS_MAIN
