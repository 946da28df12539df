// SPDX-License-Identifier: LGPL-2.1
/*
 * libctnr: the container registry (CTNR_CMD_CONTAINER_*) and its events.
 */
#include <errno.h>
#include <poll.h>
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

/* Fill @c from the attributes of a container, event or reply. */
/* What an event carries besides the container. */
static void lc_parse_event_extra(struct nlattr **tb,
				 struct ctnr_event_info *ev)
{
	ev->has = 0;
	if (!lc_attr_u32(tb[CTNR_A_DEV_TYPE], &ev->dev_type) &&
	    !lc_attr_u32(tb[CTNR_A_DEV_MAJOR], &ev->dev_major) &&
	    !lc_attr_u32(tb[CTNR_A_DEV_MINOR], &ev->dev_minor) &&
	    !lc_attr_u32(tb[CTNR_A_DEV_ACCESS], &ev->dev_access)) {
		ev->has |= CTNR_EV_HAS_DEV;
		ev->task_pid = 0;
		ev->task_comm[0] = 0;
		lc_attr_u32(tb[CTNR_A_TASK_PID], &ev->task_pid);
		lc_attr_str(tb[CTNR_A_TASK_COMM], ev->task_comm,
			    sizeof(ev->task_comm));
	}
	if (!lc_attr_u64(tb[CTNR_A_LOG_DROPPED], &ev->log_dropped) &&
	    ev->type == CTNR_EVENT_LOG_DROPPED)
		ev->has |= CTNR_EV_HAS_LOG_DROPPED;
	if (!lc_attr_u32(tb[CTNR_A_LOOP_INDEX], &ev->loop_index))
		ev->has |= CTNR_EV_HAS_LOOP_INDEX;
}

int lc_parse_container(struct nlattr **tb, struct ctnr_container *c)
{
	static const struct {
		int attr;
		size_t off;
		uint32_t has;
	} u32s[] = {
		{ CTNR_A_ID, offsetof(struct ctnr_container, id), CTNR_HAS_ID },
		{ CTNR_A_STATE, offsetof(struct ctnr_container, state),
		  CTNR_HAS_STATE },
		{ CTNR_A_FLAGS, offsetof(struct ctnr_container, flags),
		  CTNR_HAS_FLAGS },
		{ CTNR_A_PID, offsetof(struct ctnr_container, pid),
		  CTNR_HAS_PID },
		{ CTNR_A_OWNER_UID, offsetof(struct ctnr_container, owner_uid),
		  CTNR_HAS_OWNER_UID },
		{ CTNR_A_OWNER_LEVEL,
		  offsetof(struct ctnr_container, owner_level),
		  CTNR_HAS_OWNER_LEVEL },
		{ CTNR_A_NS_MASK, offsetof(struct ctnr_container, ns_mask),
		  CTNR_HAS_NS_MASK },
	};
	struct nlattr *a;
	unsigned int i;
	int rem;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_SIZE(u32s); i++) {
		if (!lc_attr_u32(tb[u32s[i].attr],
				 (uint32_t *)((char *)c + u32s[i].off)))
			c->has |= u32s[i].has;
	}
	if (!lc_attr_str(tb[CTNR_A_NAME], c->name, sizeof(c->name)))
		c->has |= CTNR_HAS_NAME;
	if (!lc_attr_u64(tb[CTNR_A_CTIME], &c->ctime))
		c->has |= CTNR_HAS_CTIME;
	if (!lc_attr_str(tb[CTNR_A_CGROUP], c->cgroup, sizeof(c->cgroup)))
		c->has |= CTNR_HAS_CGROUP;
	if (tb[CTNR_A_NS]) {
		nla_for_each_nested(a, tb[CTNR_A_NS], rem) {
			unsigned int t = nla_type(a);

			if (t < CTNR_NS_A_BASE || t > CTNR_NS_A_MAX)
				continue;
			lc_attr_u32(a, &c->ns_ino[t - CTNR_NS_A_BASE]);
		}
		c->has |= CTNR_HAS_NS;
	}
	return 0;
}

/* ---- one container ----------------------------------------------------- */

struct lc_one {
	struct ctnr_container *out;	/* may be NULL */
	bool got;
};

