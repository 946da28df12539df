/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctnr_test.h - helpers shared by the ctnr selftests.
 *
 * The selftests are an independent client of the module: they speak
 * generic netlink through libnl-genl and use raw ioctls on /dev/ctnr, never
 * libctnr.  ctnrctl is only run as a program, for the CLI-level checks.
 *
 * Every helper returns 0 (or a count) on success and a negative errno on
 * failure, and none of them asserts: they are safe to call from forked
 * children and from threads.  Tests assert on what the helpers return.
 *
 * Test programs define _GNU_SOURCE and include only this header: it pulls
 * in kselftest_harness.h, whose timeout handler has an unused parameter
 * that -Wextra would warn about.
 */
#ifndef CTNR_TEST_H
#define CTNR_TEST_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/nsfs.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include <linux/ctnr.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP		0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif

#define CTNR_DEV_PATH		"/dev/" CTNR_DEVICE_NAME
#define CTNR_COUNTERS_PATH	"/sys/kernel/debug/ctnr/counters"
#define CTNR_EXT_MSG_LEN	256
#define CTNR_CGROUP_LEN		256

/* Every namespace type the ABI knows, indexed by enum ctnr_ns_type. */
struct ctnr_ns_desc {
	const char *name;		/* as in /proc/PID/ns/NAME */
	unsigned int clone_flag;
};

static const struct ctnr_ns_desc ctnr_ns_desc[__CTNR_NS_MAX]
	__attribute__((unused)) = {
	[CTNR_NS_USER]		= { "user",	CLONE_NEWUSER },
	[CTNR_NS_MNT]		= { "mnt",	CLONE_NEWNS },
	[CTNR_NS_UTS]		= { "uts",	CLONE_NEWUTS },
	[CTNR_NS_IPC]		= { "ipc",	CLONE_NEWIPC },
	[CTNR_NS_NET]		= { "net",	CLONE_NEWNET },
	[CTNR_NS_PID]		= { "pid",	CLONE_NEWPID },
	[CTNR_NS_CGROUP]	= { "cgroup",	CLONE_NEWCGROUP },
	[CTNR_NS_TIME]		= { "time",	CLONE_NEWTIME },
};

_Static_assert((CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
		CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME) ==
	       CTNR_NS_FDS_MASK_ALL,
	       "CTNR_NS_FDS_MASK_ALL is not every CLONE_NEW* bit");
_Static_assert(__CTNR_NS_MAX == CTNR_NS_A_MAX,
	       "one CTNR_NS_A_* attribute per enum ctnr_ns_type");
_Static_assert(CTNR_A_MAX < 64, "struct ctnr_ctr.have is a u64 bitmask");

/* ------------------------------------------------------------------ */
/* time                                                               */

static inline int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The raw netlink and ioctl helpers below share names with libctnr's API:
 * a program that tests through the library defines CTNR_TEST_WITH_LIBCTNR
 * before including this, and gets only what follows them.
 */
#ifndef CTNR_TEST_WITH_LIBCTNR

/* ------------------------------------------------------------------ */
/* generic netlink                                                    */

struct ctnr_nl {
	struct nl_sock *sk;
	int family;
	/* filled by every request: */
	char ext_msg[CTNR_EXT_MSG_LEN];	/* NLMSGERR_ATTR_MSG, "" if none */
	int miss_type;			/* NLMSGERR_ATTR_MISS_TYPE or -1 */
	int bad_off;			/* NLMSGERR_ATTR_OFFS or -1 */
	/*
	 * NLMSGERR_ATTR_POLICY, which netlink sends when a policy check of
	 * its own refused the attribute: what the policy allows.
	 */
	int pol_have;			/* CTNR_POL_* of what follows */
	uint64_t pol_min, pol_max;	/* NL_POLICY_TYPE_ATTR_M{IN,AX}_VALUE_U */
	uint32_t pol_maxlen;		/* NL_POLICY_TYPE_ATTR_MAX_LENGTH */
};

#define CTNR_POL_RANGE		(1 << 0)	/* pol_min, pol_max */
#define CTNR_POL_MAXLEN		(1 << 1)	/* pol_maxlen */

/* What the module says about one container (reply, dump entry, event). */
struct ctnr_ctr {
	uint64_t have;			/* 1ULL << CTNR_A_* present */
	uint32_t id, state, flags, pid, owner_uid, ns_mask, owner_level;
	uint32_t event;
	uint64_t ctime;
	char name[2 * CTNR_NAME_MAX];
	char cgroup[CTNR_CGROUP_LEN];
	uint32_t ns_have;		/* 1U << enum ctnr_ns_type present */
	uint32_t ns[__CTNR_NS_MAX];	/* inode numbers */
};

#define CTNR_HAS(c, attr)	(!!((c)->have & (1ULL << (attr))))

struct ctnr_info {
	uint64_t have;
	char version[2 * CTNR_VERSION_LEN];
	uint32_t abi, count;
	uint64_t features;
};

/* What to put in a request: set (1ULL << CTNR_A_*) for each attribute. */
struct ctnr_req {
	uint64_t set;
	uint32_t id, pid, flags;
	int32_t pidfd;
	const char *name;
};

#define REQ_BIT(attr)	(1ULL << (attr))

static inline int ctnr_nlerr(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:			return 0;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_INVAL:		return -EINVAL;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_BUSY:		return -EBUSY;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_SEQ_MISMATCH:	return -EPROTO;
	default:		return -EIO;
	}
}

static inline void ctnr_nl_close(struct ctnr_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
	nl->family = -1;
}

/*
 * Open a generic netlink socket with extended acks enabled and resolve the
 * "ctnr" family.  -ENOENT when the family is not registered.
 */
static inline int ctnr_nl_open(struct ctnr_nl *nl)
{
	struct timeval tv = { .tv_sec = 60 };
	int one = 1, fd, r;

	memset(nl, 0, sizeof(*nl));
	nl->family = -1;
	nl->miss_type = -1;
	nl->bad_off = -1;
	nl->pol_have = 0;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	r = genl_connect(nl->sk);
	if (r < 0) {
		ctnr_nl_close(nl);
		return ctnr_nlerr(r);
	}
	fd = nl_socket_get_fd(nl->sk);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		r = -errno;
		ctnr_nl_close(nl);
		return r;
	}
	nl_socket_enable_msg_peek(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, CTNR_GENL_NAME);
	if (nl->family < 0) {
		r = nl->family == -NLE_OBJ_NOTFOUND ? -ENOENT :
						      ctnr_nlerr(nl->family);
		ctnr_nl_close(nl);
		return r;
	}
	return 0;
}

