// SPDX-License-Identifier: GPL-2.0
/*
 * kmsg: the syslog namespace (issue 5).
 *
 * Every test gets its own container kt<pid>-a, registered from the test
 * process after it moved into cgroup /ctnrtest-kmsg-<pid>; the test process
 * then goes back to the root cgroup.  "Being in the container" means
 * joining that cgroup again (ENTER()), which is all /dev/ctnr-kmsg looks at:
 *
 *   root cgroup: test process ---- netlink: LOG_GET, LOG_CLEAR, SET size
 *        `- /ctnrtest-kmsg-<pid>    container kt<pid>-a
 *             `- children (or the test process after ENTER())
 *                  open /dev/ctnr-kmsg, maybe bind-mounted on /dev/kmsg
 *
 * Each /dev/kmsg behaviour has its own test, checked against what
 * kernel/printk/printk.c (6.1) does for /dev/kmsg.  The write rate limit is
 * off (log_rate=0) except in the test of the rate limit; the module
 * parameters are restored afterwards.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/epoll.h>
#include <grp.h>
#include <poll.h>
#include <sys/utsname.h>
#include <linux/capability.h>
#include "ctnr_test.h"

#define KMSG_PATH	"/dev/" CTNR_KMSG_DEVICE_NAME
#define PARAMS		"/sys/module/ctnr/parameters/"
#define TEXT_MAX	1024	/* bigger than the longest record text */
#define OUT_MAX		8192	/* CONSOLE_EXT_LOG_MAX, the most a read gives */
#define NO_SUCH_ID	0x7ffffff0U
#define CG_PREFIX	"ctnrtest-kmsg-"

/*
 * The longest write /dev/kmsg of the running kernel takes: LOG_LINE_MAX
 * (1024 less a prefix reserve of 32, 48 with CONFIG_PRINTK_CALLER) before
 * 6.3, PRINTKRB_RECORD_MAX (1024) since.  A record keeps one byte less.
 * kmsg.write_limits_match_dev_kmsg checks this against /dev/kmsg itself.
 */
static int kmsg_write_max(void)
{
	char path[128], line[128];
	struct utsname u;
	int maj = 0, min = 0, caller = 0;
	FILE *f;

	if (uname(&u) || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return -1;
	if (maj > 6 || (maj == 6 && min >= 3))
		return 1024;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			caller |= !strcmp(line, "CONFIG_PRINTK_CALLER=y\n");
		fclose(f);
	}
	return 1024 - (caller ? 48 : 32);
}

/* CLOCK_BOOTTIME in ns: the first sequence number of a log made now */
static unsigned long long boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* records as read from the device                                    */

struct krec {
	unsigned int prio;
	unsigned long long seq, ts;
	char flag;
	char text[OUT_MAX];	/* still escaped */
	ssize_t len;		/* bytes read() returned */
};

/* Parse "prio,seq,ts,flag;text\n"; -EPROTO if it is not that. */
static int krec_parse(const char *buf, ssize_t n, struct krec *r)
{
	const char *semi, *text;
	int pos = 0;

	memset(r, 0, sizeof(*r));
	r->len = n;
	if (n < 2 || buf[n - 1] != '\n')
		return -EPROTO;
	if (memchr(buf, '\n', n - 1))		/* exactly one record */
		return -EPROTO;
	semi = memchr(buf, ';', n);
	if (!semi)
		return -EPROTO;
	if (sscanf(buf, "%u,%llu,%llu,%c;%n", &r->prio, &r->seq, &r->ts,
		   &r->flag, &pos) != 4 || buf + pos != semi + 1)
		return -EPROTO;
	if (r->flag != '-' && r->flag != 'c')
		return -EPROTO;
	text = semi + 1;
	if ((size_t)(buf + n - 1 - text) >= sizeof(r->text))
		return -EPROTO;
	memcpy(r->text, text, buf + n - 1 - text);
	r->text[buf + n - 1 - text] = '\0';
	return 0;
}

/* One read() of up to @len bytes; bytes read or -errno (-EPROTO: junk). */
static ssize_t kread_len(int fd, struct krec *r, size_t len)
{
	char buf[OUT_MAX + 64];
	ssize_t n;

	if (len > sizeof(buf))
		len = sizeof(buf);
	n = read(fd, buf, len);
	if (n < 0)
		return -errno;
	if (n == 0) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	return krec_parse(buf, n, r) ? -EPROTO : n;
}

static ssize_t kread(int fd, struct krec *r)
{
	return kread_len(fd, r, 8192);
}

static int kwrite(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	if (n < 0)
		return -errno;
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static int kopen(int flags)
{
	int fd = open(KMSG_PATH, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Read records until one whose text is @text; its seq or -errno. */
static long long kfind(int fd, const char *text, struct krec *out)
{
	struct krec r;
	ssize_t n;

	for (;;) {
		n = kread(fd, &r);
		if (n == -EPIPE)
			continue;
		if (n <= 0)
			return n ? n : -ENODATA;
		if (!strcmp(r.text, text)) {
			if (out)
				*out = r;
			return (long long)r.seq;
		}
	}
}

/*
 * Look for @needle in the host's /dev/kmsg (raw records: they may carry
 * dictionary lines); 1 found (*ts its timestamp), 0 not, -errno.
 */
static int host_log_find(const char *needle, unsigned long long *ts)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char buf[16384];
	unsigned int prio;
	unsigned long long seq;
	ssize_t n;

	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && (errno == EPIPE || errno == EINVAL))
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (!strstr(buf, needle))
			continue;
		if (ts && sscanf(buf, "%u,%llu,%llu,", &prio, &seq, ts) != 3)
			*ts = 0;
		close(fd);
		return 1;
	}
	n = n < 0 && errno != EAGAIN ? -errno : 0;
	close(fd);
	return (int)n;
}

/* ------------------------------------------------------------------ */
/* netlink: LOG_GET, LOG_CLEAR, the size                              */

struct lrec {
	uint32_t id, fac, lvl, flags;
	uint64_t seq, ts;
	int len;
	char text[TEXT_MAX + 1];
};

struct lset {
	struct lrec *r;
	int n, max;
	int bad;
};

static int lset_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct lset *s = arg;
	struct lrec *r;
	int len;

	if (cmd != CTNR_CMD_LOG_GET || !tb[CTNR_A_ID] || !tb[CTNR_A_LOG_SEQ] ||
	    !tb[CTNR_A_LOG_TS] || !tb[CTNR_A_LOG_FACILITY] ||
	    !tb[CTNR_A_LOG_LEVEL] || !tb[CTNR_A_LOG_FLAGS] ||
	    !tb[CTNR_A_LOG_TEXT]) {
		s->bad++;
		return -EPROTO;
	}
	len = nla_len(tb[CTNR_A_LOG_TEXT]);
	if (len > TEXT_MAX) {
		s->bad++;
		return -EPROTO;
	}
	if (s->n == s->max) {
		int max = s->max ? 2 * s->max : 256;
		struct lrec *p = realloc(s->r, max * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->r = p;
		s->max = max;
	}
	r = &s->r[s->n++];
	r->id = nla_get_u32(tb[CTNR_A_ID]);
	r->seq = nla_get_u64(tb[CTNR_A_LOG_SEQ]);
	r->ts = nla_get_u64(tb[CTNR_A_LOG_TS]);
	r->fac = nla_get_u32(tb[CTNR_A_LOG_FACILITY]);
	r->lvl = nla_get_u32(tb[CTNR_A_LOG_LEVEL]);
	r->flags = nla_get_u32(tb[CTNR_A_LOG_FLAGS]);
	r->len = len;
	memcpy(r->text, nla_data(tb[CTNR_A_LOG_TEXT]), len);
	r->text[len] = '\0';
	return 0;
}

/* LOG_GET of container @id (or @name), from @seq (< 0: not given). */
static int log_get(struct ctnr_nl *nl, uint32_t id, const char *name,
		   long long seq, struct lset *s)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_LOG_GET, NLM_F_DUMP);

	s->n = 0;
	s->bad = 0;
	if (!msg)
		return -ENOMEM;
	if ((id && nla_put_u32(msg, CTNR_A_ID, id)) ||
	    (name && nla_put_string(msg, CTNR_A_NAME, name)) ||
	    (seq >= 0 && nla_put_u64(msg, CTNR_A_LOG_SEQ, seq))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, lset_cb, s);
}

/* Index of the first record of @s with text @text, or -1. */
static int lset_find(const struct lset *s, const char *text)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->r[i].text, text))
			return i;
	return -1;
}

static int log_clear(struct ctnr_nl *nl, uint32_t id)
{
	struct ctnr_req rq = { .set = REQ_BIT(CTNR_A_ID), .id = id };

	return ctnr_request(nl, CTNR_CMD_LOG_CLEAR, &rq, NULL);
}

static int log_set_size(struct ctnr_nl *nl, uint32_t id, uint32_t size)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id) ||
	    nla_put_u32(msg, CTNR_A_LOG_SIZE, size)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

struct log_info {
	int have;
	uint32_t size;
	uint64_t dropped;
};

static int log_info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct log_info *li = arg;

	(void)cmd;
	if (tb[CTNR_A_LOG_SIZE] && tb[CTNR_A_LOG_DROPPED]) {
		li->have = 1;
		li->size = nla_get_u32(tb[CTNR_A_LOG_SIZE]);
		li->dropped = nla_get_u64(tb[CTNR_A_LOG_DROPPED]);
	}
	return 0;
}

static int log_info(struct ctnr_nl *nl, uint32_t id, struct log_info *li)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_GET, 0);
	int r;

	memset(li, 0, sizeof(*li));
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CTNR_A_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	r = ctnr_nl_xfer(nl, msg, log_info_cb, li);
	return r ? r : li->have ? 0 : -EPROTO;
}

/* A LOG_DROPPED event about @id on an events socket. */
struct drop_wait {
	uint32_t id;
	int found;
	uint64_t dropped;
};

static int drop_seq_ok(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;		/* events carry no sequence number */
}

static int drop_event_cb(struct nl_msg *msg, void *arg)
{
	struct drop_wait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[CTNR_A_MAX + 1];

	if (gh->cmd != CTNR_CMD_EVENT ||
	    genlmsg_parse(nlh, 0, tb, CTNR_A_MAX, NULL) < 0 ||
	    !tb[CTNR_A_EVENT] || !tb[CTNR_A_ID] || !tb[CTNR_A_LOG_DROPPED])
		return NL_OK;
	if (nla_get_u32(tb[CTNR_A_EVENT]) == CTNR_EVENT_LOG_DROPPED &&
	    nla_get_u32(tb[CTNR_A_ID]) == w->id) {
		w->found++;
		w->dropped = nla_get_u64(tb[CTNR_A_LOG_DROPPED]);
	}
	return NL_OK;
}

/* Count LOG_DROPPED events for @id arriving within @ms. */
static int drop_events(struct ctnr_nl *ev, uint32_t id, int ms,
		       uint64_t *dropped)
{
	struct drop_wait w = { .id = id };
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev->sk), .events = POLLIN };
	int64_t end = now_ms() + ms;
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, drop_seq_ok, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, drop_event_cb, &w);
	for (;;) {
		int64_t left = end - now_ms();

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) > 0)
			nl_recvmsgs(ev->sk, cb);
	}
	nl_cb_put(cb);
	if (dropped)
		*dropped = w.dropped;
	return w.found;
}

/* ------------------------------------------------------------------ */
/* the fixture                                                        */

static int param_get(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	n = read_str(path, buf, len);
	if (n < 0)
		return n;
	chomp(buf);
	return 0;
}

static int param_set(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	return write_str(path, val);
}

static int cg_leave(void)
{
	const char *root = cg2_root();

	return root ? cg_enter(root, getpid()) : -ENOENT;
}

/* Register container @name from a task in cgroup @cg (the caller). */
static int register_in(struct ctnr_nl *nl, const char *cg, const char *name,
		       uint32_t *id)
{
	struct ctnr_ctr c;
	int r;

	r = cg_enter(cg, getpid());
	if (r)
		return r;
	r = ctnr_new(nl, name, getpid(), 0, &c);
	cg_leave();
	if (!r)
		*id = c.id;
	return r;
}

FIXTURE(kmsg) {
	struct ctnr_nl nl;
	char cg[PATH_MAX];
	char cg2[PATH_MAX];	/* a second container's, made on demand */
	char name[64];
	char prefix[32];
	uint32_t id;
	char rate[32], burst[32], size[32];
};

FIXTURE_SETUP(kmsg)
{
	char rel[64];
	int r;

	self->cg2[0] = '\0';
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("netlink: %s (is the module loaded?)", strerror(-r));
	}
	ASSERT_EQ(0, access(KMSG_PATH, F_OK)) {
		TH_LOG("%m - " KMSG_PATH);
	}
	ASSERT_EQ(0, param_get("log_rate", self->rate, sizeof(self->rate)));
	ASSERT_EQ(0, param_get("log_burst", self->burst, sizeof(self->burst)));
	ASSERT_EQ(0, param_get("log_size", self->size, sizeof(self->size)));
	ASSERT_EQ(0, param_set("log_rate", "0"));
	snprintf(self->prefix, sizeof(self->prefix), "kt%d-", getpid());
	snprintf(self->name, sizeof(self->name), "%sa", self->prefix);
	snprintf(rel, sizeof(rel), CG_PREFIX "%d", getpid());
	r = cg_create(rel, self->cg, sizeof(self->cg));
	ASSERT_EQ(0, r) {
		TH_LOG("cgroup %s: %s", rel, strerror(-r));
	}
	r = register_in(&self->nl, self->cg, self->name, &self->id);
	ASSERT_EQ(0, r) {
		TH_LOG("register %s: %s %s", self->name, strerror(-r),
		       self->nl.ext_msg);
	}
}

FIXTURE_TEARDOWN(kmsg)
{
	cg_leave();
	ctnr_del_prefix(&self->nl, self->prefix);
	param_set("log_rate", self->rate);
	param_set("log_burst", self->burst);
	param_set("log_size", self->size);
	cg_remove(self->cg);
	if (self->cg2[0])
		cg_remove(self->cg2);
	ctnr_nl_close(&self->nl);
}

#define ENTER() ASSERT_EQ(0, cg_enter(self->cg, getpid()))
#define LEAVE() ASSERT_EQ(0, cg_leave())

#define ASSERT_NL_REJECT(err, call) do {				\
	int __r = (call);						\
	ASSERT_EQ(err, __r) {						\
		TH_LOG("%s: %d (%s) \"%s\"", #call, __r,		\
		       strerror(-__r), self->nl.ext_msg);		\
	}								\
	ASSERT_NE(0, self->nl.ext_msg[0]) {				\
		TH_LOG("%s: no extack message", #call);		\
	}								\
} while (0)

/* A second container, kt<pid>-b on its own cgroup. */
static int second_container(FIXTURE_DATA(kmsg) *self, uint32_t *id)
{
	char rel[64], name[64];
	int r;

	snprintf(rel, sizeof(rel), CG_PREFIX "%d-b", getpid());
	r = cg_create(rel, self->cg2, sizeof(self->cg2));
	if (r) {
		self->cg2[0] = '\0';
		return r;
	}
	snprintf(name, sizeof(name), "%sb", self->prefix);
	return register_in(&self->nl, self->cg2, name, id);
}

/* ------------------------------------------------------------------ */
/* binding                                                            */

/*
 * The debugfs counter @name once it is @want, or its value after @ms: a
 * deleted container is released after an RCU grace period, from a work
 * item, so its counters drop a little after the last reference went.
 */
static long long counter_settles(const char *name, long long want, int ms)
{
	int64_t end = now_ms() + ms;
	long long v;

	while ((v = ctnr_counter(name)) != want && now_ms() < end)
		sleep_ms(20);
	return v;
}

/* outside every container, open() gives ENOENT */
TEST_F(kmsg, open_outside_container_enoent)
{
	ASSERT_EQ(-ENOENT, kopen(O_RDONLY));
	ASSERT_EQ(-ENOENT, kopen(O_WRONLY));
}

/* a container registered on the root cgroup never binds */
TEST_F(kmsg, root_cgroup_container_never_binds)
{
	char name[64];
	struct ctnr_ctr c;
	int r;

	snprintf(name, sizeof(name), "%sroot", self->prefix);
	r = ctnr_new(&self->nl, name, getpid(), 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("register on the root cgroup: %s %s", strerror(-r),
		       self->nl.ext_msg);
	}
	ASSERT_EQ(-ENOENT, kopen(O_RDONLY));
	ASSERT_EQ(-ENOENT, kopen(O_WRONLY));
}

/* a task in a sub-cgroup of the container's binds to the container */
TEST_F(kmsg, open_binds_to_innermost_container)
{
	char sub[PATH_MAX + 8], rel[80];
	struct krec r;
	int fd;

	snprintf(rel, sizeof(rel), CG_PREFIX "%d/sub", getpid());
	ASSERT_EQ(0, cg_create(rel, sub, sizeof(sub)));
	ASSERT_EQ(0, cg_enter(sub, getpid()));
	fd = kopen(O_RDWR);
	LEAVE();
	ASSERT_GE(fd, 0) {
		TH_LOG("open in a sub-cgroup: %s", strerror(-fd));
	}
	ASSERT_EQ(0, kwrite(fd, "from-sub"));
	ASSERT_LE(0, kfind(fd, "from-sub", &r));
	close(fd);
	ASSERT_EQ(0, cg_remove(sub));
}

/* ------------------------------------------------------------------ */
/* reading                                                            */

/* the first record of a new log says whose it is; kern.info */
TEST_F(kmsg, first_record_is_the_banner)
{
	char want[160];
	struct krec r;
	int fd;

	unsigned long long t0 = boottime_ns(), t1;

	ENTER();
	fd = kopen(O_RDONLY | O_NONBLOCK);
	t1 = boottime_ns();
	ASSERT_GE(fd, 0);
	ASSERT_LT(0, kread(fd, &r));
	snprintf(want, sizeof(want), "ctnr: log of container %s (id %u) started",
		 self->name, self->id);
	EXPECT_STREQ(want, r.text);
	/* numbered from the boot time (ns) at which the log was made */
	EXPECT_LE(t0, r.seq);
	EXPECT_GE(t1, r.seq);
	EXPECT_EQ(6U, r.prio);		/* LOG_KERN | LOG_INFO */
	EXPECT_EQ('-', r.flag);
	close(fd);
}

