/* SPDX-License-Identifier: GPL-2.0 */
/* Stand-in: see types.h. */
#ifndef _KSHIM_LINUX_STRING_H
#define _KSHIM_LINUX_STRING_H
#include <string.h>
#endif
