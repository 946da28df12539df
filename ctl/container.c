// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl container { add | del | list | show | set | help }
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctnrctl.h"

static void print_flags(uint32_t flags)
{
	uint32_t unknown = flags & ~CTNR_F_MASK;

	open_json_array("flags");
	if (flags)
		print_fp(" flags ");
	if (flags & CTNR_F_AUTOREMOVE)
		print_string(PRINT_ANY, NULL, "%s", "autoremove");
	if (unknown) {
		char hex[16];

		snprintf(hex, sizeof(hex), "%#x", unknown);
		print_string(PRINT_ANY, NULL,
			     flags & CTNR_F_MASK ? ",%s" : "%s", hex);
	}
	close_json_array();
}

static void print_ctime(uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000ULL);
	char buf[64];
	struct tm tm;

	print_uint(PRINT_JSON, "ctime", NULL, ns);
	if (!gmtime_r(&secs, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return;
	print_string(PRINT_ANY, "created", " created %s", buf);
}

static void print_ns(const struct ctnr_container *c)
{
	unsigned int t;

	if (c->has & CTNR_HAS_NS) {
		open_json_object("ns");
		for (t = 0; t < __CTNR_NS_MAX; t++) {
			char fmt[32];

			if (!c->ns_ino[t])
				continue;
			snprintf(fmt, sizeof(fmt), "\n    ns %s:[%%llu]",
				 ctnr_ns_name(t));
			print_uint(PRINT_ANY, ctnr_ns_name(t), fmt,
				   c->ns_ino[t]);
		}
		close_json_object();
	}
	if (c->has & CTNR_HAS_NS_MASK) {
		open_json_array("ns_mask");
		for (t = 0; t < __CTNR_NS_MAX; t++) {
			if (c->ns_mask & ctnr_ns_clone_flag(t))
				print_string(PRINT_JSON, NULL, NULL,
					     ctnr_ns_name(t));
		}
		close_json_array();
	}
}

/*
 * The members of a container: "ID: NAME state S pid P [flags F]", and with
 * @detail the owner, creation time, cgroup and namespaces on indented lines.
 * JSON always carries every member.  No newline, no enclosing object.
 */
void print_container_members(const struct ctnr_container *c, bool detail)
{
	print_uint(PRINT_ANY, "id", "%llu: ", c->id);
	print_string(PRINT_ANY, "name", "%s",
		     c->has & CTNR_HAS_NAME ? c->name : "");
	if (c->has & CTNR_HAS_STATE)
		print_string(PRINT_ANY, "state", " state %s",
			     ctnr_state_name(c->state));
	if (c->has & CTNR_HAS_PID)
		print_uint(PRINT_ANY, "pid", " pid %llu", c->pid);
	if (c->has & CTNR_HAS_FLAGS)
		print_flags(c->flags);

	if (!detail && !json)
		return;
	if (c->has & (CTNR_HAS_OWNER_UID | CTNR_HAS_OWNER_LEVEL | CTNR_HAS_CTIME))
		print_fp("\n   ");
	if (c->has & CTNR_HAS_OWNER_UID)
		print_uint(PRINT_ANY, "owner_uid", " owner uid %llu",
			   c->owner_uid);
	if (c->has & CTNR_HAS_OWNER_LEVEL)
		print_uint(PRINT_ANY, "owner_level", " level %llu",
			   c->owner_level);
	if (c->has & CTNR_HAS_CTIME)
		print_ctime(c->ctime);
	if (c->has & CTNR_HAS_CGROUP)
		print_string(PRINT_ANY, "cgroup", "\n    cgroup %s", c->cgroup);
	print_ns(c);
}

/* One container, as a line (and more with @detail) or a JSON object. */
void print_container(const struct ctnr_container *c, bool detail)
{
	open_json_object(NULL);
	print_container_members(c, detail);
	print_nl();
	close_json_object();
}

/* ---- commands ---------------------------------------------------------- */

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/* Containers of one name owned below us, for the hint of lookup_container(). */
struct name_match {
	const char *name;
	unsigned int count;
	char ids[256];
};

static int match_name(const struct ctnr_container *c, void *arg)
{
	struct name_match *m = arg;
	size_t len = strlen(m->ids);

	if (!(c->has & CTNR_HAS_NAME) || strcmp(c->name, m->name))
		return 0;
	if (m->count++ < 4)
		snprintf(m->ids + len, sizeof(m->ids) - len,
			 "%s@%u (owner uid %u, level %u)", len ? ", " : "",
			 c->id, c->owner_uid, c->owner_level);
	return 0;
}

/*
 * NAME is looked up as the module does: among the containers owned by the
 * caller's own user namespace, never another owner's.  Host root with no
 * "web" of its own must not delete, loosen or enter a tenant's "web"
 * because of a typo: the others are addressed by id, as @ID.  When the
 * name is not found but containers of that name exist below us, say so
 * and give their ids, without touching them.
 *
 * Returns 0 and fills @c, a negative errno (the library's message kept),
 * or a positive exit status after saying what was wrong.
 */
int lookup_container(struct ctnr_handle *h, const char *what,
		     const char *name, struct ctnr_container *c)
{
	struct name_match m = { .name = name };
	uint32_t id;
	int err;

	if (name[0] == '@') {
		if (parse_u32(name + 1, &id) || !id)
			return usage_error("%s: invalid container id \"%s\" (@ID, the number list shows)",
					   what, name);
		return ctnr_container_get(h, id, NULL, c);
	}
	err = ctnr_container_get(h, 0, name, c);
	if (err != -ENOENT)
		return err;
	if (ctnr_container_list(h, match_name, &m) == 0 && m.count) {
		say("%s %s: no container %s of this user namespace; %u owned below it: %s%s",
		    what, name, name, m.count, m.ids, m.count > 4 ? ", ..." : "");
		return EXIT_FAIL;
	}
	/* Not found at all: ask again for the module's own message. */
	return ctnr_container_get(h, 0, name, c);
}

static int container_add(int argc, char **argv)
{
	struct ctnr_handle *h;
	const char *name;
	uint32_t pid = 0, flags = 0;
	bool have_pid = false;
	int err;

	if (argc < 1)
		return usage_error("container add: missing NAME");
	name = argv[0];
	for (argc--, argv++; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "pid")) {
			if (have_pid)
				return usage_error("container add: \"pid\" given twice");
			if (argc < 2)
				return usage_error("container add: \"pid\" needs a PID");
			argc--, argv++;
			if (parse_u32(argv[0], &pid))
				return usage_error("container add: invalid pid \"%s\"",
						   argv[0]);
			have_pid = true;
		} else if (!strcmp(argv[0], "autoremove")) {
			if (flags & CTNR_F_AUTOREMOVE)
				return usage_error("container add: \"autoremove\" given twice");
			flags |= CTNR_F_AUTOREMOVE;
		} else {
			return usage_error("container add: unknown argument \"%s\"",
					   argv[0]);
		}
	}
	if (!have_pid)
		return usage_error("container add: missing \"pid PID\"");

	h = handle();
	if (!h)
		return EXIT_FAIL;
	err = ctnr_container_new(h, name, pid, -1, flags, NULL);
	if (err)
		return op_failed(err, "container add %s", name);
	return EXIT_OK;
}