/* "prio,seq,ts_usec,flags;text\n", ts on the clock of /dev/kmsg */
TEST_F(kmsg, record_format)
{
	char tag[64], host_tag[64], buf[OUT_MAX];
	unsigned long long host_ts = 0, first;
	struct krec r;
	int fd, host;
	ssize_t n;

	snprintf(host_tag, sizeof(host_tag), "kmsg-host-clock-%d", getpid());
	snprintf(buf, sizeof(buf), "%s\n", host_tag);
	host = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	ASSERT_GE(host, 0);
	/*
	 * With a newline: printk keeps a record without one open for
	 * continuation, invisible to readers until the next record.
	 */
	ASSERT_EQ(0, kwrite(host, buf));
	close(host);
	ASSERT_EQ(1, host_log_find(host_tag, &host_ts));

	ENTER();
	fd = kopen(O_RDWR);
	ASSERT_GE(fd, 0);
	snprintf(tag, sizeof(tag), "<4>format-%d", getpid());
	ASSERT_EQ(0, kwrite(fd, tag));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	n = read(fd, buf, sizeof(buf));		/* the banner */
	ASSERT_LT(0, n);
	ASSERT_EQ(0, krec_parse(buf, n, &r));
	first = r.seq;
	n = read(fd, buf, sizeof(buf));
	ASSERT_LT(0, n);
	buf[n] = '\0';
	ASSERT_EQ(0, krec_parse(buf, n, &r)) {
		TH_LOG("not a /dev/kmsg record: \"%s\"", buf);
	}
	EXPECT_EQ(first + 1, r.seq);
	EXPECT_EQ(12U, r.prio);		/* LOG_USER << 3 | 4 */
	EXPECT_EQ('-', r.flag);
	EXPECT_STREQ(tag + 3, r.text);
	/* the same clock as /dev/kmsg: after the host record, not long */
	EXPECT_LE(host_ts, r.ts);
	EXPECT_LT(r.ts - host_ts, 5000000ULL) {
		TH_LOG("host record at %llu us, ours at %llu us", host_ts,
		       r.ts);
	}
	close(fd);
}

/* each read() returns exactly one record, however big the buffer */
TEST_F(kmsg, one_record_per_read)
{
	static const char *const lines[] = { "one", "two", "three" };
	struct krec r;
	size_t i;
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	for (i = 0; i < ARRAY_SIZE(lines); i++)
		ASSERT_EQ(0, kwrite(fd, lines[i]));
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		ASSERT_LT(0, kread_len(fd, &r, 65536));
		EXPECT_STREQ(lines[i], r.text);
	}
	EXPECT_EQ(-EAGAIN, kread(fd, &r));
	close(fd);
}

/* a buffer too small gives EINVAL and, as /dev/kmsg, skips the record */
TEST_F(kmsg, short_buffer_einval)
{
	struct krec r;
	char small[8];
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, kwrite(fd, "a record longer than eight bytes"));
	ASSERT_EQ(0, kwrite(fd, "next"));
	ASSERT_EQ(-1, read(fd, small, sizeof(small)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_STREQ("next", r.text);
	close(fd);
}

/* EPIPE once when the reader's records were overwritten, then the oldest */
TEST_F(kmsg, epipe_after_overwrite_then_oldest)
{
	struct lset s = { 0 };
	char line[80];
	struct krec r;
	int fd, i;

	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 4096));
	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	for (i = 0; i < 400; i++) {
		snprintf(line, sizeof(line), "overwrite-%d", i);
		ASSERT_EQ(0, kwrite(fd, line));
	}
	ASSERT_EQ(-EPIPE, kread(fd, &r));
	ASSERT_LT(0, kread(fd, &r));
	LEAVE();
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	ASSERT_LT(0, s.n);
	/* resumed at the oldest record still there, no second EPIPE */
	EXPECT_EQ(s.r[0].seq, r.seq);
	EXPECT_STREQ(s.r[0].text, r.text);
	for (i = 1; i < s.n; i++) {
		struct krec next;

		ASSERT_LT(0, kread(fd, &next));
		EXPECT_EQ(s.r[i].seq, next.seq);
	}
	EXPECT_EQ(-EAGAIN, kread(fd, &r));
	EXPECT_STREQ("overwrite-399", s.r[s.n - 1].text);
	free(s.r);
	close(fd);
}

/* O_NONBLOCK with nothing new gives EAGAIN */
TEST_F(kmsg, nonblock_eagain)
{
	struct krec r;
	int fd;

	ENTER();
	fd = kopen(O_RDONLY | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(-EAGAIN, kread(fd, &r));
	close(fd);
}

struct bg_read {
	int fd;
	ssize_t n;
	struct krec r;
};

static void *bg_read_fn(void *arg)
{
	struct bg_read *b = arg;

	b->n = kread(b->fd, &b->r);
	return NULL;
}

/* a blocking read sleeps until a record comes */
TEST_F(kmsg, blocking_read_waits_for_a_record)
{
	struct bg_read b = { 0 };
	pthread_t t;
	int fd, w;

	ENTER();
	fd = kopen(O_RDONLY);
	w = kopen(O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_GE(w, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	b.fd = fd;
	b.n = -1000;
	ASSERT_EQ(0, pthread_create(&t, NULL, bg_read_fn, &b));
	sleep_ms(200);
	EXPECT_EQ(-1000, b.n);		/* still waiting */
	ASSERT_EQ(0, kwrite(w, "wake up"));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_LT(0, b.n);
	EXPECT_STREQ("wake up", b.r.text);
	close(fd);
	close(w);
}

/* poll(): nothing, POLLIN|POLLRDNORM, then POLLERR|POLLPRI on overwrite */
TEST_F(kmsg, poll_in_and_err)
{
	struct pollfd p;
	char line[64];
	struct krec r;
	int fd, w, i;

	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 4096));
	ENTER();
	fd = kopen(O_RDONLY | O_NONBLOCK);
	w = kopen(O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_GE(w, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	p = (struct pollfd){ .fd = fd,
			     .events = POLLIN | POLLRDNORM | POLLPRI };
	ASSERT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, kwrite(w, "poll me"));
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents) {
		TH_LOG("revents %#x", p.revents);
	}
	for (i = 0; i < 400; i++) {
		snprintf(line, sizeof(line), "flood-%d", i);
		ASSERT_EQ(0, kwrite(w, line));
	}
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLERR | POLLPRI, p.revents) {
		TH_LOG("revents %#x", p.revents);
	}
	ASSERT_EQ(-EPIPE, kread(fd, &r));
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents);
	close(fd);
	close(w);
}

/* poll() wakes a sleeper when a record comes */
TEST_F(kmsg, poll_wakes_up)
{
	struct pollfd p;
	pid_t pid;
	int fd;

	ENTER();
	fd = kopen(O_RDONLY | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int w = kopen(O_WRONLY);

		sleep_ms(300);
		_exit(w < 0 || kwrite(w, "late"));
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 10000));
	EXPECT_TRUE(!!(p.revents & POLLIN));
	ASSERT_EQ(0, wait_pid_timeout(pid, NULL, 10000));
	close(fd);
}

/* lseek: SEEK_SET the oldest, SEEK_END after the newest, others refused */
TEST_F(kmsg, lseek_set_and_end)
{
	struct lset s = { 0 };
	struct krec r;
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "before-end"));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(-EAGAIN, kread(fd, &r));
	ASSERT_EQ(0, kwrite(fd, "after-end"));
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_STREQ("after-end", r.text);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_LT(0, kread(fd, &r));
	LEAVE();
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	ASSERT_LT(0, s.n);
	EXPECT_EQ(s.r[0].seq, r.seq);
	/* only offset 0 means anything, and only these three */
	EXPECT_EQ(-1, lseek(fd, 1, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_CUR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_HOLE));
	EXPECT_EQ(EINVAL, errno);
	free(s.r);
	close(fd);
}

/* SEEK_DATA: the first record after the last LOG_CLEAR */
TEST_F(kmsg, lseek_data_after_clear)
{
	unsigned long long first;
	struct krec r;
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "before-clear"));
	/* never cleared: SEEK_DATA is the oldest record, as SEEK_SET */
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_LT(0, kread(fd, &r));
	first = r.seq;
	ASSERT_EQ(0, lseek(fd, 0, SEEK_DATA));
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_EQ(first, r.seq);
	LEAVE();
	ASSERT_EQ(0, log_clear(&self->nl, self->id)) {
		TH_LOG("LOG_CLEAR: %s", self->nl.ext_msg);
	}
	ASSERT_EQ(0, kwrite(fd, "after-clear"));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_DATA));
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_STREQ("ctnr: log cleared", r.text);
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_STREQ("after-clear", r.text);
	/* the records before stay readable from SEEK_SET */
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_LT(0, kfind(fd, "before-clear", NULL));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* writing                                                            */

static unsigned int default_level(void)
{
	char buf[64];
	unsigned int cons, def = 4;

	if (read_str("/proc/sys/kernel/printk", buf, sizeof(buf)) > 0)
		sscanf(buf, "%u %u", &cons, &def);
	return def & 7;
}

/* Write @in; read back the record; compare prio and escaped text. */
#define CHECK_WRITE(fd, in, inlen, want_prio, want_text) do {		\
	struct krec __r;						\
	ASSERT_EQ((ssize_t)(inlen), write(fd, in, inlen)) {		\
		TH_LOG("write \"%s\": %m", in);				\
	}								\
	ASSERT_LT(0, kread(fd, &__r));					\
	EXPECT_EQ((unsigned int)(want_prio), __r.prio) {		\
		TH_LOG("write \"%s\"", in);				\
	}								\
	EXPECT_STREQ(want_text, __r.text);				\
} while (0)

/* the "<N>" prefix sets facility and level; user facility by default */
TEST_F(kmsg, write_priority_prefix)
{
	unsigned int def = default_level();
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	CHECK_WRITE(fd, "<4>hello", 8, 8 + 4, "hello");
	CHECK_WRITE(fd, "<0>emerg", 8, 8 + 0, "emerg");
	CHECK_WRITE(fd, "<27>daemon err", 14, 27, "daemon err");
	CHECK_WRITE(fd, "<191>local7 debug", 17, 191, "local7 debug");
	CHECK_WRITE(fd, "plain", 5, 8 + def, "plain");
	/* facility 0 (kern) cannot be claimed: it stays user */
	CHECK_WRITE(fd, "<6>not kern", 11, 8 + 6, "not kern");
	/* "<>" is level 0 (simple_strtoul of nothing), as /dev/kmsg */
	CHECK_WRITE(fd, "<>empty", 7, 8, "empty");
	/* not a prefix: kept as text */
	CHECK_WRITE(fd, "<4x>no", 6, 8 + def, "<4x>no");
	CHECK_WRITE(fd, " <4>late", 8, 8 + def, " <4>late");
	close(fd);
}

/* the text is kept as written: one record per write, escaped on read */
TEST_F(kmsg, write_one_record_escaped)
{
	unsigned int def = default_level();
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	/* one trailing newline goes, embedded ones stay (as \x0a) */
	CHECK_WRITE(fd, "<5>a\nb\n", 7, 13, "a\\x0ab");
	CHECK_WRITE(fd, "two\n\n", 5, 8 + def, "two\\x0a");
	CHECK_WRITE(fd, "tab\there", 8, 8 + def, "tab\\x09here");
	CHECK_WRITE(fd, "back\\slash", 10, 8 + def, "back\\x5cslash");
	CHECK_WRITE(fd, "hi\x01\x7f\xff", 5, 8 + def, "hi\\x01\\x7f\\xff");
	close(fd);
}

/* garbage writes: NULs, no newline, only a prefix, too long, empty */
TEST_F(kmsg, write_garbage)
{
	unsigned int def = default_level();
	char big[TEXT_MAX + 2], want[TEXT_MAX + 1];
	int max = kmsg_write_max();
	struct lset s = { 0 };
	struct krec r;
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_END));
	/* as printk's "%s": up to the first NUL */
	CHECK_WRITE(fd, "ab\0cd", 5, 8 + def, "ab");
	CHECK_WRITE(fd, "\0abc", 4, 8 + def, "");
	CHECK_WRITE(fd, "no newline", 10, 8 + def, "no newline");
	CHECK_WRITE(fd, "<3>", 3, 8 + 3, "");
	CHECK_WRITE(fd, "<3>\n", 4, 8 + 3, "");
	/* simple_strtoul() wraps; 32 bits kept: facility 255, level 7 */
	CHECK_WRITE(fd, "<99999999999999999999>x", 23, 2047, "x");
	/* an empty write is an empty record, as /dev/kmsg */
	ASSERT_EQ(0, write(fd, "", 0));
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_STREQ("", r.text);
	/*
	 * The longest write /dev/kmsg takes keeps one byte less (printk's
	 * record reserves room for a NUL); one byte more is EINVAL.
	 */
	ASSERT_LT(0, max);
	memset(big, 'x', sizeof(big));
	ASSERT_EQ(max, write(fd, big, max));
	ASSERT_LT(0, kread(fd, &r));
	memset(want, 'x', max - 1);
	want[max - 1] = '\0';
	EXPECT_STREQ(want, r.text);
	ASSERT_EQ(-1, write(fd, big, max + 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-EAGAIN, kread(fd, &r));
	/* the exact bytes through netlink */
	LEAVE();
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	ASSERT_LT(0, s.n);
	EXPECT_EQ(max - 1, s.r[s.n - 1].len);
	free(s.r);
	close(fd);
}

/* write-only needs no CAP_SYSLOG; read on it is EBADF */
TEST_F(kmsg, write_only_open)
{
	char buf[64];
	int fd;

	ENTER();
	fd = kopen(O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "w only"));
	ASSERT_EQ(-1, read(fd, buf, sizeof(buf)));
	ASSERT_EQ(EBADF, errno);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* the rate limit                                                     */

/* past the burst, writes are dropped, counted, announced and evented */
TEST_F_TIMEOUT(kmsg, write_rate_limit, 60)
{
	struct ctnr_nl ev;
	struct log_info li;
	struct lset s = { 0 };
	char line[64];
	int fd, i, n, note, sum;
	uint64_t evdropped;

	ASSERT_EQ(0, ctnr_events_open(&ev));
	ASSERT_EQ(0, param_set("log_rate", "2"));
	ASSERT_EQ(0, param_set("log_burst", "10"));
	/* a fresh log starts with a full bucket */
	ENTER();
	fd = kopen(O_WRONLY);
	ASSERT_GE(fd, 0);
	for (i = 0; i < 50; i++) {
		snprintf(line, sizeof(line), "rl-%d", i);
		ASSERT_EQ(0, kwrite(fd, line));	/* dropped ones too */
	}
	LEAVE();
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	for (i = 0, n = 0; i < s.n; i++)
		n += !strncmp(s.r[i].text, "rl-", 3);
	EXPECT_LE(10, n);
	EXPECT_GE(12, n) {
		TH_LOG("%d of 50 writes went in with burst 10, rate 2/s", n);
	}
	ASSERT_EQ(0, log_info(&self->nl, self->id, &li));
	EXPECT_EQ((uint64_t)(50 - n), li.dropped);
	/* one event for the burst of drops (they are rate-limited too) */
	i = drop_events(&ev, self->id, 1500, &evdropped);
	ASSERT_LE(1, i);
	ASSERT_GE(2, i);
	EXPECT_LE(1U, evdropped);
	EXPECT_GE((uint64_t)(50 - n), evdropped);
	/* after a refill the next write says how many were lost */
	sleep_ms(1100);
	ASSERT_EQ(0, kwrite(fd, "rl-after"));
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	i = lset_find(&s, "rl-after");
	ASSERT_LT(0, i);
	/* the notes add up to the drops; the last comes right before */
	EXPECT_EQ(1, sscanf(s.r[i - 1].text,
			    "ctnr: %d messages dropped by the rate limit",
			    &note)) {
		TH_LOG("before rl-after: \"%s\"", s.r[i - 1].text);
	}
	for (i = 0, sum = 0; i < s.n; i++) {
		if (sscanf(s.r[i].text, "ctnr: %d messages dropped by the rate limit",
			   &note) == 1) {
			sum += note;
			EXPECT_EQ(0U, s.r[i].fac);
			EXPECT_EQ(4U, s.r[i].lvl);
		}
	}
	EXPECT_EQ(50 - n, sum);
	free(s.r);
	close(fd);
	ctnr_nl_close(&ev);
}

/* each writer has its own bucket: a flood drops the flooder's records */
TEST_F_TIMEOUT(kmsg, rate_limit_per_writer, 60)
{
	struct lset s = { 0 };
	char line[64];
	int a, b, i, na = 0, nb = 0;

	ASSERT_EQ(0, param_set("log_rate", "2"));
	ASSERT_EQ(0, param_set("log_burst", "10"));
	ENTER();
	a = kopen(O_WRONLY);
	b = kopen(O_WRONLY);
	LEAVE();
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	for (i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "flood-%d", i);
		ASSERT_EQ(0, kwrite(a, line));
	}
	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "quiet-%d", i);
		ASSERT_EQ(0, kwrite(b, line));
	}
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	for (i = 0; i < s.n; i++) {
		na += !strncmp(s.r[i].text, "flood-", 6);
		nb += !strncmp(s.r[i].text, "quiet-", 6);
	}
	EXPECT_GE(12, na) {
		TH_LOG("the flooder got %d of 100 in with burst 10", na);
	}
	EXPECT_EQ(5, nb) {
		TH_LOG("the quiet writer got %d of 5 in behind a flood", nb);
	}
	free(s.r);
	close(a);
	close(b);
}

/*
 * journald's loop: level-triggered EPOLLIN, one read() per wakeup; 0 is
 * taken as nothing read and the source stays armed, an error other than
 * EAGAIN, EINTR or EPIPE disables it.  After the container goes, the
 * reader must get an error, not spin on end of file.
 */
