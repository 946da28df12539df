// SPDX-License-Identifier: GPL-2.0
/*
 * failnth: systematic fault injection (issue 9.3).
 *
 * For each operation below, for n = 1, 2, ... the n-th fault-injection
 * point the calling thread meets fails (/proc/thread-self/fail-nth, with
 * failslab and fail_page_alloc armed for sleeping allocations too), until
 * the operation runs with the fault unused.  After every injected failure
 * the operation must have returned an error and left nothing behind: the
 * debugfs counters as before it and, for a registration, no container of
 * its name.  What succeeds is undone before the next n.  A fault that
 * takes the kernel's ACK (-ENOBUFS, the socket overran, and for a command
 * with a reply the reply says it succeeded) is not the command's failure:
 * what it made is undone too.
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION and its debugfs knobs (the
 * debug kernel, make check KERNEL=debug); on others every test skips.
 */
#define _GNU_SOURCE
#include "ctnr_test.h"

#define FAILNTH_MAX	4000	/* injection points one operation may meet */
#define UNUSED		__attribute__((unused))

static const char *const knobs[] = {
	"/sys/kernel/debug/failslab/ignore-gfp-wait",
	"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
	"/sys/kernel/debug/failslab/verbose",
	"/sys/kernel/debug/fail_page_alloc/verbose",
};
/* armed: sleeping allocations fail too; quiet: no stack per failure */
static const char *const armed[] = { "N", "N", "0", "0" };

FIXTURE(failnth) {
	struct ctnr_nl nl;
	int dev, nth;
	char cg[PATH_MAX];
	pid_t init;
	uint32_t id;		/* a container the operations work on */
	char old[4][16];
	struct ctnr_counter base[64];
	int nbase;
	char tmp[64];		/* a tmpfs for backing files */
	bool ready;		/* setup completed (a SKIP there still runs the test) */
};

