// SPDX-License-Identifier: GPL-2.0
/*
 * core: the module skeleton (issue 2).
 *
 * INFO, strict per-command attribute policies with extended-ack messages,
 * unknown commands, the /dev/ctnr version ioctl and the argument checks
 * every ioctl makes, ctnrctl's version/usage behaviour and the debugfs
 * counters.  Needs the module loaded and no containers registered.
 */
#define _GNU_SOURCE
#include "ctnr_test.h"

FIXTURE(core) {
	struct ctnr_nl nl;
	int dev;
};

FIXTURE_SETUP(core)
{
	int r;

	self->dev = -EBADF;
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("resolving genl family \"%s\": %s (is the module loaded?)",
		       CTNR_GENL_NAME, strerror(-r));
	}
	self->dev = ctnr_dev_open();
	ASSERT_GE(self->dev, 0) {
		TH_LOG("%m - open %s", CTNR_DEV_PATH);
	}
}

FIXTURE_TEARDOWN(core)
{
	close_fd(&self->dev);
	ctnr_nl_close(&self->nl);
}

/* Send @cmd with one raw attribute of @len bytes. */
static int send_raw_attr(struct ctnr_nl *nl, uint8_t cmd, int type,
			 const void *data, int len)
{
	struct nl_msg *msg = ctnr_nl_msg(nl, cmd, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put(msg, type, len, data)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ctnr_nl_xfer(nl, msg, NULL, NULL);
}

/* INFO returns a version string, CTNR_ABI_VERSION and the container feature */
TEST_F(core, info_reports_version_abi_features)
{
	struct ctnr_info in;
	size_t i;
	int r;

	r = ctnr_info(&self->nl, &in);
	ASSERT_EQ(0, r) {
		TH_LOG("INFO: %s: %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_TRUE(!!(in.have & (1ULL << CTNR_A_VERSION)));
	ASSERT_NE(0, in.version[0]);
	ASSERT_LT(strlen(in.version), (size_t)CTNR_VERSION_LEN);
	for (i = 0; in.version[i]; i++) {
		ASSERT_TRUE(in.version[i] > ' ' && in.version[i] < 0x7f) {
			TH_LOG("version \"%s\" has a non-printable byte",
			       in.version);
		}
	}
	ASSERT_TRUE(!!(in.have & (1ULL << CTNR_A_ABI_VERSION)));
	ASSERT_EQ((uint32_t)CTNR_ABI_VERSION, in.abi);
	ASSERT_TRUE(!!(in.have & (1ULL << CTNR_A_FEATURES)));
	ASSERT_TRUE(!!(in.features & CTNR_FEAT_CONTAINER));
	ASSERT_TRUE(!!(in.have & (1ULL << CTNR_A_COUNT)));
	TH_LOG("module %s, abi %u, features %#llx, %u containers",
	       in.version, in.abi, (unsigned long long)in.features, in.count);
}

/* an attribute type beyond the family's range is rejected with a message */
TEST_F(core, info_rejects_unknown_attribute)
{
	const int types[] = { 200, CTNR_A_MAX + 1, CTNR_A_UNSPEC };
	uint32_t zero = 0;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		r = send_raw_attr(&self->nl, CTNR_CMD_INFO, types[i], &zero,
				  sizeof(zero));
		ASSERT_EQ(-EINVAL, r) {
			TH_LOG("attribute type %d on INFO: %d (%s)", types[i],
			       r, strerror(-r));
		}
		ASSERT_NE(0, self->nl.ext_msg[0]) {
			TH_LOG("no extack message for attribute type %d",
			       types[i]);
		}
		ASSERT_GE(self->nl.bad_off, 0) {
			TH_LOG("no bad-attribute offset for type %d", types[i]);
		}
	}
}

/* an attribute the command does not list is rejected (per-command policy) */
TEST_F(core, info_rejects_unlisted_attribute)
{
	const int types[] = { CTNR_A_ID, CTNR_A_NAME, CTNR_A_FLAGS };
	uint32_t one = 1;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		if (types[i] == CTNR_A_NAME)
			r = send_raw_attr(&self->nl, CTNR_CMD_INFO, types[i],
					  "x", 2);
		else
			r = send_raw_attr(&self->nl, CTNR_CMD_INFO, types[i],
					  &one, sizeof(one));
		ASSERT_EQ(-EINVAL, r) {
			TH_LOG("attribute %d on INFO: %d (%s)", types[i], r,
			       strerror(-r));
		}
		ASSERT_NE(0, self->nl.ext_msg[0]);
	}
}

/* reply-only attributes are not accepted in a GET request */
TEST_F(core, get_rejects_reply_only_attribute)
{
	struct nl_msg *msg = ctnr_nl_msg(&self->nl, CTNR_CMD_CONTAINER_GET, 0);
	int r;

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, CTNR_A_ID, 0x7ffffff0));
	ASSERT_EQ(0, nla_put_u32(msg, CTNR_A_STATE, CTNR_STATE_RUNNING));
	r = ctnr_nl_xfer(&self->nl, msg, NULL, NULL);
	ASSERT_EQ(-EINVAL, r) {
		TH_LOG("GET with CTNR_A_STATE: %d (%s)", r, strerror(-r));
	}
	ASSERT_NE(0, self->nl.ext_msg[0]);
}

