// SPDX-License-Identifier: LGPL-2.1
/*
 * libctnr: device access rules (CTNR_CMD_DEV_RULE_*, CTNR_A_DEV_DEFAULT of
 * CTNR_CMD_CONTAINER_{GET,SET}) and the cgroup v1 rule syntax.
 */
#include <ctype.h>
#include <errno.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>

#include "internal.h"

/* ---- presets ----------------------------------------------------------- */

#define R(t, ma, mi, acc) { CTNR_DEV_TYPE_##t, (ma), (mi), (acc) }
#define ANY CTNR_DEV_ANY
#define RWM CTNR_DEV_ACC_MASK
#define M CTNR_DEV_ACC_MKNOD

/* What LXC allows by default (lxc.cgroup.devices.allow in its config). */
static const struct ctnr_dev_rule lc_preset_lxc[] = {
	R(CHAR, ANY, ANY, M),		/* mknod of anything ... */
	R(BLOCK, ANY, ANY, M),		/* ... opening is what counts */
	R(CHAR, 1, 3, RWM),		/* null */
	R(CHAR, 1, 5, RWM),		/* zero */
	R(CHAR, 1, 7, RWM),		/* full */
	R(CHAR, 1, 8, RWM),		/* random */
	R(CHAR, 1, 9, RWM),		/* urandom */
	R(CHAR, 5, 0, RWM),		/* tty */
	R(CHAR, 5, 1, RWM),		/* console */
	R(CHAR, 5, 2, RWM),		/* ptmx */
	R(CHAR, 136, ANY, RWM),		/* pts/N */
	R(CHAR, 10, 229, RWM),		/* fuse */
	R(CHAR, 10, 200, RWM),		/* net/tun */
};

#undef R
#undef ANY
#undef RWM
#undef M

static const struct {
	const char *name;
	const struct ctnr_dev_rule *rules;
	unsigned int n;
} lc_presets[] = {
	{ "lxc", lc_preset_lxc, ARRAY_SIZE(lc_preset_lxc) },
};

const struct ctnr_dev_rule *ctnr_dev_preset_rules(const char *preset,
						  unsigned int *n)
{
	unsigned int i;

	for (i = 0; preset && i < ARRAY_SIZE(lc_presets); i++) {
		if (!strcmp(preset, lc_presets[i].name)) {
			if (n)
				*n = lc_presets[i].n;
			return lc_presets[i].rules;
		}
	}
	if (n)
		*n = 0;
	return NULL;
}

/* ---- syntax ------------------------------------------------------------ */

/* A major or minor: decimal up to @max, or "*". */
static int lc_dev_num(const char *s, size_t len, uint32_t max, uint32_t *v)
{
	unsigned long n = 0;
	size_t i;

	if (len == 1 && s[0] == '*') {
		*v = CTNR_DEV_ANY;
		return 0;
	}
	if (!len || len > 10)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > max)
		return -ERANGE;
	*v = (uint32_t)n;
	return 0;
}

int ctnr_dev_rule_parse_args(const char *type, const char *majmin,
			     const char *access, struct ctnr_dev_rule *r)
{
	const char *colon, *p;
	uint32_t acc = 0;
	int err;

	if (!type || !majmin || !access || !r)
		return -EINVAL;
	if (!strcmp(type, "a"))
		r->type = CTNR_DEV_TYPE_ALL;
	else if (!strcmp(type, "b"))
		r->type = CTNR_DEV_TYPE_BLOCK;
	else if (!strcmp(type, "c"))
		r->type = CTNR_DEV_TYPE_CHAR;
	else
		return -EINVAL;

	colon = strchr(majmin, ':');
	if (!colon)
		return -EINVAL;
	err = lc_dev_num(majmin, colon - majmin, CTNR_DEV_MAJOR_MAX,
			 &r->major);
	if (!err)
		err = lc_dev_num(colon + 1, strlen(colon + 1),
				 CTNR_DEV_MINOR_MAX, &r->minor);
	if (err)
		return err;

	if (!*access)
		return -EINVAL;
	for (p = access; *p; p++) {
		uint32_t bit;

		switch (*p) {
		case 'r':
			bit = CTNR_DEV_ACC_READ;
			break;
		case 'w':
			bit = CTNR_DEV_ACC_WRITE;
			break;
		case 'm':
			bit = CTNR_DEV_ACC_MKNOD;
			break;
		default:
			return -EINVAL;
		}
		if (acc & bit)
			return -EINVAL;
		acc |= bit;
	}
	r->access = acc;
	return 0;
}