FIXTURE_SETUP(failnth)
{
	char rel[64], name[64];
	struct ctnr_ctr c;
	unsigned int i;
	int r;

	self->dev = self->nth = -1;
	self->init = -1;
	self->cg[0] = self->tmp[0] = '\0';
	if (access("/proc/thread-self/fail-nth", F_OK) ||
	    access(knobs[0], F_OK))
		SKIP(return, "no fail-nth or failslab (not the debug kernel)");
	for (i = 0; i < 4; i++) {
		ASSERT_LT(0, read_str(knobs[i], self->old[i],
				      sizeof(self->old[i])));
		chomp(self->old[i]);
		ASSERT_EQ(0, write_str(knobs[i], armed[i]));
	}
	ASSERT_EQ(0, ctnr_nl_open(&self->nl));
	self->dev = ctnr_dev_open();
	ASSERT_LE(0, self->dev);
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);

	snprintf(rel, sizeof(rel), "ctnr-failnth-%d", getpid());
	ASSERT_EQ(0, cg_create(rel, self->cg, sizeof(self->cg)));
	self->init = fork();
	ASSERT_LE(0, self->init);
	if (self->init == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (cg_enter(self->cg, getpid()))
			_exit(1);
		for (;;)
			pause();
	}
	sleep_ms(100);	/* in its cgroup */
	snprintf(name, sizeof(name), "fn-%d-base", getpid());
	r = ctnr_new(&self->nl, name, self->init, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("register: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	self->id = c.id;

	snprintf(self->tmp, sizeof(self->tmp), "/tmp/ctnr-failnth.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->tmp));
	ASSERT_EQ(0, mount("tmpfs", self->tmp, "tmpfs", 0, "size=16m"));
	self->ready = true;
}

FIXTURE_TEARDOWN(failnth)
{
	unsigned int i;

	if (self->nth >= 0)
		write_str("/proc/thread-self/fail-nth", "0");
	close_fd(&self->nth);
	for (i = 0; i < 4 && self->old[i][0]; i++)
		write_str(knobs[i], self->old[i]);
	if (self->id)
		ctnr_del_id(&self->nl, self->id);
	kill_reap(&self->init);
	if (self->tmp[0]) {
		umount2(self->tmp, MNT_DETACH);
		rmdir(self->tmp);
	}
	if (self->cg[0])
		cg_remove(self->cg);
	if (self->dev >= 0)
		close_fd(&self->dev);
	ctnr_nl_close(&self->nl);
}

/* One operation, its undo after a success, and a check after a failure. */
struct fn_op {
	const char *name;
	int (*run)(FIXTURE_DATA(failnth) *self, int n, void **undo);
	void (*undo)(FIXTURE_DATA(failnth) *self, void *undo);
	/* NULL if nothing but the counters can be checked */
	int (*left)(FIXTURE_DATA(failnth) *self, int n);
	/*
	 * Makes, without a fault, what @run works on, and points *undo at
	 * it; @run clears *undo when it consumed it, @undo removes it when
	 * it did not.  NULL for most.
	 */
	int (*prep)(FIXTURE_DATA(failnth) *self, int n, void **undo);
};

/* Arm the n-th injection point of this thread; 0 or -errno. */
static int nth_arm(int fd, int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%d", n);

	return pwrite(fd, b, len, 0) == len ? 0 : -errno;
}

/* Was the armed fault injected?  Disarms it either way. */
static bool nth_fired(int fd)
{
	char b[16] = "";
	ssize_t r = pread(fd, b, sizeof(b) - 1, 0);

	pwrite(fd, "0", 1, 0);
	return r > 0 && atoi(b) == 0;
}

/* Are the counters what they were (give deferred releases 3 s)? */
static int counters_back(FIXTURE_DATA(failnth) *self, char *why, size_t len)
{
	struct ctnr_counter now[64];
	int64_t end = now_ms() + 3000;
	int i, n;

	for (;;) {
		n = ctnr_counters_read(now, 64);
		if (n != self->nbase)
			return snprintf(why, len, "counters: %d, were %d", n,
					self->nbase), -1;
		for (i = 0; i < n; i++)
			if (now[i].val != self->base[i].val)
				break;
		if (i == n)
			return 0;
		if (now_ms() > end) {
			snprintf(why, len, "%s %lld, was %lld", now[i].name,
				 now[i].val, self->base[i].val);
			return -1;
		}
		sleep_ms(20);
	}
}

/*
 * Take the baseline: the counters once two reads 200 ms apart agree
 * (5 s at most).
 */
static int counters_settle(FIXTURE_DATA(failnth) *self)
{
	struct ctnr_counter prev[64];
	int64_t end = now_ms() + 5000;
	int i, n;

	n = ctnr_counters_read(prev, 64);
	while (n > 0 && now_ms() < end) {
		sleep_ms(200);
		self->nbase = ctnr_counters_read(self->base, 64);
		if (self->nbase != n)
			return -1;
		for (i = 0; i < n; i++)
			if (self->base[i].val != prev[i].val)
				break;
		if (i == n)
			return 0;
		memcpy(prev, self->base, sizeof(prev));
	}
	return -1;
}

/* ---- the operations ---------------------------------------------- */

static int op_new(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	struct ctnr_ctr c;
	char name[64];
	int r;

	snprintf(name, sizeof(name), "fn-%d-%d", getpid(), n);
	memset(&c, 0, sizeof(c));
	r = ctnr_new(&self->nl, name, self->init, 0, &c);
	/* the ACK came but the reply was lost: the id by its name */
	if (!r && !c.id)
		ctnr_get_name(&self->nl, name, &c);
	if (!r)
		*undo = (void *)(uintptr_t)c.id;
	return r;
}

static void undo_new(FIXTURE_DATA(failnth) *self, void *undo)
{
	ctnr_del_id(&self->nl, (uint32_t)(uintptr_t)undo);
}

static int left_new(FIXTURE_DATA(failnth) *self, int n)
{
	struct ctnr_ctr c;
	char name[64];

	snprintf(name, sizeof(name), "fn-%d-%d", getpid(), n);
	return ctnr_get_name(&self->nl, name, &c) == -ENOENT ? 0 : -EEXIST;
}

static int op_info(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	struct ctnr_info in;

	return ctnr_info(&self->nl, &in);
}

static int op_get(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	struct ctnr_ctr c;

	return ctnr_get_id(&self->nl, self->id, &c);
}

static int op_dump(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	long r = ctnr_dump_count(&self->nl, NULL, 0, NULL);

	return r < 0 ? (int)r : 0;
}

static int op_set(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	int r = ctnr_set_flags(&self->nl, self->id, CTNR_F_AUTOREMOVE);

	/* -ENOBUFS: the ACK was lost, the flag may be set */
	if (!r || r == -ENOBUFS)
		*undo = (void *)1;
	return r;
}

static void undo_set(FIXTURE_DATA(failnth) *self, void *undo UNUSED)
{
	ctnr_set_flags(&self->nl, self->id, 0);
}

static int op_ns_fds(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	struct ctnr_ioc_ns_fds a;
	int r = ctnr_ns_fds(self->dev, self->id, NULL, 0x7fffffff &
			    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			     CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUSER |
			     CLONE_NEWCGROUP), &a);

	if (!r)
		ctnr_ns_fds_close(&a);
	return r;
}

static int op_whoami(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	struct ctnr_ioc_whoami w;
	int r = ctnr_whoami(self->dev, &w);

	return r == -ENOENT ? 0 : r;	/* the test is in no container */
}

static int op_loop(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	struct ctnr_ioc_loop_attach a;
	char path[PATH_MAX];
	int fd, r;

	snprintf(path, sizeof(path), "%s/l.img", self->tmp);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, 1 << 20)) {
		r = -errno;
		close(fd);
		return r;
	}
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = self->id;
	a.backing_fd = fd;
	a.fd = -2;
	r = ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, &a) < 0 ? -errno : 0;
	close(fd);
	if (!r)
		*undo = (void *)(uintptr_t)(a.index + 1);
	return r;
}

