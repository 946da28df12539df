// SPDX-License-Identifier: GPL-2.0
/*
 * loop: ctnrloop devices (issue 6).
 *
 *   host (root, no container)          container A (cgroup ctnrloop-PID-a)
 *   ---------------------------        -----------------------------------
 *   tmpfs /tmp/ctnrloop.XXXXXX   --->  /dev/ctnrloopN   (CTNR_IOC_LOOP_ATTACH)
 *   opens every device                 its tasks open its devices
 *                                      container B's tasks get EPERM
 *
 * Data integrity (buffered, O_DIRECT, direct-I/O backing), offset and size
 * limit, block size, read-only, discard, a real ext4, an unprivileged
 * user's own container with quota and an fd handed out, detach semantics,
 * container deletion, bad input, netlink dump, events, concurrency, and no
 * leak.  Needs the module loaded; mkfs.ext4/e2fsck for the ext4 test.
 */
#define _GNU_SOURCE
#include "ctnr_test.h"

#include <pthread.h>
#include <sys/sysmacros.h>
#include <sys/quota.h>
#include <linux/blktrace_api.h>
#include <linux/capability.h>

#ifndef BLKROGET
#define BLKROGET	_IO(0x12, 94)
#endif
#ifndef BLKSSZGET
#define BLKSSZGET	_IO(0x12, 104)
#endif
#ifndef BLKGETSIZE64
#define BLKGETSIZE64	_IOR(0x12, 114, size_t)
#endif
#ifndef BLKDISCARD
#define BLKDISCARD	_IO(0x12, 119)
#endif
#ifndef BLKTRACESETUP
#define BLKTRACESETUP	_IOWR(0x12, 115, struct blk_user_trace_setup)
#define BLKTRACESTART	_IO(0x12, 116)
#define BLKTRACESTOP	_IO(0x12, 117)
#define BLKTRACETEARDOWN _IO(0x12, 118)
#endif
#ifndef FIFREEZE
#define FIFREEZE	_IOWR('X', 119, int)
#define FITHAW		_IOWR('X', 120, int)
#endif
#ifndef BLKZEROOUT
#define BLKZEROOUT	_IO(0x12, 127)
#endif

#define MiB		(1024 * 1024)

/* ------------------------------------------------------------------ */
/* helpers                                                            */

struct loop_att {
	uint32_t index;
	int fd;		/* with CTNR_LOOP_F_OPEN */
};

static int loop_attach(int dev, uint32_t id, const char *name, int bfd,
		       uint32_t flags, uint64_t offset, uint64_t sizelimit,
		       uint32_t bs, struct loop_att *out)
{
	struct ctnr_ioc_loop_attach a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.flags = flags;
	a.id = id;
	if (name)
		snprintf(a.name, sizeof(a.name), "%s", name);
	a.backing_fd = bfd;
	a.offset = offset;
	a.sizelimit = sizelimit;
	a.block_size = bs;
	a.fd = -2;
	if (ioctl(dev, CTNR_IOC_LOOP_ATTACH, &a) < 0)
		return -errno;
	if (out) {
		out->index = a.index;
		out->fd = a.fd;
	}
	return 0;
}

static int loop_detach(int dev, uint32_t index, uint32_t flags)
{
	struct ctnr_ioc_loop_detach d = {
		.size = sizeof(d), .flags = flags, .index = index,
	};

	return ioctl(dev, CTNR_IOC_LOOP_DETACH, &d) < 0 ? -errno : 0;
}

static void loop_path(uint32_t index, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/ctnrloop%u", index);
}

static bool loop_exists(uint32_t index)
{
	char p[64];

	snprintf(p, sizeof(p), "/sys/block/ctnrloop%u", index);
	return !access(p, F_OK);
}

/* Wait until /sys/block/ctnrloopN is gone. */
static int loop_wait_gone(uint32_t index, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	while (loop_exists(index)) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
	return 0;
}

/*
 * umount(@mnt), retrying while it is busy: a device whose backing file is
 * on @mnt leaves sysfs before it drops the file, and a device torn down
 * by its last close (a lazy detach) drops it from a worker, whose fput()
 * completes later still (delayed_fput).  0 or -errno.
 */
static int umount_busy(const char *mnt, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	while (umount(mnt)) {
		if (errno != EBUSY || now_ms() > end)
			return -errno;
		sleep_ms(20);
	}
	return 0;
}

static int loop_open(uint32_t index, int flags)
{
	char p[64];
	int64_t end = now_ms() + 5000;
	int fd;

	loop_path(index, p, sizeof(p));
	/* The node appears with the device; give devtmpfs a moment. */
	while ((fd = open(p, flags | O_CLOEXEC)) < 0 && errno == ENOENT &&
	       now_ms() < end)
		sleep_ms(10);
	return fd < 0 ? -errno : fd;
}

static uint64_t dev_size(int fd)
{
	uint64_t s = 0;

	return ioctl(fd, BLKGETSIZE64, &s) ? 0 : s;
}

/* The word at byte @off of a pattern named @seed. */
static inline uint64_t pat_word(uint32_t seed, uint64_t off)
{
	return ((uint64_t)seed << 40) ^ off ^ 0x5a5a000000000000ULL;
}

static void pat_fill(void *buf, size_t len, uint32_t seed, uint64_t off)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pat_word(seed, off + i * 8);
}

/* -1 when @buf holds the pattern, else the first bad byte offset. */
static long pat_check(const void *buf, size_t len, uint32_t seed, uint64_t off)
{
	const uint64_t *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pat_word(seed, off + i * 8))
			return (long)(i * 8);
	return -1;
}

static bool all_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void *abuf(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len))
		return NULL;
	memset(p, 0, len);
	return p;
}

static int make_file(const char *path, off_t size, mode_t mode)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* A child in cgroup @cg that waits to be killed. */
static pid_t spawn_sleeper(const char *cg)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	if (pid > 0 && cg && cg_enter(cg, pid)) {
		kill_reap(&pid);
		return -1;
	}
	return pid;
}

/* Run @argv with stdout/stderr collected; status or -errno. */
static int run_prog(const char *prog, char *const args[], char *err,
		    size_t errlen, int timeout_ms)
{
	char path[PATH_MAX], *argv[16];
	int i;

	if (find_in_path(prog, path, sizeof(path)))
		return -ENOENT;
	argv[0] = path;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	return run_cmd(argv, NULL, 0, err, errlen, timeout_ms);
}

/* BLKTRACESETUP2 of 6.18+ (uapi linux/blktrace_api.h), for older headers */
struct test_trace_setup2 {
	char name[64];
	uint64_t act_mask;
	uint32_t buf_size, buf_nr;
	uint64_t start_lba, end_lba;
	uint32_t pid, flags;
	uint64_t reserved[11];
};

#define TEST_BLKTRACESETUP2 _IOWR(0x12, 142, struct test_trace_setup2)

/*
 * The blktrace ioctls on @fd: 0 when each gives @want (0: works, as
 * host root), else the first that did not; its result in *@got.  Refused
 * (@want EPERM), BLKTRACESETUP2 must be refused too where the kernel has
 * it, and unknown (ENOTTY) where it has not.
 */
static int blktrace_try(int fd, int want, int *got)
{
	struct blk_user_trace_setup buts = {
		.act_mask = 0xffff, .buf_size = 4096, .buf_nr = 1,
	};
	static const unsigned long cmds[] = {
		BLKTRACESETUP, BLKTRACESTART, BLKTRACESTOP, BLKTRACETEARDOWN,
	};
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		r = ioctl(fd, cmds[i], i ? NULL : (void *)&buts) ? errno : 0;
		if (r != want) {
			if (!r && !i)	/* do not leave a trace set up */
				ioctl(fd, BLKTRACETEARDOWN, NULL);
			*got = r;
			return i + 1;
		}
	}
	if (want == EPERM) {
		struct test_trace_setup2 b2 = {
			.act_mask = 0xffff, .buf_size = 4096, .buf_nr = 1,
		};

		r = ioctl(fd, TEST_BLKTRACESETUP2, &b2) ? errno : 0;
		if (r != EPERM && r != ENOTTY) {
			if (!r)
				ioctl(fd, BLKTRACETEARDOWN, NULL);
			*got = r;
			return i + 1;
		}
	}
	return 0;
}

/* ---- netlink: LOOP_GET and the loop attributes of a container ---- */

struct loop_ent {
	uint32_t id, index, flags, bs;
	uint64_t offset, size, rbytes, wbytes;
	char name[CTNR_NAME_MAX];
	char path[PATH_MAX];
};

struct loop_list {
	struct loop_ent e[64];
	int n;
};

static int u32_attr(struct nlattr *a, uint32_t *v)
{
	if (!a || nla_len(a) != 4)
		return -EPROTO;
	*v = nla_get_u32(a);
	return 0;
}

static int u64_attr(struct nlattr *a, uint64_t *v)
{
	if (!a || nla_len(a) != 8)
		return -EPROTO;
	*v = nla_get_u64(a);
	return 0;
}

static int loop_dump_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct loop_list *l = arg;
	struct loop_ent *e;

	if (cmd != CTNR_CMD_LOOP_GET || l->n >= 64)
		return -EPROTO;
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	if (u32_attr(tb[CTNR_A_ID], &e->id) ||
	    u32_attr(tb[CTNR_A_LOOP_INDEX], &e->index) ||
	    u32_attr(tb[CTNR_A_LOOP_FLAGS], &e->flags) ||
	    u32_attr(tb[CTNR_A_LOOP_BLOCK_SIZE], &e->bs) ||
	    u64_attr(tb[CTNR_A_LOOP_OFFSET], &e->offset) ||
	    u64_attr(tb[CTNR_A_LOOP_SIZE], &e->size) ||
	    u64_attr(tb[CTNR_A_LOOP_RBYTES], &e->rbytes) ||
	    u64_attr(tb[CTNR_A_LOOP_WBYTES], &e->wbytes) ||
	    !tb[CTNR_A_NAME] || !tb[CTNR_A_LOOP_PATH] ||
	    ctnr__str(tb[CTNR_A_NAME], e->name, sizeof(e->name)) ||
	    ctnr__str(tb[CTNR_A_LOOP_PATH], e->path, sizeof(e->path)))
		return -EPROTO;
	return 0;
}

/* Dump the devices of container @id (0: all visible; @name if set). */
static int loop_dump(struct ctnr_nl *nl, uint32_t id, const char *name,
		     struct loop_list *l)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_LOOP_GET, NLM_F_DUMP);

	l->n = 0;
	if (!msg)
		return -ENOMEM;
	if ((id && nla_put_u32(msg, CTNR_A_ID, id)) ||
	    (name && nla_put_string(msg, CTNR_A_NAME, name))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, loop_dump_cb, l);
}

static struct loop_ent *loop_find(struct loop_list *l, uint32_t index)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->e[i].index == index)
			return &l->e[i];
	return NULL;
}

struct loop_quota {
	uint32_t quota, count;
	int have;
};

static int quota_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct loop_quota *q = arg;

	(void)cmd;
	if (u32_attr(tb[CTNR_A_LOOP_QUOTA], &q->quota) ||
	    u32_attr(tb[CTNR_A_LOOP_COUNT], &q->count))
		return -EPROTO;
	q->have = 1;
	return 0;
}

static int loop_quota_get(struct ctnr_nl *nl, uint32_t id,
			  struct loop_quota *q)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_GET, 0);

	memset(q, 0, sizeof(*q));
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, quota_cb, q);
}

static int loop_quota_set(struct ctnr_nl *nl, uint32_t id, uint32_t quota)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) ||
	    nla_put_u32(msg, CTNR_A_LOOP_QUOTA, quota)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

/* ---- loop events ---- */

struct loop_ev {
	uint32_t event, id, index;
	int found;
};

static int loop_ev_noseq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int loop_ev_cb(struct nl_msg *msg, void *arg)
{
	struct loop_ev *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[CTNR_A_MAX + 1];
	uint32_t ev, id, index;

	if (w->found || genlmsg_parse(nlh, 0, tb, CTNR_A_MAX, NULL) < 0)
		return NL_OK;
	if (u32_attr(tb[CTNR_A_EVENT], &ev) || u32_attr(tb[CTNR_A_ID], &id) ||
	    ev != w->event || id != w->id)
		return NL_OK;
	if (u32_attr(tb[CTNR_A_LOOP_INDEX], &index))
		return NL_OK;
	w->index = index;
	w->found = 1;
	return NL_OK;
}

/* Wait for loop event @event of container @id; its device index or -errno. */
static long loop_event_wait(struct ctnr_nl *nl, uint32_t event, uint32_t id,
			    int timeout_ms)
{
	struct loop_ev w = { .event = event, .id = id };
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk),
			      .events = POLLIN };
	int64_t end = now_ms() + timeout_ms;
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, loop_ev_cb, &w);
	/* multicast messages carry no sequence number of ours */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, loop_ev_noseq, NULL);
	while (!w.found && now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms())) > 0)
			nl_recvmsgs(nl->sk, cb);
	}
	nl_cb_put(cb);
	return w.found ? (long)w.index : -ETIMEDOUT;
}

static long long loop_counter(const char *name)
{
	return ctnr_counter(name);
}

/* Wait until the loop counters are back to @dev and @files. */
static int loop_counters_wait(long long dev, long long files, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;

	while (loop_counter("loop_devices") != dev ||
	       loop_counter("loop_file_refs") != files) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the fixture: a tmpfs, container A (and B) on their own cgroups      */

FIXTURE(loop) {
	struct ctnr_nl nl;
	int dev;
	char dir[64];		/* tmpfs */
	char cga[PATH_MAX], cgb[PATH_MAX];
	char name_a[CTNR_NAME_MAX], name_b[CTNR_NAME_MAX];
	pid_t pid_a, pid_b;
	uint32_t id_a, id_b;
	long long base_dev, base_files;
};

FIXTURE_SETUP(loop)
{
	struct ctnr_ctr c;
	char rel[64];
	int r;

	self->dev = -EBADF;
	self->pid_a = self->pid_b = -1;
	self->id_a = self->id_b = 0;
	self->dir[0] = self->cga[0] = self->cgb[0] = '\0';
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("genl family: %s (module loaded?)", strerror(-r));
	}
	self->dev = ctnr_dev_open();
	ASSERT_GE(self->dev, 0) {
		TH_LOG("%m - open %s", CTNR_DEV_PATH);
	}
	self->base_dev = loop_counter("loop_devices");
	self->base_files = loop_counter("loop_file_refs");
	ASSERT_GE(self->base_dev, 0) {
		TH_LOG("no loop_devices counter in %s", CTNR_COUNTERS_PATH);
	}

	snprintf(self->dir, sizeof(self->dir), "/tmp/ctnrloop.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, mount("tmpfs", self->dir, "tmpfs", 0, "mode=0755,size=256m")) {
		TH_LOG("%m - mount tmpfs on %s", self->dir);
	}

	snprintf(rel, sizeof(rel), "ctnrloop-%d-a", getpid());
	ASSERT_EQ(0, cg_create(rel, self->cga, sizeof(self->cga)));
	snprintf(rel, sizeof(rel), "ctnrloop-%d-b", getpid());
	ASSERT_EQ(0, cg_create(rel, self->cgb, sizeof(self->cgb)));
	self->pid_a = spawn_sleeper(self->cga);
	ASSERT_GT(self->pid_a, 0);
	self->pid_b = spawn_sleeper(self->cgb);
	ASSERT_GT(self->pid_b, 0);

	snprintf(self->name_a, sizeof(self->name_a), "loopa-%d", getpid());
	snprintf(self->name_b, sizeof(self->name_b), "loopb-%d", getpid());
	r = ctnr_new(&self->nl, self->name_a, self->pid_a, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("register %s: %s: %s", self->name_a, strerror(-r),
		       self->nl.ext_msg);
	}
	self->id_a = c.id;
	r = ctnr_new(&self->nl, self->name_b, self->pid_b, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("register %s: %s: %s", self->name_b, strerror(-r),
		       self->nl.ext_msg);
	}
	self->id_b = c.id;
}