/* CTNR_A_ID with the wrong payload size is rejected with a message */
TEST_F(core, get_rejects_wrong_attribute_type)
{
	const uint8_t buf[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	const int lens[] = { 1, 2, 8 };
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		r = send_raw_attr(&self->nl, CTNR_CMD_CONTAINER_GET, CTNR_A_ID,
				  buf, lens[i]);
		ASSERT_EQ(-EINVAL, r) {
			TH_LOG("CTNR_A_ID of %d bytes: %d (%s)", lens[i], r,
			       strerror(-r));
		}
		ASSERT_NE(0, self->nl.ext_msg[0]) {
			TH_LOG("no extack message for a %d byte CTNR_A_ID",
			       lens[i]);
		}
	}
}

/*
 * What CTRL_CMD_GETPOLICY says about attribute @attr in the doit policy of
 * command @cmd of family @family.
 */
struct pol_attr {
	bool found;			/* the policy has the attribute */
	uint32_t type;			/* NL_ATTR_TYPE_* */
	bool range, masked;
	uint64_t min, max, mask;
	uint32_t maxlen;		/* 0 when it has none */
};

struct pol_dump {
	uint32_t cmd, attr;
	int do_idx;			/* -1 until CTRL_ATTR_OP_POLICY says */
	struct pol_attr by_idx[16];	/* @attr in each policy, by index */
};

static int pol_dump_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct nlattr *pt[NL_POLICY_TYPE_ATTR_MAX + 1];
	struct nlattr *ot[CTRL_ATTR_POLICY_DUMP_MAX + 1];
	struct pol_dump *d = arg;
	struct nlattr *a, *b;
	struct pol_attr *p;
	int r1, r2;

	(void)cmd;
	if (tb[CTRL_ATTR_OP_POLICY]) {
		nla_for_each_nested(a, tb[CTRL_ATTR_OP_POLICY], r1) {
			if ((uint32_t)nla_type(a) != d->cmd)
				continue;
			if (nla_parse_nested(ot, CTRL_ATTR_POLICY_DUMP_MAX, a,
					     NULL) < 0)
				return -EPROTO;
			if (ot[CTRL_ATTR_POLICY_DO])
				d->do_idx = (int)nla_get_u32(ot[CTRL_ATTR_POLICY_DO]);
		}
	}
	if (!tb[CTRL_ATTR_POLICY])
		return 0;
	/* policy index -> attribute type -> NL_POLICY_TYPE_ATTR_* */
	nla_for_each_nested(a, tb[CTRL_ATTR_POLICY], r1) {
		if ((size_t)nla_type(a) >= ARRAY_SIZE(d->by_idx))
			continue;
		nla_for_each_nested(b, a, r2) {
			if ((uint32_t)nla_type(b) != d->attr)
				continue;
			if (nla_parse_nested(pt, NL_POLICY_TYPE_ATTR_MAX, b,
					     NULL) < 0)
				return -EPROTO;
			p = &d->by_idx[nla_type(a)];
			p->found = true;
			if (pt[NL_POLICY_TYPE_ATTR_TYPE])
				p->type = nla_get_u32(pt[NL_POLICY_TYPE_ATTR_TYPE]);
			if (pt[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] &&
			    pt[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]) {
				p->range = true;
				p->min = nla_get_u64(pt[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]);
				p->max = nla_get_u64(pt[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]);
			}
			if (pt[NL_POLICY_TYPE_ATTR_MASK]) {
				p->masked = true;
				p->mask = nla_get_u64(pt[NL_POLICY_TYPE_ATTR_MASK]);
			}
			if (pt[NL_POLICY_TYPE_ATTR_MAX_LENGTH])
				p->maxlen = nla_get_u32(pt[NL_POLICY_TYPE_ATTR_MAX_LENGTH]);
		}
	}
	return 0;
}

