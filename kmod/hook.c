// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: diverting a kernel function, and proving that it is diverted.
 *
 * A hook is a kprobe at the entry of a function.  Its pre-handler asks the
 * user's divert callback; when that names a replacement, the handler points
 * the saved instruction pointer at it and returns 1, so the kprobe core
 * resumes in the replacement, which returns straight to the function's
 * caller (arch_hook.c does the register part).  Nothing is allocated per
 * call: unlike a kretprobe, whose instance pool can run dry, nothing can
 * let a call through for want of memory.
 *
 * What the mechanism guarantees, and how:
 *
 * - The kprobe has a post-handler, which does nothing.  The kprobe core
 *   never jump-optimises a probe that has one (an optimised probe ignores
 *   a changed instruction pointer), and it arms an ftrace-based probe
 *   through its FTRACE_OPS_FL_IPMODIFY ops only when there is one
 *   (arm_kprobe_ftrace() in kernel/kprobes.c): then a livepatch or a BPF
 *   trampoline that wants to change the same function's instruction
 *   pointer conflicts with the hook loudly instead of undoing it
 *   silently.  kernel/fail_function.c keeps a dummy post-handler for the
 *   same reason.  The post-handler runs only when the function was let
 *   through; after a diversion the core skips it.
 *
 *   That holds when our probe is the first on the function, or when
 *   others join it later (the kprobe core then builds an aggregate probe
 *   that inherits the post-handler).  It does not when another kprobe was
 *   there first: ours then only joins that one's aggregate, which, if it
 *   is armed, stays in the ftrace ops it was armed with, without
 *   IPMODIFY, for as long as it stays armed (and with a post-handler,
 *   joining corrupts the kprobe core's idea of those ops: see
 *   ctnr_hook_kprobe_register()).  The module cannot see that
 *   aggregate's state, so a probe that joined another at registration
 *   ("shared") is refused: the hook is lapsed with that reason, and every
 *   arming tries to register the probe again, which works once the other
 *   probe is gone.  On int3 the same holds for optimisation.
 *
 * - Verified.  The user supplies a canary: a call of the function with
 *   arguments no real caller passes, which its divert callback answers
 *   with ctnr_hook_canary(), returning CTNR_HOOK_CANARY_RET.  The canary
 *   is called at load time, at every arming, at every ctnr_hook_check()
 *   (a user changing what it enforces) and every CTNR_HOOK_CHECK_INTERVAL
 *   while armed.  Any other result means the hook does not divert calls:
 *   kprobes disarmed through debugfs (also when another probe shares the
 *   address, where enable_kprobe() reports success), ftrace killed, the
 *   probe optimised, a livepatch or trampoline in the way.  The hook is
 *   then "lapsed": a log line, a CTNR_EVENT_HOOK event, its state in
 *   debugfs and CTNR_CMD_INFO, and every ctnr_hook_get() and
 *   ctnr_hook_check() fails with -EOPNOTSUPP until a check passes again
 *   (a lapsed hook is tried again every interval, armed briefly if
 *   nothing uses it).  What was already in force stays in force as far
 *   as the kernel still lets the hook act; the module cannot do more
 *   than say so.
 *
 * - Refused where it cannot be trusted: no arch_hook.c part, the symbol
 *   missing or not probeable, or a kernel built with Clang LTO, where the
 *   function may be inlined into callers that the probe then never sees
 *   (the canary calls the out-of-line copy, so it cannot tell); module
 *   parameter hook_lto=1 installs hooks there anyway.
 *
 * - Armed (diverting) only while something depends on it (ctnr_hook_get()
 *   .. ctnr_hook_put()), and disarmed a second after the last user went;
 *   the kprobe itself stays enabled from load to unload (see
 *   ctnr_hook_enable()).  Each user holds a reference on the module:
 *   unloading it would drop every enforcement at once, so rmmod fails as
 *   for a module in use.
 *
 * What it does not guarantee: a call made while another kprobe handler
 * runs on the same CPU is missed by the kprobe core (it counts it in
 * nmissed, which debugfs and INFO show and the periodic check logs); a
 * recursive ftrace entry, or one while ftrace is disabled, is dropped
 * before the kprobe core sees it and counted nowhere; and host root can
 * always disarm kprobes.
 *
 * Locking: ctnr_hooks_lock protects the ctnr_hooks list and nests outside
 * each hook's lock, which protects the hook's state (see hook.h) and nests
 * inside its users' locks (ctnr_dev_lock) and outside kprobe_mutex,
 * text_mutex and cpus_read_lock, taken by enable_kprobe() and
 * unregister_kprobe().
 */