/* A request message for @cmd with the genl header filled in. */
static inline struct nl_msg *ctnr_nl_msg(struct ctnr_nl *nl, uint8_t cmd,
					 int nlflags)
{
	struct nl_msg *msg = nlmsg_alloc_size(16384);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 nlflags, cmd, CTNR_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Extended-ack TLVs (after an error code or in NLMSG_DONE). */
static inline void ctnr__parse_tlvs(struct ctnr_nl *nl, void *start, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *a;

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, start, len, NULL) < 0)
		return;
	a = tb[NLMSGERR_ATTR_MSG];
	if (a && nla_len(a) > 0) {
		int n = nla_len(a);

		if (n > CTNR_EXT_MSG_LEN - 1)
			n = CTNR_EXT_MSG_LEN - 1;
		memcpy(nl->ext_msg, nla_data(a), n);
		nl->ext_msg[n] = '\0';
	}
	a = tb[NLMSGERR_ATTR_OFFS];
	if (a && nla_len(a) == 4)
		nl->bad_off = (int)nla_get_u32(a);
	a = tb[NLMSGERR_ATTR_MISS_TYPE];
	if (a && nla_len(a) == 4)
		nl->miss_type = (int)nla_get_u32(a);
	a = tb[NLMSGERR_ATTR_POLICY];
	if (a) {
		struct nlattr *pt[NL_POLICY_TYPE_ATTR_MAX + 1];

		if (nla_parse_nested(pt, NL_POLICY_TYPE_ATTR_MAX, a, NULL) < 0)
			return;
		if (pt[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] &&
		    pt[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]) {
			nl->pol_min = nla_get_u64(pt[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]);
			nl->pol_max = nla_get_u64(pt[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]);
			nl->pol_have |= CTNR_POL_RANGE;
		}
		if (pt[NL_POLICY_TYPE_ATTR_MAX_LENGTH]) {
			nl->pol_maxlen = nla_get_u32(pt[NL_POLICY_TYPE_ATTR_MAX_LENGTH]);
			nl->pol_have |= CTNR_POL_MAXLEN;
		}
	}
}

struct ctnr__xfer {
	struct ctnr_nl *nl;
	int (*fn)(struct nlattr **tb, uint8_t cmd, void *arg);
	void *arg;
	int done;
	int err;
	int nmsgs;
	uint32_t seq;		/* of the request */
};

/*
 * Only the answers to this request: one to an earlier request whose ACK
 * the kernel could not allocate (the command succeeded, its reply came)
 * may still be queued, and libnl's own check, which counts ACKs, would
 * from then on call every answer a mismatch (EPROTO).
 */
static inline int ctnr__seq_cb(struct nl_msg *msg, void *arg)
{
	struct ctnr__xfer *x = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == x->seq ? NL_OK : NL_SKIP;
}

static inline int ctnr__valid_cb(struct nl_msg *msg, void *arg)
{
	struct ctnr__xfer *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[CTNR_A_MAX + 1];
	int r;

	if (genlmsg_parse(nlh, 0, tb, CTNR_A_MAX, NULL) < 0) {
		if (!x->err)
			x->err = -EPROTO;
		return NL_SKIP;
	}
	x->nmsgs++;
	if (x->fn) {
		r = x->fn(tb, gh->cmd, x->arg);
		if (r < 0 && !x->err)
			x->err = r;
	}
	return NL_OK;
}

static inline int ctnr__finish_cb(struct nl_msg *msg, void *arg)
{
	struct ctnr__xfer *x = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN;

	if (len >= (int)sizeof(int)) {
		int e = *(int *)nlmsg_data(nlh);

		if (e < 0 && !x->err)
			x->err = e;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			ctnr__parse_tlvs(x->nl, (char *)nlmsg_data(nlh) +
					 NLMSG_ALIGN(sizeof(int)),
					 len - NLMSG_ALIGN(sizeof(int)));
	}
	x->done = 1;
	return NL_STOP;
}

static inline int ctnr__ack_cb(struct nl_msg *msg, void *arg)
{
	struct ctnr__xfer *x = arg;

	(void)msg;
	x->done = 1;
	return NL_STOP;
}

static inline int ctnr__err_cb(struct sockaddr_nl *sa, struct nlmsgerr *e,
			       void *arg)
{
	struct ctnr__xfer *x = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	(void)sa;
	x->err = e->error ? e->error : x->err;
	x->done = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return NL_STOP;
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	off = NLMSG_ALIGN(off);
	if (nlh->nlmsg_len > NLMSG_HDRLEN + off)
		ctnr__parse_tlvs(x->nl, (char *)e + off,
				 (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off));
	return NL_STOP;
}

/*
 * Send @msg (always freed) and read replies until the ack, the end of the
 * dump or an error.  @fn sees every reply message.  Returns 0 or the
 * negative errno the kernel answered with; nl->ext_msg has its message.
 */
static inline int ctnr_nl_xfer(struct ctnr_nl *nl, struct nl_msg *msg,
			       int (*fn)(struct nlattr **, uint8_t, void *),
			       void *arg)
{
	struct ctnr__xfer x = { .nl = nl, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	bool dump, overrun = false;
	int r;

	nl->ext_msg[0] = '\0';
	nl->miss_type = -1;
	nl->bad_off = -1;
	nl->pol_have = 0;
	if (!msg)
		return -ENOMEM;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ctnr__valid_cb, &x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ctnr__finish_cb, &x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ctnr__ack_cb, &x);
	nl_cb_err(cb, NL_CB_CUSTOM, ctnr__err_cb, &x);

	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ctnr__seq_cb, &x);

	dump = nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP;
	r = nl_send_auto(nl->sk, msg);
	/* nl_send_auto() gave it its sequence number */
	x.seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (r < 0) {
		nl_cb_put(cb);
		return ctnr_nlerr(r);
	}
	while (!x.done) {
		r = nl_recvmsgs(nl->sk, cb);
		if (r < 0 && !x.done) {
			/*
			 * The socket overran (libnl's NLE_NOMEM is ENOBUFS):
			 * the kernel could not allocate a message for us.  The
			 * overrun is reported before what is still queued, so
			 * read on: if it was the ACK of a command that
			 * succeeded, its reply is there and says so (the ACK
			 * adds nothing), and the receive timeout ends the wait.
			 */
			if (r == -NLE_NOMEM && !dump && !overrun) {
				overrun = true;
				continue;
			}
			if (overrun && x.nmsgs && !x.err && r == -NLE_AGAIN)
				break;
			x.err = overrun ? -ENOBUFS :
				r == -NLE_AGAIN ? -ETIMEDOUT : ctnr_nlerr(r);
			break;
		}
	}
	nl_cb_put(cb);
	return x.err;
}

