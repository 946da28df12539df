/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctnr: internal interfaces between the files of the module.
 */
#ifndef _CTNR_H
#define _CTNR_H

#include <linux/types.h>
#include <linux/refcount.h>
#include <linux/rbtree.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <linux/netlink.h>
#include <linux/ctnr.h>

struct ns_common;
struct cgroup;
struct pid;
struct task_struct;
struct user_namespace;
struct sk_buff;
struct genl_info;
struct file;

/* Key of the name index: names are unique per owner user namespace. */
struct ctnr_name_key {
	const struct user_namespace *owner;
	char name[CTNR_NAME_MAX];	/* NUL padded */
};

/* What quotas count (container.c: charges up the user-namespace chain). */
enum ctnr_res {
	CTNR_RES_CONTAINERS,
	CTNR_RES_LOOPS,
	__CTNR_RES_MAX
};

struct ctnr_owner;

/*
 * One node of a container's charge chain, and the container's place in
 * that node's index (by id, under ctnr_lock) while it is registered.
 */
struct ctnr_charge {
	struct ctnr_owner *o;		/* counted */
	struct ctnr_container *c;
	struct rb_node rb;
};

/*
 * A container.  Immutable after creation except where noted.  The registry
 * holds one reference (->ref) while the container is linked into the
 * indices; lookups under RCU take their own with refcount_inc_not_zero().
 * The last ctnr_put() releases, from a work item, what it pins; ->husk
 * keeps the rest (container.c).  What ->ref pins (ns[] but the user
 * namespace, cgrp, init_pid) may only be used under a ->ref reference.
 */
struct ctnr_bucket;

struct ctnr_container {
	u32 id;
	struct ctnr_name_key key;
	struct user_namespace *owner;		/* counted reference */
	u32 level;				/* owner->level */
	struct ctnr_charge *charge;		/* 2 * level nodes */
	u32 ncharge;
	struct ns_common *ns[__CTNR_NS_MAX];	/* counted, NULL if absent */
	unsigned int ns_inum[__CTNR_NS_MAX];	/* of ns[], 0 if absent */
	struct cgroup *cgrp;			/* counted, cgroup v2 */
	struct pid *init_pid;			/* counted */
	u64 ctime;				/* ns since the epoch */
	u64 start_boottime;			/* the init's (boot clock ns) */

	u32 flags;		/* CTNR_F_*, written under ctnr_lock */
	u32 state;		/* enum ctnr_state, written under ctnr_lock */
	bool unlinked;		/* removed from the indices, under ctnr_lock */
	struct ctnr_log *log;	/* kmsg.c: NULL until first used */
	struct ctnr_dev __rcu *dev;	/* devaccess.c: NULL until first used */
	bool dev_closed;	/* devaccess.c: no new policy, ctnr_dev_lock */
	u32 loop_quota;		/* loop.c: if loop_quota_set; ctnr_loop_lock */
	bool loop_quota_set;	/* loop.c: else the module parameter */
	u32 loop_count;		/* loop.c: devices held, under ctnr_loop_lock */

	struct rhash_head name_node;
	struct list_head cgrp_link;	/* on *cgrp_bucket, under ctnr_lock */
	struct list_head pid_link;	/* on *pid_bucket, under ctnr_lock */
	struct ctnr_bucket *cgrp_bucket;
	struct ctnr_bucket *pid_bucket;
	struct work_struct stop_work;
	struct rcu_work release_rwork;
	refcount_t ref;
	refcount_t husk;
	struct rcu_head rcu;
};

/*
 * A required attribute is missing: say which, and say it in words too (the
 * genetlink helper only sets the attribute type).  Evaluates to true then.
 */
#define CTNR_NL_MISSING(info, type, msg) ({				\
	bool __missing = !(info)->attrs[type];				\
	if (__missing) {						\
		NL_SET_ERR_ATTR_MISS((info)->extack, NULL, type);	\
		NL_SET_ERR_MSG((info)->extack, msg);			\
	}								\
	__missing;							\
})

/* stats.c: live-object counters, exposed in debugfs. */
enum ctnr_counter {
	CTNR_CNT_CONTAINERS,
	CTNR_CNT_NS_REFS,
	CTNR_CNT_CGROUP_REFS,
	CTNR_CNT_PID_REFS,
	CTNR_CNT_USERNS_REFS,
	CTNR_CNT_BYTES,
	CTNR_CNT_BUCKETS,		/* container.c: cgroup and pid buckets */
	CTNR_CNT_OWNERS,		/* container.c: charge nodes */
	CTNR_CNT_LOGS,			/* kmsg.c: container logs */
	CTNR_CNT_LOG_FILES,		/* kmsg.c: open /dev/ctnr-kmsg */
	CTNR_CNT_DEV_STATES,		/* devaccess.c: per-container state */
	CTNR_CNT_DEV_RULESETS,		/* devaccess.c: rule sets */
	CTNR_CNT_DEV_RULES,		/* devaccess.c: rules in live sets */
	CTNR_CNT_LOOP_DEVICES,		/* loop.c: devices not yet freed */
	CTNR_CNT_LOOP_FILE_REFS,	/* loop.c: backing files held */
	__CTNR_CNT_MAX
};
void ctnr_count_add(enum ctnr_counter c, long v);
long ctnr_count_read(enum ctnr_counter c);
struct dentry *ctnr_debugfs_dir(void);
int ctnr_stats_init(void);
void ctnr_stats_uninit(void);

