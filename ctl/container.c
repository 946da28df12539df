// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl container { show | list | add | del | set | exec | identify | help }
 *
 * container alone lists.  del (delete) and set are never abbreviated.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* ---- lookups ----------------------------------------------------------- */

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
int check_ref(const char *what, const char *name, uint32_t *id)
{
	uint32_t n = 0;

	if (name[0] == '@' && (parse_u32(name + 1, &n) || !n))
		return usage_error("%s: invalid container id \"%s\" (@ID, the number list shows)",
				   what, name);
	if (id)
		*id = n;
	return 0;
}

int lookup_container(struct ctnr_handle *h, const char *what,
		     const char *name, struct ctnr_container *c)
{
	struct name_match m = { .name = name };
	uint32_t id;
	int err;

	err = check_ref(what, name, &id);
	if (err)
		return err;
	if (id)
		return ctnr_container_get(h, id, NULL, c);
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

int lookup_ref(const char *what, const char *name, struct ctr_ref *ref,
	       struct ctnr_handle **hp)
{
	struct ctnr_container *c;
	int err;

	err = check_ref(what, name, NULL);
	if (err)
		return err;
	*hp = handle();
	if (!*hp)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = lookup_container(*hp, what, name, c);
	if (!err) {
		ref->id = c->id;
		snprintf(ref->name, sizeof(ref->name), "%s",
			 c->has & CTNR_HAS_NAME ? c->name : "");
	}
	free(c);
	return err;
}

int lookup_id(const char *what, const char *name, uint32_t *id,
	      struct ctnr_handle **hp)
{
	struct ctr_ref ref;
	int err;

	err = lookup_ref(what, name, &ref, hp);
	if (!err)
		*id = ref.id;
	return err;
}

int report(int err, const char *what, const char *name)
{
	if (err > 0)
		return err;	/* already said */
	if (err)
		return op_failed(err, "%s %s", what, name);
	return EXIT_OK;
}

struct ref_list {
	struct ctr_ref *refs;
	unsigned int n, cap;
};

static int add_ref(const struct ctnr_container *c, void *arg)
{
	struct ref_list *l = arg;

	if (l->n == l->cap) {
		unsigned int cap = l->cap ? l->cap * 2 : 32;
		struct ctr_ref *r = realloc(l->refs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		l->refs = r;
		l->cap = cap;
	}
	l->refs[l->n].id = c->id;
	snprintf(l->refs[l->n].name, sizeof(l->refs[l->n].name), "%s",
		 c->has & CTNR_HAS_NAME ? c->name : "");
	l->n++;
	return 0;
}

/*
 * The callback of ctnr_container_list() may not use the handle: the
 * containers are collected first.
 */
int show_each(const char *what,
	      int (*print)(struct ctnr_handle *h, uint32_t id,
			   const char *name))
{
	struct ref_list l = { 0 };
	struct ctnr_handle *h;
	unsigned int i;
	int err, rc;

	h = handle();
	if (!h)
		return EXIT_FAIL;
	err = ctnr_container_list(h, add_ref, &l);
	open_json_array(NULL);
	for (i = 0; !err && i < l.n; i++) {
		err = print(h, l.refs[i].id, l.refs[i].name);
		if (err == -ENOENT)
			err = 0;
	}
	close_json_array();	/* valid JSON even after an error */
	free(l.refs);
	rc = print_flush();
	if (err)
		return op_failed(err, "%s", what);
	return rc;
}

/* ---- commands ---------------------------------------------------------- */

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
			if (parse_u32(argv[0], &pid) || !pid)
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
	return report(err, "container add", name);
}

static int container_del(int argc, char **argv)
{
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err;

	if (argc < 1)
		return usage_error("container del: missing NAME");
	if (argc > 1)
		return usage_error("container del: unexpected \"%s\"", argv[1]);
	err = lookup_id("container del", argv[0], &id, &h);
	if (!err)
		err = ctnr_container_del(h, id, NULL);
	return report(err, "container del", argv[0]);
}

static int list_one(const struct ctnr_container *c, void *arg)
{
	(void)arg;
	print_container(c, false);
	return 0;
}

static int container_list(void)
{
	struct ctnr_handle *h;
	int err, rc;

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

/* show and list: every container, one line each; NAME in detail. */
static int container_show(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	int err;

	if (argc == 0)
		return container_list();
	if (argc > 1)
		return usage_error("container show: unexpected \"%s\"", argv[1]);
	if (check_ref("container show", argv[0], NULL))
		return EXIT_USAGE;
	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "container show %s", argv[0]);
	err = lookup_container(h, "container show", argv[0], c);
	if (!err) {
		open_json_array(NULL);
		print_container(c, true);
		close_json_array();
	}
	free(c);
	if (err)
		return report(err, "container show", argv[0]);
	return print_flush();
}

static int container_set(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	const char *name;
	uint32_t set = 0, clear = 0;
	bool on;
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
			if (parse_on_off(argv[0], &on))
				return usage_error("container set: \"autoremove\" needs on or off, not \"%s\"",
						   argv[0]);
			if (on)
				set |= CTNR_F_AUTOREMOVE;
			else
				clear |= CTNR_F_AUTOREMOVE;
		} else {
			return usage_error("container set: unknown argument \"%s\"",
					   argv[0]);
		}
	}
	if (!(set | clear))
		return usage_error("container set: nothing to change");
	if (check_ref("container set", name, NULL))
		return EXIT_USAGE;

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
	return report(err, "container set", name);
}

/* ---- identify ---------------------------------------------------------- */