FIXTURE_TEARDOWN(loop)
{
	if (self->id_a)
		ctnr_del_id(&self->nl, self->id_a);
	if (self->id_b)
		ctnr_del_id(&self->nl, self->id_b);
	kill_reap(&self->pid_a);
	kill_reap(&self->pid_b);
	/* Devices of deleted containers go; then their files are freed. */
	if (loop_counters_wait(self->base_dev, self->base_files, 10000)) {
		struct loop_list l;
		char disks[256];
		int i;

		TH_LOG("loop counters not back: devices %lld (was %lld), files %lld (was %lld)",
		       loop_counter("loop_devices"), self->base_dev,
		       loop_counter("loop_file_refs"), self->base_files);
		if (!loop_dump(&self->nl, 0, NULL, &l))
			for (i = 0; i < l.n; i++)
				TH_LOG("left: ctnrloop%u of %s (flags %#x)",
				       l.e[i].index, l.e[i].name,
				       l.e[i].flags);
		for (i = 0; i < 16; i++)
			if (loop_exists(i)) {
				snprintf(disks, sizeof(disks),
					 "/sys/block/ctnrloop%d", i);
				TH_LOG("left: %s", disks);
			}
	}
	if (self->dir[0]) {
		umount2(self->dir, MNT_DETACH);
		rmdir(self->dir);
	}
	if (self->cga[0])
		cg_remove(self->cga);
	if (self->cgb[0])
		cg_remove(self->cgb);
	close_fd(&self->dev);
	ctnr_nl_close(&self->nl);
}

static int fixture_file(FIXTURE_DATA(loop) *self, const char *base,
			off_t size, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", self->dir, base);
	return make_file(path, size, 0600);
}

/* ------------------------------------------------------------------ */
/* data                                                               */

/* buffered writes through the device land in the file, and back */
TEST_F(loop, buffered_integrity)
{
	const size_t len = 256 * 1024;
	char path[PATH_MAX];
	struct loop_att la;
	void *buf = abuf(len);
	int bfd, lfd, r;
	long bad;

	ASSERT_NE(NULL, buf);
	bfd = fixture_file(self, "b.img", 16 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	r = loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0, &la);
	ASSERT_EQ(0, r) {
		TH_LOG("attach: %s", strerror(-r));
	}
	ASSERT_EQ(-1, la.fd);	/* no fd without CTNR_LOOP_F_OPEN */
	lfd = loop_open(la.index, O_RDWR);
	ASSERT_GE(lfd, 0) {
		TH_LOG("open ctnrloop%u: %s", la.index, strerror(-lfd));
	}
	EXPECT_EQ((uint64_t)16 * MiB, dev_size(lfd));

	/* device -> file */
	pat_fill(buf, len, 1, 3 * MiB);
	ASSERT_EQ((ssize_t)len, pwrite(lfd, buf, len, 3 * MiB));
	ASSERT_EQ(0, fsync(lfd));
	memset(buf, 0, len);
	ASSERT_EQ((ssize_t)len, pread(bfd, buf, len, 3 * MiB));
	bad = pat_check(buf, len, 1, 3 * MiB);
	ASSERT_EQ(-1, bad) {
		TH_LOG("backing file differs at %ld", bad);
	}

	/* file -> device, past the device's page cache */
	pat_fill(buf, len, 2, 9 * MiB);
	ASSERT_EQ((ssize_t)len, pwrite(bfd, buf, len, 9 * MiB));
	close(lfd);
	lfd = loop_open(la.index, O_RDONLY | O_DIRECT);
	ASSERT_GE(lfd, 0);
	memset(buf, 0, len);
	ASSERT_EQ((ssize_t)len, pread(lfd, buf, len, 9 * MiB));
	bad = pat_check(buf, len, 2, 9 * MiB);
	ASSERT_EQ(-1, bad) {
		TH_LOG("device differs at %ld", bad);
	}
	/* and what was written first is still there */
	ASSERT_EQ((ssize_t)len, pread(lfd, buf, len, 3 * MiB));
	EXPECT_EQ(-1, pat_check(buf, len, 1, 3 * MiB));
	close(lfd);
	EXPECT_EQ(0, loop_detach(self->dev, la.index, 0));
	EXPECT_EQ(0, loop_wait_gone(la.index, 5000));
	close(bfd);
	free(buf);
}

/* O_DIRECT on the device: unaligned I/O refused, aligned I/O exact */
TEST_F(loop, odirect_integrity)
{
	const size_t len = 1 * MiB;
	char path[PATH_MAX];
	struct loop_att la;
	void *buf = abuf(len);
	int bfd, lfd, r, i;

	ASSERT_NE(NULL, buf);
	bfd = fixture_file(self, "d.img", 8 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	r = loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0, &la);
	ASSERT_EQ(0, r);
	lfd = loop_open(la.index, O_RDWR | O_DIRECT);
	ASSERT_GE(lfd, 0);
	/* many sizes and offsets, 512-aligned */
	for (i = 0; i < 16; i++) {
		size_t n = 512 * (1 + (i * 37) % 2048);
		off_t off = 512 * ((i * 7919) % 12000);

		if (n > len)
			n = len;
		pat_fill(buf, n, 10 + i, off);
		ASSERT_EQ((ssize_t)n, pwrite(lfd, buf, n, off)) {
			TH_LOG("%m - pwrite %zu at %lld", n, (long long)off);
		}
		memset(buf, 0, n);
		ASSERT_EQ((ssize_t)n, pread(lfd, buf, n, off));
		ASSERT_EQ(-1, pat_check(buf, n, 10 + i, off));
		ASSERT_EQ((ssize_t)n, pread(bfd, buf, n, off));
		ASSERT_EQ(-1, pat_check(buf, n, 10 + i, off)) {
			TH_LOG("backing file: write %d not there", i);
		}
	}
	/* unaligned direct I/O is refused by the block layer */
	EXPECT_EQ(-1, pread(lfd, buf, 100, 0));
	/* past the end */
	EXPECT_EQ(0, pread(lfd, buf, 4096, 8 * MiB));
	close(lfd);
	close(bfd);
	free(buf);
}

/* offset and sizelimit select a window of the file */
TEST_F(loop, offset_and_sizelimit)
{
	const off_t off = 64 * 1024, lim = 256 * 1024 + 1000;
	char path[PATH_MAX], blk[4096];
	struct loop_att la;
	struct loop_list l;
	struct loop_ent *e;
	uint64_t i, size;
	int bfd, lfd, r;

	bfd = fixture_file(self, "o.img", 1 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	for (i = 0; i < MiB / 4096; i++) {
		pat_fill(blk, sizeof(blk), 7, i * 4096);
		ASSERT_EQ(4096, pwrite(bfd, blk, 4096, i * 4096));
	}
	r = loop_attach(self->dev, self->id_a, NULL, bfd, 0, off, lim, 0, &la);
	ASSERT_EQ(0, r);
	lfd = loop_open(la.index, O_RDWR | O_DIRECT);
	ASSERT_GE(lfd, 0);
	size = dev_size(lfd);
	/* rounded down to the 512-byte block size */
	EXPECT_EQ((uint64_t)(lim / 512 * 512), size);
	ASSERT_EQ(0, loop_dump(&self->nl, self->id_a, NULL, &l));
	e = loop_find(&l, la.index);
	ASSERT_NE(NULL, e);
	EXPECT_EQ((uint64_t)off, e->offset);
	EXPECT_EQ(size, e->size);

	void *buf = abuf(4096);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(4096, pread(lfd, buf, 4096, 0));
	EXPECT_EQ(-1, pat_check(buf, 4096, 7, off));
	/* the last block of the device is the file's at off + size - 4096 */
	ASSERT_EQ(4096, pread(lfd, buf, 4096, 256 * 1024 - 4096));
	EXPECT_EQ(-1, pat_check(buf, 4096, 7, off + 256 * 1024 - 4096));
	/* writes stay inside the window */
	pat_fill(buf, 4096, 8, 0);
	ASSERT_EQ(4096, pwrite(lfd, buf, 4096, 0));
	ASSERT_EQ(4096, pread(bfd, blk, 4096, off));
	EXPECT_EQ(-1, pat_check(blk, 4096, 8, 0));
	ASSERT_EQ(4096, pread(bfd, blk, 4096, off - 4096));
	EXPECT_EQ(-1, pat_check(blk, 4096, 7, off - 4096));
	/* nothing beyond the size limit */
	EXPECT_EQ(0, pread(lfd, buf, 4096, size + 4096 - size % 4096));
	close(lfd);

	/* offsets: beyond the end, not aligned */
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0,
				       MiB, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0,
				       100, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0,
				       512, 0, 4096, NULL));
	/* a window smaller than one block */
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0,
				       0, 100, 0, NULL));
	free(buf);
	close(bfd);
}

/* logical block size 4096 */
TEST_F(loop, block_size_4096)
{
	char path[PATH_MAX];
	struct loop_att la;
	void *buf = abuf(8192);
	int bfd, lfd, ssz = 0;

	ASSERT_NE(NULL, buf);
	bfd = fixture_file(self, "4k.img", 4 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0,
				 4096, &la));
	lfd = loop_open(la.index, O_RDWR | O_DIRECT);
	ASSERT_GE(lfd, 0);
	ASSERT_EQ(0, ioctl(lfd, BLKSSZGET, &ssz));
	EXPECT_EQ(4096, ssz);
	/* 512-byte direct I/O no longer fits the device */
	EXPECT_EQ(-1, pread(lfd, buf, 512, 0));
	EXPECT_EQ(EINVAL, errno);
	pat_fill(buf, 8192, 3, 4096);
	EXPECT_EQ(8192, pwrite(lfd, buf, 8192, 4096));
	memset(buf, 0, 8192);
	EXPECT_EQ(8192, pread(bfd, buf, 8192, 4096));
	EXPECT_EQ(-1, pat_check(buf, 8192, 3, 4096));
	close(lfd);
	close(bfd);
	free(buf);
}

/* a read-only device refuses writes; reading works */
TEST_F(loop, read_only)
{
	char path[PATH_MAX], buf[4096];
	struct loop_att la;
	int bfd, rofd, lfd, ro = 0;

	bfd = fixture_file(self, "ro.img", 1 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	pat_fill(buf, sizeof(buf), 4, 0);
	ASSERT_EQ(4096, pwrite(bfd, buf, 4096, 0));
	rofd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(rofd, 0);
	/* read-write needs a backing fd open for writing */
	EXPECT_EQ(-EBADF, loop_attach(self->dev, self->id_a, NULL, rofd, 0, 0,
				      0, 0, NULL));
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, rofd,
				 CTNR_LOOP_F_READ_ONLY, 0, 0, 0, &la));
	lfd = loop_open(la.index, O_RDONLY);
	ASSERT_GE(lfd, 0);
	ASSERT_EQ(0, ioctl(lfd, BLKROGET, &ro));
	EXPECT_EQ(1, ro);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(4096, pread(lfd, buf, 4096, 0));
	EXPECT_EQ(-1, pat_check(buf, 4096, 4, 0));
	close(lfd);
	lfd = loop_open(la.index, O_RDWR);
	if (lfd >= 0) {
		EXPECT_EQ(-1, pwrite(lfd, buf, 4096, 0));
		EXPECT_TRUE(errno == EPERM || errno == EROFS) {
			TH_LOG("write to a read-only device: %m");
		}
		close(lfd);
	} else {
		EXPECT_TRUE(lfd == -EROFS || lfd == -EACCES || lfd == -EPERM);
	}
	/* the file did not change */
	ASSERT_EQ(4096, pread(bfd, buf, 4096, 0));
	EXPECT_EQ(-1, pat_check(buf, 4096, 4, 0));
	close(rofd);
	close(bfd);
}

/* discard and write-zeroes punch holes into the backing file */
TEST_F(loop, discard_punches_holes)
{
	const size_t len = 4 * MiB;
	char path[PATH_MAX];
	struct loop_att la;
	struct stat st0, st1;
	uint64_t range[2];
	void *buf = abuf(len);
	int bfd, lfd;
	off_t hole;

	ASSERT_NE(NULL, buf);
	bfd = fixture_file(self, "dis.img", len, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	pat_fill(buf, len, 5, 0);
	ASSERT_EQ((ssize_t)len, pwrite(bfd, buf, len, 0));
	ASSERT_EQ(0, fstat(bfd, &st0));
	EXPECT_GE((long long)st0.st_blocks * 512, (long long)len);
	ASSERT_EQ(-1, lseek(bfd, 0, SEEK_HOLE) < (off_t)len ? 0 : -1);

	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	lfd = loop_open(la.index, O_RDWR);
	ASSERT_GE(lfd, 0);
	range[0] = 1 * MiB;
	range[1] = 1 * MiB;
	ASSERT_EQ(0, ioctl(lfd, BLKDISCARD, range)) {
		TH_LOG("%m - BLKDISCARD");
	}
	ASSERT_EQ(0, fstat(bfd, &st1));
	EXPECT_LE((long long)st1.st_blocks * 512,
		  (long long)st0.st_blocks * 512 - MiB) {
		TH_LOG("st_blocks %lld -> %lld", (long long)st0.st_blocks,
		       (long long)st1.st_blocks);
	}
	hole = lseek(bfd, 0, SEEK_HOLE);
	EXPECT_EQ((off_t)MiB, hole);
	EXPECT_EQ((off_t)2 * MiB, lseek(bfd, MiB, SEEK_DATA));
	/* the file keeps its size */
	EXPECT_EQ((off_t)len, st1.st_size);
	/* write-zeroes (unmapping allowed) too */
	range[0] = 3 * MiB;
	range[1] = 512 * 1024;
	ASSERT_EQ(0, ioctl(lfd, BLKZEROOUT, range)) {
		TH_LOG("%m - BLKZEROOUT");
	}
	/* zeroes that must stay allocated (tmpfs has no zero-range) */
	ASSERT_EQ(0, fstat(bfd, &st0));
	EXPECT_GE((long long)st0.st_blocks, (long long)st1.st_blocks) {
		TH_LOG("BLKZEROOUT freed blocks: %lld -> %lld",
		       (long long)st1.st_blocks, (long long)st0.st_blocks);
	}
	ASSERT_EQ((ssize_t)len, pread(bfd, buf, len, 0));
	EXPECT_TRUE(all_zero((char *)buf + MiB, MiB));
	EXPECT_TRUE(all_zero((char *)buf + 3 * MiB, 512 * 1024));
	EXPECT_EQ(-1, pat_check(buf, MiB, 5, 0));
	EXPECT_EQ(-1, pat_check((char *)buf + 2 * MiB, MiB, 5, 2 * MiB));
	close(lfd);
	close(bfd);
	free(buf);
}

/* a real file system: mkfs.ext4, mount, files, umount, e2fsck clean */
TEST_F_TIMEOUT(loop, ext4_on_device, 300)
{
	char path[PATH_MAX], lpath[64], mnt[PATH_MAX], f[PATH_MAX + 32];
	char err[2048];
	struct loop_att la;
	int bfd, fd, i, r;
	void *buf = abuf(MiB);

	ASSERT_NE(NULL, buf);
	if (find_in_path("mkfs.ext4", path, sizeof(path)) ||
	    find_in_path("e2fsck", path, sizeof(path)))
		SKIP(return, "mkfs.ext4 or e2fsck not found");
	bfd = fixture_file(self, "fs.img", 64 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd,
				 CTNR_LOOP_F_OPEN, 0, 0, 0, &la));
	loop_path(la.index, lpath, sizeof(lpath));
	fd = loop_open(la.index, O_RDONLY);	/* waits for the node */
	ASSERT_GE(fd, 0);
	close(fd);
	r = run_prog("mkfs.ext4", (char *[]){ "-q", "-F", lpath, NULL }, err,
		     sizeof(err), 120000);
	ASSERT_EQ(0, r) {
		TH_LOG("mkfs.ext4 %s: %d: %s", lpath, r, err);
	}
	snprintf(mnt, sizeof(mnt), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, mount(lpath, mnt, "ext4", 0, NULL)) {
		TH_LOG("%m - mount %s", lpath);
	}
	/* mounted: only a lazy detach */
	EXPECT_EQ(-EBUSY, loop_detach(self->dev, la.index, 0));
	for (i = 0; i < 8; i++) {
		snprintf(f, sizeof(f), "%s/file%d", mnt, i);
		fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		ASSERT_GE(fd, 0);
		pat_fill(buf, MiB, 20 + i, 0);
		ASSERT_EQ(MiB, write(fd, buf, MiB));
		ASSERT_EQ(0, fsync(fd));
		close(fd);
	}
	for (i = 0; i < 8; i += 2) {
		snprintf(f, sizeof(f), "%s/file%d", mnt, i);
		ASSERT_EQ(0, unlink(f));
	}
	sync();
	ASSERT_EQ(0, umount(mnt));
	/* again, from a fresh mount through the fd: what stayed is intact */
	snprintf(f, sizeof(f), "/proc/self/fd/%d", la.fd);
	ASSERT_EQ(0, mount(f, mnt, "ext4", MS_RDONLY, NULL)) {
		TH_LOG("%m - mount %s", f);
	}
	for (i = 1; i < 8; i += 2) {
		snprintf(f, sizeof(f), "%s/file%d", mnt, i);
		fd = open(f, O_RDONLY | O_CLOEXEC);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(MiB, read(fd, buf, MiB));
		EXPECT_EQ(-1, pat_check(buf, MiB, 20 + i, 0));
		close(fd);
	}
	ASSERT_EQ(0, umount(mnt));
	r = run_prog("e2fsck", (char *[]){ "-f", "-n", lpath, NULL }, err,
		     sizeof(err), 120000);
	EXPECT_EQ(0, r) {
		TH_LOG("e2fsck -fn %s: %d: %s", lpath, r, err);
	}
	close(la.fd);
	close(bfd);
	free(buf);
}

