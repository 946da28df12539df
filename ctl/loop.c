// SPDX-License-Identifier: GPL-2.0
/*
 * ctnrctl loop: ctnrloop devices of containers.
 *
 *	ctnrctl loop { show | list } [ NAME ]
 *	ctnrctl loop attach NAME FILE [ ro ] [ direct ] [ offset N ]
 *			    [ sizelimit N ] [ blocksize { 512 | 4096 } ]
 *	ctnrctl loop detach NAME INDEX [ lazy ]
 *	ctnrctl loop quota NAME [ COUNT ]
 *
 * loop alone lists every device.  attach prints the device,
 * /dev/ctnrloopN.  INDEX is N, ctnrloopN or /dev/ctnrloopN.  Sizes are
 * decimal and take K, M, G and T suffixes (powers of 1024).  detach and
 * quota are never abbreviated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctnrctl.h"

static int loop_attach(int argc, char **argv)
{
	CTNR_OPTS(ctnr_loop_opts, o);
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

	err = lookup_id("loop attach", name, &id, &h);
	if (!err)
		err = ctnr_loop_attach_file(h, id, NULL, file, &o, &index,
					    NULL);
	if (err)
		return report(err, "loop attach", name);
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
	if (parse_loop_index(argv[1], &f.index))
		return usage_error("loop detach: invalid INDEX \"%s\" (N, ctnrloopN or /dev/ctnrloopN)",
				   argv[1]);
	err = lookup_id("loop detach", argv[0], &id, &h);
	if (!err)
		err = ctnr_loop_list(h, id, NULL, find_cb, &f);
	if (err)
		return report(err, "loop detach", argv[0]);
	if (!f.found) {
		say("loop detach %s: ctnrloop%u is not a device of %s",
		    argv[0], f.index, argv[0]);
		return EXIT_FAIL;
	}
	err = ctnr_loop_detach(h, f.index, flags);
	return report(err, "loop detach", argv[0]);
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

/* show and list: every device we may see, or those of NAME. */
static int loop_show(int argc, char **argv)
{
	struct ctnr_handle *h;
	uint32_t id = 0;
	int err, rc;

	if (argc > 1)
		return usage_error("loop show: unexpected \"%s\"", argv[1]);
	if (argc == 1) {
		err = lookup_id("loop show", argv[0], &id, &h);
		if (err)
			return report(err, "loop show", argv[0]);
	} else {
		h = handle();
		if (!h)
			return EXIT_FAIL;
	}
	open_json_array(NULL);
	err = ctnr_loop_list(h, id, NULL, print_dev, NULL);
	close_json_array();
	rc = print_flush();
	if (err > 0)
		return EXIT_FAIL;	/* the output could not be written */
	if (err)
		return op_failed(err, "loop show%s%s", argc ? " " : "",
				 argc ? argv[0] : "");
	return rc;
}

/* quota NAME: what it is; quota NAME COUNT: set it. */
static int loop_quota(int argc, char **argv)
{
	struct ctnr_loop_info li;
	struct ctr_ref ref = { 0 };
	struct ctnr_handle *h;
	uint32_t n = 0;
	int err;

	if (argc < 1)
		return usage_error("loop quota: missing NAME");
	if (argc > 2)
		return usage_error("loop quota: unexpected \"%s\"", argv[2]);
	if (argc == 2 && parse_u32(argv[1], &n))
		return usage_error("loop quota: invalid COUNT \"%s\" (a number of devices)",
				   argv[1]);
	err = lookup_ref("loop quota", argv[0], &ref, &h);
	if (!err && argc == 2)
		err = ctnr_loop_set_quota(h, ref.id, NULL, n);
	if (!err && argc == 1)
		err = ctnr_loop_info(h, ref.id, NULL, &li);
	if (err || argc == 2)
		return report(err, "loop quota", argv[0]);
	open_json_array(NULL);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "id", NULL, ref.id);
	print_string(PRINT_JSON, "name", NULL, ref.name);
	print_uint(PRINT_ANY, "quota", "quota %llu", li.quota);
	print_uint(PRINT_ANY, "count", " devices %llu\n", li.count);
	close_json_object();
	close_json_array();
	return print_flush();
}

/*
 * In prefix-match order: "s" and "l" show, "a" attach; detach and quota
 * must be written out.
 */
static const struct ctl_cmd loop_cmds[] = {
	CTL_CMD("show",			loop_show),
	CTL_CMD("list",			loop_show),
	CTL_CMD("ls",			loop_show),
	CTL_CMD("attach",		loop_attach),
	CTL_CMD_FULL("detach",		loop_detach),
	CTL_CMD_FULL("quota",		loop_quota),
};

int do_loop(int argc, char **argv)
{
	return run_cmd("loop", loop_cmds, ARRAY_SIZE(loop_cmds), loop_show,
		       argc, argv);
}