static int op_policy(struct ctnr_nl *nl, int family, uint8_t cmd,
		     uint32_t attr, struct pol_attr *out)
{
	struct pol_dump d = { .cmd = cmd, .attr = attr, .do_idx = -1 };
	struct nl_msg *msg = nlmsg_alloc();
	int r;

	memset(out, 0, sizeof(*out));
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0,
			 NLM_F_DUMP, CTRL_CMD_GETPOLICY, 1) ||
	    nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, (uint16_t)family) ||
	    nla_put_u32(msg, CTRL_ATTR_OP, cmd)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	r = ctnr_nl_xfer(nl, msg, pol_dump_cb, &d);
	if (r)
		return r;
	if (d.do_idx < 0 || (size_t)d.do_idx >= ARRAY_SIZE(d.by_idx))
		return -ENOENT;
	*out = d.by_idx[d.do_idx];
	return 0;
}

/*
 * CTRL_CMD_GETPOLICY tells the truth: the policies are the ones generated
 * from the spec (issue 13), with its bounds, and list only what a command
 * takes.
 */
TEST_F(core, getpolicy_has_the_bounds_of_the_spec)
{
	struct pol_attr p;

	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_CONTAINER_SET, CTNR_A_LOG_SIZE, &p));
	ASSERT_TRUE(p.found && p.range);
	EXPECT_EQ((uint32_t)NL_ATTR_TYPE_U32, p.type);
	EXPECT_EQ((uint64_t)CTNR_LOG_SIZE_MIN, p.min);
	EXPECT_EQ((uint64_t)CTNR_LOG_SIZE_MAX, p.max);

	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_CONTAINER_SET, CTNR_A_FLAGS, &p));
	ASSERT_TRUE(p.found && p.masked);
	EXPECT_EQ((uint64_t)CTNR_F_MASK, p.mask);

	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_CONTAINER_SET, CTNR_A_DEV_DEFAULT, &p));
	ASSERT_TRUE(p.found && p.range);
	EXPECT_EQ(0U, p.min);
	EXPECT_EQ((uint64_t)CTNR_DEV_DENY, p.max);

	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_CONTAINER_SET, CTNR_A_ID, &p));
	ASSERT_TRUE(p.found && p.range);
	EXPECT_EQ(1U, p.min);

	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_CONTAINER_SET, CTNR_A_NAME, &p));
	ASSERT_TRUE(p.found);
	EXPECT_EQ((uint32_t)NL_ATTR_TYPE_NUL_STRING, p.type);
	EXPECT_EQ((uint32_t)CTNR_NAME_MAX - 1, p.maxlen);

	/* SET takes no pid: its policy does not list it */
	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_CONTAINER_SET, CTNR_A_PID, &p));
	EXPECT_FALSE(p.found);

	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_CONTAINER_NEW, CTNR_A_PID, &p));
	ASSERT_TRUE(p.found && p.range);
	EXPECT_EQ(1U, p.min);
	EXPECT_LE(p.max, 4194304U);

	ASSERT_EQ(0, op_policy(&self->nl, self->nl.family,
			       CTNR_CMD_DEV_RULE_ADD, CTNR_A_DEV_ACCESS, &p));
	ASSERT_TRUE(p.found && p.masked);
	EXPECT_EQ((uint64_t)CTNR_DEV_ACC_MASK, p.mask);
}