#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/uaccess.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <net/genetlink.h>

#include "ctnr.h"
#include "hook.h"

#define CTNR_HOOK_CHECK_INTERVAL	(5 * HZ)
#define CTNR_HOOK_DISARM_DELAY		HZ

static LIST_HEAD(ctnr_hooks);
static DEFINE_MUTEX(ctnr_hooks_lock);

/* ---- the handlers ---- */

static int ctnr_hook_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct ctnr_hook *h = container_of(p, struct ctnr_hook, kp);
	unsigned long args[CTNR_HOOK_ARGS];
	void *fn = NULL;

	if (READ_ONCE(h->live)) {
		ctnr_arch_hook_args(regs, args);
		fn = h->divert(args);
	}
	if (fn) {
		ctnr_arch_hook_divert(regs, fn);
		return 1;
	}
	if (!kprobe_ftrace(p))
		return 0;	/* the core single-steps the first instruction */
	/*
	 * An ftrace-based probe has no copy of the instruction to
	 * single-step (ainsn.insn is NULL): the kprobe core never needs one
	 * on the ftrace path.  But an int3 at the probe's address that the
	 * text-poke code does not claim (one left by a patch of this very
	 * call site that has completed) reaches kprobe_int3_handler() too,
	 * which finds this probe and, on 0, single-steps from address 0
	 * with interrupts off: seen under QEMU TCG while the hook was armed
	 * and disarmed under load.  So never return 0 here: resume after
	 * the call site, which is what the trampoline does anyway.  The
	 * no-op post-handler is skipped; it only has to exist.
	 */
	if (unlikely(ctnr_arch_hook_trapped(regs)))
		atomic_long_inc(&h->traps);
	ctnr_arch_hook_skip_ftrace(regs, (unsigned long)p->addr);
	return 1;
}

/* Its existence keeps the probe unoptimised and IPMODIFY (see above). */
static void ctnr_hook_post(struct kprobe *p, struct pt_regs *regs,
			   unsigned long flags)
{
}

/*
 * What a canary call is diverted to.  It takes none of the hooked
 * function's arguments and returns in the return register, which is all a
 * caller of any integer-returning function looks at.
 */
noinline long ctnr_hook_canary(void)
{
	return CTNR_HOOK_CANARY_RET;
}

/* ---- state ---- */

static const char *ctnr_hook_why_text(enum ctnr_hook_why why)
{
	switch (why) {
	case CTNR_HOOK_WHY_NONE:
		break;
	case CTNR_HOOK_WHY_ARCH:
		return "not implemented for this architecture";
	case CTNR_HOOK_WHY_LTO:
		return "the kernel is built with Clang LTO, which may inline the function past the probe (module parameter hook_lto=1 to install anyway)";
	case CTNR_HOOK_WHY_REGISTER:
		return "the function cannot be probed on this kernel";
	case CTNR_HOOK_WHY_ARM:
		return "the kprobe cannot be armed";
	case CTNR_HOOK_WHY_SHARED:
		return "another kprobe was on the function when ours was registered, so it may be armed without IPMODIFY (remove that probe: tracefs kprobe_events, perf, bpftrace; the next arming tries again)";
	case CTNR_HOOK_WHY_CANARY:
		return "the canary call was not diverted (kprobes disarmed in debugfs kprobes/enabled, ftrace stopped, or a livepatch or trampoline in the way)";
	}
	return "";
}