/* CTNR_LOOP_F_DIRECT_IO: a file on ext4 (itself on a ctnrloop) */
TEST_F_TIMEOUT(loop, direct_io_backing, 300)
{
	char path[PATH_MAX], lpath[64], mnt[PATH_MAX], f[PATH_MAX + 32];
	char err[2048];
	struct loop_att la, ld;
	struct loop_list l;
	struct loop_ent *e;
	const size_t len = 2 * MiB;
	void *buf = abuf(len);
	int bfd, tfd, fd, lfd, i, r;

	ASSERT_NE(NULL, buf);
	/* tmpfs of 6.1 has no O_DIRECT: the flag is refused there */
	bfd = fixture_file(self, "t.img", 4 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	tfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	r = loop_attach(self->dev, self->id_a, NULL, bfd,
			CTNR_LOOP_F_DIRECT_IO, 0, 0, 0, &ld);
	if (tfd < 0) {
		EXPECT_EQ(-EOPNOTSUPP, r);
	} else {
		EXPECT_EQ(0, r);
		close(tfd);
	}
	close(bfd);

	if (find_in_path("mkfs.ext4", path, sizeof(path)))
		SKIP(return, "mkfs.ext4 not found");
	bfd = fixture_file(self, "ext.img", 96 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	loop_path(la.index, lpath, sizeof(lpath));
	fd = loop_open(la.index, O_RDONLY);
	ASSERT_GE(fd, 0);
	close(fd);
	r = run_prog("mkfs.ext4", (char *[]){ "-q", "-F", lpath, NULL }, err,
		     sizeof(err), 120000);
	ASSERT_EQ(0, r) {
		TH_LOG("mkfs.ext4: %d: %s", r, err);
	}
	snprintf(mnt, sizeof(mnt), "%s/ext", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, mount(lpath, mnt, "ext4", 0, NULL));
	snprintf(f, sizeof(f), "%s/direct.img", mnt);
	fd = make_file(f, 16 * MiB, 0600);
	ASSERT_GE(fd, 0);
	r = loop_attach(self->dev, self->id_a, NULL, fd, CTNR_LOOP_F_DIRECT_IO,
			0, 0, 0, &ld);
	ASSERT_EQ(0, r) {
		TH_LOG("direct-I/O attach on ext4: %s", strerror(-r));
	}
	ASSERT_EQ(0, loop_dump(&self->nl, self->id_a, NULL, &l));
	e = loop_find(&l, ld.index);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(!!(e->flags & CTNR_LOOP_F_DIRECT_IO));
	for (i = 0; i < 2; i++) {
		lfd = loop_open(ld.index, O_RDWR | (i ? O_DIRECT : 0));
		ASSERT_GE(lfd, 0);
		pat_fill(buf, len, 30 + i, i * len);
		ASSERT_EQ((ssize_t)len, pwrite(lfd, buf, len, i * len));
		ASSERT_EQ(0, fsync(lfd));
		close(lfd);
		lfd = loop_open(ld.index, O_RDONLY | O_DIRECT);
		ASSERT_GE(lfd, 0);
		memset(buf, 0, len);
		ASSERT_EQ((ssize_t)len, pread(lfd, buf, len, i * len));
		EXPECT_EQ(-1, pat_check(buf, len, 30 + i, i * len));
		close(lfd);
		memset(buf, 0, len);
		ASSERT_EQ((ssize_t)len, pread(fd, buf, len, i * len));
		EXPECT_EQ(-1, pat_check(buf, len, 30 + i, i * len)) {
			TH_LOG("backing file on ext4 lacks write %d", i);
		}
	}
	/* past the end of a truncated backing file reads zeroes */
	ASSERT_EQ(0, ftruncate(fd, 3 * MiB));
	lfd = loop_open(ld.index, O_RDONLY | O_DIRECT);
	ASSERT_GE(lfd, 0);
	memset(buf, 0xff, len);
	ASSERT_EQ((ssize_t)len, pread(lfd, buf, len, 2 * MiB + MiB / 2));
	EXPECT_TRUE(all_zero((char *)buf + MiB / 2, len - MiB / 2));
	close(lfd);
	EXPECT_EQ(0, loop_detach(self->dev, ld.index, 0));
	EXPECT_EQ(0, loop_wait_gone(ld.index, 5000));
	close(fd);
	EXPECT_EQ(0, umount(mnt));
	close(bfd);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* lifecycle                                                          */

/* detach: gone at once when idle, EBUSY when held exclusively, LAZY */
TEST_F(loop, detach_semantics)
{
	char path[PATH_MAX];
	struct loop_att la;
	struct loop_list l;
	struct loop_ent *e;
	int bfd, lfd, r;

	bfd = fixture_file(self, "det.img", MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);

	/*
	 * idle: gone when detach returns, unless udev is probing the new
	 * device right then (an opener like any other: the detach waits for
	 * its close)
	 */
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	ASSERT_TRUE(loop_exists(la.index));
	ASSERT_EQ(0, loop_detach(self->dev, la.index, 0));
	EXPECT_EQ(0, loop_wait_gone(la.index, 5000));
	/*
	 * the disk leaves sysfs (del_gendisk()) a moment before its index
	 * is free: until then a device that udev held is still detaching
	 */
	for (r = 0; r < 50; r++) {
		if (loop_detach(self->dev, la.index, 0) != -EALREADY)
			break;
		sleep_ms(100);
	}
	EXPECT_EQ(-ENOENT, loop_detach(self->dev, la.index, 0));

	/* open exclusively: EBUSY, LAZY goes at close */
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	lfd = loop_open(la.index, O_RDWR | O_EXCL);
	ASSERT_GE(lfd, 0);
	EXPECT_EQ(-EBUSY, loop_detach(self->dev, la.index, 0));
	EXPECT_EQ(0, loop_detach(self->dev, la.index, CTNR_LOOP_DETACH_F_LAZY));
	EXPECT_EQ(-EALREADY, loop_detach(self->dev, la.index, 0));
	EXPECT_TRUE(loop_exists(la.index));
	ASSERT_EQ(0, loop_dump(&self->nl, self->id_a, NULL, &l));
	e = loop_find(&l, la.index);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(!!(e->flags & CTNR_LOOP_F_DETACHING));
	/* no new opens; the open one still works */
	EXPECT_EQ(-ENXIO, loop_open(la.index, O_RDONLY));
	EXPECT_EQ((uint64_t)MiB, dev_size(lfd));
	close(lfd);
	EXPECT_EQ(0, loop_wait_gone(la.index, 5000));

	/* open, not exclusively: detached at last close, like losetup -d */
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	lfd = loop_open(la.index, O_RDWR);
	ASSERT_GE(lfd, 0);
	EXPECT_EQ(0, loop_detach(self->dev, la.index, 0));
	EXPECT_TRUE(loop_exists(la.index));
	close(lfd);
	EXPECT_EQ(0, loop_wait_gone(la.index, 5000));

	/* bad requests */
	struct ctnr_ioc_loop_detach d = { .size = sizeof(d) };

	d.size = sizeof(d) - 1;
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_DETACH, &d));
	EXPECT_EQ(EINVAL, errno);
	d.size = sizeof(d);
	d.flags = 2;
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_DETACH, &d));
	EXPECT_EQ(EINVAL, errno);
	d.flags = 0;
	d.pad = 1;
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_DETACH, &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, loop_detach(self->dev, 999999, 0));
	close(bfd);
}

/* deleting a container removes its devices; an open one at last close */
TEST_F(loop, container_delete_removes_devices)
{
	char path[PATH_MAX];
	struct loop_att la[3];
	struct loop_quota q;
	int bfd, lfd, i;

	bfd = fixture_file(self, "del.img", MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, loop_attach(self->dev, 0, self->name_a, bfd,
					 i == 2 ? CTNR_LOOP_F_OPEN : 0, 0, 0,
					 0, &la[i]));
	ASSERT_EQ(0, loop_quota_get(&self->nl, self->id_a, &q));
	EXPECT_EQ(3u, q.count);
	lfd = loop_open(la[1].index, O_RDWR);
	ASSERT_GE(lfd, 0);
	ASSERT_GE(la[2].fd, 0);

	ASSERT_EQ(0, ctnr_del_id(&self->nl, self->id_a));
	self->id_a = 0;
	EXPECT_EQ(0, loop_wait_gone(la[0].index, 5000));
	/* the open ones wait for their last close, refusing new opens */
	EXPECT_TRUE(loop_exists(la[1].index));
	EXPECT_TRUE(loop_exists(la[2].index));
	EXPECT_EQ(-ENXIO, loop_open(la[1].index, O_RDONLY));
	close(lfd);
	EXPECT_EQ(0, loop_wait_gone(la[1].index, 5000));
	EXPECT_TRUE(loop_exists(la[2].index));
	close(la[2].fd);
	EXPECT_EQ(0, loop_wait_gone(la[2].index, 5000));
	/* attaching to a deleted container */
	EXPECT_EQ(-ENOENT, loop_attach(self->dev, 0, self->name_a, bfd, 0, 0,
				       0, 0, NULL));
	close(bfd);
}

/*
 * An ext4 made on a new device of container A and mounted (by host root)
 * at @mnt: somewhere to put backing files on a real block-device file
 * system.  The device's open fd is returned in @la.
 */
static int ext4_mount_on_loop(FIXTURE_DATA(loop) *self, const char *img,
			      off_t size, const char *mkfs_opts,
			      const char *mopts, char *mnt, size_t len,
			      struct loop_att *la, char *err, size_t errlen)
{
	char path[PATH_MAX], lpath[64];
	int bfd, r;

	bfd = fixture_file(self, img, size, path, sizeof(path));
	if (bfd < 0)
		return bfd;
	r = loop_attach(self->dev, self->id_a, NULL, bfd, CTNR_LOOP_F_OPEN, 0,
			0, 0, la);
	close(bfd);
	if (r)
		return r;
	loop_path(la->index, lpath, sizeof(lpath));
	r = loop_open(la->index, O_RDONLY);	/* waits for the node */
	if (r < 0)
		return r;
	close(r);
	r = run_prog("mkfs.ext4", (char *[]){ "-q", "-F",
		     mkfs_opts ? "-O" : lpath, (char *)mkfs_opts, lpath, NULL },
		     err, errlen, 120000);
	if (r)
		return r > 0 ? -EIO : r;
	snprintf(mnt, len, "%s/%s.mnt", self->dir, img);
	if (mkdir(mnt, 0755) || mount(lpath, mnt, "ext4", 0, mopts))
		return -errno;
	return 0;
}

struct freeze_writer {
	int fd;
	volatile int stop;
	volatile long done;	/* writes completed */
	int err;
};

static void *freeze_write_loop(void *arg)
{
	struct freeze_writer *w = arg;
	void *buf = abuf(65536);
	off_t off = 0;

	if (!buf) {
		w->err = ENOMEM;
		return NULL;
	}
	while (!w->stop) {
		pat_fill(buf, 65536, 60, off);
		if (pwrite(w->fd, buf, 65536, off) != 65536) {
			w->err = errno;
			break;
		}
		off = (off + 65536) % (8 * MiB);
		w->done++;
	}
	free(buf);
	return NULL;
}

static void freeze_child(int errfd, void *arg)
{
	int fd = open(arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	CHILD_CHECK(errfd, fd >= 0, "%m - open %s", (char *)arg);
	CHILD_CHECK(errfd, !ioctl(fd, FIFREEZE, 0), "%m - FIFREEZE");
	_exit(0);
}

/*
 * fsfreeze of the file system under a backing file while the device
 * writes: the freeze completes (no nested freeze protection, a deadlock
 * since 6.8 moved it into vfs_iter_write()), holds the device's writes
 * back while frozen (freeze protection is taken at all), and after the
 * thaw the writes go on.  Buffered and direct-I/O devices.
 */
TEST_F_TIMEOUT(loop, fsfreeze_while_writing, 300)
{
	char mnt[PATH_MAX], f[PATH_MAX + 32], err[2048], msg[512];
	struct freeze_writer w[2] = {};
	struct loop_att lx, ld[2];
	pthread_t t[2];
	long before[2];
	int i, r, mfd, bfd;

	if (find_in_path("mkfs.ext4", f, sizeof(f)))
		SKIP(return, "mkfs.ext4 not found");
	r = ext4_mount_on_loop(self, "frz.img", 64 * MiB, NULL, NULL, mnt,
			       sizeof(mnt), &lx, err, sizeof(err));
	ASSERT_EQ(0, r) {
		TH_LOG("ext4 on a device: %s: %s", strerror(-r), err);
	}
	for (i = 0; i < 2; i++) {
		snprintf(f, sizeof(f), "%s/b%d.img", mnt, i);
		bfd = make_file(f, 8 * MiB, 0600);
		ASSERT_GE(bfd, 0);
		r = loop_attach(self->dev, self->id_a, NULL, bfd,
				CTNR_LOOP_F_OPEN |
				(i ? CTNR_LOOP_F_DIRECT_IO : 0), 0, 0, 0,
				&ld[i]);
		close(bfd);
		ASSERT_EQ(0, r) {
			TH_LOG("attach %d on ext4: %s", i, strerror(-r));
		}
		snprintf(f, sizeof(f), "/proc/self/fd/%d", ld[i].fd);
		w[i].fd = open(f, O_RDWR | O_DIRECT | O_CLOEXEC);
		ASSERT_GE(w[i].fd, 0);
		ASSERT_EQ(0, pthread_create(&t[i], NULL, freeze_write_loop,
					    &w[i]));
	}
	for (i = 0; i < 2; i++) {
		int64_t end = now_ms() + 10000;

		while (w[i].done < 8 && !w[i].err && now_ms() < end)
			sleep_ms(10);
		ASSERT_GE(w[i].done, 8) {
			TH_LOG("writer %d made no progress: %s", i,
			       strerror(w[i].err));
		}
	}
	r = run_child(freeze_child, mnt, msg, sizeof(msg), 30000);
	ASSERT_EQ(0, r) {
		TH_LOG("freeze under writes (deadlock?): %s", msg);
	}
	sleep_ms(300);	/* what was in flight completes or blocks */
	for (i = 0; i < 2; i++)
		before[i] = w[i].done;
	sleep_ms(1000);
	for (i = 0; i < 2; i++) {
		long n = w[i].done - before[i];

		EXPECT_LE(n, 1) {
			TH_LOG("device %d wrote %ld times into a frozen fs", i,
			       n);
		}
	}
	mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(0, ioctl(mfd, FITHAW, 0));
	close(mfd);
	for (i = 0; i < 2; i++) {
		int64_t end = now_ms() + 10000;

		while (w[i].done < before[i] + 8 && !w[i].err &&
		       now_ms() < end)
			sleep_ms(10);
		EXPECT_GE(w[i].done, before[i] + 8) {
			TH_LOG("writer %d stuck after the thaw", i);
		}
		w[i].stop = 1;
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, w[i].err);
		close(w[i].fd);
		close(ld[i].fd);
		EXPECT_EQ(0, loop_detach(self->dev, ld[i].index,
					 CTNR_LOOP_DETACH_F_LAZY));
		EXPECT_EQ(0, loop_wait_gone(ld[i].index, 10000));
	}
	EXPECT_EQ(0, umount_busy(mnt, 5000));
	close(lx.fd);
}

/*
 * A backing file opened O_DIRECT does direct I/O on any path: on a file
 * system with 4096-byte blocks a 512-byte device cannot do that, and is
 * refused (it would fail its I/O); a 4096-byte one gets direct I/O.
 */
