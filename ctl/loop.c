// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl loop: ctnrloop devices of containers.
 *
 *	ctnrctl loop attach NAME FILE [ ro ] [ direct ] [ offset N ]
 *			    [ sizelimit N ] [ blocksize { 512 | 4096 } ]
 *	ctnrctl loop detach NAME INDEX [ lazy ]
 *	ctnrctl loop list [ NAME ]
 *	ctnrctl loop quota NAME [ N ]
 *
 * attach prints the device, /dev/ctnrloopN.  INDEX is N, ctnrloopN or
 * /dev/ctnrloopN.  Sizes take K, M, G and T suffixes (powers of 1024).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctnrctl.h"

/* Look NAME up; 0, a positive exit status (already said), or -errno. */
static int loop_lookup(const char *what, const char *name, uint32_t *id,
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

static int loop_status(int err, const char *what, const char *name)
{
	if (err > 0)
		return err;	/* lookup_container() said why */
	if (err)
		return op_failed(err, "%s %s", what, name);
	return EXIT_OK;
}

/* A size: digits with an optional K, M, G or T suffix. */
static int parse_size(const char *s, uint64_t *v)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (shift && (end[1] || n > (~0ULL >> shift)))
		return -EINVAL;
	*v = (uint64_t)n << shift;
	return 0;
}

/* N, ctnrloopN or /dev/ctnrloopN. */
static int parse_index(const char *s, uint32_t *index)
{
	unsigned long n;
	char *end;

	if (!strncmp(s, "/dev/", 5))
		s += 5;
	if (!strncmp(s, "ctnrloop", 8))
		s += 8;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n > 0xffffffffUL)
		return -EINVAL;
	*index = (uint32_t)n;
	return 0;
}

static int loop_attach(int argc, char **argv)
{
	struct ctnr_loop_opts o = { 0 };
	bool seen_off = false, seen_lim = false, seen_bs = false;
	struct ctnr_handle *h;
	const char *name, *file;
	uint32_t id = 0, index;
	char dev[32];
	uint64_t v;
	int err;

	if (argc < 2)
		return usage_error("loop attach: expected NAME FILE, try \"ctnrctl help loop\"");
	name = argv[0];
	file = argv[1];
	for (argc -= 2, argv += 2; argc > 0; argc--, argv++) {
		const char *kw = argv[0];

		if (!strcmp(kw, "ro") || !strcmp(kw, "direct")) {
			uint32_t bit = kw[0] == 'r' ? CTNR_LOOP_F_READ_ONLY :
						      CTNR_LOOP_F_DIRECT_IO;

			if (o.flags & bit)
				return usage_error("loop attach: \"%s\" given twice",
						   kw);
			o.flags |= bit;
			continue;
		}
		if (strcmp(kw, "offset") && strcmp(kw, "sizelimit") &&
		    strcmp(kw, "blocksize"))
			return usage_error("loop attach: unexpected \"%s\"", kw);
		if ((kw[0] == 'o' && seen_off) || (kw[0] == 's' && seen_lim) ||
		    (kw[0] == 'b' && seen_bs))
			return usage_error("loop attach: \"%s\" given twice", kw);
		if (argc < 2)
			return usage_error("loop attach: \"%s\" needs a value",
					   kw);
		argc--, argv++;
		if (parse_size(argv[0], &v))
			return usage_error("loop attach: invalid %s \"%s\"", kw,
					   argv[0]);
		if (kw[0] == 'o') {
			seen_off = true;
			o.offset = v;
		} else if (kw[0] == 's') {
			seen_lim = true;
			o.sizelimit = v;
		} else {
			seen_bs = true;
			if (v != 512 && v != 4096)
				return usage_error("loop attach: blocksize must be 512 or 4096, not \"%s\"",
						   argv[0]);
			o.block_size = (uint32_t)v;
		}
	}

	err = loop_lookup("loop attach", name, &id, &h);
	if (!err)
		err = ctnr_loop_attach_file(h, id, NULL, file, &o, &index,
					    NULL);
	if (err)
		return loop_status(err, "loop attach", name);
	snprintf(dev, sizeof(dev), "/dev/ctnrloop%u", index);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "index", NULL, index);
	print_string(PRINT_ANY, "device", "%s\n", dev);
	close_json_object();
	return print_flush();
}

/* Does container @id have device @index? */
struct loop_find {
	uint32_t index;
	bool found;
};

static int find_cb(const struct ctnr_loop_dev *d, void *arg)
{
	struct loop_find *f = arg;

	if (d->index == f->index)
		f->found = true;
	return 0;
}