static void undo_loop(FIXTURE_DATA(failnth) *self, void *undo)
{
	struct ctnr_ioc_loop_detach d = {
		.size = sizeof(d), .index = (uint32_t)(uintptr_t)undo - 1,
	};
	char p[64];
	int i;

	ioctl(self->dev, CTNR_IOC_LOOP_DETACH, &d);
	snprintf(p, sizeof(p), "/sys/block/ctnrloop%u", d.index);
	for (i = 0; i < 250 && !access(p, F_OK); i++)
		sleep_ms(20);
}

static int op_kmsg(FIXTURE_DATA(failnth) *self UNUSED, int n UNUSED,
		  void **undo UNUSED)
{
	char buf[8192];
	int fd, r = 0;

	fd = open("/dev/" CTNR_KMSG_DEVICE_NAME,
		  O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "failnth", 7) < 0)
		r = -errno;
	else if (read(fd, buf, sizeof(buf)) < 0 && errno != EAGAIN)
		r = -errno;
	close(fd);
	return r;
}

/* A request on the fixture's container with @n u32 attributes (type, value). */
static int fn_req(FIXTURE_DATA(failnth) *self, uint8_t cmd, int flags,
		  int n, const uint32_t *av)
{
	struct nl_msg *msg = ctnr_nl_msg(&self->nl, cmd, flags);
	int i;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, self->id) < 0)
		goto too_big;
	for (i = 0; i < n; i++)
		if (nla_put_u32(msg, av[2 * i], av[2 * i + 1]) < 0)
			goto too_big;
	return ctnr_nl_xfer(&self->nl, msg, NULL, NULL);