TEST_F(kmsg, journald_style_reader_after_delete)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, w, ep, i, got = 0, eof = 0, wakeups = 0, err = 0;
	struct krec r;
	ssize_t n;

	ENTER();
	fd = kopen(O_RDONLY | O_NONBLOCK);
	w = kopen(O_WRONLY);
	LEAVE();
	ASSERT_GE(fd, 0);
	ASSERT_GE(w, 0);
	ASSERT_EQ(0, kwrite(w, "journald-1"));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	for (i = 0; i < 100 && got < 2; i++) {
		if (epoll_wait(ep, &ev, 1, 1000) != 1)
			continue;
		n = kread(fd, &r);
		if (n > 0)
			got++;
		else if (n != -EAGAIN && n != -EPIPE)
			ASSERT_TRUE(false) {
				TH_LOG("read before delete: %zd", n);
			}
	}
	ASSERT_EQ(2, got);	/* the banner and journald-1 */
	ASSERT_EQ(0, kwrite(w, "journald-2"));
	ASSERT_EQ(0, ctnr_del_id(&self->nl, self->id));
	for (i = 0; i < 1000 && !err; i++) {
		if (epoll_wait(ep, &ev, 1, 2000) != 1)
			break;
		wakeups++;
		n = kread(fd, &r);
		if (n > 0) {
			EXPECT_STREQ("journald-2", r.text);
			continue;
		}
		if (!n)
			eof++;
		else if (n != -EAGAIN && n != -EINTR && n != -EPIPE)
			err = (int)-n;
	}
	EXPECT_EQ(ENODEV, err);
	EXPECT_EQ(0, eof) {
		TH_LOG("%d reads of 0 in %d wakeups: journald would spin",
		       eof, wakeups);
	}
	EXPECT_GE(3, wakeups);
	EXPECT_TRUE(!!(ev.events & EPOLLERR));
	EXPECT_FALSE(!!(ev.events & EPOLLHUP));
	close(ep);
	close(fd);
	close(w);
}

struct journald_userns_args {
	char cg[PATH_MAX];
	char name[CTNR_NAME_MAX];
};

/*
 * The same loop as uid 1000 with only a user namespace of its own (as
 * `unshare -Ur`), reading the log of the container it registered itself
 * and then deleted.
 */
static void journald_userns_child(int errfd, void *arg)
{
	struct journald_userns_args *a = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, w, ep, i, got = 0, eof = 0, wakeups = 0, err = 0, r;
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	struct krec rec;
	ssize_t n;
	pid_t kid;

	CHILD_CHECK(errfd, !cg_enter(a->cg, getpid()), "enter cgroup");
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
	r = ctnr_new(&nl, a->name, kid, 0, &c);
	CHILD_CHECK(errfd, !r, "register: %s: %s", strerror(-r), nl.ext_msg);
	fd = kopen(O_RDONLY | O_NONBLOCK);
	w = kopen(O_WRONLY);
	CHILD_CHECK(errfd, fd >= 0 && w >= 0, "open the log: %d %d", fd, w);
	CHILD_CHECK(errfd, !kwrite(w, "journald-u1"), "write");
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHILD_CHECK(errfd, ep >= 0, "%m - epoll");
	CHILD_CHECK(errfd, !epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), "%m - add");
	for (i = 0; i < 100 && got < 2; i++) {
		if (epoll_wait(ep, &ev, 1, 1000) != 1)
			continue;
		n = kread(fd, &rec);
		if (n > 0)
			got++;
		else
			CHILD_CHECK(errfd, n == -EAGAIN || n == -EPIPE,
				    "read before delete: %zd", n);
	}
	CHILD_CHECK(errfd, got == 2, "%d records before delete", got);
	CHILD_CHECK(errfd, !kwrite(w, "journald-u2"), "write");
	r = ctnr_del_id(&nl, c.id);
	CHILD_CHECK(errfd, !r, "delete its own: %s: %s", strerror(-r),
		    nl.ext_msg);
	for (i = 0; i < 1000 && !err; i++) {
		if (epoll_wait(ep, &ev, 1, 2000) != 1)
			break;
		wakeups++;
		n = kread(fd, &rec);
		if (n > 0)
			continue;
		if (!n)
			eof++;
		else if (n != -EAGAIN && n != -EINTR && n != -EPIPE)
			err = (int)-n;
	}
	CHILD_CHECK(errfd, err == ENODEV, "after delete: %s, wanted ENODEV",
		    strerror(err));
	CHILD_CHECK(errfd, !eof && wakeups <= 3,
		    "%d reads of 0 in %d wakeups: journald would spin", eof,
		    wakeups);
	CHILD_CHECK(errfd, (ev.events & EPOLLERR) && !(ev.events & EPOLLHUP),
		    "poll after delete: %#x", ev.events);
	_exit(0);
}

TEST_F_TIMEOUT(kmsg, journald_style_reader_after_delete_in_userns, 60)
{
	struct journald_userns_args a;
	char rel[64], msg[512];
	int r;

	memset(&a, 0, sizeof(a));
	snprintf(rel, sizeof(rel), "ctnr-kmsg-%d-j", getpid());
	ASSERT_EQ(0, cg_create(rel, a.cg, sizeof(a.cg)));
	ASSERT_EQ(0, cg_delegate(a.cg, UNPRIV_UID, UNPRIV_UID));
	snprintf(a.name, sizeof(a.name), "%sju", self->prefix);
	r = run_child(journald_userns_child, &a, msg, sizeof(msg), 50000);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	cg_remove(a.cg);
}

/* a log made again for a container never numbers below the old one */
TEST_F(kmsg, seq_never_repeats_for_recreated_log)
{
	long long old;
	struct krec r;
	int fd;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "old-log-last"));
	old = kfind(fd, "old-log-last", NULL);
	ASSERT_LT(0, old);
	close(fd);
	LEAVE();
	ASSERT_EQ(0, ctnr_del_id(&self->nl, self->id));
	ASSERT_EQ(0, register_in(&self->nl, self->cg, self->name, &self->id));
	ENTER();
	fd = kopen(O_RDONLY | O_NONBLOCK);
	LEAVE();
	ASSERT_GE(fd, 0);
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_LT(old, (long long)r.seq) {
		TH_LOG("new log starts at %llu, the old one reached %lld",
		       r.seq, old);
	}
	close(fd);
}

/* lookups far into a big log step in chunks and land right */
#define WALK_MAX_PATH "/sys/kernel/debug/ctnr/log_walk_max"

TEST_F_TIMEOUT(kmsg, lookups_in_a_big_log, 180)
{
	const int total = 60000;
	struct lset s = { 0 };
	unsigned long long first;
	bool walk_max;
	char line[32];
	struct krec r;
	int fd, i;

	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 16 << 20));
	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	LEAVE();
	ASSERT_GE(fd, 0);
	ASSERT_LT(0, kread(fd, &r));
	first = r.seq;		/* the banner */
	/* the most records one walk stepped over with the lock held */
	walk_max = !write_str(WALK_MAX_PATH, "0");
	for (i = 0; i < total; i++) {
		snprintf(line, sizeof(line), "r%d", i);
		ASSERT_EQ(0, kwrite(fd, line));
	}
	/* LOG_GET from a sequence number 50000 records in */
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, first + 1 + 50000,
			     &s));
	ASSERT_LT(0, s.n);
	EXPECT_EQ(first + 1 + 50000, s.r[0].seq);
	EXPECT_STREQ("r50000", s.r[0].text);
	/* a clear, then a resize: SEEK_DATA walks from the oldest record */
	ASSERT_EQ(0, log_clear(&self->nl, self->id));
	ASSERT_EQ(0, kwrite(fd, "after-clear"));
	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 8 << 20));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_DATA));
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_STREQ("ctnr: log cleared", r.text);
	EXPECT_EQ(first + 1 + total, r.seq);
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_STREQ("after-clear", r.text);
	/* the 50000-record walk went in steps of at most 256 per hold */
	ASSERT_TRUE(walk_max) {
		TH_LOG("no debugfs %s", WALK_MAX_PATH);
	}
	ASSERT_LT(0, read_str(WALK_MAX_PATH, line, sizeof(line)));
	EXPECT_LT(0, atoi(line));
	EXPECT_GE(256, atoi(line)) {
		TH_LOG("%s records walked in one lock hold", line);
	}
	free(s.r);
	close(fd);
}

struct dk_rec {
	unsigned int prio;
	char flag;
	ssize_t len;		/* what read() returned */
	int body;		/* offset of the text in buf */
	char buf[OUT_MAX];
};

/* The records of @fd (non-blocking) whose text starts with @tag. */
static int dk_collect(int fd, const char *tag, struct dk_rec *out, int max)
{
	int n = 0;

	while (n < max) {
		struct dk_rec *d = &out[n];
		char *semi;
		ssize_t len = read(fd, d->buf, sizeof(d->buf));

		if (len < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (len <= 0)
			break;
		semi = memchr(d->buf, ';', len);
		if (!semi || sscanf(d->buf, "%u,%*u,%*u,%c", &d->prio,
				    &d->flag) != 2)
			return -EPROTO;
		d->body = semi + 1 - d->buf;
		d->len = len;
		if ((size_t)(len - d->body) >= strlen(tag) &&
		    !memcmp(semi + 1, tag, strlen(tag)))
			n++;
	}
	return n;
}

/*
 * Differential: the same writes to the VM's /dev/kmsg and to
 * /dev/ctnr-kmsg give the same write() results, and the records read back
 * the same bytes after the header (which differs in sequence number and
 * timestamp).  Lengths around the write limit, a newline cut off by it,
 * a prefix, text that escapes to four times its size (cut at the read
 * limit since 6.3), escapes then plain bytes (cut on a plain byte, which
 * loses the newline), NULs and newlines.
 */
TEST_F_TIMEOUT(kmsg, write_limits_match_dev_kmsg, 120)
{
	static struct dk_rec hr[24], cr[24];
	int max = kmsg_write_max(), lens[8], nlens = 0, i, j, host, ours, nh, nc;
	char tag[32], saved[32], in[TEXT_MAX + 64];
	ssize_t rh, rc;
	int eh, ec;

	ASSERT_LT(0, max);
	/* no ratelimit on /dev/kmsg (printk.devkmsg=on may have locked it) */
	ASSERT_LT(0, read_str("/proc/sys/kernel/printk_devkmsg", saved,
			      sizeof(saved)));
	if (write_str("/proc/sys/kernel/printk_devkmsg", "on\n") &&
	    strncmp(saved, "on", 2))
		SKIP(return, "cannot turn /dev/kmsg's ratelimit off: %s", saved);
	host = open("/dev/kmsg", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_GE(host, 0);
	ASSERT_EQ(0, lseek(host, 0, SEEK_END));
	ENTER();
	ours = kopen(O_RDWR | O_NONBLOCK);
	LEAVE();
	ASSERT_GE(ours, 0);
	ASSERT_EQ(0, lseek(ours, 0, SEEK_END));
	snprintf(tag, sizeof(tag), "dk%d:", getpid());

	/* 991..993 and 1023..1025 (on 6.1 the second three are EINVAL) */
	for (i = -1; i <= 1; i++)
		lens[nlens++] = max + i;
	for (i = -1; i <= 1 && max != 1024; i++)
		lens[nlens++] = 1024 + i;
	for (j = 0; j < 8; j++) {
		int n = 0;

		for (i = 0; i < (j < 5 ? nlens : 1); i++) {
			switch (j) {
			case 0:	/* plain */
			case 1:	/* a newline last */
				n = lens[i];
				memset(in, 'x', n);
				memcpy(in, tag, strlen(tag));
				if (j == 1)
					in[n - 1] = '\n';
				break;
			case 2:	/* a prefix */
				n = lens[i];
				memset(in, 'p', n);
				memcpy(in, "<4>", 3);
				memcpy(in + 3, tag, strlen(tag));
				break;
			case 3:	/* every byte escaped */
			case 4:
				n = lens[i];
				memset(in, j == 3 ? 0x01 : '\\', n);
				memcpy(in, tag, strlen(tag));
				break;
			case 5:	/* a NUL, embedded newlines */
				n = snprintf(in, sizeof(in), "%sab", tag) + 3;
				memcpy(in + n - 3, "\0cd", 3);
				break;
			case 6:
				n = snprintf(in, sizeof(in), "%stwo\n\n", tag);
				break;
			case 7:	/* 1600 bytes of escapes, then plain */
				n = max;
				memset(in, 'y', n);
				memcpy(in, tag, strlen(tag));
				memset(in + strlen(tag), 0x01, 400);
				break;
			}
			rh = write(host, in, n);
			eh = rh < 0 ? errno : 0;
			rc = write(ours, in, n);
			ec = rc < 0 ? errno : 0;
			EXPECT_EQ(rh, rc) {
				TH_LOG("case %d, %d bytes: /dev/kmsg %zd (%s), ours %zd (%s)",
				       j, n, rh, strerror(eh), rc, strerror(ec));
			}
			EXPECT_EQ(eh, ec);
		}
	}
	/* a last record with a newline: printk shows the one before now */
	snprintf(in, sizeof(in), "%send\n", tag);
	ASSERT_EQ((ssize_t)strlen(in), write(host, in, strlen(in)));
	ASSERT_EQ((ssize_t)strlen(in), write(ours, in, strlen(in)));
	write_str("/proc/sys/kernel/printk_devkmsg", saved);

	nh = dk_collect(host, tag, hr, 24);
	nc = dk_collect(ours, tag, cr, 24);
	ASSERT_LT(0, nh);
	ASSERT_EQ(nh, nc);
	for (i = 0; i < nh; i++) {
		ssize_t bh = hr[i].len - hr[i].body, bc = cr[i].len - cr[i].body;

		EXPECT_EQ(hr[i].prio, cr[i].prio);
		EXPECT_EQ(hr[i].flag, cr[i].flag);
		if (hr[i].len == cr[i].len && bh != bc) {
			/*
			 * Both cut at the read limit after headers of
			 * different lengths (sequence numbers and times):
			 * the same bytes up to the last, possibly cut,
			 * escape, and the newline last.
			 */
			ssize_t n = (bh < bc ? bh : bc) - 5;

			EXPECT_EQ(0, memcmp(hr[i].buf + hr[i].body,
					    cr[i].buf + cr[i].body, n)) {
				TH_LOG("record %d differs before the cut", i);
			}
			/* a newline last unless a plain byte took its place */
			EXPECT_EQ(hr[i].buf[hr[i].len - 1] == '\n',
				  cr[i].buf[cr[i].len - 1] == '\n') {
				TH_LOG("record %d: the cut kept the newline in one only",
				       i);
			}
			continue;
		}
		EXPECT_EQ(bh, bc) {
			TH_LOG("record %d: /dev/kmsg body %zd bytes, ours %zd",
			       i, bh, bc);
		}
		EXPECT_EQ(0, memcmp(hr[i].buf + hr[i].body,
				    cr[i].buf + cr[i].body, bh < bc ? bh : bc)) {
			TH_LOG("record %d: \"%.*s\" vs \"%.*s\"", i,
			       (int)(bh < 80 ? bh : 80), hr[i].buf + hr[i].body,
			       (int)(bc < 80 ? bc : 80), cr[i].buf + cr[i].body);
		}
	}
	close(host);
	close(ours);
}

/* ------------------------------------------------------------------ */
/* isolation                                                          */

struct writer_arg {
	const char *cg;
	const char *tag;
	int count;
};

/* In a child: join @cg, write @count records "@tag-N". */
static void writer_child(int errfd, void *arg)
{
	struct writer_arg *a = arg;
	char line[96];
	int fd, i;

	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	fd = kopen(O_WRONLY);
	CHILD_CHECK(errfd, fd >= 0, "open: %s", strerror(-fd));
	for (i = 0; i < a->count; i++) {
		snprintf(line, sizeof(line), "%s-%d", a->tag, i);
		CHILD_CHECK(errfd, kwrite(fd, line) == 0, "write %d: %m", i);
	}
}

struct reader_arg {
	const char *cg;
	const char *mine, *other;
	int want;
};

/* In a child: join @cg, read everything; only @mine records, all of them. */
static void reader_child(int errfd, void *arg)
{
	struct reader_arg *a = arg;
	int64_t end = now_ms() + 60000;
	int fd, got = 0, next = 0;
	struct krec r;
	ssize_t n;

	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	fd = kopen(O_RDONLY);
	CHILD_CHECK(errfd, fd >= 0, "open: %s", strerror(-fd));
	while (got < a->want && now_ms() < end) {
		n = kread(fd, &r);
		CHILD_CHECK(errfd, n > 0, "read: %s", strerror((int)-n));
		CHILD_CHECK(errfd, !strstr(r.text, a->other),
			    "saw the other container's \"%s\"", r.text);
		if (!strncmp(r.text, a->mine, strlen(a->mine))) {
			int i = atoi(r.text + strlen(a->mine) + 1);

			CHILD_CHECK(errfd, i == next, "got %d, want %d", i,
				    next);
			next++;
			got++;
		}
	}
	CHILD_CHECK(errfd, got == a->want, "%d of %d records", got, a->want);
}

struct par {
	child_fn fn;
	void *arg;
	int rc;
	char msg[512];
};

static void *par_fn(void *arg)
{
	struct par *p = arg;

	p->rc = run_child(p->fn, p->arg, p->msg, sizeof(p->msg), 120000);
	return NULL;
}

/* two containers writing at once never see each other's records */
TEST_F_TIMEOUT(kmsg, two_containers_isolated, 180)
{
	char tag_a[32], tag_b[32];
	struct writer_arg wa, wb;
	struct reader_arg ra, rb;
	struct par p[4];
	pthread_t t[4];
	uint32_t id_b;
	struct lset s = { 0 };
	int i, r;

	r = second_container(self, &id_b);
	ASSERT_EQ(0, r) {
		TH_LOG("second container: %s %s", strerror(-r),
		       self->nl.ext_msg);
	}
	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 1 << 20));
	ASSERT_EQ(0, log_set_size(&self->nl, id_b, 1 << 20));
	snprintf(tag_a, sizeof(tag_a), "iso-a%d", getpid());
	snprintf(tag_b, sizeof(tag_b), "iso-b%d", getpid());
	wa = (struct writer_arg){ self->cg, tag_a, 2000 };
	wb = (struct writer_arg){ self->cg2, tag_b, 2000 };
	ra = (struct reader_arg){ self->cg, tag_a, tag_b, 2000 };
	rb = (struct reader_arg){ self->cg2, tag_b, tag_a, 2000 };
	p[0] = (struct par){ .fn = reader_child, .arg = &ra };
	p[1] = (struct par){ .fn = reader_child, .arg = &rb };
	p[2] = (struct par){ .fn = writer_child, .arg = &wa };
	p[3] = (struct par){ .fn = writer_child, .arg = &wb };
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, par_fn, &p[i]));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, p[i].rc) {
			TH_LOG("child %d: %s", i, p[i].msg);
		}
	}
	/* netlink agrees, and the host log has neither */
	ASSERT_EQ(0, log_get(&self->nl, id_b, NULL, 0, &s));
	for (i = 0; i < s.n; i++)
		ASSERT_EQ(NULL, strstr(s.r[i].text, tag_a));
	EXPECT_LE(2000, s.n);
	free(s.r);
	EXPECT_EQ(0, host_log_find(tag_a, NULL));
	EXPECT_EQ(0, host_log_find(tag_b, NULL));
}

