// SPDX-License-Identifier: GPL-2.0
/*
 * kmsgtrace.c: the kernel's own messages about a container's tasks, copied
 * into the container's log (kmsg.c); the host's log keeps them too.
 *
 *   OOM kills        tracepoint oom:mark_victim, which fires just before
 *                    __oom_kill_process() prints "Killed process"; a kprobe
 *                    on out_of_memory() tells a memory cgroup's OOM from the
 *                    system's, as the kernel's "Memory cgroup out of memory"
 *                    prefix does.
 *   fatal signals    tracepoint signal:signal_generate, for the signals the
 *                    x86 fault and trap handlers force on the current task
 *                    ("segfault at", "traps: ... trap invalid opcode", ...),
 *                    when the kernel prints them: debug.exception-trace on
 *                    and the signal not handled.
 *   hung tasks       tracepoint sched:sched_process_hang, which khungtaskd
 *                    fires just before "INFO: task ... blocked for more than"
 *                    (while kernel.hung_task_warnings is not used up).
 *
 * Each line is the kernel's first line, with the pid and uid as the
 * container sees them, facility kern and the kernel's level; the lines that
 * follow it in the host's log (the OOM report's memory dump, code bytes,
 * stack traces) stay host-only.  The container is the one whose cgroup the
 * task is in, the rule /dev/ctnr-kmsg binds by.  Each log lets ten such
 * lines in every five seconds (printk_ratelimit()'s numbers) and notes how
 * many it dropped.
 *
 * The probes run in atomic context (under the victim's task_lock, the
 * target's siglock, or khungtaskd's RCU read side): they take a reference
 * on the container and its log's spinlock, nothing that sleeps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/oom.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/tracepoint.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>

#include "ctnr.h"
#include "hook.h"

static bool ctnr_kernel_messages = true;
module_param_named(kernel_messages, ctnr_kernel_messages, bool, 0444);
MODULE_PARM_DESC(kernel_messages,
		 "Copy the kernel's OOM-kill, fatal-signal and hung-task lines about a container's tasks into its log (default 1; the module does not load when this cannot be done)");

/* Sysctls the kernel does not export; NULL: taken as their defaults. */
static int *ctnr_show_unhandled_signals;	/* debug.exception-trace */
static int *ctnr_hung_task_warnings;		/* kernel.hung_task_warnings */

/*
 * out_of_memory()'s oom_control says whether a memory cgroup is out of
 * memory.  Written by the kprobe at its entry and read by the mark_victim
 * probe inside it: every caller of out_of_memory() holds oom_lock, so the
 * two are serialised by it.
 */
static bool ctnr_oom_in_memcg;
static bool ctnr_oom_kprobe_on;

/*
 * The task the last SIGKILL from the kernel (SEND_SIG_PRIV) went to, on
 * this CPU; compared, never dereferenced.  __oom_kill_process() sends it
 * to the victim just before mark_oom_victim(), both under the victim's
 * task_lock: so a victim marked without it is one already exiting, which
 * the kernel marks without a "Killed process" line.
 */
static DEFINE_PER_CPU(struct task_struct *, ctnr_last_kill);

static int ctnr_oom_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct oom_control *oc;

	oc = (const struct oom_control *)regs_get_kernel_argument(regs, 0);
	WRITE_ONCE(ctnr_oom_in_memcg, oc && oc->memcg);
	return 0;
}

static struct kprobe ctnr_oom_kprobe = {
	.symbol_name = "out_of_memory",
	.pre_handler = ctnr_oom_pre,
};

/* @task's pid in @c's pid namespace (0 if it is not in it). */
static pid_t ctnr_task_nr(const struct ctnr_container *c,
			  struct task_struct *task)
{
	return task_pid_nr_ns(task, ns_of_pid(c->init_pid));
}

/* ---- OOM kills ---- */

#define CTNR_K(pages)	((pages) << (PAGE_SHIFT - 10))

/*
 * Called under task_lock(@task) from __oom_kill_process() or, for a victim
 * that is already exiting, with @task current or task-locked: @task->mm is
 * stable.  Taking task_lock here would deadlock.
 */
static void ctnr_kt_mark_victim(void *data, struct task_struct *task,
				uid_t uid)
{
	struct ctnr_container *c;
	struct mm_struct *mm;

	if (this_cpu_read(ctnr_last_kill) != task)
		return;
	this_cpu_write(ctnr_last_kill, NULL);
	c = ctnr_find_by_task(task);
	if (!c)
		return;
	mm = READ_ONCE(task->mm);
	if (mm)
		ctnr_log_kernel(c, LOGLEVEL_ERR,
				"%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd",
				ctnr_oom_kprobe_on && READ_ONCE(ctnr_oom_in_memcg) ?
				"Memory cgroup out of memory" : "Out of memory",
				ctnr_task_nr(c, task), task->comm,
				CTNR_K(mm->total_vm),
				CTNR_K(get_mm_counter(mm, MM_ANONPAGES)),
				CTNR_K(get_mm_counter(mm, MM_FILEPAGES)),
				CTNR_K(get_mm_counter(mm, MM_SHMEMPAGES)),
				from_kuid_munged(ctnr_log_userns(c),
						 make_kuid(&init_user_ns, uid)),
				mm_pgtables_bytes(mm) >> 10,
				task->signal->oom_score_adj);
	ctnr_put(c);
}

