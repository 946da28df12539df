// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl log: a container's log, the syslog namespace.
 *
 *	ctnrctl log NAME [ follow ]
 *	ctnrctl log clear NAME
 *	ctnrctl log size NAME BYTES
 *
 * "clear" and "size" are keywords only when another argument follows, as
 * iproute2 reads its keywords: "ctnrctl log clear" shows the log of a
 * container named "clear".  "--" ends the keywords: "ctnrctl log -- size
 * follow" follows the container named "size".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctnrctl.h"

struct log_print {
	const char *name;
	bool broken;		/* stdout could not be written */
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

/* dmesg's "[    5.123456] text", or one JSON object per line. */
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
	if (print_flush()) {
		p->broken = true;
		return 1;
	}
	return 0;
}

static int log_show(const char *name, bool follow)
{
	struct log_print p = { .name = name };
	struct ctnr_container *c;
	struct ctnr_handle *h;
	int err;

	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "log %s", name);
	err = lookup_container(h, "log", name, c);
	if (!err) {
		pretty = false;		/* one record per line, also in JSON */
		if (follow)
			err = ctnr_log_follow(h, c->id, NULL,
					      CTNR_LOG_FROM_CLEAR, 0,
					      print_record, &p);
		else
			err = ctnr_log_get(h, c->id, NULL, CTNR_LOG_FROM_CLEAR,
					   print_record, &p, NULL);
	}
	free(c);
	if (p.broken)
		return EXIT_FAIL;
	if (err > 0)
		return err;	/* lookup_container() said why */
	if (err)
		return op_failed(err, "log %s", name);
	return print_flush();
}

static int log_clear(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	int err;

	if (argc != 1)
		return usage_error("log clear: unexpected \"%s\"", argv[1]);
	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "log clear %s", argv[0]);
	err = lookup_container(h, "log clear", argv[0], c);
	if (!err)
		err = ctnr_log_clear(h, c->id, NULL);
	free(c);
	if (err > 0)
		return err;
	if (err)
		return op_failed(err, "log clear %s", argv[0]);
	return EXIT_OK;
}

/* BYTES: a decimal number, optionally with k/K or m/M (times 1024). */
static int parse_bytes(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'k' || *end == 'K') {
		v *= 1024;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		v *= 1024 * 1024;
		end++;
	}
	if (*end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int log_size(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	uint32_t bytes;
	int err;

	if (argc < 2)
		return usage_error("log size: missing BYTES, try \"ctnrctl help log\"");
	if (argc > 2)
		return usage_error("log size: unexpected \"%s\"", argv[2]);
	if (parse_bytes(argv[1], &bytes))
		return usage_error("log size: invalid BYTES \"%s\" (a number, optionally with K or M)",
				   argv[1]);
	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "log size %s", argv[0]);
	err = lookup_container(h, "log size", argv[0], c);
	if (!err)
		err = ctnr_log_set_size(h, c->id, NULL, bytes);
	free(c);
	if (err > 0)
		return err;
	if (err)
		return op_failed(err, "log size %s %s", argv[0], argv[1]);
	return EXIT_OK;
}

int do_log(int argc, char **argv)
{
	bool follow = false;

	if (argc == 0)
		return usage_error("log: missing NAME, try \"ctnrctl help log\"");
	if (argc == 1 && is_help(argv[0])) {
		print_usage("log");
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "--")) {
		argc--, argv++;
		if (argc == 0)
			return usage_error("log: missing NAME after \"--\"");
	} else if (argc > 1 && !strcmp(argv[0], "clear")) {
		return log_clear(argc - 1, argv + 1);
	} else if (argc > 1 && !strcmp(argv[0], "size")) {
		return log_size(argc - 1, argv + 1);
	}
	if (argc > 1) {
		if (!is_prefix(argv[1], "follow"))
			return usage_error("log %s: unexpected \"%s\", try \"ctnrctl help log\"",
					   argv[0], argv[1]);
		follow = true;
	}
	if (argc > 2)
		return usage_error("log %s: unexpected \"%s\"", argv[0], argv[2]);
	return log_show(argv[0], follow);
}