struct dmesg_arg {
	const char *cg;
	char raw_prefix[16];	/* what host dmesg -r puts before "[" */
	const char *line;	/* written to /dev/kmsg in the container */
	const char *mine;	/* must be in dmesg's output */
	const char *absent[3];	/* must not */
};

/*
 * In a child: join @cg, a new mount namespace with /dev/ctnr-kmsg bound
 * over /dev/kmsg, write @line to /dev/kmsg, then run util-linux dmesg.
 */
static void dmesg_child(int errfd, void *arg)
{
	struct dmesg_arg *a = arg;
	char dmesg[PATH_MAX], out[65536], err[1024];
	char *argv_plain[] = { dmesg, NULL };
	char *argv_raw[] = { dmesg, "-r", NULL };
	char *argv_x[] = { dmesg, "-x", NULL };
	char *line;
	int fd, r, i;

	CHILD_CHECK(errfd, !find_in_path("dmesg", dmesg, sizeof(dmesg)),
		    "no dmesg");
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	CHILD_CHECK(errfd, !unshare(CLONE_NEWNS), "unshare: %m");
	CHILD_CHECK(errfd, !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
		    "make / private: %m");
	CHILD_CHECK(errfd, !mount(KMSG_PATH, "/dev/kmsg", NULL, MS_BIND, NULL),
		    "bind mount: %m");
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "open /dev/kmsg: %m");
	CHILD_CHECK(errfd, kwrite(fd, a->line) == 0, "write: %m");
	close(fd);

	r = run_cmd(argv_plain, out, sizeof(out), err, sizeof(err), 60000);
	CHILD_CHECK(errfd, r == 0, "dmesg: %d: %s", r, err);
	CHILD_CHECK(errfd, strstr(out, a->mine), "dmesg lacks \"%s\":\n%s",
		    a->mine, out);
	for (i = 0; i < 3 && a->absent[i]; i++)
		CHILD_CHECK(errfd, !strstr(out, a->absent[i]),
			    "dmesg shows \"%s\"", a->absent[i]);
	/* every line is ours: "[ secs.usecs] text" */
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		CHILD_CHECK(errfd, line[0] == '[', "odd line \"%s\"", line);
	/* level 4 of facility user: raw "<12>", decoded "user  :warn" */
	r = run_cmd(argv_raw, out, sizeof(out), err, sizeof(err), 60000);
	CHILD_CHECK(errfd, r == 0, "dmesg -r: %d: %s", r, err);
	line = strstr(out, a->mine);
	CHILD_CHECK(errfd, line, "dmesg -r lacks it");
	while (line > out && line[-1] != '\n')
		line--;
	CHILD_CHECK(errfd, !strncmp(line, a->raw_prefix, strlen(a->raw_prefix)),
		    "dmesg -r: \"%.60s\", host: \"%s\"", line, a->raw_prefix);
	r = run_cmd(argv_x, out, sizeof(out), err, sizeof(err), 60000);
	CHILD_CHECK(errfd, r == 0, "dmesg -x: %d: %s", r, err);
	line = strstr(out, a->mine);
	CHILD_CHECK(errfd, line, "dmesg -x lacks it");
	while (line > out && line[-1] != '\n')
		line--;
	CHILD_CHECK(errfd, !strncmp(line, "user  :warn", 11),
		    "dmesg -x: \"%.60s\"", line);
}

/* util-linux dmesg in the container sees only the container's records */
TEST_F_TIMEOUT(kmsg, dmesg_in_container_sees_only_its_log, 180)
{
	char host_tag[64], other_tag[64], mine[64], line[80], hline[80];
	char msg[1024];
	struct writer_arg wb;
	struct dmesg_arg da;
	struct lset s = { 0 };
	uint32_t id_b;
	int host, r;

	if (!is_prog("dmesg"))
		SKIP(return, "util-linux dmesg not installed");
	ASSERT_EQ(0, second_container(self, &id_b));
	snprintf(host_tag, sizeof(host_tag), "dm-host-%d", getpid());
	snprintf(other_tag, sizeof(other_tag), "dm-other-%d", getpid());
	snprintf(mine, sizeof(mine), "dm-mine-%d", getpid());
	snprintf(line, sizeof(line), "<4>%s\n", mine);
	host = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	ASSERT_GE(host, 0);
	snprintf(hline, sizeof(hline), "<4>%s\n", host_tag);
	ASSERT_EQ(0, kwrite(host, hline));
	close(host);
	wb = (struct writer_arg){ self->cg2, other_tag, 1 };
	ASSERT_EQ(0, run_child(writer_child, &wb, msg, sizeof(msg), 60000)) {
		TH_LOG("%s", msg);
	}
	da = (struct dmesg_arg){ .cg = self->cg, .line = line, .mine = mine,
				 .absent = { host_tag, other_tag, NULL } };
	/* util-linux prints a /dev/kmsg record's raw prefix its own way */
	{
		static char out[4 << 20];
		char dmesg[PATH_MAX];
		char *argv[] = { dmesg, "-r", NULL };
		char *l, *br;

		ASSERT_EQ(0, find_in_path("dmesg", dmesg, sizeof(dmesg)));
		ASSERT_EQ(0, run_cmd(argv, out, sizeof(out), NULL, 0, 60000));
		l = strstr(out, host_tag);
		ASSERT_NE(NULL, l);
		while (l > out && l[-1] != '\n')
			l--;
		br = strchr(l, '[');
		ASSERT_NE(NULL, br);
		ASSERT_GT(sizeof(da.raw_prefix), (size_t)(br - l + 1));
		memcpy(da.raw_prefix, l, br - l + 1);
		TH_LOG("host dmesg -r of a <4> write: \"%s\"", da.raw_prefix);
	}
	r = run_child(dmesg_child, &da, msg, sizeof(msg), 150000);
	ASSERT_EQ(0, r) {
		TH_LOG("%s", msg);
	}
	/* it landed in this container's log with level 4, not the host's */
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	r = lset_find(&s, mine);
	ASSERT_LE(0, r);
	EXPECT_EQ(4U, s.r[r].lvl);
	EXPECT_EQ(1U, s.r[r].fac);
	ASSERT_EQ(0, log_get(&self->nl, id_b, NULL, 0, &s));
	EXPECT_EQ(-1, lset_find(&s, mine));
	free(s.r);
	EXPECT_EQ(0, host_log_find(mine, NULL));
	EXPECT_EQ(1, host_log_find(host_tag, NULL));
}

/* ------------------------------------------------------------------ */
/* permissions                                                        */

static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
		return -errno;
	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	d[cap / 32].permitted &= ~(1U << (cap % 32));
	d[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

struct perm_arg {
	const char *cg;
	uint32_t id;
	pid_t userns_of;	/* setns into this task's user namespace */
	bool new_userns;	/* unshare a user namespace of our own */
	bool drop_syslog;
	bool become_nobody;
	bool keep_dac_override;	/* nobody, with CAP_DAC_OVERRIDE */
	int want_read;		/* open(O_RDONLY) result: 0 or -errno */
	int want_write;		/* open(O_WRONLY) result: 0 or -errno */
	int want_nl;		/* LOG_GET result */
	bool syslog;		/* and syslog(2) READ_ALL: want_syslog */
	int want_syslog;
};

/* Become nobody with CAP_DAC_OVERRIDE, and nothing else, effective. */
static int nobody_with_dac_override(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -errno;
	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[0].effective = 1U << CAP_DAC_OVERRIDE;
	d[1].effective = 0;
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* syslog(2)'s actions (the kernel's linux/syslog.h, not in the uapi) */
#define SYSLOG_ACTION_CLOSE		0
#define SYSLOG_ACTION_OPEN		1
#define SYSLOG_ACTION_READ		2
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_READ_CLEAR	4
#define SYSLOG_ACTION_CLEAR		5
#define SYSLOG_ACTION_CONSOLE_OFF	6
#define SYSLOG_ACTION_CONSOLE_ON	7
#define SYSLOG_ACTION_CONSOLE_LEVEL	8
#define SYSLOG_ACTION_SIZE_UNREAD	9
#define SYSLOG_ACTION_SIZE_BUFFER	10
#define SL_BUF		(1 << 20)

static int klog(int type, char *buf, int len)
{
	int r = syscall(SYS_syslog, type, buf, len);

	return r < 0 ? -errno : r;
}

static char perm_buf[SL_BUF];

static void perm_child(int errfd, void *arg)
{
	struct perm_arg *a = arg;
	struct ctnr_nl nl;
	struct lset s = { 0 };
	int fd, r;

	/* join as root, then become what the test wants */
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join");
	if (a->drop_syslog)
		CHILD_CHECK(errfd, drop_cap(CAP_SYSLOG) == 0, "drop: %m");
	if (a->become_nobody)
		CHILD_CHECK(errfd, become_user(65534, 65534) == 0, "setuid");
	if (a->keep_dac_override)
		CHILD_CHECK(errfd, nobody_with_dac_override() == 0, "%m");
	/* netlink from the host user namespace (want_nl 1: skip) */
	if (a->want_nl != 1) {
		CHILD_CHECK(errfd, ctnr_nl_open(&nl) == 0, "netlink");
		r = log_get(&nl, a->id, NULL, -1, &s);
		CHILD_CHECK(errfd, r == a->want_nl, "LOG_GET: %d (%s) \"%s\"",
			    r, strerror(-r), nl.ext_msg);
		if (r)
			CHILD_CHECK(errfd, nl.ext_msg[0], "no extack message");
		r = log_clear(&nl, a->id);
		CHILD_CHECK(errfd, r == a->want_nl, "LOG_CLEAR: %d", r);
		ctnr_nl_close(&nl);
	}
	if (a->userns_of) {
		char path[64];
		int ns;

		snprintf(path, sizeof(path), "/proc/%d/ns/user", a->userns_of);
		ns = open(path, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(errfd, ns >= 0, "%s: %m", path);
		CHILD_CHECK(errfd, !setns(ns, CLONE_NEWUSER), "setns: %m");
		close(ns);
	}
	if (a->new_userns)
		CHILD_CHECK(errfd, !enter_userns_as_root(0), "userns: %m");
	fd = kopen(O_RDONLY);
	CHILD_CHECK(errfd, (fd >= 0 ? 0 : fd) == a->want_read,
		    "open O_RDONLY: %d, want %d", fd, a->want_read);
	if (fd >= 0)
		close(fd);
	/* syslog(2): the container's log, to whom the kernel would allow */
	r = a->syslog ? klog(SYSLOG_ACTION_READ_ALL, perm_buf,
			     sizeof(perm_buf) - 1) : -1;
	CHILD_CHECK(errfd, !a->syslog || (r >= 0 ? 0 : r) == a->want_syslog,
		    "syslog READ_ALL: %d, want %d", r, a->want_syslog);
	if (r >= 0) {
		perm_buf[r] = '\0';
		CHILD_CHECK(errfd, strstr(perm_buf, "ctnr: log of container"),
			    "syslog READ_ALL: not the container's log");
	}
	fd = kopen(O_RDWR);
	CHILD_CHECK(errfd, (fd >= 0 ? 0 : fd) ==
		    (a->want_read ? a->want_read : a->want_write),
		    "open O_RDWR: %d", fd);
	if (fd >= 0)
		close(fd);
	/*
	 * Writing: as a 0644 /dev/kmsg of the container's root: that root,
	 * or CAP_DAC_OVERRIDE in its user namespace.
	 */
	fd = kopen(O_WRONLY);
	CHILD_CHECK(errfd, (fd >= 0 ? 0 : fd) == a->want_write,
		    "open O_WRONLY: %d, want %d", fd, a->want_write);
	if (fd >= 0) {
		CHILD_CHECK(errfd, kwrite(fd, "perm-write") == 0, "write: %m");
		close(fd);
	}
}

/* without CAP_SYSLOG (host container): no reading, still writing */
TEST_F(kmsg, read_needs_cap_syslog)
{
	struct perm_arg a = {
		.cg = self->cg, .id = self->id, .drop_syslog = true,
		.want_read = -EPERM, .want_nl = -EPERM,
	};
	struct perm_arg ok = {
		.cg = self->cg, .id = self->id, .want_read = 0, .want_nl = 0,
	};
	char msg[512];

	ASSERT_EQ(0, run_child(perm_child, &ok, msg, sizeof(msg), 30000)) {
		TH_LOG("%s", msg);
	}
	ASSERT_EQ(0, run_child(perm_child, &a, msg, sizeof(msg), 30000)) {
		TH_LOG("%s", msg);
	}
}

/* an unprivileged host user cannot read a container's log via netlink */
TEST_F(kmsg, unprivileged_user_cannot_log_get)
{
	struct perm_arg a = {
		.cg = self->cg, .id = self->id, .become_nobody = true,
		.want_read = -EPERM, .want_write = -EACCES, .want_nl = -ENOENT,
	};
	char msg[512];

	/* the container does not exist for nobody; in it, nobody may not
	 * write either (only root may, as to /dev/kmsg) */
	ASSERT_EQ(0, run_child(perm_child, &a, msg, sizeof(msg), 30000)) {
		TH_LOG("%s", msg);
	}
}

/* writing needs the container's root, or CAP_DAC_OVERRIDE in its userns */
TEST_F(kmsg, write_needs_container_root)
{
	struct perm_arg dac = {
		.cg = self->cg, .id = self->id, .keep_dac_override = true,
		.want_read = -EPERM, .want_write = 0, .want_nl = 1,
	};
	struct perm_arg nobody = {
		.cg = self->cg, .id = self->id, .become_nobody = true,
		.want_read = -EPERM, .want_write = -EACCES, .want_nl = 1,
	};
	char msg[512];

	ASSERT_EQ(0, run_child(perm_child, &dac, msg, sizeof(msg), 30000)) {
		TH_LOG("nobody with CAP_DAC_OVERRIDE: %s", msg);
	}
	ASSERT_EQ(0, run_child(perm_child, &nobody, msg, sizeof(msg), 30000)) {
		TH_LOG("nobody: %s", msg);
	}
}

/* CAP_SYSLOG must be held in the container's user namespace */
TEST_F(kmsg, read_needs_cap_syslog_in_container_userns)
{
	struct perm_arg in_ns = { .want_read = 0, .want_nl = 1,
				  .syslog = true, .want_syslog = 0 };
	struct perm_arg other_ns = { .want_read = -EPERM, .want_nl = 1,
				     .new_userns = true, .syslog = true,
				     .want_syslog = -EPERM };
	char rel[64], cg[PATH_MAX], name[64], msg[512], restrict_was[16];
	int ready[2], ctl[2], r;
	struct ctnr_ctr c;
	pid_t init;
	char ch;

	snprintf(rel, sizeof(rel), CG_PREFIX "%d-u", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ctl, O_CLOEXEC));
	init = fork();
	ASSERT_GE(init, 0);
	if (!init) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		close(ready[0]);
		close(ctl[1]);
		ch = cg_enter(cg, getpid()) || enter_userns_as_root(0) ?
			'E' : 'R';
		if (write(ready[1], &ch, 1) != 1)
			_exit(1);
		while (read(ctl[0], &ch, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ctl[0]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &ch, 1));
	close(ready[0]);
	ASSERT_EQ('R', ch);
	snprintf(name, sizeof(name), "%suserns", self->prefix);
	r = ctnr_new(&self->nl, name, init, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("register: %s %s", strerror(-r), self->nl.ext_msg);
	}
	/* with kernel.dmesg_restrict=1, syslog(2) needs CAP_SYSLOG too */
	ASSERT_LT(0, read_str("/proc/sys/kernel/dmesg_restrict", restrict_was,
			      sizeof(restrict_was)));
	ASSERT_EQ(0, write_str("/proc/sys/kernel/dmesg_restrict", "1"));
	/* root of the container's user namespace reads */
	in_ns.cg = cg;
	in_ns.userns_of = init;
	ASSERT_EQ(0, run_child(perm_child, &in_ns, msg, sizeof(msg), 30000)) {
		TH_LOG("%s", msg);
	}
	/* root of another user namespace, in the same cgroup, does not */
	other_ns.cg = cg;
	ASSERT_EQ(0, run_child(perm_child, &other_ns, msg, sizeof(msg),
			       30000)) {
		TH_LOG("%s", msg);
	}
	write_str("/proc/sys/kernel/dmesg_restrict", restrict_was);
	close(ctl[1]);
	waitpid(init, NULL, 0);
	ctnr_del_id(&self->nl, c.id);
	cg_remove(cg);
}

/* ------------------------------------------------------------------ */
/* netlink                                                            */

/* LOG_GET returns the exact records, from a sequence number */
TEST_F(kmsg, log_get_records_from_seq)
{
	struct lset s = { 0 }, t = { 0 };
	struct log_info li;
	int fd, i;

	ENTER();
	fd = kopen(O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "<3>nl-one"));
	ASSERT_EQ(0, kwrite(fd, "<30>nl-two\n"));
	close(fd);
	LEAVE();
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, -1, &s)) {
		TH_LOG("LOG_GET: %s", self->nl.ext_msg);
	}
	ASSERT_EQ(0, s.bad);
	ASSERT_EQ(3, s.n);
	EXPECT_EQ(0U, s.r[0].fac);		/* the banner */
	EXPECT_EQ(6U, s.r[0].lvl);
	for (i = 0; i < s.n; i++) {
		EXPECT_EQ(self->id, s.r[i].id);
		EXPECT_EQ(s.r[0].seq + i, s.r[i].seq);
		EXPECT_EQ(0U, s.r[i].flags);
		if (i)
			EXPECT_LE(s.r[i - 1].ts, s.r[i].ts);
	}
	EXPECT_STREQ("nl-one", s.r[1].text);
	EXPECT_EQ(1U, s.r[1].fac);
	EXPECT_EQ(3U, s.r[1].lvl);
	EXPECT_STREQ("nl-two", s.r[2].text);
	EXPECT_EQ(3U, s.r[2].fac);
	EXPECT_EQ(6U, s.r[2].lvl);
	/* from the third record, by name; from before the first; and from
	 * beyond the end */
	ASSERT_EQ(0, log_get(&self->nl, 0, self->name, s.r[0].seq + 2, &t));
	ASSERT_EQ(1, t.n);
	EXPECT_STREQ("nl-two", t.r[0].text);
	ASSERT_EQ(0, log_get(&self->nl, 0, self->name, 0, &t));
	ASSERT_EQ(3, t.n);
	EXPECT_EQ(s.r[0].seq, t.r[0].seq);
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, s.r[0].seq + 1000,
			     &t));
	EXPECT_EQ(0, t.n);
	/* CONTAINER_GET reports the size and the drops */
	ASSERT_EQ(0, log_info(&self->nl, self->id, &li));
	EXPECT_EQ(65536U, li.size);
	EXPECT_EQ(0U, li.dropped);
	free(s.r);
	free(t.r);
}