/* commands the family does not implement answer -EOPNOTSUPP */
TEST_F(core, unknown_command_is_eopnotsupp)
{
	const int cmds[] = { 200, CTNR_CMD_MAX + 1, CTNR_CMD_EVENT,
			     CTNR_CMD_UNSPEC };
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		r = ctnr_nl_xfer(&self->nl,
				 ctnr_nl_msg(&self->nl, cmds[i], 0), NULL,
				 NULL);
		ASSERT_EQ(-EOPNOTSUPP, r) {
			TH_LOG("command %d: %d (%s)", cmds[i], r,
			       strerror(-r));
		}
	}
	/* the socket still works afterwards */
	ASSERT_GE(ctnr_count(&self->nl), 0);
}

static void info_in_netns_child(int errfd, void *arg)
{
	struct ctnr_nl nl;
	struct ctnr_info in;
	int r;

	(void)arg;
	CHILD_CHECK(errfd, unshare(CLONE_NEWNET) == 0, "%m - unshare net");
	r = ctnr_nl_open(&nl);
	CHILD_CHECK(errfd, r == 0, "resolve family: %s", strerror(-r));
	r = ctnr_info(&nl, &in);
	CHILD_CHECK(errfd, r == 0, "INFO: %s %s", strerror(-r), nl.ext_msg);
	CHILD_CHECK(errfd, in.abi == CTNR_ABI_VERSION, "abi %u", in.abi);
	ctnr_nl_close(&nl);
}

/* the family is netnsok: INFO works from a child network namespace */
TEST_F(core, info_works_in_child_netns)
{
	char msg[512];

	ASSERT_EQ(0, run_child(info_in_netns_child, NULL, msg, sizeof(msg),
			       20000)) {
		TH_LOG("%s", msg);
	}
}

/* CTNR_IOC_VERSION answers what INFO answers */
TEST_F(core, version_ioctl_matches_info)
{
	struct ctnr_ioc_version v;
	struct ctnr_info in;

	ASSERT_EQ(0, ctnr_info(&self->nl, &in));
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	ASSERT_EQ(0, ioctl(self->dev, CTNR_IOC_VERSION, &v)) {
		TH_LOG("%m - CTNR_IOC_VERSION");
	}
	ASSERT_EQ((uint32_t)CTNR_ABI_VERSION, v.abi_version);
	ASSERT_EQ(in.abi, v.abi_version);
	ASSERT_EQ(in.features, v.features);
	ASSERT_NE(NULL, memchr(v.version, '\0', sizeof(v.version))) {
		TH_LOG("version is not NUL-terminated");
	}
	ASSERT_STREQ(in.version, v.version);
}

/* an ioctl the device does not know gives ENOTTY */
TEST_F(core, unknown_ioctl_is_enotty)
{
	const unsigned long cmds[] = {
		_IO(CTNR_IOC_MAGIC, 0x7f),
		_IOWR(CTNR_IOC_MAGIC, 0x42, struct ctnr_ioc_version),
		_IOR('x', 0x00, int),
		0x5401,		/* TCGETS */
	};
	char buf[512];
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(buf, 0, sizeof(buf));
		r = ioctl(self->dev, cmds[i], buf);
		ASSERT_EQ(-1, r) {
			TH_LOG("ioctl %#lx succeeded", cmds[i]);
		}
		ASSERT_EQ(ENOTTY, errno) {
			TH_LOG("%m - ioctl %#lx", cmds[i]);
		}
	}
}

/* CTNR_IOC_VERSION with a size the module does not know gives EINVAL */
TEST_F(core, version_ioctl_bad_size_is_einval)
{
	const uint32_t sizes[] = {
		0, 4, sizeof(struct ctnr_ioc_version) - 1,
		sizeof(struct ctnr_ioc_version) + 8, 0x7fffffff, 0xffffffff,
	};
	union {
		struct ctnr_ioc_version v;
		char pad[4096];
	} u;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&u, 0, sizeof(u));
		u.v.size = sizes[i];
		ASSERT_EQ(-1, ioctl(self->dev, CTNR_IOC_VERSION, &u)) {
			TH_LOG("size %u accepted", sizes[i]);
		}
		ASSERT_EQ(EINVAL, errno) {
			TH_LOG("%m - size %u", sizes[i]);
		}
	}
}

