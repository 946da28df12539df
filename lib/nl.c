// SPDX-License-Identifier: LGPL-2.1
/*
 * The netlink transport of libctnr.
 *
 * libnl-3 builds the messages, owns the socket and parses attributes.  The
 * request/reply loop is ours: libnl folds the kernel's errno into its own
 * NLE_* codes and has no use for extended acks, and we want both intact.
 * A request is sent once and every datagram is read until the ACK, the
 * NLMSG_DONE of a dump or an error, so a callback that stops early never
 * leaves stale replies in the socket for the next request.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "internal.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* Largest attribute table the transport parses into. */
#define LC_TB_MAX	64

static const char *const lc_attr_names[] = {
	[CTNR_A_UNSPEC]		= "unspec",
	[CTNR_A_PAD]		= "pad",
	[CTNR_A_VERSION]	= "version",
	[CTNR_A_ABI_VERSION]	= "abi_version",
	[CTNR_A_FEATURES]	= "features",
	[CTNR_A_COUNT]		= "count",
	[CTNR_A_ID]		= "id",
	[CTNR_A_NAME]		= "name",
	[CTNR_A_PID]		= "pid",
	[CTNR_A_PIDFD]		= "pidfd",
	[CTNR_A_FLAGS]		= "flags",
	[CTNR_A_STATE]		= "state",
	[CTNR_A_OWNER_UID]	= "owner_uid",
	[CTNR_A_CTIME]		= "ctime",
	[CTNR_A_CGROUP]		= "cgroup",
	[CTNR_A_NS]		= "ns",
	[CTNR_A_NS_MASK]	= "ns_mask",
	[CTNR_A_EVENT]		= "event",
	[CTNR_A_OWNER_LEVEL]	= "owner_level",
	[CTNR_A_DEV_DEFAULT]	= "dev_default",
	[CTNR_A_DEV_INDEX]	= "dev_index",
	[CTNR_A_DEV_TYPE]	= "dev_type",
	[CTNR_A_DEV_MAJOR]	= "dev_major",
	[CTNR_A_DEV_MINOR]	= "dev_minor",
	[CTNR_A_DEV_ACCESS]	= "dev_access",
	[CTNR_A_DEV_COUNT]	= "dev_count",
	[CTNR_A_TASK_PID]	= "task_pid",
	[CTNR_A_TASK_COMM]	= "task_comm",
	[CTNR_A_LOG_SIZE]	= "log_size",
	[CTNR_A_LOG_SEQ]	= "log_seq",
	[CTNR_A_LOG_TS]		= "log_ts",
	[CTNR_A_LOG_FACILITY]	= "log_facility",
	[CTNR_A_LOG_LEVEL]	= "log_level",
	[CTNR_A_LOG_FLAGS]	= "log_flags",
	[CTNR_A_LOG_TEXT]	= "log_text",
	[CTNR_A_LOG_DROPPED]	= "log_dropped",
	[CTNR_A_LOOP_QUOTA]	= "loop_quota",
	[CTNR_A_LOOP_COUNT]	= "loop_count",
	[CTNR_A_LOOP_INDEX]	= "loop_index",
	[CTNR_A_LOOP_PATH]	= "loop_path",
	[CTNR_A_LOOP_OFFSET]	= "loop_offset",
	[CTNR_A_LOOP_SIZE]	= "loop_size",
	[CTNR_A_LOOP_FLAGS]	= "loop_flags",
	[CTNR_A_LOOP_BLOCK_SIZE] = "loop_block_size",
	[CTNR_A_LOOP_RBYTES]	= "loop_rbytes",
	[CTNR_A_LOOP_WBYTES]	= "loop_wbytes",
	[CTNR_A_HOOK]		= "hook",
	[CTNR_A_DEV_RULE]	= "dev_rule",
};
/* every attribute has a name: one the spec adds needs one here too */
_Static_assert(ARRAY_SIZE(lc_attr_names) == CTNR_A_MAX + 1,
	       "lc_attr_names[] does not name every CTNR_A_*");

const char *lc_attr_name(unsigned int type)
{
	if (type < ARRAY_SIZE(lc_attr_names) && lc_attr_names[type])
		return lc_attr_names[type];
	return NULL;
}

int lc_attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	memcpy(v, nla_data(a), sizeof(*v));
	return 0;
}

int lc_attr_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || nla_len(a) < (int)sizeof(*v))
		return -EBADMSG;
	memcpy(v, nla_data(a), sizeof(*v));	/* may be 4-byte aligned */
	return 0;
}