/* a big log comes back whole, over many dump messages */
TEST_F_TIMEOUT(kmsg, log_get_big_dump, 120)
{
	struct lset s = { 0 };
	char line[128];
	int fd, i;

	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 4 << 20));
	ENTER();
	fd = kopen(O_WRONLY);
	ASSERT_GE(fd, 0);
	for (i = 0; i < 20000; i++) {
		snprintf(line, sizeof(line), "big-%06d %s", i,
			 "padding padding padding padding padding padding");
		ASSERT_EQ(0, kwrite(fd, line));
	}
	close(fd);
	LEAVE();
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	ASSERT_EQ(20001, s.n);
	for (i = 1; i < s.n; i++) {
		snprintf(line, sizeof(line), "big-%06d %s", i - 1,
			 "padding padding padding padding padding padding");
		ASSERT_STREQ(line, s.r[i].text);
		ASSERT_EQ(s.r[0].seq + i, s.r[i].seq);
	}
	free(s.r);
}

/* LOG_CLEAR: a dump without seq starts after it, with seq 0 sees all */
TEST_F(kmsg, log_clear)
{
	struct lset s = { 0 };
	int fd;

	ENTER();
	fd = kopen(O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "pre-clear"));
	LEAVE();
	ASSERT_EQ(0, log_clear(&self->nl, self->id));
	ASSERT_EQ(0, kwrite(fd, "post-clear"));
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, -1, &s));
	ASSERT_EQ(2, s.n);
	EXPECT_STREQ("ctnr: log cleared", s.r[0].text);
	EXPECT_STREQ("post-clear", s.r[1].text);
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	EXPECT_LE(0, lset_find(&s, "pre-clear"));
	free(s.r);
	close(fd);
}

/* bad input on netlink: unknown container, size out of range */
TEST_F(kmsg, netlink_bad_input)
{
	const uint32_t bad_sizes[] = { 0, 1, 4095, (16U << 20) + 1, ~0U };
	struct log_info li;
	struct lset s = { 0 };
	size_t i;

	ASSERT_NL_REJECT(-ENOENT, log_get(&self->nl, NO_SUCH_ID, NULL, -1,
					  &s));
	ASSERT_NL_REJECT(-ENOENT, log_get(&self->nl, 0, "kmsg-no-such", -1,
					  &s));
	ASSERT_NL_REJECT(-EINVAL, log_get(&self->nl, 0, NULL, -1, &s));
	ASSERT_NL_REJECT(-ENOENT, log_clear(&self->nl, NO_SUCH_ID));
	ASSERT_NL_REJECT(-ENOENT, log_set_size(&self->nl, NO_SUCH_ID, 8192));
	/* the policy's range: ERANGE, and the ack says what it allows */
	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		ASSERT_NL_REJECT(-ERANGE, log_set_size(&self->nl, self->id,
						       bad_sizes[i]));
		ASSERT_TRUE(self->nl.pol_have & CTNR_POL_RANGE);
		EXPECT_EQ((uint64_t)CTNR_LOG_SIZE_MIN, self->nl.pol_min);
		EXPECT_EQ((uint64_t)CTNR_LOG_SIZE_MAX, self->nl.pol_max);
	}
	ASSERT_EQ(0, log_info(&self->nl, self->id, &li));
	EXPECT_EQ(65536U, li.size);
	/* the limits themselves are fine */
	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 4096));
	ASSERT_EQ(0, log_info(&self->nl, self->id, &li));
	EXPECT_EQ(4096U, li.size);
	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 16U << 20));
	ASSERT_EQ(0, log_info(&self->nl, self->id, &li));
	EXPECT_EQ(16U << 20, li.size);
	free(s.r);
}

/* resizing keeps the newest records that fit, in order */
TEST_F(kmsg, resize_keeps_newest)
{
	struct lset s = { 0 };
	char line[128];
	struct krec r;
	int fd, i;

	ENTER();
	fd = kopen(O_RDWR | O_NONBLOCK);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), "resize-%03d %60s", i, "x");
		ASSERT_EQ(0, kwrite(fd, line));
	}
	LEAVE();
	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 4096));
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &s));
	/* 4096 bytes of 96-byte records */
	ASSERT_LE(30, s.n);
	ASSERT_GE(42, s.n);
	snprintf(line, sizeof(line), "resize-%03d %60s", 299, "x");
	EXPECT_STREQ(line, s.r[s.n - 1].text);
	for (i = 1; i < s.n; i++)
		ASSERT_EQ(s.r[i - 1].seq + 1, s.r[i].seq);
	/* the reader was before them: EPIPE, then the oldest kept */
	ASSERT_EQ(-EPIPE, kread(fd, &r));
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_EQ(s.r[0].seq, r.seq);
	/* growing keeps everything */
	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 1 << 20));
	{
		struct lset t = { 0 };

		ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, 0, &t));
		ASSERT_EQ(s.n, t.n);
		EXPECT_EQ(s.r[0].seq, t.r[0].seq);
		free(t.r);
	}
	ASSERT_LT(0, kread(fd, &r));
	EXPECT_EQ(s.r[1].seq, r.seq);
	free(s.r);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* wrap-around and concurrency                                        */

static void spin_writer(const char *cg, const char *tag, int len)
{
	char line[TEXT_MAX + 1];
	unsigned long i;
	int fd, n;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (cg_enter(cg, getpid()))
		_exit(1);
	fd = kopen(O_WRONLY);
	if (fd < 0)
		_exit(1);
	for (i = 0;; i++) {
		n = snprintf(line, sizeof(line), "%s %lu ", tag, i);
		while (n < len)
			line[n++] = 'a' + i % 26;
		if (write(fd, line, n) < 0)
			_exit(errno == ENODEV ? 0 : 2);
	}
}

/* a 4 KiB log wraps around many times under a writer that never stops */
TEST_F_TIMEOUT(kmsg, wraparound_under_endless_writer, 120)
{
	long long base = -1, last = -1;
	int fd, i, epipe = 0, seen = 0;
	int64_t end;
	pid_t w;
	struct krec r;
	char tag[32];

	ASSERT_EQ(0, log_set_size(&self->nl, self->id, 4096));
	snprintf(tag, sizeof(tag), "wrap%d", getpid());
	w = fork();
	ASSERT_GE(w, 0);
	if (!w)
		spin_writer(self->cg, tag, 40);
	ENTER();
	fd = kopen(O_RDONLY);
	LEAVE();
	ASSERT_GE(fd, 0);
	end = now_ms() + 3000;
	while (now_ms() < end) {
		for (i = 0; i < 20; i++) {
			ssize_t n = kread(fd, &r);
			unsigned long k;

			if (n == -EPIPE) {
				epipe++;
				continue;
			}
			ASSERT_LT(0, n) {
				TH_LOG("read: %s", strerror((int)-n));
			}
			ASSERT_LT(last, (long long)r.seq);
			last = r.seq;
			if (strncmp(r.text, tag, strlen(tag)))
				continue;
			/* "wrapPID K aaa...": K counts with seq, no gap */
			k = strtoul(r.text + strlen(tag) + 1, NULL, 10);
			if (base < 0)
				base = (long long)r.seq - (long long)k;
			ASSERT_EQ(base, (long long)r.seq - (long long)k) {
				TH_LOG("record %llu is \"%s\"", r.seq, r.text);
			}
			ASSERT_EQ(40, (int)strlen(r.text));
			seen++;
		}
		sleep_ms(10);
	}
	kill_reap(&w);
	EXPECT_LT(0, epipe);
	EXPECT_LT(100, seen);
	TH_LOG("%d records checked, %d EPIPE, last seq %lld", seen, epipe,
	       last);
	close(fd);
}

struct conc {
	struct ctnr_nl *nl;
	uint32_t id;
	volatile int stop;
	int errors;
	char why[256];
};

static void *conc_clear(void *arg)
{
	struct conc *c = arg;
	struct ctnr_nl nl;

	if (ctnr_nl_open(&nl))
		return NULL;
	while (!c->stop) {
		if (log_clear(&nl, c->id))
			c->errors++;
		sleep_ms(5);
	}
	ctnr_nl_close(&nl);
	return NULL;
}

static void *conc_resize(void *arg)
{
	static const uint32_t sizes[] = { 4096, 65536, 8192, 1 << 20, 5000,
					  300000, 4099 };
	struct conc *c = arg;
	struct ctnr_nl nl;
	unsigned int i = 0;

	if (ctnr_nl_open(&nl))
		return NULL;
	while (!c->stop) {
		if (log_set_size(&nl, c->id, sizes[i++ % ARRAY_SIZE(sizes)]))
			c->errors++;
		sleep_ms(7);
	}
	ctnr_nl_close(&nl);
	return NULL;
}

static void *conc_dump(void *arg)
{
	struct conc *c = arg;
	struct lset s = { 0 };
	struct ctnr_nl nl;
	int i;

	if (ctnr_nl_open(&nl))
		return NULL;
	while (!c->stop) {
		if (log_get(&nl, c->id, NULL, 0, &s) || s.bad) {
			c->errors++;
			continue;
		}
		for (i = 1; i < s.n; i++)
			if (s.r[i].seq <= s.r[i - 1].seq) {
				snprintf(c->why, sizeof(c->why),
					 "dump seq %llu after %llu",
					 (unsigned long long)s.r[i].seq,
					 (unsigned long long)s.r[i - 1].seq);
				c->errors++;
			}
	}
	free(s.r);
	ctnr_nl_close(&nl);
	return NULL;
}

struct conc_reader {
	int fd;
	volatile int *stop;
	int records, epipe, bad;
	ssize_t last;
	char why[256];
};

static void *conc_read(void *arg)
{
	struct conc_reader *cr = arg;
	long long last = -1;
	struct krec r;
	ssize_t n;

	for (;;) {
		n = kread(cr->fd, &r);
		if (n == -EPIPE) {
			cr->epipe++;
			continue;
		}
		if (n == -ENODEV || n == -EAGAIN) {
			cr->last = n;
			if (n == -ENODEV || *cr->stop)
				break;
			sleep_ms(1);
			continue;
		}
		if (n < 0) {
			snprintf(cr->why, sizeof(cr->why), "read: %s",
				 strerror((int)-n));
			cr->bad++;
			cr->last = n;
			break;
		}
		if ((long long)r.seq <= last) {
			snprintf(cr->why, sizeof(cr->why), "seq %llu after %lld",
				 r.seq, last);
			cr->bad++;
		}
		last = r.seq;
		cr->records++;
	}
	return NULL;
}

/*
 * Writers, readers, dumps, clears and resizes at once; then the container
 * goes under an open, blocked reader; then nothing is left.
 */
TEST_F_TIMEOUT(kmsg, concurrency_then_delete_under_reader, 180)
{
	struct conc c = { .nl = &self->nl, .id = self->id };
	struct conc_reader rd[2] = { 0 };
	struct bg_read blocked = { 0 };
	pthread_t t[3], rt[2], bt;
	char tag[32], bad[512];
	long long logs0 = ctnr_counter("logs");
	long long files0 = ctnr_counter("log_files");
	struct pollfd p;
	pid_t w[4];
	int i, wfd;

	ASSERT_LE(0, logs0);
	snprintf(tag, sizeof(tag), "conc%d", getpid());
	for (i = 0; i < 4; i++) {
		w[i] = fork();
		ASSERT_GE(w[i], 0);
		if (!w[i])
			spin_writer(self->cg, tag, 20 + 250 * i);
	}
	ENTER();
	for (i = 0; i < 2; i++) {
		rd[i].fd = kopen(O_RDONLY | (i ? O_NONBLOCK : 0));
		ASSERT_GE(rd[i].fd, 0);
		rd[i].stop = &c.stop;
	}
	blocked.fd = kopen(O_RDONLY);
	wfd = kopen(O_WRONLY);
	LEAVE();
	ASSERT_GE(blocked.fd, 0);
	ASSERT_GE(wfd, 0);
	ASSERT_EQ(0, pthread_create(&t[0], NULL, conc_clear, &c));
	ASSERT_EQ(0, pthread_create(&t[1], NULL, conc_resize, &c));
	ASSERT_EQ(0, pthread_create(&t[2], NULL, conc_dump, &c));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&rt[i], NULL, conc_read, &rd[i]));
	sleep_ms(4000);

	/* the writers stop; one reader waits at the end of the log */
	for (i = 0; i < 4; i++)
		kill_reap(&w[i]);
	c.stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, c.errors) {
		TH_LOG("netlink errors during the run: %s", c.why);
	}
	ASSERT_EQ(0, lseek(blocked.fd, 0, SEEK_END));
	blocked.n = -1000;
	ASSERT_EQ(0, pthread_create(&bt, NULL, bg_read_fn, &blocked));
	sleep_ms(200);
	EXPECT_EQ(-1000, blocked.n);

	/* delete: the blocked reader wakes, to ENODEV (not end of file) */
	ASSERT_EQ(0, ctnr_del_id(&self->nl, self->id));
	pthread_join(bt, NULL);
	EXPECT_EQ(-ENODEV, blocked.n);
	for (i = 0; i < 2; i++) {
		pthread_join(rt[i], NULL);
		EXPECT_EQ(0, rd[i].bad) {
			TH_LOG("reader %d: %s", i, rd[i].why);
		}
		EXPECT_LT(0, rd[i].records);
		TH_LOG("reader %d: %d records, %d EPIPE", i, rd[i].records,
		       rd[i].epipe);
	}
	while (kread(rd[1].fd, &blocked.r) != -ENODEV)
		;
	p = (struct pollfd){ .fd = rd[1].fd, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(!!(p.revents & POLLERR));
	EXPECT_FALSE(!!(p.revents & POLLHUP));
	/* after the end, reads keep failing; writes are refused */
	EXPECT_EQ(-ENODEV, kread(blocked.fd, &blocked.r));
	EXPECT_EQ(-1, write(wfd, "gone", 4));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, lseek(blocked.fd, 1, SEEK_SET));
	EXPECT_EQ(0, lseek(blocked.fd, 0, SEEK_SET));
	EXPECT_EQ(files0 + 4, ctnr_counter("log_files"));
	close(blocked.fd);
	close(wfd);
	for (i = 0; i < 2; i++)
		close(rd[i].fd);
	/* the last file closed: the log and the container are gone */
	EXPECT_EQ(files0, counter_settles("log_files", files0, 5000));
	EXPECT_EQ(logs0, counter_settles("logs", logs0, 5000)) {
		ctnr_counters_nonzero(bad, sizeof(bad));
		TH_LOG("counters: %s", bad);
	}
}

/* ------------------------------------------------------------------ */
/* ctnrctl                                                            */

/* ctnrctl log show NAME: dmesg lines; -j: an array of records */
TEST_F_TIMEOUT(kmsg, ctnrctl_log_show_clear_size, 240)
{
	char out[65536], err[1024], want[256], *line, *sp;
	unsigned long long seq, seq0 = 0;
	struct log_info li;
	int fd, r, n = 0;

	/* ctnrctl is part of this tree: without it, fail, not skip */
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not built (make ctl)");
	}
	ENTER();
	fd = kopen(O_WRONLY);
	LEAVE();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "<3>ctl line one"));
	ASSERT_EQ(0, kwrite(fd, "ctl \"two\"\tbyte\x01"));
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", "show",
		    self->name, NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("ctnrctl log show: %d %s", r, err);
	}
	EXPECT_EQ(3, count_lines(out)) {
		TH_LOG("%s", out);
	}
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long s, us;
		int pos = 0;

		ASSERT_EQ(2, sscanf(line, "[%lu.%6lu]%n", &s, &us, &pos)) {
			TH_LOG("not dmesg style: \"%s\"", line);
		}
		ASSERT_EQ(' ', line[pos]);
		ASSERT_EQ(']', line[pos - 1]);
		if (n == 1)
			EXPECT_STREQ("ctl line one", line + pos + 1);
		if (n == 2)
			EXPECT_STREQ("ctl \"two\"\\x09byte\\x01", line + pos + 1);
		n++;
	}
	/* JSON: one array of the three records, in order */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "-j", "log",
		    "show", self->name, NULL);
	ASSERT_EQ(0, r);
	ASSERT_TRUE(json_valid(out)) {
		TH_LOG("invalid JSON: %s", out);
	}
	ASSERT_EQ('[', *json__ws(out));
	snprintf(want, sizeof(want), "\"container\":\"%s\"", self->name);
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_NE(NULL, strstr(out, "\"level\":\"err\",")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "\"facility\":\"user\","));
	EXPECT_NE(NULL, strstr(out, "\"text\":\"ctl \\\"two\\\"\\tbyte\\u0001\"")) {
		TH_LOG("%s", out);
	}
	for (sp = strstr(out, "\"seq\":"), n = 0; sp;
	     sp = strstr(sp + 1, "\"seq\":"), n++) {
		seq = strtoull(sp + 6, NULL, 10);
		if (!n)
			seq0 = seq;
		EXPECT_EQ(seq0 + n, seq);
	}
	EXPECT_EQ(3, n);
	/* clear: only the note remains for dmesg and ctnrctl */
	ASSERT_EQ(0, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log",
			     "clear", self->name, NULL));
	ASSERT_EQ(0, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log",
			     "show", self->name, NULL));
	EXPECT_EQ(1, count_lines(out));
	EXPECT_NE(NULL, strstr(out, "] ctnr: log cleared"));
	/* set size, with a suffix */
	ASSERT_EQ(0, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log",
			     "set", self->name, "size", "8K", NULL));
	ASSERT_EQ(0, log_info(&self->nl, self->id, &li));
	EXPECT_EQ(8192U, li.size);
	/* log alone lists every buffer, this one's new size included */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", err);
	}
	snprintf(want, sizeof(want), ": %s size 8192 dropped ", self->name);
	EXPECT_NE(NULL, strstr(out, want)) {
		TH_LOG("%s", out);
	}
	/* failures: one line, status 1 (operation) or 2 (usage) */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", "set",
		    self->name, "size", "100", NULL);
	EXPECT_EQ(1, r);
	/* the policy refused it; libctnr names the attribute and bounds */
	EXPECT_NE(NULL, strstr(err, "log_size: integer out of range (4096 to 16777216)")) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(1, count_lines(err));
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", "show",
		    "kmsg-no-such", NULL);
	EXPECT_EQ(1, r);
	EXPECT_NE(NULL, strstr(err, "no such container")) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(2, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log",
			     "set", self->name, "size", "12q", NULL));
	EXPECT_EQ(2, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log",
			     "show", self->name, "sideways", NULL));
	EXPECT_EQ(2, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log",
			     self->name, NULL));
	/* clear is never abbreviated */
	EXPECT_EQ(2, ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log",
			     "cl", self->name, NULL));
	close(fd);
}

