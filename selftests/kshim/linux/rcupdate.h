/* SPDX-License-Identifier: GPL-2.0 */
/* Stand-in: see types.h. */
#ifndef _KSHIM_LINUX_RCUPDATE_H
#define _KSHIM_LINUX_RCUPDATE_H
struct rcu_head {
	void *next;
	void (*func)(struct rcu_head *head);
};
#endif