static inline int ctnr__u32(struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) != sizeof(uint32_t))
		return -EPROTO;
	*v = nla_get_u32(a);
	return 0;
}

static inline int ctnr__str(struct nlattr *a, char *buf, size_t size)
{
	int n = nla_len(a);
	const char *s = nla_data(a);

	/* must be NUL-terminated and fit */
	if (n < 1 || s[n - 1] != '\0' || (size_t)n > size)
		return -EPROTO;
	memcpy(buf, s, n);
	return 0;
}

/* Parse a container (GET reply, dump entry or event); -EPROTO if bad. */
static inline int ctnr_parse_ctr(struct nlattr **tb, struct ctnr_ctr *c)
{
	static const int u32_attrs[] = {
		CTNR_A_ID, CTNR_A_STATE, CTNR_A_FLAGS, CTNR_A_PID,
		CTNR_A_OWNER_UID, CTNR_A_NS_MASK, CTNR_A_OWNER_LEVEL,
		CTNR_A_EVENT,
	};
	uint32_t *u32_dst[] = {
		&c->id, &c->state, &c->flags, &c->pid,
		&c->owner_uid, &c->ns_mask, &c->owner_level,
		&c->event,
	};
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(u32_attrs) / sizeof(u32_attrs[0]); i++) {
		struct nlattr *a = tb[u32_attrs[i]];

		if (!a)
			continue;
		if (ctnr__u32(a, u32_dst[i]))
			return -EPROTO;
		c->have |= 1ULL << u32_attrs[i];
	}
	if (tb[CTNR_A_CTIME]) {
		if (nla_len(tb[CTNR_A_CTIME]) != sizeof(uint64_t))
			return -EPROTO;
		c->ctime = nla_get_u64(tb[CTNR_A_CTIME]);
		c->have |= 1ULL << CTNR_A_CTIME;
	}
	if (tb[CTNR_A_NAME]) {
		if (ctnr__str(tb[CTNR_A_NAME], c->name, sizeof(c->name)))
			return -EPROTO;
		c->have |= 1ULL << CTNR_A_NAME;
	}
	if (tb[CTNR_A_CGROUP]) {
		if (ctnr__str(tb[CTNR_A_CGROUP], c->cgroup, sizeof(c->cgroup)))
			return -EPROTO;
		c->have |= 1ULL << CTNR_A_CGROUP;
	}
	if (tb[CTNR_A_NS]) {
		struct nlattr *nb[CTNR_NS_A_MAX + 1];
		int t;

		if (nla_parse_nested(nb, CTNR_NS_A_MAX, tb[CTNR_A_NS], NULL))
			return -EPROTO;
		for (t = 0; t < __CTNR_NS_MAX; t++) {
			struct nlattr *a = nb[CTNR_NS_A_BASE + t];

			if (!a)
				continue;
			if (ctnr__u32(a, &c->ns[t]))
				return -EPROTO;
			c->ns_have |= 1U << t;
		}
		c->have |= 1ULL << CTNR_A_NS;
	}
	return 0;
}

static inline int ctnr__one_ctr_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct ctnr_ctr *c = arg;

	(void)cmd;
	if (c->have)	/* only the first reply counts */
		return 0;
	return ctnr_parse_ctr(tb, c);
}

/* Add the attributes @rq asks for to @msg. */
static inline int ctnr_req_put(struct nl_msg *msg, const struct ctnr_req *rq)
{
	if ((rq->set & REQ_BIT(CTNR_A_ID)) &&
	    nla_put_u32(msg, CTNR_A_ID, rq->id))
		return -EMSGSIZE;
	if ((rq->set & REQ_BIT(CTNR_A_NAME)) &&
	    nla_put_string(msg, CTNR_A_NAME, rq->name ? rq->name : ""))
		return -EMSGSIZE;
	if ((rq->set & REQ_BIT(CTNR_A_PID)) &&
	    nla_put_u32(msg, CTNR_A_PID, rq->pid))
		return -EMSGSIZE;
	if ((rq->set & REQ_BIT(CTNR_A_PIDFD)) &&
	    nla_put_s32(msg, CTNR_A_PIDFD, rq->pidfd))
		return -EMSGSIZE;
	if ((rq->set & REQ_BIT(CTNR_A_FLAGS)) &&
	    nla_put_u32(msg, CTNR_A_FLAGS, rq->flags))
		return -EMSGSIZE;
	return 0;
}

/* One doit request; @out (may be NULL) gets the container in the reply. */
static inline int ctnr_request(struct ctnr_nl *nl, uint8_t cmd,
			       const struct ctnr_req *rq, struct ctnr_ctr *out)
{
	struct ctnr_ctr tmp;
	struct nl_msg *msg;

	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	msg = ctnr_nl_msg(nl, cmd, 0);
	if (!msg)
		return -ENOMEM;
	if (ctnr_req_put(msg, rq)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, ctnr__one_ctr_cb, out);
}

static inline int ctnr_new(struct ctnr_nl *nl, const char *name, pid_t pid,
			   uint32_t flags, struct ctnr_ctr *out)
{
	struct ctnr_req rq = {
		.set = REQ_BIT(CTNR_A_NAME) | REQ_BIT(CTNR_A_PID),
		.name = name, .pid = (uint32_t)pid, .flags = flags,
	};

	if (flags)
		rq.set |= REQ_BIT(CTNR_A_FLAGS);
	return ctnr_request(nl, CTNR_CMD_CONTAINER_NEW, &rq, out);
}

static inline int ctnr_new_pidfd(struct ctnr_nl *nl, const char *name,
				 int pidfd, uint32_t flags,
				 struct ctnr_ctr *out)
{
	struct ctnr_req rq = {
		.set = REQ_BIT(CTNR_A_NAME) | REQ_BIT(CTNR_A_PIDFD),
		.name = name, .pidfd = pidfd, .flags = flags,
	};

	if (flags)
		rq.set |= REQ_BIT(CTNR_A_FLAGS);
	return ctnr_request(nl, CTNR_CMD_CONTAINER_NEW, &rq, out);
}