/* a container may be named like a command: the grammar has no doubt */
TEST_F(kmsg, ctnrctl_log_keyword_names)
{
	char out[4096], err[1024], rel[64], cg[PATH_MAX];
	struct ctnr_ctr c;
	int r;

	/* ctnrctl is part of this tree: without it, fail, not skip */
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not built (make ctl)");
	}
	snprintf(rel, sizeof(rel), CG_PREFIX "%d-clear", getpid());
	ASSERT_EQ(0, cg_create(rel, cg, sizeof(cg)));
	ASSERT_EQ(0, cg_enter(cg, getpid()));
	r = ctnr_new(&self->nl, "clear", getpid(), 0, &c);
	LEAVE();
	ASSERT_EQ(0, r) {
		TH_LOG("register \"clear\": %s", self->nl.ext_msg);
	}
	ASSERT_EQ(0, log_set_size(&self->nl, c.id, 4096));
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", "show",
		    "clear", NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", err);
	}
	EXPECT_NE(NULL, strstr(out, "ctnr: log of container clear"));
	/* "log clear" needs a NAME: nothing is cleared by accident */
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", "clear",
		    NULL);
	EXPECT_EQ(2, r);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", "clear",
		    "clear", NULL);
	EXPECT_EQ(0, r) {
		TH_LOG("%s", err);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "log", "show",
		    "clear", NULL);
	EXPECT_EQ(0, r);
	EXPECT_NE(NULL, strstr(out, "ctnr: log cleared"));
	ctnr_del_id(&self->nl, c.id);
	cg_remove(cg);
}

struct follow_arg {
	const char *name;
	char out[8192], err[1024];
	int rc;
};

static void *follow_fn(void *arg)
{
	struct follow_arg *f = arg;

	f->rc = ctnrctl(f->out, sizeof(f->out), f->err, sizeof(f->err),
			120000, "log", "show", f->name, "follow", NULL);
	return NULL;
}

/* ctnrctl log show NAME follow prints new records, ends with the container */
TEST_F_TIMEOUT(kmsg, ctnrctl_log_follow, 150)
{
	struct follow_arg f = { .name = self->name, .rc = -1000 };
	pthread_t t;
	int fd;

	/* ctnrctl is part of this tree: without it, fail, not skip */
	ASSERT_NE(NULL, ctnrctl_path()) {
		TH_LOG("ctnrctl not built (make ctl)");
	}
	ENTER();
	fd = kopen(O_WRONLY);
	LEAVE();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "before follow"));
	ASSERT_EQ(0, pthread_create(&t, NULL, follow_fn, &f));
	/* ctnrctl needed more than 3 s to start on the debug kernel */
	sleep_ms(getenv("CTNR_SANITIZERS") ? 10000 : 1500);
	ASSERT_EQ(0, kwrite(fd, "during follow"));
	sleep_ms(getenv("CTNR_SANITIZERS") ? 10000 : 1500);
	ASSERT_EQ(-1000, f.rc);		/* still following */
	ASSERT_EQ(0, ctnr_del_id(&self->nl, self->id));
	pthread_join(t, NULL);
	EXPECT_EQ(0, f.rc) {
		TH_LOG("%s", f.err);
	}
	EXPECT_NE(NULL, strstr(f.out, "] before follow\n"));
	EXPECT_NE(NULL, strstr(f.out, "] during follow\n")) {
		TH_LOG("%s", f.out);
	}
	close(fd);
}

/* deleting a container leaves no log or open-file count behind */
TEST_F(kmsg, no_leak_after_delete)
{
	long long files = ctnr_counter("log_files");
	long long logs = ctnr_counter("logs");
	long long bytes = ctnr_counter("bytes");
	int fd;

	ASSERT_LE(0, files);
	ENTER();
	fd = kopen(O_RDWR);
	LEAVE();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kwrite(fd, "leak check"));
	EXPECT_EQ(files + 1, ctnr_counter("log_files"));
	EXPECT_EQ(logs + 1, ctnr_counter("logs"));
	EXPECT_LT(bytes + 65536, ctnr_counter("bytes"));
	close(fd);
	EXPECT_EQ(files, ctnr_counter("log_files"));
	ASSERT_EQ(0, ctnr_del_id(&self->nl, self->id));
	EXPECT_EQ(logs, counter_settles("logs", logs, 5000));
}

/* ------------------------------------------------------------------ */
/* syslog(2) and /proc/kmsg                                           */

#define PROCKMSG_PATH	"/dev/" CTNR_PROCKMSG_DEVICE_NAME

static int sysctl_get(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int sysctl_set(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

#define DMESG_RESTRICT	"/proc/sys/kernel/dmesg_restrict"
#define PRINTK_LEVELS	"/proc/sys/kernel/printk"

/* Write @text at level 4 to the log of the container of cgroup @cg. */
static int ctr_write(const char *cg, const char *text)
{
	char line[256];
	int fd, r;

	r = cg_enter(cg, getpid());
	if (r)
		return r;
	fd = kopen(O_WRONLY);
	cg_leave();
	if (fd < 0)
		return fd;
	snprintf(line, sizeof(line), "<4>%s\n", text);
	r = kwrite(fd, line);
	close(fd);
	return r;
}

static int host_write(const char *text)
{
	char line[256];
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	snprintf(line, sizeof(line), "<4>%s\n", text);
	r = kwrite(fd, line);
	close(fd);
	return r;
}

/* The /dev/ctnr-kmsg record with @text, read from the log of @cg. */
static int ctr_find(const char *cg, const char *text, struct krec *rec)
{
	long long r;
	int fd;

	r = cg_enter(cg, getpid());
	if (r)
		return r;
	fd = kopen(O_RDONLY | O_NONBLOCK);
	cg_leave();
	if (fd < 0)
		return fd;
	r = kfind(fd, text, rec);
	close(fd);
	return r < 0 ? (int)r : 0;
}

struct sl_arg {
	const char *cg;
	const char *mine, *absent[3];
	char want_line[256];	/* the exact syslog line of mine */
	unsigned int log_size;
	bool nobody;		/* uid 65534, no capabilities */
	bool other_userns;	/* root of a user namespace of its own */
	int want;		/* READ_ALL's result: 0 (any length) or -errno */
};

static void sl_become(int errfd, struct sl_arg *a)
{
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	if (a->nobody)
		CHILD_CHECK(errfd, !setgroups(0, NULL) &&
			    !setresgid(65534, 65534, 65534) &&
			    !setresuid(65534, 65534, 65534), "nobody: %m");
	if (a->other_userns)
		CHILD_CHECK(errfd, enter_userns_as_root(0) == 0, "userns");
}

/* READ_ALL, SIZE_BUFFER and SIZE_UNREAD act on the container's log */
static void sl_read_all_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	static char buf[SL_BUF];
	int n, i;

	sl_become(errfd, a);
	n = klog(SYSLOG_ACTION_READ_ALL, buf, sizeof(buf) - 1);
	if (a->want) {
		CHILD_CHECK(errfd, n == a->want, "READ_ALL: %d, want %d", n,
			    a->want);
		return;
	}
	CHILD_CHECK(errfd, n > 0, "READ_ALL: %s", strerror(-n));
	buf[n] = '\0';
	CHILD_CHECK(errfd, strstr(buf, a->want_line), "no \"%s\" in:\n%s",
		    a->want_line, buf);
	for (i = 0; i < 3 && a->absent[i]; i++)
		CHILD_CHECK(errfd, !strstr(buf, a->absent[i]),
			    "READ_ALL shows \"%s\"", a->absent[i]);
	/* every line "<N>[" as the kernel's */
	for (i = 0; i < n; i = strchr(buf + i, '\n') - buf + 1)
		CHILD_CHECK(errfd, buf[i] == '<' && strchr(buf + i, '\n'),
			    "odd line at %d: \"%.40s\"", i, buf + i);
	n = klog(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	CHILD_CHECK(errfd, n == (int)a->log_size, "SIZE_BUFFER %d, want %u",
		    n, a->log_size);
}

TEST_F_TIMEOUT(kmsg, syslog_read_all_is_the_containers_log, 60)
{
	char host_tag[64], other_tag[64], mine[64], msg[1024];
	static char buf[SL_BUF];
	struct sl_arg a = { 0 };
	struct krec rec;
	uint32_t id_b;
	int n;

	ASSERT_EQ(0, second_container(self, &id_b));
	snprintf(host_tag, sizeof(host_tag), "sl-host-%d", getpid());
	snprintf(other_tag, sizeof(other_tag), "sl-other-%d", getpid());
	snprintf(mine, sizeof(mine), "sl-mine-%d", getpid());
	ASSERT_EQ(0, host_write(host_tag));
	ASSERT_EQ(0, ctr_write(self->cg2, other_tag));
	ASSERT_EQ(0, ctr_write(self->cg, mine));
	ASSERT_EQ(0, ctr_find(self->cg, mine, &rec));
	a.cg = self->cg;
	a.mine = mine;
	a.absent[0] = host_tag;
	a.absent[1] = other_tag;
	a.log_size = atoi(self->size);
	/* <facility user, level 4>[%5lu.%06lu] text, as printk prints */
	snprintf(a.want_line, sizeof(a.want_line), "<%u>[%5llu.%06llu] %s\n",
		 rec.prio, rec.ts / 1000000, rec.ts % 1000000, mine);
	ASSERT_EQ(0, run_child(sl_read_all_child, &a, msg, sizeof(msg),
			       30000)) {
		TH_LOG("%s", msg);
	}
	/* the host's syslog(2) is the host's log: its line, not ours */
	n = klog(SYSLOG_ACTION_READ_ALL, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_NE(NULL, strstr(buf, host_tag));
	EXPECT_EQ(NULL, strstr(buf, mine));
	EXPECT_EQ(NULL, strstr(buf, other_tag));
}

/* READ is destructive, resumes inside a record, and checks its input */
static void sl_read_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	static char all[SL_BUF], got[SL_BUF];
	int n, len = 0, unread, r;

	sl_become(errfd, a);
	n = klog(SYSLOG_ACTION_READ_ALL, all, sizeof(all));
	CHILD_CHECK(errfd, n > 0, "READ_ALL: %d", n);
	unread = klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0);
	CHILD_CHECK(errfd, unread == n, "SIZE_UNREAD %d, READ_ALL %d",
		    unread, n);
	while (len < n) {
		r = klog(SYSLOG_ACTION_READ, got + len, 7);
		CHILD_CHECK(errfd, r > 0 && r <= 7, "READ: %d", r);
		len += r;
		unread = klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0);
		CHILD_CHECK(errfd, unread == n - len, "SIZE_UNREAD %d after %d of %d",
			    unread, len, n);
	}
	CHILD_CHECK(errfd, len == n && !memcmp(all, got, n),
		    "READ in pieces differs from READ_ALL");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_READ, NULL, 10) == -EINVAL,
		    "READ NULL");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_READ, got, -1) == -EINVAL,
		    "READ -1");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_READ, got, 0) == 0, "READ 0");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_READ_ALL, (char *)-4096L, 10) ==
		    -EFAULT, "READ_ALL to a kernel address");
	CHILD_CHECK(errfd, klog(99, got, 10) == -EINVAL, "type 99");
	CHILD_CHECK(errfd, klog(-1, got, 10) == -EINVAL, "type -1");
	/* a new record is what the next READ gives, whole */
	CHILD_CHECK(errfd, ctr_write(a->cg, a->mine) == 0, "write");
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	r = klog(SYSLOG_ACTION_READ, got, sizeof(got) - 1);
	CHILD_CHECK(errfd, r > 0, "READ: %d", r);
	got[r] = '\0';
	CHILD_CHECK(errfd, !strncmp(got, "<12>[", 5) && strstr(got, a->mine) &&
		    got[r - 1] == '\n' && !strchr(got, '\n')[1],
		    "READ gave \"%s\"", got);
	/* as many whole records as fit, as syslog_print() gives */
	CHILD_CHECK(errfd, ctr_write(a->cg, "sl-read-one") == 0 &&
		    ctr_write(a->cg, "sl-read-two") == 0, "write");
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	r = klog(SYSLOG_ACTION_READ, got, sizeof(got) - 1);
	CHILD_CHECK(errfd, r > 0, "READ: %d", r);
	got[r] = '\0';
	if (!strstr(got, "sl-read-one\n<12>[") ||
	    strstr(got, "sl-read-two\n") != got + r - 12) {
		n = klog(SYSLOG_ACTION_READ_ALL, all, sizeof(all) - 1);
		all[n > 0 ? n : 0] = '\0';
		unread = klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0);
		CHILD_CHECK(errfd, 0, "READ of two gave \"%s\"; unread %d, the log: %s",
			    got, unread, all + (n > 300 ? n - 300 : 0));
	}
}

TEST_F_TIMEOUT(kmsg, syslog_read_destructive_in_pieces, 60)
{
	struct sl_arg a = { .cg = self->cg };
	char mine[64], msg[1024];

	snprintf(mine, sizeof(mine), "sl-read-%d", getpid());
	a.mine = mine;
	ASSERT_EQ(0, ctr_write(self->cg, "sl-first"));
	ASSERT_EQ(0, run_child(sl_read_child, &a, msg, sizeof(msg), 30000)) {
		TH_LOG("%s", msg);
	}
}

/* READ blocks until a record comes; a signal interrupts it */
struct sl_late {
	int fd;		/* /dev/ctnr-kmsg, opened in the container */
	const char *line;
};

/* (not ctr_write(): moving the process would move the reader out too) */
static void *sl_late_writer(void *arg)
{
	struct sl_late *w = arg;

	sleep_ms(300);
	kwrite(w->fd, w->line);
	return NULL;
}

static void sl_alarm(int sig)
{
	(void)sig;
}

static void sl_block_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	static char buf[SL_BUF];
	pthread_t th;
	int64_t t0;
	int r;

	struct sl_late w;
	char line[128];

	sl_become(errfd, a);
	w.fd = kopen(O_WRONLY);
	CHILD_CHECK(errfd, w.fd >= 0, "open: %d", w.fd);
	snprintf(line, sizeof(line), "<4>%s\n", a->mine);
	w.line = line;
	/* drain */
	while (klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0) > 0)
		CHILD_CHECK(errfd, klog(SYSLOG_ACTION_READ, buf, sizeof(buf)) > 0,
			    "READ");
	t0 = now_ms();
	CHILD_CHECK(errfd, !pthread_create(&th, NULL, sl_late_writer, &w),
		    "thread");
	r = klog(SYSLOG_ACTION_READ, buf, sizeof(buf) - 1);
	pthread_join(th, NULL);
	CHILD_CHECK(errfd, r > 0, "READ: %d", r);
	buf[r] = '\0';
	CHILD_CHECK(errfd, strstr(buf, a->mine), "READ gave \"%s\"", buf);
	CHILD_CHECK(errfd, now_ms() - t0 >= 250, "READ did not wait");
	/* interrupted: EINTR (no SA_RESTART) */
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = sl_alarm }, NULL);
	alarm(1);
	r = klog(SYSLOG_ACTION_READ, buf, sizeof(buf));
	CHILD_CHECK(errfd, r == -EINTR, "READ under a signal: %d", r);
}

TEST_F_TIMEOUT(kmsg, syslog_read_blocks_until_a_record, 60)
{
	struct sl_arg a = { .cg = self->cg, .mine = "sl-late" };
	char msg[1024];

	ASSERT_EQ(0, run_child(sl_block_child, &a, msg, sizeof(msg), 30000)) {
		TH_LOG("%s", msg);
	}
}

/* CLEAR and READ_CLEAR clear the container's log, not the host's */
static void sl_clear_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	static char buf[SL_BUF];
	int n;

	sl_become(errfd, a);
	n = klog(SYSLOG_ACTION_READ_CLEAR, buf, sizeof(buf) - 1);
	CHILD_CHECK(errfd, n > 0, "READ_CLEAR: %d", n);
	buf[n] = '\0';
	CHILD_CHECK(errfd, strstr(buf, a->mine), "READ_CLEAR lacks it");
	n = klog(SYSLOG_ACTION_READ_ALL, buf, sizeof(buf));
	CHILD_CHECK(errfd, n == 0, "READ_ALL after READ_CLEAR: %d", n);
	CHILD_CHECK(errfd, ctr_write(a->cg, "sl-after-clear") == 0, "write");
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	n = klog(SYSLOG_ACTION_READ_ALL, buf, sizeof(buf) - 1);
	CHILD_CHECK(errfd, n > 0, "READ_ALL: %d", n);
	buf[n] = '\0';
	CHILD_CHECK(errfd, strstr(buf, "sl-after-clear") &&
		    !strstr(buf, a->mine), "after the clear: \"%s\"", buf);
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_CLEAR, NULL, 0) == 0, "CLEAR");
	n = klog(SYSLOG_ACTION_READ_ALL, buf, sizeof(buf));
	CHILD_CHECK(errfd, n == 0, "READ_ALL after CLEAR: %d", n);
}

TEST_F_TIMEOUT(kmsg, syslog_clear_is_the_containers, 60)
{
	char host_tag[64], mine[64], msg[1024];
	static char buf[SL_BUF];
	struct sl_arg a = { .cg = self->cg };
	struct lset s = { 0 };
	int n;

	snprintf(host_tag, sizeof(host_tag), "slc-host-%d", getpid());
	snprintf(mine, sizeof(mine), "slc-mine-%d", getpid());
	ASSERT_EQ(0, host_write(host_tag));
	ASSERT_EQ(0, ctr_write(self->cg, mine));
	a.mine = mine;
	ASSERT_EQ(0, run_child(sl_clear_child, &a, msg, sizeof(msg), 30000)) {
		TH_LOG("%s", msg);
	}
	n = klog(SYSLOG_ACTION_READ_ALL, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_NE(NULL, strstr(buf, host_tag));
	/* LOG_GET without a sequence number starts after the clear too */
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, -1, &s));
	EXPECT_EQ(-1, lset_find(&s, mine));
	EXPECT_EQ(-1, lset_find(&s, "sl-after-clear"));
	free(s.r);
}