TEST_F_TIMEOUT(loop, odirect_backing_fd_needs_aligned_blocks, 180)
{
	char path[PATH_MAX], lpath[64], mnt[PATH_MAX], f[PATH_MAX + 32];
	char err[2048];
	struct loop_att lx, ld;
	struct loop_list l;
	struct loop_ent *e;
	int bfd, fd, r;

	if (find_in_path("mkfs.ext4", path, sizeof(path)))
		SKIP(return, "mkfs.ext4 not found");
	bfd = fixture_file(self, "4k.img", 32 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0,
				 4096, &lx));
	close(bfd);
	r = loop_open(lx.index, O_RDONLY);
	ASSERT_GE(r, 0);
	close(r);
	loop_path(lx.index, lpath, sizeof(lpath));
	r = run_prog("mkfs.ext4", (char *[]){ "-q", "-F", "-b", "4096", lpath,
		     NULL }, err, sizeof(err), 120000);
	ASSERT_EQ(0, r) {
		TH_LOG("mkfs.ext4: %d: %s", r, err);
	}
	snprintf(mnt, sizeof(mnt), "%s/4k", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, mount(lpath, mnt, "ext4", 0, NULL));
	snprintf(f, sizeof(f), "%s/d.img", mnt);
	fd = make_file(f, 4 * MiB, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	fd = open(f, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, fd, 0, 0,
				       0, 512, NULL));
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, fd, 0, 0, 0,
				 4096, &ld));
	ASSERT_EQ(0, loop_dump(&self->nl, self->id_a, NULL, &l));
	e = loop_find(&l, ld.index);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(!!(e->flags & CTNR_LOOP_F_DIRECT_IO));
	close(fd);
	EXPECT_EQ(0, loop_detach(self->dev, ld.index, CTNR_LOOP_DETACH_F_LAZY));
	EXPECT_EQ(0, loop_wait_gone(ld.index, 10000));
	EXPECT_EQ(0, umount_busy(mnt, 5000));
}

struct path_args {
	char root[PATH_MAX];
	uint32_t id, in, out;	/* container, device under root, not */
};

static void path_child(int errfd, void *arg)
{
	struct path_args *a = arg;
	struct ctnr_nl nl;
	struct loop_list l;
	struct loop_ent *e;

	CHILD_CHECK(errfd, !chroot(a->root) && !chdir("/"), "%m - chroot");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	CHILD_CHECK(errfd, !loop_dump(&nl, a->id, NULL, &l), "dump");
	e = loop_find(&l, a->in);
	CHILD_CHECK(errfd, e && !strcmp(e->path, "/in.img"),
		    "file under the root: \"%s\"", e ? e->path : "?");
	e = loop_find(&l, a->out);
	CHILD_CHECK(errfd, e && !e->path[0], "file outside the root: \"%s\"",
		    e ? e->path : "?");
	_exit(0);
}

/* LOOP_GET names backing files from the dumper's root, or not at all */
TEST_F(loop, loop_get_path_from_callers_root)
{
	char path[PATH_MAX + 16], msg[512];
	struct path_args a = { .id = self->id_a };
	struct loop_att li, lo;
	int fd, r;

	snprintf(a.root, sizeof(a.root), "%s/root", self->dir);
	ASSERT_EQ(0, mkdir(a.root, 0755));
	snprintf(path, sizeof(path), "%s/in.img", a.root);
	fd = make_file(path, MiB, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, fd, 0, 0, 0, 0,
				 &li));
	close(fd);
	fd = fixture_file(self, "out.img", MiB, path, sizeof(path));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, fd, 0, 0, 0, 0,
				 &lo));
	close(fd);
	a.in = li.index;
	a.out = lo.index;
	r = run_child(path_child, &a, msg, sizeof(msg), 10000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
}

/* CTNR_LOOP_F_OPEN hands out an O_CLOEXEC fd that works like the node */
TEST_F(loop, open_flag_fd)
{
	char path[PATH_MAX], link[PATH_MAX], proc[64];
	struct loop_att la;
	struct stat st;
	void *buf = abuf(65536);
	int bfd, flags;
	ssize_t n;

	ASSERT_NE(NULL, buf);
	bfd = fixture_file(self, "fd.img", 4 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd,
				 CTNR_LOOP_F_OPEN, 0, 0, 0, &la));
	ASSERT_GE(la.fd, 0);
	flags = fcntl(la.fd, F_GETFD);
	EXPECT_TRUE(!!(flags & FD_CLOEXEC));
	EXPECT_EQ(O_RDWR, fcntl(la.fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, fstat(la.fd, &st));
	EXPECT_TRUE(S_ISBLK(st.st_mode));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", la.fd);
	n = readlink(proc, link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = '\0';
	EXPECT_NE(NULL, strstr(link, "ctnrloop")) {
		TH_LOG("fd links to %s", link);
	}
	pat_fill(buf, 65536, 40, 0);
	EXPECT_EQ(65536, pwrite(la.fd, buf, 65536, 4096));
	EXPECT_EQ(0, fsync(la.fd));
	memset(buf, 0, 65536);
	EXPECT_EQ(65536, pread(bfd, buf, 65536, 4096));
	EXPECT_EQ(-1, pat_check(buf, 65536, 40, 0));
	/* reopening through /proc/self/fd is an open like any other */
	int fd2 = open(proc, O_RDONLY | O_DIRECT | O_CLOEXEC);

	ASSERT_GE(fd2, 0) {
		TH_LOG("%m - open %s", proc);
	}
	memset(buf, 0, 65536);
	EXPECT_EQ(65536, pread(fd2, buf, 65536, 4096));
	EXPECT_EQ(-1, pat_check(buf, 65536, 40, 0));
	close(fd2);
	/* with CTNR_LOOP_F_NOCLOEXEC the fd survives execve() */
	struct loop_att ln;

	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd,
				 CTNR_LOOP_F_OPEN | CTNR_LOOP_F_NOCLOEXEC, 0, 0,
				 0, &ln));
	EXPECT_FALSE(!!(fcntl(ln.fd, F_GETFD) & FD_CLOEXEC));
	close(ln.fd);
	/* read-only devices give read-only fds */
	int rofd = open(path, O_RDONLY | O_CLOEXEC);
	struct loop_att lr;

	ASSERT_GE(rofd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, rofd,
				 CTNR_LOOP_F_OPEN | CTNR_LOOP_F_READ_ONLY, 0,
				 0, 0, &lr));
	EXPECT_EQ(O_RDONLY, fcntl(lr.fd, F_GETFL) & O_ACCMODE);
	close(lr.fd);
	close(rofd);
	close(la.fd);
	close(bfd);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* input                                                              */

/* everything malformed is refused with a clear errno, nothing leaks */
TEST_F(loop, bad_input)
{
	char path[PATH_MAX], lpath[64];
	struct ctnr_ioc_loop_attach a;
	struct loop_att la;
	long long d0, f0;
	int bfd, rofd, wofd, dfd, nfd, afd, efd, lfd;

	bfd = fixture_file(self, "bad.img", MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	d0 = loop_counter("loop_devices");
	f0 = loop_counter("loop_file_refs");

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a) + 8;
	a.id = self->id_a;
	a.backing_fd = bfd;
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.size = sizeof(a);
	a.pad = 1;
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.pad = 0;
	a.flags = 1U << 7;
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = CTNR_LOOP_F_DETACHING;	/* report-only */
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = CTNR_LOOP_F_NOCLOEXEC;	/* only with F_OPEN */
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.flags = 0;
	EXPECT_EQ(-1, ioctl(self->dev, CTNR_IOC_LOOP_ATTACH, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* block sizes */
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0,
				       0, 1024, NULL));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0,
				       0, 8192, NULL));
	/* containers: unknown id, unknown or bad name */
	EXPECT_EQ(-ENOENT, loop_attach(self->dev, 0x7fffffff, NULL, bfd, 0, 0,
				       0, 0, NULL));
	EXPECT_EQ(-ENOENT, loop_attach(self->dev, 0, "no-such-ctnr", bfd, 0,
				       0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, 0, "bad/name", bfd, 0, 0, 0,
				       0, NULL));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, 0, "", bfd, 0, 0, 0, 0,
				       NULL));
	/* fds: none, a directory, a char device, a block device, a pipe */
	EXPECT_EQ(-EBADF, loop_attach(self->dev, self->id_a, NULL, -1, 0, 0, 0,
				      0, NULL));
	EXPECT_EQ(-EBADF, loop_attach(self->dev, self->id_a, NULL, 9999, 0, 0,
				      0, 0, NULL));
	dfd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(dfd, 0);
	EXPECT_EQ(-EISDIR, loop_attach(self->dev, self->id_a, NULL, dfd,
				       CTNR_LOOP_F_READ_ONLY, 0, 0, 0, NULL));
	nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_GE(nfd, 0);
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, nfd, 0, 0,
				       0, 0, NULL));
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	loop_path(la.index, lpath, sizeof(lpath));
	lfd = loop_open(la.index, O_RDWR);
	ASSERT_GE(lfd, 0);
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, lfd, 0, 0,
				       0, 0, NULL));
	close(lfd);
	EXPECT_EQ(0, loop_detach(self->dev, la.index, 0));
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, p[1], 0, 0,
				       0, 0, NULL));
	close(p[0]);
	close(p[1]);
	/* access modes: read-only fd for a writable device, write-only */
	rofd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(rofd, 0);
	EXPECT_EQ(-EBADF, loop_attach(self->dev, self->id_a, NULL, rofd, 0, 0,
				      0, 0, NULL));
	wofd = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_GE(wofd, 0);
	EXPECT_EQ(-EBADF, loop_attach(self->dev, self->id_a, NULL, wofd, 0, 0,
				      0, 0, NULL));
	EXPECT_EQ(-EBADF, loop_attach(self->dev, self->id_a, NULL, wofd,
				      CTNR_LOOP_F_READ_ONLY, 0, 0, 0, NULL));
	afd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	ASSERT_GE(afd, 0);
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, afd, 0, 0,
				       0, 0, NULL));
	/* an empty file, an offset at or past the end */
	efd = fixture_file(self, "empty.img", 0, path, sizeof(path));
	ASSERT_GE(efd, 0);
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, efd, 0, 0,
				       0, 0, NULL));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0,
				       MiB, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, loop_attach(self->dev, self->id_a, NULL, bfd, 0,
				       ~0ULL & ~511ULL, 0, 0, NULL));

	EXPECT_EQ(0, loop_counters_wait(d0, f0, 5000)) {
		TH_LOG("devices %lld (was %lld), file refs %lld (was %lld)",
		       loop_counter("loop_devices"), d0,
		       loop_counter("loop_file_refs"), f0);
	}
	close(efd);
	close(afd);
	close(wofd);
	close(rofd);
	close(nfd);
	close(dfd);
	close(bfd);
}

/* ------------------------------------------------------------------ */
/* netlink                                                            */

/* LOOP_GET reports every attribute; quota and count in CONTAINER_GET */
TEST_F(loop, netlink_dump_and_quota)
{
	char path[PATH_MAX];
	struct loop_att la, lb;
	struct loop_list l;
	struct loop_quota q;
	struct loop_ent *e;
	void *buf = abuf(65536);
	int bfd, lfd, r;
	long long def;
	char pv[32];

	ASSERT_NE(NULL, buf);
	bfd = fixture_file(self, "nl.img", 2 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 4096,
				 MiB, 4096, &la));
	ASSERT_EQ(0, loop_attach(self->dev, self->id_b, NULL, bfd,
				 CTNR_LOOP_F_READ_ONLY, 0, 0, 0, &lb));
	lfd = loop_open(la.index, O_RDWR | O_DIRECT);
	ASSERT_GE(lfd, 0);
	ASSERT_EQ(65536, pwrite(lfd, buf, 65536, 0));
	ASSERT_EQ(65536, pread(lfd, buf, 65536, 0));
	ASSERT_EQ(65536, pread(lfd, buf, 65536, 65536));
	close(lfd);

	r = loop_dump(&self->nl, 0, self->name_a, &l);
	ASSERT_EQ(0, r) {
		TH_LOG("dump: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_EQ(1, l.n);
	e = &l.e[0];
	EXPECT_EQ(self->id_a, e->id);
	EXPECT_STREQ(self->name_a, e->name);
	EXPECT_EQ(la.index, e->index);
	EXPECT_STREQ(path, e->path);
	EXPECT_EQ(4096u, (unsigned int)e->offset);
	EXPECT_EQ((uint64_t)MiB, e->size);
	EXPECT_EQ(0u, e->flags);
	EXPECT_EQ(4096u, e->bs);
	EXPECT_EQ(131072u, (unsigned int)e->rbytes);
	EXPECT_EQ(65536u, (unsigned int)e->wbytes);

	ASSERT_EQ(0, loop_dump(&self->nl, 0, NULL, &l));
	e = loop_find(&l, lb.index);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(self->id_b, e->id);
	EXPECT_EQ((uint32_t)CTNR_LOOP_F_READ_ONLY, e->flags);
	EXPECT_NE(NULL, loop_find(&l, la.index));
	/* filters: unknown container, both id and name */
	EXPECT_EQ(-ENOENT, loop_dump(&self->nl, 0x7ffffff0, NULL, &l));
	EXPECT_NE(0, self->nl.ext_msg[0]);
	EXPECT_EQ(-EINVAL, loop_dump(&self->nl, self->id_a, self->name_a, &l));

	/* quota: the module parameter unless set */
	ASSERT_GT(read_str("/sys/module/ctnr/parameters/loop_quota_default",
			   pv, sizeof(pv)), 0);
	def = atoll(pv);
	ASSERT_EQ(0, loop_quota_get(&self->nl, self->id_a, &q));
	ASSERT_TRUE(q.have);
	EXPECT_EQ((uint32_t)def, q.quota);
	EXPECT_EQ(1u, q.count);
	ASSERT_EQ(0, loop_quota_set(&self->nl, self->id_a, 2));
	ASSERT_EQ(0, loop_quota_get(&self->nl, self->id_a, &q));
	EXPECT_EQ(2u, q.quota);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 NULL));
	EXPECT_EQ(-EDQUOT, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0,
				       0, 0, NULL));
	/* a quota below the count: no new devices, none taken away */
	ASSERT_EQ(0, loop_quota_set(&self->nl, self->id_a, 0));
	EXPECT_EQ(-EDQUOT, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0,
				       0, 0, NULL));
	ASSERT_EQ(0, loop_quota_get(&self->nl, self->id_a, &q));
	EXPECT_EQ(2u, q.count);
	EXPECT_EQ(0u, q.quota);
	/* quotas are per container */
	EXPECT_EQ(0, loop_attach(self->dev, self->id_b, NULL, bfd, 0, 0, 0, 0,
				 NULL));
	close(bfd);
	free(buf);
}