/* ---- fatal signals ---- */

/* The x86 traps whose user-mode signal the kernel reports (traps.c). */
static const struct {
	u8 trapnr;
	u8 sig;
	const char *str;
} ctnr_traps[] = {
	{ X86_TRAP_DE, SIGFPE, "divide error" },
	{ X86_TRAP_BP, SIGTRAP, "int3" },
	{ X86_TRAP_OF, SIGSEGV, "overflow" },
	{ X86_TRAP_BR, SIGSEGV, "bounds" },
	{ X86_TRAP_UD, SIGILL, "invalid opcode" },
	{ X86_TRAP_OLD_MF, SIGFPE, "coprocessor segment overrun" },
	{ X86_TRAP_TS, SIGSEGV, "invalid TSS" },
	{ X86_TRAP_NP, SIGBUS, "segment not present" },
	{ X86_TRAP_SS, SIGBUS, "stack segment" },
	{ X86_TRAP_AC, SIGBUS, "alignment check" },
};

/*
 * unhandled_signal() of kernel/signal.c, which is not exported, for
 * current: its sighand changes only by its own exec.
 */
static bool ctnr_unhandled(struct task_struct *task, int sig)
{
	struct sighand_struct *sh = rcu_dereference_raw(task->sighand);
	__sighandler_t handler = sh->action[sig - 1].sa.sa_handler;

	if (is_global_init(task))
		return true;
	if (handler != SIG_IGN && handler != SIG_DFL)
		return false;
	if (fatal_signal_pending(task))
		return false;
	return !task->ptrace;
}

/*
 * " in FILE[START+SIZE]", print_vma_addr()'s, or "" when the mapping cannot
 * be had without sleeping.
 */
static void ctnr_vma_where(char *buf, size_t size, unsigned long ip)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	buf[0] = '\0';
	if (!mm || !mmap_read_trylock(mm))
		return;
	vma = find_vma(mm, ip);
	if (vma && vma->vm_start <= ip && vma->vm_file)
		snprintf(buf, size, " in %pD[%lx+%lx]", vma->vm_file,
			 vma->vm_start, vma->vm_end - vma->vm_start);
	mmap_read_unlock(mm);
}

/*
 * Called with @task's siglock held and interrupts off.  The fault and trap
 * handlers force the signal on current with a positive si_code after they
 * stored the trap number and error code in current->thread.
 */
static void ctnr_kt_signal_generate(void *data, int sig,
				    struct kernel_siginfo *info,
				    struct task_struct *task, int group,
				    int result)
{
	const struct pt_regs *regs;
	struct ctnr_container *c;
	const char *str = NULL;
	unsigned int trapnr;
	char where[96];
	size_t i;

	if (sig == SIGKILL) {
		if (info == SEND_SIG_PRIV)
			this_cpu_write(ctnr_last_kill, task);
		return;
	}
	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL &&
	    sig != SIGFPE && sig != SIGTRAP)
		return;
	if (task != current || group || (current->flags & PF_KTHREAD) ||
	    info == SEND_SIG_NOINFO || info == SEND_SIG_PRIV ||
	    info->si_code <= 0)
		return;
	/*
	 * From an exception, not a system call: the entry code stores the
	 * error code (or -1) where a system call keeps its number.  So a
	 * task's rt_tgsigqueueinfo() to itself, which may carry a positive
	 * si_code, makes no line.  (The fault handler adds X86_PF_PROT to
	 * the code it keeps for a user access to a kernel address.)
	 */
	regs = task_pt_regs(current);
	if (regs->orig_ax != -1UL &&
	    (regs->orig_ax | X86_PF_PROT) !=
	    (READ_ONCE(current->thread.error_code) | X86_PF_PROT))
		return;
	if (ctnr_show_unhandled_signals && !READ_ONCE(*ctnr_show_unhandled_signals))
		return;
	trapnr = READ_ONCE(current->thread.trap_nr);
	if (trapnr == X86_TRAP_PF) {
		/* bad_area(): SEGV_MAPERR, ACCERR, BNDERR or PKUERR */
		if (sig != SIGSEGV || info->si_code > SEGV_PKUERR)
			return;
	} else if (trapnr == X86_TRAP_GP) {
		if (sig != SIGSEGV || info->si_code != SI_KERNEL)
			return;
	} else {
		for (i = 0; i < ARRAY_SIZE(ctnr_traps); i++)
			if (ctnr_traps[i].trapnr == trapnr &&
			    ctnr_traps[i].sig == sig)
				str = ctnr_traps[i].str;
		if (!str)
			return;
	}
	if (!ctnr_unhandled(current, sig))
		return;
	c = ctnr_find_by_task(current);
	if (!c)
		return;
	ctnr_vma_where(where, sizeof(where), regs->ip);
	if (trapnr == X86_TRAP_PF)
		ctnr_log_kernel(c, LOGLEVEL_INFO,
				"%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx%s",
				current->comm, ctnr_task_nr(c, current),
				(unsigned long)info->si_addr, regs->ip,
				regs->sp, current->thread.error_code, where);
	else
		ctnr_log_kernel(c, LOGLEVEL_INFO,
				"traps: %s[%d] %s%s ip:%lx sp:%lx error:%lx%s",
				current->comm, ctnr_task_nr(c, current),
				str ? "trap " : "",
				str ?: "general protection fault",
				regs->ip, regs->sp, current->thread.error_code,
				where);
	ctnr_put(c);
}