static int loop_detach(int argc, char **argv)
{
	struct loop_find f = { 0 };
	struct ctnr_handle *h;
	uint32_t id = 0, flags = 0;
	int err;

	if (argc < 2)
		return usage_error("loop detach: expected NAME INDEX");
	if (argc > 3)
		return usage_error("loop detach: unexpected \"%s\"", argv[3]);
	if (argc == 3) {
		if (strcmp(argv[2], "lazy"))
			return usage_error("loop detach: unexpected \"%s\"",
					   argv[2]);
		flags |= CTNR_LOOP_DETACH_F_LAZY;
	}
	if (parse_index(argv[1], &f.index))
		return usage_error("loop detach: invalid INDEX \"%s\" (N, ctnrloopN or /dev/ctnrloopN)",
				   argv[1]);
	err = loop_lookup("loop detach", argv[0], &id, &h);
	if (!err)
		err = ctnr_loop_list(h, id, NULL, find_cb, &f);
	if (err)
		return loop_status(err, "loop detach", argv[0]);
	if (!f.found) {
		fflush(stdout);
		fprintf(stderr, "ctnrctl: loop detach %s: ctnrloop%u is not a device of %s\n",
			argv[0], f.index, argv[0]);
		return EXIT_FAIL;
	}
	err = ctnr_loop_detach(h, f.index, flags);
	return loop_status(err, "loop detach", argv[0]);
}

static int print_dev(const struct ctnr_loop_dev *d, void *arg)
{
	char dev[32], flags[32];

	(void)arg;
	snprintf(dev, sizeof(dev), "/dev/ctnrloop%u", d->index);
	ctnr_loop_flags_format(d->flags, flags, sizeof(flags));
	open_json_object(NULL);
	print_uint(PRINT_JSON, "index", NULL, d->index);
	print_string(PRINT_ANY, "device", "%s", dev);
	print_uint(PRINT_JSON, "id", NULL, d->id);
	print_string(PRINT_ANY, "container", " container %s", d->name);
	print_string(PRINT_ANY, "file", " file %s", d->path);
	print_uint(PRINT_ANY, "offset", " offset %llu", d->offset);
	print_uint(PRINT_ANY, "size", " size %llu", d->size);
	print_uint(PRINT_ANY, "blocksize", " blocksize %llu", d->block_size);
	print_string(PRINT_ANY, "flags", " flags %s", flags);
	print_uint(PRINT_ANY, "read_bytes", " read %llu", d->rbytes);
	print_uint(PRINT_ANY, "written_bytes", " written %llu", d->wbytes);
	print_nl();
	close_json_object();
	return print_flush() ? 1 : 0;
}

static int loop_list(int argc, char **argv)
{
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err;

	if (argc > 1)
		return usage_error("loop list: unexpected \"%s\"", argv[1]);
	if (argc == 1) {
		err = loop_lookup("loop list", argv[0], &id, &h);
		if (err)
			return loop_status(err, "loop list", argv[0]);
	} else {
		h = handle();
		if (!h)
			return EXIT_FAIL;
	}
	open_json_array(NULL);
	err = ctnr_loop_list(h, id, NULL, print_dev, NULL);
	close_json_array();
	if (err < 0)
		return loop_status(err, "loop list", argc ? argv[0] : "");
	return print_flush();
}

static int loop_quota(int argc, char **argv)
{
	struct ctnr_loop_info li;
	struct ctnr_handle *h;
	uint32_t id = 0;
	uint64_t n = 0;
	int err;

	if (argc < 1)
		return usage_error("loop quota: expected NAME N");
	if (argc > 2)
		return usage_error("loop quota: unexpected \"%s\"", argv[2]);
	if (argc == 2 && (parse_size(argv[1], &n) || n > 0xffffffffULL))
		return usage_error("loop quota: invalid number \"%s\"",
				   argv[1]);
	err = loop_lookup("loop quota", argv[0], &id, &h);
	if (!err && argc == 2)
		err = ctnr_loop_set_quota(h, id, NULL, (uint32_t)n);
	if (!err && argc == 1)
		err = ctnr_loop_info(h, id, NULL, &li);
	if (err || argc == 2)
		return loop_status(err, "loop quota", argv[0]);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "id", NULL, id);
	print_string(PRINT_JSON, "name", NULL, argv[0]);
	print_uint(PRINT_ANY, "quota", "quota %llu", li.quota);
	print_uint(PRINT_ANY, "count", " devices %llu\n", li.count);
	close_json_object();
	return print_flush();
}

static const struct ctl_cmd loop_cmds[] = {
	{ "attach",	loop_attach },
	{ "detach",	loop_detach },
	{ "list",	loop_list },
	{ "ls",		loop_list },
	{ "quota",	loop_quota },
};

int do_loop(int argc, char **argv)
{
	return run_cmd("loop", loop_cmds, ARRAY_SIZE(loop_cmds), argc,
		       argv);
}
