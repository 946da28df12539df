// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl - manage ctnr containers
 *
 *	ctnrctl [ OPTIONS ] OBJECT { COMMAND | help }
 *
 * The grammar is iproute2's: objects from a table, commands from a table
 * per object, both matched by prefix in table order, keyword/value
 * arguments; an object alone shows (lists) it.  Commands that change or
 * remove something are never reached by an abbreviation (struct ctl_cmd).
 * Exit status: 0 done, 1 the operation failed, 2 the command line was
 * wrong; container exec exits with the command's status, 125 when
 * ctnrctl itself failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctnrctl.h"

bool json;
bool pretty;
bool timestamp;

static struct ctnr_handle *the_handle;

/* In a batch: where the command being run comes from. */
static const char *batch_file;
static unsigned int batch_line;

/* ---- helpers ----------------------------------------------------------- */

bool is_prefix(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && !strncmp(arg, word, len);
}

/* Does @arg name @cmd: a prefix of it, at least @cmd->min long? */
static bool cmd_matches(const struct ctl_cmd *cmd, const char *arg)
{
	return is_prefix(arg, cmd->name) && strlen(arg) >= cmd->min;
}

const struct ctl_cmd *find_cmd(const struct ctl_cmd *cmds, unsigned int n,
			       const char *arg)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (cmd_matches(&cmds[i], arg))
			return &cmds[i];
	}
	return NULL;
}

bool is_help(const char *arg)
{
	return is_prefix(arg, "help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "--help");
}

/*
 * @arg abbreviates commands that must be written out: the usage error
 * names them in their shortest accepted form ("write default, del or
 * deny in full").  Returns the exit status, or 0 when @arg is no such
 * abbreviation.
 */
static int too_short(const char *object, const struct ctl_cmd *cmds,
		     unsigned int n, const char *arg)
{
	char names[256] = "";
	unsigned int i, count = 0, last = 0;
	size_t len;

	for (i = 0; i < n; i++) {
		if (is_prefix(arg, cmds[i].name) && !cmd_matches(&cmds[i], arg)) {
			count++;
			last = i;
		}
	}
	if (!count)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_prefix(arg, cmds[i].name) || cmd_matches(&cmds[i], arg))
			continue;
		len = strlen(names);
		snprintf(names + len, sizeof(names) - len, "%s%.*s",
			 !len ? "" : i == last ? " or " : ", ",
			 (int)cmds[i].min, cmds[i].name);
	}
	return usage_error("%s: \"%s\" is too short: commands that change or remove are written out (%s)",
			   object, arg, names);
}

int run_cmd(const char *object, const struct ctl_cmd *cmds, unsigned int n,
	    int (*dflt)(int argc, char **argv), int argc, char **argv)
{
	const struct ctl_cmd *cmd;
	int rc;

	if (argc == 0)
		return dflt(0, argv);
	if (is_help(argv[0])) {
		if (argc > 1)
			return usage_error("%s help: unexpected \"%s\"",
					   object, argv[1]);
		print_usage(object);
		return EXIT_OK;
	}
	cmd = find_cmd(cmds, n, argv[0]);
	if (cmd)
		return cmd->fn(argc - 1, argv + 1);
	rc = too_short(object, cmds, n, argv[0]);
	if (rc)
		return rc;
	return usage_error("%s: unknown command \"%s\", try \"ctnrctl %s help\"",
			   object, argv[0], object);
}

/*
 * "ctnrctl: [FILE:LINE: ]MESSAGE" on one line of stderr.  The message is
 * escaped as text output is: it may quote names and paths the container
 * chose, and the library's messages quote cgroup paths.
 */
static void vsay(const char *fmt, va_list ap, const char *tail)
{
	char buf[1024];
	int n;

	fflush(stdout);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		buf[0] = '\0';
	fputs("ctnrctl: ", stderr);
	if (batch_file) {
		fputs_escaped(batch_file, strlen(batch_file), stderr);
		fprintf(stderr, ":%u: ", batch_line);
	}
	fputs_escaped(buf, strlen(buf), stderr);
	if (tail)
		fputs_escaped(tail, strlen(tail), stderr);
	fputc('\n', stderr);
	fflush(stderr);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap, NULL);
	va_end(ap);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap, NULL);
	va_end(ap);
	return EXIT_USAGE;
}