/* ---- hung tasks ---- */

#ifdef CONFIG_DETECT_HUNG_TASK
/* Called by khungtaskd under rcu_read_lock(). */
static void ctnr_kt_process_hang(void *data, struct task_struct *task)
{
	struct ctnr_container *c;

	if (ctnr_hung_task_warnings && !READ_ONCE(*ctnr_hung_task_warnings))
		return;
	c = ctnr_find_by_task(task);
	if (!c)
		return;
	ctnr_log_kernel(c, LOGLEVEL_ERR,
			"INFO: task %s:%d blocked for more than %ld seconds.",
			task->comm, ctnr_task_nr(c, task),
			(long)(jiffies - READ_ONCE(task->last_switch_time)) / HZ);
	ctnr_put(c);
}
#else
/* never fired: nothing checks for hung tasks */
static void ctnr_kt_process_hang(void *data, struct task_struct *task)
{
}
#endif

/* ---- the tracepoints ---- */

static struct ctnr_ktp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool on;
} ctnr_ktps[] = {
	{ .name = "mark_victim", .probe = ctnr_kt_mark_victim },
	{ .name = "signal_generate", .probe = ctnr_kt_signal_generate },
	{ .name = "sched_process_hang", .probe = ctnr_kt_process_hang },
};

static void ctnr_ktp_find(struct tracepoint *tp, void *priv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ctnr_ktps); i++)
		if (!strcmp(tp->name, ctnr_ktps[i].name))
			ctnr_ktps[i].tp = tp;
}

void ctnr_kmsgtrace_uninit(void)
{
	bool any = false;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ctnr_ktps); i++) {
		if (!ctnr_ktps[i].on)
			continue;
		tracepoint_probe_unregister(ctnr_ktps[i].tp,
					    ctnr_ktps[i].probe, NULL);
		ctnr_ktps[i].on = false;
		any = true;
	}
	if (ctnr_oom_kprobe_on) {
		unregister_kprobe(&ctnr_oom_kprobe);
		ctnr_oom_kprobe_on = false;
	}
	/* no probe runs any more when the module text goes */
	if (any)
		tracepoint_synchronize_unregister();
}

int ctnr_kmsgtrace_init(void)
{
	size_t i;
	int err;

	if (!ctnr_kernel_messages)
		return 0;
	ctnr_show_unhandled_signals =
		(int *)ctnr_hook_lookup("show_unhandled_signals");
	ctnr_hung_task_warnings =
		(int *)ctnr_hook_lookup("sysctl_hung_task_warnings");
	for_each_kernel_tracepoint(ctnr_ktp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(ctnr_ktps); i++) {
		if (!ctnr_ktps[i].tp) {
			pr_err("kernel_messages: no tracepoint %s in this kernel: load with kernel_messages=0 to run without the kernel's messages in container logs\n",
			       ctnr_ktps[i].name);
			err = -EOPNOTSUPP;
			goto fail;
		}
		err = tracepoint_probe_register(ctnr_ktps[i].tp,
						ctnr_ktps[i].probe, NULL);
		if (err) {
			pr_err("kernel_messages: tracepoint %s: error %d: load with kernel_messages=0 to run without the kernel's messages in container logs\n",
			       ctnr_ktps[i].name, err);
			goto fail;
		}
		ctnr_ktps[i].on = true;
	}
	/* without it, every OOM line says "Out of memory" */
	if (register_kprobe(&ctnr_oom_kprobe) == 0)
		ctnr_oom_kprobe_on = true;
	else
		pr_info("kernel_messages: no kprobe on out_of_memory(): a memory cgroup's OOM kills are reported as \"Out of memory\"\n");
	return 0;

fail:
	ctnr_kmsgtrace_uninit();
	return err;
}