too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int op_dev_add(FIXTURE_DATA(failnth) *self, int n UNUSED,
		      void **undo)
{
	static const uint32_t av[] = {
		CTNR_A_DEV_TYPE, CTNR_DEV_TYPE_CHAR, CTNR_A_DEV_MAJOR, 1,
		CTNR_A_DEV_MINOR, 3, CTNR_A_DEV_ACCESS,
		CTNR_DEV_ACC_READ | CTNR_DEV_ACC_WRITE,
	};
	int r = fn_req(self, CTNR_CMD_DEV_RULE_ADD, 0, 4, av);

	/* -ENOBUFS: the ACK was lost, the rule may be there */
	if (!r || r == -ENOBUFS)
		*undo = (void *)1;
	return r;
}

/* a default, even an unchanged one, drops every exception */
static void undo_dev(FIXTURE_DATA(failnth) *self, void *undo UNUSED)
{
	static const uint32_t av[] = { CTNR_A_DEV_DEFAULT, CTNR_DEV_ALLOW };

	fn_req(self, CTNR_CMD_CONTAINER_SET, 0, 1, av);
}

static int op_dev_policy(FIXTURE_DATA(failnth) *self, int n UNUSED,
			 void **undo)
{
	struct nl_msg *msg = ctnr_nl_msg(&self->nl, CTNR_CMD_DEV_POLICY_SET,
					 0);
	struct nlattr *one;
	int i, r;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, self->id) < 0 ||
	    nla_put_u32(msg, CTNR_A_DEV_DEFAULT, CTNR_DEV_DENY) < 0)
		goto too_big;
	for (i = 0; i < 3; i++) {
		one = nla_nest_start(msg, CTNR_A_DEV_RULE);
		if (!one ||
		    nla_put_u32(msg, CTNR_A_DEV_TYPE, CTNR_DEV_TYPE_CHAR) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_MAJOR, 1) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_MINOR, 3 + 2 * i) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_ACCESS, CTNR_DEV_ACC_READ) < 0 ||
		    nla_nest_end(msg, one) < 0)
			goto too_big;
	}
	r = ctnr_nl_xfer(&self->nl, msg, NULL, NULL);
	/* -ENOBUFS: the ACK was lost, the policy may be set */
	if (!r || r == -ENOBUFS)
		*undo = (void *)1;
	return r;
too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int op_dev_list(FIXTURE_DATA(failnth) *self, int n UNUSED,
		       void **undo UNUSED)
{
	return fn_req(self, CTNR_CMD_DEV_RULE_GET, NLM_F_DUMP, 0, NULL);
}

static int op_log_get(FIXTURE_DATA(failnth) *self, int n UNUSED,
		      void **undo UNUSED)
{
	return fn_req(self, CTNR_CMD_LOG_GET, NLM_F_DUMP, 0, NULL);
}

static int op_log_clear(FIXTURE_DATA(failnth) *self, int n UNUSED,
			void **undo UNUSED)
{
	return fn_req(self, CTNR_CMD_LOG_CLEAR, 0, 0, NULL);
}

static int op_loop_list(FIXTURE_DATA(failnth) *self, int n UNUSED,
			void **undo UNUSED)
{
	return fn_req(self, CTNR_CMD_LOOP_GET, NLM_F_DUMP, 0, NULL);
}

static int prep_ctr(FIXTURE_DATA(failnth) *self, int n, void **undo)
{
	struct ctnr_ctr c;
	char name[64];
	int r;

	snprintf(name, sizeof(name), "fnd-%d-%d", getpid(), n);
	r = ctnr_new(&self->nl, name, self->init, 0, &c);
	if (!r && !c.id)
		r = ctnr_get_name(&self->nl, name, &c);
	if (!r)
		*undo = (void *)(uintptr_t)c.id;
	return r;
}

static int op_del(FIXTURE_DATA(failnth) *self, int n UNUSED, void **undo)
{
	int r = ctnr_del_id(&self->nl, (uint32_t)(uintptr_t)*undo);

	if (!r)
		*undo = NULL;
	return r;
}

static int prep_rule(FIXTURE_DATA(failnth) *self, int n, void **undo)
{
	return op_dev_add(self, n, undo);
}