static inline int ctnr_by_id(struct ctnr_nl *nl, uint8_t cmd, uint32_t id,
			     struct ctnr_ctr *out)
{
	struct ctnr_req rq = { .set = REQ_BIT(CTNR_A_ID), .id = id };

	return ctnr_request(nl, cmd, &rq, out);
}

static inline int ctnr_by_name(struct ctnr_nl *nl, uint8_t cmd,
			       const char *name, struct ctnr_ctr *out)
{
	struct ctnr_req rq = { .set = REQ_BIT(CTNR_A_NAME), .name = name };

	return ctnr_request(nl, cmd, &rq, out);
}

static inline int ctnr_get_id(struct ctnr_nl *nl, uint32_t id,
			      struct ctnr_ctr *out)
{
	return ctnr_by_id(nl, CTNR_CMD_CONTAINER_GET, id, out);
}

static inline int ctnr_get_name(struct ctnr_nl *nl, const char *name,
				struct ctnr_ctr *out)
{
	return ctnr_by_name(nl, CTNR_CMD_CONTAINER_GET, name, out);
}

static inline int ctnr_del_id(struct ctnr_nl *nl, uint32_t id)
{
	return ctnr_by_id(nl, CTNR_CMD_CONTAINER_DEL, id, NULL);
}

static inline int ctnr_del_name(struct ctnr_nl *nl, const char *name)
{
	return ctnr_by_name(nl, CTNR_CMD_CONTAINER_DEL, name, NULL);
}

static inline int ctnr_set_flags(struct ctnr_nl *nl, uint32_t id,
				 uint32_t flags)
{
	struct ctnr_req rq = {
		.set = REQ_BIT(CTNR_A_ID) | REQ_BIT(CTNR_A_FLAGS),
		.id = id, .flags = flags,
	};

	return ctnr_request(nl, CTNR_CMD_CONTAINER_SET, &rq, NULL);
}

static inline int ctnr__info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct ctnr_info *in = arg;

	(void)cmd;
	if (tb[CTNR_A_VERSION]) {
		if (ctnr__str(tb[CTNR_A_VERSION], in->version,
			      sizeof(in->version)))
			return -EPROTO;
		in->have |= 1ULL << CTNR_A_VERSION;
	}
	if (tb[CTNR_A_ABI_VERSION]) {
		if (ctnr__u32(tb[CTNR_A_ABI_VERSION], &in->abi))
			return -EPROTO;
		in->have |= 1ULL << CTNR_A_ABI_VERSION;
	}
	if (tb[CTNR_A_COUNT]) {
		if (ctnr__u32(tb[CTNR_A_COUNT], &in->count))
			return -EPROTO;
		in->have |= 1ULL << CTNR_A_COUNT;
	}
	if (tb[CTNR_A_FEATURES]) {
		if (nla_len(tb[CTNR_A_FEATURES]) != sizeof(uint64_t))
			return -EPROTO;
		in->features = nla_get_u64(tb[CTNR_A_FEATURES]);
		in->have |= 1ULL << CTNR_A_FEATURES;
	}
	return 0;
}

static inline int ctnr_info(struct ctnr_nl *nl, struct ctnr_info *in)
{
	memset(in, 0, sizeof(*in));
	return ctnr_nl_xfer(nl, ctnr_nl_msg(nl, CTNR_CMD_INFO, 0),
			    ctnr__info_cb, in);
}

/* Containers visible to the caller (INFO's count), or a negative errno. */
static inline long ctnr_count(struct ctnr_nl *nl)
{
	struct ctnr_info in;
	int r = ctnr_info(nl, &in);

	if (r)
		return r;
	if (!(in.have & (1ULL << CTNR_A_COUNT)))
		return -EPROTO;
	return in.count;
}

typedef int (*ctnr_dump_fn)(const struct ctnr_ctr *c, void *arg);

struct ctnr__dump {
	ctnr_dump_fn fn;
	void *arg;
};

static inline int ctnr__dump_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct ctnr__dump *d = arg;
	struct ctnr_ctr c;
	int r;

	(void)cmd;
	r = ctnr_parse_ctr(tb, &c);
	if (r)
		return r;
	return d->fn ? d->fn(&c, d->arg) : 0;
}

/* Dump every visible container; @fn returns < 0 to flag an error. */
static inline int ctnr_dump(struct ctnr_nl *nl, ctnr_dump_fn fn, void *arg)
{
	struct ctnr__dump d = { .fn = fn, .arg = arg };

	return ctnr_nl_xfer(nl, ctnr_nl_msg(nl, CTNR_CMD_CONTAINER_GET,
					    NLM_F_DUMP),
			    ctnr__dump_cb, &d);
}

/* Dump helper: count entries, optionally only those whose name starts
 * with a prefix, and remember the last match. */
struct ctnr_dump_count {
	const char *prefix;
	uint32_t id;			/* if non-zero, count this id only */
	long n;
	struct ctnr_ctr last;
};

static inline int ctnr_dump_count_cb(const struct ctnr_ctr *c, void *arg)
{
	struct ctnr_dump_count *dc = arg;

	if (dc->prefix && strncmp(c->name, dc->prefix, strlen(dc->prefix)))
		return 0;
	if (dc->id && c->id != dc->id)
		return 0;
	dc->n++;
	dc->last = *c;
	return 0;
}

static inline long ctnr_dump_count(struct ctnr_nl *nl, const char *prefix,
				   uint32_t id, struct ctnr_ctr *last)
{
	struct ctnr_dump_count dc = { .prefix = prefix, .id = id };
	int r = ctnr_dump(nl, ctnr_dump_count_cb, &dc);

	if (r)
		return r;
	if (last)
		*last = dc.last;
	return dc.n;
}

/* Delete every visible container whose name starts with @prefix. */
struct ctnr__ids {
	const char *prefix;
	uint32_t *ids;
	size_t n, cap;
};

static inline int ctnr__collect_cb(const struct ctnr_ctr *c, void *arg)
{
	struct ctnr__ids *s = arg;

	if (strncmp(c->name, s->prefix, strlen(s->prefix)))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		uint32_t *p = realloc(s->ids, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->ids = p;
		s->cap = cap;
	}
	s->ids[s->n++] = c->id;
	return 0;
}

