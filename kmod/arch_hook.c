// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: the architecture-specific part of the hooks (hook.c).
 *
 * A hook is a kprobe on the entry of a function.  At that point the
 * arguments are still in their registers and the return address into the
 * caller is the only thing the function's frame holds.  To divert the
 * call, the pre-handler points the saved instruction pointer at a module
 * function and returns 1: the kprobe core then resumes there instead of in
 * the probed function, and that function returns straight to the caller of
 * the probed one, which sees its return value.  The replacement has the
 * probed function's prototype, or (ctnr_hook_canary()) takes no arguments
 * and returns a value of the same register class: the caller only looks
 * at the return register.
 *
 * x86-64 (done): arguments in di, si, dx, cx; the instruction pointer is
 * regs->ip.  With an ftrace-based kprobe (CONFIG_KPROBES_ON_FTRACE, the
 * case on Debian kernels) the ftrace trampoline returns to whatever
 * regs->ip holds after the handlers ran, with the stack as it was at the
 * function's entry; with an int3-based kprobe the trap returns there.
 * Neither checks the target for an ENDBR (IBT covers indirect calls and
 * jumps only), and the replacements are address-taken, so they keep one
 * anyway.  Do not try to emulate the return by popping the return address
 * off regs->sp: the ftrace frame is not laid out like a trap frame, and it
 * crashes.
 *
 * arm64 (not enabled, not tested): the same idea works through
 * instruction_pointer_set(regs, fn), which sets pt_regs->pc; the arguments
 * are regs->regs[0..3] and the link register still holds the return
 * address at the entry of the function, so fn returns straight to the
 * caller.  Enabling it means filling in the functions below for
 * CONFIG_ARM64 and testing it.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>

#include "ctnr.h"
#include "hook.h"

#if defined(CONFIG_X86_64)

bool ctnr_arch_hook_supported(void)
{
	return true;
}

void ctnr_arch_hook_args(const struct pt_regs *regs,
			 unsigned long args[CTNR_HOOK_ARGS])
{
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->cx;
}

void ctnr_arch_hook_divert(struct pt_regs *regs, void *fn)
{
	regs->ip = (unsigned long)fn;
}

/*
 * Resume after the 5-byte call (or nop) at @addr, the ftrace location of
 * the function: where the ftrace trampoline returns to anyway.
 */
void ctnr_arch_hook_skip_ftrace(struct pt_regs *regs, unsigned long addr)
{
	regs->ip = addr + MCOUNT_INSN_SIZE;
}

/*
 * Did the handler run from a trap rather than from the ftrace trampoline?
 * The IDT entry code stores -1 as orig_ax of an exception without an
 * error code (int3); the trampoline stores 0.  (Under FRED the slot holds
 * the error code, 0 for int3, and this says no: it only feeds a counter.)
 */
bool ctnr_arch_hook_trapped(const struct pt_regs *regs)
{
	return regs->orig_ax == -1UL;
}

bool ctnr_arch_callable(unsigned long addr)
{
	u32 insn;

	if (!addr)
		return false;
	if (!cpu_feature_enabled(X86_FEATURE_IBT))
		return true;
	return !get_kernel_nofault(insn, (u32 *)addr) && insn == CTNR_ENDBR64;
}

#else

bool ctnr_arch_hook_supported(void)
{
	return false;
}

void ctnr_arch_hook_args(const struct pt_regs *regs,
			 unsigned long args[CTNR_HOOK_ARGS])
{
	args[0] = 0;
	args[1] = 0;
	args[2] = 0;
	args[3] = 0;
}

void ctnr_arch_hook_divert(struct pt_regs *regs, void *fn)
{
}

void ctnr_arch_hook_skip_ftrace(struct pt_regs *regs, unsigned long addr)
{
}

bool ctnr_arch_hook_trapped(const struct pt_regs *regs)
{
	return false;
}

bool ctnr_arch_callable(unsigned long addr)
{
	return addr;
}

#endif