static int op_dev_del(FIXTURE_DATA(failnth) *self, int n UNUSED,
		      void **undo UNUSED)
{
	static const uint32_t av[] = {
		CTNR_A_DEV_TYPE, CTNR_DEV_TYPE_CHAR, CTNR_A_DEV_MAJOR, 1,
		CTNR_A_DEV_MINOR, 3, CTNR_A_DEV_ACCESS,
		CTNR_DEV_ACC_READ | CTNR_DEV_ACC_WRITE,
	};

	/* *undo stays: the policy (default allow) goes with undo_dev() */
	return fn_req(self, CTNR_CMD_DEV_RULE_DEL, 0, 4, av);
}

/* v1's devices.allow under default allow: the bits leave the exception */
static int op_dev_allow(FIXTURE_DATA(failnth) *self, int n UNUSED,
			void **undo UNUSED)
{
	static const uint32_t av[] = {
		CTNR_A_DEV_TYPE, CTNR_DEV_TYPE_CHAR, CTNR_A_DEV_MAJOR, 1,
		CTNR_A_DEV_MINOR, 3, CTNR_A_DEV_ACCESS, CTNR_DEV_ACC_READ,
	};

	return fn_req(self, CTNR_CMD_DEV_ALLOW, 0, 4, av);
}

static int prep_loop(FIXTURE_DATA(failnth) *self, int n, void **undo)
{
	return op_loop(self, n, undo);
}

static int op_loop_detach(FIXTURE_DATA(failnth) *self, int n UNUSED,
			  void **undo)
{
	struct ctnr_ioc_loop_detach d = {
		.size = sizeof(d), .index = (uint32_t)(uintptr_t)*undo - 1,
	};
	char p[64];
	int i;

	if (ioctl(self->dev, CTNR_IOC_LOOP_DETACH, &d) < 0)
		return -errno;
	*undo = NULL;
	snprintf(p, sizeof(p), "/sys/block/ctnrloop%u", d.index);
	for (i = 0; i < 250 && !access(p, F_OK); i++)
		sleep_ms(20);
	return 0;
}

/*
 * Sweep @op.  The counters are the baseline taken with the fault off,
 * after one plain run (which makes what is made once, such as a
 * container's log, so that later runs compare like with like).
 */
static void sweep(struct __test_metadata *_metadata,
		  FIXTURE_DATA(failnth) *self, const struct fn_op *op)
{
	char why[256];
	void *undo = NULL;
	int n, r, failed = 0;
	bool fired;

	if (!self->ready)
		SKIP(return, "no fail-nth or failslab (not the debug kernel)");
	if (op->prep)
		ASSERT_EQ(0, op->prep(self, 0, &undo));
	r = op->run(self, 0, &undo);
	ASSERT_EQ(0, r) {
		TH_LOG("%s without a fault: %s", op->name, strerror(-r));
	}
	if (op->undo && undo)
		op->undo(self, undo);
	/* the baseline once deferred releases (RCU, work items) are done */
	ASSERT_EQ(0, counters_settle(self)) {
		TH_LOG("the counters do not settle after %s", op->name);
	}

	for (n = 1; n <= FAILNTH_MAX; n++) {
		undo = NULL;
		if (op->prep)
			ASSERT_EQ(0, op->prep(self, n, &undo));
		ASSERT_EQ(0, nth_arm(self->nth, n));
		r = op->run(self, n, &undo);
		fired = nth_fired(self->nth);
		if (!fired) {
			EXPECT_EQ(0, r) {
				TH_LOG("%s, no fault at %d: %s", op->name, n,
				       strerror(-r));
			}
			if (op->undo && undo)
				op->undo(self, undo);
			break;
		}
		if (!r) {
			/* the fault hit something that may fail quietly */
			if (op->undo && undo)
				op->undo(self, undo);
		} else {
			failed++;
			/*
			 * a reply or an ack the kernel could not allocate is
			 * lost, and the socket's sequence with it: a new one
			 */
			ctnr_nl_close(&self->nl);
			ASSERT_EQ(0, ctnr_nl_open(&self->nl));
			if (op->undo && undo)
				op->undo(self, undo);
			if (op->left)
				EXPECT_EQ(0, op->left(self, n)) {
					TH_LOG("%s failed at fault %d (%s) but left its object",
					       op->name, n, strerror(-r));
				}
		}
		EXPECT_EQ(0, counters_back(self, why, sizeof(why))) {
			TH_LOG("%s, fault %d (%s): %s", op->name, n,
			       strerror(-r), why);
		}
	}
	EXPECT_GE(FAILNTH_MAX, n) {
		TH_LOG("%s met more than %d injection points", op->name,
		       FAILNTH_MAX);
	}
	TH_LOG("%s: %d injection points, %d failed with an error", op->name,
	       n - 1, failed);
}