/* "ctnrctl: WHAT: STRERROR[: KERNEL MESSAGE]" */
int op_failed(int err, const char *fmt, ...)
{
	const char *detail = ctnr_last_error(the_handle);
	char tail[768];
	va_list ap;

	snprintf(tail, sizeof(tail), ": %s%s%s", ctnr_strerror(err),
		 detail[0] ? ": " : "", detail);
	va_start(ap, fmt);
	vsay(fmt, ap, tail);
	va_end(ap);
	return EXIT_FAIL;
}

/*
 * Opened on first use, and tried again by every command after a failure:
 * each command of a batch that needs the module says so itself.
 */
struct ctnr_handle *handle(void)
{
	int err;

	if (the_handle)
		return the_handle;
	err = ctnr_open(&the_handle);
	if (err == -ENOENT)
		say("ctnr module not loaded (no generic netlink family \"%s\")",
		    CTNR_GENL_NAME);
	else if (err)
		say("cannot talk to the ctnr module: %s", ctnr_strerror(err));
	return err ? NULL : the_handle;
}

/* ---- usage ------------------------------------------------------------- */

static const struct {
	const char *object;
	const char *text;
} usage_lines[] = {
	{ "container",	"ctnrctl container { show | list } [ NAME ]" },
	{ "container",	"ctnrctl container add NAME pid PID [ autoremove ]" },
	{ "container",	"ctnrctl container del NAME" },
	{ "container",	"ctnrctl container set NAME autoremove { on | off }" },
	{ "container",	"ctnrctl container exec NAME [ ns LIST ] [ keepenv ] [ env VAR[=VALUE] ]... [ -- ] CMD [ ARG... ]" },
	{ "container",	"ctnrctl container identify [ PID ]" },
	{ "dev",	"ctnrctl dev { show | list } [ NAME ]" },
	{ "dev",	"ctnrctl dev add NAME TYPE MAJ:MIN ACCESS" },
	{ "dev",	"ctnrctl dev del NAME TYPE MAJ:MIN ACCESS" },
	{ "dev",	"ctnrctl dev { allow | deny } NAME RULE" },
	{ "dev",	"ctnrctl dev default NAME { allow | deny }" },
	{ "dev",	"ctnrctl dev set NAME { allow | deny } [ RULE ]..." },
	{ "dev",	"ctnrctl dev preset NAME lxc" },
	{ "log",	"ctnrctl log { show | list } [ NAME [ follow ] ]" },
	{ "log",	"ctnrctl log clear NAME" },
	{ "log",	"ctnrctl log set NAME size BYTES" },
	{ "loop",	"ctnrctl loop { show | list } [ NAME ]" },
	{ "loop",	"ctnrctl loop attach NAME FILE [ ro ] [ direct ] [ offset N ] [ sizelimit N ] [ blocksize { 512 | 4096 } ]" },
	{ "loop",	"ctnrctl loop detach NAME INDEX [ lazy ]" },
	{ "loop",	"ctnrctl loop quota NAME [ COUNT ]" },
	{ "proc",	"ctnrctl proc { show | list } [ NAME ]" },
	{ "proc",	"ctnrctl proc mount [ NAME [ root DIR ] ]" },
	{ "monitor",	"ctnrctl monitor [ all | OBJECT | EVENT ]... [ name NAME ]..." },
	{ "version",	"ctnrctl version" },
	{ "help",	"ctnrctl help [ OBJECT ]" },
};