int ctnr_dev_rule_parse(const char *s, struct ctnr_dev_rule *r)
{
	char buf[64], *f[3], *save = NULL, *tok;
	int n = 0;

	if (!s || !r || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n == 3)
			return -EINVAL;
		f[n++] = tok;
	}
	/* the v1 reset line: "a" alone */
	if (n == 1 && !strcmp(f[0], "a")) {
		r->type = CTNR_DEV_TYPE_ALL;
		r->major = CTNR_DEV_ANY;
		r->minor = CTNR_DEV_ANY;
		r->access = CTNR_DEV_ACC_MASK;
		return 0;
	}
	if (n != 3)
		return -EINVAL;
	return ctnr_dev_rule_parse_args(f[0], f[1], f[2], r);
}

static int lc_dev_num_fmt(char *buf, size_t len, uint32_t v)
{
	if (v == CTNR_DEV_ANY)
		return snprintf(buf, len, "*");
	return snprintf(buf, len, "%u", v);
}

int ctnr_dev_rule_format(const struct ctnr_dev_rule *r, char *buf,
			 size_t len)
{
	char ma[12], mi[12], acc[4], *p = acc;
	const char *t;
	int n;

	if (!r || !buf || !len)
		return -EINVAL;
	switch (r->type) {
	case CTNR_DEV_TYPE_ALL:
		t = "a";
		break;
	case CTNR_DEV_TYPE_BLOCK:
		t = "b";
		break;
	case CTNR_DEV_TYPE_CHAR:
		t = "c";
		break;
	default:
		t = "?";
	}
	lc_dev_num_fmt(ma, sizeof(ma), r->major);
	lc_dev_num_fmt(mi, sizeof(mi), r->minor);
	if (r->access & CTNR_DEV_ACC_READ)
		*p++ = 'r';
	if (r->access & CTNR_DEV_ACC_WRITE)
		*p++ = 'w';
	if (r->access & CTNR_DEV_ACC_MKNOD)
		*p++ = 'm';
	*p = '\0';
	n = snprintf(buf, len, "%s %s:%s %s", t, ma, mi, acc);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

const char *ctnr_dev_default_name(uint32_t deflt)
{
	switch (deflt) {
	case CTNR_DEV_ALLOW:
		return "allow";
	case CTNR_DEV_DENY:
		return "deny";
	}
	return "unknown";
}

/* ---- requests ---------------------------------------------------------- */

static int lc_dev_rule_request(struct ctnr_handle *h, uint8_t cmd,
			       uint32_t id, const char *name,
			       const struct ctnr_dev_rule *r)
{
	struct nl_msg *msg;
	int err;

	if (!h || !r)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, cmd, 0);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_put_ref(msg, id, name);
	if (!err &&
	    (nla_put_u32(msg, CTNR_A_DEV_TYPE, r->type) < 0 ||
	     nla_put_u32(msg, CTNR_A_DEV_MAJOR, r->major) < 0 ||
	     nla_put_u32(msg, CTNR_A_DEV_MINOR, r->minor) < 0 ||
	     nla_put_u32(msg, CTNR_A_DEV_ACCESS, r->access) < 0))
		err = -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_nl_request(h, msg, CTNR_A_MAX, NULL, NULL);
}

int ctnr_dev_rule_add(struct ctnr_handle *h, uint32_t id, const char *name,
		      const struct ctnr_dev_rule *r)
{
	return lc_dev_rule_request(h, CTNR_CMD_DEV_RULE_ADD, id, name, r);
}

int ctnr_dev_rule_del(struct ctnr_handle *h, uint32_t id, const char *name,
		      const struct ctnr_dev_rule *r)
{
	return lc_dev_rule_request(h, CTNR_CMD_DEV_RULE_DEL, id, name, r);
}

int ctnr_dev_allow(struct ctnr_handle *h, uint32_t id, const char *name,
		   const struct ctnr_dev_rule *r)
{
	return lc_dev_rule_request(h, CTNR_CMD_DEV_ALLOW, id, name, r);
}