static int lc_one_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
		     struct nlattr **tb, void *arg)
{
	struct lc_one *one = arg;

	(void)h;
	(void)nlh;
	if (one->out)
		lc_parse_container(tb, one->out);
	one->got = true;
	return 0;
}

/* Send a request that answers with one container, or only an ACK. */
static int lc_one_request(struct ctnr_handle *h, struct nl_msg *msg,
			  struct ctnr_container *out, bool want_reply)
{
	struct lc_one one = { .out = out };
	int err;

	if (out)
		memset(out, 0, sizeof(*out));
	err = lc_nl_request(h, msg, CTNR_A_MAX, lc_one_cb, &one);
	if (err < 0)
		return err;
	if (want_reply && !one.got) {
		lc_set_error(h, "the module sent no container");
		return -EBADMSG;
	}
	return 0;
}

int ctnr_container_new(struct ctnr_handle *h, const char *name, uint32_t pid,
		       int pidfd, uint32_t flags, struct ctnr_container *out)
{
	struct nl_msg *msg;
	int err = 0;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, CTNR_CMD_CONTAINER_NEW, 0);
	if (!msg)
		return -ENOMEM;
	if (name)
		err = nla_put_string(msg, CTNR_A_NAME, name);
	if (!err && pidfd >= 0)
		err = nla_put_s32(msg, CTNR_A_PIDFD, pidfd);
	else if (!err)
		err = nla_put_u32(msg, CTNR_A_PID, pid);
	if (!err)
		err = nla_put_u32(msg, CTNR_A_FLAGS, flags);
	if (err < 0) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return -EMSGSIZE;
	}
	return lc_one_request(h, msg, out, out != NULL);
}

/* DEL, GET and SET: a container named by id or name. */
static int lc_ref_request(struct ctnr_handle *h, uint8_t cmd, uint32_t id,
			  const char *name, const uint32_t *flags,
			  struct ctnr_container *out)
{
	struct nl_msg *msg;
	int err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, cmd, 0);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_put_ref(msg, id, name);
	if (!err && flags && nla_put_u32(msg, CTNR_A_FLAGS, *flags) < 0)
		err = -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_one_request(h, msg, out, out != NULL);
}

int ctnr_container_del(struct ctnr_handle *h, uint32_t id, const char *name)
{
	return lc_ref_request(h, CTNR_CMD_CONTAINER_DEL, id, name, NULL, NULL);
}

int ctnr_container_get(struct ctnr_handle *h, uint32_t id, const char *name,
		       struct ctnr_container *out)
{
	if (!out)
		return -EINVAL;
	return lc_ref_request(h, CTNR_CMD_CONTAINER_GET, id, name, NULL, out);
}

int ctnr_container_set(struct ctnr_handle *h, uint32_t id, const char *name,
		       uint32_t flags)
{
	return lc_ref_request(h, CTNR_CMD_CONTAINER_SET, id, name, &flags,
			      NULL);
}

/* ---- the dump ---------------------------------------------------------- */

struct lc_list {
	ctnr_container_cb cb;
	void *arg;
	struct ctnr_container *c;	/* one buffer, refilled per entry */
};

static int lc_list_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
		      struct nlattr **tb, void *arg)
{
	struct lc_list *l = arg;

	(void)h;
	(void)nlh;
	lc_parse_container(tb, l->c);
	return l->cb(l->c, l->arg);
}

int ctnr_container_list(struct ctnr_handle *h, ctnr_container_cb cb,
			void *arg)
{
	struct lc_list l = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int err;

	if (!h || !cb)
		return -EINVAL;
	lc_clear_error(h);
	l.c = malloc(sizeof(*l.c));
	if (!l.c)
		return -ENOMEM;
	msg = lc_nl_msg(h, CTNR_CMD_CONTAINER_GET, NLM_F_DUMP);
	if (!msg) {
		free(l.c);
		return -ENOMEM;
	}
	err = lc_nl_request(h, msg, CTNR_A_MAX, lc_list_cb, &l);
	free(l.c);
	return err;
}

/* ---- events ------------------------------------------------------------ */

