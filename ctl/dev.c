// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl dev: device access rules of a container.
 *
 *	ctnrctl dev default NAME { allow | deny }
 *	ctnrctl dev allow NAME RULE
 *	ctnrctl dev deny NAME RULE
 *	ctnrctl dev add NAME TYPE MAJ:MIN ACCESS
 *	ctnrctl dev del NAME TYPE MAJ:MIN ACCESS
 *	ctnrctl dev set NAME { allow | deny } [ RULE ]...
 *	ctnrctl dev list NAME
 *	ctnrctl dev preset NAME lxc
 *
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

/* Look NAME up; 0, a positive exit status (already said), or -errno. */
static int dev_lookup(const char *what, const char *name, uint32_t *id,
		      struct ctnr_handle **hp)
{
	struct ctnr_container *c;
	int err;

	*hp = handle();
	if (!*hp)
		return EXIT_FAIL;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = lookup_container(*hp, what, name, c);
	if (!err)
		*id = c->id;
	free(c);
	return err;
}

/* The result of an operation on container @name as an exit status. */
static int dev_status(int err, const char *what, const char *name,
		      const char *extra)
{
	if (err > 0)
		return err;	/* lookup_container() said why */
	if (err)
		return op_failed(err, "%s %s%s%s", what, name,
				 extra ? " " : "", extra ? extra : "");
	return EXIT_OK;
}

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
	err = dev_lookup("dev add", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_rule_add(h, id, NULL, &r);
	return dev_status(err, "dev add", argv[0], NULL);
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
	err = dev_lookup("dev del", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_rule_del(h, id, NULL, &r);
	return dev_status(err, "dev del", argv[0], NULL);
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
	err = dev_lookup(what, argv[0], &id, &h);
	if (!err)
		err = allow ? ctnr_dev_allow(h, id, NULL, &r) :
			      ctnr_dev_deny(h, id, NULL, &r);
	return dev_status(err, what, argv[0], NULL);
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
	err = dev_lookup("dev default", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_set_default(h, id, NULL, deflt);
	return dev_status(err, "dev default", argv[0], argv[1]);
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
	err = dev_lookup("dev set", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_policy_set(h, id, NULL, deflt, rules,
					  (unsigned int)(argc - 2));
	free(rules);
	return dev_status(err, "dev set", argv[0], NULL);
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
	err = dev_lookup("dev preset", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_preset(h, id, NULL, argv[1]);
	return dev_status(err, "dev preset", argv[0], argv[1]);
}

struct dev_print {
	unsigned int n;
};

static int print_rule(const struct ctnr_dev_rule *r, uint32_t index,
		      void *arg)
{
	struct dev_print *p = arg;
	char text[32], acc[4], *a = acc;

	ctnr_dev_rule_format(r, text, sizeof(text));
	if (r->access & CTNR_DEV_ACC_READ)
		*a++ = 'r';
	if (r->access & CTNR_DEV_ACC_WRITE)
		*a++ = 'w';
	if (r->access & CTNR_DEV_ACC_MKNOD)
		*a++ = 'm';
	*a = '\0';
	open_json_object(NULL);
	print_uint(PRINT_JSON, "index", NULL, index);
	print_string(PRINT_ANY, "rule", "%s\n", text);
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
	p->n++;
	return 0;
}

static int dev_list(int argc, char **argv)
{
	struct dev_print p = { 0 };
	struct ctnr_dev_info info;
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err, tries;

	if (argc < 1)
		return usage_error("dev list: missing NAME");
	if (argc > 1)
		return usage_error("dev list: unexpected \"%s\"", argv[1]);
	err = dev_lookup("dev list", argv[0], &id, &h);
	if (!err)
		err = ctnr_dev_info(h, id, NULL, &info);
	if (err)
		return dev_status(err, "dev list", argv[0], NULL);

	open_json_object(NULL);
	print_uint(PRINT_JSON, "id", NULL, id);
	print_string(PRINT_JSON, "name", NULL, argv[0]);
	print_string(PRINT_ANY, "default", "default %s\n",
		     ctnr_dev_default_name(info.deflt));
	open_json_array("rules");
	/* A listing that raced with a change is asked for again. */
	for (tries = 0; tries < 3; tries++) {
		p.n = 0;
		err = ctnr_dev_rule_list(h, id, NULL, print_rule, &p);
		if (err != -EAGAIN || p.n)
			break;
	}
	close_json_array();
	close_json_object();
	if (err)
		return dev_status(err, "dev list", argv[0], NULL);
	return print_flush();
}

/*
 * In prefix-match order: "a" is add, "d" and "de" default, "del" delete,
 * "den" deny.
 */
static const struct ctl_cmd dev_cmds[] = {
	{ "add",	dev_add },
	{ "allow",	dev_allow },
	{ "default",	dev_default },
	{ "delete",	dev_del },
	{ "deny",	dev_deny },
	{ "list",	dev_list },
	{ "ls",		dev_list },
	{ "preset",	dev_preset },
	{ "set",	dev_set },
};

int do_dev(int argc, char **argv)
{
	return run_cmd("dev", dev_cmds, ARRAY_SIZE(dev_cmds), argc,
		       argv);
}
