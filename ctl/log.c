// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl log: a container's log, the syslog namespace.
 *
 *	ctnrctl log { show | list } [ NAME [ follow ] ]
 *	ctnrctl log clear NAME
 *	ctnrctl log set NAME size BYTES
 *
 * log alone, and show without NAME, list every container's log buffer
 * (size, records dropped); with NAME, show prints the records as dmesg
 * does.  clear and set are never abbreviated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctnrctl.h"

struct log_print {
	const char *name;
	bool broken;		/* stdout could not be written */
	bool follow;
};

/*
 * The text, with control bytes as \xNN the way /dev/kmsg escapes them, and
 * also what else a terminal would act on (escape_text()): the container
 * wrote it.
 */
static void print_text(const struct ctnr_log_record *r)
{
	uint32_t len = r->text_len;

	if (len > CTNR_LOG_TEXT_MAX)
		len = CTNR_LOG_TEXT_MAX;
	fputs_escaped(r->text, len, stdout);
}

/* dmesg's "[    5.123456] text", or a JSON object. */
static int print_record(const struct ctnr_log_record *r, void *arg)
{
	struct log_print *p = arg;

	if (json) {
		open_json_object(NULL);
		print_uint(PRINT_JSON, "id", NULL, r->id);
		print_string(PRINT_JSON, "container", NULL, p->name);
		print_uint(PRINT_JSON, "seq", NULL, r->seq);
		print_uint(PRINT_JSON, "ts_usec", NULL, r->ts_usec);
		print_string(PRINT_JSON, "facility", NULL,
			     ctnr_log_facility_name(r->facility));
		print_string(PRINT_JSON, "level", NULL,
			     ctnr_log_level_name(r->level));
		print_bool(PRINT_JSON, "cont", NULL,
			   r->flags & CTNR_LOG_F_CONT);
		print_string(PRINT_JSON, "text", NULL, r->text);
		close_json_object();
	} else {
		printf("[%5llu.%06llu] ",
		       (unsigned long long)(r->ts_usec / 1000000),
		       (unsigned long long)(r->ts_usec % 1000000));
		print_text(r);
		putchar('\n');
	}
	/* following: each record as it comes */
	if (p->follow && print_flush()) {
		p->broken = true;
		return 1;
	}
	return 0;
}

/*
 * The records of NAME.  Shown, they are one JSON array; followed, a
 * stream of one object per line, as monitor prints events.
 */
static int log_records(const char *name, bool follow)
{
	struct log_print p = { .follow = follow };
	struct ctnr_container *c;
	struct ctnr_handle *h;
	int err, rc;

	if (check_ref("log show", name, NULL))
		return EXIT_USAGE;
	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "log show %s", name);
	err = lookup_container(h, "log show", name, c);
	if (err) {
		free(c);
		return report(err, "log show", name);
	}
	p.name = c->name;
	if (follow) {
		pretty = false;		/* one record per line */
		err = ctnr_log_follow(h, c->id, NULL, CTNR_LOG_FROM_CLEAR, 0,
				      print_record, &p);
	} else {
		open_json_array(NULL);
		err = ctnr_log_get(h, c->id, NULL, CTNR_LOG_FROM_CLEAR,
				   print_record, &p, NULL);
		close_json_array();
	}
	free(c);
	if (p.broken)
		return EXIT_FAIL;
	rc = print_flush();
	if (err)
		return report(err, "log show", name);
	return rc;
}

/* "ID: NAME size BYTES dropped N" for one container. */
static int print_info(struct ctnr_handle *h, uint32_t id, const char *name)
{
	struct ctnr_log_info li;
	int err;

	err = ctnr_log_info(h, id, NULL, &li);
	if (err)
		return err;
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "%llu: ", id);
	print_string(PRINT_ANY, "name", "%s", name);
	if (li.has & CTNR_LOG_HAS_SIZE)
		print_uint(PRINT_ANY, "size", " size %llu", li.size);
	if (li.has & CTNR_LOG_HAS_DROPPED)
		print_uint(PRINT_ANY, "dropped", " dropped %llu", li.dropped);
	print_nl();
	close_json_object();
	return 0;
}

/* The buffers of every container; one that went meanwhile is left out. */
static int log_list(void)
{
	return show_each("log show", print_info);
}

static int log_show(int argc, char **argv)
{
	if (argc == 0)
		return log_list();
	if (argc > 1 && !is_prefix(argv[1], "follow"))
		return usage_error("log show %s: unexpected \"%s\", try \"ctnrctl log help\"",
				   argv[0], argv[1]);
	if (argc > 2)
		return usage_error("log show %s: unexpected \"%s\"", argv[0],
				   argv[2]);
	return log_records(argv[0], argc > 1);
}

static int log_clear(int argc, char **argv)
{
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err;

	if (argc < 1)
		return usage_error("log clear: missing NAME");
	if (argc > 1)
		return usage_error("log clear: unexpected \"%s\"", argv[1]);
	err = lookup_id("log clear", argv[0], &id, &h);
	if (!err)
		err = ctnr_log_clear(h, id, NULL);
	return report(err, "log clear", argv[0]);
}

/* log set NAME size BYTES: keyword and value, as container set. */
static int log_set(int argc, char **argv)
{
	struct ctnr_handle *h;
	const char *name;
	uint32_t id = 0;
	uint64_t size = 0;
	bool have_size = false;
	int err;

	if (argc < 1)
		return usage_error("log set: missing NAME");
	name = argv[0];
	for (argc--, argv++; argc > 0; argc--, argv++) {
		if (strcmp(argv[0], "size"))
			return usage_error("log set: unknown argument \"%s\"",
					   argv[0]);
		if (have_size)
			return usage_error("log set: \"size\" given twice");
		if (argc < 2)
			return usage_error("log set: \"size\" needs BYTES");
		argc--, argv++;
		if (parse_size(argv[0], &size) || size > UINT32_MAX)
			return usage_error("log set: invalid BYTES \"%s\" (a number, optionally with K or M)",
					   argv[0]);
		have_size = true;
	}
	if (!have_size)
		return usage_error("log set: nothing to change");
	err = lookup_id("log set", name, &id, &h);
	if (!err)
		err = ctnr_log_set_size(h, id, NULL, (uint32_t)size);
	return report(err, "log set", name);
}

/* In prefix-match order: "s" and "l" show; clear and set written out. */
static const struct ctl_cmd log_cmds[] = {
	CTL_CMD("show",		log_show),
	CTL_CMD("list",		log_show),
	CTL_CMD("ls",		log_show),
	CTL_CMD_FULL("clear",	log_clear),
	CTL_CMD_FULL("set",	log_set),
};

int do_log(int argc, char **argv)
{
	return run_cmd("log", log_cmds, ARRAY_SIZE(log_cmds), log_show, argc,
		       argv);
}