/* The extended-ack message of a refusal; a literal for each reason. */
static void ctnr_hook_extack(struct netlink_ext_ack *extack,
			     enum ctnr_hook_why why)
{
	switch (why) {
	case CTNR_HOOK_WHY_NONE:
	case CTNR_HOOK_WHY_ARCH:
		NL_SET_ERR_MSG(extack, "the enforcement hook is not implemented for this architecture");
		break;
	case CTNR_HOOK_WHY_LTO:
		NL_SET_ERR_MSG(extack, "the enforcement hook is refused on a kernel built with Clang LTO (module parameter hook_lto)");
		break;
	case CTNR_HOOK_WHY_REGISTER:
		NL_SET_ERR_MSG(extack, "the enforcement hook cannot probe its function on this kernel");
		break;
	case CTNR_HOOK_WHY_ARM:
		NL_SET_ERR_MSG(extack, "the enforcement hook cannot be armed");
		break;
	case CTNR_HOOK_WHY_SHARED:
		NL_SET_ERR_MSG(extack, "another kprobe was on the function when the enforcement hook registered its own: IPMODIFY cannot be guaranteed (remove that probe), see the kernel log");
		break;
	case CTNR_HOOK_WHY_CANARY:
		NL_SET_ERR_MSG(extack, "the enforcement hook does not divert calls (kprobes disarmed in debugfs?): nothing would be enforced, see the kernel log");
		break;
	}
}

static u32 ctnr_hook_state(const struct ctnr_hook *h)
{
	if (!h->registered)
		return CTNR_HOOK_UNAVAILABLE;
	if (!h->verified)
		return CTNR_HOOK_LAPSED;
	return h->users ? CTNR_HOOK_ENFORCING : CTNR_HOOK_IDLE;
}

static const char *const ctnr_hook_state_names[] = {
	[CTNR_HOOK_UNAVAILABLE] = "unavailable",
	[CTNR_HOOK_IDLE] = "idle",
	[CTNR_HOOK_ENFORCING] = "enforcing",
	[CTNR_HOOK_LAPSED] = "lapsed",
};

static const char *ctnr_hook_mode(const struct ctnr_hook *h)
{
	return kprobe_ftrace((struct kprobe *)&h->kp) ? "ftrace" : "int3";
}

/*
 * What can be said of IPMODIFY: not measured (the ftrace ops of a kprobe
 * are the kprobe core's), only what follows from how the probe was
 * registered (see the top of this file).
 */
static const char *ctnr_hook_ipmodify(const struct ctnr_hook *h)
{
	if (h->shared)
		return "unknown";
	return kprobe_ftrace((struct kprobe *)&h->kp) ? "expected" : "n/a";
}

bool ctnr_hook_verified(struct ctnr_hook *h)
{
	return READ_ONCE(h->registered) && READ_ONCE(h->verified);
}