unsigned int cgroup_contains(const char *ctr, const char *task)
{
	size_t len = strlen(ctr);
	unsigned int depth = 0;
	const char *p;

	while (len > 1 && ctr[len - 1] == '/')
		len--;
	if (ctr[0] != '/' || task[0] != '/')
		return 0;
	if (len > 1 && (strncmp(task, ctr, len) ||
			(task[len] != '\0' && task[len] != '/')))
		return 0;
	for (p = ctr; p < ctr + len; p++) {
		if (*p == '/' && p + 1 < ctr + len && p[1] != '/')
			depth++;
	}
	return depth + 1;
}

struct ident_match {
	unsigned int depth;
	uint32_t id;
	char name[CTNR_NAME_MAX];
};

struct ident {
	const char *cgroup;		/* of the task */
	struct ident_match *m;
	unsigned int n, cap;
};

static int ident_one(const struct ctnr_container *c, void *arg)
{
	struct ident *t = arg;
	unsigned int depth;

	if (!(c->has & CTNR_HAS_CGROUP))
		return 0;
	depth = cgroup_contains(c->cgroup, t->cgroup);
	if (!depth)
		return 0;
	if (t->n == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 8;
		struct ident_match *m = realloc(t->m, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		t->m = m;
		t->cap = cap;
	}
	t->m[t->n].depth = depth;
	t->m[t->n].id = c->id;
	snprintf(t->m[t->n].name, sizeof(t->m[t->n].name), "%s",
		 c->has & CTNR_HAS_NAME ? c->name : "");
	t->n++;
	return 0;
}

/* Innermost first; among equals, by id. */
static int ident_cmp(const void *a, const void *b)
{
	const struct ident_match *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void print_ident(uint32_t id, const char *name)
{
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "%llu", id);
	print_string(PRINT_ANY, "name", name[0] ? ": %s" : NULL, name);
	print_nl();
	close_json_object();
}

/* The cgroup v2 path of @pid ("0::PATH" of /proc/PID/cgroup). */
static int task_cgroup(uint32_t pid, char *buf, size_t len)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = -ENODATA;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n - 3 >= (ssize_t)len) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(buf, line + 3, (size_t)n - 2);
		err = 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

/* The container the module says we are in. */
static int identify_self(struct ctnr_handle *h)
{
	char name[CTNR_NAME_MAX] = "";
	uint32_t id = 0;
	int err;

	err = ctnr_whoami(h, &id, name);
	if (err == -ENOENT) {
		open_json_array(NULL);
		close_json_array();
		say("container identify: this process is in no container");
		return EXIT_FAIL;
	}
	if (err)
		return op_failed(err, "container identify");
	open_json_array(NULL);
	print_ident(id, name);
	close_json_array();
	return print_flush();
}

/*
 * Every container we may see whose cgroup contains the cgroup of @pid,
 * the innermost (the one whose log and views the task gets) first.
 */
static int identify_pid(struct ctnr_handle *h, uint32_t pid)
{
	struct ident t = { 0 };
	char *cg;
	unsigned int i;
	int err;

	cg = malloc(CTNR_CGROUP_MAX);
	if (!cg)
		return op_failed(-ENOMEM, "container identify %u", pid);
	err = task_cgroup(pid, cg, CTNR_CGROUP_MAX);
	if (err == -ESRCH) {
		free(cg);
		say("container identify %u: no such process", pid);
		return EXIT_FAIL;
	}
	if (err == -ENODATA) {
		free(cg);
		say("container identify %u: the process is in no cgroup v2 cgroup",
		    pid);
		return EXIT_FAIL;
	}
	if (!err) {
		t.cgroup = cg;
		err = ctnr_container_list(h, ident_one, &t);
	}
	free(cg);
	if (err) {
		free(t.m);
		return op_failed(err, "container identify %u", pid);
	}
	qsort(t.m, t.n, sizeof(*t.m), ident_cmp);
	open_json_array(NULL);
	for (i = 0; i < t.n; i++)
		print_ident(t.m[i].id, t.m[i].name);
	close_json_array();
	free(t.m);
	if (!i) {
		say("container identify %u: the process is in no container we may see",
		    pid);
		return EXIT_FAIL;
	}
	return print_flush();
}

static int container_identify(int argc, char **argv)
{
	struct ctnr_handle *h;
	uint32_t pid = 0;

	if (argc > 1)
		return usage_error("container identify: unexpected \"%s\"",
				   argv[1]);
	if (argc == 1 && (parse_u32(argv[0], &pid) || !pid))
		return usage_error("container identify: invalid PID \"%s\"",
				   argv[0]);
	h = handle();
	if (!h)
		return EXIT_FAIL;
	return argc ? identify_pid(h, pid) : identify_self(h);
}

/*
 * In prefix-match order: "s" is show, "l" list, "a" add, "e" exec, "i"
 * identify; del (from "del" on) and set must be written out.
 */
static const struct ctl_cmd container_cmds[] = {
	CTL_CMD("show",			container_show),
	CTL_CMD("list",			container_show),
	CTL_CMD("ls",			container_show),
	CTL_CMD("add",			container_add),
	CTL_CMD_MIN("delete",		container_del, 3),
	CTL_CMD_FULL("set",		container_set),
	CTL_CMD("exec",			container_exec),
	CTL_CMD("identify",		container_identify),
};

int do_container(int argc, char **argv)
{
	return run_cmd("container", container_cmds, ARRAY_SIZE(container_cmds),
		       container_show, argc, argv);
}
