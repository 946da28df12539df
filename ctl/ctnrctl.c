// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl - manage ctnr containers
 *
 *	ctnrctl [ OPTIONS ] OBJECT { COMMAND | help }
 *
 * The grammar is iproute2's: objects from a table, commands from a table
 * per object, both matched by prefix in table order, keyword/value
 * arguments.  Exit status: 0 done, 1 the operation failed, 2 the command
 * line was wrong; exec exits with the command's status.
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

static struct ctnr_handle *the_handle;
static bool handle_failed;

/* ---- helpers ----------------------------------------------------------- */

bool is_prefix(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && !strncmp(arg, word, len);
}

const struct ctl_cmd *find_cmd(const struct ctl_cmd *cmds, unsigned int n,
			       const char *arg)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (is_prefix(arg, cmds[i].name))
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
 * Run the command argv[0] of @object from @cmds: "help" (or -h, --help)
 * prints the object's usage; a missing or unknown command is a usage error.
 */
int run_cmd(const char *object, const struct ctl_cmd *cmds, unsigned int n,
	    int argc, char **argv)
{
	const struct ctl_cmd *cmd;

	if (argc == 0)
		return usage_error("%s: missing command, try \"ctnrctl help %s\"",
				   object, object);
	if (is_help(argv[0])) {
		if (argc > 1)
			return usage_error("%s help: unexpected \"%s\"",
					   object, argv[1]);
		print_usage(object);
		return EXIT_OK;
	}
	cmd = find_cmd(cmds, n, argv[0]);
	if (!cmd)
		return usage_error("unknown command \"%s\" for %s, try \"ctnrctl help %s\"",
				   argv[0], object, object);
	return cmd->fn(argc - 1, argv + 1);
}

/*
 * "ctnrctl: MESSAGE" on one line of stderr.  The message is escaped as
 * text output is: it may quote names and paths the container chose, and
 * the library's messages quote cgroup paths.
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
	fputs_escaped(buf, strlen(buf), stderr);
	if (tail)
		fputs_escaped(tail, strlen(tail), stderr);
	fputc('\n', stderr);
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

struct ctnr_handle *handle(void)
{
	int err;

	if (the_handle || handle_failed)
		return the_handle;
	err = ctnr_open(&the_handle);
	if (err) {
		handle_failed = true;
		fflush(stdout);
		if (err == -ENOENT)
			fprintf(stderr, "ctnrctl: ctnr module not loaded (no generic netlink family \"%s\")\n",
				CTNR_GENL_NAME);
		else
			fprintf(stderr, "ctnrctl: cannot talk to the ctnr module: %s\n",
				ctnr_strerror(err));
	}
	return the_handle;
}

/* ---- usage ------------------------------------------------------------- */

static const struct {
	const char *object;
	const char *text;
} usage_lines[] = {
	{ "container",	"ctnrctl container add NAME pid PID [ autoremove ]" },
	{ "container",	"ctnrctl container del NAME" },
	{ "container",	"ctnrctl container list" },
	{ "container",	"ctnrctl container show [ NAME ]" },
	{ "container",	"ctnrctl container set NAME autoremove { on | off }" },
	{ "exec",	"ctnrctl exec NAME [ ns LIST ] [ keepenv ] [ env VAR[=VALUE] ]... [ -- ] CMD [ ARG... ]" },
	{ "whoami",	"ctnrctl whoami" },
	{ "dev",	"ctnrctl dev default NAME { allow | deny }" },
	{ "dev",	"ctnrctl dev { allow | deny } NAME RULE" },
	{ "dev",	"ctnrctl dev add NAME TYPE MAJ:MIN ACCESS" },
	{ "dev",	"ctnrctl dev del NAME TYPE MAJ:MIN ACCESS" },
	{ "dev",	"ctnrctl dev set NAME { allow | deny } [ RULE ]..." },
	{ "dev",	"ctnrctl dev list NAME" },
	{ "dev",	"ctnrctl dev preset NAME lxc" },
	{ "log",	"ctnrctl log NAME [ follow ]" },
	{ "log",	"ctnrctl log clear NAME" },
	{ "log",	"ctnrctl log size NAME BYTES" },
	{ "loop",	"ctnrctl loop attach NAME FILE [ ro ] [ direct ] [ offset N ] [ sizelimit N ] [ blocksize { 512 | 4096 } ]" },
	{ "loop",	"ctnrctl loop detach NAME INDEX [ lazy ]" },
	{ "loop",	"ctnrctl loop list [ NAME ]" },
	{ "loop",	"ctnrctl loop quota NAME [ N ]" },
	{ "proc",	"ctnrctl proc show [ NAME ]" },
	{ "proc",	"ctnrctl proc mount [ NAME [ root DIR ] ]" },
	{ "monitor",	"ctnrctl monitor" },
	{ "version",	"ctnrctl version" },
	{ "help",	"ctnrctl help [ OBJECT ]" },
};

