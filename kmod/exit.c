// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: container init exit tracking through the sched_process_exit
 * tracepoint.  The probe runs in the exiting task with preemption disabled;
 * it only looks the pid up and queues work.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "ctnr.h"

static struct tracepoint *ctnr_exit_tp;

static void ctnr_exit_probe(CTNR_EXIT_PROBE_ARGS)
{
	/* Only when the last thread of the process goes. */
	if (!ctnr_exit_group_dead(p))
		return;
	ctnr_pid_exited(task_tgid(p));
}

static void ctnr_exit_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		*(struct tracepoint **)priv = tp;
}

bool ctnr_exit_tracking(void)
{
	return ctnr_exit_tp;
}

int ctnr_exit_init(void)
{
	struct tracepoint *tp = NULL;
	int err;

	for_each_kernel_tracepoint(ctnr_exit_find_tp, &tp);
	if (!tp) {
		pr_warn("no sched_process_exit tracepoint: init exit is not tracked\n");
		return 0;
	}
	err = tracepoint_probe_register(tp, ctnr_exit_probe, NULL);
	if (err) {
		pr_warn("cannot attach to sched_process_exit (%d): init exit is not tracked\n",
			err);
		return 0;
	}
	ctnr_exit_tp = tp;
	return 0;
}

void ctnr_exit_uninit(void)
{
	if (!ctnr_exit_tp)
		return;
	tracepoint_probe_unregister(ctnr_exit_tp, ctnr_exit_probe, NULL);
	tracepoint_synchronize_unregister();
	ctnr_exit_tp = NULL;
}
