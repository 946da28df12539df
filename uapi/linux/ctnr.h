/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ctnr: container management interface.
 *
 * This is the only place where ABI numbers of ctnr are defined.  The module,
 * libctnr, ctnrctl and the selftests all include it.  Its generic netlink
 * part, between the YNL-GEN markers below, is generated from
 * Documentation/netlink/specs/ctnr.yaml, the source of that ABI; the
 * ioctls and their structs are written by hand.
 *
 * Control plane: generic netlink family "ctnr" (CTNR_GENL_NAME), version
 * CTNR_GENL_VERSION, one flat attribute space (enum ctnr_attr) and a
 * per-command strict policy: an attribute a command does not list is
 * rejected with an extended-ack message.
 *
 * CTNR_CMD_INFO                       anyone
 *   request:  (none)
 *   reply:    CTNR_A_VERSION          string, module version
 *             CTNR_A_ABI_VERSION      u32, CTNR_ABI_VERSION of the module
 *             CTNR_A_FEATURES         u64, CTNR_FEAT_* bits
 *             CTNR_A_COUNT            u32, containers visible to the caller
 *             CTNR_A_HOOK             nest of CTNR_HOOK_A_*, once per hook
 *                                     (a diverted kernel function, e.g.
 *                                     "devaccess"): name, enum
 *                                     ctnr_hook_state, probe mode
 *                                     ("ftrace", "int3"), calls missed,
 *                                     and why it does not enforce
 *
 * CTNR_CMD_CONTAINER_NEW              CAP_SYS_ADMIN in the caller's userns
 *   request:  CTNR_A_NAME             string, 1..63 of [A-Za-z0-9_.-]
 *             CTNR_A_PID | CTNR_A_PIDFD
 *                                     the source task: a pid in the caller's
 *                                     pid namespace, or a pidfd
 *             [CTNR_A_FLAGS]          u32, CTNR_F_* bits
 *   reply:    a container (see CTNR_CMD_CONTAINER_GET)
 *
 * The owner of a container is the user namespace of the task that
 * registered it (not the source task's).  A container named by CTNR_A_NAME
 * is looked up among those owned by the caller's user namespace; an
 * ancestor's administrator names the others by CTNR_A_ID.  Containers the
 * caller may not manage do not exist for it (-ENOENT).
 *
 * CTNR_CMD_CONTAINER_DEL              CAP_SYS_ADMIN over the owner userns
 *   request:  CTNR_A_ID | CTNR_A_NAME
 *
 * CTNR_CMD_CONTAINER_GET              CAP_SYS_ADMIN over the owner userns
 *   request:  doit: CTNR_A_ID | CTNR_A_NAME; dump: (none), lists every
 *             container the caller may see
 *   reply:    CTNR_A_ID               u32
 *             CTNR_A_NAME             string
 *             CTNR_A_STATE            u32, enum ctnr_state
 *             CTNR_A_FLAGS            u32, CTNR_F_* bits
 *             CTNR_A_PID              u32, init pid in the caller's pid
 *                                     namespace, 0 if not visible or gone
 *             CTNR_A_OWNER_UID        u32, owner of the owner userns, as
 *                                     seen from the caller's userns
 *             CTNR_A_CTIME            u64, creation, ns since the epoch
 *             CTNR_A_CGROUP           string, cgroup v2 path relative to
 *                                     the caller's cgroup namespace
 *             CTNR_A_NS               nest of CTNR_NS_A_*: u32 inode
 *                                     numbers of the pinned namespaces
 *             CTNR_A_NS_MASK          u32, CLONE_NEW* bits pinned
 *             CTNR_A_OWNER_LEVEL      u32, depth of the owner userns
 *             CTNR_A_LOG_SIZE         u32, log buffer bytes
 *             CTNR_A_LOG_DROPPED      u64, writes to /dev/ctnr-kmsg
 *                                     dropped by the rate limit
 *
 * CTNR_CMD_CONTAINER_SET              CAP_SYS_ADMIN over the owner userns
 *   request:  CTNR_A_ID | CTNR_A_NAME
 *             [CTNR_A_FLAGS]          new CTNR_F_* bits
 *
 * CTNR_CMD_CONTAINER_SET also takes, each with its own permission:
 *             [CTNR_A_DEV_DEFAULT]    u32, enum ctnr_dev_default (admin
 *                                     over the owner's parent userns)
 *             [CTNR_A_LOG_SIZE]       u32, log buffer bytes (owner admin)
 *             [CTNR_A_LOOP_QUOTA]     u32, most ctnrloop devices (admin
 *                                     over the owner's parent userns)
 *
 * Device rules have the semantics of one cgroup of the v1 devices
 * controller: a default and at most one exception per (type b|c, major,
 * minor), whose access bits merge when added and are subtracted when
 * removed.  Changing them needs admin over the owner's parent userns, and
 * while a policy is in force also over the user namespace that imposed it.
 *
 * CTNR_CMD_DEV_RULE_ADD, CTNR_CMD_DEV_RULE_DEL   edit one exception
 *   request:  CTNR_A_ID | CTNR_A_NAME
 *             CTNR_A_DEV_TYPE         u32, CTNR_DEV_TYPE_BLOCK or _CHAR
 *             CTNR_A_DEV_MAJOR        u32, or CTNR_DEV_ANY
 *             CTNR_A_DEV_MINOR        u32, or CTNR_DEV_ANY
 *             CTNR_A_DEV_ACCESS       u32, CTNR_DEV_ACC_* bits, not 0
 *   major 0..4095, minor 0..1048575 (or CTNR_DEV_ANY).  ADD merges the
 *   access bits into the exception of (type, major, minor), creating it;
 *   DEL removes them from it, and the exception when none are left
 *   (-ENOENT when there is no exception of that key).  Type a is -EINVAL:
 *   in v1 it is no exception but the reset.  More than CTNR_DEV_RULES_MAX
 *   exceptions is -ENOSPC, a policy on a container of the root cgroup
 *   -EINVAL, a hook that does not divert calls -EOPNOTSUPP.
 *   Setting CTNR_A_DEV_DEFAULT removes every exception, as writing "a" to
 *   devices.allow/deny does in cgroup v1.
 * CTNR_CMD_DEV_ALLOW, CTNR_CMD_DEV_DENY         as writing the rule to
 *                                     devices.allow / devices.deny in v1
 *   request:  as DEV_RULE_ADD; type CTNR_DEV_TYPE_ALL ("a", the other
 *             fields optional and ignored) sets the default to allow /
 *             deny and removes every exception; any other rule is added
 *             (as DEV_RULE_ADD) when the default is the opposite of the
 *             file, its bits removed (as DEV_RULE_DEL, nothing to remove
 *             is no error) when it is the same.
 * CTNR_CMD_DEV_POLICY_SET             a whole policy at once
 *   request:  CTNR_A_ID | CTNR_A_NAME
 *             CTNR_A_DEV_DEFAULT      u32, enum ctnr_dev_default
 *             [CTNR_A_DEV_RULE]...    up to CTNR_DEV_RULES_MAX times, one
 *                                     exception each: a nest of
 *                                     CTNR_A_DEV_TYPE (b or c), _MAJOR,
 *                                     _MINOR, _ACCESS; the same device twice
 *                                     merges.  Repeated at the top level:
 *                                     4096 of them do not fit in one nest
 *   Everything is checked before anything applies; the old policy is
 *   replaced in one step, so a running container never sees a state in
 *   between.  Errors as DEV_RULE_ADD.
 * CTNR_CMD_DEV_RULE_GET               dump, CAP_SYS_ADMIN over the owner
 *   request:  CTNR_A_ID | CTNR_A_NAME
 *   reply:    one message per rule, in order: CTNR_A_ID, CTNR_A_DEV_INDEX
 *             (u32 position), CTNR_A_DEV_TYPE, _MAJOR, _MINOR, _ACCESS;
 *             the container's default comes as CTNR_A_DEV_DEFAULT in
 *             CTNR_CMD_CONTAINER_GET
 *
 * CTNR_CMD_LOG_GET                    dump, CAP_SYSLOG in the container's
 *                                     user namespace
 *   request:  CTNR_A_ID | CTNR_A_NAME, [CTNR_A_LOG_SEQ] first sequence
 *   reply:    one message per record: CTNR_A_ID, CTNR_A_LOG_SEQ (u64),
 *             CTNR_A_LOG_TS (u64, us since boot), CTNR_A_LOG_FACILITY,
 *             CTNR_A_LOG_LEVEL, CTNR_A_LOG_FLAGS (u32, CTNR_LOG_F_*),
 *             CTNR_A_LOG_TEXT (binary, no NUL); without CTNR_A_LOG_SEQ
 *             from the first record after the last LOG_CLEAR, records
 *             already overwritten are skipped
 * CTNR_CMD_LOG_CLEAR                  CAP_SYSLOG in the container's userns
 *   request:  CTNR_A_ID | CTNR_A_NAME; like SYSLOG_ACTION_CLEAR, records
 *             stay until overwritten, /dev/ctnr-kmsg SEEK_DATA and
 *             LOG_GET without CTNR_A_LOG_SEQ start after them
 *
 * CTNR_CMD_LOOP_GET                   dump, CAP_SYS_ADMIN over the owner
 *   request:  [CTNR_A_ID | CTNR_A_NAME] only that container's devices
 *   reply:    one message per device: CTNR_A_ID, CTNR_A_NAME,
 *             CTNR_A_LOOP_INDEX, CTNR_A_LOOP_PATH, CTNR_A_LOOP_OFFSET,
 *             CTNR_A_LOOP_SIZE (bytes), CTNR_A_LOOP_FLAGS,
 *             CTNR_A_LOOP_BLOCK_SIZE, CTNR_A_LOOP_RBYTES, CTNR_A_LOOP_WBYTES
 *
 * CTNR_CMD_EVENT                      multicast on CTNR_GENL_MCGRP_EVENTS,
 *                                     initial network namespace only;
 *                                     joining needs CAP_SYS_ADMIN there.
 *                                     An AUTOREMOVE container sends
 *                                     CONTAINER_STOPPED, then CONTAINER_DEL
 *             CTNR_A_EVENT            u32, enum ctnr_event
 *             CTNR_A_ID, CTNR_A_NAME, CTNR_A_STATE, ... of the container
 *             DEV_DENIED adds CTNR_A_DEV_TYPE/_MAJOR/_MINOR/_ACCESS,
 *             CTNR_A_TASK_PID, CTNR_A_TASK_COMM; LOG_DROPPED adds
 *             CTNR_A_LOG_DROPPED; LOOP_* add CTNR_A_LOOP_INDEX.
 *             HOOK is about the module, not a container: only
 *             CTNR_A_EVENT and the CTNR_A_HOOK nest of a hook whose
 *             verification failed or passed again.
 *
 * Data plane: ioctls on /dev/ctnr, only for operations that install file
 * descriptors into the caller or take one from it.  Every struct starts with
 * a size field that must equal sizeof(struct) of this header's version;
 * any other size, unknown flag bits or non-zero padding give -EINVAL.  A
 * later, larger version of a struct comes with a new ioctl number.
 */
#ifndef _UAPI_LINUX_CTNR_H
#define _UAPI_LINUX_CTNR_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * The generic netlink ABI: made from Documentation/netlink/specs/ctnr.yaml
 * by the kernel's ynl-gen (tools/net/ynl/ynl-gen-c.py --mode uapi), through
 * scripts/ynl.sh.  Do not edit between the markers: change the spec and
 * run `make regen`; `make regen-check` fails when this is not what the
 * spec gives.
 */
/* YNL-GEN BEGIN ctnr.yaml */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/ctnr.yaml */
/* YNL-GEN uapi header */

#define CTNR_GENL_NAME		"ctnr"
#define CTNR_GENL_VERSION	1

#define CTNR_NAME_MAX		64
#define CTNR_DEV_ANY		4294967295
#define CTNR_DEV_RULES_MAX	4096
#define CTNR_LOG_SIZE_MIN	4096
#define CTNR_LOG_SIZE_MAX	16777216

/**
 * enum ctnr_ns_type - Namespace types, in the order libctnr enters them (user
 *   first).
 */
enum ctnr_ns_type {
	CTNR_NS_USER,
	CTNR_NS_MNT,
	CTNR_NS_UTS,
	CTNR_NS_IPC,
	CTNR_NS_NET,
	CTNR_NS_PID,
	CTNR_NS_CGROUP,
	CTNR_NS_TIME,

	/* private: */
	__CTNR_NS_MAX,
	CTNR_NS_MAX = (__CTNR_NS_MAX - 1)
};

/**
 * enum ctnr_flags - Container flags (attribute flags).
 * @CTNR_F_AUTOREMOVE: delete the container when its init exits
 */
enum ctnr_flags {
	CTNR_F_AUTOREMOVE = 1,

	/* private: */
	CTNR_F_MASK = 1,
};

/**
 * enum ctnr_state - State of a container.
 * @CTNR_STATE_STOPPED: init exited; the pid namespace is unusable
 */
enum ctnr_state {
	CTNR_STATE_RUNNING,
	CTNR_STATE_STOPPED,
};

/**
 * enum ctnr_event - What an event on the events group is about.
 * @CTNR_EVENT_HOOK: a hook lapsed or enforces again
 */
enum ctnr_event {
	CTNR_EVENT_UNSPEC,
	CTNR_EVENT_CONTAINER_NEW,
	CTNR_EVENT_CONTAINER_DEL,
	CTNR_EVENT_CONTAINER_STOPPED,
	CTNR_EVENT_DEV_DENIED,
	CTNR_EVENT_LOG_DROPPED,
	CTNR_EVENT_LOOP_ATTACHED,
	CTNR_EVENT_LOOP_DETACHED,
	CTNR_EVENT_HOOK,
};

/**
 * enum ctnr_hook_state - State of a hook, a kernel function the module
 *   diverts.
 * @CTNR_HOOK_UNAVAILABLE: cannot be installed on this kernel
 * @CTNR_HOOK_IDLE: verified, disarmed, nothing to enforce
 * @CTNR_HOOK_ENFORCING: armed and verified
 * @CTNR_HOOK_LAPSED: its last check failed: not enforcing, changes that need
 *   it fail with EOPNOTSUPP
 */
enum ctnr_hook_state {
	CTNR_HOOK_UNAVAILABLE,
	CTNR_HOOK_IDLE,
	CTNR_HOOK_ENFORCING,
	CTNR_HOOK_LAPSED,
};

/**
 * enum ctnr_dev_default - Default of a device policy (cgroup v1 devices
 *   semantics).
 * @CTNR_DEV_ALLOW: no rules, everything allowed
 */
enum ctnr_dev_default {
	CTNR_DEV_ALLOW,
	CTNR_DEV_DENY,
};

/**
 * enum ctnr_dev_type - Device type of a rule.
 * @CTNR_DEV_TYPE_ALL: "a": DEV_ALLOW and DEV_DENY only, the reset
 * @CTNR_DEV_TYPE_BLOCK: "b"
 * @CTNR_DEV_TYPE_CHAR: "c"
 */
enum ctnr_dev_type {
	CTNR_DEV_TYPE_ALL,
	CTNR_DEV_TYPE_BLOCK,
	CTNR_DEV_TYPE_CHAR,
};

/**
 * enum ctnr_dev_access - Access bits of a device rule.
 * @CTNR_DEV_ACC_READ: "r"
 * @CTNR_DEV_ACC_WRITE: "w"
 * @CTNR_DEV_ACC_MKNOD: "m"
 */
enum ctnr_dev_access {
	CTNR_DEV_ACC_READ = 1,
	CTNR_DEV_ACC_WRITE = 2,
	CTNR_DEV_ACC_MKNOD = 4,

	/* private: */
	CTNR_DEV_ACC_MASK = 7,
};

/**
 * enum ctnr_feature - What this module build offers (attribute features).
 * @CTNR_FEAT_CONTAINER: the registry, CTNR_IOC_NS_FDS, CTNR_IOC_WHOAMI
 * @CTNR_FEAT_EXIT_TRACK: init exit observed
 * @CTNR_FEAT_DEVACCESS: device hook verified
 * @CTNR_FEAT_KMSG: /dev/ctnr-kmsg
 * @CTNR_FEAT_LOOP: ctnrloop
 */
enum ctnr_feature {
	CTNR_FEAT_CONTAINER = 1,
	CTNR_FEAT_EXIT_TRACK = 2,
	CTNR_FEAT_DEVACCESS = 4,
	CTNR_FEAT_KMSG = 8,
	CTNR_FEAT_LOOP = 16,
};

/**
 * enum ctnr_log_flags - Flags of a log record.
 * @CTNR_LOG_F_CONT: continuation record
 */
enum ctnr_log_flags {
	CTNR_LOG_F_CONT = 1,
};

/**
 * enum ctnr_loop_flags - Flags of a ctnrloop device: CTNR_IOC_LOOP_ATTACH
 *   takes those of CTNR_LOOP_F_ALL, LOOP_GET reports them and
 *   CTNR_LOOP_F_DETACHING.
 * @CTNR_LOOP_F_OPEN: attach, also return an fd
 * @CTNR_LOOP_F_NOCLOEXEC: with open, not O_CLOEXEC
 */
enum ctnr_loop_flags {
	CTNR_LOOP_F_READ_ONLY = 1,
	CTNR_LOOP_F_DIRECT_IO = 2,
	CTNR_LOOP_F_OPEN = 4,
	CTNR_LOOP_F_NOCLOEXEC = 8,
};

#define CTNR_LOOP_F_DETACHING	256

enum ctnr_attr {
	CTNR_A_UNSPEC,
	CTNR_A_PAD,
	CTNR_A_VERSION,
	CTNR_A_ABI_VERSION,
	CTNR_A_FEATURES,
	CTNR_A_COUNT,
	CTNR_A_ID,
	CTNR_A_NAME,
	CTNR_A_PID,
	CTNR_A_PIDFD,
	CTNR_A_FLAGS,
	CTNR_A_STATE,
	CTNR_A_OWNER_UID,
	CTNR_A_CTIME,
	CTNR_A_CGROUP,
	CTNR_A_NS,
	CTNR_A_NS_MASK,
	CTNR_A_EVENT,
	CTNR_A_OWNER_LEVEL,
	CTNR_A_DEV_DEFAULT,
	CTNR_A_DEV_INDEX,
	CTNR_A_DEV_TYPE,
	CTNR_A_DEV_MAJOR,
	CTNR_A_DEV_MINOR,
	CTNR_A_DEV_ACCESS,
	CTNR_A_DEV_COUNT,
	CTNR_A_TASK_PID,
	CTNR_A_TASK_COMM,
	CTNR_A_LOG_SIZE,
	CTNR_A_LOG_SEQ,
	CTNR_A_LOG_TS,
	CTNR_A_LOG_FACILITY,
	CTNR_A_LOG_LEVEL,
	CTNR_A_LOG_FLAGS,
	CTNR_A_LOG_TEXT,
	CTNR_A_LOG_DROPPED,
	CTNR_A_LOOP_QUOTA,
	CTNR_A_LOOP_COUNT,
	CTNR_A_LOOP_INDEX,
	CTNR_A_LOOP_PATH,
	CTNR_A_LOOP_OFFSET,
	CTNR_A_LOOP_SIZE,
	CTNR_A_LOOP_FLAGS,
	CTNR_A_LOOP_BLOCK_SIZE,
	CTNR_A_LOOP_RBYTES,
	CTNR_A_LOOP_WBYTES,
	CTNR_A_HOOK,
	CTNR_A_DEV_RULE,

	__CTNR_A_MAX
};
#define CTNR_A_MAX (__CTNR_A_MAX - 1)

enum ctnr_hook_attr {
	CTNR_HOOK_A_UNSPEC,
	CTNR_HOOK_A_PAD,
	CTNR_HOOK_A_NAME,
	CTNR_HOOK_A_STATE,
	CTNR_HOOK_A_MODE,
	CTNR_HOOK_A_MISSED,
	CTNR_HOOK_A_REASON,

	__CTNR_HOOK_A_MAX
};
#define CTNR_HOOK_A_MAX (__CTNR_HOOK_A_MAX - 1)

enum ctnr_ns_attr {
	CTNR_NS_A_UNSPEC,
	CTNR_NS_A_USER,
	CTNR_NS_A_MNT,
	CTNR_NS_A_UTS,
	CTNR_NS_A_IPC,
	CTNR_NS_A_NET,
	CTNR_NS_A_PID,
	CTNR_NS_A_CGROUP,
	CTNR_NS_A_TIME,

	__CTNR_NS_A_MAX
};
#define CTNR_NS_A_MAX (__CTNR_NS_A_MAX - 1)

enum ctnr_cmd {
	CTNR_CMD_UNSPEC,
	CTNR_CMD_INFO,
	CTNR_CMD_CONTAINER_NEW,
	CTNR_CMD_CONTAINER_DEL,
	CTNR_CMD_CONTAINER_GET,
	CTNR_CMD_CONTAINER_SET,
	CTNR_CMD_EVENT,
	CTNR_CMD_DEV_RULE_ADD,
	CTNR_CMD_DEV_RULE_DEL,
	CTNR_CMD_DEV_RULE_GET,
	CTNR_CMD_LOG_GET,
	CTNR_CMD_LOG_CLEAR,
	CTNR_CMD_LOOP_GET,
	CTNR_CMD_DEV_ALLOW,
	CTNR_CMD_DEV_DENY,
	CTNR_CMD_DEV_POLICY_SET,

	__CTNR_CMD_MAX
};
#define CTNR_CMD_MAX (__CTNR_CMD_MAX - 1)

#define CTNR_GENL_MCGRP_EVENTS	"events"
/* YNL-GEN END ctnr.yaml */

/* Bumped on any incompatible change; new attributes do not bump it. */
#define CTNR_ABI_VERSION	1

#define CTNR_DEVICE_NAME	"ctnr"		/* /dev/ctnr */
#define CTNR_VERSION_LEN	32		/* including the NUL */

/* CTNR_A_NS nest: attribute type is CTNR_NS_A_BASE + enum ctnr_ns_type. */
#define CTNR_NS_A_BASE		CTNR_NS_A_USER

/* Syslog namespace: /dev/ctnr-kmsg. */
#define CTNR_KMSG_DEVICE_NAME	"ctnr-kmsg"
/* /proc/kmsg of the reader's container, to bind-mount over /proc/kmsg */
#define CTNR_PROCKMSG_DEVICE_NAME	"ctnr-prockmsg"

/*
 * /proc views: a file system of that name (statfs f_type below) whose files
 * are bind-mounted over /proc/meminfo and friends in a container.
 */
#define CTNR_PROCVIEW_FS_NAME	"ctnrproc"
#define CTNR_PROCVIEW_MAGIC	0x63747076	/* "ctpv" */

/* Loop devices: /dev/ctnrloopN; CTNR_IOC_LOOP_ATTACH takes these flags. */
#define CTNR_LOOP_F_ALL		(CTNR_LOOP_F_READ_ONLY | \
				 CTNR_LOOP_F_DIRECT_IO | CTNR_LOOP_F_OPEN | \
				 CTNR_LOOP_F_NOCLOEXEC)
#define CTNR_LOOP_DETACH_F_LAZY	(1U << 0)	/* detach when last closed */

/* ioctls on /dev/ctnr */
#define CTNR_IOC_MAGIC		0xCE

/* CTNR_IOC_VERSION: what the module is; anyone may ask. */
struct ctnr_ioc_version {
	__u32 size;			/* in: sizeof(struct ctnr_ioc_version) */
	__u32 abi_version;		/* out: CTNR_ABI_VERSION */
	__u64 features;			/* out: CTNR_FEAT_* */
	char version[CTNR_VERSION_LEN];	/* out: module version string */
};

/*
 * CTNR_IOC_NS_FDS: install one O_CLOEXEC nsfs fd per requested namespace of
 * a container into the caller.  Needs CAP_SYS_ADMIN over the container's
 * owner user namespace.  The container is named by id, or by name (resolved
 * among the containers owned by the caller's user namespace) when id is 0.
 * mask must be a non-empty subset of CTNR_NS_FDS_MASK_ALL; with id 0, name
 * must be a valid, NUL-terminated name, and with an id it must be all zero
 * (else -EINVAL).
 * On success, fds[CTNR_NS_*] holds an fd for each type in mask and -1 for
 * the others.  Asking for a namespace the container did not pin gives
 * -ENOENT; asking for the pid namespace of a stopped container gives -ESRCH.
 * On error the fds installed so far are closed again; another thread of
 * the caller may have used them meanwhile.
 */
#define CTNR_NS_FDS_MASK_ALL	0x7e020080U	/* every CLONE_NEW* below */

struct ctnr_ioc_ns_fds {
	__u32 size;			/* in: sizeof(struct ctnr_ioc_ns_fds) */
	__u32 flags;			/* in: must be 0 */
	__u32 id;			/* in: container id, or 0 to use name */
	__u32 mask;			/* in: CLONE_NEW* bits wanted */
	char name[CTNR_NAME_MAX];	/* in: container name when id is 0 */
	__s32 fds[__CTNR_NS_MAX];	/* out: indexed by enum ctnr_ns_type */
	__u32 state;			/* out: enum ctnr_state */
	__u32 pad;			/* must be 0 */
};

/*
 * CTNR_IOC_WHOAMI: the innermost container whose cgroup contains the
 * caller's cgroup v2; containers registered on the root cgroup never match
 * (they would contain the whole host).  -ENOENT when there is none.  Anyone may ask; the name is
 * only filled in when the caller may see the container, else name[0] is 0.
 */
struct ctnr_ioc_whoami {
	__u32 size;			/* in: sizeof(struct ctnr_ioc_whoami) */
	__u32 id;			/* out */
	char name[CTNR_NAME_MAX];	/* out */
};

/*
 * CTNR_IOC_LOOP_ATTACH: attach a regular file as /dev/ctnrloopN of a
 * container.  Needs CAP_SYS_ADMIN in the container's user namespace, write
 * access to the backing file unless CTNR_LOOP_F_READ_ONLY, and room in the
 * container's quota.  With CTNR_LOOP_F_OPEN, fd is an O_CLOEXEC open file
 * of the block device (read-only or read-write as the device is), without
 * O_CLOEXEC if CTNR_LOOP_F_NOCLOEXEC is set too (only with OPEN).
 * Errors: -ENOENT no such (visible) container, -EPERM, -EDQUOT over the
 * container's quota, -ENOSPC every device taken, -EBADF backing_fd not
 * open (for reading, and writing unless read-only), -EISDIR a directory,
 * -EINVAL not a regular file, O_APPEND, bad offset, size or block size,
 * -ETXTBSY a swap file, -EOPNOTSUPP direct I/O impossible on that file.
 */
struct ctnr_ioc_loop_attach {
	__u32 size;			/* in: sizeof(struct) */
	__u32 flags;			/* in: CTNR_LOOP_F_* */
	__u32 id;			/* in: container id, or 0 to use name */
	__s32 backing_fd;		/* in: open regular file */
	char name[CTNR_NAME_MAX];	/* in: container name when id is 0 */
	__u64 offset;			/* in: bytes, multiple of block_size */
	__u64 sizelimit;		/* in: bytes, 0 for up to the end */
	__u32 block_size;		/* in: 512 or 4096; 0 means 512 */
	__u32 index;			/* out: N of /dev/ctnrloopN */
	__s32 fd;			/* out: with CTNR_LOOP_F_OPEN, else -1 */
	__u32 pad;			/* must be 0 */
};

/*
 * CTNR_IOC_LOOP_DETACH: detach /dev/ctnrloopN.  Same permission as attach,
 * over the owning container.  -EBUSY while the device is mounted or open
 * exclusively, unless CTNR_LOOP_DETACH_F_LAZY: then it goes when released.
 * A device open only non-exclusively goes at its last close (as losetup -d
 * does); meanwhile it refuses new opens and LOOP_GET reports it with
 * CTNR_LOOP_F_DETACHING.  -ENOENT no such device, -EPERM not a device of a
 * container the caller administers, -EALREADY already detaching.
 */
struct ctnr_ioc_loop_detach {
	__u32 size;			/* in: sizeof(struct) */
	__u32 flags;			/* in: CTNR_LOOP_DETACH_F_* */
	__u32 index;			/* in */
	__u32 pad;			/* must be 0 */
};

#define CTNR_IOC_VERSION	_IOWR(CTNR_IOC_MAGIC, 0x00, struct ctnr_ioc_version)
#define CTNR_IOC_NS_FDS		_IOWR(CTNR_IOC_MAGIC, 0x01, struct ctnr_ioc_ns_fds)
#define CTNR_IOC_WHOAMI		_IOWR(CTNR_IOC_MAGIC, 0x02, struct ctnr_ioc_whoami)
#define CTNR_IOC_LOOP_ATTACH	_IOWR(CTNR_IOC_MAGIC, 0x03, struct ctnr_ioc_loop_attach)
#define CTNR_IOC_LOOP_DETACH	_IOW(CTNR_IOC_MAGIC, 0x04, struct ctnr_ioc_loop_detach)

#endif /* _UAPI_LINUX_CTNR_H */
