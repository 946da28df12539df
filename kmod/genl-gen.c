// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/ctnr.yaml */
/* YNL-GEN kernel source */
/* then scripts/ynl.sh: genl_split_ops table left out, policies exported */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "genl-gen.h"

#include <uapi/linux/ctnr.h>
#include <linux/threads.h>

/* Integer value ranges */
static const struct netlink_range_validation ctnr_a_pid_range = {
	.min	= 1ULL,
	.max	= PID_MAX_LIMIT,
};

static const struct netlink_range_validation ctnr_a_log_size_range = {
	.min	= CTNR_LOG_SIZE_MIN,
	.max	= CTNR_LOG_SIZE_MAX,
};

/* Common nested types */
const struct nla_policy ctnr_dev_rule_nl_policy[CTNR_A_DEV_ACCESS + 1] = {
	[CTNR_A_DEV_TYPE] = NLA_POLICY_MAX(NLA_U32, 2),
	[CTNR_A_DEV_MAJOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_MINOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_ACCESS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

/* CTNR_CMD_CONTAINER_NEW - do */
const struct nla_policy ctnr_container_new_nl_policy[CTNR_A_FLAGS + 1] = {
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &ctnr_a_pid_range),
	[CTNR_A_PIDFD] = { .type = NLA_S32, },
	[CTNR_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),
};

/* CTNR_CMD_CONTAINER_DEL - do */
const struct nla_policy ctnr_container_del_nl_policy[CTNR_A_NAME + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CTNR_CMD_CONTAINER_GET - do */
const struct nla_policy ctnr_container_get_nl_policy[CTNR_A_NAME + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CTNR_CMD_CONTAINER_SET - do */
const struct nla_policy ctnr_container_set_nl_policy[CTNR_A_LOOP_QUOTA + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),
	[CTNR_A_DEV_DEFAULT] = NLA_POLICY_MAX(NLA_U32, 1),
	[CTNR_A_LOG_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &ctnr_a_log_size_range),
	[CTNR_A_LOOP_QUOTA] = { .type = NLA_U32, },
};

/* CTNR_CMD_DEV_RULE_ADD - do */
const struct nla_policy ctnr_dev_rule_add_nl_policy[CTNR_A_DEV_ACCESS + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_DEV_TYPE] = NLA_POLICY_MAX(NLA_U32, 2),
	[CTNR_A_DEV_MAJOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_MINOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_ACCESS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

/* CTNR_CMD_DEV_RULE_DEL - do */
const struct nla_policy ctnr_dev_rule_del_nl_policy[CTNR_A_DEV_ACCESS + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_DEV_TYPE] = NLA_POLICY_MAX(NLA_U32, 2),
	[CTNR_A_DEV_MAJOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_MINOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_ACCESS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

/* CTNR_CMD_DEV_RULE_GET - dump */
const struct nla_policy ctnr_dev_rule_get_nl_policy[CTNR_A_NAME + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CTNR_CMD_LOG_GET - dump */
const struct nla_policy ctnr_log_get_nl_policy[CTNR_A_LOG_SEQ + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_LOG_SEQ] = { .type = NLA_U64, },
};

/* CTNR_CMD_LOG_CLEAR - do */
const struct nla_policy ctnr_log_clear_nl_policy[CTNR_A_NAME + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CTNR_CMD_LOOP_GET - dump */
const struct nla_policy ctnr_loop_get_nl_policy[CTNR_A_NAME + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
};

/* CTNR_CMD_DEV_ALLOW - do */
const struct nla_policy ctnr_dev_allow_nl_policy[CTNR_A_DEV_ACCESS + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_DEV_TYPE] = NLA_POLICY_MAX(NLA_U32, 2),
	[CTNR_A_DEV_MAJOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_MINOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_ACCESS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

/* CTNR_CMD_DEV_DENY - do */
const struct nla_policy ctnr_dev_deny_nl_policy[CTNR_A_DEV_ACCESS + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_DEV_TYPE] = NLA_POLICY_MAX(NLA_U32, 2),
	[CTNR_A_DEV_MAJOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_MINOR] = { .type = NLA_U32, },
	[CTNR_A_DEV_ACCESS] = NLA_POLICY_MASK(NLA_U32, 0x7),
};

/* CTNR_CMD_DEV_POLICY_SET - do */
const struct nla_policy ctnr_dev_policy_set_nl_policy[CTNR_A_DEV_RULE + 1] = {
	[CTNR_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[CTNR_A_NAME] = { .type = NLA_NUL_STRING, .len = 63, },
	[CTNR_A_DEV_DEFAULT] = NLA_POLICY_MAX(NLA_U32, 1),
	[CTNR_A_DEV_RULE] = NLA_POLICY_NESTED(ctnr_dev_rule_nl_policy),
};