/* attach and detach are announced on the events group */
TEST_F(loop, events)
{
	struct ctnr_nl ev;
	char path[PATH_MAX];
	struct loop_att la;
	int bfd, r;
	long idx;

	r = ctnr_events_open(&ev);
	ASSERT_EQ(0, r);
	bfd = fixture_file(self, "ev.img", MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	idx = loop_event_wait(&ev, CTNR_EVENT_LOOP_ATTACHED, self->id_a, 5000);
	EXPECT_EQ((long)la.index, idx);
	ASSERT_EQ(0, loop_detach(self->dev, la.index, 0));
	idx = loop_event_wait(&ev, CTNR_EVENT_LOOP_DETACHED, self->id_a, 5000);
	EXPECT_EQ((long)la.index, idx);
	ctnr_nl_close(&ev);
	close(bfd);
}

/* ------------------------------------------------------------------ */
/* permissions                                                        */

/* only tasks of the owning container (and host root outside) may open */
static void open_in_cgroup(int errfd, void *arg)
{
	const char **a = arg;	/* cgroup, device path, expected errno */
	int fd, want = atoi(a[2]);

	CHILD_CHECK(errfd, !cg_enter(a[0], getpid()), "enter %s", a[0]);
	fd = open(a[1], O_RDONLY | O_CLOEXEC);
	if (!want)
		CHILD_CHECK(errfd, fd >= 0, "%m - open %s", a[1]);
	else
		CHILD_CHECK(errfd, fd < 0 && errno == want,
			    "open %s: %d (%m), wanted errno %d", a[1], fd, want);
	_exit(0);
}

TEST_F(loop, open_only_by_owner)
{
	char path[PATH_MAX], lpath[64], msg[512], want[16];
	const char *args[3];
	struct loop_att la;
	int bfd, fd, r;

	bfd = fixture_file(self, "own.img", MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	loop_path(la.index, lpath, sizeof(lpath));
	fd = loop_open(la.index, O_RDONLY);	/* host root: yes */
	ASSERT_GE(fd, 0);
	close(fd);
	args[1] = lpath;
	args[2] = want;
	/* container A: yes */
	args[0] = self->cga;
	snprintf(want, sizeof(want), "0");
	r = run_child(open_in_cgroup, args, msg, sizeof(msg), 10000);
	EXPECT_EQ(0, r) {
		TH_LOG("owner: %s", msg);
	}
	/* container B, even as root: EPERM */
	args[0] = self->cgb;
	snprintf(want, sizeof(want), "%d", EPERM);
	r = run_child(open_in_cgroup, args, msg, sizeof(msg), 10000);
	EXPECT_EQ(0, r) {
		TH_LOG("other container: %s", msg);
	}
	close(bfd);
}

/* in container A, as root of the initial user namespace without
 * CAP_SYS_ADMIN: the blktrace ioctls are refused */
static void blktrace_nocap_child(int errfd, void *arg)
{
	const char **a = arg;	/* cgroup, device path */
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	int fd, r, got;

	CHILD_CHECK(errfd, !cg_enter(a[0], getpid()), "enter %s", a[0]);
	fd = open(a[1], O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "%m - open %s", a[1]);
	CHILD_CHECK(errfd, !syscall(SYS_capget, &h, d), "%m - capget");
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	CHILD_CHECK(errfd, !syscall(SYS_capset, &h, d), "%m - capset");
	r = blktrace_try(fd, EPERM, &got);
	CHILD_CHECK(errfd, !r, "blktrace ioctl %d without CAP_SYS_ADMIN: %s",
		    r, strerror(got));
	_exit(0);
}

/* blktrace on a ctnrloop: host root yes, anybody else EPERM */
TEST_F(loop, blktrace_host_root_only)
{
	char path[PATH_MAX], lpath[64], msg[512];
	const char *args[2];
	struct loop_att la;
	int bfd, fd, r, got;

	bfd = fixture_file(self, "bt.img", MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	fd = loop_open(la.index, O_RDONLY);
	ASSERT_GE(fd, 0);
	if (access("/sys/kernel/debug/block", F_OK))
		SKIP(goto out, "no debugfs: blktrace cannot be set up anyway");
	r = blktrace_try(fd, 0, &got);
	EXPECT_EQ(0, r) {
		TH_LOG("host root: blktrace ioctl %d: %s", r, strerror(got));
	}
	loop_path(la.index, lpath, sizeof(lpath));
	args[0] = self->cga;
	args[1] = lpath;
	r = run_child(blktrace_nocap_child, args, msg, sizeof(msg), 10000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
out:
	close(fd);
	close(bfd);
}

struct unpriv_args {
	char file[PATH_MAX];	/* owned by UNPRIV_UID */
	char rofile[PATH_MAX];	/* owned by root, 0644 */
	char cg[PATH_MAX];
	char name[CTNR_NAME_MAX];
	int to_parent, from_parent;
};

static void tell(int fd, uint32_t v)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		_exit(3);
}

static uint32_t hear(int fd)
{
	uint32_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		_exit(3);
	return v;
}

/*
 * uid 1000, in its own user namespace and in cgroup cg: registers a child
 * as container "name", attaches its own file and uses the fd it gets.
 * Protocol with the parent: -> id, <- go (quota set to 2), -> index of the
 * device it keeps open, <- go (checks done), then it exits.
 */
static void unpriv_child(int errfd, void *arg)
{
	struct unpriv_args *u = arg;
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	struct loop_att la, lb;
	struct ctnr_ioc_whoami w = { .size = sizeof(w) };
	char buf[8192];
	pid_t kid;
	int dev, bfd, rofd, r, st;

	CHILD_CHECK(errfd, !cg_enter(u->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !become_user(UNPRIV_UID, UNPRIV_UID), "setuid");
	r = enter_userns_as_root(0);
	CHILD_CHECK(errfd, !r, "userns: %s", strerror(-r));
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	CHILD_CHECK(errfd, kid > 0, "fork");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	r = ctnr_new(&nl, u->name, kid, 0, &c);
	CHILD_CHECK(errfd, !r, "register: %s: %s", strerror(-r), nl.ext_msg);
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - open /dev/ctnr");
	CHILD_CHECK(errfd, !ctnr_whoami(dev, &w) && w.id == c.id,
		    "whoami: %u, registered %u", w.id, c.id);

	/* no write access to the file: read-write refused, read-only works */
	rofd = open(u->rofile, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(errfd, rofd < 0 && errno == EACCES, "root's file opened");
	rofd = open(u->rofile, O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, rofd >= 0, "%m - open %s", u->rofile);
	r = loop_attach(dev, 0, u->name, rofd, 0, 0, 0, 0, NULL);
	CHILD_CHECK(errfd, r == -EBADF, "rw attach of a read-only fd: %d", r);
	r = loop_attach(dev, 0, u->name, rofd,
			CTNR_LOOP_F_READ_ONLY | CTNR_LOOP_F_OPEN, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "ro attach: %s", strerror(-r));
	CHILD_CHECK(errfd, pread(la.fd, buf, 4096, 0) == 4096, "%m - ro read");
	CHILD_CHECK(errfd, pwrite(la.fd, buf, 4096, 0) < 0, "ro write worked");
	close(la.fd);
	r = loop_detach(dev, la.index, 0);
	CHILD_CHECK(errfd, !r, "detach: %s", strerror(-r));
	/*
	 * It counts against the quota until gone: the detach is lazy when
	 * udev happens to be probing the new device.
	 */
	{
		int64_t end = now_ms() + 5000;
		struct loop_quota q;

		while (!loop_quota_get(&nl, c.id, &q) && q.count &&
		       now_ms() < end)
			sleep_ms(10);
		CHILD_CHECK(errfd, !q.count, "ro device still counted");
	}
	close(rofd);

	/* its own file, with an fd handed out */
	bfd = open(u->file, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(errfd, bfd >= 0, "%m - open %s", u->file);
	r = loop_attach(dev, c.id, NULL, bfd, CTNR_LOOP_F_OPEN, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "attach: %s", strerror(-r));
	CHILD_CHECK(errfd, la.fd >= 0, "no fd");
	pat_fill(buf, sizeof(buf), 50, 8192);
	CHILD_CHECK(errfd, pwrite(la.fd, buf, sizeof(buf), 8192) == sizeof(buf),
		    "%m - write through the fd");
	CHILD_CHECK(errfd, !fsync(la.fd), "%m - fsync");
	memset(buf, 0, sizeof(buf));
	CHILD_CHECK(errfd, pread(bfd, buf, sizeof(buf), 8192) == sizeof(buf),
		    "%m - read the file");
	CHILD_CHECK(errfd, pat_check(buf, sizeof(buf), 50, 8192) == -1,
		    "the file lacks what went through the device");
	pat_fill(buf, sizeof(buf), 51, 65536);
	CHILD_CHECK(errfd, pwrite(bfd, buf, sizeof(buf), 65536) == sizeof(buf),
		    "%m - write the file");
	memset(buf, 0, sizeof(buf));
	CHILD_CHECK(errfd, pread(la.fd, buf, sizeof(buf), 65536) == sizeof(buf),
		    "%m - read through the fd");
	CHILD_CHECK(errfd, pat_check(buf, sizeof(buf), 51, 65536) == -1,
		    "the device does not show the file");

	/* blktrace (unbounded relay buffers) is for host root only */
	r = blktrace_try(la.fd, EPERM, &st);
	CHILD_CHECK(errfd, !r, "blktrace ioctl %d as userns root: %s", r,
		    strerror(st));

	/* it cannot raise its own quota */
	r = loop_quota_set(&nl, c.id, 100);
	CHILD_CHECK(errfd, r == -EPERM, "set own quota: %d", r);
	CHILD_CHECK(errfd, nl.ext_msg[0], "no message for the quota");

	tell(u->to_parent, c.id);
	hear(u->from_parent);		/* quota is now 2 */
	r = loop_attach(dev, c.id, NULL, bfd, 0, 0, 0, 0, &lb);
	CHILD_CHECK(errfd, !r, "second attach: %s", strerror(-r));
	r = loop_attach(dev, c.id, NULL, bfd, 0, 0, 0, 0, NULL);
	CHILD_CHECK(errfd, r == -EDQUOT, "over quota: %d", r);
	r = loop_detach(dev, lb.index, 0);
	CHILD_CHECK(errfd, !r, "detach: %s", strerror(-r));

	tell(u->to_parent, la.index);
	hear(u->from_parent);
	/* parent deleted the container: the open device is still usable */
	CHILD_CHECK(errfd, pread(la.fd, buf, 4096, 0) == 4096, "%m - read");
	close(la.fd);
	_exit(0);
}

/* a user's own container: attach, fd, quota, other containers refused */
TEST_F_TIMEOUT(loop, unprivileged_container, 120)
{
	struct unpriv_args u;
	char rel[64], lpath[64], msg[512], want[16];
	const char *args[3];
	int to[2], from[2], efd[2], st, r, fd;
	uint32_t id, index, other;
	pid_t pid;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	snprintf(u.file, sizeof(u.file), "%s/user.img", self->dir);
	fd = make_file(u.file, 4 * MiB, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchown(fd, UNPRIV_UID, UNPRIV_UID));
	close(fd);
	snprintf(u.rofile, sizeof(u.rofile), "%s/root.img", self->dir);
	fd = make_file(u.rofile, MiB, 0644);
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(rel, sizeof(rel), "ctnrloop-%d-u", getpid());
	ASSERT_EQ(0, cg_create(rel, u.cg, sizeof(u.cg)));
	/* the user registers it: delegated to it, as a runtime would */
	ASSERT_EQ(0, cg_delegate(u.cg, UNPRIV_UID, UNPRIV_UID));
	snprintf(u.name, sizeof(u.name), "loopu-%d", getpid());
	ASSERT_EQ(0, pipe2(to, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(from, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(efd, O_CLOEXEC));
	u.to_parent = to[1];
	u.from_parent = from[0];

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(efd[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		unpriv_child(efd[1], &u);
	}
	close(efd[1]);
	close(to[1]);
	close(from[0]);

	n = read(to[0], &id, sizeof(id));
	if (n != sizeof(id)) {
		waitpid(pid, &st, 0);
		msg[0] = 0;
		n = read(efd[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = 0;
		ASSERT_TRUE(false) {
			TH_LOG("child: %s", msg);
		}
	}
	/* host root sets the quota of the user's container */
	r = loop_quota_set(&self->nl, id, 2);
	EXPECT_EQ(0, r) {
		TH_LOG("quota: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	other = 1;
	ASSERT_EQ((ssize_t)sizeof(other), write(from[1], &other, sizeof(other)));
	n = read(to[0], &index, sizeof(index));
	ASSERT_EQ((ssize_t)sizeof(index), n) {
		waitpid(pid, &st, 0);
		n = read(efd[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = 0;
		TH_LOG("child: %s", msg);
	}
	loop_path(index, lpath, sizeof(lpath));
	/* host root outside containers may open it; container B may not */
	fd = loop_open(index, O_RDONLY);
	EXPECT_GE(fd, 0);
	if (fd >= 0)
		close(fd);
	args[0] = self->cgb;
	args[1] = lpath;
	args[2] = want;
	snprintf(want, sizeof(want), "%d", EPERM);
	r = run_child(open_in_cgroup, args, msg, sizeof(msg), 10000);
	EXPECT_EQ(0, r) {
		TH_LOG("container B: %s", msg);
	}
	/* host root deletes the container: the open device waits */
	EXPECT_EQ(0, ctnr_del_id(&self->nl, id));
	EXPECT_TRUE(loop_exists(index));
	ASSERT_EQ((ssize_t)sizeof(other), write(from[1], &other, sizeof(other)));
	r = wait_pid_timeout(pid, &st, 30000);
	ASSERT_EQ(0, r);
	msg[0] = 0;
	n = read(efd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = 0;
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		TH_LOG("child: status %#x: %s", st, msg);
	}
	EXPECT_EQ(0, loop_wait_gone(index, 10000));
	close(to[0]);
	close(from[1]);
	close(efd[0]);
	cg_remove(u.cg);
}

struct backing_args {
	char cg[PATH_MAX];
	char name[CTNR_NAME_MAX];
	char dir[PATH_MAX];	/* owned by UNPRIV_UID: its tmpfs goes here */
	char ext4file[PATH_MAX];	/* on an ext4 host root mounted */
	bool fuse2fs;
};

/*
 * uid 1000 with a user and mount namespace of its own, registering its
 * own container: a device over a file on tmpfs (even its own) or on a
 * block-device file system mounted by host root, yes; over FUSE or sysfs,
 * EOPNOTSUPP.
 */
static void backing_child(int errfd, void *arg)
{
	struct backing_args *b = arg;
	char img[PATH_MAX + 16], mnt[PATH_MAX + 16], f[PATH_MAX + 32];
	char err[1024];
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	struct loop_att la;
	pid_t kid;
	int dev, fd, r;

	CHILD_CHECK(errfd, !cg_enter(b->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !become_user(UNPRIV_UID, UNPRIV_UID), "setuid");
	r = enter_userns_as_root(CLONE_NEWNS);
	CHILD_CHECK(errfd, !r, "userns: %s", strerror(-r));
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	CHILD_CHECK(errfd, kid > 0, "fork");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	r = ctnr_new(&nl, b->name, kid, CTNR_F_AUTOREMOVE, &c);
	CHILD_CHECK(errfd, !r, "register: %s: %s", strerror(-r), nl.ext_msg);
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - open /dev/ctnr");

	/* its own tmpfs: memory, nothing to stall */
	CHILD_CHECK(errfd, !mount("tmpfs", b->dir, "tmpfs", 0, "size=64m"),
		    "%m - mount tmpfs");
	snprintf(f, sizeof(f), "%s/t.img", b->dir);
	fd = make_file(f, MiB, 0600);
	CHILD_CHECK(errfd, fd >= 0, "tmpfs file: %s", strerror(-fd));
	r = loop_attach(dev, c.id, NULL, fd, 0, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "attach on its tmpfs: %s", strerror(-r));
	CHILD_CHECK(errfd, !loop_detach(dev, la.index, CTNR_LOOP_DETACH_F_LAZY),
		    "detach");
	close(fd);

	/* ext4 that host root mounted */
	fd = open(b->ext4file, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "%m - open %s", b->ext4file);
	r = loop_attach(dev, c.id, NULL, fd, 0, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "attach on ext4: %s", strerror(-r));
	CHILD_CHECK(errfd, !loop_detach(dev, la.index, CTNR_LOOP_DETACH_F_LAZY),
		    "detach");
	close(fd);

	/* a sysfs attribute: its ->store() would run from the workers */
	fd = open("/sys/kernel/uevent_seqnum", O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "%m - open a sysfs file");
	r = loop_attach(dev, c.id, NULL, fd, CTNR_LOOP_F_READ_ONLY, 0, 0, 0,
			NULL);
	CHILD_CHECK(errfd, r == -EOPNOTSUPP, "attach on sysfs: %d", r);
	close(fd);

	if (b->fuse2fs) {
		/* its own FUSE mount: the daemon could stop answering */
		snprintf(img, sizeof(img), "%s/fuse.img", b->dir);
		snprintf(mnt, sizeof(mnt), "%s/fuse", b->dir);
		fd = make_file(img, 16 * MiB, 0600);
		CHILD_CHECK(errfd, fd >= 0, "image: %s", strerror(-fd));
		close(fd);
		CHILD_CHECK(errfd, !mkdir(mnt, 0755), "%m - mkdir");
		r = run_prog("mkfs.ext4", (char *[]){ "-q", "-F", img, NULL },
			     err, sizeof(err), 60000);
		CHILD_CHECK(errfd, !r, "mkfs.ext4: %d: %s", r, err);
		r = run_prog("fuse2fs", (char *[]){ img, mnt, NULL }, err,
			     sizeof(err), 60000);
		CHILD_CHECK(errfd, !r, "fuse2fs: %d: %s", r, err);
		snprintf(f, sizeof(f), "%s/b.img", mnt);
		fd = make_file(f, MiB, 0600);
		CHILD_CHECK(errfd, fd >= 0, "file on FUSE: %s", strerror(-fd));
		r = loop_attach(dev, c.id, NULL, fd, 0, 0, 0, 0, NULL);
		CHILD_CHECK(errfd, r == -EOPNOTSUPP, "attach on FUSE: %d", r);
		close(fd);
		umount2(mnt, MNT_DETACH);
	}
	ctnr_del_id(&nl, c.id);
	_exit(0);
}

/* below host root, only tmpfs and local block-device file systems */
TEST_F_TIMEOUT(loop, unprivileged_backing_filesystems, 180)
{
	char rel[64], mnt[256], err[2048], msg[512], p[PATH_MAX];
	struct backing_args b;
	struct loop_att lx;
	int fd, r;

	memset(&b, 0, sizeof(b));
	if (find_in_path("mkfs.ext4", p, sizeof(p)))
		SKIP(return, "mkfs.ext4 not found");
	b.fuse2fs = !find_in_path("fuse2fs", p, sizeof(p));
	ASSERT_TRUE(b.fuse2fs) {
		TH_LOG("fuse2fs not found (make deps installs it): the FUSE case cannot run");
	}
	r = ext4_mount_on_loop(self, "bk.img", 32 * MiB, NULL, NULL, mnt,
			       sizeof(mnt), &lx, err, sizeof(err));
	ASSERT_EQ(0, r) {
		TH_LOG("ext4 on a device: %s: %s", strerror(-r), err);
	}
	snprintf(b.ext4file, sizeof(b.ext4file), "%s/user.img", mnt);
	fd = make_file(b.ext4file, MiB, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchown(fd, UNPRIV_UID, UNPRIV_UID));
	close(fd);
	snprintf(b.dir, sizeof(b.dir), "%s/u", self->dir);
	ASSERT_EQ(0, mkdir(b.dir, 0755));
	ASSERT_EQ(0, chown(b.dir, UNPRIV_UID, UNPRIV_UID));
	snprintf(rel, sizeof(rel), "ctnrloop-%d-k", getpid());
	ASSERT_EQ(0, cg_create(rel, b.cg, sizeof(b.cg)));
	/* the user registers it: delegated to it, as a runtime would */
	ASSERT_EQ(0, cg_delegate(b.cg, UNPRIV_UID, UNPRIV_UID));
	snprintf(b.name, sizeof(b.name), "loopk-%d", getpid());
	r = run_child(backing_child, &b, msg, sizeof(msg), 120000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	cg_remove(b.cg);
	unlink(b.ext4file);
	EXPECT_EQ(0, umount2(mnt, MNT_DETACH));
	close(lx.fd);
}

/* a process in a user namespace of its own (as root: maps nothing) */
static pid_t spawn_userns_sleeper(const char *cg)
{
	int sync[2];
	pid_t kid;
	char b;

	if (pipe2(sync, O_CLOEXEC))
		return -1;
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (cg_enter(cg, getpid()) || unshare(CLONE_NEWUSER))
			_exit(1);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(sync[1]);
	if (kid > 0 && read(sync[0], &b, 1) != 1)
		kill_reap(&kid);
	close(sync[0]);
	return kid;
}

/*
 * G2 of the issue-12 audit: host root attaching for a container whose
 * tasks run in a user namespace.  Those tasks reach the device without
 * host privileges, so the backing allowlist holds whoever attaches: a
 * sysfs file is refused, a tmpfs file is fine (and the blktrace guard was
 * checked as the tenant's tasks would meet it).  For a container in the
 * initial user namespace any file stays host root's choice.
 */
TEST_F(loop, host_attach_for_userns_container_confined)
{
	char rel[64], cg[PATH_MAX], name[CTNR_NAME_MAX], path[PATH_MAX];
	struct ctnr_ctr c;
	struct loop_att la;
	pid_t kid;
	int fd, r;

	snprintf(rel, sizeof(rel), "ctnrloop-%d-h", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	kid = spawn_userns_sleeper(cg);
	ASSERT_GT(kid, 0);
	snprintf(name, sizeof(name), "looph-%d", getpid());
	r = ctnr_new(&self->nl, name, kid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("register: %s: %s", strerror(-r), self->nl.ext_msg);
		kill_reap(&kid);
	}

	fd = open("/sys/kernel/uevent_seqnum", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	r = loop_attach(self->dev, c.id, NULL, fd, CTNR_LOOP_F_READ_ONLY, 0, 0,
			0, &la);
	EXPECT_EQ(-EOPNOTSUPP, r) {
		TH_LOG("host root backed a user namespace's device with sysfs");
		if (!r)
			loop_detach(self->dev, la.index,
				    CTNR_LOOP_DETACH_F_LAZY);
	}
	r = loop_attach(self->dev, self->id_a, NULL, fd, CTNR_LOOP_F_READ_ONLY,
			0, 0, 0, &la);
	EXPECT_EQ(0, r) {
		TH_LOG("host container, sysfs file: %s", strerror(-r));
	}
	if (!r)
		EXPECT_EQ(0, loop_detach(self->dev, la.index,
					 CTNR_LOOP_DETACH_F_LAZY));
	close(fd);

	fd = fixture_file(self, "h.img", MiB, path, sizeof(path));
	ASSERT_GE(fd, 0);
	r = loop_attach(self->dev, c.id, NULL, fd, 0, 0, 0, 0, &la);
	EXPECT_EQ(0, r) {
		TH_LOG("user namespace's device on tmpfs: %s", strerror(-r));
	}
	if (!r)
		EXPECT_EQ(0, loop_detach(self->dev, la.index,
					 CTNR_LOOP_DETACH_F_LAZY));
	close(fd);
	EXPECT_EQ(0, ctnr_del_id(&self->nl, c.id));
	kill_reap(&kid);
	cg_remove(cg);
}

#define LOOP_MAX_PARAM "/sys/module/ctnr/parameters/loop_max_devices"

struct headroom_args {
	char cg[PATH_MAX];
	char name[CTNR_NAME_MAX];
	int bfd;		/* a tmpfs file, opened by host root */
};

/* uid 1000's own container: its attach finds the pool full */
static void headroom_child(int errfd, void *arg)
{
	struct headroom_args *h = arg;
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	pid_t kid;
	int dev, r;

	CHILD_CHECK(errfd, !cg_enter(h->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !become_user(UNPRIV_UID, UNPRIV_UID), "setuid");
	r = enter_userns_as_root(0);
	CHILD_CHECK(errfd, !r, "userns: %s", strerror(-r));
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	CHILD_CHECK(errfd, kid > 0, "fork");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	r = ctnr_new(&nl, h->name, kid, CTNR_F_AUTOREMOVE, &c);
	CHILD_CHECK(errfd, !r, "register: %s: %s", strerror(-r), nl.ext_msg);
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - open /dev/ctnr");
	r = loop_attach(dev, c.id, NULL, h->bfd, 0, 0, 0, 0, NULL);
	CHILD_CHECK(errfd, r == -ENOSPC,
		    "a tenant's attach into the host's last sixteenth: %d", r);
	ctnr_del_id(&nl, c.id);
	_exit(0);
}

/*
 * B4: the last sixteenth of loop_max_devices is the host's.  With a pool
 * of 16 and 15 devices of host containers, a tenant's attach fails with
 * ENOSPC and host root's still succeeds.
 */
TEST_F_TIMEOUT(loop, host_keeps_loop_headroom, 180)
{
	struct loop_att la[16];
	struct headroom_args h;
	char old[32], msg[512], path[PATH_MAX], rel[64];
	int fd, i, n = 0, r;

	memset(&h, 0, sizeof(h));
	ASSERT_GT(read_str(LOOP_MAX_PARAM, old, sizeof(old)), 0);
	for (i = 0; i < 16; i++)
		if (loop_exists(i))
			SKIP(return, "ctnrloop%d exists: the pool is not empty",
			     i);
	ASSERT_EQ(0, loop_quota_set(&self->nl, self->id_a, 8));
	ASSERT_EQ(0, loop_quota_set(&self->nl, self->id_b, 8));
	fd = fixture_file(self, "hr.img", 64 * 1024, path, sizeof(path));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, write_str(LOOP_MAX_PARAM, "16"));
	for (i = 0; i < 15; i++) {
		r = loop_attach(self->dev, i < 8 ? self->id_a : self->id_b,
				NULL, fd, 0, 0, 0, 0, &la[n]);
		EXPECT_EQ(0, r) {
			TH_LOG("host attach %d: %s", i, strerror(-r));
		}
		if (r)
			break;
		n++;
	}
	if (n == 15) {
		h.bfd = fd;
		snprintf(rel, sizeof(rel), "ctnrloop-%d-q", getpid());
		ASSERT_EQ(0, cg_create(rel, h.cg, sizeof(h.cg)));
		ASSERT_EQ(0, cg_delegate(h.cg, UNPRIV_UID, UNPRIV_UID));
		snprintf(h.name, sizeof(h.name), "loopq-%d", getpid());
		r = run_child(headroom_child, &h, msg, sizeof(msg), 120000);
		EXPECT_EQ(0, r) {
			TH_LOG("%s", msg);
		}
		cg_remove(h.cg);
		/* the host's own last device */
		r = loop_attach(self->dev, self->id_b, NULL, fd, 0, 0, 0, 0,
				&la[n]);
		EXPECT_EQ(0, r) {
			TH_LOG("host root in its headroom: %s", strerror(-r));
		}
		if (!r)
			n++;
	}
	for (i = 0; i < n; i++)
		loop_detach(self->dev, la[i].index, CTNR_LOOP_DETACH_F_LAZY);
	EXPECT_EQ(0, write_str(LOOP_MAX_PARAM, old));
	close(fd);
}

struct quota_args {
	char cg[PATH_MAX];
	char name[CTNR_NAME_MAX];
	char file[PATH_MAX];	/* owned by UNPRIV_UID, quota 2 MiB */
	char suid[PATH_MAX];	/* owned by an unmapped uid, mode 04666 */
};

/*
 * The device's backing I/O runs with the backing file's credentials: a
 * quota'd user cannot write past its hard limit through its device (the
 * workers' own capabilities would ignore the limit).
 */
static void quota_child(int errfd, void *arg)
{
	struct quota_args *q = arg;
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	struct loop_att la;
	void *buf = abuf(MiB);
	int dev, fd, dfd, kfd, r, i, err = 0;
	struct stat st;
	char rec[2048];
	ssize_t n;
	pid_t kid;

	CHILD_CHECK(errfd, buf, "buffer");
	CHILD_CHECK(errfd, !cg_enter(q->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !become_user(UNPRIV_UID, UNPRIV_UID), "setuid");
	r = enter_userns_as_root(0);
	CHILD_CHECK(errfd, !r, "userns: %s", strerror(-r));
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	CHILD_CHECK(errfd, kid > 0, "fork");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	r = ctnr_new(&nl, q->name, kid, CTNR_F_AUTOREMOVE, &c);
	CHILD_CHECK(errfd, !r, "register: %s: %s", strerror(-r), nl.ext_msg);
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - open /dev/ctnr");
	fd = open(q->file, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "%m - open %s", q->file);
	r = loop_attach(dev, c.id, NULL, fd, CTNR_LOOP_F_OPEN, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "attach: %s", strerror(-r));
	dfd = la.fd;
	CHILD_CHECK(errfd, !fcntl(dfd, F_SETFL, O_DIRECT), "%m - O_DIRECT");
	for (i = 0; i < 8; i++) {
		pat_fill(buf, MiB, 70, i * MiB);
		if (pwrite(dfd, buf, MiB, (off_t)i * MiB) != MiB) {
			err = errno;
			break;
		}
	}
	CHILD_CHECK(errfd, i >= 1, "no write at all: %s", strerror(err));
	CHILD_CHECK(errfd, i < 8, "8 MiB written past a 2 MiB quota");
	CHILD_CHECK(errfd, err == ENOSPC, "over quota: %s, wanted ENOSPC",
		    strerror(err));
	/* the container's log says it was the quota */
	kfd = open("/dev/" CTNR_KMSG_DEVICE_NAME,
		   O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHILD_CHECK(errfd, kfd >= 0, "%m - open the container's log");
	for (;;) {
		n = read(kfd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		if (strstr(rec, "EDQUOT"))
			break;
	}
	CHILD_CHECK(errfd, n > 0, "no EDQUOT line in the container's log");
	close(kfd);
	close(dfd);
	close(fd);

	/*
	 * a write through the device strips the suid bit of a backing file
	 * its writer has no CAP_FSETID over (the workers' own credentials
	 * would keep it)
	 */
	fd = open(q->suid, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "%m - open %s", q->suid);
	r = loop_attach(dev, c.id, NULL, fd, CTNR_LOOP_F_OPEN, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "attach: %s", strerror(-r));
	pat_fill(buf, 4096, 71, 0);
	CHILD_CHECK(errfd, pwrite(la.fd, buf, 4096, 0) == 4096 &&
		    !fsync(la.fd), "%m - write through the device");
	CHILD_CHECK(errfd, !fstat(fd, &st), "%m - fstat");
	CHILD_CHECK(errfd, !(st.st_mode & S_ISUID),
		    "the backing file kept mode %o after the write",
		    st.st_mode & 07777);
	close(la.fd);
	close(fd);
	ctnr_del_id(&nl, c.id);
	_exit(0);
}

TEST_F_TIMEOUT(loop, backing_io_under_file_credentials, 180)
{
	char rel[64], mnt[256], err[2048], msg[512], p[PATH_MAX], lpath[64];
	struct quota_args q;
	struct dqblk dq;
	struct loop_att lx;
	int fd, r;

	memset(&q, 0, sizeof(q));
	if (find_in_path("mkfs.ext4", p, sizeof(p)))
		SKIP(return, "mkfs.ext4 not found");
	r = ext4_mount_on_loop(self, "q.img", 64 * MiB, "quota", "usrquota",
			       mnt, sizeof(mnt), &lx, err, sizeof(err));
	ASSERT_EQ(0, r) {
		TH_LOG("ext4 with quotas on a device: %s: %s", strerror(-r),
		       err);
	}
	snprintf(q.file, sizeof(q.file), "%s/user.img", mnt);
	fd = make_file(q.file, 16 * MiB, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchown(fd, UNPRIV_UID, UNPRIV_UID));
	close(fd);
	/* not the user's: CAP_FSETID in its namespace does not cover it */
	fd = fixture_file(self, "suid.img", MiB, q.suid, sizeof(q.suid));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchown(fd, UNPRIV_UID + 1000, UNPRIV_UID + 1000));
	ASSERT_EQ(0, fchmod(fd, 04666));
	close(fd);
	memset(&dq, 0, sizeof(dq));
	dq.dqb_bhardlimit = 2048;	/* 1 KiB blocks */
	dq.dqb_bsoftlimit = 2048;
	dq.dqb_valid = QIF_BLIMITS;
	loop_path(lx.index, lpath, sizeof(lpath));
	ASSERT_EQ(0, quotactl(QCMD(Q_SETQUOTA, USRQUOTA), lpath, UNPRIV_UID,
			      (caddr_t)&dq)) {
		TH_LOG("%m - set a quota for uid %d", UNPRIV_UID);
	}
	snprintf(rel, sizeof(rel), "ctnrloop-%d-q", getpid());
	ASSERT_EQ(0, cg_create(rel, q.cg, sizeof(q.cg)));
	/* the user registers it: delegated to it, as a runtime would */
	ASSERT_EQ(0, cg_delegate(q.cg, UNPRIV_UID, UNPRIV_UID));
	snprintf(q.name, sizeof(q.name), "loopq-%d", getpid());
	r = run_child(quota_child, &q, msg, sizeof(msg), 120000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	cg_remove(q.cg);
	/* the child's devices go with its container */
	EXPECT_EQ(0, loop_counters_wait(self->base_dev + 1,
					self->base_files + 1, 10000));
	unlink(q.file);
	EXPECT_EQ(0, umount_busy(mnt, 5000));
	close(lx.fd);
}

static void memcg_child(int errfd, void *arg)
{
	const char **a = arg;	/* cgroup, device path */
	void *buf = abuf(MiB);
	int fd, i;

	CHILD_CHECK(errfd, buf, "buffer");
	CHILD_CHECK(errfd, !cg_enter(a[0], getpid()), "enter %s", a[0]);
	fd = open(a[1], O_RDWR | O_DIRECT | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "%m - open %s", a[1]);
	for (i = 0; i < 32; i++) {
		pat_fill(buf, MiB, 80, i * MiB);
		CHILD_CHECK(errfd, pwrite(fd, buf, MiB, (off_t)i * MiB) == MiB,
			    "%m - write");
	}
	CHILD_CHECK(errfd, !fsync(fd), "%m - fsync");
	_exit(0);
}

static long long cg_read_ll(const char *cg, const char *file)
{
	char p[PATH_MAX + 64], v[64];

	snprintf(p, sizeof(p), "%s/%s", cg, file);
	if (read_str(p, v, sizeof(v)) <= 0)
		return -1;
	return atoll(v);
}

/*
 * The backing file's page cache (here tmpfs pages) is charged to the
 * memcg of the cgroup that wrote through the device, not to the root.
 */
TEST_F(loop, backing_memory_charged_to_writer)
{
	char path[PATH_MAX], lpath[64], msg[512], p[PATH_MAX + 32];
	const char *args[2];
	long long before, after;
	struct loop_att la;
	int bfd, r;

	snprintf(p, sizeof(p), "%s/cgroup.subtree_control", cg2_root());
	if (write_str(p, "+memory") || write_str(p, "+io") ||
	    cg_read_ll(self->cga, "memory.current") < 0)
		SKIP(return, "no memory and io controllers for the test cgroups");
	bfd = fixture_file(self, "mem.img", 64 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	r = loop_open(la.index, O_RDONLY);
	ASSERT_GE(r, 0);
	close(r);
	loop_path(la.index, lpath, sizeof(lpath));
	before = cg_read_ll(self->cga, "memory.current");
	args[0] = self->cga;
	args[1] = lpath;
	r = run_child(memcg_child, args, msg, sizeof(msg), 60000);
	ASSERT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	after = cg_read_ll(self->cga, "memory.current");
	EXPECT_GE(after - before, 24LL * MiB) {
		TH_LOG("memory.current of the writer's cgroup: %lld -> %lld",
		       before, after);
	}
	close(bfd);
}

struct roundtrip_args {
	char cg[PATH_MAX];
	char name[CTNR_NAME_MAX];
	char file[PATH_MAX];	/* owned by UNPRIV_UID */
	char mnt[PATH_MAX];	/* owned by UNPRIV_UID */
	bool rule;		/* udev_rule_install() done */
};

#define UDEV_RULE_RUN "/run/udev/rules.d/60-ctnrloop.rules"

/*
 * udev/60-ctnrloop.rules in /run/udev/rules.d (the VM's own) and udevd
 * told; true when it is there.
 */
static bool udev_rule_install(void)
{
	char rules[PATH_MAX], udevadm[PATH_MAX], err[1024];

	if (!realpath("../udev/60-ctnrloop.rules", rules) &&
	    !realpath("udev/60-ctnrloop.rules", rules))
		return false;
	mkdir("/run/udev", 0755);
	mkdir("/run/udev/rules.d", 0755);
	unlink(UDEV_RULE_RUN);
	if (symlink(rules, UDEV_RULE_RUN))
		return false;
	if (!find_in_path("udevadm", udevadm, sizeof(udevadm)) &&
	    !access("/run/udev/control", F_OK))
		run_prog("udevadm", (char *[]){ "control", "--reload", NULL },
			 err, sizeof(err), 30000);
	return true;
}

static void udev_rule_remove(void)
{
	char udevadm[PATH_MAX], err[1024];

	unlink(UDEV_RULE_RUN);
	if (!find_in_path("udevadm", udevadm, sizeof(udevadm)) &&
	    !access("/run/udev/control", F_OK))
		run_prog("udevadm", (char *[]){ "control", "--reload", NULL },
			 err, sizeof(err), 30000);
}

/*
 * uid 1000 as root of its own user namespace: attach with an fd that
 * survives exec, reopen it by path, mkfs.ext4 through /proc/self/fd/N,
 * mount it with fuse2fs, write a file, unmount, e2fsck clean.
 */
static void roundtrip_child(int errfd, void *arg)
{
	struct roundtrip_args *t = arg;
	char dev[64], f[PATH_MAX + 32], err[2048];
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	struct loop_att la;
	void *buf = abuf(65536);
	int ctl, bfd, fd, r;
	struct stat st;
	pid_t kid;

	CHILD_CHECK(errfd, buf, "buffer");
	CHILD_CHECK(errfd, !cg_enter(t->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !become_user(UNPRIV_UID, UNPRIV_UID), "setuid");
	r = enter_userns_as_root(CLONE_NEWNS);
	CHILD_CHECK(errfd, !r, "userns: %s", strerror(-r));
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	CHILD_CHECK(errfd, kid > 0, "fork");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	r = ctnr_new(&nl, t->name, kid, CTNR_F_AUTOREMOVE, &c);
	CHILD_CHECK(errfd, !r, "register: %s: %s", strerror(-r), nl.ext_msg);
	ctl = ctnr_dev_open();
	CHILD_CHECK(errfd, ctl >= 0, "%m - open /dev/ctnr");
	bfd = open(t->file, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(errfd, bfd >= 0, "%m - open %s", t->file);
	r = loop_attach(ctl, c.id, NULL, bfd,
			CTNR_LOOP_F_OPEN | CTNR_LOOP_F_NOCLOEXEC, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "attach: %s", strerror(-r));
	CHILD_CHECK(errfd, !(fcntl(la.fd, F_GETFD) & FD_CLOEXEC),
		    "the fd is close-on-exec");
	/*
	 * The node belongs to the user namespace's root (udev, which runs
	 * in the VM, may be applying the rule installed by the test now: it
	 * sets the same owner and group)
	 */
	CHILD_CHECK(errfd, !fstat(la.fd, &st), "%m - fstat");
	CHILD_CHECK(errfd, st.st_uid == 0 && st.st_gid == 0,
		    "node owned by %u:%u in the user namespace", st.st_uid,
		    st.st_gid);
	/* reopen by path, O_DIRECT */
	snprintf(dev, sizeof(dev), "/proc/self/fd/%d", la.fd);
	fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "%m - reopen %s", dev);
	pat_fill(buf, 65536, 90, 0);
	CHILD_CHECK(errfd, pwrite(fd, buf, 65536, 0) == 65536, "%m - write");
	close(fd);

	/* what a container's root does with an image */
	r = run_prog("mkfs.ext4", (char *[]){ "-q", "-F", dev, NULL }, err,
		     sizeof(err), 120000);
	CHILD_CHECK(errfd, !r, "mkfs.ext4 %s: %d: %s", dev, r, err);
	r = run_prog("fuse2fs", (char *[]){ dev, t->mnt, NULL }, err,
		     sizeof(err), 60000);
	CHILD_CHECK(errfd, !r, "fuse2fs %s: %d: %s", dev, r, err);
	snprintf(f, sizeof(f), "%s/hello", t->mnt);
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHILD_CHECK(errfd, fd >= 0, "%m - create %s", f);
	CHILD_CHECK(errfd, write(fd, buf, 65536) == 65536, "%m - write");
	CHILD_CHECK(errfd, !close(fd), "%m - close");
	CHILD_CHECK(errfd, !umount2(t->mnt, 0), "%m - umount");
	/* fuse2fs may still be closing the device: e2fsck then retries */
	for (r = -1; r; sleep_ms(200)) {
		static int tries;

		r = run_prog("e2fsck", (char *[]){ "-f", "-n", dev, NULL }, err,
			     sizeof(err), 120000);
		if (++tries == 10)
			break;
	}
	CHILD_CHECK(errfd, !r, "e2fsck -fn %s: %d: %s", dev, r, err);
	close(la.fd);
	close(bfd);
	_exit(0);
}

TEST_F_TIMEOUT(loop, userns_root_mkfs_fuse2fs_fsck, 300)
{
	char rel[64], msg[512], p[PATH_MAX];
	struct roundtrip_args t;
	int fd, r;

	memset(&t, 0, sizeof(t));
	if (find_in_path("mkfs.ext4", p, sizeof(p)) ||
	    find_in_path("e2fsck", p, sizeof(p)))
		SKIP(return, "mkfs.ext4 or e2fsck not found");
	if (find_in_path("fuse2fs", p, sizeof(p)))
		SKIP(return, "fuse2fs not found (Debian package fuse2fs)");
	snprintf(t.file, sizeof(t.file), "%s/rt.img", self->dir);
	fd = make_file(t.file, 32 * MiB, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchown(fd, UNPRIV_UID, UNPRIV_UID));
	close(fd);
	snprintf(t.mnt, sizeof(t.mnt), "%s/rt", self->dir);
	ASSERT_EQ(0, mkdir(t.mnt, 0755));
	ASSERT_EQ(0, chown(t.mnt, UNPRIV_UID, UNPRIV_UID));
	snprintf(rel, sizeof(rel), "ctnrloop-%d-r", getpid());
	ASSERT_EQ(0, cg_create(rel, t.cg, sizeof(t.cg)));
	/* the user registers it: delegated to it, as a runtime would */
	ASSERT_EQ(0, cg_delegate(t.cg, UNPRIV_UID, UNPRIV_UID));
	snprintf(t.name, sizeof(t.name), "loopr-%d", getpid());
	/* where udev runs, the node's group is right only with the rule */
	t.rule = udev_rule_install();
	r = run_child(roundtrip_child, &t, msg, sizeof(msg), 280000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	if (t.rule)
		udev_rule_remove();
	cg_remove(t.cg);
}

struct udev_owner_args {
	char cg[PATH_MAX];
	char name[CTNR_NAME_MAX];
	char file[PATH_MAX];	/* owned by UNPRIV_UID */
	char udevadm[PATH_MAX];
};

/*
 * Host root, forked before the child drops privilege: reads a device name
 * from @req, replays a change event on it through udev and waits for udev
 * to be done (udevadm trigger --settle), then answers on @ack.
 */
static void udev_replay_helper(int req, int ack)
{
	char name[32], sys[64], err[1024];
	ssize_t n;
	int r;

	n = read(req, name, sizeof(name) - 1);
	if (n <= 0)
		_exit(1);
	name[n] = 0;
	snprintf(sys, sizeof(sys), "/sys/block/%s", name);
	err[0] = 0;
	r = run_prog("udevadm", (char *[]){ "trigger", "--action=change",
					  "--settle", sys, NULL },
		     err, sizeof(err), 60000);
	/* "K", or "E" and why, for the child's report */
	if (r)
		n = dprintf(ack, "E%s (%d): %.200s", r == -ETIMEDOUT ?
			    "timed out after 60 s" : "failed", r, err);
	else
		n = write(ack, "K", 1);
	_exit(n >= 1 ? 0 : 1);
}

static void udev_owner_child(int errfd, void *arg)
{
	struct udev_owner_args *t = arg;
	char sys[96], val[32], name[32], why[256];
	int req[2], ack[2], ctl, bfd, r;
	ssize_t n;
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	struct loop_att la;
	struct stat st;
	pid_t kid, helper;

	CHILD_CHECK(errfd, !pipe2(req, O_CLOEXEC) && !pipe2(ack, O_CLOEXEC),
		    "%m - pipe");
	helper = fork();
	CHILD_CHECK(errfd, helper >= 0, "%m - fork");
	if (helper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		udev_replay_helper(req[0], ack[1]);
	}
	CHILD_CHECK(errfd, !cg_enter(t->cg, getpid()), "enter cgroup");
	CHILD_CHECK(errfd, !become_user(UNPRIV_UID, UNPRIV_UID), "setuid");
	bfd = open(t->file, O_RDWR | O_CLOEXEC);
	CHILD_CHECK(errfd, bfd >= 0, "%m - open %s", t->file);
	r = enter_userns_as_root(0);
	CHILD_CHECK(errfd, !r, "userns: %s", strerror(-r));
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	CHILD_CHECK(errfd, kid > 0, "fork");
	CHILD_CHECK(errfd, !ctnr_nl_open(&nl), "netlink");
	r = ctnr_new(&nl, t->name, kid, CTNR_F_AUTOREMOVE, &c);
	CHILD_CHECK(errfd, !r, "register: %s: %s", strerror(-r), nl.ext_msg);
	ctl = ctnr_dev_open();
	CHILD_CHECK(errfd, ctl >= 0, "%m - open /dev/ctnr");
	r = loop_attach(ctl, c.id, NULL, bfd, CTNR_LOOP_F_OPEN, 0, 0, 0, &la);
	CHILD_CHECK(errfd, !r, "attach: %s", strerror(-r));
	snprintf(name, sizeof(name), "ctnrloop%u", la.index);

	/* what the module publishes for udev, in the host's numbers */
	snprintf(sys, sizeof(sys), "/sys/block/%s/ctnr/owner_uid", name);
	CHILD_CHECK(errfd, read_str(sys, val, sizeof(val)) > 0 &&
		    atoi(val) == UNPRIV_UID, "%s: '%s'", sys, val);
	snprintf(sys, sizeof(sys), "/sys/block/%s/ctnr/owner_gid", name);
	CHILD_CHECK(errfd, read_str(sys, val, sizeof(val)) > 0 &&
		    atoi(val) == UNPRIV_UID, "%s: '%s'", sys, val);

	/* udev's default rules run again: the rule gives the node back */
	CHILD_CHECK(errfd, write(req[1], name, strlen(name)) ==
		    (ssize_t)strlen(name), "%m - ask the helper");
	n = read(ack[0], why, sizeof(why) - 1);
	why[n > 0 ? n : 0] = 0;
	CHILD_CHECK(errfd, n == 1 && why[0] == 'K',
		    "udevadm trigger --settle %s", n > 1 ? why + 1 : "gave no answer");
	CHILD_CHECK(errfd, !fstat(la.fd, &st), "%m - fstat");
	CHILD_CHECK(errfd, st.st_uid == 0 && st.st_gid == 0 &&
		    (st.st_mode & 0777) == 0600,
		    "after udev: node %o owned by %u:%u in the user namespace",
		    st.st_mode & 0777, st.st_uid, st.st_gid);
	close(la.fd);
	close(bfd);
	_exit(0);
}

/*
 * A device of a container in a user namespace, with udev and
 * udev/60-ctnrloop.rules: the node stays its owner's (uid and gid 0 of the
 * namespace, mode 0600) after udev's default rules, which give every block
 * node the group "disk", have run on it again.
 */
TEST_F_TIMEOUT(loop, udev_keeps_node_owned_by_userns_root, 180)
{
	struct udev_owner_args t;
	char rel[64], msg[512];
	int fd, r;

	memset(&t, 0, sizeof(t));
	if (find_in_path("udevadm", t.udevadm, sizeof(t.udevadm)))
		SKIP(return, "udevadm not found");
	if (access("/run/udev/control", F_OK))
		SKIP(return, "udevd is not running");
	ASSERT_TRUE(udev_rule_install()) {
		TH_LOG("cannot install udev/60-ctnrloop.rules");
	}
	snprintf(t.file, sizeof(t.file), "%s/uo.img", self->dir);
	fd = make_file(t.file, 4 * MiB, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fchown(fd, UNPRIV_UID, UNPRIV_UID));
	close(fd);
	snprintf(rel, sizeof(rel), "ctnrloop-%d-u", getpid());
	ASSERT_EQ(0, cg_create(rel, t.cg, sizeof(t.cg)));
	ASSERT_EQ(0, cg_delegate(t.cg, UNPRIV_UID, UNPRIV_UID));
	snprintf(t.name, sizeof(t.name), "loopu-%d", getpid());
	r = run_child(udev_owner_child, &t, msg, sizeof(msg), 170000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	udev_rule_remove();
	cg_remove(t.cg);
}

/*
 * udev/60-ctnrloop.rules, run by udevadm test on a new device (from
 * /run/udev/rules.d, the VM's own): the probers' flags are set and no
 * later rule runs (no blkid: no ID_FS_TYPE, no /dev/disk/by-* link).
 */
TEST_F_TIMEOUT(loop, udev_rule_keeps_probers_away, 240)
{
	char path[PATH_MAX], rules[PATH_MAX], sys[64], out[65536], err[4096];
	char *argv[6];
	struct loop_att la;
	int bfd, r;

	if (find_in_path("udevadm", path, sizeof(path)))
		SKIP(return, "udevadm not found");
	/* the rules are part of this tree: not finding them fails */
	ASSERT_TRUE(realpath("../udev/60-ctnrloop.rules", rules) ||
		    realpath("udev/60-ctnrloop.rules", rules)) {
		TH_LOG("udev/60-ctnrloop.rules not found from %s",
		       getcwd(sys, sizeof(sys)) ? sys : "?");
	}
	mkdir("/run/udev", 0755);
	mkdir("/run/udev/rules.d", 0755);
	unlink("/run/udev/rules.d/60-ctnrloop.rules");
	ASSERT_EQ(0, symlink(rules, "/run/udev/rules.d/60-ctnrloop.rules")) {
		TH_LOG("%m - install the rule in /run/udev/rules.d");
	}
	bfd = fixture_file(self, "udev.img", 4 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	/* something blkid would recognise: an ext4 */
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	r = loop_open(la.index, O_RDONLY);
	ASSERT_GE(r, 0);
	close(r);
	snprintf(sys, sizeof(sys), "/dev/ctnrloop%u", la.index);
	r = run_prog("mkfs.ext4", (char *[]){ "-q", "-F", sys, NULL }, err,
		     sizeof(err), 60000);
	ASSERT_EQ(0, r);
	snprintf(sys, sizeof(sys), "/sys/block/ctnrloop%u", la.index);
	argv[0] = path;
	argv[1] = "test";
	argv[2] = "--action=add";
	argv[3] = sys;
	argv[4] = NULL;
	find_in_path("udevadm", path, sizeof(path));
	r = run_cmd(argv, out, sizeof(out), err, sizeof(err), 60000);
	unlink("/run/udev/rules.d/60-ctnrloop.rules");
	ASSERT_EQ(0, r) {
		TH_LOG("udevadm test: %d: %s", r, err);
	}
	/* the properties are on stdout, the rules it ran on stderr */
	EXPECT_NE(NULL, strstr(out, "UDISKS_IGNORE=1")) {
		TH_LOG("udevadm test:\n%s\n%s", out, err);
	}
	EXPECT_NE(NULL, strstr(out, "SYSTEMD_READY=0"));
	EXPECT_NE(NULL, strstr(out, "DM_UDEV_DISABLE_OTHER_RULES_FLAG=1"));
	EXPECT_EQ(NULL, strstr(out, "ID_FS_TYPE=ext4")) {
		TH_LOG("blkid ran on a ctnrloop device:\n%s", out);
	}
	EXPECT_EQ(NULL, strstr(out, "/dev/disk/by-"));
	EXPECT_EQ(NULL, strstr(err, "60-persistent-storage.rules:")) {
		TH_LOG("a later rule ran:\n%s", err);
	}
	close(bfd);
}

/* the admin of one container cannot touch another's devices */
static void foreign_child(int errfd, void *arg)
{
	const uint32_t *v = arg;	/* container id, device index */
	int dev, fd, r;

	CHILD_CHECK(errfd, !become_user(UNPRIV_UID, UNPRIV_UID), "setuid");
	r = enter_userns_as_root(0);
	CHILD_CHECK(errfd, !r, "userns: %s", strerror(-r));
	dev = ctnr_dev_open();
	CHILD_CHECK(errfd, dev >= 0, "%m - /dev/ctnr");
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	r = loop_attach(dev, v[0], NULL, fd, CTNR_LOOP_F_READ_ONLY, 0, 0, 0,
			NULL);
	CHILD_CHECK(errfd, r == -ENOENT, "attach to a foreign container: %d",
		    r);
	r = loop_detach(dev, v[1], CTNR_LOOP_DETACH_F_LAZY);
	CHILD_CHECK(errfd, r == -EPERM, "detach a foreign device: %d", r);
	_exit(0);
}

TEST_F(loop, foreign_admin_refused)
{
	char path[PATH_MAX], msg[512];
	struct loop_att la;
	uint32_t v[2];
	int bfd, r;

	bfd = fixture_file(self, "for.img", MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	ASSERT_EQ(0, loop_attach(self->dev, self->id_a, NULL, bfd, 0, 0, 0, 0,
				 &la));
	v[0] = self->id_a;
	v[1] = la.index;
	r = run_child(foreign_child, v, msg, sizeof(msg), 10000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	EXPECT_TRUE(loop_exists(la.index));
	close(bfd);
}

/* ------------------------------------------------------------------ */
/* ctnrctl                                                            */

static int nlines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int ctl(char *out, size_t outlen, char *err, size_t errlen, ...)
{
	char *argv[16];
	const char *path = ctnrctl_path();
	va_list ap;
	int n = 0;

	if (!path)
		return -ENOENT;
	argv[n++] = (char *)path;
	va_start(ap, errlen);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_cmd(argv, out, outlen, err, errlen, 30000);
}

/* ctnrctl loop attach/list/quota/detach, their errors and exit codes */
TEST_F_TIMEOUT(loop, ctnrctl_loop, 120)
{
	char path[PATH_MAX], out[4096], err[1024], dev[64], idx[16];
	unsigned int index;
	int bfd, r;

	/* ctnrctl is part of this tree: without it, fail, not skip */
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not built (make ctl)");
	}
	bfd = fixture_file(self, "ctl.img", 8 * MiB, path, sizeof(path));
	ASSERT_GE(bfd, 0);
	close(bfd);

	r = ctl(out, sizeof(out), err, sizeof(err), "loop", "attach",
		self->name_a, path, "offset", "1M", "sizelimit", "4M",
		"blocksize", "4096", NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("attach: %d: %s", r, err);
	}
	ASSERT_EQ(1, sscanf(out, "/dev/ctnrloop%u", &index)) {
		TH_LOG("attach printed \"%s\"", out);
	}
	snprintf(dev, sizeof(dev), "/dev/ctnrloop%u", index);
	snprintf(idx, sizeof(idx), "%u", index);
	EXPECT_TRUE(loop_exists(index));

	r = ctl(out, sizeof(out), err, sizeof(err), "loop", "list",
		self->name_a, NULL);
	EXPECT_EQ(0, r);
	EXPECT_NE(NULL, strstr(out, dev));
	EXPECT_NE(NULL, strstr(out, path));
	EXPECT_NE(NULL, strstr(out, "offset 1048576"));
	EXPECT_NE(NULL, strstr(out, "size 4194304"));
	EXPECT_NE(NULL, strstr(out, "blocksize 4096")) {
		TH_LOG("list: %s", out);
	}
	r = ctl(out, sizeof(out), err, sizeof(err), "-j", "loop", "list",
		NULL);
	EXPECT_EQ(0, r);
	EXPECT_EQ('[', *json__ws(out));		/* an array, as every list */
	EXPECT_TRUE(json_valid(out));
	EXPECT_NE(NULL, strstr(out, "\"device\":\"")) {
		TH_LOG("json: %s", out);
	}
	/* loop alone lists every device */
	r = ctl(out, sizeof(out), err, sizeof(err), "loop", NULL);
	EXPECT_EQ(0, r);
	EXPECT_NE(NULL, strstr(out, dev));

	/* the container's own log says so */
	r = ctl(out, sizeof(out), err, sizeof(err), "log", "show", self->name_a,
		NULL);
	EXPECT_EQ(0, r);
	snprintf(idx, sizeof(idx), "ctnrloop%u:", index);
	EXPECT_NE(NULL, strstr(out, idx)) {
		TH_LOG("log: %s", out);
	}
	snprintf(idx, sizeof(idx), "%u", index);

	/* quota */
	EXPECT_EQ(0, ctl(NULL, 0, err, sizeof(err), "loop", "quota",
			 self->name_a, "1", NULL));
	r = ctl(out, sizeof(out), err, sizeof(err), "loop", "quota",
		self->name_a, NULL);
	EXPECT_EQ(0, r);
	EXPECT_NE(NULL, strstr(out, "quota 1 devices 1")) {
		TH_LOG("quota: %s", out);
	}
	r = ctl(out, sizeof(out), err, sizeof(err), "loop", "attach",
		self->name_a, path, "ro", NULL);
	EXPECT_EQ(1, r);
	EXPECT_NE(NULL, strstr(err, "quota")) {
		TH_LOG("over quota: %s", err);
	}
	EXPECT_EQ(1, nlines(err));	/* one line, the reason */

	/* usage errors exit 2, failed operations 1 */
	EXPECT_EQ(2, ctl(NULL, 0, err, sizeof(err), "loop", "attach",
			 self->name_a, NULL));
	EXPECT_EQ(2, ctl(NULL, 0, err, sizeof(err), "loop", "attach",
			 self->name_a, path, "blocksize", "1024", NULL));
	EXPECT_EQ(2, ctl(NULL, 0, err, sizeof(err), "loop", "attach",
			 self->name_a, path, "ro", "ro", NULL));
	EXPECT_EQ(2, ctl(NULL, 0, err, sizeof(err), "loop", "detach",
			 self->name_a, "x1", NULL));
	EXPECT_EQ(2, ctl(NULL, 0, err, sizeof(err), "loop", "frob", NULL));
	/* detach and quota are never abbreviated */
	EXPECT_EQ(2, ctl(NULL, 0, err, sizeof(err), "loop", "det",
			 self->name_a, idx, NULL));
	EXPECT_EQ(2, ctl(NULL, 0, err, sizeof(err), "loop", "q",
			 self->name_a, "4", NULL));
	EXPECT_TRUE(loop_exists(index));
	EXPECT_EQ(1, ctl(NULL, 0, err, sizeof(err), "loop", "attach",
			 "no-such-ctnr", path, NULL));
	EXPECT_EQ(1, ctl(NULL, 0, err, sizeof(err), "loop", "attach",
			 self->name_b, self->dir, "ro", NULL));
	EXPECT_NE(NULL, strstr(err, "directory")) {
		TH_LOG("directory: %s", err);
	}
	/* a device of another container */
	EXPECT_EQ(1, ctl(NULL, 0, err, sizeof(err), "loop", "detach",
			 self->name_b, idx, NULL));
	EXPECT_TRUE(loop_exists(index));

	r = ctl(NULL, 0, err, sizeof(err), "loop", "detach", self->name_a,
		dev, NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("detach: %s", err);
	}
	EXPECT_EQ(0, loop_wait_gone(index, 5000));
}

/* ------------------------------------------------------------------ */
/* concurrency                                                        */

struct conc {
	FIXTURE_DATA(loop) *self;
	volatile int stop;
	int errors;
	char err[256];
	pthread_mutex_t lock;
	int k;
};

static void conc_fail(struct conc *c, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&c->lock);
	if (!c->errors++) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&c->lock);
	c->stop = 1;
}

/* Write, read back and check random blocks of a device it owns. */
static void *conc_io(void *arg)
{
	struct conc *c = arg;
	char path[PATH_MAX];
	struct loop_att la;
	void *buf = abuf(65536);
	uint32_t seed;
	int bfd, lfd, k;
	unsigned int rnd;

	pthread_mutex_lock(&c->lock);
	k = c->k++;
	pthread_mutex_unlock(&c->lock);
	rnd = 1234 + k;
	snprintf(path, sizeof(path), "%s/io%d.img", c->self->dir, k);
	bfd = make_file(path, 16 * MiB, 0600);
	if (bfd < 0 || !buf ||
	    loop_attach(c->self->dev, c->self->id_b, NULL, bfd,
			CTNR_LOOP_F_OPEN, 0, 0, 0, &la)) {
		conc_fail(c, "io %d: set-up", k);
		return NULL;
	}
	lfd = la.fd;
	for (seed = 1; !c->stop; seed++) {
		size_t n = 4096 * (1 + rand_r(&rnd) % 16);
		off_t off = 4096 * (rand_r(&rnd) % (16 * MiB / 4096 - 16));
		int direct = seed & 1;
		int fd = lfd;

		if (direct) {
			char p[64];

			snprintf(p, sizeof(p), "/proc/self/fd/%d", lfd);
			fd = open(p, O_RDWR | O_DIRECT | O_CLOEXEC);
			if (fd < 0) {
				conc_fail(c, "io %d: reopen: %m", k);
				break;
			}
		}
		pat_fill(buf, n, seed + 1000 * k, off);
		if (pwrite(fd, buf, n, off) != (ssize_t)n) {
			conc_fail(c, "io %d: write: %m", k);
		} else {
			memset(buf, 0, n);
			if (pread(fd, buf, n, off) != (ssize_t)n ||
			    pat_check(buf, n, seed + 1000 * k, off) != -1)
				conc_fail(c, "io %d: read back (seed %u)", k,
					  seed);
		}
		if (direct)
			close(fd);
	}
	close(lfd);
	close(bfd);
	free(buf);
	return NULL;
}

/* Attach and detach devices of container B, busy or not. */
static void *conc_churn(void *arg)
{
	struct conc *c = arg;
	char path[PATH_MAX], blk[4096];
	struct loop_att la;
	int bfd, i, r;

	snprintf(path, sizeof(path), "%s/churn.img", c->self->dir);
	bfd = make_file(path, 4 * MiB, 0600);
	if (bfd < 0) {
		conc_fail(c, "churn: file");
		return NULL;
	}
	for (i = 0; !c->stop; i++) {
		r = loop_attach(c->self->dev, c->self->id_b, NULL, bfd,
				(i & 1) ? CTNR_LOOP_F_OPEN : 0, 0, 0, 0, &la);
		if (r == -EDQUOT || r == -ENOSPC)
			continue;
		if (r) {
			conc_fail(c, "churn: attach: %s", strerror(-r));
			break;
		}
		if (i & 1) {
			if (pread(la.fd, blk, sizeof(blk), 4096 * i % MiB) !=
			    sizeof(blk))
				conc_fail(c, "churn: read: %m");
			r = loop_detach(c->self->dev, la.index,
					(i & 2) ? CTNR_LOOP_DETACH_F_LAZY : 0);
			close(la.fd);
		} else {
			r = loop_detach(c->self->dev, la.index, 0);
		}
		if (r) {
			conc_fail(c, "churn: detach: %s", strerror(-r));
			break;
		}
	}
	close(bfd);
	return NULL;
}

/* Register containers on A's cgroup, give them devices, delete them. */
static void *conc_ctnrs(void *arg)
{
	struct conc *c = arg;
	char path[PATH_MAX], name[CTNR_NAME_MAX];
	struct ctnr_nl nl;
	struct ctnr_ctr ctr;
	struct loop_att la, lb;
	int bfd, i, r, lfd;

	if (ctnr_nl_open(&nl)) {
		conc_fail(c, "ctnrs: netlink");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/ctnrs.img", c->self->dir);
	bfd = make_file(path, 4 * MiB, 0600);
	for (i = 0; !c->stop && bfd >= 0; i++) {
		snprintf(name, sizeof(name), "loopc-%d-%d", getpid(), i);
		r = ctnr_new(&nl, name, c->self->pid_a, 0, &ctr);
		if (r) {
			conc_fail(c, "ctnrs: register: %s", strerror(-r));
			break;
		}
		if (loop_attach(c->self->dev, ctr.id, NULL, bfd, 0, 0, 0, 0,
				&la) ||
		    loop_attach(c->self->dev, ctr.id, NULL, bfd,
				CTNR_LOOP_F_OPEN, 0, 0, 0, &lb)) {
			conc_fail(c, "ctnrs: attach");
			ctnr_del_id(&nl, ctr.id);
			break;
		}
		lfd = loop_open(la.index, O_RDONLY);
		if (ctnr_del_id(&nl, ctr.id))
			conc_fail(c, "ctnrs: delete");
		if (lfd >= 0)
			close(lfd);
		close(lb.fd);
		if (loop_wait_gone(la.index, 10000) ||
		    loop_wait_gone(lb.index, 10000))
			conc_fail(c, "ctnrs: devices of a deleted container stay");
	}
	if (bfd >= 0)
		close(bfd);
	ctnr_nl_close(&nl);
	return NULL;
}

TEST_F_TIMEOUT(loop, concurrency, 300)
{
	struct conc c = { .self = self };
	pthread_t t[6];
	int i, n = 0;

	pthread_mutex_init(&c.lock, NULL);
	ASSERT_EQ(0, loop_quota_set(&self->nl, self->id_b, 64));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&t[n++], NULL, conc_io, &c));
	ASSERT_EQ(0, pthread_create(&t[n++], NULL, conc_churn, &c));
	ASSERT_EQ(0, pthread_create(&t[n++], NULL, conc_churn, &c));
	ASSERT_EQ(0, pthread_create(&t[n++], NULL, conc_ctnrs, &c));
	sleep_ms(15000);
	c.stop = 1;
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, c.errors) {
		TH_LOG("%d errors, first: %s", c.errors, c.err);
	}
}

/* A fixture defined last, so that its test runs after the others. */
FIXTURE(zz_after_all) {
	int unused;
};

FIXTURE_SETUP(zz_after_all)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(zz_after_all)
{
}

/* after all of the above, nothing of ctnrloop remains */
TEST_F(zz_after_all, no_leak)
{
	struct loop_list l;
	struct ctnr_nl nl;
	long long d, f;

	ASSERT_EQ(0, ctnr_nl_open(&nl));
	ASSERT_EQ(0, loop_dump(&nl, 0, NULL, &l));
	EXPECT_EQ(0, l.n);
	ASSERT_EQ(0, loop_counters_wait(0, 0, 20000)) {
		d = loop_counter("loop_devices");
		f = loop_counter("loop_file_refs");
		TH_LOG("loop_devices %lld, loop_file_refs %lld", d, f);
	}
	ctnr_nl_close(&nl);
}

TEST_HARNESS_MAIN