/* container.c: the registry. */
int ctnr_container_init(void);
void ctnr_container_uninit(void);
struct ctnr_container *ctnr_container_create(const char *name,
					     struct task_struct *task, u32 flags,
					     struct netlink_ext_ack *extack);
int ctnr_container_delete(struct ctnr_container *c);
int ctnr_container_set_flags(struct ctnr_container *c, u32 flags);
struct ctnr_container *ctnr_lookup(u32 id, const char *name);

/*
 * A walk over the containers a task may see, without visiting the others:
 * all of them for the initial namespace's admin, else one charge node's
 * index (container.c).  Started in the task's context; ctnr_walk_next()
 * returns the first container with an id >= *id, with a reference.
 */
struct ctnr_walk {
	struct ctnr_owner *o;	/* counted; NULL: all, or none if !all */
	bool all;
};
void ctnr_walk_start(struct ctnr_walk *w);
void ctnr_walk_end(struct ctnr_walk *w);
struct ctnr_container *ctnr_walk_next(const struct ctnr_walk *w,
				      unsigned long *id);
struct ctnr_container *ctnr_find_by_cgroup_rcu(struct cgroup *cgrp);
struct list_head *ctnr_on_cgroup_rcu(struct cgroup *cgrp);
struct ctnr_container *ctnr_find_by_task(struct task_struct *task);
bool ctnr_may_manage(const struct ctnr_container *c, const struct file *file);
void ctnr_pid_exited(struct pid *pid);
unsigned int ctnr_count_visible(void);
int ctnr_charge(struct ctnr_container *c, enum ctnr_res res,
		struct netlink_ext_ack *extack);
void ctnr_uncharge(struct ctnr_container *c, enum ctnr_res res);
void ctnr_get(struct ctnr_container *c);
void ctnr_put(struct ctnr_container *c);
struct ctnr_container *ctnr_husk_get(struct ctnr_container *c);
void ctnr_husk_put(struct ctnr_container *c);
struct pid_namespace;
struct cgroup_namespace;
u32 ctnr_init_pid_nr(const struct ctnr_container *c,
		     struct pid_namespace *ns);
int ctnr_cgroup_path(const struct ctnr_container *c, char *buf, size_t len,
		     struct cgroup_namespace *ns);
int ctnr_name_valid(const char *name, struct netlink_ext_ack *extack);

/* nsfd.c: namespace capture and nsfs fd hand-out. */
int ctnr_nsfd_init(void);
void ctnr_nsfd_uninit(void);
int ctnr_ns_capture(struct ctnr_container *c, struct task_struct *task);
void ctnr_ns_release(struct ctnr_container *c, bool user);
unsigned int ctnr_ns_inum(const struct ctnr_container *c, int type);
u32 ctnr_ns_mask(const struct ctnr_container *c);
long ctnr_ioc_ns_fds(struct file *file, void __user *arg);
extern const u32 ctnr_ns_clone_flag[__CTNR_NS_MAX];

void ctnr_container_quiesce(void);

/* exit.c: init exit tracking. */
int ctnr_exit_init(void);
void ctnr_exit_uninit(void);
bool ctnr_exit_tracking(void);

/*
 * genl.c: the netlink family.  The handlers of its commands are declared
 * in genl-gen.h, which ynl-gen writes from the spec.
 */
int ctnr_genl_init(void);
void ctnr_genl_uninit(void);
void ctnr_genl_notify(const struct ctnr_container *c, u32 event);
void ctnr_genl_notify_extra(const struct ctnr_container *c, u32 event,
			    int (*put)(struct sk_buff *skb, const void *arg),
			    const void *arg);
void ctnr_genl_notify_module(u32 event,
			     int (*put)(struct sk_buff *skb, const void *arg),
			     const void *arg);
struct ctnr_container *ctnr_nl_lookup(struct sk_buff *skb,
				      struct genl_info *info);
void *ctnr_genl_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		    u8 cmd);

/*
 * devaccess.c: device access rules and their enforcement hook.
 * ctnr_dev_unlink() is called by ctnr_unlink() with ctnr_lock held,
 * ctnr_dev_release() by the last ctnr_put().  ctnr_dev_may_release() says
 * whether a policy imposed from above the owner lets the container go;
 * it may be called with ctnr_lock held.
 */