/* The attributes of one CTNR_A_HOOK nest.  Caller holds @h->lock. */
static int ctnr_hook_nl_put(struct sk_buff *skb, const void *arg)
{
	const struct ctnr_hook *h = arg;
	struct nlattr *nest;

	nest = nla_nest_start(skb, CTNR_A_HOOK);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, CTNR_HOOK_A_NAME, h->name) ||
	    nla_put_u32(skb, CTNR_HOOK_A_STATE, ctnr_hook_state(h)) ||
	    (h->registered &&
	     (nla_put_string(skb, CTNR_HOOK_A_MODE, ctnr_hook_mode(h)) ||
	      nla_put_u64_64bit(skb, CTNR_HOOK_A_MISSED, h->kp.nmissed,
				CTNR_HOOK_A_PAD))) ||
	    (h->why != CTNR_HOOK_WHY_NONE &&
	     nla_put_string(skb, CTNR_HOOK_A_REASON,
			    ctnr_hook_why_text(h->why)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int ctnr_hook_nl_fill(struct sk_buff *skb)
{
	struct ctnr_hook *h;
	int err = 0;

	mutex_lock(&ctnr_hooks_lock);
	list_for_each_entry(h, &ctnr_hooks, node) {
		mutex_lock(&h->lock);
		err = ctnr_hook_nl_put(skb, h);
		mutex_unlock(&h->lock);
		if (err)
			break;
	}
	mutex_unlock(&ctnr_hooks_lock);
	return err;
}

/*
 * Record the outcome of a check; say so when it changes, unless @quiet
 * (the first check, at load, says it itself).  Caller holds @h->lock.
 */
static void ctnr_hook_verdict(struct ctnr_hook *h, bool ok, bool quiet)
{
	bool was = h->verified;

	WRITE_ONCE(h->verified, ok);
	if (ok)
		h->why = CTNR_HOOK_WHY_NONE;
	if (ok == was || quiet)
		return;
	if (ok) {
		pr_info("hook %s: %s is diverted again: enforcing\n", h->name,
			h->symbol);
	} else {
		h->lapses++;
		if (h->why == CTNR_HOOK_WHY_CANARY)
			pr_err("hook %s: %s is not diverted any more (canary returned %ld): %s; what depends on it is NOT enforced\n",
			       h->name, h->symbol, h->canary_got,
			       ctnr_hook_why_text(h->why));
		else
			pr_err("hook %s: %s is not diverted any more: %s; what depends on it is NOT enforced\n",
			       h->name, h->symbol, ctnr_hook_why_text(h->why));
	}
	ctnr_genl_notify_module(CTNR_EVENT_HOOK, ctnr_hook_nl_put, h);
}

/* Call the canary.  Caller holds @h->lock; @h is armed. */
static bool ctnr_hook_test(struct ctnr_hook *h)
{
	long got;

	h->checks++;
	/*
	 * No kprobe_optimized() here: an optimised probe is always an
	 * aggregate, never ours, and it cannot divert, which the canary
	 * sees.
	 */
	got = h->canary_call();
	if (got != CTNR_HOOK_CANARY_RET) {
		h->why = CTNR_HOOK_WHY_CANARY;
		h->canary_got = got;
		return false;
	}
	return true;
}

/* Calls the kprobe core missed since the last look: they ran unchecked. */
static void ctnr_hook_report_missed(struct ctnr_hook *h)
{
	unsigned long missed = READ_ONCE(h->kp.nmissed);

	if (missed == h->missed_seen)
		return;
	pr_warn_ratelimited("hook %s: %lu calls of %s missed by the kprobe (nested in another probe handler or ftrace recursion): they were not checked\n",
			    h->name, missed - h->missed_seen, h->symbol);
	h->missed_seen = missed;
}

/* Stray int3s at the probe (see ctnr_hook_pre()): checked, but say so. */
static void ctnr_hook_report_traps(struct ctnr_hook *h)
{
	unsigned long traps = atomic_long_read(&h->traps);

	if (traps == h->traps_seen)
		return;
	pr_warn_ratelimited("hook %s: %lu calls of %s arrived by an int3 that no text patch claimed (an emulator or CPU erratum?); they were checked and resumed past the ftrace call site\n",
			    h->name, traps - h->traps_seen, h->symbol);
	h->traps_seen = traps;
}

/*
 * Register @h's kprobe, disarmed, from scratch (also again after
 * unregister_kprobe(), as trace_kprobe does), and note whether it joined
 * a probe that was already on the function.  Caller holds @h->lock, or
 * has @h to itself.
 */
static int ctnr_hook_kprobe_register(struct ctnr_hook *h)
{
	int err;

	memset(&h->kp, 0, sizeof(h->kp));
	h->kp.symbol_name = h->symbol;
	h->kp.pre_handler = ctnr_hook_pre;
	h->kp.flags = KPROBE_FLAG_DISABLED;
	h->enabled = false;
	h->missed_seen = 0;
	/*
	 * Registered without the post-handler, which is set once the probe
	 * is known to be alone: a probe with one that joins an armed ftrace
	 * aggregate marks the aggregate IPMODIFY although it is armed
	 * through the other ops, and the kprobe core then disarms it
	 * through the wrong ones (a warning, and the other probe can be
	 * neither disabled nor removed; 6.1 then crashed after our unload).
	 * One without a post-handler joins and leaves it harmlessly.
	 */
	err = register_kprobe(&h->kp);
	if (err)
		return err;
	/*
	 * register_kprobe() leaves the list of a probe alone on its address
	 * empty, and links one that joins another's aggregate into it.  A
	 * probe that joins ours from now on copies our post-handler into
	 * its aggregate: look again once it is set.
	 */
	h->shared = !list_empty(&h->kp.list);
	if (!h->shared) {
		WRITE_ONCE(h->kp.post_handler, ctnr_hook_post);
		smp_mb();	/* the write, then the second look */
		h->shared = !list_empty(&h->kp.list);
		if (h->shared)
			WRITE_ONCE(h->kp.post_handler, NULL);
	}
	if (h->shared) {
		h->why = CTNR_HOOK_WHY_SHARED;
		pr_warn("hook %s: another kprobe is on %s: %s\n", h->name,
			h->symbol, ctnr_hook_why_text(h->why));
	}
	return 0;
}

/*
 * @h's probe was registered as shared: register it again, in case the
 * other probe is gone.  True when it is alone now.  Caller holds @h->lock;
 * a shared probe is never enabled.
 */
static bool ctnr_hook_unshare(struct ctnr_hook *h)
{
	int err;

	lockdep_assert_held(&h->lock);
	if (WARN_ON_ONCE(h->enabled))
		return false;
	unregister_kprobe(&h->kp);	/* waits for handlers */
	err = ctnr_hook_kprobe_register(h);
	if (err) {
		WRITE_ONCE(h->registered, false);
		h->shared = false;
		h->why = CTNR_HOOK_WHY_REGISTER;
		pr_err("hook %s: cannot register the kprobe on %s again (%d): what depends on it is unavailable\n",
		       h->name, h->symbol, err);
		return false;
	}
	if (!h->shared)
		pr_info("hook %s: no other kprobe on %s any more\n", h->name,
			h->symbol);
	return !h->shared;
}

/*
 * The kprobe is enabled the first time the hook is armed (at load, for
 * the first check) and stays enabled until unload: arming and disarming
 * only switch @live, which the handler reads.  Enabling or disabling an
 * ftrace-based probe re-patches the call site of a function that every
 * open of a device node runs, and the fewer patches the better (see
 * ctnr_hook_pre()); and a probe that is disabled inside an aggregate is
 * passed over by the kprobe core's int3 path, which then single-steps the
 * aggregate's NULL instruction copy.  Enabled, ours is always asked.
 * The price: while the module is loaded, every check of a device access
 * runs the handler (which returns at once when nothing is armed), and
 * the function is IPMODIFY for ftrace: a livepatch of it waits for
 * rmmod.
 */
static int ctnr_hook_enable(struct ctnr_hook *h)
{
	int err;

	if (h->enabled)
		return 0;
	err = enable_kprobe(&h->kp);
	if (err) {
		h->why = CTNR_HOOK_WHY_ARM;
		return err;
	}
	h->enabled = true;
	h->ever_armed = true;
	return 0;
}

static int ctnr_hook_arm(struct ctnr_hook *h)
{
	int err;

	lockdep_assert_held(&h->lock);
	if (h->armed)
		return 0;
	err = ctnr_hook_enable(h);
	if (err)
		return err;
	WRITE_ONCE(h->live, true);
	h->armed = true;
	return 0;
}

static void ctnr_hook_disarm(struct ctnr_hook *h)
{
	lockdep_assert_held(&h->lock);
	if (!h->armed)
		return;
	WRITE_ONCE(h->live, false);
	h->armed = false;
}

/* Arm if need be and check.  Caller holds @h->lock. */
static bool ctnr_hook_arm_and_test(struct ctnr_hook *h)
{
	if (h->shared && !ctnr_hook_unshare(h))
		return false;
	return !ctnr_hook_arm(h) && ctnr_hook_test(h);
}

static void ctnr_hook_queue_check(struct ctnr_hook *h)
{
	if (!h->closing)
		queue_delayed_work(system_unbound_wq, &h->check_work,
				   CTNR_HOOK_CHECK_INTERVAL);
}

static void ctnr_hook_check_work(struct work_struct *work)
{
	struct ctnr_hook *h = container_of(to_delayed_work(work),
					   struct ctnr_hook, check_work);
	bool ok;

	mutex_lock(&h->lock);
	if (h->closing || !h->registered)
		goto out;
	if (!h->users && h->verified)
		goto out;	/* idle: the next arming checks */
	if (!h->users && h->shared)
		goto out;	/* the next arming tries again */
	ok = ctnr_hook_arm_and_test(h);
	ctnr_hook_verdict(h, ok, false);
	if (!h->users)
		ctnr_hook_disarm(h);
	else
		ctnr_hook_report_missed(h);
	ctnr_hook_report_traps(h);
	if (h->users || !ok)
		ctnr_hook_queue_check(h);
out:
	mutex_unlock(&h->lock);
}

static void ctnr_hook_disarm_work(struct work_struct *work)
{
	struct ctnr_hook *h = container_of(to_delayed_work(work),
					   struct ctnr_hook, disarm_work);

	mutex_lock(&h->lock);
	if (!h->users)
		ctnr_hook_disarm(h);
	ctnr_hook_report_traps(h);
	mutex_unlock(&h->lock);
}

/* ---- users ---- */

int ctnr_hook_get(struct ctnr_hook *h, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&h->lock);
	if (!h->registered || h->closing) {
		ctnr_hook_extack(extack, h->why);
		err = -EOPNOTSUPP;
		goto out;
	}
	if (!ctnr_hook_arm_and_test(h)) {
		ctnr_hook_verdict(h, false, false);
		if (!h->users)
			ctnr_hook_disarm(h);
		ctnr_hook_extack(extack, h->why);
		ctnr_hook_queue_check(h);
		err = -EOPNOTSUPP;
		goto out;
	}
	ctnr_hook_verdict(h, true, false);
	if (!h->users++) {
		if (!h->unpinned)
			__module_get(THIS_MODULE);
		ctnr_hook_queue_check(h);
	}
out:
	mutex_unlock(&h->lock);
	return err;
}

void ctnr_hook_put(struct ctnr_hook *h)
{
	mutex_lock(&h->lock);
	if (!WARN_ON_ONCE(!h->users) && !--h->users) {
		if (!h->closing)
			queue_delayed_work(system_unbound_wq, &h->disarm_work,
					   CTNR_HOOK_DISARM_DELAY);
		if (!h->unpinned)
			module_put(THIS_MODULE);
	}
	mutex_unlock(&h->lock);
}

/*
 * kallsyms_lookup_name() is not exported since 5.7; a kprobe on it tells
 * where it is.  Under IBT a kprobe on a function sits after the ENDBR64 at
 * its entry, where an indirect call must land: step back over it.  A
 * kernel that sealed it (no ENDBR64: its address is never taken, so boot
 * overwrote it) cannot have it called through a pointer: nothing is found.
 */

unsigned long ctnr_hook_lookup(const char *name)
{
	static unsigned long (*lookup)(const char *name);
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;
	u32 insn;

	if (!READ_ONCE(lookup)) {
		if (register_kprobe(&kp))
			return 0;
		addr = (unsigned long)kp.addr;
		unregister_kprobe(&kp);
		if (!get_kernel_nofault(insn, (u32 *)(addr - 4)) &&
		    insn == CTNR_ENDBR64)
			addr -= 4;
		if (!ctnr_arch_callable(addr))
			return 0;
		WRITE_ONCE(lookup, (void *)addr);
	}
	return READ_ONCE(lookup)(name);
}

int ctnr_hook_check(struct ctnr_hook *h, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&h->lock);
	if (WARN_ON_ONCE(!h->users) || !ctnr_hook_arm_and_test(h)) {
		ctnr_hook_verdict(h, false, false);
		ctnr_hook_extack(extack, h->why);
		err = -EOPNOTSUPP;
	} else {
		ctnr_hook_verdict(h, true, false);
	}
	mutex_unlock(&h->lock);
	return err;
}

