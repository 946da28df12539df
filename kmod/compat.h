/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctnr: every difference between the kernels ctnr builds for lives here.
 * Kbuild probes the kernel tree and defines CTNR_KERNEL_* macros; the rest
 * of the module tests the feature macros and helpers below, never version
 * numbers.
 */
#ifndef _CTNR_COMPAT_H
#define _CTNR_COMPAT_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/version.h>

/* Dump attributes parsed by genetlink: genl_info_dump() since 6.2. */
#ifdef CTNR_KERNEL_GENL_INFO_DUMP
#define ctnr_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#else
#define ctnr_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

/*
 * The range tables of NLA_POLICY_FULL_RANGE(), which ynl-gen writes into
 * genl-gen.c as static const, are pointed to by a const pointer in struct
 * nla_policy on 6.12 and 7.2 (CTNR_KERNEL_NLA_RANGE_CONST), by a plain
 * one on 6.1: there the macro casts the qualifier away.  genetlink only
 * reads the tables.
 */
#ifndef CTNR_KERNEL_NLA_RANGE_CONST
#include <net/netlink.h>
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}
#endif

/*
 * sched_process_exit gained a group_dead argument: the exit of the last
 * thread of a process.  Before, the probe reads signal->live, which
 * do_exit() dropped before the tracepoint (the same test it makes).
 */
#ifdef CTNR_KERNEL_EXIT_TP_GROUP_DEAD
#define CTNR_EXIT_PROBE_ARGS void *data, struct task_struct *p, bool group_dead
#define ctnr_exit_group_dead(p) (group_dead)
#else
#define CTNR_EXIT_PROBE_ARGS void *data, struct task_struct *p
#define ctnr_exit_group_dead(p) (!atomic_read(&(p)->signal->live))
#endif

/*
 * ns_common reference count: "count" (6.1, 6.12), later "__ns_ref", with
 * __ns_ref_inc() (7.2), which leaves the initial namespaces' count alone as
 * their put does.  nsfd.c increments it directly only for the mount
 * namespace, which has no exported get; every other type is taken with its
 * own get (get_net(), get_pid_ns(), ...), which matches its put on every
 * kernel.  ctnr_ns_ref_read() is for the debugfs view (stats.c).
 */
#if defined(CTNR_KERNEL_NS_REF_INC)
#define ctnr_ns_ref_inc(ns) __ns_ref_inc(ns)
#elif defined(CTNR_KERNEL_NS_REF)
#define ctnr_ns_ref_inc(ns) refcount_inc(&(ns)->__ns_ref)
#else
#define ctnr_ns_ref_inc(ns) refcount_inc(&(ns)->count)
#endif
#if defined(CTNR_KERNEL_NS_REF)
#define ctnr_ns_ref_read(ns) refcount_read(&(ns)->__ns_ref)
#else
#define ctnr_ns_ref_read(ns) refcount_read(&(ns)->count)
#endif

/*
 * Where a namespace's CLONE_NEW* type is kept: struct proc_ns_operations
 * .type (6.1, 6.12) until it moved to struct ns_common .ns_type (7.2).
 */
#ifdef CTNR_KERNEL_NS_TYPE
#define ctnr_ns_type_ptr(ns, ops) ((const int *)&(ns)->ns_type)
#else
#define ctnr_ns_type_ptr(ns, ops) ((const int *)&(ops)->type)
#endif

/*
 * inode_permission() took the mount's user namespace until 6.3 made it
 * an idmapping (CTNR_KERNEL_MNT_IDMAP); both are the identity here, as
 * cgroup_may_write() uses for cgroup.procs.
 */
#ifdef CTNR_KERNEL_MNT_IDMAP
#define ctnr_inode_permission(inode, mask) \
	inode_permission(&nop_mnt_idmap, inode, mask)
#else
#define ctnr_inode_permission(inode, mask) \
	inode_permission(&init_user_ns, inode, mask)
#endif

/*
 * The struct pid of a pidfd, or NULL when @f is not one.  Before pidfs
 * (6.9) a pidfd is an anon-inode file named "[pidfd]" with the pid in
 * ->private_data; on pidfs (PID_FS_MAGIC) the inode holds it in
 * ->i_private.  The file's reference keeps the pid alive.
 */
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/string.h>
static inline struct pid *ctnr_pidfd_pid(struct file *f)
{
	struct super_block *sb = file_inode(f)->i_sb;

#ifdef PID_FS_MAGIC
	if (sb->s_magic == PID_FS_MAGIC)
		return file_inode(f)->i_private;
#endif
	if (sb->s_magic == ANON_INODE_FS_MAGIC &&
	    !strcmp(f->f_path.dentry->d_name.name, "[pidfd]"))
		return f->private_data;
	return NULL;
}

/*
 * Block drivers (loop.c).  6.5 made block_device_operations ->open take
 * the gendisk and a blk_mode_t and dropped ->release's mode
 * (CTNR_KERNEL_BDOPS_GENDISK).  6.9 passes the queue limits to
 * blk_mq_alloc_disk(), and 6.11 moved the write cache and rotational flags
 * into them as BLK_FEAT_* (CTNR_KERNEL_BLK_LIMITS_ALLOC, which needs
 * both, so 6.9 and 6.10 are not supported); before, drivers set them on
 * the queue after allocating it.
 * call_read_iter()/call_write_iter() are gone in 6.10: loop.c calls
 * ->read_iter()/->write_iter() itself, which works everywhere.
 */

