/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libctnr internals: the handle and the small netlink transport layer that
 * every public call goes through.  Nothing here is exported.
 */
#ifndef LIBCTNR_INTERNAL_H
#define LIBCTNR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>

#include <ctnr/libctnr.h>

#pragma GCC visibility push(hidden)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define LC_ERR_MAX	512		/* ctnr_last_error() text */
#define LC_RX_MIN	32768		/* netlink receive buffer */

/* A receive buffer that grows to the largest datagram seen. */
struct lc_rx {
	void *buf;
	size_t size;
};

struct ctnr_handle {
	struct nl_sock *sk;		/* requests, NETLINK_EXT_ACK on */
	uint16_t family;		/* genl id of "ctnr" */
	uint32_t family_version;
	uint32_t events_grp;		/* 0 when the module has none */
	int dev_fd;			/* /dev/ctnr, -1 until needed */
	bool busy;			/* in lc_nl_request(): no nesting */
	struct lc_rx rx;
	char err[LC_ERR_MAX];		/* ctnr_last_error() */
};

/*
 * Called for every reply message of a request with its top-level
 * attributes parsed (tb has CTNR_A_MAX + 1 entries, or CTRL_ATTR_MAX + 1
 * for the controller).  Returns 0 to go on, non-zero to stop delivering;
 * the rest of the reply is still read from the socket.
 */
typedef int (*lc_reply_cb)(struct ctnr_handle *h, const struct nlmsghdr *nlh,
			   struct nlattr **tb, void *arg);

/*
 * Options structs ("OPTIONS STRUCTS" in ctnr/libctnr.h), as libbpf's
 * OPTS_VALID() and OPTS_GET().  TYPE__last_field names the last member of
 * struct TYPE this library knows: move it when a member is added.  What
 * lies beyond it in the caller's struct (up to ->sz) must be zero; what
 * the caller's struct is too small to hold reads as the fallback, which is
 * the member's zero.
 *
 * selftests/unit/compat.c builds a second library with LC_OPTS_OLDER, to
 * stand for a library one member behind the header.
 */
#ifndef LC_OPTS_OLDER
#define ctnr_exec_opts__last_field	tty_fd
#define ctnr_loop_opts__last_field	block_size
#else
#define ctnr_exec_opts__last_field	env
#define ctnr_loop_opts__last_field	sizelimit
#endif

#define lc_offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* 0 (also for NULL opts), -EINVAL (sz too small) or -E2BIG */
int lc_opts_valid(struct ctnr_handle *h, const void *opts, size_t known,
		  const char *type);

#define LC_OPTS_VALID(h, opts, type)					\
	lc_opts_valid((h), (opts),					\
		      lc_offsetofend(struct type, type##__last_field), #type)

#define LC_OPTS_HAS(opts, field)					\
	((opts) && (opts)->sz >= lc_offsetofend(__typeof__(*(opts)), field))

#define LC_OPTS_GET(opts, field, fallback)				\
	(LC_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* errors.c-like helpers, in libctnr.c */
void lc_clear_error(struct ctnr_handle *h);
void lc_set_error(struct ctnr_handle *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool lc_has_error(const struct ctnr_handle *h);
int lc_nle_to_errno(int nle);

/* nl.c */
int lc_nl_socket(struct nl_sock **skp);
int lc_nl_resolve(struct ctnr_handle *h);
struct nl_msg *lc_nl_msg(struct ctnr_handle *h, uint8_t cmd, int flags);
int lc_nl_put_ref(struct nl_msg *msg, uint32_t id, const char *name);
int lc_nl_request_ref(struct ctnr_handle *h, uint8_t cmd, int flags,
		      uint32_t id, const char *name, lc_reply_cb cb, void *arg);
int lc_nl_request(struct ctnr_handle *h, struct nl_msg *msg, int maxattr,
		  lc_reply_cb cb, void *arg);
int lc_nl_recv(int fd, struct lc_rx *rx, int flags);
int lc_attr_u32(const struct nlattr *a, uint32_t *v);
int lc_attr_u64(const struct nlattr *a, uint64_t *v);
int lc_attr_str(const struct nlattr *a, char *buf, size_t size);
const char *lc_attr_name(unsigned int type);

/* container.c */
int lc_parse_container(struct nlattr **tb, struct ctnr_container *c);

/* enter.c */
int lc_dev_fd(struct ctnr_handle *h);

#pragma GCC visibility pop

#endif /* LIBCTNR_INTERNAL_H */