/* The "where" lines of each object, after its commands. */
static const struct {
	const char *object;
	const char *text;
} where_lines[] = {
	{ "container",	"where  LIST := comma separated mnt,uts,ipc,net,pid,user,cgroup,time or all\n"
			"               (default: every namespace the container pinned)\n"
			"       the environment is PATH, HOME=/root and TERM unless keepenv;\n"
			"       env VAR=VALUE sets VAR, env VAR passes ours on\n"
			"       PID := a process (default: ourselves)\n" },
	{ "dev",	"where  RULE := { a | TYPE MAJ:MIN ACCESS }, as written to cgroup v1\n"
			"               devices.allow or devices.deny (one word or three)\n"
			"       TYPE := { b | c }   MAJ, MIN := a number or *\n"
			"       ACCESS := a non-empty subset of rwm\n" },
	{ "log",	"where  BYTES := 4096 to 16M; K and M suffixes count 1024s\n" },
	{ "loop",	"where  N := a number of bytes; K, M, G and T suffixes count 1024s\n"
			"       INDEX := N of /dev/ctnrloopN\n" },
	{ "monitor",	"where  OBJECT := { container | dev | log | loop }\n"
			"       EVENT := { new | del | stopped | dev-denied | log-dropped |\n"
			"                  loop-attached | loop-detached | hook }\n" },
};

static bool takes_name(const char *object)
{
	return strcmp(object, "version") && strcmp(object, "help");
}

void print_usage(const char *object)
{
	bool first = object != NULL;
	unsigned int i;

	if (!object)
		printf("Usage: ctnrctl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		       "       ctnrctl [ OPTIONS ] -b[atch] FILE\n"
		       "where  OBJECT := { container | dev | log | loop | proc | monitor | version | help }\n"
		       "       OPTIONS := { -j[son] | -p[retty] | -t[imestamp] | -f[orce] |\n"
		       "                    -V[ersion] | -h[elp] }\n"
		       "\n");
	for (i = 0; i < ARRAY_SIZE(usage_lines); i++) {
		if (object && strcmp(object, usage_lines[i].object))
			continue;
		printf("%s %s\n", first ? "Usage:" : "      ",
		       usage_lines[i].text);
		first = false;
	}
	if (!object || takes_name(object))
		printf("where  NAME := 1 to 63 of A-Z a-z 0-9 _ . -, a container of our own user\n"
		       "               namespace; @ID: any we may see, by the id list shows\n");
	for (i = 0; i < ARRAY_SIZE(where_lines); i++) {
		if (!object || !strcmp(object, where_lines[i].object))
			fputs(where_lines[i].text, stdout);
	}
	if (!object || (takes_name(object) && strcmp(object, "monitor")))
		printf("Commands that change or remove (del, set, default, allow, deny, preset,\n"
		       "clear, detach, quota) are never abbreviated; del stands for delete.\n");
}

/* "OBJECT help" or "OBJECT -h" as the only argument. */
static int object_help(const char *object, int argc, char **argv)
{
	if (argc == 1 && is_help(argv[0])) {
		print_usage(object);
		return EXIT_OK;
	}
	if (argc > 0)
		return usage_error("%s: unexpected \"%s\", try \"ctnrctl %s help\"",
				   object, argv[0], object);
	return -1;
}

/* ---- version ----------------------------------------------------------- */

/* "hook devaccess enforcing (ftrace, 0 missed)" and, if lapsed, why. */
static int print_hook(const struct ctnr_hook_info *hi, void *arg)
{
	(void)arg;
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "hook %s", hi->name);
	print_string(PRINT_ANY, "state", " %s",
		     ctnr_hook_state_name(hi->state));
	if (hi->has & CTNR_HOOK_HAS_MODE)
		print_string(PRINT_ANY, "mode", " (%s", hi->mode);
	if (hi->has & CTNR_HOOK_HAS_MISSED)
		print_uint(PRINT_ANY, "missed", ", %llu missed", hi->missed);
	if (hi->has & CTNR_HOOK_HAS_MODE)
		print_string(PRINT_FP, NULL, "%s", ")");
	if (hi->has & CTNR_HOOK_HAS_REASON)
		print_string(PRINT_ANY, "reason", ": %s", hi->reason);
	print_nl();
	close_json_object();
	return 0;
}

static void print_features(uint64_t features)
{
	unsigned int bit;

	print_uint(PRINT_JSON, "features_mask", NULL, features);
	open_json_array("features");
	print_fp("features");
	for (bit = 0; bit < 64; bit++) {
		const char *name = ctnr_feature_name(bit);
		char unknown[16];

		if (!(features & (1ULL << bit)))
			continue;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "bit%u", bit);
			name = unknown;
		}
		print_string(PRINT_ANY, NULL, " %s", name);
	}
	close_json_array();
	print_nl();
}

