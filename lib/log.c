// SPDX-License-Identifier: LGPL-2.1
/*
 * libctnr: container logs, the syslog namespace (CTNR_CMD_LOG_GET,
 * CTNR_CMD_LOG_CLEAR, CTNR_A_LOG_SIZE of CTNR_CMD_CONTAINER_{GET,SET}).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "internal.h"

static const char *const lc_facility_names[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7",
};

static const char *const lc_level_names[] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

const char *ctnr_log_facility_name(uint32_t facility)
{
	if (facility < ARRAY_SIZE(lc_facility_names))
		return lc_facility_names[facility];
	return "unknown";
}

const char *ctnr_log_level_name(uint32_t level)
{
	if (level < ARRAY_SIZE(lc_level_names))
		return lc_level_names[level];
	return "unknown";
}

/* ---- LOG_GET ----------------------------------------------------------- */

struct lc_log_get {
	ctnr_log_cb cb;
	void *arg;
	struct ctnr_log_record *r;	/* one buffer, refilled per record */
	uint64_t next;
	bool any;
};

static int lc_log_parse(struct nlattr **tb, struct ctnr_log_record *r)
{
	const struct nlattr *text = tb[CTNR_A_LOG_TEXT];
	int len;

	memset(r, 0, offsetof(struct ctnr_log_record, text));
	if (lc_attr_u32(tb[CTNR_A_ID], &r->id) ||
	    lc_attr_u64(tb[CTNR_A_LOG_SEQ], &r->seq) ||
	    lc_attr_u64(tb[CTNR_A_LOG_TS], &r->ts_usec) ||
	    lc_attr_u32(tb[CTNR_A_LOG_FACILITY], &r->facility) ||
	    lc_attr_u32(tb[CTNR_A_LOG_LEVEL], &r->level) ||
	    lc_attr_u32(tb[CTNR_A_LOG_FLAGS], &r->flags) || !text)
		return -EBADMSG;
	len = nla_len(text);
	if (len < 0)
		return -EBADMSG;
	if (len > CTNR_LOG_TEXT_MAX)
		len = CTNR_LOG_TEXT_MAX;
	memcpy(r->text, nla_data(text), len);
	r->text[len] = '\0';
	r->text_len = len;
	return 0;
}

static int lc_log_get_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			 struct nlattr **tb, void *arg)
{
	struct lc_log_get *g = arg;

	(void)nlh;
	if (lc_log_parse(tb, g->r)) {
		lc_set_error(h, "the module sent a malformed log record");
		return -EBADMSG;
	}
	g->next = g->r->seq + 1;
	g->any = true;
	return g->cb ? g->cb(g->r, g->arg) : 0;
}

int ctnr_log_get(struct ctnr_handle *h, uint32_t id, const char *name,
		 int64_t from_seq, ctnr_log_cb cb, void *arg,
		 uint64_t *next_seq)
{
	struct lc_log_get g = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	g.r = malloc(sizeof(*g.r));
	if (!g.r)
		return -ENOMEM;
	msg = lc_nl_msg(h, CTNR_CMD_LOG_GET, NLM_F_DUMP);
	if (!msg) {
		free(g.r);
		return -ENOMEM;
	}
	err = lc_nl_put_ref(msg, id, name);
	if (!err && from_seq >= 0 &&
	    nla_put_u64(msg, CTNR_A_LOG_SEQ, (uint64_t)from_seq) < 0)
		err = -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		free(g.r);
		lc_set_error(h, "request too large");
		return err;
	}
	err = lc_nl_request(h, msg, CTNR_A_MAX, lc_log_get_cb, &g);
	free(g.r);
	if (next_seq && g.any)
		*next_seq = g.next;
	return err;
}

int ctnr_log_follow(struct ctnr_handle *h, uint32_t id, const char *name,
		    int64_t from_seq, int interval_ms, ctnr_log_cb cb,
		    void *arg)
{
	struct ctnr_container *c;
	uint64_t next = 0;
	bool have_next = false;
	int err;

	if (!h || !cb)
		return -EINVAL;
	if (interval_ms <= 0)
		interval_ms = 250;
	/* Pin the id: a name could be reused by another container later. */
	if (!id) {
		c = malloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		err = ctnr_container_get(h, 0, name, c);
		id = c->id;
		free(c);
		if (err)
			return err;
	}
	for (;;) {
		err = ctnr_log_get(h, id, NULL,
				   have_next ? (int64_t)next : from_seq, cb, arg,
				   &next);
		if (err == -ENOENT && have_next)
			return 0;	/* the container went away */
		if (err)
			return err;
		if (next)
			have_next = true;
		if (poll(NULL, 0, interval_ms) < 0 && errno == EINTR)
			return -EINTR;
	}
}

/* ---- LOG_CLEAR, the size ----------------------------------------------- */

static int lc_log_nop_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			 struct nlattr **tb, void *arg)
{
	(void)h;
	(void)nlh;
	(void)tb;
	(void)arg;
	return 0;
}

int ctnr_log_clear(struct ctnr_handle *h, uint32_t id, const char *name)
{
	struct nl_msg *msg;
	int err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, CTNR_CMD_LOG_CLEAR, 0);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_put_ref(msg, id, name);
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_nl_request(h, msg, CTNR_A_MAX, lc_log_nop_cb, NULL);
}

int ctnr_log_set_size(struct ctnr_handle *h, uint32_t id, const char *name,
		      uint32_t bytes)
{
	struct nl_msg *msg;
	int err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, CTNR_CMD_CONTAINER_SET, 0);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_put_ref(msg, id, name);
	if (!err && nla_put_u32(msg, CTNR_A_LOG_SIZE, bytes) < 0)
		err = -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_nl_request(h, msg, CTNR_A_MAX, lc_log_nop_cb, NULL);
}

static int lc_log_info_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			  struct nlattr **tb, void *arg)
{
	struct ctnr_log_info *li = arg;

	(void)h;
	(void)nlh;
	if (!lc_attr_u32(tb[CTNR_A_LOG_SIZE], &li->size))
		li->has |= CTNR_LOG_HAS_SIZE;
	if (!lc_attr_u64(tb[CTNR_A_LOG_DROPPED], &li->dropped))
		li->has |= CTNR_LOG_HAS_DROPPED;
	return 0;
}

int ctnr_log_info(struct ctnr_handle *h, uint32_t id, const char *name,
		  struct ctnr_log_info *out)
{
	int err;

	if (!h || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = lc_nl_request_ref(h, CTNR_CMD_CONTAINER_GET, 0, id, name,
				lc_log_info_cb, out);
	if (!err && !(out->has & CTNR_LOG_HAS_SIZE)) {
		lc_set_error(h, "the module has no container logs");
		return -EOPNOTSUPP;
	}
	return err;
}
