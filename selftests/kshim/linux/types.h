/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stand-ins for the kernel headers kmod/devrules.c includes, so that the
 * rule-set code builds in user space for selftests/devrules.c.  Only what
 * devrules.c uses; each header forwards to the system's where one exists.
 */
#ifndef _KSHIM_LINUX_TYPES_H
#define _KSHIM_LINUX_TYPES_H
#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif
