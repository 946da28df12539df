/* SPDX-License-Identifier: GPL-2.0 */
/* Stand-in: see types.h.  The kernel's sort() is not stable either. */
#ifndef _KSHIM_LINUX_SORT_H
#define _KSHIM_LINUX_SORT_H
#include <stdlib.h>

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}
#endif
