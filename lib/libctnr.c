// SPDX-License-Identifier: LGPL-2.1
/*
 * libctnr: handle, errors, module information and the name tables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <netlink/errno.h>
#include <netlink/socket.h>

#include "internal.h"

const char *ctnr_lib_version(void)
{
	return LIBCTNR_VERSION;
}

/* ---- errors ------------------------------------------------------------ */

void lc_clear_error(struct ctnr_handle *h)
{
	h->err[0] = '\0';
}

bool lc_has_error(const struct ctnr_handle *h)
{
	return h->err[0] != '\0';
}

void lc_set_error(struct ctnr_handle *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
}

/* ---- options structs --------------------------------------------------- */

int lc_opts_valid(struct ctnr_handle *h, const void *opts, size_t known,
		  const char *type)
{
	const unsigned char *p = opts;
	size_t sz, i;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(sz)) {
		lc_set_error(h, "struct %s: sz %zu is too small (set it to sizeof(struct %s), or use CTNR_OPTS())",
			     type, sz, type);
		return -EINVAL;
	}
	for (i = known; i < sz; i++) {
		if (p[i]) {
			lc_set_error(h, "struct %s: byte %zu is set, and this libctnr (%s) knows only %zu bytes of it",
				     type, i, LIBCTNR_VERSION, known);
			return -E2BIG;
		}
	}
	return 0;
}

const char *ctnr_last_error(const struct ctnr_handle *h)
{
	return h ? h->err : "";
}

const char *ctnr_strerror(int err)
{
	const char *s;

	if (err == INT_MIN)
		return "Unknown error";
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "Success";
	case ENOENT:
		return "No such object";
	case EEXIST:
		return "Already exists";
	case ENOTTY:
		return "Unknown ioctl (module too old?)";
	}
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}

/*
 * libnl reports its own failures as NLE_* codes.  Map them back to the
 * errno vocabulary; kernel errors never go through here.
 */
int lc_nle_to_errno(int nle)
{
	static const int map[] = {
		[NLE_SUCCESS]		= 0,
		[NLE_INTR]		= EINTR,
		[NLE_BAD_SOCK]		= EBADF,
		[NLE_AGAIN]		= EAGAIN,
		[NLE_NOMEM]		= ENOMEM,
		[NLE_EXIST]		= EEXIST,
		[NLE_INVAL]		= EINVAL,
		[NLE_RANGE]		= ERANGE,
		[NLE_MSGSIZE]		= EMSGSIZE,
		[NLE_OPNOTSUPP]		= EOPNOTSUPP,
		[NLE_AF_NOSUPPORT]	= EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND]	= ENOENT,
		[NLE_NOATTR]		= ENODATA,
		[NLE_MISSING_ATTR]	= EINVAL,
		[NLE_AF_MISMATCH]	= EAFNOSUPPORT,
		[NLE_SEQ_MISMATCH]	= EPROTO,
		[NLE_MSG_OVERFLOW]	= EOVERFLOW,
		[NLE_MSG_TRUNC]		= EMSGSIZE,
		[NLE_NOADDR]		= EADDRNOTAVAIL,
		[NLE_SRCRT_NOSUPPORT]	= EOPNOTSUPP,
		[NLE_MSG_TOOSHORT]	= EBADMSG,
		[NLE_MSGTYPE_NOSUPPORT]	= EOPNOTSUPP,
		[NLE_OBJ_MISMATCH]	= EINVAL,
		[NLE_NOCACHE]		= ENOENT,
		[NLE_BUSY]		= EBUSY,
		[NLE_PROTO_MISMATCH]	= EPROTONOSUPPORT,
		[NLE_NOACCESS]		= EACCES,
		[NLE_PERM]		= EPERM,
		[NLE_PKTLOC_FILE]	= ENOENT,
		[NLE_PARSE_ERR]		= EINVAL,
		[NLE_NODEV]		= ENODEV,
		[NLE_IMMUTABLE]		= EPERM,
		[NLE_DUMP_INTR]		= EINTR,
		[NLE_ATTRSIZE]		= ERANGE,
	};

	if (nle < 0)
		nle = -nle;
	if (nle == 0)
		return 0;
	if ((size_t)nle < ARRAY_SIZE(map) && map[nle])
		return -map[nle];
	return -EIO;
}

/* ---- handle ------------------------------------------------------------ */

int ctnr_open(struct ctnr_handle **hp)
{
	struct ctnr_handle *h;
	int err;

	if (!hp)
		return -EINVAL;
	*hp = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->dev_fd = -1;

	err = lc_nl_socket(&h->sk);
	if (err)
		goto fail;
	err = lc_nl_resolve(h);
	if (err)
		goto fail;
	lc_clear_error(h);
	*hp = h;
	return 0;
fail:
	ctnr_close(h);
	return err;
}

void ctnr_close(struct ctnr_handle *h)
{
	if (!h)
		return;
	if (h->sk)
		nl_socket_free(h->sk);	/* closes its fd */
	if (h->dev_fd >= 0)
		close(h->dev_fd);
	free(h->rx.buf);
	free(h);
}

/* ---- module information ------------------------------------------------ */

static int lc_info_cb(struct ctnr_handle *h, const struct nlmsghdr *nlh,
		      struct nlattr **tb, void *arg)
{
	struct ctnr_info *info = arg;