#define FN_TEST(nm, runf, undof, leftf)					\
TEST_F_TIMEOUT(failnth, nm, 900)					\
{									\
	static const struct fn_op op = { #nm, runf, undof, leftf, NULL };\
									\
	sweep(_metadata, self, &op);					\
}

/* An operation on an object made first, without a fault. */
#define FN_TEST_ON(nm, prepf, runf, undof)				\
TEST_F_TIMEOUT(failnth, nm, 900)					\
{									\
	static const struct fn_op op = {				\
		#nm, runf, undof, NULL, prepf,				\
	};								\
									\
	sweep(_metadata, self, &op);					\
}

FN_TEST(container_new, op_new, undo_new, left_new)
FN_TEST(info, op_info, NULL, NULL)
FN_TEST(get, op_get, NULL, NULL)
FN_TEST(dump, op_dump, NULL, NULL)
FN_TEST(container_set, op_set, undo_set, NULL)
FN_TEST(ioc_ns_fds, op_ns_fds, NULL, NULL)
FN_TEST(ioc_whoami, op_whoami, NULL, NULL)
FN_TEST(ioc_loop_attach, op_loop, undo_loop, NULL)
FN_TEST(dev_rule_add, op_dev_add, undo_dev, NULL)
FN_TEST(dev_policy_set, op_dev_policy, undo_dev, NULL)
FN_TEST(dev_rule_dump, op_dev_list, NULL, NULL)
FN_TEST(log_get, op_log_get, NULL, NULL)
FN_TEST(log_clear, op_log_clear, NULL, NULL)
FN_TEST(loop_dump, op_loop_list, NULL, NULL)
FN_TEST_ON(container_del, prep_ctr, op_del, undo_new)
FN_TEST_ON(dev_rule_del, prep_rule, op_dev_del, undo_dev)
FN_TEST_ON(dev_allow_write, prep_rule, op_dev_allow, undo_dev)
FN_TEST_ON(ioc_loop_detach, prep_loop, op_loop_detach, undo_loop)

/* the log of the container the test moves into */
TEST_F_TIMEOUT(failnth, kmsg_open_write_read, 300)
{
	static const struct fn_op op = {
		"kmsg_open_write_read", op_kmsg, NULL, NULL, NULL,
	};
	char line[PATH_MAX / 2], back[PATH_MAX];

	if (!self->ready)
		SKIP(return, "no fail-nth or failslab (not the debug kernel)");

	/* where the test was: "0::/path" */
	ASSERT_LT(3, read_str("/proc/self/cgroup", line, sizeof(line)));
	chomp(line);
	ASSERT_EQ(0, strncmp(line, "0::", 3));
	ASSERT_GT((int)sizeof(back), snprintf(back, sizeof(back), "%.*s%s",
					       PATH_MAX / 4, cg2_root(),
					       line + 3));
	ASSERT_EQ(0, cg_enter(self->cg, getpid()));
	sweep(_metadata, self, &op);
	/* the fixture's teardown removes the cgroup: leave it first */
	EXPECT_EQ(0, cg_enter(back, getpid()));
}

TEST_HARNESS_MAIN
