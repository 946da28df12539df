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

/* sched_process_exit gained a group_dead argument. */
#ifdef CTNR_KERNEL_EXIT_TP_GROUP_DEAD
#define CTNR_EXIT_PROBE_ARGS void *data, struct task_struct *p, bool group_dead
#else
#define CTNR_EXIT_PROBE_ARGS void *data, struct task_struct *p
#endif

/* ns_common reference count. */
#ifdef CTNR_KERNEL_NS_REF
#define ctnr_ns_ref_inc(ns) refcount_inc(&(ns)->__ns_ref)
#else
#define ctnr_ns_ref_inc(ns) refcount_inc(&(ns)->count)
#endif

/*
 * struct mnt_namespace starts with its ns_common unless struct layout
 * randomisation shuffles it.  nsfd.c still checks at run time.
 */
#ifndef CONFIG_RANDSTRUCT
#define CTNR_MNTNS_NS_FIRST
#endif

/*
 * pidfds: anon-inode files named "[pidfd]" before pidfs (6.9), files of
 * pidfs after; both keep the struct pid in private_data.
 */
#ifdef CTNR_KERNEL_PIDFS
#include <linux/magic.h>
#define ctnr_file_is_pidfd(f) \
	(file_inode(f)->i_sb->s_magic == PID_FS_MAGIC)
#else
#include <linux/magic.h>
#define ctnr_file_is_pidfd(f) \
	(file_inode(f)->i_sb->s_magic == ANON_INODE_FS_MAGIC && \
	 !strcmp((f)->f_path.dentry->d_name.name, "[pidfd]"))
#endif

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

#endif /* _CTNR_COMPAT_H */
