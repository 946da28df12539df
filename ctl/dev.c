// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl dev: device access rules of a container.
 *
 *	ctnrctl dev { show | list } [ NAME ]
 *	ctnrctl dev add NAME TYPE MAJ:MIN ACCESS
 *	ctnrctl dev del NAME TYPE MAJ:MIN ACCESS
 *	ctnrctl dev allow NAME RULE
 *	ctnrctl dev deny NAME RULE
 *	ctnrctl dev default NAME { allow | deny }
 *	ctnrctl dev set NAME { allow | deny } [ RULE ]...
 *	ctnrctl dev preset NAME lxc
 *
 * dev alone shows the policy of every container.  Every command but show
 * and add changes or removes rules, and is never abbreviated (del stands
 * for delete).
 * allow and deny mean what writing RULE to devices.allow and devices.deny
 * of a cgroup v1 means; add and del edit one exception whatever the
 * default; set replaces the whole policy in one step (so does preset).
 * RULE is "a" (the reset) or TYPE MAJ:MIN ACCESS, as three words or one
 * (always one for set): TYPE b or c; MAJ and MIN a number or *; ACCESS a
 * non-empty subset of rwm: the syntax of cgroup v1 devices.allow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctnrctl.h"

/* A major or minor: decimal below CTNR_DEV_ANY, or "*". */
static int parse_num(const char *s, size_t len, uint32_t *v)
{
	unsigned long long n = 0;
	size_t i;

	if (len == 1 && s[0] == '*') {
		*v = CTNR_DEV_ANY;
		return 0;
	}
	if (!len || len > 10)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		n = n * 10 + (unsigned int)(s[i] - '0');
	}
	if (n >= CTNR_DEV_ANY)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/*
 * TYPE MAJ:MIN ACCESS in three words.  Only the syntax is checked here: the
 * module is the authority on ranges (majors up to CTNR_DEV_MAJOR_MAX,
 * minors up to CTNR_DEV_MINOR_MAX) and says what is wrong.
 */
static int dev_parse3(const char *what, char **argv, struct ctnr_dev_rule *r)
{
	const char *colon;

	if (strcmp(argv[0], "a") && strcmp(argv[0], "b") &&
	    strcmp(argv[0], "c"))
		return usage_error("%s: invalid TYPE \"%s\" (a, b or c)", what,
				   argv[0]);
	if (ctnr_dev_rule_parse_args(argv[0], "*:*", argv[2], r))
		return usage_error("%s: invalid ACCESS \"%s\" (a non-empty subset of rwm)",
				   what, argv[2]);
	colon = strchr(argv[1], ':');
	if (!colon || parse_num(argv[1], colon - argv[1], &r->major) ||
	    parse_num(colon + 1, strlen(colon + 1), &r->minor))
		return usage_error("%s: invalid MAJ:MIN \"%s\" (numbers or *)",
				   what, argv[1]);
	return 0;
}

/* NAME TYPE MAJ:MIN ACCESS of add and del: an exception, never type a. */
static int dev_parse(const char *what, int argc, char **argv,
		     struct ctnr_dev_rule *r)
{
	int err;

	if (argc < 4)
		return usage_error("%s: expected NAME TYPE MAJ:MIN ACCESS, try \"ctnrctl help dev\"",
				   what);
	if (argc > 4)
		return usage_error("%s: unexpected \"%s\"", what, argv[4]);
	err = dev_parse3(what, argv + 1, r);
	if (!err && r->type == CTNR_DEV_TYPE_ALL)
		return usage_error("%s: type a is no exception: as in cgroup v1 it resets the default (dev default, or dev allow|deny NAME a)",
				   what);
	return err;
}

/* NAME RULE of allow and deny: "a", or the rule in one word or three. */
static int dev_parse_rule(const char *what, int argc, char **argv,
			  struct ctnr_dev_rule *r)
{
	if (argc == 4)
		return dev_parse3(what, argv + 1, r);
	if (argc == 2) {
		if (!strcmp(argv[1], "a") || !strncmp(argv[1], "a ", 2)) {
			/* as v1: whatever follows "a" does not matter */
			return ctnr_dev_rule_parse("a", r) ? EXIT_USAGE : 0;
		}
		if (ctnr_dev_rule_parse(argv[1], r))
			return usage_error("%s: invalid RULE \"%s\" (a, or TYPE MAJ:MIN ACCESS)",
					   what, argv[1]);
		return 0;
	}
	if (argc > 4)
		return usage_error("%s: unexpected \"%s\"", what, argv[4]);
	return usage_error("%s: expected NAME RULE (a, or TYPE MAJ:MIN ACCESS), try \"ctnrctl help dev\"",
			   what);
}