static inline int ctnr_del_prefix(struct ctnr_nl *nl, const char *prefix)
{
	struct ctnr__ids s = { .prefix = prefix };
	size_t i;
	int r = ctnr_dump(nl, ctnr__collect_cb, &s);

	for (i = 0; i < s.n; i++)
		ctnr_del_id(nl, s.ids[i]);
	free(s.ids);
	return r < 0 ? r : (int)s.n;
}

/* Poll GET until the container reaches @state, or until it is gone when
 * @state is -ENOENT.  0 when reached, -ETIMEDOUT otherwise. */
static inline int ctnr_wait_state(struct ctnr_nl *nl, uint32_t id, int state,
				  int timeout_ms, struct ctnr_ctr *last)
{
	int64_t end = now_ms() + timeout_ms;
	struct ctnr_ctr c;
	int r;

	for (;;) {
		r = ctnr_get_id(nl, id, &c);
		if (last)
			*last = c;
		if (state == -ENOENT && r == -ENOENT)
			return 0;
		if (state >= 0 && r == 0 && c.state == (uint32_t)state)
			return 0;
		if (r && r != -ENOENT)
			return r;
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
}

/* ------------------------------------------------------------------ */
/* events                                                             */

/* A socket subscribed to the "events" multicast group. */
static inline int ctnr_events_open(struct ctnr_nl *nl)
{
	int grp, r;

	r = ctnr_nl_open(nl);
	if (r)
		return r;
	grp = genl_ctrl_resolve_grp(nl->sk, CTNR_GENL_NAME,
				    CTNR_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		ctnr_nl_close(nl);
		return grp == -NLE_OBJ_NOTFOUND ? -ENOENT : ctnr_nlerr(grp);
	}
	r = nl_socket_add_membership(nl->sk, grp);
	if (r < 0) {
		r = ctnr_nlerr(r);
		ctnr_nl_close(nl);
		return r;
	}
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_set_buffer_size(nl->sk, 4 << 20, 0);
	nl_socket_set_nonblocking(nl->sk);
	return 0;
}

struct ctnr__evwait {
	uint32_t event, id;
	int found, bad;
	struct ctnr_ctr c;
};

static inline int ctnr__event_cb(struct nl_msg *msg, void *arg)
{
	struct ctnr__evwait *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[CTNR_A_MAX + 1];
	struct ctnr_ctr c;

	if (w->found || gh->cmd != CTNR_CMD_EVENT)
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, CTNR_A_MAX, NULL) < 0 ||
	    ctnr_parse_ctr(tb, &c) < 0) {
		w->bad++;
		return NL_OK;
	}
	if (c.event == w->event && c.id == w->id) {
		w->found = 1;
		w->c = c;
	}
	return NL_OK;
}

/* Multicast messages carry sequence number 0: accept any. */
static inline int ctnr__no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Wait for event @event about container @id; -ETIMEDOUT if none came. */
static inline int ctnr_event_wait(struct ctnr_nl *nl, uint32_t event,
				  uint32_t id, int timeout_ms,
				  struct ctnr_ctr *out)
{
	struct ctnr__evwait w = { .event = event, .id = id };
	int64_t end = now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk),
			      .events = POLLIN };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ctnr__event_cb, &w);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ctnr__no_seq_check, NULL);
	while (!w.found) {
		int64_t left = end - now_ms();

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		nl_recvmsgs(nl->sk, cb);
	}
	nl_cb_put(cb);
	if (!w.found)
		return w.bad ? -EPROTO : -ETIMEDOUT;
	if (out)
		*out = w.c;
	return 0;
}

/* ------------------------------------------------------------------ */
/* /dev/ctnr                                                          */

static inline int ctnr_dev_open(void)
{
	return open(CTNR_DEV_PATH, O_RDONLY | O_CLOEXEC);
}

static inline void ctnr_ns_fds_init(struct ctnr_ioc_ns_fds *a, uint32_t id,
				    const char *name, uint32_t mask)
{
	int i;

	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->id = id;
	a->mask = mask;
	if (name)
		snprintf(a->name, sizeof(a->name), "%s", name);
	for (i = 0; i < __CTNR_NS_MAX; i++)
		a->fds[i] = -1;
}

/* ioctl CTNR_IOC_NS_FDS; on failure fds[] is reset to -1 (not closed). */
static inline int ctnr_ioc_ns_fds(int dev, struct ctnr_ioc_ns_fds *a)
{
	int i, r = ioctl(dev, CTNR_IOC_NS_FDS, a) < 0 ? -errno : 0;

	if (r)
		for (i = 0; i < __CTNR_NS_MAX; i++)
			a->fds[i] = -1;
	return r;
}

static inline int ctnr_ns_fds(int dev, uint32_t id, const char *name,
			      uint32_t mask, struct ctnr_ioc_ns_fds *a)
{
	ctnr_ns_fds_init(a, id, name, mask);
	return ctnr_ioc_ns_fds(dev, a);
}

static inline void ctnr_ns_fds_close(struct ctnr_ioc_ns_fds *a)
{
	int i;

	for (i = 0; i < __CTNR_NS_MAX; i++) {
		if (a->fds[i] >= 0)
			close(a->fds[i]);
		a->fds[i] = -1;
	}
}

static inline int ctnr_whoami(int dev, struct ctnr_ioc_whoami *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	return ioctl(dev, CTNR_IOC_WHOAMI, w) < 0 ? -errno : 0;
}

#endif /* !CTNR_TEST_WITH_LIBCTNR */

/* ------------------------------------------------------------------ */
/* debugfs counters                                                   */

struct ctnr_counter {
	char name[64];
	long long val;		/* signed: an underflow shows as negative */
};