/* a NULL argument pointer gives EFAULT, not a crash */
TEST_F(core, ioctl_null_argument_is_efault)
{
	const unsigned long cmds[] = {
		CTNR_IOC_VERSION, CTNR_IOC_NS_FDS, CTNR_IOC_WHOAMI,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ASSERT_EQ(-1, ioctl(self->dev, cmds[i], NULL));
		ASSERT_EQ(EFAULT, errno) {
			TH_LOG("%m - ioctl %#lx with NULL", cmds[i]);
		}
	}
}

/* NS_FDS with flags, padding or size wrong gives EINVAL and no fds */
TEST_F(core, ns_fds_bad_flags_pad_size_is_einval)
{
	const uint32_t flags[] = { 1, 0x80000000 };
	const uint32_t sizes[] = {
		0, sizeof(struct ctnr_ioc_ns_fds) - 4,
		sizeof(struct ctnr_ioc_ns_fds) + 8,
	};
	union {
		struct ctnr_ioc_ns_fds a;
		char pad[4096];
	} u;
	int fds0 = count_open_fds();
	size_t i;

	ASSERT_GT(fds0, 0);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		memset(&u, 0, sizeof(u));
		ctnr_ns_fds_init(&u.a, 0, "ctnrtest-no-such", CLONE_NEWUTS);
		u.a.flags = flags[i];
		ASSERT_EQ(-EINVAL, ctnr_ioc_ns_fds(self->dev, &u.a)) {
			TH_LOG("flags %#x not rejected", flags[i]);
		}
	}
	memset(&u, 0, sizeof(u));
	ctnr_ns_fds_init(&u.a, 0, "ctnrtest-no-such", CLONE_NEWUTS);
	u.a.pad = 1;
	ASSERT_EQ(-EINVAL, ctnr_ioc_ns_fds(self->dev, &u.a)) {
		TH_LOG("non-zero pad not rejected");
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&u, 0, sizeof(u));
		ctnr_ns_fds_init(&u.a, 0, "ctnrtest-no-such", CLONE_NEWUTS);
		u.a.size = sizes[i];
		ASSERT_EQ(-EINVAL, ctnr_ioc_ns_fds(self->dev, &u.a)) {
			TH_LOG("size %u not rejected", sizes[i]);
		}
	}
	ASSERT_EQ(fds0, count_open_fds());
}

/* WHOAMI with a size the module does not know gives EINVAL */
TEST_F(core, whoami_bad_size_is_einval)
{
	const uint32_t sizes[] = {
		0, sizeof(struct ctnr_ioc_whoami) - 1,
		sizeof(struct ctnr_ioc_whoami) + 8,
	};
	union {
		struct ctnr_ioc_whoami w;
		char pad[4096];
	} u;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&u, 0, sizeof(u));
		u.w.size = sizes[i];
		ASSERT_EQ(-1, ioctl(self->dev, CTNR_IOC_WHOAMI, &u));
		ASSERT_EQ(EINVAL, errno) {
			TH_LOG("%m - WHOAMI size %u", sizes[i]);
		}
	}
}

static void unpriv_version_child(int errfd, void *arg)
{
	struct ctnr_ioc_version v;
	struct ctnr_nl nl;
	struct ctnr_info in;
	int fd, r;

	(void)arg;
	r = become_user(1000, 1000);
	CHILD_CHECK(errfd, r == 0, "become uid 1000: %s", strerror(-r));
	fd = ctnr_dev_open();
	CHILD_CHECK(errfd, fd >= 0, "%m - open %s as uid 1000", CTNR_DEV_PATH);
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	CHILD_CHECK(errfd, ioctl(fd, CTNR_IOC_VERSION, &v) == 0,
		    "%m - CTNR_IOC_VERSION as uid 1000");
	CHILD_CHECK(errfd, v.abi_version == CTNR_ABI_VERSION, "abi %u",
		    v.abi_version);
	close(fd);
	r = ctnr_nl_open(&nl);
	CHILD_CHECK(errfd, r == 0, "genl as uid 1000: %s", strerror(-r));
	r = ctnr_info(&nl, &in);
	CHILD_CHECK(errfd, r == 0, "INFO as uid 1000: %s %s", strerror(-r),
		    nl.ext_msg);
	CHILD_CHECK(errfd, in.count == 0,
		    "uid 1000 sees %u containers", in.count);
	ctnr_nl_close(&nl);
}