static int do_version(int argc, char **argv)
{
	struct ctnr_handle *h;
	struct ctnr_info info;
	int err, rc;

	rc = object_help("version", argc, argv);
	if (rc >= 0)
		return rc;
	h = handle();
	if (!h)
		return EXIT_FAIL;
	err = ctnr_info(h, &info);
	if (err)
		return op_failed(err, "version");

	open_json_object(NULL);
	print_string(PRINT_ANY, "ctnrctl", "ctnrctl %s\n", CTNRCTL_VERSION);
	print_string(PRINT_ANY, "libctnr", "libctnr %s\n", ctnr_lib_version());
	print_string(PRINT_ANY, "module", "module %s",
		     info.has & CTNR_INFO_HAS_VERSION ? info.version : "?");
	if (info.has & CTNR_INFO_HAS_ABI)
		print_uint(PRINT_ANY, "abi", " abi %llu", info.abi_version);
	print_nl();
	if (info.has & CTNR_INFO_HAS_FEATURES)
		print_features(info.features);
	if (info.has & CTNR_INFO_HAS_COUNT)
		print_uint(PRINT_ANY, "containers", "containers %llu\n",
			   info.count);
	/* a module without hooks (or too old to list them) lists none */
	open_json_array("hooks");
	ctnr_hook_list(h, print_hook, NULL);
	close_json_array();
	close_json_object();
	rc = print_flush();
	if (!rc && info.has & CTNR_INFO_HAS_ABI &&
	    info.abi_version != CTNR_ABI_VERSION)
		say("warning: the module speaks ABI %u, ctnrctl was built for ABI %u",
		    info.abi_version, (unsigned int)CTNR_ABI_VERSION);
	return rc;
}

/* ---- help and dispatch ------------------------------------------------- */

static int do_help(int argc, char **argv);

static const struct ctl_cmd objects[] = {
	CTL_CMD("container",	do_container),
	CTL_CMD("dev",		do_dev),
	CTL_CMD("help",		do_help),
	CTL_CMD("log",		do_log),
	CTL_CMD("loop",		do_loop),
	CTL_CMD("monitor",	do_monitor),
	CTL_CMD("proc",		do_proc),
	CTL_CMD("version",	do_version),
};

/* Objects of older versions: a usage error that says where they went. */
static const struct {
	const char *old, *now;
} moved[] = {
	{ "exec",	"container exec" },
	{ "whoami",	"container identify" },
};

