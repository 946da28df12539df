/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctnrctl: what the object handlers share.
 */
#ifndef CTNRCTL_H
#define CTNRCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libctnr.h>

#ifndef CTNRCTL_VERSION
#define CTNRCTL_VERSION	LIBCTNR_VERSION
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the operation failed */
#define EXIT_USAGE	2	/* the command line was wrong */

/* Global options. */
extern bool json;
extern bool pretty;

/* An object (or a command of one) and its handler. */
struct ctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/* True if @arg is a non-empty prefix of @word, as iproute2 matches. */
bool is_prefix(const char *arg, const char *word);
const struct ctl_cmd *find_cmd(const struct ctl_cmd *cmds, unsigned int n,
			       const char *arg);
bool is_help(const char *arg);
int run_cmd(const char *object, const struct ctl_cmd *cmds, unsigned int n,
	    int argc, char **argv);

/* One line on stderr, escaped; the last two return the exit status. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int op_failed(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The library handle, opened on first use; NULL after printing why. */
struct ctnr_handle *handle(void);

/* Usage text of one object (NULL: all) on stdout. */
void print_usage(const char *object);

/* ctnrctl.c objects */
int do_container(int argc, char **argv);
int do_log(int argc, char **argv);		/* log.c */
int do_dev(int argc, char **argv);		/* dev.c */
int do_loop(int argc, char **argv);		/* loop.c */
int do_exec(int argc, char **argv);		/* exec.c */
int do_proc(int argc, char **argv);		/* proc.c */

/* container.c, shared with monitor */
void print_container(const struct ctnr_container *c, bool detail);
void print_container_members(const struct ctnr_container *c, bool detail);
int lookup_container(struct ctnr_handle *h, const char *what,
		     const char *name, struct ctnr_container *c);

/*
 * print.c: one print path for text and JSON, after iproute2.  In text mode
 * fmt is used with printf; in JSON mode key/value pairs are written, the
 * fmt ignored.  PRINT_FP or PRINT_JSON restricts an item to one mode.
 */
enum print_type {
	PRINT_FP	= 1,
	PRINT_JSON	= 2,
	PRINT_ANY	= PRINT_FP | PRINT_JSON,
};

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);
void print_string(enum print_type t, const char *key, const char *fmt,
		  const char *val);
void print_uint(enum print_type t, const char *key, const char *fmt,
		uint64_t val);
void print_bool(enum print_type t, const char *key, const char *fmt,
		bool val);
void print_fp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Text for a terminal: control characters, backslash, invalid UTF-8, C1
 * controls and bidirectional marks as \xNN.  print_string() applies it to
 * every value in text mode, so strings the container controls never reach
 * the terminal raw.
 */
char *escape_text(const char *s, size_t len);
void fputs_escaped(const char *s, size_t len, FILE *f);
void print_nl(void);
int print_flush(void);

#endif /* CTNRCTL_H */