static int dev_add(int argc, char **argv)
{
	struct ctnr_dev_rule r;
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err;

	err = dev_parse("dev add", argc, argv, &r);
	if (err)
		return err;
	err = lookup_id("dev add", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_rule_add(h, id, NULL, &r);
	return report(err, "dev add", argv[0]);
}

static int dev_del(int argc, char **argv)
{
	struct ctnr_dev_rule r;
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err;

	err = dev_parse("dev del", argc, argv, &r);
	if (err)
		return err;
	err = lookup_id("dev del", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_rule_del(h, id, NULL, &r);
	return report(err, "dev del", argv[0]);
}

/* dev allow / dev deny: a write to the v1 file of that name. */
static int dev_write(const char *what, bool allow, int argc, char **argv)
{
	struct ctnr_dev_rule r;
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err;

	err = dev_parse_rule(what, argc, argv, &r);
	if (err)
		return err;
	err = lookup_id(what, argv[0], &id, &h);
	if (!err)
		err = allow ? ctnr_dev_allow(h, id, NULL, &r) :
			      ctnr_dev_deny(h, id, NULL, &r);
	return report(err, what, argv[0]);
}

static int dev_allow(int argc, char **argv)
{
	return dev_write("dev allow", true, argc, argv);
}

static int dev_deny(int argc, char **argv)
{
	return dev_write("dev deny", false, argc, argv);
}

static int dev_default(int argc, char **argv)
{
	struct ctnr_handle *h;
	uint32_t id = 0, deflt;
	int err;

	if (argc < 2)
		return usage_error("dev default: expected NAME allow|deny");
	if (argc > 2)
		return usage_error("dev default: unexpected \"%s\"", argv[2]);
	if (!strcmp(argv[1], "allow"))
		deflt = CTNR_DEV_ALLOW;
	else if (!strcmp(argv[1], "deny"))
		deflt = CTNR_DEV_DENY;
	else
		return usage_error("dev default: expected allow or deny, not \"%s\"",
				   argv[1]);
	err = lookup_id("dev default", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_set_default(h, id, NULL, deflt);
	return report(err, "dev default", argv[0]);
}

/* dev set NAME allow|deny [RULE]...: default and exceptions in one step. */
static int dev_set(int argc, char **argv)
{
	struct ctnr_dev_rule *rules = NULL;
	struct ctnr_handle *h;
	uint32_t id = 0, deflt;
	int i, err;

	if (argc < 2)
		return usage_error("dev set: expected NAME allow|deny [RULE]...");
	if (!strcmp(argv[1], "allow"))
		deflt = CTNR_DEV_ALLOW;
	else if (!strcmp(argv[1], "deny"))
		deflt = CTNR_DEV_DENY;
	else
		return usage_error("dev set: expected allow or deny, not \"%s\"",
				   argv[1]);
	if (argc - 2 > CTNR_DEV_RULES_MAX)
		return usage_error("dev set: more than %d rules",
				   CTNR_DEV_RULES_MAX);
	if (argc > 2) {
		rules = calloc((size_t)(argc - 2), sizeof(*rules));
		if (!rules)
			return op_failed(-ENOMEM, "dev set %s", argv[0]);
	}
	for (i = 2; i < argc; i++) {
		if (ctnr_dev_rule_parse(argv[i], &rules[i - 2])) {
			free(rules);
			return usage_error("dev set: invalid RULE \"%s\" (TYPE MAJ:MIN ACCESS in one word)",
					   argv[i]);
		}
		if (rules[i - 2].type == CTNR_DEV_TYPE_ALL) {
			free(rules);
			return usage_error("dev set: \"%s\": type a is no exception (the default is the second word)",
					   argv[i]);
		}
	}
	err = lookup_id("dev set", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_policy_set(h, id, NULL, deflt, rules,
					  (unsigned int)(argc - 2));
	free(rules);
	return report(err, "dev set", argv[0]);
}

static int dev_preset(int argc, char **argv)
{
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err;

	if (argc < 2)
		return usage_error("dev preset: expected NAME lxc");
	if (argc > 2)
		return usage_error("dev preset: unexpected \"%s\"", argv[2]);
	if (!ctnr_dev_preset_rules(argv[1], NULL))
		return usage_error("dev preset: unknown preset \"%s\" (lxc)",
				   argv[1]);
	err = lookup_id("dev preset", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_preset(h, id, NULL, argv[1]);
	return report(err, "dev preset", argv[0]);
}

/* One exception, an indented line of the policy. */
static int print_rule(const struct ctnr_dev_rule *r, uint32_t index,
		      void *arg)
{
	unsigned int *n = arg;
	char text[32], acc[4], *a = acc;

	if (ctnr_dev_rule_format(r, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "?");
	if (r->access & CTNR_DEV_ACC_READ)
		*a++ = 'r';
	if (r->access & CTNR_DEV_ACC_WRITE)
		*a++ = 'w';
	if (r->access & CTNR_DEV_ACC_MKNOD)
		*a++ = 'm';
	*a = '\0';
	open_json_object(NULL);
	print_uint(PRINT_JSON, "index", NULL, index);
	print_string(PRINT_ANY, "rule", "    %s\n", text);
	print_string(PRINT_JSON, "type", NULL,
		     r->type == CTNR_DEV_TYPE_BLOCK ? "b" :
		     r->type == CTNR_DEV_TYPE_CHAR ? "c" : "a");
	/* a wildcard is a missing number */
	if (r->major != CTNR_DEV_ANY)
		print_uint(PRINT_JSON, "major", NULL, r->major);
	if (r->minor != CTNR_DEV_ANY)
		print_uint(PRINT_JSON, "minor", NULL, r->minor);
	print_string(PRINT_JSON, "access", NULL, acc);
	close_json_object();
	(*n)++;
	return 0;
}

/*
 * The policy of one container: "ID: NAME default D" and its exceptions
 * indented below, in the order they were added; a JSON object with
 * "rules".  Returns 0 or a negative errno.
 */
static int print_policy(struct ctnr_handle *h, uint32_t id, const char *name)
{
	struct ctnr_dev_info info;
	unsigned int n;
	int err, tries;

	err = ctnr_dev_info(h, id, NULL, &info);
	if (err)
		return err;
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "%llu: ", id);
	print_string(PRINT_ANY, "name", "%s", name);
	print_string(PRINT_ANY, "default", " default %s\n",
		     ctnr_dev_default_name(info.deflt));
	open_json_array("rules");
	/* A listing that raced with a change is asked for again. */
	for (tries = 0; tries < 3; tries++) {
		n = 0;
		err = ctnr_dev_rule_list(h, id, NULL, print_rule, &n);
		if (err != -EAGAIN || n)
			break;
	}
	close_json_array();
	close_json_object();
	return err;
}

/* Every container's policy; one that went meanwhile is left out. */
static int dev_show_all(void)
{
	return show_each("dev show", print_policy);
}

static int dev_show(int argc, char **argv)
{
	struct ctnr_container *c;
	struct ctnr_handle *h;
	int err;

	if (argc == 0)
		return dev_show_all();
	if (argc > 1)
		return usage_error("dev show: unexpected \"%s\"", argv[1]);
	if (check_ref("dev show", argv[0], NULL))
		return EXIT_USAGE;
	h = handle();
	if (!h)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return op_failed(-ENOMEM, "dev show %s", argv[0]);
	err = lookup_container(h, "dev show", argv[0], c);
	if (!err) {
		open_json_array(NULL);
		err = print_policy(h, c->id, c->name);
		close_json_array();
	}
	free(c);
	if (err)
		return report(err, "dev show", argv[0]);
	return print_flush();
}

/*
 * In prefix-match order: "s" and "l" show, "a" add; every other command
 * changes or removes rules and must be written out, del for delete.
 */
static const struct ctl_cmd dev_cmds[] = {
	CTL_CMD("show",			dev_show),
	CTL_CMD("list",			dev_show),
	CTL_CMD("ls",			dev_show),
	CTL_CMD("add",			dev_add),
	CTL_CMD_FULL("allow",		dev_allow),
	CTL_CMD_FULL("default",		dev_default),
	CTL_CMD_MIN("delete",		dev_del, 3),
	CTL_CMD_FULL("deny",		dev_deny),
	CTL_CMD_FULL("preset",		dev_preset),
	CTL_CMD_FULL("set",		dev_set),
};

int do_dev(int argc, char **argv)
{
	return run_cmd("dev", dev_cmds, ARRAY_SIZE(dev_cmds), dev_show, argc,
		       argv);
}