static int container_del(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	int err;

	if (argc < 1)
		return usage_error("container del: missing NAME");
	if (argc > 1)
		return usage_error("container del: unexpected \"%s\"", argv[1]);
	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "container del %s", argv[0]);
	err = lookup_container(h, "container del", argv[0], c);
	if (!err)
		err = ctnr_container_del(h, c->id, NULL);
	free(c);
	if (err > 0)
		return err;
	if (err)
		return op_failed(err, "container del %s", argv[0]);
	return EXIT_OK;
}

static int list_one(const struct ctnr_container *c, void *arg)
{
	(void)arg;
	print_container(c, false);
	return 0;
}

static int container_list(int argc, char **argv)
{
	struct ctnr_handle *h;
	int err, rc;

	if (argc > 0)
		return usage_error("container list: unexpected \"%s\"", argv[0]);
	h = handle();
	if (!h)
		return EXIT_FAIL;
	open_json_array(NULL);
	err = ctnr_container_list(h, list_one, NULL);
	close_json_array();	/* valid JSON even after an error */
	rc = print_flush();
	if (err)
		return op_failed(err, "container list");
	return rc;
}

static int container_show(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	int err;

	if (argc == 0)
		return container_list(0, argv);
	if (argc > 1)
		return usage_error("container show: unexpected \"%s\"", argv[1]);
	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "container show %s", argv[0]);
	err = lookup_container(h, "container show", argv[0], c);
	if (!err)
		print_container(c, true);
	free(c);
	if (err > 0)
		return err;
	if (err)
		return op_failed(err, "container show %s", argv[0]);
	return print_flush();
}

static int container_set(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	const char *name;
	uint32_t set = 0, clear = 0;
	int err;

	if (argc < 1)
		return usage_error("container set: missing NAME");
	name = argv[0];
	for (argc--, argv++; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "autoremove")) {
			if ((set | clear) & CTNR_F_AUTOREMOVE)
				return usage_error("container set: \"autoremove\" given twice");
			if (argc < 2)
				return usage_error("container set: \"autoremove\" needs on or off");
			argc--, argv++;
			if (!strcmp(argv[0], "on"))
				set |= CTNR_F_AUTOREMOVE;
			else if (!strcmp(argv[0], "off"))
				clear |= CTNR_F_AUTOREMOVE;
			else
				return usage_error("container set: \"autoremove\" needs on or off, not \"%s\"",
						   argv[0]);
		} else {
			return usage_error("container set: unknown argument \"%s\"",
					   argv[0]);
		}
	}
	if (!(set | clear))
		return usage_error("container set: nothing to change");

	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "container set %s", name);
	err = lookup_container(h, "container set", name, c);
	if (!err)
		err = ctnr_container_set(h, c->id, NULL,
					 (c->flags | set) & ~clear);
	free(c);
	if (err > 0)
		return err;
	if (err)
		return op_failed(err, "container set %s", name);
	return EXIT_OK;
}

static int container_help(int argc, char **argv)
{
	(void)argv;
	if (argc > 0)
		return usage_error("container help: unexpected \"%s\"", argv[0]);
	print_usage("container");
	return EXIT_OK;
}

/* In prefix-match order: "d" is del, "l" list, "s" show, "se" set. */
static const struct ctl_cmd container_cmds[] = {
	{ "add",	container_add },
	{ "delete",	container_del },
	{ "list",	container_list },
	{ "ls",		container_list },
	{ "show",	container_show },
	{ "set",	container_set },
	{ "help",	container_help },
};

int do_container(int argc, char **argv)
{
	const struct ctl_cmd *cmd;

	if (argc == 0)
		return container_list(0, argv);
	cmd = find_cmd(container_cmds, ARRAY_SIZE(container_cmds), argv[0]);
	if (!cmd)
		return usage_error("unknown command \"%s\" for container, try \"ctnrctl container help\"",
				   argv[0]);
	return cmd->fn(argc - 1, argv + 1);
}