/* Read the counters file; returns the number of counters or -errno. */
static inline int ctnr_counters_read(struct ctnr_counter *c, int max)
{
	char line[256];
	FILE *f = fopen(CTNR_COUNTERS_PATH, "re");
	int n = 0;

	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		char extra[8];

		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (sscanf(line, "%63s %lld %7s", c[n].name, &c[n].val,
			   extra) != 2) {
			fclose(f);
			return -EPROTO;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* Value of counter @name, or -ENOENT. */
static inline long long ctnr_counter(const char *name)
{
	struct ctnr_counter c[64];
	int i, n = ctnr_counters_read(c, 64);

	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return (long long)c[i].val;
	return -ENOENT;
}

/*
 * Counter @name once two reads 200 ms apart agree (5 s at most): a
 * baseline that an earlier test's deferred releases (RCU callbacks, work
 * items, pidfds closed by children that exit) no longer move.
 */
static inline long long ctnr_counter_settled(const char *name)
{
	long long prev = ctnr_counter(name), now = prev;
	int i;

	for (i = 0; i < 25; i++) {
		usleep(200 * 1000);
		now = ctnr_counter(name);
		if (now == prev)
			break;
		prev = now;
	}
	return now;
}

/*
 * Number of non-zero counters (described in @buf), or -errno if the file
 * cannot be read or has no counters.
 */
static inline int ctnr_counters_nonzero(char *buf, size_t len)
{
	struct ctnr_counter c[64];
	int i, bad = 0, n = ctnr_counters_read(c, 64);
	size_t off = 0;

	if (buf && len)
		buf[0] = '\0';
	if (n < 0)
		return n;
	if (n == 0)
		return -ENODATA;
	for (i = 0; i < n; i++) {
		if (!c[i].val)
			continue;
		bad++;
		if (buf && off < len)
			off += snprintf(buf + off, len - off, "%s=%lld ",
					c[i].name, c[i].val);
	}
	return bad;
}

/* Wait until every counter is 0 (releases may be deferred to RCU). */
static inline int ctnr_counters_wait_zero(int timeout_ms, char *buf,
					  size_t len)
{
	int64_t end = now_ms() + timeout_ms;
	int r;

	for (;;) {
		r = ctnr_counters_nonzero(buf, len);
		if (r <= 0 || now_ms() > end)
			return r;
		sleep_ms(50);
	}
}

/* ------------------------------------------------------------------ */
/* processes                                                          */

/* fork() with namespace flags; the child returns 0 on a copy of the stack. */
static inline pid_t sys_clone(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
}

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(__NR_pidfd_open, pid, flags);
}

/* waitpid() with a deadline: 0 when reaped, -ETIMEDOUT, or -errno. */
static inline int wait_pid_timeout(pid_t pid, int *status, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	int st;

	if (!status)
		status = &st;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(5);
	}
}

/* SIGKILL and reap; sets *pid to -1.  Safe on -1. */
static inline void kill_reap(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		if (wait_pid_timeout(*pid, NULL, 10000))
			waitpid(*pid, NULL, 0);
	}
	*pid = -1;
}

static inline void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -EBADF;
}

static inline int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

/* Inode of /proc/@pid/ns/@name (pid 0: self), 0 if it does not exist. */
static inline uint64_t ns_ino(pid_t pid, const char *name)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (stat(path, &st))
		return 0;
	return st.st_ino;
}

/* Inode number behind @fd, 0 on error. */
static inline uint64_t fd_ino(int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		return 0;
	return st.st_ino;
}

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		r = -errno;
	else if ((size_t)n != strlen(s))
		r = -EIO;
	close(fd);
	return r;
}

/* Read a small file into @buf (NUL-terminated); bytes read or -errno. */
/* Does a line of @path contain @a, and @b too unless it is NULL? */
static inline bool file_has_line(const char *path, const char *a,
				 const char *b)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && (!b || strstr(line, b));
	fclose(f);
	return found;
}

static inline ssize_t read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, off = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)off < len - 1 &&
	       (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
	close(fd);
	return off;
}

/* the unprivileged host user of the tests ("uid 1000") */
#define UNPRIV_UID	1000

/* Drop root for @uid/@gid, staying dumpable (for /proc/self/uid_map)
 * and dying with the parent. */
static inline int become_user(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		return -errno;
	return 0;
}

/* unshare(CLONE_NEWUSER | @more) and map our own uid/gid to 0 in it
 * (what `unshare -Ur` does). */
static inline int enter_userns_as_root(unsigned long more)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int r;

	if (unshare(CLONE_NEWUSER | more))
		return -errno;
	r = write_str("/proc/self/setgroups", "deny");
	if (r)
		return r;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	r = write_str("/proc/self/uid_map", map);
	if (r)
		return r;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	return write_str("/proc/self/gid_map", map);
}

/* ------------------------------------------------------------------ */
/* cgroup v2                                                          */

/* Where cgroup2 is mounted; mounted on /tmp/ctnr-cgroup2 if nowhere. */
static inline const char *cg2_root(void)
{
	static char root[PATH_MAX];
	char dev[256], dir[PATH_MAX], type[64];
	FILE *f;

	if (root[0])
		return root;
	f = fopen("/proc/self/mounts", "re");
	if (f) {
		while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir,
			      type) == 3) {
			if (!strcmp(type, "cgroup2")) {
				snprintf(root, sizeof(root), "%s", dir);
				break;
			}
		}
		fclose(f);
	}
	if (root[0])
		return root;
	mkdir("/tmp/ctnr-cgroup2", 0755);
	if (mount("cgroup2", "/tmp/ctnr-cgroup2", "cgroup2", 0, NULL))
		return NULL;
	snprintf(root, sizeof(root), "/tmp/ctnr-cgroup2");
	return root;
}

