/* SPDX-License-Identifier: GPL-2.0 */
/* Stand-in: see types.h.  The system's uapi errno numbers are the kernel's. */
#ifndef _KSHIM_LINUX_ERRNO_H
#define _KSHIM_LINUX_ERRNO_H
#include_next <linux/errno.h>
#endif