struct ctnr_dev;
enum ctnr_dev_release {
	CTNR_DEV_RELEASE_DELETE,	/* CONTAINER_DEL */
	CTNR_DEV_RELEASE_AUTOREMOVE,	/* CONTAINER_SET of CTNR_F_AUTOREMOVE */
	CTNR_DEV_RELEASE_EXIT,		/* autoremove: the init exited */
};
int ctnr_dev_may_release(struct ctnr_container *c, struct sk_buff *skb,
			 enum ctnr_dev_release how,
			 struct netlink_ext_ack *extack);
int ctnr_devaccess_init(void);
void ctnr_devaccess_uninit(void);
bool ctnr_devaccess_available(void);
void ctnr_dev_unlink(struct ctnr_container *c);
void ctnr_dev_release(struct ctnr_container *c);
bool ctnr_dev_block_granted(const struct ctnr_container *c, dev_t devt);
int ctnr_dev_nl_fill(struct sk_buff *skb, const struct ctnr_container *c);
int ctnr_dev_nl_set_default_check(struct sk_buff *skb, struct genl_info *info,
				  const struct ctnr_container *c);
int ctnr_dev_nl_set_default(struct sk_buff *skb, struct genl_info *info,
			    struct ctnr_container *c);

/* dev.c: /dev/ctnr. */
int ctnr_dev_init(void);
void ctnr_dev_uninit(void);

/*
 * kmsg.c: the per-container log and /dev/ctnr-kmsg.  ctnr_log_emit() adds
 * one record of facility kern to @c's log (the caller holds a reference on
 * @c); it may be called in any context but NMI (it takes a spinlock with
 * interrupts off and never sleeps), with no scheduler lock held; the first
 * record of a container allocates its log, with GFP_NOWAIT: under memory
 * pressure that record is lost, unless a ctnr_log_prepare() in process
 * context made the log first.  @level is a LOGLEVEL_* (0..7,
 * LOGLEVEL_DEFAULT for the default, CTNR_LOGLEVEL_CONT for a continuation
 * record).  A trailing newline is dropped; text beyond what a printk record
 * of the running kernel keeps (991 bytes on 6.1, 1023 since 6.3) is cut.
 */
#define CTNR_LOGLEVEL_CONT	(-2)
struct ctnr_log;
int ctnr_kmsg_init(void);
void ctnr_kmsg_uninit(void);
void ctnr_log_emit(struct ctnr_container *c, int level, const char *fmt, ...)
	__printf(3, 4);
void ctnr_log_prepare(struct ctnr_container *c);
/*
 * ctnr_log_emit() for the kernel's own messages about @c's tasks
 * (kmsgtrace.c): ten lines in five seconds per log, then a note of how
 * many were dropped.
 */
void ctnr_log_kernel(struct ctnr_container *c, int level, const char *fmt,
		     ...) __printf(3, 4);
/* The user namespace @c's log sees uids in: its own, else its owner. */
struct user_namespace *ctnr_log_userns(const struct ctnr_container *c);
/* kmsgtrace.c, called by ctnr_kmsg_init() and ctnr_kmsg_uninit() */
int ctnr_kmsgtrace_init(void);
void ctnr_kmsgtrace_uninit(void);
void ctnr_log_unlink(struct ctnr_container *c);
void ctnr_log_release(struct ctnr_container *c);
int ctnr_log_nl_fill(struct sk_buff *skb, const struct ctnr_container *c);
int ctnr_log_nl_set(struct ctnr_container *c, struct genl_info *info);

/*
 * loop.c: ctnrloop devices.  ctnr_loop_container_gone() is called after a
 * container was unlinked, with no lock held.
 */
int ctnr_loop_init(void);
void ctnr_loop_uninit(void);
void ctnr_loop_container_gone(struct ctnr_container *c);
long ctnr_ioc_loop_attach(struct file *file, void __user *arg);
long ctnr_ioc_loop_detach(struct file *file, void __user *arg);
int ctnr_loop_nl_fill(struct sk_buff *skb, const struct ctnr_container *c);
int ctnr_loop_nl_set_check(struct sk_buff *skb, struct genl_info *info,
			   const struct ctnr_container *c);
int ctnr_loop_nl_set(struct sk_buff *skb, struct genl_info *info,
		     struct ctnr_container *c);
bool ctnr_loop_owned_rcu(dev_t devt, const struct ctnr_container *c);

/*
 * procview.c: the /proc views file system.  Nothing else calls into it;
 * mounts and open files pin the module.
 */
int ctnr_procview_init(void);
void ctnr_procview_uninit(void);

/* main.c: module parameters and identity. */
extern unsigned int ctnr_max_containers;
extern unsigned int ctnr_max_user_containers;
extern unsigned int ctnr_max_ns_containers;
extern unsigned int ctnr_max_user_loops;
extern unsigned int ctnr_max_ns_loops;
extern unsigned int ctnr_log_size;
extern unsigned int ctnr_log_rate;
extern unsigned int ctnr_log_burst;
u64 ctnr_features(void);
extern const char ctnr_version[];

#endif /* _CTNR_H */
