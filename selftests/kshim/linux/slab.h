/* SPDX-License-Identifier: GPL-2.0 */
/* Stand-in: see types.h. */
#ifndef _KSHIM_LINUX_SLAB_H
#define _KSHIM_LINUX_SLAB_H
#include <stdlib.h>

#define GFP_KERNEL	0

static inline void *kvmalloc_array(size_t n, size_t size, int gfp)
{
	(void)gfp;
	return size && n > (size_t)-1 / size ? NULL : malloc(n * size);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}
#endif
