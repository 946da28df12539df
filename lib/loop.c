// SPDX-License-Identifier: LGPL-2.1
/*
 * libctnr: ctnrloop devices (CTNR_IOC_LOOP_ATTACH/DETACH, CTNR_CMD_LOOP_GET,
 * CTNR_A_LOOP_QUOTA and CTNR_A_LOOP_COUNT of CTNR_CMD_CONTAINER_{GET,SET}).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "internal.h"

/* What an attach failure means, in the words of the request. */
static void lc_loop_attach_error(struct ctnr_handle *h, int err,
				 uint32_t flags)
{
	switch (err) {
	case -ENOENT:
		lc_set_error(h, "no such container");
		break;
	case -EPERM:
		lc_set_error(h, "CAP_SYS_ADMIN in the container's user namespace is required");
		break;
	case -EDQUOT:
		lc_set_error(h, "the container has as many loop devices as its quota allows, or a user namespace above it has (max_ns_loops, max_user_loops)");
		break;
	case -ENOSPC:
		lc_set_error(h, "every ctnrloop device is taken (module parameter loop_max_devices; its last sixteenth is for the host's containers)");
		break;
	case -EBADF:
		lc_set_error(h, (flags & CTNR_LOOP_F_READ_ONLY) ?
			     "the backing file is not open for reading" :
			     "the backing file is not open for reading and writing (attach read-only?)");
		break;
	case -EISDIR:
		lc_set_error(h, "the backing file is a directory");
		break;
	case -ETXTBSY:
		lc_set_error(h, "the backing file is an active swap file");
		break;
	case -EOPNOTSUPP:
		lc_set_error(h, (flags & CTNR_LOOP_F_DIRECT_IO) ?
			     "the backing file cannot do direct I/O at this offset and block size" :
			     "refused: the backing file's file system may not back a container's device (only tmpfs and local block-device file systems), or no blktrace guard on this kernel, or no devtmpfs to open the device (the container's log says which)");
		break;
	case -EINVAL:
		lc_set_error(h, "the backing file must be a regular file not opened for appending, the offset below its size and a multiple of the block size (512 or 4096), and at least one block must fit");
		break;
	}
}

int ctnr_loop_attach(struct ctnr_handle *h, uint32_t id, const char *name,
		     int backing_fd, const struct ctnr_loop_opts *opts,
		     uint32_t *index, int *fd)
{
	struct ctnr_ioc_loop_attach a;
	int dev, err;

	if (!h || (!id && !name))
		return -EINVAL;
	lc_clear_error(h);
	err = LC_OPTS_VALID(h, opts, ctnr_loop_opts);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = id;
	a.backing_fd = backing_fd;
	if (!id) {
		if (strlen(name) >= sizeof(a.name)) {
			lc_set_error(h, "container name too long");
			return -EINVAL;
		}
		strcpy(a.name, name);
	}
	a.flags = LC_OPTS_GET(opts, flags, 0);
	a.offset = LC_OPTS_GET(opts, offset, 0);
	a.sizelimit = LC_OPTS_GET(opts, sizelimit, 0);
	a.block_size = LC_OPTS_GET(opts, block_size, 0);
	if (fd)
		a.flags |= CTNR_LOOP_F_OPEN;
	else
		a.flags &= ~CTNR_LOOP_F_OPEN;
	dev = lc_dev_fd(h);
	if (dev < 0)
		return dev;
	if (ioctl(dev, CTNR_IOC_LOOP_ATTACH, &a) < 0) {
		err = -errno;
		lc_loop_attach_error(h, err, a.flags);
		return err;
	}
	if (index)
		*index = a.index;
	if (fd)
		*fd = a.fd;
	return 0;
}

int ctnr_loop_attach_file(struct ctnr_handle *h, uint32_t id,
			  const char *name, const char *path,
			  const struct ctnr_loop_opts *opts, uint32_t *index,
			  int *fd)
{
	bool ro = LC_OPTS_GET(opts, flags, 0) & CTNR_LOOP_F_READ_ONLY;
	int bfd, err;

	if (!h || !path)
		return -EINVAL;
	lc_clear_error(h);
	err = LC_OPTS_VALID(h, opts, ctnr_loop_opts);
	if (err)
		return err;
	bfd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (bfd < 0) {
		err = -errno;
		lc_set_error(h, "cannot open %s%s", path,
			     !ro && (err == -EACCES || err == -EROFS) ?
			     " for writing (attach read-only?)" : "");
		return err;
	}
	err = ctnr_loop_attach(h, id, name, bfd, opts, index, fd);
	close(bfd);	/* the device holds the file */
	return err;
}

int ctnr_loop_detach(struct ctnr_handle *h, uint32_t index, uint32_t flags)
{
	struct ctnr_ioc_loop_detach d = {
		.size = sizeof(d), .flags = flags, .index = index,
	};
	int dev, err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	dev = lc_dev_fd(h);
	if (dev < 0)
		return dev;
	if (ioctl(dev, CTNR_IOC_LOOP_DETACH, &d) == 0)
		return 0;
	err = -errno;
	switch (err) {
	case -ENOENT:
		lc_set_error(h, "no such loop device");
		break;
	case -EPERM:
		lc_set_error(h, "the device belongs to a container you do not administer");
		break;
	case -EBUSY:
		lc_set_error(h, "the device is mounted or open exclusively (detach lazily?)");
		break;
	case -EALREADY:
		lc_set_error(h, "the device is already being detached: it goes at its last close");
		break;
	case -EINVAL:
		lc_set_error(h, "unknown detach flags");
		break;
	}
	return err;
}

/* ---- listing ----------------------------------------------------------- */

struct lc_loop_list {
	ctnr_loop_cb cb;
	void *arg;
	struct ctnr_loop_dev d;
};