static int do_help(int argc, char **argv)
{
	const struct ctl_cmd *obj;

	if (argc == 0) {
		print_usage(NULL);
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error("help: unexpected \"%s\"", argv[1]);
	obj = find_cmd(objects, ARRAY_SIZE(objects), argv[0]);
	if (!obj)
		return usage_error("help: unknown object \"%s\", try \"ctnrctl help\"",
				   argv[0]);
	print_usage(obj->name);
	return EXIT_OK;
}

static int dispatch(int argc, char **argv)
{
	const struct ctl_cmd *obj;
	unsigned int i;

	if (argc == 0)
		return usage_error("missing OBJECT, try \"ctnrctl help\"");
	obj = find_cmd(objects, ARRAY_SIZE(objects), argv[0]);
	if (obj)
		return obj->fn(argc - 1, argv + 1);
	for (i = 0; i < ARRAY_SIZE(moved); i++) {
		if (!strcmp(argv[0], moved[i].old))
			return usage_error("unknown object \"%s\": it is \"ctnrctl %s\" now",
					   argv[0], moved[i].now);
	}
	return usage_error("unknown object \"%s\", try \"ctnrctl help\"",
			   argv[0]);
}

/* ---- batch ------------------------------------------------------------- */

/*
 * Split a batch line into words: blanks separate, single and double quotes
 * group, a backslash escapes the next character, # starts a comment.
 * Returns the word count (argv NULL-terminated), or -1 on a bad line.
 */
static int split_line(char *line, char ***argvp, size_t *cap)
{
	char *src = line, *dst = line;
	char **argv = *argvp;
	int argc = 0;

	for (;;) {
		char quote = 0;
		bool word = false;
		char *start;

		while (*src == ' ' || *src == '\t' || *src == '\n' || *src == '\r')
			src++;
		if (!*src || *src == '#')
			break;
		start = dst;
		while (*src) {
			if (quote) {
				if (*src == quote) {
					quote = 0;
					src++;
					continue;
				}
			} else if (*src == '\'' || *src == '"') {
				quote = *src++;
				word = true;
				continue;
			} else if (*src == ' ' || *src == '\t' ||
				   *src == '\n' || *src == '\r') {
				break;
			}
			if (*src == '\\' && quote != '\'' && src[1])
				src++;
			*dst++ = *src++;
			word = true;
		}
		if (quote)
			return -1;
		if (*src)
			src++;
		*dst++ = '\0';
		if (!word)
			continue;
		if (!argv || (size_t)argc + 2 > *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			char **n = realloc(argv, ncap * sizeof(*argv));

			if (!n)
				return -1;
			argv = n;
			*argvp = n;
			*cap = ncap;
		}
		argv[argc++] = start;
	}
	if (!argv) {
		argv = calloc(1, sizeof(*argv));
		if (!argv)
			return -1;
		*argvp = argv;
		*cap = 1;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * Run every line of @path ("-": stdin).  Without @force, stop at the first
 * failure; with it, go on.  Either way the exit status is that of the
 * first command that failed, whose message (like every message of a
 * batch) starts with FILE:LINE.
 */
static int run_batch(const char *path, bool force)
{
	char *line = NULL, **argv = NULL;
	size_t len = 0, cap = 0;
	int rc = EXIT_OK, one, argc;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		say("cannot open batch file %s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	batch_file = path;
	batch_line = 0;
	while (getline(&line, &len, f) >= 0) {
		batch_line++;
		argc = split_line(line, &argv, &cap);
		if (argc < 0)
			one = usage_error("unterminated quote");
		else if (argc == 0)
			continue;
		else
			one = dispatch(argc, argv);
		if (!one)
			one = print_flush();
		if (!one)
			continue;
		print_reset();
		if (!rc)
			rc = one;
		if (!force)
			break;
	}
	batch_file = NULL;
	free(argv);
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* ---- main -------------------------------------------------------------- */

int ctnrctl_main(int argc, char **argv)
{
	const char *batch = NULL;
	bool force = false;
	int rc;

	json = pretty = timestamp = false;
	the_handle = NULL;
	batch_file = NULL;
	print_reset();

	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *opt = argv[1];

		if (!strcmp(opt, "--")) {
			argc--, argv++;
			break;
		}
		if (opt[1] == '-')
			opt++;		/* --json is -json */
		if (is_prefix(opt + 1, "json")) {
			json = true;
		} else if (is_prefix(opt + 1, "pretty")) {
			pretty = true;
		} else if (is_prefix(opt + 1, "timestamp")) {
			timestamp = true;
		} else if (is_prefix(opt + 1, "force")) {
			force = true;
		} else if (is_prefix(opt + 1, "batch")) {
			if (argc < 3)
				return usage_error("option \"%s\" needs a FILE",
						   argv[1]);
			batch = argv[2];
			argc--, argv++;
		} else if (is_prefix(opt + 1, "Version")) {
			printf("ctnrctl %s (libctnr %s)\n", CTNRCTL_VERSION,
			       ctnr_lib_version());
			return print_flush();
		} else if (is_prefix(opt + 1, "help")) {
			print_usage(NULL);
			return print_flush();
		} else {
			return usage_error("unknown option \"%s\", try \"ctnrctl help\"",
					   argv[1]);
		}
		argc--, argv++;
	}

	if (batch) {
		if (argc > 1)
			rc = usage_error("unexpected \"%s\" after -batch FILE",
					 argv[1]);
		else
			rc = run_batch(batch, force);
	} else {
		rc = dispatch(argc - 1, argv + 1);
	}
	if (!rc)
		rc = print_flush();
	ctnr_close(the_handle);
	the_handle = NULL;
	return rc;
}
