/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ctnr

#if !defined(_CTNR_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CTNR_TRACE_H

#include <linux/tracepoint.h>
#include "ctnr.h"

DECLARE_EVENT_CLASS(ctnr_container_class,
	TP_PROTO(const struct ctnr_container *c),
	TP_ARGS(c),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u32, state)
		__field(u32, flags)
		__array(char, name, CTNR_NAME_MAX)
	),
	TP_fast_assign(
		__entry->id = c->id;
		__entry->state = c->state;
		__entry->flags = c->flags;
		memcpy(__entry->name, c->key.name, CTNR_NAME_MAX);
	),
	TP_printk("id=%u name=%s state=%u flags=%#x", __entry->id,
		  __entry->name, __entry->state, __entry->flags)
);

DEFINE_EVENT(ctnr_container_class, ctnr_container_new,
	TP_PROTO(const struct ctnr_container *c), TP_ARGS(c));
DEFINE_EVENT(ctnr_container_class, ctnr_container_del,
	TP_PROTO(const struct ctnr_container *c), TP_ARGS(c));
DEFINE_EVENT(ctnr_container_class, ctnr_container_stopped,
	TP_PROTO(const struct ctnr_container *c), TP_ARGS(c));

/* kmsg.c: user writes dropped by the rate limit (itself rate-limited). */
TRACE_EVENT(ctnr_log_dropped,
	TP_PROTO(const struct ctnr_container *c, u64 dropped),
	TP_ARGS(c, dropped),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u64, dropped)
	),
	TP_fast_assign(
		__entry->id = c->id;
		__entry->dropped = dropped;
	),
	TP_printk("id=%u dropped=%llu", __entry->id, __entry->dropped)
);

/* devaccess.c: every refused device access, not rate-limited. */
TRACE_EVENT(ctnr_dev_denied,
	TP_PROTO(const struct ctnr_container *c, u32 type, u32 major,
		 u32 minor, u32 access),
	TP_ARGS(c, type, major, minor, access),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u32, type)
		__field(u32, major)
		__field(u32, minor)
		__field(u32, access)
		__field(pid_t, pid)
		__array(char, comm, TASK_COMM_LEN)
	),
	TP_fast_assign(
		__entry->id = c->id;
		__entry->type = type;
		__entry->major = major;
		__entry->minor = minor;
		__entry->access = access;
		__entry->pid = task_tgid_nr(current);
		memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
	),
	TP_printk("id=%u dev=%s %u:%u access=%#x pid=%d comm=%s",
		  __entry->id,
		  __print_symbolic(__entry->type, { CTNR_DEV_TYPE_ALL, "a" },
				   { CTNR_DEV_TYPE_BLOCK, "b" },
				   { CTNR_DEV_TYPE_CHAR, "c" }),
		  __entry->major, __entry->minor, __entry->access,
		  __entry->pid, __entry->comm)
);

/* loop.c: a ctnrloop device attached to or detached from a container. */
DECLARE_EVENT_CLASS(ctnr_loop_class,
	TP_PROTO(const struct ctnr_container *c, int index),
	TP_ARGS(c, index),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(int, index)
	),
	TP_fast_assign(
		__entry->id = c->id;
		__entry->index = index;
	),
	TP_printk("id=%u index=%d", __entry->id, __entry->index)
);

DEFINE_EVENT(ctnr_loop_class, ctnr_loop_attach,
	TP_PROTO(const struct ctnr_container *c, int index), TP_ARGS(c, index));
DEFINE_EVENT(ctnr_loop_class, ctnr_loop_detach,
	TP_PROTO(const struct ctnr_container *c, int index), TP_ARGS(c, index));

#endif /* _CTNR_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