/* Copy a string attribute, NUL-terminated and truncated to @size. */
int lc_attr_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t len;

	if (!a || nla_len(a) < 0 || !size)
		return -EBADMSG;
	len = strnlen(nla_data(a), nla_len(a));
	if (len >= size)
		len = size - 1;
	memcpy(buf, nla_data(a), len);
	buf[len] = '\0';
	return 0;
}

/*
 * A generic netlink socket with extended acks.  Without NETLINK_CAP_ACK an
 * error would echo the whole request back; the TLVs are all we want.
 * Kernels without these options still work, without the messages.
 */
int lc_nl_socket(struct nl_sock **skp)
{
	struct nl_sock *sk;
	int one = 1;
	int err, fd;

	*skp = NULL;
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_GENERIC);
	if (err < 0) {
		int saved = errno;

		err = lc_nle_to_errno(err);
		if (err == -EIO && saved)
			err = -saved;
		nl_socket_free(sk);
		return err;
	}
	fd = nl_socket_get_fd(sk);
	fcntl(fd, F_SETFD, FD_CLOEXEC);	/* never leak into ctnr_exec() */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	*skp = sk;
	return 0;
}

/*
 * Read one datagram into @rx, growing it to the datagram's size first so
 * nothing is ever truncated.  @flags may hold MSG_DONTWAIT.  Returns its
 * length or a negative errno (-EAGAIN, -ENOBUFS after an overrun, ...).
 */
int lc_nl_recv(int fd, struct lc_rx *rx, int flags)
{
	ssize_t n;
	size_t need;

	for (;;) {
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | flags);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	need = (size_t)n < LC_RX_MIN ? LC_RX_MIN : (size_t)n;
	if (rx->size < need) {
		void *buf = realloc(rx->buf, need);

		if (!buf)
			return -ENOMEM;
		rx->buf = buf;
		rx->size = need;
	}
	for (;;) {
		n = recv(fd, rx->buf, rx->size, flags);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	return n;
}

/*
 * Type of the attribute at byte @offs of the request, or 0; also one in a
 * nest (CTNR_A_DEV_RULE), whose attributes are of the same space.
 */
static unsigned int lc_attr_at(const struct nlmsghdr *req,
			       const struct nlattr *a, int rem, uint32_t offs)
{
	for (; nla_ok(a, rem); a = nla_next(a, &rem)) {
		ptrdiff_t at = (const char *)a - (const char *)req;

		if (at == (ptrdiff_t)offs)
			return nla_type(a);
		if ((a->nla_type & NLA_F_NESTED) && (ptrdiff_t)offs > at &&
		    (ptrdiff_t)offs < at + a->nla_len)
			return lc_attr_at(req, nla_data(a), nla_len(a), offs);
	}
	return 0;
}

static unsigned int lc_req_attr_at(const struct nlmsghdr *req, uint32_t offs)
{
	if (req->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return 0;
	return lc_attr_at(req, genlmsg_attrdata(nlmsg_data(req), 0),
			  genlmsg_attrlen(nlmsg_data(req), 0), offs);
}

/*
 * What the policy of a refused attribute allows, from the
 * NLMSGERR_ATTR_POLICY nest of the ack: netlink's own checks (the ranges
 * and lengths of the module's policies) send it with a message that names
 * neither the attribute nor the bounds ("integer out of range").  Empty
 * when the nest says nothing we can tell.
 */
static void lc_policy_text(struct nlattr *pol, char *buf, size_t size)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];
	uint64_t lo, hi, mask;
	uint32_t len;

	buf[0] = '\0';
	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, pol, NULL) < 0)
		return;
	if (!lc_attr_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U], &lo) &&
	    !lc_attr_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U], &hi)) {
		if (hi == UINT32_MAX || hi == UINT64_MAX)
			snprintf(buf, size, "at least %llu",
				 (unsigned long long)lo);
		else if (!lo)
			snprintf(buf, size, "at most %llu",
				 (unsigned long long)hi);
		else
			snprintf(buf, size, "%llu to %llu",
				 (unsigned long long)lo,
				 (unsigned long long)hi);
	} else if (!lc_attr_u32(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH], &len)) {
		snprintf(buf, size, "at most %u bytes", len);
	} else if (!lc_attr_u64(tb[NL_POLICY_TYPE_ATTR_MASK], &mask)) {
		snprintf(buf, size, "bits %#llx", (unsigned long long)mask);
	}
}

/*
 * Keep the extended ack of an error: the kernel's message, or failing that
 * the attribute it blamed or found missing.  @hlen is what precedes the TLVs
 * in the payload: struct nlmsgerr plus the echoed request unless capped, or
 * the int of an NLMSG_DONE.
 */
static void lc_ext_ack(struct ctnr_handle *h, const struct nlmsghdr *nlh,
		       const struct nlmsghdr *req, size_t hlen)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	char text[LC_ERR_MAX], bounds[64] = "";
	const char *what;
	size_t off = NLMSG_ALIGN(hlen);
	uint32_t v;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)NLMSG_DATA(nlh) + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) < 0)
		return;

	if (tb[NLMSGERR_ATTR_MSG] &&
	    !lc_attr_str(tb[NLMSGERR_ATTR_MSG], text, sizeof(text)) &&
	    text[0]) {
		/*
		 * A policy check of netlink's own: say which attribute and
		 * what it allows ("log_size: integer out of range (4096 to
		 * 16777216)").  Its mask check sends no policy.
		 */
		what = NULL;
		if ((tb[NLMSGERR_ATTR_POLICY] ||
		     !strcmp(text, "reserved bit set")) &&
		    !lc_attr_u32(tb[NLMSGERR_ATTR_OFFS], &v))
			what = lc_attr_name(lc_req_attr_at(req, v));
		if (!what) {
			lc_set_error(h, "%s", text);
			return;
		}
		if (tb[NLMSGERR_ATTR_POLICY])
			lc_policy_text(tb[NLMSGERR_ATTR_POLICY], bounds,
				       sizeof(bounds));
		if (bounds[0])
			lc_set_error(h, "%s: %s (%s)", what, text, bounds);
		else
			lc_set_error(h, "%s: %s", what, text);
		return;
	}
	if (!lc_attr_u32(tb[NLMSGERR_ATTR_MISS_TYPE], &v)) {
		what = lc_attr_name(v);
		if (what)
			lc_set_error(h, "missing attribute %s", what);
		else
			lc_set_error(h, "missing attribute %u", v);
		return;
	}
	if (!lc_attr_u32(tb[NLMSGERR_ATTR_OFFS], &v)) {
		what = lc_attr_name(lc_req_attr_at(req, v));
		if (what)
			lc_set_error(h, "invalid attribute %s", what);
		else
			lc_set_error(h, "invalid attribute at offset %u", v);
	}
}