	(void)h;
	(void)nlh;
	if (!lc_attr_str(tb[CTNR_A_VERSION], info->version,
			 sizeof(info->version)))
		info->has |= CTNR_INFO_HAS_VERSION;
	if (!lc_attr_u32(tb[CTNR_A_ABI_VERSION], &info->abi_version))
		info->has |= CTNR_INFO_HAS_ABI;
	if (!lc_attr_u64(tb[CTNR_A_FEATURES], &info->features))
		info->has |= CTNR_INFO_HAS_FEATURES;
	if (!lc_attr_u32(tb[CTNR_A_COUNT], &info->count))
		info->has |= CTNR_INFO_HAS_COUNT;
	return 0;
}

int ctnr_info(struct ctnr_handle *h, struct ctnr_info *info)
{
	struct nl_msg *msg;
	int err;

	if (!h || !info)
		return -EINVAL;
	lc_clear_error(h);
	memset(info, 0, sizeof(*info));
	msg = lc_nl_msg(h, CTNR_CMD_INFO, 0);
	if (!msg)
		return -ENOMEM;
	err = lc_nl_request(h, msg, CTNR_A_MAX, lc_info_cb, info);
	if (err < 0)
		return err;
	if (!info->has) {
		lc_set_error(h, "the module sent no information");
		return -EBADMSG;
	}
	return 0;
}

int ctnr_version_ioctl(struct ctnr_handle *h, struct ctnr_info *info)
{
	struct ctnr_ioc_version v = { .size = sizeof(v) };
	int fd;

	if (!h || !info)
		return -EINVAL;
	lc_clear_error(h);
	memset(info, 0, sizeof(*info));
	fd = lc_dev_fd(h);
	if (fd < 0)
		return fd;
	if (ioctl(fd, CTNR_IOC_VERSION, &v) < 0) {
		int err = -errno;

		lc_set_error(h, "CTNR_IOC_VERSION failed");
		return err;
	}
	v.version[sizeof(v.version) - 1] = '\0';
	memcpy(info->version, v.version, sizeof(info->version));
	info->abi_version = v.abi_version;
	info->features = v.features;
	info->has = CTNR_INFO_HAS_VERSION | CTNR_INFO_HAS_ABI |
		    CTNR_INFO_HAS_FEATURES;
	return 0;
}

/* ---- names ------------------------------------------------------------- */

const char *ctnr_feature_name(unsigned int bit)
{
	static const char *const names[] = {
		"container", "exit-track", "devaccess", "kmsg", "loop",
	};

	return bit < ARRAY_SIZE(names) ? names[bit] : NULL;
}

const char *ctnr_state_name(uint32_t state)
{
	switch (state) {
	case CTNR_STATE_RUNNING:
		return "running";
	case CTNR_STATE_STOPPED:
		return "stopped";
	}
	return "unknown";
}

const char *ctnr_event_name(uint32_t type)
{
	switch (type) {
	case CTNR_EVENT_CONTAINER_NEW:
		return "new";
	case CTNR_EVENT_CONTAINER_DEL:
		return "del";
	case CTNR_EVENT_CONTAINER_STOPPED:
		return "stopped";
	case CTNR_EVENT_DEV_DENIED:
		return "dev-denied";
	case CTNR_EVENT_LOG_DROPPED:
		return "log-dropped";
	case CTNR_EVENT_LOOP_ATTACHED:
		return "loop-attached";
	case CTNR_EVENT_LOOP_DETACHED:
		return "loop-detached";
	case CTNR_EVENT_HOOK:
		return "hook";
	}
	return "unknown";
}

static const struct {
	const char *name;	/* as in /proc/PID/ns */
	uint32_t flag;
} lc_ns_types[__CTNR_NS_MAX] = {
	[CTNR_NS_USER]		= { "user",	CLONE_NEWUSER },
	[CTNR_NS_MNT]		= { "mnt",	CLONE_NEWNS },
	[CTNR_NS_UTS]		= { "uts",	CLONE_NEWUTS },
	[CTNR_NS_IPC]		= { "ipc",	CLONE_NEWIPC },
	[CTNR_NS_NET]		= { "net",	CLONE_NEWNET },
	[CTNR_NS_PID]		= { "pid",	CLONE_NEWPID },
	[CTNR_NS_CGROUP]	= { "cgroup",	CLONE_NEWCGROUP },
	[CTNR_NS_TIME]		= { "time",	CLONE_NEWTIME },
};

_Static_assert(CTNR_NS_FDS_MASK_ALL ==
	       (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
		CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME),
	       "CTNR_NS_FDS_MASK_ALL is not every namespace type");

const char *ctnr_ns_name(unsigned int type)
{
	return type < __CTNR_NS_MAX ? lc_ns_types[type].name : NULL;
}

uint32_t ctnr_ns_clone_flag(unsigned int type)
{
	return type < __CTNR_NS_MAX ? lc_ns_types[type].flag : 0;
}

int ctnr_ns_parse(const char *list, uint32_t *mask)
{
	const char *p = list, *end;
	uint32_t m = 0;
	unsigned int t;
	size_t len;

	if (!list || !mask || !*list)
		return -EINVAL;
	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (!len)
			return -EINVAL;
		if (len == 3 && !strncmp(p, "all", 3)) {
			m |= CTNR_NS_FDS_MASK_ALL;
		} else {
			for (t = 0; t < __CTNR_NS_MAX; t++) {
				if (strlen(lc_ns_types[t].name) == len &&
				    !strncmp(p, lc_ns_types[t].name, len))
					break;
			}
			if (t == __CTNR_NS_MAX)
				return -EINVAL;
			m |= lc_ns_types[t].flag;
		}
		if (!end)
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}