int ctnr_dev_deny(struct ctnr_handle *h, uint32_t id, const char *name,
		  const struct ctnr_dev_rule *r)
{
	return lc_dev_rule_request(h, CTNR_CMD_DEV_DENY, id, name, r);
}

int ctnr_dev_set_default(struct ctnr_handle *h, uint32_t id,
			 const char *name, uint32_t deflt)
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
	if (!err && nla_put_u32(msg, CTNR_A_DEV_DEFAULT, deflt) < 0)
		err = -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_nl_request(h, msg, CTNR_A_MAX, NULL, NULL);
}

/* Bytes of a DEV_POLICY_SET request with @n rules, headers included. */
#define LC_POLICY_RULE_SIZE	(4 + 4 * 8)	/* a nest of four u32 */
#define LC_POLICY_BASE_SIZE	(NLMSG_HDRLEN + GENL_HDRLEN + 256)

int ctnr_dev_policy_set(struct ctnr_handle *h, uint32_t id, const char *name,
			uint32_t deflt, const struct ctnr_dev_rule *rules,
			unsigned int n)
{
	size_t size = LC_POLICY_BASE_SIZE + (size_t)n * LC_POLICY_RULE_SIZE;
	struct nlattr *one;
	struct nl_msg *msg;
	unsigned int i;
	int err, sndbuf;

	if (!h || (n && !rules))
		return -EINVAL;
	lc_clear_error(h);
	if (n > CTNR_DEV_RULES_MAX) {
		lc_set_error(h, "too many device rules (at most %u)",
			     CTNR_DEV_RULES_MAX);
		return -ENOSPC;
	}
	msg = nlmsg_alloc_size(size);
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0, 0,
			 CTNR_CMD_DEV_POLICY_SET, CTNR_GENL_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = lc_nl_put_ref(msg, id, name);
	if (!err && nla_put_u32(msg, CTNR_A_DEV_DEFAULT, deflt) < 0)
		err = -EMSGSIZE;
	/* repeated at the top level: an attribute holds at most 64 KiB */
	for (i = 0; !err && i < n; i++) {
		one = nla_nest_start(msg, CTNR_A_DEV_RULE);
		if (!one ||
		    nla_put_u32(msg, CTNR_A_DEV_TYPE, rules[i].type) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_MAJOR, rules[i].major) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_MINOR, rules[i].minor) < 0 ||
		    nla_put_u32(msg, CTNR_A_DEV_ACCESS, rules[i].access) < 0)
			err = -EMSGSIZE;
		else if (nla_nest_end(msg, one) < 0)
			err = -EMSGSIZE;
	}
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	/* A whole policy is one datagram: make room for it (libnl: 32 KiB). */
	sndbuf = (int)(2 * nlmsg_hdr(msg)->nlmsg_len);
	if (sndbuf > 32768)
		setsockopt(nl_socket_get_fd(h->sk), SOL_SOCKET, SO_SNDBUF,
			   &sndbuf, sizeof(sndbuf));
	return lc_nl_request(h, msg, CTNR_A_MAX, NULL, NULL);
}

int ctnr_dev_preset(struct ctnr_handle *h, uint32_t id, const char *name,
		    const char *preset)
{
	const struct ctnr_dev_rule *rules;
	unsigned int n;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	rules = ctnr_dev_preset_rules(preset, &n);
	if (!rules) {
		lc_set_error(h, "unknown device preset \"%s\"",
			     preset ? preset : "");
		return -EINVAL;
	}
	return ctnr_dev_policy_set(h, id, name, CTNR_DEV_DENY, rules, n);
}

/* ---- reading ----------------------------------------------------------- */

static int lc_dev_info_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			  struct nlattr **tb, void *arg)
{
	struct ctnr_dev_info *di = arg;

	(void)h;
	(void)nlh;
	if (!lc_attr_u32(tb[CTNR_A_DEV_DEFAULT], &di->deflt))
		di->has |= CTNR_DEV_HAS_DEFAULT;
	if (!lc_attr_u32(tb[CTNR_A_DEV_COUNT], &di->count))
		di->has |= CTNR_DEV_HAS_COUNT;
	return 0;
}

int ctnr_dev_info(struct ctnr_handle *h, uint32_t id, const char *name,
		  struct ctnr_dev_info *out)
{
	int err;