struct ctnr_monitor {
	struct ctnr_handle *h;
	struct nl_sock *sk;
	struct lc_rx rx;
	struct ctnr_event_info ev;		/* one buffer, refilled per event */
};

int ctnr_monitor_open(struct ctnr_handle *h, struct ctnr_monitor **mp)
{
	struct ctnr_monitor *m;
	uint32_t grp;
	int err;

	if (!h || !mp)
		return -EINVAL;
	*mp = NULL;
	lc_clear_error(h);
	if (!h->events_grp) {
		lc_set_error(h, "the module has no \"%s\" multicast group",
			     CTNR_GENL_MCGRP_EVENTS);
		return -EOPNOTSUPP;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->h = h;
	err = lc_nl_socket(&m->sk);
	if (err)
		goto fail;
	grp = h->events_grp;
	if (setsockopt(nl_socket_get_fd(m->sk), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		err = -errno;
		lc_set_error(h, "cannot subscribe to the \"%s\" group%s",
			     CTNR_GENL_MCGRP_EVENTS,
			     err == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		goto fail;
	}
	*mp = m;
	return 0;
fail:
	ctnr_monitor_close(m);
	return err;
}

int ctnr_monitor_fd(const struct ctnr_monitor *m)
{
	return m ? nl_socket_get_fd(m->sk) : -EINVAL;
}

void ctnr_monitor_close(struct ctnr_monitor *m)
{
	if (!m)
		return;
	if (m->sk)
		nl_socket_free(m->sk);
	free(m->rx.buf);
	free(m);
}

/* Deliver the events of one datagram.  Returns how many, or -1 to stop. */
static int lc_monitor_deliver(struct ctnr_monitor *m, int len,
			      ctnr_event_cb cb, void *arg, bool *stop)
{
	struct nlattr *tb[CTNR_A_MAX + 1];
	struct nlmsghdr *nlh;
	struct genlmsghdr *gnlh;
	int n = 0;

	for (nlh = m->rx.buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type != m->h->family ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		gnlh = nlmsg_data(nlh);
		if (gnlh->cmd != CTNR_CMD_EVENT)
			continue;
		if (genlmsg_parse(nlh, 0, tb, CTNR_A_MAX, NULL) < 0)
			continue;
		lc_parse_container(tb, &m->ev.c);
		m->ev.type = CTNR_EVENT_UNSPEC;
		lc_attr_u32(tb[CTNR_A_EVENT], &m->ev.type);
		lc_parse_event_extra(tb, &m->ev);
		n++;
		if (cb && cb(&m->ev, arg)) {
			*stop = true;
			break;
		}
	}
	return n;
}

int ctnr_monitor_read(struct ctnr_monitor *m, int timeout_ms,
		      ctnr_event_cb cb, void *arg)
{
	struct pollfd pfd;
	bool stop = false;
	int n = 0, len, r;

	if (!m)
		return -EINVAL;
	pfd.fd = nl_socket_get_fd(m->sk);
	pfd.events = POLLIN;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	while (!stop) {
		len = lc_nl_recv(pfd.fd, &m->rx, MSG_DONTWAIT);
		if (len == -EAGAIN || len == -EWOULDBLOCK)
			break;
		if (len < 0)
			return len;
		n += lc_monitor_deliver(m, len, cb, arg, &stop);
	}
	return n;
}

struct lc_mon_wrap {
	ctnr_event_cb cb;
	void *arg;
	int ret;
};

static int lc_mon_wrap_cb(const struct ctnr_event_info *ev, void *arg)
{
	struct lc_mon_wrap *w = arg;

	w->ret = w->cb(ev, w->arg);
	return w->ret;
}

int ctnr_monitor(struct ctnr_handle *h, ctnr_event_cb cb, void *arg)
{
	struct lc_mon_wrap w = { .cb = cb, .arg = arg };
	struct ctnr_monitor *m;
	int err;

	if (!h || !cb)
		return -EINVAL;
	err = ctnr_monitor_open(h, &m);
	if (err)
		return err;
	do {
		err = ctnr_monitor_read(m, -1, lc_mon_wrap_cb, &w);
	} while (err >= 0 && !w.ret);
	ctnr_monitor_close(m);
	return err < 0 ? err : w.ret;
}
