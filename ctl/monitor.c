// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl monitor [ all | OBJECT | EVENT ]... [ name NAME ]...
 *
 * The module's events as they come, one per line (one JSON object per line
 * with -j), like ip monitor.  OBJECT (container, dev, log, loop) stands
 * for its events; EVENT is one of the names ctnr_event_name() gives
 * ("new", "dev-denied", ...); none, or all, is every event.  name NAME
 * (or @ID) keeps the events of those containers only; a name is matched
 * as the event carries it, so a container not yet created can be waited
 * for.  With -t every event starts with the local time it was received.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctnrctl.h"

#define EV(e)		(1U << CTNR_EVENT_##e)

static const struct {
	const char *object;
	uint32_t events;
} mon_objects[] = {
	{ "container",	EV(CONTAINER_NEW) | EV(CONTAINER_DEL) |
			EV(CONTAINER_STOPPED) },
	{ "dev",	EV(DEV_DENIED) },
	{ "log",	EV(LOG_DROPPED) },
	{ "loop",	EV(LOOP_ATTACHED) | EV(LOOP_DETACHED) },
};

struct mon_name {
	const char *name;	/* NULL: by id */
	uint32_t id;
};

struct mon {
	bool all;		/* no event filter */
	uint32_t events;	/* 1 << enum ctnr_event */
	struct mon_name *names;	/* none: every container */
	unsigned int nnames;
	bool broken;		/* stdout could not be written */
};

/* The event bit of @word, one of the library's event names, or 0. */
static uint32_t event_bit(const char *word)
{
	const char *name;
	unsigned int t;

	for (t = 1; t < 32; t++) {
		name = ctnr_event_name(t);
		if (strcmp(name, "unknown") && !strcmp(name, word))
			return 1U << t;
	}
	return 0;
}

static int mon_add_name(struct mon *m, const char *arg)
{
	struct mon_name *n;

	n = realloc(m->names, (m->nnames + 1) * sizeof(*n));
	if (!n)
		return usage_error("monitor: out of memory");
	m->names = n;
	n = &m->names[m->nnames];
	n->name = arg;
	n->id = 0;
	if (arg[0] == '@') {
		if (parse_u32(arg + 1, &n->id) || !n->id)
			return usage_error("monitor: invalid container id \"%s\" (@ID, the number list shows)",
					   arg);
		n->name = NULL;
	}
	m->nnames++;
	return 0;
}

static int mon_parse(int argc, char **argv, struct mon *m)
{
	unsigned int i;
	uint32_t bit;
	int rc;

	m->all = true;
	for (; argc > 0; argc--, argv++) {
		const char *w = argv[0];

		if (!strcmp(w, "name")) {
			if (argc < 2)
				return usage_error("monitor: \"name\" needs a NAME");
			argc--, argv++;
			rc = mon_add_name(m, argv[0]);
			if (rc)
				return rc;
			continue;
		}
		if (!strcmp(w, "all")) {
			m->events = ~0U;
			m->all = false;
			continue;
		}
		bit = event_bit(w);
		for (i = 0; !bit && i < ARRAY_SIZE(mon_objects); i++) {
			if (!strcmp(w, mon_objects[i].object))
				bit = mon_objects[i].events;
		}
		if (!bit)
			return usage_error("monitor: unknown \"%s\" (an object, an event or name NAME), try \"ctnrctl monitor help\"",
					   w);
		m->events |= bit;
		m->all = false;
	}
	if (m->events == ~0U)
		m->all = true;
	return 0;
}

static bool mon_wanted(const struct mon *m, const struct ctnr_event_info *ev)
{
	unsigned int i;

	if (!m->all && (ev->type >= 32 || !(m->events & (1U << ev->type))))
		return false;
	if (!m->nnames)
		return true;
	for (i = 0; i < m->nnames; i++) {
		const struct mon_name *n = &m->names[i];

		if (n->name ? (ev->c.has & CTNR_HAS_NAME) &&
			      !strcmp(ev->c.name, n->name) :
			      (ev->c.has & CTNR_HAS_ID) && ev->c.id == n->id)
			return true;
	}
	return false;
}

static void print_stamp(void)
{
	struct timespec now;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &now);
	if (format_timestamp(&now, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	print_string(PRINT_ANY, "timestamp", "[%s] ", buf);
}

static void print_denial(const struct ctnr_event_info *ev)
{
	static const char types[] = "abc";
	char dev[32], acc[4];
	int n = 0;

	snprintf(dev, sizeof(dev), "%c %u:%u",
		 ev->dev_type < 3 ? types[ev->dev_type] : '?',
		 ev->dev_major, ev->dev_minor);
	if (ev->dev_access & CTNR_DEV_ACC_READ)
		acc[n++] = 'r';
	if (ev->dev_access & CTNR_DEV_ACC_WRITE)
		acc[n++] = 'w';
	if (ev->dev_access & CTNR_DEV_ACC_MKNOD)
		acc[n++] = 'm';
	acc[n] = 0;
	print_string(PRINT_ANY, "device", " device %s", dev);
	print_string(PRINT_ANY, "access", " access %s", acc);
	print_uint(PRINT_ANY, "task_pid", " task %llu", ev->task_pid);
	print_string(PRINT_ANY, "task_comm", " (%s)", ev->task_comm);
}

static int monitor_event(const struct ctnr_event_info *ev, void *arg)
{
	struct mon *m = arg;

	if (!mon_wanted(m, ev))
		return 0;
	open_json_object(NULL);
	if (timestamp)
		print_stamp();
	print_string(PRINT_ANY, "event", "%s", ctnr_event_name(ev->type));
	if (ev->c.has & (CTNR_HAS_ID | CTNR_HAS_NAME)) {
		print_fp(" ");
		print_container_members(&ev->c, false);
	}
	if (ev->has & CTNR_EV_HAS_DEV)
		print_denial(ev);
	if (ev->has & CTNR_EV_HAS_LOG_DROPPED)
		print_uint(PRINT_ANY, "log_dropped", " dropped %llu",
			   ev->log_dropped);
	if (ev->has & CTNR_EV_HAS_LOOP_INDEX)
		print_uint(PRINT_ANY, "loop_index", " loop %llu",
			   ev->loop_index);
	print_nl();
	close_json_object();
	if (print_flush())
		m->broken = true;
	return m->broken;
}

int do_monitor(int argc, char **argv)
{
	struct mon m = { 0 };
	struct ctnr_monitor *mon;
	struct ctnr_handle *h;
	int err, rc;

	if (argc == 1 && is_help(argv[0])) {
		print_usage("monitor");
		return EXIT_OK;
	}
	rc = mon_parse(argc, argv, &m);
	if (rc)
		goto out;
	rc = EXIT_FAIL;
	h = handle();
	if (!h)
		goto out;
	err = ctnr_monitor_open(h, &mon);
	if (err) {
		rc = op_failed(err, "monitor");
		goto out;
	}
	pretty = false;		/* one object per line */
	for (;;) {
		err = ctnr_monitor_read(mon, -1, monitor_event, &m);
		if (m.broken)
			break;
		if (err == -EINTR)
			continue;
		if (err == -ENOBUFS) {
			say("monitor: events lost, the receive buffer overflowed");
			continue;
		}
		if (err < 0)
			break;
	}
	ctnr_monitor_close(mon);
	if (!m.broken)
		rc = op_failed(err, "monitor");
out:
	free(m.names);
	return rc;
}