/* the console actions never reach the host's console */
static void sl_console_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;

	sl_become(errfd, a);
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, 1) == -EPERM,
		    "CONSOLE_LEVEL");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_CONSOLE_OFF, NULL, 0) == -EPERM,
		    "CONSOLE_OFF");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_CONSOLE_ON, NULL, 0) == -EPERM,
		    "CONSOLE_ON");
}

TEST_F_TIMEOUT(kmsg, syslog_console_actions_refused, 90)
{
	struct sl_arg a = { .cg = self->cg };
	char before[64], after[64], msg[1024], dmesg[PATH_MAX];
	char *argv[] = { dmesg, "-n", "1", NULL };
	pid_t pid;
	int st;

	ASSERT_EQ(0, sysctl_get(PRINTK_LEVELS, before, sizeof(before)));
	ASSERT_EQ(0, run_child(sl_console_child, &a, msg, sizeof(msg),
			       30000)) {
		TH_LOG("%s", msg);
	}
	if (!find_in_path("dmesg", dmesg, sizeof(dmesg))) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			int nul = open("/dev/null", O_WRONLY);

			dup2(nul, 1);
			dup2(nul, 2);
			if (cg_enter(self->cg, getpid()))
				_exit(99);
			execv(dmesg, argv);
			_exit(98);
		}
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) != 0 &&
			    WEXITSTATUS(st) < 98);
	}
	ASSERT_EQ(0, sysctl_get(PRINTK_LEVELS, after, sizeof(after)));
	EXPECT_STREQ(before, after);
}

/* CAP_SYSLOG in the container's user namespace; dmesg_restrict as the kernel */
TEST_F_TIMEOUT(kmsg, syslog_permissions, 90)
{
	struct sl_arg a = { .cg = self->cg, .nobody = true };
	char old[16], msg[1024], mine[64];
	struct krec rec;

	snprintf(mine, sizeof(mine), "slp-mine-%d", getpid());
	ASSERT_EQ(0, ctr_write(self->cg, mine));
	ASSERT_EQ(0, ctr_find(self->cg, mine, &rec));
	snprintf(a.want_line, sizeof(a.want_line), "%s\n", mine);
	a.mine = mine;
	a.log_size = atoi(self->size);
	ASSERT_EQ(0, sysctl_get(DMESG_RESTRICT, old, sizeof(old)));
	/* restricted: nobody and another namespace's root read nothing */
	ASSERT_EQ(0, sysctl_set(DMESG_RESTRICT, "1"));
	a.want = -EPERM;
	EXPECT_EQ(0, run_child(sl_read_all_child, &a, msg, sizeof(msg),
			       30000)) {
		TH_LOG("nobody, dmesg_restrict=1: %s", msg);
	}
	a.nobody = false;
	a.other_userns = true;
	EXPECT_EQ(0, run_child(sl_read_all_child, &a, msg, sizeof(msg),
			       30000)) {
		TH_LOG("root of another userns, dmesg_restrict=1: %s", msg);
	}
	/* unrestricted: everybody may READ_ALL and SIZE_BUFFER, the container's */
	ASSERT_EQ(0, sysctl_set(DMESG_RESTRICT, "0"));
	a.want = 0;
	a.other_userns = false;
	a.nobody = true;
	EXPECT_EQ(0, run_child(sl_read_all_child, &a, msg, sizeof(msg),
			       30000)) {
		TH_LOG("nobody, dmesg_restrict=0: %s", msg);
	}
	sysctl_set(DMESG_RESTRICT, old);
}

static void sl_nobody_clear_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	char buf[64];

	sl_become(errfd, a);
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_CLEAR, NULL, 0) == -EPERM,
		    "CLEAR");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_READ, buf, sizeof(buf)) ==
		    -EPERM, "READ");
	CHILD_CHECK(errfd, klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0) == -EPERM,
		    "SIZE_UNREAD");
	CHILD_CHECK(errfd, open(PROCKMSG_PATH, O_RDONLY) < 0 && errno == EPERM,
		    "open " PROCKMSG_PATH);
}

TEST_F(kmsg, syslog_nobody_may_not_clear_or_read)
{
	struct sl_arg a = { .cg = self->cg, .nobody = true };
	char old[16], msg[1024];

	ASSERT_EQ(0, sysctl_get(DMESG_RESTRICT, old, sizeof(old)));
	ASSERT_EQ(0, sysctl_set(DMESG_RESTRICT, "0"));
	EXPECT_EQ(0, run_child(sl_nobody_clear_child, &a, msg, sizeof(msg),
			       30000)) {
		TH_LOG("%s", msg);
	}
	sysctl_set(DMESG_RESTRICT, old);
}

/* /dev/ctnr-prockmsg: /proc/kmsg on the container's log */
static void sl_prockmsg_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	struct pollfd p;
	char buf[4096];
	ssize_t n;
	int fd;

	sl_become(errfd, a);
	fd = open(PROCKMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "open: %m");
	/* rsyslog's imklog: reads until nothing is left, "<N>" lines */
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		CHILD_CHECK(errfd, buf[0] == '<' && !strstr(buf, a->absent[0]) &&
			    !strstr(buf, a->absent[1]), "read \"%s\"", buf);
	}
	CHILD_CHECK(errfd, n < 0 && errno == EAGAIN, "drained: %zd %m", n);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHILD_CHECK(errfd, poll(&p, 1, 0) == 0, "poll with nothing");
	CHILD_CHECK(errfd, ctr_write(a->cg, a->mine) == 0, "write");
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	CHILD_CHECK(errfd, poll(&p, 1, 5000) == 1 && (p.revents & POLLIN),
		    "poll after a write");
	n = read(fd, buf, sizeof(buf) - 1);
	CHILD_CHECK(errfd, n > 0, "read: %m");
	buf[n] = '\0';
	CHILD_CHECK(errfd, !strncmp(buf, "<12>", 4) && strstr(buf, a->mine),
		    "read \"%s\"", buf);
	CHILD_CHECK(errfd, read(fd, buf, sizeof(buf)) < 0 && errno == EAGAIN,
		    "read again");
	close(fd);
	/* the real /proc/kmsg, opened by a task in the container (root) */
	CHILD_CHECK(errfd, ctr_write(a->cg, "sl-proc-kmsg") == 0, "write");
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	fd = open("/proc/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHILD_CHECK(errfd, fd >= 0, "open /proc/kmsg: %m");
	n = read(fd, buf, sizeof(buf) - 1);
	CHILD_CHECK(errfd, n > 0, "read /proc/kmsg: %m");
	buf[n] = '\0';
	CHILD_CHECK(errfd, strstr(buf, "sl-proc-kmsg") &&
		    !strstr(buf, a->absent[0]), "/proc/kmsg: \"%s\"", buf);
	close(fd);
}

TEST_F_TIMEOUT(kmsg, prockmsg_is_proc_kmsg_of_the_container, 60)
{
	struct sl_arg a = { .cg = self->cg };
	char host_tag[64], mine[64], other[64], msg[1024];
	uint32_t id2;

	snprintf(host_tag, sizeof(host_tag), "slk-host-%d", getpid());
	snprintf(mine, sizeof(mine), "slk-mine-%d", getpid());
	snprintf(other, sizeof(other), "slk-other-%d", getpid());
	ASSERT_EQ(0, second_container(self, &id2));
	ASSERT_EQ(0, host_write(host_tag));
	ASSERT_EQ(0, ctr_write(self->cg2, other));
	a.mine = mine;
	a.absent[0] = host_tag;
	a.absent[1] = other;
	ASSERT_EQ(-1, open(PROCKMSG_PATH, O_RDONLY));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, run_child(sl_prockmsg_child, &a, msg, sizeof(msg),
			       30000)) {
		TH_LOG("%s", msg);
	}
	EXPECT_EQ(1, host_log_find(host_tag, NULL));
	EXPECT_EQ(0, ctr_find(self->cg2, other, &(struct krec){ 0 }));
}

/* util-linux dmesg -S, -c, -C and busybox dmesg, with no bind mount */
static void sl_tools_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	static char out[SL_BUF];
	char dmesg[PATH_MAX], bb[PATH_MAX], err[1024];
	char *argv_s[] = { dmesg, "-S", NULL };
	char *argv_c[] = { dmesg, "-S", "-c", NULL };
	char *argv_cc[] = { dmesg, "-C", NULL };
	char *argv_bb[] = { bb, "dmesg", NULL };
	int r;

	sl_become(errfd, a);
	CHILD_CHECK(errfd, !find_in_path("dmesg", dmesg, sizeof(dmesg)),
		    "dmesg");
	r = run_cmd(argv_s, out, sizeof(out), err, sizeof(err), 30000);
	CHILD_CHECK(errfd, r == 0, "dmesg -S: %d %s", r, err);
	CHILD_CHECK(errfd, strstr(out, a->mine) && !strstr(out, a->absent[0]) &&
		    !strstr(out, a->absent[1]), "dmesg -S:\n%s", out);
	/* busybox dmesg: syslog(2) READ_ALL only (make deps installs it) */
	CHILD_CHECK(errfd, !find_in_path("busybox", bb, sizeof(bb)),
		    "busybox not found: run make deps");
	r = run_cmd(argv_bb, out, sizeof(out), err, sizeof(err), 30000);
	CHILD_CHECK(errfd, r == 0, "busybox dmesg: %d %s", r, err);
	CHILD_CHECK(errfd, strstr(out, a->mine) && !strstr(out, a->absent[0]) &&
		    !strstr(out, a->absent[1]), "busybox dmesg:\n%s", out);
	r = run_cmd(argv_c, out, sizeof(out), err, sizeof(err), 30000);
	CHILD_CHECK(errfd, r == 0 && strstr(out, a->mine), "dmesg -S -c: %d %s",
		    r, err);
	r = run_cmd(argv_s, out, sizeof(out), err, sizeof(err), 30000);
	CHILD_CHECK(errfd, r == 0 && !strstr(out, a->mine),
		    "dmesg -S after -c:\n%s", out);
	CHILD_CHECK(errfd, ctr_write(a->cg, "sl-tools-2") == 0, "write");
	CHILD_CHECK(errfd, cg_enter(a->cg, getpid()) == 0, "join cgroup");
	r = run_cmd(argv_cc, out, sizeof(out), err, sizeof(err), 30000);
	CHILD_CHECK(errfd, r == 0, "dmesg -C: %d %s", r, err);
	r = run_cmd(argv_s, out, sizeof(out), err, sizeof(err), 30000);
	CHILD_CHECK(errfd, r == 0 && !strstr(out, "sl-tools-2"),
		    "dmesg -S after -C:\n%s", out);
}

/*
 * util-linux dmesg as a user of a container set up as documented, with
 * /dev/ctnr-kmsg on /dev/kmsg: that open needs CAP_SYSLOG, so dmesg falls
 * back to syslog(2), which the kernel's rules (dmesg_restrict) decide.
 */
static void sl_tools_nobody_child(int errfd, void *arg)
{
	struct sl_arg *a = arg;
	static char out[SL_BUF];
	char dmesg[PATH_MAX], err[1024];
	char *argv[] = { dmesg, NULL };
	int r;

	CHILD_CHECK(errfd, !unshare(CLONE_NEWNS), "unshare: %m");
	CHILD_CHECK(errfd, !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
		    "make / private: %m");
	CHILD_CHECK(errfd, !mount(KMSG_PATH, "/dev/kmsg", NULL, MS_BIND, NULL),
		    "bind mount: %m");
	sl_become(errfd, a);
	CHILD_CHECK(errfd, !find_in_path("dmesg", dmesg, sizeof(dmesg)),
		    "dmesg");
	r = run_cmd(argv, out, sizeof(out), err, sizeof(err), 30000);
	if (a->want) {
		/* dmesg_restrict=1: refused, and nothing of anybody's shown */
		CHILD_CHECK(errfd, r != 0 && !strstr(out, a->absent[0]) &&
			    !strstr(out, a->mine), "dmesg as nobody: %d\n%s",
			    r, out);
		return;
	}
	CHILD_CHECK(errfd, r == 0, "dmesg as nobody: %d %s", r, err);
	CHILD_CHECK(errfd, strstr(out, a->mine) && !strstr(out, a->absent[0]) &&
		    !strstr(out, a->absent[1]), "dmesg as nobody:\n%s", out);
}

TEST_F_TIMEOUT(kmsg, syslog_tools_in_container, 180)
{
	struct sl_arg a = { .cg = self->cg };
	char host_tag[64], mine[64], other[64], msg[2048], old[16];
	uint32_t id2;

	ASSERT_TRUE(is_prog("dmesg")) {
		TH_LOG("util-linux dmesg not installed: run make deps");
	}
	snprintf(host_tag, sizeof(host_tag), "slt-host-%d", getpid());
	snprintf(mine, sizeof(mine), "slt-mine-%d", getpid());
	snprintf(other, sizeof(other), "slt-other-%d", getpid());
	ASSERT_EQ(0, second_container(self, &id2));
	ASSERT_EQ(0, host_write(host_tag));
	ASSERT_EQ(0, ctr_write(self->cg, mine));
	ASSERT_EQ(0, ctr_write(self->cg2, other));
	a.mine = mine;
	a.absent[0] = host_tag;
	a.absent[1] = other;

	/* dmesg of a user of the container, both ways of dmesg_restrict */
	ASSERT_EQ(0, sysctl_get(DMESG_RESTRICT, old, sizeof(old)));
	a.nobody = true;
	ASSERT_EQ(0, sysctl_set(DMESG_RESTRICT, "0"));
	EXPECT_EQ(0, run_child(sl_tools_nobody_child, &a, msg, sizeof(msg),
			       60000)) {
		TH_LOG("%s", msg);
	}
	ASSERT_EQ(0, sysctl_set(DMESG_RESTRICT, "1"));
	a.want = -EPERM;
	EXPECT_EQ(0, run_child(sl_tools_nobody_child, &a, msg, sizeof(msg),
			       60000)) {
		TH_LOG("%s", msg);
	}
	sysctl_set(DMESG_RESTRICT, old);
	a.nobody = false;
	a.want = 0;

	ASSERT_EQ(0, run_child(sl_tools_child, &a, msg, sizeof(msg), 150000)) {
		TH_LOG("%s", msg);
	}
	/* the host's log and the other container's are as they were */
	EXPECT_EQ(1, host_log_find(host_tag, NULL));
	EXPECT_EQ(0, ctr_find(self->cg2, other, &(struct krec){ 0 }));
}

/* readers in threads share one position: every record read once */
struct sl_conc {
	const char *cg;
	char got[SL_BUF];
	int len;
	pthread_mutex_t lock;
	volatile int stop;
	int done;		/* readers that returned */
};

static void *sl_conc_reader(void *arg)
{
	struct sl_conc *s = arg;
	char buf[512];
	int r;

	while (!s->stop) {
		if (klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0) <= 0) {
			sleep_ms(5);
			continue;
		}
		r = klog(SYSLOG_ACTION_READ, buf, sizeof(buf));
		if (r <= 0)
			continue;
		pthread_mutex_lock(&s->lock);
		if (s->len + r < (int)sizeof(s->got)) {
			memcpy(s->got + s->len, buf, r);
			s->len += r;
		}
		pthread_mutex_unlock(&s->lock);
	}
	__atomic_add_fetch(&s->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void sl_conc_child(int errfd, void *arg)
{
	static struct sl_conc s;
	struct sl_arg *a = arg;
	char tag[64], buf[4096];
	pthread_t th[3];
	int i, fd, hits;
	char *p;

	sl_become(errfd, a);
	while (klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0) > 0)
		klog(SYSLOG_ACTION_READ, buf, sizeof(buf));
	s.cg = a->cg;
	pthread_mutex_init(&s.lock, NULL);
	for (i = 0; i < 3; i++)
		CHILD_CHECK(errfd, !pthread_create(&th[i], NULL, sl_conc_reader,
						   &s), "thread");
	fd = kopen(O_WRONLY);
	CHILD_CHECK(errfd, fd >= 0, "open: %d", fd);
	for (i = 0; i < 300; i++) {
		snprintf(tag, sizeof(tag), "<6>slq-%d-%04d\n", getpid(), i);
		CHILD_CHECK(errfd, kwrite(fd, tag) == 0, "write %d", i);
	}
	for (i = 0; i < 500 && klog(SYSLOG_ACTION_SIZE_UNREAD, NULL, 0) > 0; i++)
		sleep_ms(10);
	s.stop = 1;
	/* a reader may wait in READ: records wake them until all are out */
	for (i = 0; i < 1000 && __atomic_load_n(&s.done, __ATOMIC_SEQ_CST) < 3;
	     i++) {
		kwrite(fd, "<6>slq-wake\n");
		sleep_ms(20);
	}
	close(fd);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	s.got[s.len] = '\0';
	for (i = 0; i < 300; i++) {
		snprintf(tag, sizeof(tag), "slq-%d-%04d\n", getpid(), i);
		for (hits = 0, p = s.got; (p = strstr(p, tag)); p++)
			hits++;
		CHILD_CHECK(errfd, hits == 1, "%s read %d times", tag, hits);
	}
}

TEST_F_TIMEOUT(kmsg, syslog_concurrent_readers_read_each_record_once, 120)
{
	struct sl_arg a = { .cg = self->cg };
	char msg[1024];

	ASSERT_EQ(0, run_child(sl_conc_child, &a, msg, sizeof(msg), 100000)) {
		TH_LOG("%s", msg);
	}
}

/* ------------------------------------------------------------------ */
/* the kernel's own messages about a container's tasks                */

#define EXCEPTION_TRACE	"/proc/sys/debug/exception-trace"
#define HUNG_TIMEOUT	"/proc/sys/kernel/hung_task_timeout_secs"
#define HUNG_WARNINGS	"/proc/sys/kernel/hung_task_warnings"

/*
 * Container a: an init in a pid namespace of its own, so that the pids in
 * its log differ from the host's; container b: a plain one, which must see
 * none of a's lines.
 */
FIXTURE(kt) {
	struct ctnr_nl nl;
	struct test_init init;
	char cg[PATH_MAX], cg2[PATH_MAX];
	char prefix[32];
	uint32_t id, id2;
	char trace[16];		/* debug.exception-trace before the test */
};