void print_usage(const char *object)
{
	bool first = object != NULL;
	unsigned int i;

	if (!object)
		printf("Usage: ctnrctl [ OPTIONS ] OBJECT { COMMAND | help }\n"
		       "       ctnrctl [ OPTIONS ] -b[atch] FILE\n"
		       "where  OBJECT := { container | exec | whoami | dev | log | loop | proc | monitor | version | help }\n"
		       "       OPTIONS := { -j[son] | -p[retty] | -V[ersion] | -h[elp] }\n"
		       "\n");
	for (i = 0; i < ARRAY_SIZE(usage_lines); i++) {
		if (object && strcmp(object, usage_lines[i].object))
			continue;
		printf("%s %s\n", first ? "Usage:" : "      ",
		       usage_lines[i].text);
		first = false;
	}
	if (!object || !strcmp(object, "exec"))
		printf("where  LIST := comma separated mnt,uts,ipc,net,pid,user,cgroup,time or all\n"
		       "               (default: every namespace the container pinned)\n"
		       "       the environment is PATH, HOME=/root and TERM unless keepenv;\n"
		       "       env VAR=VALUE sets VAR, env VAR passes ours on\n");
	if (!object || (strcmp(object, "whoami") && strcmp(object, "monitor") &&
			strcmp(object, "version") && strcmp(object, "help")))
		printf("where  NAME := 1 to 63 of A-Z a-z 0-9 _ . -, a container of our own user\n"
		       "               namespace; @ID: any we may see, by the id list shows\n");
	if (!object || !strcmp(object, "dev"))
		printf("where  RULE := { a | TYPE MAJ:MIN ACCESS }, as written to cgroup v1\n"
		       "               devices.allow or devices.deny (one word or three)\n"
		       "       TYPE := { b | c }   MAJ, MIN := a number or *\n"
		       "       ACCESS := a non-empty subset of rwm\n");
	if (!object || !strcmp(object, "log"))
		printf("where  BYTES := 4096 to 16M; K and M suffixes count 1024s\n"
		       "       \"clear\" and \"size\" followed by more are commands: use\n"
		       "       \"ctnrctl log -- NAME ...\" for containers of those names\n");
	if (!object || !strcmp(object, "loop"))
		printf("where  N := a number of bytes; K, M, G and T suffixes count 1024s\n"
		       "       INDEX := N of /dev/ctnrloopN\n");
}

