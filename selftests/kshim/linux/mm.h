/* SPDX-License-Identifier: GPL-2.0 */
/* Stand-in: see types.h. */
#ifndef _KSHIM_LINUX_MM_H
#define _KSHIM_LINUX_MM_H
#include <linux/slab.h>
#endif