/* anyone may ask the version: an unprivileged user opens /dev/ctnr */
TEST_F(core, unprivileged_user_may_ask_version)
{
	char msg[512];

	ASSERT_EQ(0, run_child(unpriv_version_child, NULL, msg, sizeof(msg),
			       20000)) {
		TH_LOG("%s", msg);
	}
}

/* `ctnrctl -j version` prints one valid JSON object with an "abi" key */
TEST_F_TIMEOUT(core, cli_version_json, 120)
{
	char out[8192], err[4096], why[4096];
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "-j",
		    "version", NULL);
	ASSERT_NE(-ENOENT, r) {
		TH_LOG("ctnrctl not found (set CTNRCTL)");
	}
	ASSERT_EQ(0, r) {
		TH_LOG("ctnrctl -j version: exit %d: %s", r, err);
	}
	ASSERT_TRUE(json_valid(out)) {
		TH_LOG("not JSON: %s", out);
	}
	ASSERT_EQ('{', *json__ws(out));
	ASSERT_NE(NULL, strstr(out, "\"abi\"")) {
		TH_LOG("no \"abi\" key: %s", out);
	}
	r = json_valid_python(out, why, sizeof(why));
	if (r == -ENOENT) {
		TH_LOG("python3 not found, checked with the built-in parser");
	} else {
		ASSERT_EQ(1, r) {
			TH_LOG("python3 -m json.tool: %s", why);
		}
	}
}

/* `ctnrctl version` shows the module's version string */
TEST_F(core, cli_version_shows_module)
{
	char out[8192], err[4096];
	struct ctnr_info in;
	int r;

	ASSERT_EQ(0, ctnr_info(&self->nl, &in));
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "version",
		    NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("ctnrctl version: exit %d: %s", r, err);
	}
	ASSERT_NE(NULL, strstr(out, in.version)) {
		TH_LOG("module version %s not in: %s", in.version, out);
	}
}

/* an unknown object or command exits 2 with a one-line message */
TEST_F(core, cli_bogus_exits_2)
{
	char out[8192], err[4096];
	int r;

	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "bogus", NULL);
	ASSERT_EQ(2, r) {
		TH_LOG("ctnrctl bogus: exit %d: %s", r, err);
	}
	ASSERT_NE(0, err[0]);
	ASSERT_EQ(1, count_lines(err)) {
		TH_LOG("not one line: %s", err);
	}
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "container",
		    "bogus", NULL);
	ASSERT_EQ(2, r) {
		TH_LOG("ctnrctl container bogus: exit %d: %s", r, err);
	}
	ASSERT_NE(0, err[0]);
	r = ctnrctl(out, sizeof(out), err, sizeof(err), 30000, "--help",
		    NULL);
	ASSERT_EQ(0, r) {
		TH_LOG("ctnrctl --help: exit %d: %s", r, err);
	}
	ASSERT_NE(0, out[0]);
}

/* the debugfs counters exist and read zero when no containers exist */
TEST_F(core, debugfs_counters_read_zero)
{
	struct ctnr_counter c[64];
	char bad[1024];
	int n, r, i;

	n = ctnr_counters_read(c, 64);
	ASSERT_GT(n, 0) {
		TH_LOG("%s: %s", CTNR_COUNTERS_PATH,
		       n ? strerror(-n) : "no counters");
	}
	for (i = 0; i < n; i++)
		TH_LOG("%s %lld", c[i].name, c[i].val);
	ASSERT_GE(ctnr_counter("containers"), 0) {
		TH_LOG("no \"containers\" counter");
	}
	ASSERT_EQ(0, ctnr_count(&self->nl));
	r = ctnr_counters_wait_zero(5000, bad, sizeof(bad));
	ASSERT_EQ(0, r) {
		TH_LOG("non-zero counters with no containers: %s", bad);
	}
}

TEST_HARNESS_MAIN