	if (!h || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = lc_nl_request_ref(h, CTNR_CMD_CONTAINER_GET, 0, id, name,
				lc_dev_info_cb, out);
	if (!err && !(out->has & CTNR_DEV_HAS_DEFAULT)) {
		lc_set_error(h, "the module has no device rules");
		return -EOPNOTSUPP;
	}
	return err;
}

struct lc_dev_list {
	ctnr_dev_rule_cb cb;
	void *arg;
};

static int lc_dev_list_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			  struct nlattr **tb, void *arg)
{
	struct lc_dev_list *l = arg;
	struct ctnr_dev_rule r;
	uint32_t index;

	(void)nlh;
	if (lc_attr_u32(tb[CTNR_A_DEV_INDEX], &index) ||
	    lc_attr_u32(tb[CTNR_A_DEV_TYPE], &r.type) ||
	    lc_attr_u32(tb[CTNR_A_DEV_MAJOR], &r.major) ||
	    lc_attr_u32(tb[CTNR_A_DEV_MINOR], &r.minor) ||
	    lc_attr_u32(tb[CTNR_A_DEV_ACCESS], &r.access)) {
		lc_set_error(h, "the module sent an incomplete device rule");
		return -EBADMSG;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		lc_set_error(h, "the rules changed during the listing");
		return -EAGAIN;
	}
	return l->cb ? l->cb(&r, index, l->arg) : 0;
}

int ctnr_dev_rule_list(struct ctnr_handle *h, uint32_t id, const char *name,
		       ctnr_dev_rule_cb cb, void *arg)
{
	struct lc_dev_list l = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, CTNR_CMD_DEV_RULE_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_put_ref(msg, id, name);
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_nl_request(h, msg, CTNR_A_MAX, lc_dev_list_cb, &l);
}

/* ---- hooks ------------------------------------------------------------- */

const char *ctnr_hook_state_name(uint32_t state)
{
	switch (state) {
	case CTNR_HOOK_UNAVAILABLE:
		return "unavailable";
	case CTNR_HOOK_IDLE:
		return "idle";
	case CTNR_HOOK_ENFORCING:
		return "enforcing";
	case CTNR_HOOK_LAPSED:
		return "lapsed";
	}
	return "unknown";
}

struct lc_hook_list {
	ctnr_hook_cb cb;
	void *arg;
	int ret;
};

static int lc_hook_parse(const struct nlattr *nest, struct ctnr_hook_info *hi)
{
	struct nlattr *tb[CTNR_HOOK_A_MAX + 1];

	memset(hi, 0, sizeof(*hi));
	if (nla_parse_nested(tb, CTNR_HOOK_A_MAX, (struct nlattr *)nest,
			     NULL) < 0 ||
	    lc_attr_str(tb[CTNR_HOOK_A_NAME], hi->name, sizeof(hi->name)) ||
	    lc_attr_u32(tb[CTNR_HOOK_A_STATE], &hi->state))
		return -EBADMSG;
	if (!lc_attr_str(tb[CTNR_HOOK_A_MODE], hi->mode, sizeof(hi->mode)))
		hi->has |= CTNR_HOOK_HAS_MODE;
	if (!lc_attr_u64(tb[CTNR_HOOK_A_MISSED], &hi->missed))
		hi->has |= CTNR_HOOK_HAS_MISSED;
	if (!lc_attr_str(tb[CTNR_HOOK_A_REASON], hi->reason,
			 sizeof(hi->reason)))
		hi->has |= CTNR_HOOK_HAS_REASON;
	return 0;
}

/* Every CTNR_A_HOOK of the reply: tb[] would only hold the last one. */
static int lc_hook_list_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			   struct nlattr **tb, void *arg)
{
	struct lc_hook_list *l = arg;
	struct ctnr_hook_info hi;
	struct nlattr *a;
	int rem;

	(void)tb;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != CTNR_A_HOOK)
			continue;
		if (lc_hook_parse(a, &hi)) {
			lc_set_error(h, "the module sent an incomplete hook");
			return -EBADMSG;
		}
		if (l->cb && !l->ret)
			l->ret = l->cb(&hi, l->arg);
	}
	return 0;
}

int ctnr_hook_list(struct ctnr_handle *h, ctnr_hook_cb cb, void *arg)
{
	struct lc_hook_list l = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, CTNR_CMD_INFO, 0);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_request(h, msg, CTNR_A_MAX, lc_hook_list_cb, &l);
	return err ? err : l.ret;
}