static int lc_loop_list_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			   struct nlattr **tb, void *arg)
{
	struct lc_loop_list *l = arg;
	struct ctnr_loop_dev *d = &l->d;

	(void)h;
	(void)nlh;
	memset(d, 0, sizeof(*d));
	if (!lc_attr_u32(tb[CTNR_A_ID], &d->id))
		d->has |= CTNR_LOOP_HAS_ID;
	if (!lc_attr_str(tb[CTNR_A_NAME], d->name, sizeof(d->name)))
		d->has |= CTNR_LOOP_HAS_NAME;
	if (!lc_attr_u32(tb[CTNR_A_LOOP_INDEX], &d->index))
		d->has |= CTNR_LOOP_HAS_INDEX;
	if (!lc_attr_str(tb[CTNR_A_LOOP_PATH], d->path, sizeof(d->path)))
		d->has |= CTNR_LOOP_HAS_PATH;
	if (!lc_attr_u64(tb[CTNR_A_LOOP_OFFSET], &d->offset))
		d->has |= CTNR_LOOP_HAS_OFFSET;
	if (!lc_attr_u64(tb[CTNR_A_LOOP_SIZE], &d->size))
		d->has |= CTNR_LOOP_HAS_SIZE;
	if (!lc_attr_u32(tb[CTNR_A_LOOP_FLAGS], &d->flags))
		d->has |= CTNR_LOOP_HAS_FLAGS;
	if (!lc_attr_u32(tb[CTNR_A_LOOP_BLOCK_SIZE], &d->block_size))
		d->has |= CTNR_LOOP_HAS_BLOCK_SIZE;
	if (!lc_attr_u64(tb[CTNR_A_LOOP_RBYTES], &d->rbytes))
		d->has |= CTNR_LOOP_HAS_RBYTES;
	if (!lc_attr_u64(tb[CTNR_A_LOOP_WBYTES], &d->wbytes))
		d->has |= CTNR_LOOP_HAS_WBYTES;
	if (!(d->has & CTNR_LOOP_HAS_INDEX))
		return 0;	/* not a device: skip it */
	return l->cb(d, l->arg);
}

int ctnr_loop_list(struct ctnr_handle *h, uint32_t id, const char *name,
		   ctnr_loop_cb cb, void *arg)
{
	struct lc_loop_list *l;
	struct nl_msg *msg;
	int err;

	if (!h || !cb)
		return -EINVAL;
	lc_clear_error(h);
	/* A device holds a path of up to 4 KiB: keep it off the stack. */
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cb = cb;
	l->arg = arg;
	msg = lc_nl_msg(h, CTNR_CMD_LOOP_GET, NLM_F_DUMP);
	if (!msg) {
		free(l);
		return -ENOMEM;
	}
	err = lc_nl_put_ref(msg, id, name);
	if (err) {
		nlmsg_free(msg);
		free(l);
		lc_set_error(h, "request too large");
		return err;
	}
	err = lc_nl_request(h, msg, CTNR_A_MAX, lc_loop_list_cb, l);
	free(l);
	return err;
}

/* ---- quota ------------------------------------------------------------- */

static int lc_loop_info_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			   struct nlattr **tb, void *arg)
{
	struct ctnr_loop_info *li = arg;

	(void)h;
	(void)nlh;
	if (!lc_attr_u32(tb[CTNR_A_LOOP_QUOTA], &li->quota))
		li->has |= CTNR_LOOP_HAS_QUOTA;
	if (!lc_attr_u32(tb[CTNR_A_LOOP_COUNT], &li->count))
		li->has |= CTNR_LOOP_HAS_COUNT;
	return 0;
}

int ctnr_loop_info(struct ctnr_handle *h, uint32_t id, const char *name,
		   struct ctnr_loop_info *out)
{
	int err;

	if (!h || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = lc_nl_request_ref(h, CTNR_CMD_CONTAINER_GET, 0, id, name,
				lc_loop_info_cb, out);
	if (!err && !(out->has & CTNR_LOOP_HAS_QUOTA)) {
		lc_set_error(h, "the module has no loop devices");
		return -EOPNOTSUPP;
	}
	return err;
}

static int lc_loop_nop_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			  struct nlattr **tb, void *arg)
{
	(void)h;
	(void)nlh;
	(void)tb;
	(void)arg;
	return 0;
}

int ctnr_loop_set_quota(struct ctnr_handle *h, uint32_t id, const char *name,
			uint32_t quota)
{
	struct nl_msg *msg;
	int err;

	if (!h)
		return -EINVAL;
	lc_clear_error(h);
	msg = lc_nl_msg(h, CTNR_CMD_CONTAINER_SET, 0);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_put_ref(msg, id, name);
	if (!err && nla_put_u32(msg, CTNR_A_LOOP_QUOTA, quota) < 0)
		err = -EMSGSIZE;
	if (err) {
		nlmsg_free(msg);
		lc_set_error(h, "request too large");
		return err;
	}
	return lc_nl_request(h, msg, CTNR_A_MAX, lc_loop_nop_cb, NULL);
}

/* ---- formatting -------------------------------------------------------- */

int ctnr_loop_flags_format(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ CTNR_LOOP_F_READ_ONLY, "ro" },
		{ CTNR_LOOP_F_DIRECT_IO, "direct" },
		{ CTNR_LOOP_F_DETACHING, "detaching" },
	};
	size_t off = 0, i;
	int n;

	if (!buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].bit))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
			     names[i].name);
		if (n < 0 || (size_t)n >= len - off)
			return -ENOSPC;
		off += n;
	}
	if (!off) {
		if (len < 2)
			return -ENOSPC;
		strcpy(buf, "-");
		off = 1;
	}
	return (int)off;
}