FIXTURE_SETUP(kt)
{
	char rel[64], name[64];
	struct ctnr_ctr c;
	int r;

	self->init.pid = -1;
	self->init.ctl = -EBADF;
	self->cg2[0] = '\0';
	self->trace[0] = '\0';
	ASSERT_EQ(0, ctnr_nl_open(&self->nl));
	snprintf(self->prefix, sizeof(self->prefix), "kk%d-", getpid());
	snprintf(rel, sizeof(rel), CG_PREFIX "%d-kt", getpid());
	r = cg_create(rel, self->cg, sizeof(self->cg));
	ASSERT_EQ(0, r) {
		TH_LOG("cgroup %s: %s", rel, strerror(-r));
	}
	r = test_init_start(&self->init, CLONE_NEWNS | CLONE_NEWPID, false,
			    "ktinit", self->cg);
	ASSERT_EQ(0, r) {
		TH_LOG("init: %s", strerror(-r));
	}
	snprintf(name, sizeof(name), "%sa", self->prefix);
	r = ctnr_new(&self->nl, name, self->init.pid, 0, &c);
	ASSERT_EQ(0, r) {
		TH_LOG("CONTAINER_NEW: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	self->id = c.id;
	snprintf(rel, sizeof(rel), CG_PREFIX "%d-kt2", getpid());
	r = cg_create(rel, self->cg2, sizeof(self->cg2));
	ASSERT_EQ(0, r) {
		self->cg2[0] = '\0';
	}
	snprintf(name, sizeof(name), "%sb", self->prefix);
	ASSERT_EQ(0, register_in(&self->nl, self->cg2, name, &self->id2));
	/* the kernel reports unhandled fatal signals only with this on */
	ASSERT_EQ(0, sysctl_get(EXCEPTION_TRACE, self->trace,
				sizeof(self->trace)));
	ASSERT_EQ(0, sysctl_set(EXCEPTION_TRACE, "1"));
}

FIXTURE_TEARDOWN(kt)
{
	cg_leave();
	if (self->trace[0])
		sysctl_set(EXCEPTION_TRACE, self->trace);
	test_init_stop(&self->init);
	ctnr_del_prefix(&self->nl, self->prefix);
	cg_remove(self->cg);
	if (self->cg2[0])
		cg_remove(self->cg2);
	ctnr_nl_close(&self->nl);
}

struct kt_pid {
	int tag;		/* 'v': its pid in the container, 'h': the host's */
	pid_t pid;
};

/*
 * Start @fn(@arg) as a process named @comm in cgroup @cg and, when @nsinit
 * is not 0, in the pid namespace of that process.  It is our child
 * (CLONE_PARENT from a helper), so waitpid() works on the returned host
 * pid; *@vpid is its pid in its own pid namespace.
 */
static pid_t kt_spawn(pid_t nsinit, const char *cg, const char *comm,
		      void (*fn)(void *), void *arg, pid_t *vpid)
{
	struct kt_pid m, got[2];
	pid_t helper, hpid = -1;
	char path[64];
	int p[2], st, i;

	*vpid = -1;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	helper = fork();
	if (helper < 0)
		return -errno;
	if (!helper) {
		pid_t g;
		int fd;

		close(p[0]);
		if (nsinit) {
			snprintf(path, sizeof(path), "/proc/%d/ns/pid", nsinit);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, CLONE_NEWPID))
				_exit(1);
		}
		if (cg_enter(cg, getpid()))
			_exit(2);
		g = sys_clone(CLONE_PARENT);
		if (g < 0)
			_exit(3);
		if (!g) {
			m.tag = 'v';
			m.pid = getpid();
			prctl(PR_SET_NAME, comm, 0, 0, 0);
			/* no core dump: the signal's report is the point */
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
			if (write(p[1], &m, sizeof(m)) != sizeof(m))
				_exit(4);
			close(p[1]);
			fn(arg);
			_exit(0);
		}
		m.tag = 'h';
		m.pid = g;
		_exit(write(p[1], &m, sizeof(m)) == sizeof(m) ? 0 : 5);
	}
	close(p[1]);
	for (i = 0; i < 2; i++)
		if (read(p[0], &got[i], sizeof(got[i])) != sizeof(got[i]))
			break;
	close(p[0]);
	waitpid(helper, &st, 0);
	if (i < 2)
		return -ECHILD;
	for (i = 0; i < 2; i++) {
		if (got[i].tag == 'v')
			*vpid = got[i].pid;
		else
			hpid = got[i].pid;
	}
	return *vpid > 0 ? hpid : -ECHILD;
}

/* The first record of container @id whose text starts with @start, or -1. */
static int kt_find(FIXTURE_DATA(kt) *self, uint32_t id, const char *start,
		   struct lrec *out)
{
	struct lset s = { 0 };
	int i, r = -1;

	if (log_get(&self->nl, id, NULL, -1, &s) == 0)
		for (i = 0; i < s.n && r < 0; i++)
			if (!strncmp(s.r[i].text, start, strlen(start))) {
				*out = s.r[i];
				r = i;
			}
	free(s.r);
	return r;
}

/* The same, waiting up to @ms for it. */
static int kt_wait(FIXTURE_DATA(kt) *self, uint32_t id, const char *start,
		   struct lrec *out, int ms)
{
	int64_t end = now_ms() + ms;
	int r;

	while ((r = kt_find(self, id, start, out)) < 0 && now_ms() < end)
		sleep_ms(100);
	return r;
}

/* Whether any record of container @id contains @text. */
static bool kt_any(FIXTURE_DATA(kt) *self, uint32_t id, const char *text)
{
	struct lset s = { 0 };
	bool found = false;
	int i;

	if (log_get(&self->nl, id, NULL, -1, &s) == 0)
		for (i = 0; i < s.n; i++)
			found |= strstr(s.r[i].text, text) != NULL;
	free(s.r);
	return found;
}

#define KT_UNUSED	__attribute__((unused))

/* a store to address 8 */
static void kt_poke(void)
{
	int *volatile p = (int *)8;

	*p = 1;
}

static void kt_segv(void *arg KT_UNUSED)
{
	kt_poke();
}

static void kt_ud2(void *arg KT_UNUSED)
{
	__builtin_trap();
}

static void kt_on_segv(int sig KT_UNUSED)
{
	_exit(7);
}

static void kt_segv_handled(void *arg KT_UNUSED)
{
	signal(SIGSEGV, kt_on_segv);
	kt_poke();
}

/* Spawn @fn in container a, wait for it to die of @sig. */
#define KT_DIES_OF(fn, comm, sig, vpid) ({				\
	pid_t __h = kt_spawn(self->init.pid, self->cg, comm, fn, NULL,	\
			     vpid);					\
	int __st = 0;							\
	ASSERT_LT(0, __h);						\
	ASSERT_EQ(0, wait_pid_timeout(__h, &__st, 60000));		\
	ASSERT_TRUE(WIFSIGNALED(__st) && WTERMSIG(__st) == (sig)) {	\
		TH_LOG("%s: status %#x", comm, __st);			\
	}								\
	__h;								\
})

/*
 * A segfault and an invalid opcode: the kernel's lines, with the pid the
 * container knows, in its log; the host's log has them with host pids;
 * the other container sees nothing.
 */
TEST_F_TIMEOUT(kt, fatal_signal_lines_in_its_log, 120)
{
	char want[128], host[128];
	struct lrec rec;
	pid_t vpid, hpid;

	hpid = KT_DIES_OF(kt_segv, "ktsegv", SIGSEGV, &vpid);
	EXPECT_NE(hpid, vpid);
	snprintf(want, sizeof(want), "ktsegv[%d]: segfault at 8 ip ", vpid);
	ASSERT_LE(0, kt_wait(self, self->id, want, &rec, 10000)) {
		TH_LOG("no \"%s...\" in the container's log", want);
	}
	EXPECT_EQ(0, rec.fac);
	EXPECT_EQ(6, rec.lvl);		/* KERN_INFO, as the kernel's */
	EXPECT_NE(NULL, strstr(rec.text, " sp ")) {
		TH_LOG("%s", rec.text);
	}
	snprintf(want, sizeof(want), " in %s[", program_invocation_short_name);
	EXPECT_NE(NULL, strstr(rec.text, want)) {
		TH_LOG("%s", rec.text);
	}
	snprintf(host, sizeof(host), "ktsegv[%d]: segfault at 8 ip ", hpid);
	EXPECT_EQ(1, host_log_find(host, NULL));

	hpid = KT_DIES_OF(kt_ud2, "ktill", SIGILL, &vpid);
	snprintf(want, sizeof(want), "traps: ktill[%d] trap invalid opcode ip:",
		 vpid);
	ASSERT_LE(0, kt_wait(self, self->id, want, &rec, 10000)) {
		TH_LOG("no \"%s...\" in the container's log", want);
	}
	EXPECT_EQ(6, rec.lvl);
	snprintf(host, sizeof(host), "ktill[%d] trap invalid opcode ip:", hpid);
	EXPECT_EQ(1, host_log_find(host, NULL));

	EXPECT_FALSE(kt_any(self, self->id2, "ktsegv"));
	EXPECT_FALSE(kt_any(self, self->id2, "ktill"));
}

/*
 * What the kernel does not report is not copied: a signal the task
 * handles, and any fatal signal with debug.exception-trace off.
 */
TEST_F_TIMEOUT(kt, unreported_signals_not_copied, 120)
{
	pid_t vpid, h;
	int st;
	char want[64];

	h = kt_spawn(self->init.pid, self->cg, "kthandled", kt_segv_handled,
		     NULL, &vpid);
	ASSERT_LT(0, h);
	ASSERT_EQ(0, wait_pid_timeout(h, &st, 60000));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 7);

	ASSERT_EQ(0, sysctl_set(EXCEPTION_TRACE, "0"));
	KT_DIES_OF(kt_segv, "ktquiet", SIGSEGV, &vpid);
	ASSERT_EQ(0, sysctl_set(EXCEPTION_TRACE, "1"));
	/* a line after them: had they been copied, they would be before */
	KT_DIES_OF(kt_segv, "ktloud", SIGSEGV, &vpid);
	snprintf(want, sizeof(want), "ktloud[%d]: segfault at 8", vpid);
	ASSERT_LE(0, kt_wait(self, self->id, want, &(struct lrec){ 0 },
			     10000));
	EXPECT_FALSE(kt_any(self, self->id, "kthandled"));
	EXPECT_FALSE(kt_any(self, self->id, "ktquiet"));
}

static void kt_hog(void *arg KT_UNUSED)
{
	size_t mb = 1 << 20, i;
	char *p;

	for (i = 0; i < 1024; i++) {
		p = malloc(mb);
		if (!p)
			_exit(9);
		memset(p, 0x5a, mb);
	}
	_exit(8);		/* not killed: the limit did not hold */
}

/*
 * A process over its container's memory.max: the kernel's "Memory cgroup
 * out of memory: Killed process" line, with its pid in the container.
 */
TEST_F_TIMEOUT(kt, oom_kill_line_in_its_log, 180)
{
	char want[128], host[128], path[PATH_MAX + 32];
	struct lrec rec;
	pid_t vpid, hpid;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg2_root());
	if (!has_word(path, "memory") && write_str(path, "+memory"))
		SKIP(return, "cgroup2 has no memory controller");
	snprintf(path, sizeof(path), "%s/memory.max", self->cg);
	ASSERT_EQ(0, write_str(path, "33554432"));
	snprintf(path, sizeof(path), "%s/memory.swap.max", self->cg);
	write_str(path, "0");	/* where swap is accounted */
	hpid = KT_DIES_OF(kt_hog, "ktoom", SIGKILL, &vpid);
	snprintf(want, sizeof(want),
		 "Memory cgroup out of memory: Killed process %d (ktoom) total-vm:",
		 vpid);
	ASSERT_LE(0, kt_wait(self, self->id, want, &rec, 10000)) {
		TH_LOG("no \"%s...\" in the container's log", want);
	}
	EXPECT_EQ(0, rec.fac);
	EXPECT_EQ(3, rec.lvl);		/* KERN_ERR, as the kernel's */
	EXPECT_NE(NULL, strstr(rec.text, " UID:0 ")) {
		TH_LOG("%s", rec.text);
	}
	snprintf(host, sizeof(host), "Killed process %d (ktoom)", hpid);
	EXPECT_EQ(1, host_log_find(host, NULL));
	EXPECT_FALSE(kt_any(self, self->id2, "ktoom"));
}

struct kt_fuse {
	char dir[64];
	char sub[96];
};

static void kt_stat(void *arg)
{
	struct kt_fuse *f = arg;
	struct stat st;

	stat(f->sub, &st);	/* waits for a FUSE daemon that never answers */
}

static void kt_mkdir(void *arg)
{
	struct kt_fuse *f = arg;
	char path[128];

	snprintf(path, sizeof(path), "%s/y", f->dir);
	mkdir(path, 0755);	/* waits, uninterruptibly, for the dir's lock */
}

/* 'D', 'S', ... of host pid @pid, or 0. */
static char kt_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * A task of the container blocked for longer than hung_task_timeout_secs:
 * khungtaskd's "INFO: task ... blocked for more than" line.  The task:
 * mkdir() in a FUSE directory whose lookup, by another task, holds the
 * directory's lock while it waits for a daemon that never answers.
 */
TEST_F_TIMEOUT(kt, hung_task_line_in_its_log, 180)
{
	char timeout[32], warnings[32], want[128], host[128], opts[96];
	struct kt_fuse f;
	struct lrec rec;
	pid_t a = -1, b = -1, va, vb;
	int fd, st, i, found;

	if (access(HUNG_TIMEOUT, W_OK))
		SKIP(return, "this kernel has no hung-task detector");
	if (access("/dev/fuse", R_OK | W_OK))
		SKIP(return, "this kernel has no FUSE");
	ASSERT_EQ(0, sysctl_get(HUNG_TIMEOUT, timeout, sizeof(timeout)));
	ASSERT_EQ(0, sysctl_get(HUNG_WARNINGS, warnings, sizeof(warnings)));
	snprintf(f.dir, sizeof(f.dir), "/tmp/ctnr-kt-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(f.dir));
	snprintf(f.sub, sizeof(f.sub), "%s/x", f.dir);
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0",
		 fd);
	ASSERT_EQ(0, mount("ktfuse", f.dir, "fuse", MS_NOSUID | MS_NODEV,
			   opts)) {
		TH_LOG("mount fuse: %m");
	}
	a = kt_spawn(self->init.pid, self->cg, "ktlookup", kt_stat, &f, &va);
	ASSERT_LT(0, a);
	sleep_ms(300);
	b = kt_spawn(self->init.pid, self->cg, "ktmkdir", kt_mkdir, &f, &vb);
	ASSERT_LT(0, b);
	for (i = 0; i < 200 && kt_state(b) != 'D'; i++)
		sleep_ms(50);
	EXPECT_EQ('D', kt_state(b));
	ASSERT_EQ(0, sysctl_set(HUNG_WARNINGS, "-1"));
	ASSERT_EQ(0, sysctl_set(HUNG_TIMEOUT, "2"));
	snprintf(want, sizeof(want),
		 "INFO: task ktmkdir:%d blocked for more than ", vb);
	found = kt_wait(self, self->id, want, &rec, 60000);
	sysctl_set(HUNG_TIMEOUT, timeout);
	sysctl_set(HUNG_WARNINGS, warnings);
	/*
	 * Both hold the device too (forked, not exec'd): the connection
	 * stays.  a dies at once, and so lets b have the lock; b then dies
	 * in its own (killable) wait for the daemon.
	 */
	close(fd);
	umount2(f.dir, MNT_DETACH);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	EXPECT_EQ(0, wait_pid_timeout(a, &st, 30000));
	EXPECT_EQ(0, wait_pid_timeout(b, &st, 30000));
	rmdir(f.dir);
	ASSERT_LE(0, found) {
		TH_LOG("no \"%s...\" in the container's log", want);
	}
	EXPECT_EQ(0, rec.fac);
	EXPECT_EQ(3, rec.lvl);
	snprintf(host, sizeof(host), "INFO: task ktmkdir:%d blocked for more than ",
		 b);
	EXPECT_EQ(1, host_log_find(host, NULL));
	EXPECT_FALSE(kt_any(self, self->id2, "ktmkdir"));
	EXPECT_FALSE(kt_any(self, self->id, "ktlookup"));
}

/*
 * Ten lines in five seconds per container, then a note of how many were
 * dropped; the other container's lines are not held back by this one's.
 * Last of the group: it uses up the host's printk_ratelimit() too.
 */
TEST_F_TIMEOUT(kt, kernel_lines_rate_limited_per_container, 240)
{
	const char *note = "ctnr: ";
	struct lset s = { 0 };
	int64_t t0, took;
	unsigned int lines = 0, dropped = 0, n;
	pid_t vpid, h;
	char want[64];
	int i, st;

	t0 = now_ms();
	for (i = 0; i < 25; i++)
		KT_DIES_OF(kt_segv, "ktrl", SIGSEGV, &vpid);
	took = now_ms() - t0;
	/* container b's first line is let in, whatever a did */
	h = kt_spawn(0, self->cg2, "ktother", kt_segv, NULL, &vpid);
	ASSERT_LT(0, h);
	ASSERT_EQ(0, wait_pid_timeout(h, &st, 60000));
	snprintf(want, sizeof(want), "ktother[%d]: segfault at 8", vpid);
	EXPECT_LE(0, kt_wait(self, self->id2, want, &(struct lrec){ 0 },
			     10000));
	sleep_ms(5500);
	KT_DIES_OF(kt_segv, "ktrl", SIGSEGV, &vpid);
	snprintf(want, sizeof(want), "ktrl[%d]: segfault at 8", vpid);
	ASSERT_LE(0, kt_wait(self, self->id, want, &(struct lrec){ 0 },
			     10000));
	ASSERT_EQ(0, log_get(&self->nl, self->id, NULL, -1, &s));
	for (i = 0; i < s.n; i++) {
		if (!strncmp(s.r[i].text, "ktrl[", 5))
			lines++;
		else if (!strncmp(s.r[i].text, note, strlen(note)) &&
			 sscanf(s.r[i].text,
				"ctnr: %u kernel messages about this container's tasks suppressed",
				&n) == 1)
			dropped += n;
	}
	free(s.r);
	/* every line is in the log or counted in a note */
	EXPECT_EQ(26, lines + dropped);
	if (took < 4500) {	/* the 25 fell in one window */
		EXPECT_EQ(11, lines);
		EXPECT_EQ(15, dropped);
	} else {
		TH_LOG("25 segfaults took %lld ms: several windows", (long long)took);
		EXPECT_LT(0, dropped);
	}
	EXPECT_FALSE(kt_any(self, self->id2, "ktrl"));
}

TEST_HARNESS_MAIN