struct nl_msg *lc_nl_msg(struct ctnr_handle *h, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0, flags,
			 cmd, CTNR_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Name a container by id, or by name when id is 0.  With neither, nothing
 * is added and the module explains what is missing.
 */
int lc_nl_put_ref(struct nl_msg *msg, uint32_t id, const char *name)
{
	int err = 0;

	if (id)
		err = nla_put_u32(msg, CTNR_A_ID, id);
	else if (name)
		err = nla_put_string(msg, CTNR_A_NAME, name);
	return err < 0 ? -EMSGSIZE : 0;
}

/* A request that only names a container: build it, send it, read it. */
int lc_nl_request_ref(struct ctnr_handle *h, uint8_t cmd, int flags,
		      uint32_t id, const char *name, lc_reply_cb cb, void *arg)
{
	struct nl_msg *msg;
	int err;

	lc_clear_error(h);
	msg = lc_nl_msg(h, cmd, flags);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_put_ref(msg, id, name);
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_nl_request(h, msg, CTNR_A_MAX, cb, arg);
}

/*
 * Send @msg (always freed) and read the whole reply: every message of the
 * family is parsed into tb[0..maxattr] and handed to @cb until it returns
 * non-zero.  Returns the kernel's negative errno, else a transport error,
 * else what @cb returned last, else 0.
 */
int lc_nl_request(struct ctnr_handle *h, struct nl_msg *msg, int maxattr,
		  lc_reply_cb cb, void *arg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlattr *tb[LC_TB_MAX];
	struct nlmsghdr *req = nlmsg_hdr(msg);
	struct nlmsghdr *nlh;
	uint16_t type = req->nlmsg_type;
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	bool done = false, replied = false, overrun = false;
	uint32_t seq, port;
	int err = 0, cb_ret = 0;
	int fd, len;
	ssize_t n;

	if (maxattr >= LC_TB_MAX) {
		err = -EINVAL;
		goto out;
	}
	if (h->busy) {
		/* A reply callback called us: the socket and rx are in use. */
		lc_set_error(h, "the handle is busy with another request");
		err = -EBUSY;
		goto out;
	}
	h->busy = true;
	nl_complete_msg(h->sk, msg);	/* port, sequence, REQUEST | ACK */
	if (dump)
		req->nlmsg_flags &= ~NLM_F_ACK;	/* NLMSG_DONE ends a dump */
	seq = req->nlmsg_seq;
	port = nl_socket_get_local_port(h->sk);
	fd = nl_socket_get_fd(h->sk);

	do {
		n = sendto(fd, req, req->nlmsg_len, 0,
			   (struct sockaddr *)&kernel, sizeof(kernel));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = -errno;
		goto out_idle;
	}

	while (!done) {
		len = lc_nl_recv(fd, &h->rx, overrun ? MSG_DONTWAIT : 0);
		if (len < 0) {
			/*
			 * The socket overran: the kernel could not queue
			 * something, typically the ACK it failed to allocate
			 * once the command had succeeded.  The kernel reports
			 * the overrun before what is still queued, so read on
			 * without waiting: a reply of ours says the command
			 * succeeded, and an ACK or error may still be there.
			 */
			if (len == -ENOBUFS && !dump && !overrun) {
				overrun = true;
				continue;
			}
			if ((len == -ENOBUFS || len == -EAGAIN) && replied &&
			    !dump && !cb_ret)
				break;
			if (len == -EAGAIN && overrun) {
				lc_set_error(h, "the kernel's answer was lost (netlink socket overrun): the command may or may not have been carried out");
				len = -ENOBUFS;
			}
			err = len;
			break;
		}
		for (nlh = h->rx.buf; !done && nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != port)
				continue;	/* stale, or not ours */

			if (nlh->nlmsg_type == NLMSG_NOOP) {
				continue;
			} else if (nlh->nlmsg_type == NLMSG_OVERRUN) {
				err = -EOVERFLOW;
				done = true;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				int derr = 0;

				done = true;
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&derr, NLMSG_DATA(nlh), sizeof(int));
				if (derr < 0) {
					err = derr;
					lc_ext_ack(h, nlh, req, sizeof(int));
				}
			} else if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);
				size_t hlen = sizeof(*e);

				done = true;
				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					err = -EBADMSG;
					break;
				}
				if (!e->error)
					break;		/* the ACK */
				err = e->error < 0 ? e->error : -e->error;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
				    e->msg.nlmsg_len >= NLMSG_HDRLEN)
					hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
				lc_ext_ack(h, nlh, req, hlen);
			} else if (nlh->nlmsg_type == type && cb && !cb_ret) {
				replied = true;
				if (genlmsg_parse(nlh, 0, tb, maxattr, NULL) < 0)
					cb_ret = -EBADMSG;
				else
					cb_ret = cb(h, nlh, tb, arg);
			}
		}
	}
out_idle:
	h->busy = false;
out:
	nlmsg_free(msg);
	if (err)
		return err;
	return cb_ret;
}

/* CTRL_CMD_GETFAMILY reply: the family id, version and "events" group. */
static int lc_resolve_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			 struct nlattr **tb, void *arg)
{
	struct nlattr *grp;
	int rem;

	(void)nlh;
	(void)arg;
	if (!tb[CTRL_ATTR_FAMILY_ID] || nla_len(tb[CTRL_ATTR_FAMILY_ID]) < 2)
		return -EBADMSG;
	h->family = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	lc_attr_u32(tb[CTRL_ATTR_VERSION], &h->family_version);

	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	nla_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
		struct nlattr *gt[CTRL_ATTR_MCAST_GRP_MAX + 1];
		char name[GENL_NAMSIZ];

		if (nla_parse_nested(gt, CTRL_ATTR_MCAST_GRP_MAX, grp, NULL) < 0)
			continue;
		if (lc_attr_str(gt[CTRL_ATTR_MCAST_GRP_NAME], name, sizeof(name)))
			continue;
		if (!strcmp(name, CTNR_GENL_MCGRP_EVENTS))
			lc_attr_u32(gt[CTRL_ATTR_MCAST_GRP_ID], &h->events_grp);
	}
	return 0;
}

/* Find the "ctnr" family.  -ENOENT means the module is not loaded. */
int lc_nl_resolve(struct ctnr_handle *h)
{
	struct nl_msg *msg;
	int err;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, CTNR_GENL_NAME) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = lc_nl_request(h, msg, CTRL_ATTR_MAX, lc_resolve_cb, NULL);
	if (err < 0)
		return err;
	if (!h->family)
		return -ENOENT;
	return 0;
}
