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
#include <time.h>

#include <ctnr/libctnr.h>

#ifndef CTNRCTL_VERSION
#define CTNRCTL_VERSION	LIBCTNR_VERSION
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Exit statuses.  container exec exits with the command's status, so its
 * own failures use 125 as env(1), chroot(8) and timeout(1) do; 126 and 127
 * are the command's "cannot run" and "not found".
 */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the operation failed */
#define EXIT_USAGE	2	/* the command line was wrong */
#define EXIT_EXEC_FAIL	125	/* container exec: ctnrctl itself failed */

/* Global options. */
extern bool json;		/* -j */
extern bool pretty;		/* -p */
extern bool timestamp;		/* -t, for monitor */

/*
 * A command of an object (or an object) and its handler.  @min is the
 * shortest prefix accepted: 0 for any, as iproute2 matches.  Commands that
 * change or remove something set it (CTL_CMD_FULL: the whole name), so
 * that no abbreviation can reach them by accident: "dev d" is no
 * "dev default".
 */
struct ctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned int min;
};

#define CTL_CMD(n, f)		{ (n), (f), 0 }
#define CTL_CMD_FULL(n, f)	{ (n), (f), sizeof(n) - 1 }
#define CTL_CMD_MIN(n, f, m)	{ (n), (f), (m) }

/* True if @arg is a non-empty prefix of @word, as iproute2 matches. */
bool is_prefix(const char *arg, const char *word);
/* The first command of @cmds that @arg abbreviates far enough, or NULL. */
const struct ctl_cmd *find_cmd(const struct ctl_cmd *cmds, unsigned int n,
			       const char *arg);
bool is_help(const char *arg);
/*
 * Run the command argv[0] of @object; with no command, @dflt (the show
 * or list of the object).  help prints the object's usage.
 */
int run_cmd(const char *object, const struct ctl_cmd *cmds, unsigned int n,
	    int (*dflt)(int argc, char **argv), int argc, char **argv);

/*
 * One line on stderr, escaped, "ctnrctl: " first (and in a batch the
 * file and line); usage_error() and op_failed() return the exit status.
 */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int op_failed(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The library handle, opened on first use; NULL after saying why. */
struct ctnr_handle *handle(void);

/* Usage text of one object (NULL: all) on stdout. */
void print_usage(const char *object);

/* The whole program, from main(): argv[0] is the program's name. */
int ctnrctl_main(int argc, char **argv);

/* The objects. */
int do_container(int argc, char **argv);	/* container.c */
int do_log(int argc, char **argv);		/* log.c */
int do_dev(int argc, char **argv);		/* dev.c */
int do_loop(int argc, char **argv);		/* loop.c */
int do_proc(int argc, char **argv);		/* proc.c */
int do_monitor(int argc, char **argv);		/* monitor.c */
int container_exec(int argc, char **argv);	/* exec.c */

/* container.c, shared with monitor */
void print_container(const struct ctnr_container *c, bool detail);
void print_container_members(const struct ctnr_container *c, bool detail);
int lookup_container(struct ctnr_handle *h, const char *what,
		     const char *name, struct ctnr_container *c);
/* A NAME or a well-formed @ID (then in *@id, if not NULL): 0 or 2. */
int check_ref(const char *what, const char *name, uint32_t *id);
/*
 * NAME (or @ID) to an id, opening the handle: 0, a positive exit status
 * (already said), or a negative errno for the caller to report.
 */
int lookup_id(const char *what, const char *name, uint32_t *id,
	      struct ctnr_handle **hp);
/* 0, or the exit status after saying what failed on container @name. */
int report(int err, const char *what, const char *name);

/* A container's id and name, as the module has them. */
struct ctr_ref {
	uint32_t id;
	char name[CTNR_NAME_MAX];
};

/* lookup_id(), with the container's own name (NAME may be @ID). */
int lookup_ref(const char *what, const char *name, struct ctr_ref *ref,
	       struct ctnr_handle **hp);
/*
 * The per-container lists (dev show, log show): @print for every container
 * we may see, in one JSON array; one that went meanwhile (-ENOENT) is left
 * out.  Returns the exit status, after saying what failed as @what.
 */
int show_each(const char *what,
	      int (*print)(struct ctnr_handle *h, uint32_t id,
			   const char *name));

/*
 * container identify PID: does the cgroup @ctr (of a container) contain
 * the cgroup @task?  Both are paths from the same cgroup namespace root.
 * Returns 1 + the depth of @ctr (so that the innermost sorts first), or 0.
 */
unsigned int cgroup_contains(const char *ctr, const char *task);

/*
 * parse.c: numbers as ctnrctl reads them, always in decimal: "010" is
 * ten, "0x10" no number at all.  Each returns 0 or -EINVAL.
 */
int parse_u32(const char *s, uint32_t *v);
/* Bytes: digits and an optional K, M, G or T (powers of 1024). */
int parse_size(const char *s, uint64_t *v);
/* N, ctnrloopN or /dev/ctnrloopN. */
int parse_loop_index(const char *s, uint32_t *index);
/* "on" or "off". */
int parse_on_off(const char *s, bool *v);
/*
 * "2026-12-03T10:00:00.123456+0100", the local time of @ts: the prefix of
 * monitor -t.  Returns the length, or -ENOSPC.
 */
int format_timestamp(const struct timespec *ts, char *buf, size_t len);

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
/* Forget a JSON document left open (a failed command of a batch). */
void print_reset(void);

#endif /* CTNRCTL_H */
