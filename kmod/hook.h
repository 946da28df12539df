/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctnr: diverting a kernel function (hook.c, arch_hook.c).
 *
 * The one mechanism by which the module changes what a function of a stock
 * kernel does: device checks (devcgroup_check_permission()), and later
 * syslog(2) and block ioctls.  A user fills in a struct ctnr_hook and
 * registers it at load time; the hook is armed only while the user has
 * something to enforce (ctnr_hook_get() .. ctnr_hook_put()), and it proves
 * that it diverts calls before anything starts to depend on it and every
 * few seconds after (the canary):
 *
 *	static void *my_divert(const unsigned long *args)
 *	{
 *		if (args[0] == MY_CANARY_ARG)
 *			return ctnr_hook_canary;
 *		return refuse(args) ? my_refusal : NULL;
 *	}
 *
 *	static long my_canary_call(void)
 *	{
 *		return the_function(MY_CANARY_ARG, ...);
 *	}
 *
 *	static struct ctnr_hook my_hook = {
 *		.name = "mine", .symbol = "the_function",
 *		.divert = my_divert, .canary_call = my_canary_call,
 *	};
 *
 * my_refusal() has the prototype of the_function() and returns what the
 * caller should see (-EPERM, say).  The canary arguments must be ones that
 * no real caller passes.
 */
#ifndef _CTNR_HOOK_H
#define _CTNR_HOOK_H

#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct sk_buff;
struct netlink_ext_ack;
struct pt_regs;
struct dentry;

/* Integer arguments the divert function is shown. */
#define CTNR_HOOK_ARGS		4

/*
 * What a canary call returns when the hook diverted it: in the error
 * range, but no errno (they end at a few hundred), so a function that
 * really ran never returns it.
 */
#define CTNR_HOOK_CANARY_RET	(-4000L)

/* Why a hook is unavailable or lapsed; CTNR_HOOK_A_REASON says it in words. */
enum ctnr_hook_why {
	CTNR_HOOK_WHY_NONE,
	CTNR_HOOK_WHY_ARCH,		/* no arch_hook.c part */
	CTNR_HOOK_WHY_LTO,		/* Clang LTO may inline the function */
	CTNR_HOOK_WHY_REGISTER,		/* register_kprobe() failed */
	CTNR_HOOK_WHY_ARM,		/* enable_kprobe() failed */
	CTNR_HOOK_WHY_SHARED,		/* another probe was there first */
	CTNR_HOOK_WHY_CANARY,		/* the canary call was not diverted */
};

struct ctnr_hook {
	/* Set by the user, constant. */
	const char *name;		/* debugfs, netlink and log messages */
	const char *symbol;		/* the function diverted */
	/*
	 * Called at the entry of @symbol, in its caller's context (any, but
	 * NMI), with preemption off; must not sleep.  @args are the first
	 * CTNR_HOOK_ARGS integer arguments, untruncated: compare only the
	 * bits of each argument's type.  Returns the function to run
	 * instead of @symbol (same prototype: it returns to @symbol's
	 * caller), ctnr_hook_canary for the canary call, or NULL to let
	 * @symbol run.
	 */
	void *(*divert)(const unsigned long *args);
	/* Calls @symbol with the canary arguments; returns what it got. */
	long (*canary_call)(void);
	/*
	 * Users do not hold the module: for a hook held from load to
	 * unload (syslog), whose replacement pins the module itself while
	 * it may sleep.
	 */
	bool unpinned;

	/* hook.c's.  @lock protects everything below but @live. */
	struct mutex lock;
	struct kprobe kp;
	bool live;			/* handler acts; READ_ONCE there */
	bool closing;			/* unregistering: queue no work */
	bool registered;
	bool enabled;			/* the kprobe: from the first arming on */
	bool armed;			/* @live: users, or a check */
	bool ever_armed;		/* unregistering must wait for tasks */
	bool shared;			/* registered into another's aggregate */
	bool verified;			/* the last check passed */
	enum ctnr_hook_why why;		/* of the last failure */
	long canary_got;		/* what the last failed canary returned */
	unsigned int users;		/* ctnr_hook_get() - ctnr_hook_put() */
	unsigned long checks;		/* canary calls made */
	unsigned long lapses;		/* checks that failed after a good one */
	unsigned long missed_seen;	/* kp.nmissed at the last report */
	atomic_long_t traps;		/* calls that came by a stray int3 */
	unsigned long traps_seen;	/* @traps at the last report */
	struct delayed_work check_work;	/* periodic check */
	struct delayed_work disarm_work;
	struct dentry *debugfs;
	struct list_head node;		/* on ctnr_hooks */
};

/* The function a divert callback returns for the canary call. */
long ctnr_hook_canary(void);

/*
 * At module load, before anything uses @h: register the kprobe disarmed
 * and verify it once (arm, canary, disarm).  0 when the hook works;
 * otherwise a negative errno, the reason is logged and kept, and every
 * ctnr_hook_get() fails with -EOPNOTSUPP.  Either way
 * ctnr_hook_unregister() must be called at unload.
 */
int ctnr_hook_register(struct ctnr_hook *h);
void ctnr_hook_unregister(struct ctnr_hook *h);

/*
 * A user starts to depend on @h: it is armed (at the first user) and
 * checked; if the check fails, -EOPNOTSUPP with a message in @extack, a
 * log line and a CTNR_EVENT_HOOK event, and nothing changed.  Each user
 * holds a reference on the module: while anything depends on a hook, the
 * module cannot be unloaded.  ctnr_hook_put() (any context that may
 * sleep) ends it; the hook is disarmed a second after the last user.
 */
int ctnr_hook_get(struct ctnr_hook *h, struct netlink_ext_ack *extack);
void ctnr_hook_put(struct ctnr_hook *h);

/*
 * A user that already holds @h changes what it enforces: the hook is
 * checked again, -EOPNOTSUPP as for ctnr_hook_get() if it lapsed.
 */
int ctnr_hook_check(struct ctnr_hook *h, struct netlink_ext_ack *extack);

/* The last check passed: the hook can enforce (CTNR_FEAT_* bits). */
bool ctnr_hook_verified(struct ctnr_hook *h);

/*
 * The address of a kernel symbol, data or function (an entry an indirect
 * call may land on), or 0: kallsyms_lookup_name() is not exported.
 */
unsigned long ctnr_hook_lookup(const char *name);

/* CTNR_A_HOOK nests of CTNR_CMD_INFO: one per registered hook. */
int ctnr_hook_nl_fill(struct sk_buff *skb);

/* main.c: install hooks even under Clang LTO. */
extern bool ctnr_hook_lto;

/* arch_hook.c: registers at the entry of a function, and diverting it. */
bool ctnr_arch_hook_supported(void);
void ctnr_arch_hook_args(const struct pt_regs *regs,
			 unsigned long args[CTNR_HOOK_ARGS]);
void ctnr_arch_hook_divert(struct pt_regs *regs, void *fn);
void ctnr_arch_hook_skip_ftrace(struct pt_regs *regs, unsigned long addr);
bool ctnr_arch_hook_trapped(const struct pt_regs *regs);
/*
 * May the kernel text at @addr be called through a pointer?  Not under
 * IBT when it does not start with an ENDBR64 (CTNR_ENDBR64): the kernel
 * seals the functions whose address it never takes.
 */
#define CTNR_ENDBR64	0xfa1e0ff3U	/* f3 0f 1e fa */
bool ctnr_arch_callable(unsigned long addr);

#endif /* _CTNR_HOOK_H */