/* ---- debugfs ---- */

static int ctnr_hook_show(struct seq_file *m, void *v)
{
	struct ctnr_hook *h = m->private;

	mutex_lock(&h->lock);
	seq_printf(m, "name %s\nsymbol %s\nstate %s\n", h->name, h->symbol,
		   ctnr_hook_state_names[ctnr_hook_state(h)]);
	if (h->registered)
		seq_printf(m, "mode %s\nipmodify %s\nshared %d\nkprobe_enabled %d\narmed %d\nmissed %lu\n",
			   ctnr_hook_mode(h), ctnr_hook_ipmodify(h), h->shared,
			   h->enabled, h->armed, h->kp.nmissed);
	seq_printf(m, "users %u\nchecks %lu\nlapses %lu\ntraps %ld\nreason %s\n",
		   h->users, h->checks, h->lapses, atomic_long_read(&h->traps),
		   h->why ? ctnr_hook_why_text(h->why) : "-");
	mutex_unlock(&h->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ctnr_hook);

/* ---- registration ---- */

int ctnr_hook_register(struct ctnr_hook *h)
{
	char fname[32];
	bool ok;
	int err;

	mutex_init(&h->lock);
	INIT_DELAYED_WORK(&h->check_work, ctnr_hook_check_work);
	INIT_DELAYED_WORK(&h->disarm_work, ctnr_hook_disarm_work);

	mutex_lock(&ctnr_hooks_lock);
	list_add_tail(&h->node, &ctnr_hooks);
	mutex_unlock(&ctnr_hooks_lock);
	snprintf(fname, sizeof(fname), "hook_%s", h->name);
	h->debugfs = debugfs_create_file(fname, 0400, ctnr_debugfs_dir(), h,
					 &ctnr_hook_fops);

	if (!ctnr_arch_hook_supported()) {
		h->why = CTNR_HOOK_WHY_ARCH;
		err = -EOPNOTSUPP;
	} else if (IS_ENABLED(CONFIG_LTO_CLANG) && !ctnr_hook_lto) {
		h->why = CTNR_HOOK_WHY_LTO;
		err = -EOPNOTSUPP;
	} else {
		err = ctnr_hook_kprobe_register(h);
		if (err)
			h->why = CTNR_HOOK_WHY_REGISTER;
	}
	if (err) {
		pr_warn("hook %s: cannot divert %s: %s (%d): what depends on it is unavailable\n",
			h->name, h->symbol, ctnr_hook_why_text(h->why), err);
		return err;
	}

	mutex_lock(&h->lock);
	WRITE_ONCE(h->registered, true);
	/* a shared probe is not armed: it could not be trusted anyway */
	ok = !h->shared && ctnr_hook_arm_and_test(h);
	ctnr_hook_disarm(h);
	ctnr_hook_verdict(h, ok, true);
	if (!ok && !h->shared)
		ctnr_hook_queue_check(h);
	mutex_unlock(&h->lock);
	if (!ok) {
		pr_warn("hook %s: %s is not diverted: %s: what depends on it is unavailable until a check passes\n",
			h->name, h->symbol, ctnr_hook_why_text(h->why));
		return -EOPNOTSUPP;
	}
	pr_info("hook %s: diverting %s (%s kprobe), verified\n", h->name,
		h->symbol, ctnr_hook_mode(h));
	return 0;
}

/*
 * At unload, once nothing can call ctnr_hook_get() any more.  Users that
 * still hold @h (only after a forced unload) may call ctnr_hook_put()
 * afterwards.
 */
void ctnr_hook_unregister(struct ctnr_hook *h)
{
	bool wait_tasks;

	mutex_lock(&h->lock);
	h->closing = true;	/* no more works queued */
	mutex_unlock(&h->lock);
	cancel_delayed_work_sync(&h->check_work);
	cancel_delayed_work_sync(&h->disarm_work);

	mutex_lock(&h->lock);
	if (h->registered) {
		WRITE_ONCE(h->live, false);
		unregister_kprobe(&h->kp);	/* waits for handlers */
		WRITE_ONCE(h->registered, false);
	}
	h->armed = false;
	h->enabled = false;
	wait_tasks = h->ever_armed;
	mutex_unlock(&h->lock);
	/* A task diverted to a replacement may not have left it yet. */
	if (wait_tasks)
		synchronize_rcu_tasks();

	debugfs_remove(h->debugfs);
	mutex_lock(&ctnr_hooks_lock);
	list_del(&h->node);
	mutex_unlock(&ctnr_hooks_lock);
}