/* "OBJECT help" or "OBJECT -h" as the only argument. */
static int object_help(const char *object, int argc, char **argv)
{
	if (argc == 1 && is_help(argv[0])) {
		print_usage(object);
		return EXIT_OK;
	}
	if (argc > 0)
		return usage_error("%s: unexpected \"%s\", try \"ctnrctl help %s\"",
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

static int do_version(int argc, char **argv)
{
	struct ctnr_handle *h;
	struct ctnr_info info;
	unsigned int bit;
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
	if (info.has & CTNR_INFO_HAS_FEATURES) {
		print_uint(PRINT_JSON, "features_mask", NULL, info.features);
		open_json_array("features");
		print_fp("features");
		for (bit = 0; bit < 64; bit++) {
			const char *name = ctnr_feature_name(bit);
			char unknown[16];

			if (!(info.features & (1ULL << bit)))
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
		fprintf(stderr, "ctnrctl: warning: the module speaks ABI %u, ctnrctl was built for ABI %u\n",
			info.abi_version, (unsigned int)CTNR_ABI_VERSION);
	return rc;
}

/* ---- whoami ------------------------------------------------------------ */

static int do_whoami(int argc, char **argv)
{
	char name[CTNR_NAME_MAX];
	struct ctnr_handle *h;
	uint32_t id;
	int err, rc;

	rc = object_help("whoami", argc, argv);
	if (rc >= 0)
		return rc;
	h = handle();
	if (!h)
		return EXIT_FAIL;
	err = ctnr_whoami(h, &id, name);
	if (err)
		return op_failed(err, "whoami");
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "%llu", id);
	if (name[0])
		print_string(PRINT_ANY, "name", ": %s", name);
	else
		print_string(PRINT_JSON, "name", NULL, "");
	print_nl();
	close_json_object();
	return print_flush();
}

/* ---- monitor ----------------------------------------------------------- */

static int monitor_event(const struct ctnr_event_info *ev, void *arg)
{
	bool *broken = arg;

	open_json_object(NULL);
	print_string(PRINT_ANY, "event", "%s ", ctnr_event_name(ev->type));
	print_container_members(&ev->c, false);
	if (ev->has & CTNR_EV_HAS_DEV) {
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
		print_uint(PRINT_ANY, "task_pid", " task %llu",
			   ev->task_pid);
		print_string(PRINT_ANY, "task_comm", " (%s)", ev->task_comm);
	}
	if (ev->has & CTNR_EV_HAS_LOG_DROPPED)
		print_uint(PRINT_ANY, "log_dropped", " dropped %llu",
			   ev->log_dropped);
	if (ev->has & CTNR_EV_HAS_LOOP_INDEX)
		print_uint(PRINT_ANY, "loop_index", " loop %llu",
			   ev->loop_index);
	print_nl();
	close_json_object();
	if (print_flush())
		*broken = true;
	return *broken;
}

static int do_monitor(int argc, char **argv)
{
	struct ctnr_monitor *m;
	struct ctnr_handle *h;
	bool broken = false;
	int err, rc;

	rc = object_help("monitor", argc, argv);
	if (rc >= 0)
		return rc;
	h = handle();
	if (!h)
		return EXIT_FAIL;
	err = ctnr_monitor_open(h, &m);
	if (err)
		return op_failed(err, "monitor");
	pretty = false;		/* one object per line */
	for (;;) {
		err = ctnr_monitor_read(m, -1, monitor_event, &broken);
		if (broken)
			break;
		if (err == -EINTR)
			continue;
		if (err == -ENOBUFS) {
			fprintf(stderr, "ctnrctl: monitor: events lost, the receive buffer overflowed\n");
			continue;
		}
		if (err < 0)
			break;
	}
	ctnr_monitor_close(m);
	if (broken)
		return EXIT_FAIL;
	return op_failed(err, "monitor");
}

/* ---- help -------------------------------------------------------------- */

static int do_help(int argc, char **argv);

static const struct ctl_cmd objects[] = {
	{ "container",	do_container },
	{ "dev",	do_dev },
	{ "exec",	do_exec },
	{ "help",	do_help },
	{ "log",	do_log },
	{ "loop",	do_loop },
	{ "monitor",	do_monitor },
	{ "proc",	do_proc },
	{ "version",	do_version },
	{ "whoami",	do_whoami },
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

/* ---- main -------------------------------------------------------------- */

static int dispatch(int argc, char **argv)
{
	const struct ctl_cmd *obj;

	if (argc == 0)
		return usage_error("missing OBJECT, try \"ctnrctl help\"");
	obj = find_cmd(objects, ARRAY_SIZE(objects), argv[0]);
	if (!obj)
		return usage_error("unknown object \"%s\", try \"ctnrctl help\"",
				   argv[0]);
	return obj->fn(argc - 1, argv + 1);
}

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

/* Run every line of @path ("-": stdin); stop at the first failure. */
static int run_batch(const char *path)
{
	char *line = NULL, **argv = NULL;
	size_t len = 0, cap = 0;
	unsigned int lineno = 0;
	int rc = EXIT_OK, argc;
	FILE *f;

	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		fprintf(stderr, "ctnrctl: cannot open batch file %s: %m\n", path);
		return EXIT_FAIL;
	}
	while (getline(&line, &len, f) >= 0) {
		lineno++;
		argc = split_line(line, &argv, &cap);
		if (argc < 0) {
			rc = usage_error("%s:%u: unterminated quote", path,
					 lineno);
			break;
		}
		if (argc == 0)
			continue;
		rc = dispatch(argc, argv);
		if (rc) {
			fprintf(stderr, "ctnrctl: batch stopped at %s:%u\n",
				path, lineno);
			break;
		}
	}
	free(argv);
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	const char *batch = NULL;
	int rc;

	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *opt = argv[1];

		if (!strcmp(opt, "--")) {
			argc--, argv++;
			break;
		}
		if (opt[1] == '-')
			opt++;		/* --json is -json */
		if (is_prefix(opt, "-json")) {
			json = true;
		} else if (is_prefix(opt, "-pretty")) {
			pretty = true;
		} else if (is_prefix(opt, "-batch")) {
			if (argc < 3)
				return usage_error("option \"%s\" needs a FILE",
						   argv[1]);
			batch = argv[2];
			argc--, argv++;
		} else if (is_prefix(opt, "-Version")) {
			printf("ctnrctl %s (libctnr %s)\n", CTNRCTL_VERSION,
			       ctnr_lib_version());
			return print_flush();
		} else if (is_prefix(opt, "-help")) {
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
			rc = run_batch(batch);
	} else {
		rc = dispatch(argc - 1, argv + 1);
	}
	if (!rc)
		rc = print_flush();
	ctnr_close(the_handle);
	return rc;
}
