/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/ctnr.yaml */
/* YNL-GEN kernel header */
/* then scripts/ynl.sh: genl_split_ops table left out, policies exported */

#ifndef _LINUX_CTNR_GEN_H
#define _LINUX_CTNR_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/ctnr.h>
#include <linux/threads.h>

/* Common nested types */
extern const struct nla_policy ctnr_dev_rule_nl_policy[CTNR_A_DEV_ACCESS + 1];

/* Per-op policies, for kmod/genl.c's op table */
extern const struct nla_policy ctnr_container_new_nl_policy[CTNR_A_FLAGS + 1];
extern const struct nla_policy ctnr_container_del_nl_policy[CTNR_A_NAME + 1];
extern const struct nla_policy ctnr_container_get_nl_policy[CTNR_A_NAME + 1];
extern const struct nla_policy ctnr_container_set_nl_policy[CTNR_A_LOOP_QUOTA + 1];
extern const struct nla_policy ctnr_dev_rule_add_nl_policy[CTNR_A_DEV_ACCESS + 1];
extern const struct nla_policy ctnr_dev_rule_del_nl_policy[CTNR_A_DEV_ACCESS + 1];
extern const struct nla_policy ctnr_dev_rule_get_nl_policy[CTNR_A_NAME + 1];
extern const struct nla_policy ctnr_log_get_nl_policy[CTNR_A_LOG_SEQ + 1];
extern const struct nla_policy ctnr_log_clear_nl_policy[CTNR_A_NAME + 1];
extern const struct nla_policy ctnr_loop_get_nl_policy[CTNR_A_NAME + 1];
extern const struct nla_policy ctnr_dev_allow_nl_policy[CTNR_A_DEV_ACCESS + 1];
extern const struct nla_policy ctnr_dev_deny_nl_policy[CTNR_A_DEV_ACCESS + 1];
extern const struct nla_policy ctnr_dev_policy_set_nl_policy[CTNR_A_DEV_RULE + 1];

int ctnr_nl_container_get_start(struct netlink_callback *cb);
int ctnr_nl_container_get_done(struct netlink_callback *cb);

int ctnr_nl_info_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_container_new_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_container_del_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_container_get_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_container_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int ctnr_nl_container_set_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_dev_rule_add_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_dev_rule_del_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_dev_rule_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int ctnr_nl_log_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int ctnr_nl_log_clear_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_loop_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int ctnr_nl_dev_allow_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_dev_deny_doit(struct sk_buff *skb, struct genl_info *info);
int ctnr_nl_dev_policy_set_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	CTNR_NLGRP_EVENTS,
};

#endif /* _LINUX_CTNR_GEN_H */