/* Does the line of words in @path hold @word? */
static inline bool has_word(const char *path, const char *word)
{
	char buf[1024], *tok, *save;

	if (read_str(path, buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/*
 * May the module be without its device access hook here?  Only on a
 * kernel without kprobes (the hook is a kprobe): there the feature is
 * missing by the kernel's build and the tests that need it skip; on any
 * other kernel a missing hook is a regression of this tree, and they fail.
 */
static inline bool kernel_lacks_kprobes(void)
{
	return access("/sys/kernel/debug/kprobes", F_OK) &&
	       access("/sys/kernel/tracing/kprobe_events", F_OK) &&
	       access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
}

/*
 * The device access hook is missing: skip where the kernel has no
 * kprobes, else fail (CTNR_FEAT_DEVACCESS is the module's own report).
 */
#define SKIP_OR_FAIL_NO_DEVACCESS() do {				\
	ASSERT_TRUE(kernel_lacks_kprobes()) {				\
		TH_LOG("the kernel has kprobes, yet the module reports no device access hook");	\
	}								\
	SKIP(return, "the kernel has no kprobes: no device access hook"); \
} while (0)

/* Create cgroup @rel ("ctnrtest-123/sub"); absolute path in @abs. */
static inline int cg_create(const char *rel, char *abs, size_t len)
{
	const char *root = cg2_root();

	if (!root)
		return -ENOENT;
	if (snprintf(abs, len, "%s/%s", root, rel) >= (int)len)
		return -ENAMETOOLONG;
	if (mkdir(abs, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static inline int cg_enter(const char *abs, pid_t pid)
{
	char path[PATH_MAX + 32], buf[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", abs);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return write_str(path, buf);
}

/*
 * Delegate cgroup @abs to @uid/@gid as systemd does (Delegate=yes): the
 * directory and the files a delegatee writes become theirs.
 */
static inline int cg_delegate(const char *abs, uid_t uid, gid_t gid)
{
	static const char *const files[] = {
		"", "/cgroup.procs", "/cgroup.threads",
		"/cgroup.subtree_control",
	};
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", abs, files[i]);
		if (chown(path, uid, gid))
			return -errno;
	}
	return 0;
}

/* rmdir, retrying while exiting tasks still populate it. */
static inline int cg_remove(const char *abs)
{
	int64_t end = now_ms() + 5000;

	for (;;) {
		if (!rmdir(abs) || errno == ENOENT)
			return 0;
		if (errno != EBUSY || now_ms() > end)
			return -errno;
		sleep_ms(20);
	}
}

/* ------------------------------------------------------------------ */
/* children that report a failure message                             */

static inline void __attribute__((noreturn, format(printf, 3, 4)))
child_fail(int fd, int line, const char *fmt, ...)
{
	char buf[512];
	int n, e = errno;
	va_list ap;

	n = snprintf(buf, sizeof(buf), "line %d: ", line);
	errno = e;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (write(fd, buf, strlen(buf)) < 0)
		_exit(2);
	_exit(1);
}

/* In a forked child: fail with a message the parent will TH_LOG. */
#define CHILD_CHECK(fd, cond, fmt, ...) do {				\
	if (!(cond))							\
		child_fail(fd, __LINE__, "%s: " fmt, #cond, ##__VA_ARGS__); \
} while (0)

typedef void (*child_fn)(int errfd, void *arg);

/*
 * Run @fn(errfd, arg) in a forked child and wait for it.  Returns the exit
 * status (0 = passed), 128 + signal, or -ETIMEDOUT; @msg gets what the
 * child reported.
 */
static inline int run_child(child_fn fn, void *arg, char *msg, size_t len,
			    int timeout_ms)
{
	int efd[2], st, r;
	ssize_t n;
	pid_t pid;

	msg[0] = '\0';
	if (pipe2(efd, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(efd[0]);
		close(efd[1]);
		return r;
	}
	if (pid == 0) {
		close(efd[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		fn(efd[1], arg);
		_exit(0);
	}
	close(efd[1]);
	r = wait_pid_timeout(pid, &st, timeout_ms);
	if (r) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	fcntl(efd[0], F_SETFL, O_NONBLOCK);
	n = read(efd[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(efd[0]);
	if (r) {
		snprintf(msg + strlen(msg), len - strlen(msg),
			 " (child timed out)");
		return -ETIMEDOUT;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	snprintf(msg + strlen(msg), len - strlen(msg),
		 " (child killed by signal %d)", WTERMSIG(st));
	return 128 + WTERMSIG(st);
}

/* ------------------------------------------------------------------ */
/* running programs                                                   */

static inline int find_in_path(const char *prog, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *e;

	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		snprintf(buf, len, "%.*s/%s", (int)(e - p), p, prog);
		if (e != p && !access(buf, X_OK))
			return 0;
	}
	buf[0] = '\0';
	return -ENOENT;
}

/* ctnrctl: $CTNRCTL, else ../ctl/ctnrctl next to this binary, else PATH. */
static inline const char *ctnrctl_path(void)
{
	static char path[PATH_MAX + 32];
	char exe[PATH_MAX];
	const char *env = getenv("CTNRCTL");
	ssize_t n;
	char *slash;

	if (env && *env)
		return access(env, X_OK) ? NULL : env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/../ctl/ctnrctl", exe);
			if (!access(path, X_OK))
				return path;
		}
	}
	if (!find_in_path("ctnrctl", path, sizeof(path)))
		return path;
	return NULL;
}

static inline void read_into(int fd, char *buf, size_t len, size_t *off,
			     bool *eof)
{
	char sink[4096];
	ssize_t n;

	if (*off < len - 1)
		n = read(fd, buf + *off, len - 1 - *off);
	else
		n = read(fd, sink, sizeof(sink));
	if (n > 0 && *off < len - 1)
		*off += n;
	else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
		*eof = true;
	buf[*off] = '\0';
}

/*
 * Run argv[0] with stdin from /dev/null, collecting stdout and stderr.
 * Returns the exit status, 128 + signal, -ETIMEDOUT (the program is then
 * killed) or -errno.  Exit status 127 means exec failed.
 */
static inline int run_cmd(char *const argv[], char *out, size_t outlen,
			  char *err, size_t errlen, int timeout_ms)
{
	int op[2], ep[2], st, r = 0;
	char dummy_out[256], dummy_err[1024];
	size_t oo = 0, eo = 0;
	bool oeof = false, eeof = false;
	int64_t end = now_ms() + timeout_ms;
	pid_t pid;

	if (!out) {
		out = dummy_out;
		outlen = sizeof(dummy_out);
	}
	if (!err) {
		err = dummy_err;
		errlen = sizeof(dummy_err);
	}
	out[0] = err[0] = '\0';
	if (pipe2(op, O_CLOEXEC))
		return -errno;
	if (pipe2(ep, O_CLOEXEC)) {
		r = -errno;
		close(op[0]);
		close(op[1]);
		return r;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(op[0]);
		close(op[1]);
		close(ep[0]);
		close(ep[1]);
		return r;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (null >= 0)
			dup2(null, 0);
		dup2(op[1], 1);
		dup2(ep[1], 2);
		execv(argv[0], argv);
		dprintf(2, "exec %s: %m\n", argv[0]);
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	while (!oeof || !eeof) {
		struct pollfd pfd[2] = {
			{ .fd = oeof ? -1 : op[0], .events = POLLIN },
			{ .fd = eeof ? -1 : ep[0], .events = POLLIN },
		};
		int64_t left = end - now_ms();

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (poll(pfd, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (pfd[0].revents)
			read_into(op[0], out, outlen, &oo, &oeof);
		if (pfd[1].revents)
			read_into(ep[0], err, errlen, &eo, &eeof);
	}
	close(op[0]);
	close(ep[0]);
	if (r) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return r;
	}
	if (wait_pid_timeout(pid, &st, (int)(end - now_ms() > 1000 ?
					     end - now_ms() : 1000))) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -ETIMEDOUT;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/*
 * Run ctnrctl with the NULL-terminated argument list.  -ENOENT when the
 * binary cannot be found.
 */
static inline int ctnrctl(char *out, size_t outlen, char *err, size_t errlen,
			  int timeout_ms, ...)
{
	const char *path = ctnrctl_path();
	char *argv[64];
	va_list ap;
	int n = 0;

	if (!path)
		return -ENOENT;
	argv[n++] = (char *)path;
	va_start(ap, timeout_ms);
	while (n < 63 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_cmd(argv, out, outlen, err, errlen, timeout_ms);
}

/* Strip trailing newlines and blanks in place. */
static inline char *chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
		     s[n - 1] == '\r' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Number of lines in @s (a last line without '\n' counts). */
static inline int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (*s == '\n' || !s[1])
			n++;
	return n;
}

/* ------------------------------------------------------------------ */
/* a small strict JSON checker (RFC 8259 grammar, no semantics)       */

static inline const char *json__ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static inline const char *json__string(const char *p)
{
	int i;

	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)	/* includes the NUL */
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static inline const char *json__number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static inline const char *json__value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = json__ws(p);
	switch (*p) {
	case '{':
		p = json__ws(p + 1);
		if (*p == '}')
			return p + 1;
		for (;;) {
			p = json__string(json__ws(p));
			if (!p)
				return NULL;
			p = json__ws(p);
			if (*p++ != ':')
				return NULL;
			p = json__value(p, depth + 1);
			if (!p)
				return NULL;
			p = json__ws(p);
			if (*p == '}')
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	case '[':
		p = json__ws(p + 1);
		if (*p == ']')
			return p + 1;
		for (;;) {
			p = json__value(p, depth + 1);
			if (!p)
				return NULL;
			p = json__ws(p);
			if (*p == ']')
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	case '"':
		return json__string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return json__number(p);
	}
}

/* true if @s is exactly one JSON value (surrounding blanks allowed). */
static inline bool json_valid(const char *s)
{
	const char *p = json__value(s, 0);

	return p && !*json__ws(p);
}

/*
 * Check @s with `python3 -m json.tool` too when python3 exists: 1 valid,
 * 0 invalid (@why gets python's complaint), -ENOENT without python3.
 */
static inline int json_valid_python(const char *s, char *why, size_t len)
{
	char py[PATH_MAX], tmp[] = "/tmp/ctnr-json-XXXXXX";
	char *argv[] = { py, "-m", "json.tool", tmp, NULL };
	int fd, r;

	if (find_in_path("python3", py, sizeof(py)))
		return -ENOENT;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		close(fd);
		unlink(tmp);
		return -EIO;
	}
	close(fd);
	/* python3 alone took over 30 s on the debug kernel under load */
	r = run_cmd(argv, NULL, 0, why, len, 100000);
	unlink(tmp);
	return r == 0;
}

/* ------------------------------------------------------------------ */
/* misc                                                               */

/* Kernel memory in slab caches, kB (for the scale test's estimate). */
static inline long meminfo_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/meminfo", "re");
	long v = -1;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static inline bool is_prog(const char *prog)
{
	char buf[PATH_MAX];

	return !find_in_path(prog, buf, sizeof(buf));
}

/* ------------------------------------------------------------------ */
/* an init for the ctnrctl tests (exec.c, ctl.c)                      */

struct test_init {
	pid_t pid;
	int ctl;		/* write end; the init exits when it closes */
};

#define TEST_INIT_COMM	"ctnrinit"

/*
 * Body of a test init: hostname, / private and a fresh /proc (with new
 * mount and pid namespaces), then with @userns a user namespace where our
 * uid is 0, made last so that the other namespaces belong to the initial
 * one.  Reports 0 or an errno on @ready, then waits on @ctl.
 */
static inline void __attribute__((noreturn))
test_init_main(int ready, int ctl, unsigned long flags, bool userns,
	       const char *hostname)
{
	int err = 0;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_NAME, TEST_INIT_COMM, 0, 0, 0);
	signal(SIGCHLD, SIG_IGN);
	if (hostname && (flags & CLONE_NEWUTS) &&
	    sethostname(hostname, strlen(hostname)))
		err = errno;
	if (!err && (flags & CLONE_NEWNS) &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		err = errno;
	if (!err && (flags & CLONE_NEWNS) && (flags & CLONE_NEWPID) &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		err = errno;
	if (!err && userns)
		err = -enter_userns_as_root(0);
	if (write(ready, &err, sizeof(err)) != sizeof(err) || err)
		_exit(1);
	close(ready);
	while (read(ctl, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * Start an init with clone(@flags), in the cgroup directory @cg (NULL:
 * ours), and wait until it is set up.  0 or -errno.
 */
static inline int test_init_start(struct test_init *ti, unsigned long flags,
				  bool userns, const char *hostname,
				  const char *cg)
{
	struct pollfd pfd;
	int ready[2], ctl[2], err = 0, r;
	pid_t pid;

	ti->pid = -1;
	ti->ctl = -EBADF;
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
	pid = sys_clone(flags);
	if (pid == 0) {
		close(ready[0]);
		close(ctl[1]);
		test_init_main(ready[1], ctl[0], flags, userns, hostname);
	}
	r = pid < 0 ? -errno : 0;
	close(ready[1]);
	close(ctl[0]);
	if (r) {
		close(ready[0]);
		close(ctl[1]);
		return r;
	}
	ti->pid = pid;
	ti->ctl = ctl[1];
	if (cg)
		r = cg_enter(cg, pid);
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	if (!r && (poll(&pfd, 1, 20000) != 1 ||
		   read(ready[0], &err, sizeof(err)) != sizeof(err)))
		r = -ETIMEDOUT;
	else if (!r && err)
		r = -err;
	close(ready[0]);
	if (r) {
		close_fd(&ti->ctl);
		kill_reap(&ti->pid);
	}
	return r;
}

static inline void test_init_stop(struct test_init *ti)
{
	close_fd(&ti->ctl);
	kill_reap(&ti->pid);
}

/* Number of processes in the cgroup directory @cg, or -errno. */
static inline int cg_nprocs(const char *cg)
{
	char path[PATH_MAX + 32], buf[4096];
	ssize_t n;
	int count = 0;
	char *p;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	n = read_str(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (p = buf; *p; p++)
		if (*p == '\n')
			count++;
	return count;
}

#endif /* CTNR_TEST_H */