/* blk_mq_ops ->init_request() takes the NUMA node as an int (by 7.2). */
#ifdef CTNR_KERNEL_INIT_REQUEST_INT_NODE
#define ctnr_numa_node_t int
#else
#define ctnr_numa_node_t unsigned int
#endif

/* bdev_nonrot() became bdev_rot() (by 7.2). */
#ifdef CTNR_KERNEL_BDEV_ROT
#define ctnr_bdev_rot(bdev) bdev_rot(bdev)
#else
#define ctnr_bdev_rot(bdev) (!bdev_nonrot(bdev))
#endif

/* Merging is the default, and its flag gone, since 6.14. */
#ifdef CTNR_KERNEL_MQ_SHOULD_MERGE
#define CTNR_BLK_MQ_F_SHOULD_MERGE BLK_MQ_F_SHOULD_MERGE
#else
#define CTNR_BLK_MQ_F_SHOULD_MERGE 0
#endif

/*
 * A child of @base by name, without permission checks (loop.c, in its
 * private devtmpfs mount): lookup_positive_unlocked() took the name and its
 * length until 6.16 renamed it and made it take a qstr.
 */
#ifdef CTNR_KERNEL_LOOKUP_NOPERM
#define ctnr_lookup_positive(name, base) \
	lookup_noperm_positive_unlocked(&QSTR(name), base)
#else
#define ctnr_lookup_positive(name, base) \
	lookup_positive_unlocked(name, base, strlen(name))
#endif

/*
 * Freeze protection of a buffered write through vfs_iter_write() (loop.c):
 * until 6.8 the caller took it (file_start_write()); 6.8 moved it into
 * vfs_iter_write() ("fs: move file_start_write() into vfs_iter_write()"),
 * and taking it around the call as well would nest it, which deadlocks
 * against a freeze that starts in between.  The same series added
 * file_write_not_started() to linux/fs.h: that is what Kbuild probes.
 */
#ifdef CTNR_KERNEL_ITER_WRITE_FREEZE
#define ctnr_iter_write_start(file)	do { } while (0)
#define ctnr_iter_write_end(file)	do { } while (0)
#else
#define ctnr_iter_write_start(file)	file_start_write(file)
#define ctnr_iter_write_end(file)	file_end_write(file)
#endif

/*
 * PF_LOCAL_THROTTLE (loop.c's workers, as the kernel's loop driver sets
 * it): where a kernel drops the flag, nothing replaces it.
 */
#include <linux/sched.h>
#ifdef PF_LOCAL_THROTTLE
#define CTNR_PF_LOCAL_THROTTLE PF_LOCAL_THROTTLE
#else
#define CTNR_PF_LOCAL_THROTTLE 0
#endif

/*
 * The limits of /dev/kmsg (kmsg.c).  Until 6.3, devkmsg_write() took at
 * most LOG_LINE_MAX = 1024 - PREFIX_MAX bytes (PREFIX_MAX 32, 48 with
 * CONFIG_PRINTK_CALLER) and devkmsg_read() formatted a record into
 * CONSOLE_EXT_LOG_MAX (8192) bytes.  6.3 ("printk: adjust string limit
 * macros") made them PRINTKRB_RECORD_MAX (1024) and PRINTK_MESSAGE_MAX
 * (2048), in kernel/printk/internal.h, and took CONSOLE_EXT_LOG_MAX out of
 * linux/printk.h: that is what Kbuild probes.  Either way a record keeps
 * one byte less than the write limit.
 */
#ifdef CTNR_KERNEL_CONSOLE_EXT_LOG_MAX
#define CTNR_KMSG_WRITE_MAX	(1024 - (IS_ENABLED(CONFIG_PRINTK_CALLER) ? 48 : 32))
#define CTNR_KMSG_READ_MAX	CONSOLE_EXT_LOG_MAX
#define CTNR_KMSG_SYSLOG_MAX	1024	/* CONSOLE_LOG_MAX, syslog_print() */
#else
#define CTNR_KMSG_WRITE_MAX	1024
#define CTNR_KMSG_READ_MAX	2048
#define CTNR_KMSG_SYSLOG_MAX	2048	/* PRINTK_MESSAGE_MAX */
#endif

/* notify_change() takes a struct mnt_idmap since 6.3, a userns before. */
#ifdef CTNR_KERNEL_MNT_IDMAP
#define CTNR_NOP_IDMAP		(&nop_mnt_idmap)
#else
#define CTNR_NOP_IDMAP		(&init_user_ns)
#endif

/*
 * The /proc views (procview.c).  A file system made by simple_fill_super()
 * went down with kill_litter_super() until 6.18 made its dentries
 * persistent (d_make_persistent()) and dropped kill_litter_super():
 * kill_anon_super() then releases them.  struct cgroup_namespace and its
 * get/put moved from linux/cgroup.h to linux/cgroup_namespace.h by 7.2
 * (CTNR_KERNEL_CGROUP_NS_HEADER, probed by Kbuild).
 */
#ifdef CTNR_KERNEL_KILL_LITTER_SUPER
#define ctnr_kill_simple_super(sb)	kill_litter_super(sb)
#else
#define ctnr_kill_simple_super(sb)	kill_anon_super(sb)
#endif

#endif /* _CTNR_COMPAT_H */
