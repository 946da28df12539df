// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: a seeded fuzzer of every entry point of the module (issue 9.2).
 *
 * Several threads interleave random operations on a small set of
 * containers whose inits die at random:
 *
 *   - generic netlink messages of every command of the family, built from
 *     the attribute tables that scripts/fuzzspec.py generates from the YAML
 *     spec (build/fuzzspec.h): valid, truncated, wrongly nested, oversized
 *     and boundary attributes, random header flags (NLM_F_DUMP too), wrong
 *     versions and bad headers;
 *   - every ioctl of /dev/ctnr with random sizes, flags, pointers and fds;
 *   - reads, writes, seeks and polls of /dev/ctnr-kmsg, syslog(2) with
 *     every action and odd buffers and lengths, and reads and polls of
 *     /dev/ctnr-prockmsg, from children that move into a container's
 *     cgroup;
 *   - ctnrloop attach with odd backing files, detach, and I/O on the
 *     devices;
 *   - init processes started, registered and killed.
 *
 * It checks invariants, not only survival: replies are well-formed, the
 * fds the ioctls install are what they claim, after every batch of
 * operations the container dump agrees with what succeeded, an
 * unprivileged caller changes nothing it does not own, and at the end
 * every object the fuzzer made is gone and the debugfs counters are back
 * to their starting values.
 *
 * Three tests, one per identity: host root (fuzz.root), uid 1000
 * (fuzz.unpriv) and root of a new user namespace of uid 1000
 * (fuzz.userns).  Options (or the environment):
 *
 *   --seed N      CTNR_FUZZ_SEED     (default: from the clock; printed)
 *   --seconds S   CTNR_FUZZ_SECONDS  (default 60, split across identities)
 *   --ops N       CTNR_FUZZ_OPS      (per identity; default unbounded)
 *   --threads N   CTNR_FUZZ_THREADS  (default 3; 1 to replay a seed)
 *   --only ID     CTNR_FUZZ_ONLY     (root, unpriv or userns)
 *   --verbose     CTNR_FUZZ_VERBOSE  (print every operation)
 */
#define _GNU_SOURCE
#include "ctnr_test.h"

#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <linux/fs.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

/* ------------------------------------------------------------------ */
/* the tables generated from the spec                                  */

enum fz_type {
	FZ_T_UNUSED, FZ_T_PAD, FZ_T_FLAG, FZ_T_U8, FZ_T_U16, FZ_T_U32,
	FZ_T_U64, FZ_T_S8, FZ_T_S16, FZ_T_S32, FZ_T_S64, FZ_T_STRING,
	FZ_T_BINARY, FZ_T_NEST,
};

#define FZ_NO_BOUND	INT64_MIN

struct fz_attr {
	const char *name;	/* NULL: no attribute of this value */
	int type;		/* enum fz_type */
	int nested;		/* index in fz_sets[] of a nest, else -1 */
	int multi;		/* multi-attr */
	int64_t min, max;	/* checks: min/max, or FZ_NO_BOUND */
	int maxlen;		/* checks: max-len, or 0 */
	int nenum;		/* entries of its enum, or 0 */
};

struct fz_set {
	const char *name;
	const struct fz_attr *attrs;	/* indexed by attribute value */
	int n;
};

struct fz_op {
	const char *name;
	int cmd;
	int set;
	int event;		/* a notification, not a request */
	int has_do, has_dump;
	const unsigned short *do_attrs;
	int n_do;
	const unsigned short *dump_attrs;
	int n_dump;
};

#define FZ_CHECK_UAPI
#include "fuzzspec.h"

/* ------------------------------------------------------------------ */
/* options                                                            */

enum { ID_ROOT, ID_UNPRIV, ID_USERNS, ID_MAX };
static const char *const id_names[ID_MAX] = { "root", "unpriv", "userns" };
static const char id_letter[ID_MAX] = { 'r', 'p', 'n' };
/* how the default time is split: fifths */
static const int id_share[ID_MAX] = { 2, 1, 2 };

static uint64_t opt_seed;
static long opt_ops = -1;
static int opt_seconds = 60;
static int opt_threads = 3;
static int opt_only = -1;
static int opt_verbose;

/* ------------------------------------------------------------------ */
/* random numbers: splitmix64, one state per thread                   */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static bool pct(struct rng *r, unsigned int p)
{
	return rn(r, 100) < p;
}

#define PICK(r, arr)	((arr)[rn(r, sizeof(arr) / sizeof((arr)[0]))])

static void rnd_bytes(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rnd(r);
}

/* ------------------------------------------------------------------ */
/* the state of one identity's run (in its own process)               */

#define FZ_SLOTS	5	/* init processes */
#define FZ_NAMES	6	/* container names of the pool */
#define FZ_RECS		64	/* containers believed to exist */
#define FZ_LOOPS	24	/* loop devices */
#define FZ_FDS		32	/* odd fds for backing files and arguments */
#define FZ_FOREIGN	2	/* host-owned containers the others must not touch */
#define FZ_BATCH	48	/* operations per thread between checks */
#define FZ_THREADS_MAX	8
#define FZ_BUF		(256 * 1024)

struct fz_init {
	pid_t pid;		/* -1: empty slot */
	unsigned int gen;	/* bumped at every start */
	int64_t died_ms;	/* when killed, 0 while alive */
	char cg[PATH_MAX];
};

struct fz_rec {
	bool used;
	uint32_t id;
	char name[CTNR_NAME_MAX];
	int slot;		/* init slot it was made from, or -1 */
	unsigned int gen;	/* of that slot */
	bool autoremove;	/* may have AUTOREMOVE set */
	bool maybe_gone;	/* a delete of unknown target succeeded */
	int born_thread;	/* who registered it, at which op */
	long born_op;
	uint32_t last_state;	/* at the last check, or -1 */
	char last_op[120];	/* the last request that named it, and its answer */
	int64_t born_us;	/* when its registration was sent */
	int64_t added_us;	/* when it came into the model */
};

/* A delete or a change of flags that succeeded, for registrations racing it. */
#define FZ_RECENT	64

struct fz_recent {
	bool del;		/* else a change of flags */
	bool autoremove;	/* may have set AUTOREMOVE */
	bool any;		/* the target is not known */
	uint32_t id;		/* by id, or */
	char name[CTNR_NAME_MAX * 2];	/* by name */
	int64_t end_us;		/* when its answer came */
};

struct fz_loop {
	bool used;
	uint32_t index;
	int fd;			/* -1: none (not opened or closed) */
	bool detached;
};

struct fz_foreign {
	uint32_t id;
	char name[CTNR_NAME_MAX];
	struct ctnr_ctr before;
	pid_t pid;
	char cg[PATH_MAX];
};

/* What the events group said (host root only), for the failure report. */
#define FZ_EVENTS	256

struct fz_event {
	uint32_t event, id, state;
	int64_t ms;
};

struct fz {
	int ident;
	struct fz_event ev[FZ_EVENTS];
	atomic_uint nev;
	int64_t t0;
	char prefix[16];
	pthread_mutex_t lock;
	struct fz_init init[FZ_SLOTS];
	struct fz_rec rec[FZ_RECS];
	struct fz_loop loop[FZ_LOOPS];
	struct fz_recent recent[FZ_RECENT];
	unsigned int nrecent;
	int fds[FZ_FDS];
	const char *fd_what[FZ_FDS];
	int nfds;
	int backing;		/* a memfd the threads resize */
	int family;
	int mcgrp;
	struct fz_foreign foreign[FZ_FOREIGN];
	int nforeign;
	char top[PATH_MAX];
	bool can_cg;
	int nthreads;
	pthread_barrier_t bar;
	atomic_int stop;
	atomic_int failed;
	/* a hang: the threads' tids, for the parent (root) to dump stacks */
	atomic_int hung, hung_dumped;
	pid_t tid[FZ_THREADS_MAX];
	atomic_int lost;	/* a reply may have been lost (overrun) */
	int64_t deadline;
	long ops_limit;
	atomic_long ops;
	atomic_long n_nl, n_ioc, n_kmsg, n_loop, n_life, n_checks, n_ok;
	atomic_long n_adopted;
	atomic_long n_spawn_fail;
	/* how deep it got: what succeeded */
	atomic_long ok_new, ok_nsfds, ok_attach, ok_kmsg_open, ok_kmsg_read;
	char spawn_err[160];	/* why the first registration of an init failed */
	atomic_int n_done;
	char failmsg[1024];
};

struct fz_thread {
	struct fz *fz;
	int idx;
	uint64_t seed;
	struct rng rng;
	long op;
	char cur[200];
	char hist[16][200];	/* the last operations, printed on failure */
	int nhist;
	int nl;
	uint32_t seq;
	uint8_t *tx, *rx;
	struct ctnr_nl lnl;	/* libnl socket for the checks */
	int64_t start_us;	/* when the last request was sent */
	int dev;
};

static void fz_fail(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fz_fail(struct fz_thread *t, const char *fmt, ...)
{
	struct fz *fz = t->fz;
	char msg[700];
	va_list ap;
	int expected = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!atomic_compare_exchange_strong(&fz->failed, &expected, 1))
		return;
	snprintf(fz->failmsg, sizeof(fz->failmsg),
		 "thread %d op %ld (seed %llu, %s): %s [during: %s]",
		 t->idx, t->op, (unsigned long long)t->seed,
		 id_names[fz->ident], msg, t->cur);
	fprintf(stderr, "# fuzz.%s: FAILED: %s\n", id_names[fz->ident],
		fz->failmsg);
	atomic_store(&fz->stop, 1);
}

static void cur(struct fz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cur(struct fz_thread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->cur, sizeof(t->cur), fmt, ap);
	va_end(ap);
	snprintf(t->hist[t->nhist++ % 16], sizeof(t->hist[0]), "#%ld %.180s",
		 t->op, t->cur);
	if (opt_verbose)
		fprintf(stderr, "# [%s t%d #%ld] %s\n",
			id_names[t->fz->ident], t->idx, t->op, t->cur);
}

/* ------------------------------------------------------------------ */
/* values                                                             */

enum hint {
	H_NONE, H_ID, H_NAME, H_PID, H_PIDFD, H_FLAGS, H_LOG_SIZE,
	H_DEV_TYPE, H_DEV_MAJOR, H_DEV_MINOR, H_DEV_ACCESS, H_DEV_DEFAULT,
	H_LOOP_QUOTA, H_LOG_SEQ,
};

static enum hint hint_of(const char *name)
{
	static const struct { const char *n; enum hint h; } map[] = {
		{ "id", H_ID }, { "name", H_NAME }, { "pid", H_PID },
		{ "pidfd", H_PIDFD }, { "flags", H_FLAGS },
		{ "log-size", H_LOG_SIZE }, { "dev-type", H_DEV_TYPE },
		{ "dev-major", H_DEV_MAJOR }, { "dev-minor", H_DEV_MINOR },
		{ "dev-access", H_DEV_ACCESS },
		{ "dev-default", H_DEV_DEFAULT },
		{ "loop-quota", H_LOOP_QUOTA }, { "log-seq", H_LOG_SEQ },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].n, name))
			return map[i].h;
	return H_NONE;
}

static const uint64_t boundary[] = {
	0, 1, 2, 3, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff,
	0x10000, 0xfffff, 0x100000, 0x7fffffff, 0x80000000, 0xfffffffe,
	0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, 0xffffffffffffffffULL,
};

/* A container id: one the model knows, a foreign one, or nonsense. */
static uint32_t pick_id(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	uint32_t id = 0;
	int i, k;

	if (fz->nforeign && pct(&t->rng, 15))
		return fz->foreign[rn(&t->rng, fz->nforeign)].id;
	if (pct(&t->rng, 80)) {
		pthread_mutex_lock(&fz->lock);
		k = (int)rn(&t->rng, FZ_RECS);
		for (i = 0; i < FZ_RECS; i++) {
			struct fz_rec *r = &fz->rec[(k + i) % FZ_RECS];

			if (r->used) {
				id = r->id;
				break;
			}
		}
		pthread_mutex_unlock(&fz->lock);
		if (id)
			return pct(&t->rng, 5) ? id + 1 : id;
	}
	return (uint32_t)PICK(&t->rng, boundary);
}

/* A name: of the pool (sometimes a foreign one), or an invalid one. */
static void pick_name(struct fz_thread *t, char *buf, size_t len)
{
	struct fz *fz = t->fz;
	static const char *const bad[] = {
		"", ".", "..", "a/b", "a b", "-", "\xc3\xa9t\xc3\xa9",
		"x\n", "UPPER_lower.9-", "*",
	};
	int n;

	if (fz->nforeign && pct(&t->rng, 10)) {
		snprintf(buf, len, "%s",
			 fz->foreign[rn(&t->rng, fz->nforeign)].name);
		return;
	}
	n = (int)rn(&t->rng, 100);
	if (n < 80) {
		snprintf(buf, len, "%s-%u", fz->prefix, rn(&t->rng, FZ_NAMES));
	} else if (n < 90) {
		snprintf(buf, len, "%s", PICK(&t->rng, bad));
	} else {
		/* 62..65 valid characters around the limit */
		size_t l = 62 + rn(&t->rng, 4), i;

		if (l > len - 1)
			l = len - 1;
		for (i = 0; i < l; i++)
			buf[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rn(&t->rng, 36)];
		buf[l] = '\0';
		memcpy(buf, fz->prefix, strlen(fz->prefix));
	}
}

static pid_t pick_pid(struct fz_thread *t, int *slot, unsigned int *gen)
{
	struct fz *fz = t->fz;
	int s = (int)rn(&t->rng, FZ_SLOTS);
	pid_t pid;

	*slot = -1;
	if (pct(&t->rng, 90)) {
		pthread_mutex_lock(&fz->lock);
		pid = fz->init[s].pid;
		*gen = fz->init[s].gen;
		pthread_mutex_unlock(&fz->lock);
		if (pid > 0) {
			*slot = s;
			return pid;
		}
	}
	switch (rn(&t->rng, 5)) {
	case 0: return 0;
	case 1: return -1;
	case 2: return 0x7fffffff;
	case 3: return fz->ident == ID_ROOT && pct(&t->rng, 20) ? 1 : 4194304;
	default: return getpid() + 100000;
	}
}

/* ------------------------------------------------------------------ */
/* netlink message building                                           */

struct nlbuf {
	uint8_t *p;
	size_t len, cap;
	bool bad;		/* some length is a lie: the kernel rejects it */
};

static void *nb_put(struct nlbuf *b, const void *data, size_t len)
{
	size_t pad = NLA_ALIGN(len) - len;
	uint8_t *at;

	if (b->len + len + pad > b->cap) {
		b->bad = true;
		return NULL;
	}
	at = b->p + b->len;
	if (data)
		memcpy(at, data, len);
	else
		memset(at, 0, len);
	memset(at + len, 0, pad);
	b->len += len + pad;
	return at;
}

/* What the top level of a request said, for the model. */
struct reqinfo {
	bool have_id, have_name, have_flags, have_pid;
	uint32_t id, flags;
	char name[CTNR_NAME_MAX * 2];
	int nattrs;
};

static void put_attrs(struct fz_thread *t, struct nlbuf *b, int set,
		      const unsigned short *allowed, int nallowed, int depth,
		      struct reqinfo *ri);

/* One attribute of @type, payload made for what the spec says it is. */
static void put_one(struct fz_thread *t, struct nlbuf *b, int set, int type,
		    int depth, struct reqinfo *ri)
{
	struct rng *r = &t->rng;
	const struct fz_set *s = &fz_sets[set];
	const struct fz_attr *a = type >= 0 && type < s->n &&
				  s->attrs[type].name ? &s->attrs[type] : NULL;
	uint8_t val[8192];
	size_t len = 0, hdr_at = b->len;
	struct nlattr *nla;
	uint64_t v = 0;
	enum hint h = a && depth == 0 ? hint_of(a->name) : H_NONE;
	bool fixed = false;
	int slot;
	unsigned int gen;

	nla = nb_put(b, NULL, NLA_HDRLEN);
	if (!nla)
		return;
	nla->nla_type = (uint16_t)type;
	if (!a) {
		len = rn(r, 4) ? rn(r, 16) : rn(r, 600);
		rnd_bytes(r, val, len);
		goto put;
	}
	switch (a->type) {
	case FZ_T_UNUSED: case FZ_T_PAD: case FZ_T_BINARY:
		len = pct(r, 80) ? rn(r, 64) : rn(r, sizeof(val));
		rnd_bytes(r, val, len);
		break;
	case FZ_T_FLAG:
		len = pct(r, 90) ? 0 : rn(r, 9);
		rnd_bytes(r, val, len);
		break;
	case FZ_T_STRING:
		if (h == H_NAME || pct(r, 30)) {
			pick_name(t, (char *)val, CTNR_NAME_MAX + 8);
		} else {
			size_t l = pct(r, 70) ? rn(r, 32) :
				   pct(r, 50) ? 4095 + rn(r, 3) : rn(r, 7000);

			memset(val, 'a' + rn(r, 26), l);
			val[l] = '\0';
		}
		len = strlen((char *)val) + 1;
		if (depth == 0 && h == H_NAME && ri) {
			ri->have_name = true;
			snprintf(ri->name, sizeof(ri->name), "%.127s", (char *)val);
		}
		if (pct(r, 5)) {		/* no NUL */
			len--;
			if (ri && h == H_NAME)
				b->bad = true;
		} else if (pct(r, 4)) {		/* embedded NUL, tail */
			val[len] = 'z';
			val[len + 1] = '\0';
			len += 2;
		}
		if (a->maxlen && pct(r, 20)) {
			b->bad = true;
			len = a->maxlen + rn(r, 3);
			memset(val, 'b', len);
			val[len - 1] = '\0';
		}
		break;
	case FZ_T_NEST:
		nla->nla_type |= pct(r, 90) ? NLA_F_NESTED : 0;
		if (depth >= 3 || pct(r, 8)) {
			len = rn(r, 40);
			rnd_bytes(r, val, len);
			break;
		}
		if (pct(r, 3)) {
			/* a deep chain of nests */
			int i, n = 8 + (int)rn(r, 40);
			size_t at[64];

			for (i = 0; i < n && i < 64; i++) {
				struct nlattr *x = nb_put(b, NULL, NLA_HDRLEN);

				if (!x)
					break;
				at[i] = (uint8_t *)x - b->p;
				x->nla_type = NLA_F_NESTED | (uint16_t)type;
			}
			n = i;
			while (n-- > 0) {
				struct nlattr *x = (void *)(b->p + at[n]);

				x->nla_len = (uint16_t)(b->len - at[n]);
			}
		} else {
			int ns = pct(r, 90) ? a->nested : (int)rn(r, FZ_NSETS);

			put_attrs(t, b, ns, NULL, 0, depth + 1, NULL);
		}
		nla = (void *)(b->p + hdr_at);
		if (b->len - hdr_at > 0xffff) {
			b->bad = true;
			nla->nla_len = 0xffff;
		} else {
			nla->nla_len = (uint16_t)(b->len - hdr_at);
		}
		if (pct(r, 2)) {
			nla->nla_len += 4 * (1 + rn(r, 3));
			b->bad = true;
		}
		return;
	default:
		fixed = true;
		switch (a->type) {
		case FZ_T_U8: case FZ_T_S8: len = 1; break;
		case FZ_T_U16: case FZ_T_S16: len = 2; break;
		case FZ_T_U32: case FZ_T_S32: len = 4; break;
		default: len = 8; break;
		}
		v = PICK(r, boundary);
		if (a->nenum && pct(r, 50))
			v = rn(r, a->nenum + 2);
		if (a->min != FZ_NO_BOUND && pct(r, 30))
			v = (uint64_t)(a->min - 1 + rn(r, 3));
		if (a->max != FZ_NO_BOUND && pct(r, 30))
			v = (uint64_t)(a->max - 1 + rn(r, 3));
		if (pct(r, 10))
			v = rnd(r);
		if (pct(r, 75)) {
			switch (h) {
			case H_ID: v = pick_id(t); break;
			case H_PID: v = (uint32_t)pick_pid(t, &slot, &gen); break;
			case H_PIDFD:
				v = (uint32_t)(pct(r, 50) ?
					       t->fz->fds[rn(r, t->fz->nfds)] :
					       (int)PICK(r, boundary));
				break;
			case H_FLAGS: v = rn(r, 4) == 0 ? rnd(r) : rn(r, 2); break;
			case H_LOG_SIZE:
				v = PICK(r, ((const uint64_t[]){ 4096, 4095,
					65536, 16U << 20, (16U << 20) + 1,
					8192, 100000 }));
				break;
			case H_DEV_TYPE: v = rn(r, 4); break;
			case H_DEV_MAJOR:
				v = pct(r, 20) ? CTNR_DEV_ANY : rn(r, 4098);
				break;
			case H_DEV_MINOR:
				v = pct(r, 20) ? CTNR_DEV_ANY :
				    pct(r, 50) ? rn(r, 4) : 1048574 + rn(r, 3);
				break;
			case H_DEV_ACCESS: v = rn(r, 9); break;
			case H_DEV_DEFAULT: v = rn(r, 3); break;
			case H_LOOP_QUOTA: v = pct(r, 80) ? rn(r, 20) : rnd(r); break;
			case H_LOG_SEQ: v = pct(r, 50) ? rn(r, 100) : rnd(r); break;
			default: break;
			}
		}
		memcpy(val, &v, 8);
		if (depth == 0 && ri) {
			if (h == H_ID) {
				ri->have_id = true;
				ri->id = (uint32_t)v;
			} else if (h == H_FLAGS) {
				ri->have_flags = true;
				ri->flags = (uint32_t)v;
			} else if (h == H_PID) {
				ri->have_pid = true;
			}
		}
		break;
	}
	/* wrong sizes: short, long, empty, huge */
	if (pct(r, fixed ? 8 : 3)) {
		switch (rn(r, 4)) {
		case 0: len = len ? len - 1 : 1; break;
		case 1: len = len + 1 + rn(r, 8); break;
		case 2: len = 0; break;
		default: len = 1024 + rn(r, 4096); break;
		}
		if (fixed)
			b->bad = true;
		rnd_bytes(r, val + 8, len > 8 ? len - 8 : 0);
	}
put:
	if (len > sizeof(val))
		len = sizeof(val);
	if (!nb_put(b, val, len))
		return;
	nla = (void *)(b->p + hdr_at);
	nla->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (pct(r, 1)) {
		/* a length running past what follows */
		nla->nla_len = (uint16_t)(nla->nla_len + 4 + rn(r, 200));
		b->bad = true;
	}
}

static void put_attrs(struct fz_thread *t, struct nlbuf *b, int set,
		      const unsigned short *allowed, int nallowed, int depth,
		      struct reqinfo *ri)
{
	struct rng *r = &t->rng;
	const struct fz_set *s = &fz_sets[set];
	int n, i, type, k;

	n = pct(r, 10) ? 0 : 1 + (int)rn(r, 4);
	if (pct(r, 3))
		n += (int)rn(r, 20);
	for (i = 0; i < n && b->len < b->cap - 64; i++) {
		k = (int)rn(r, 100);
		if (allowed && nallowed && k < 80)
			type = allowed[rn(r, nallowed)];
		else if (!allowed && k < 85)
			type = (int)rn(r, s->n);
		else if (k < 92)
			type = (int)rn(r, s->n);
		else if (k < 97)
			type = (int)rn(r, s->n + 3);
		else
			type = (int)rn(r, 0x10000) & ~NLA_F_NESTED;
		if (ri)
			ri->nattrs++;
		if (type < s->n && s->attrs[type].multi && pct(r, 60)) {
			/* a run of them; rarely more than any limit allows */
			int m = pct(r, 2) ? CTNR_DEV_RULES_MAX + 1 :
				1 + (int)rn(r, 12);

			while (m-- > 0 && b->len < b->cap - 128)
				put_one(t, b, set, type, depth, ri);
			continue;
		}
		put_one(t, b, set, type, depth, ri);
	}
}

/* ------------------------------------------------------------------ */
/* netlink exchange                                                   */

struct nlresult {
	int err;		/* the error for our request, 0 if none */
	bool got_err;
	bool sentinel;		/* our NOOP's ack came */
	int replies;
	bool new_reply;		/* a CONTAINER_NEW reply was parsed */
	uint32_t new_id, new_flags, new_pid;
	char new_name[CTNR_NAME_MAX];
	char msg[128];		/* the extended ack's message */
};

/* Check the attributes of a reply against the spec; false if broken. */
static bool check_reply_attrs(struct fz_thread *t, int set, const void *data,
			      int len, int depth, char *why, size_t wlen)
{
	const struct fz_set *s = &fz_sets[set];
	const struct nlattr *a;
	int rem = len;

	(void)t;
	for (a = data; rem >= NLA_HDRLEN; ) {
		int al = a->nla_len, type = a->nla_type & NLA_TYPE_MASK;
		int pl = al - NLA_HDRLEN;
		const struct fz_attr *d;

		if (al < NLA_HDRLEN || al > rem) {
			snprintf(why, wlen, "attribute %d: length %d of %d",
				 type, al, rem);
			return false;
		}
		d = type < s->n && s->attrs[type].name ? &s->attrs[type] : NULL;
		if (!d) {
			snprintf(why, wlen, "attribute %d not in set %s",
				 type, s->name);
			return false;
		}
		switch (d->type) {
		case FZ_T_U32: case FZ_T_S32:
			if (pl != 4)
				goto badlen;
			break;
		case FZ_T_U64: case FZ_T_S64:
			if (pl != 8)
				goto badlen;
			break;
		case FZ_T_STRING:
			if (pl < 1 || ((const char *)a + NLA_HDRLEN)[pl - 1]) {
				snprintf(why, wlen, "%s: string not terminated",
					 d->name);
				return false;
			}
			break;
		case FZ_T_NEST:
			if (depth < 4 &&
			    !check_reply_attrs(t, d->nested,
					       (const char *)a + NLA_HDRLEN,
					       pl, depth + 1, why, wlen))
				return false;
			break;
		default:
			break;
		}
		rem -= NLA_ALIGN(al);
		a = (const void *)((const char *)a + NLA_ALIGN(al));
		continue;
badlen:
		snprintf(why, wlen, "%s: %d bytes", d->name, pl);
		return false;
	}
	if (rem > 0 && rem < NLA_HDRLEN && rem != 0) {
		snprintf(why, wlen, "%d stray bytes after the attributes", rem);
		return false;
	}
	return true;
}

static const struct fz_op *op_by_cmd(int cmd)
{
	int i;

	for (i = 0; i < FZ_NOPS; i++)
		if (fz_ops[i].cmd == cmd)
			return &fz_ops[i];
	return NULL;
}

static void parse_new_reply(struct nlresult *res, const void *data, int len)
{
	const struct nlattr *a;
	int rem = len;

	for (a = data; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= rem; ) {
		const void *p = (const char *)a + NLA_HDRLEN;
		int pl = a->nla_len - NLA_HDRLEN;

		switch (a->nla_type & NLA_TYPE_MASK) {
		case CTNR_A_ID:
			if (pl == 4)
				memcpy(&res->new_id, p, 4);
			break;
		case CTNR_A_FLAGS:
			if (pl == 4)
				memcpy(&res->new_flags, p, 4);
			break;
		case CTNR_A_PID:
			if (pl == 4)
				memcpy(&res->new_pid, p, 4);
			break;
		case CTNR_A_NAME:
			snprintf(res->new_name, sizeof(res->new_name), "%.*s",
				 pl, (const char *)p);
			break;
		}
		rem -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	if (res->new_id)
		res->new_reply = true;
}

/* The extended ack's message of an error, into @res->msg. */
static void ack_msg(const struct nlmsghdr *h, struct nlresult *res)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e);
	const struct nlattr *a;
	int rem;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (h->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	rem = (int)(h->nlmsg_len - NLMSG_HDRLEN - off);
	for (a = (const void *)((const char *)e + off);
	     rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(res->msg, sizeof(res->msg), "%.*s",
				 a->nla_len - NLA_HDRLEN,
				 (const char *)a + NLA_HDRLEN);
}

/* Read everything the kernel queued for us; false on a broken reply. */
static bool nl_drain(struct fz_thread *t, uint32_t seq, uint32_t sseq,
		     int reqcmd, struct nlresult *res)
{
	struct fz *fz = t->fz;
	int64_t end = now_ms() + 20000;
	char why[200];

	for (;;) {
		ssize_t n = recv(t->nl, t->rx, FZ_BUF, MSG_DONTWAIT | MSG_TRUNC);
		struct nlmsghdr *h;
		int rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				atomic_store(&fz->lost, 1);
				continue;
			}
			if (errno != EAGAIN) {
				fz_fail(t, "netlink recv: %s", strerror(errno));
				return false;
			}
			if (res->sentinel)
				return true;
			if (now_ms() > end) {
				if (atomic_load(&fz->lost))
					return true;
				fz_fail(t, "no answer to a NOOP after the request in 20 s");
				return false;
			}
			{
				struct pollfd p = { .fd = t->nl, .events = POLLIN };

				poll(&p, 1, 100);
			}
			continue;
		}
		if (n > FZ_BUF) {
			fz_fail(t, "netlink message of %zd bytes", n);
			return false;
		}
		rem = (int)n;
		for (h = (void *)t->rx; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			int plen = (int)h->nlmsg_len - NLMSG_HDRLEN;

			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (plen < (int)sizeof(*e)) {
					fz_fail(t, "short NLMSG_ERROR (%d bytes)", plen);
					return false;
				}
				if (e->error > 0 || e->error < -4095) {
					fz_fail(t, "NLMSG_ERROR with error %d", e->error);
					return false;
				}
				if (h->nlmsg_seq == sseq) {
					if (e->error) {
						fz_fail(t, "NOOP acked with %d", e->error);
						return false;
					}
					res->sentinel = true;
				} else if (h->nlmsg_seq == seq) {
					if (!res->got_err) {
						res->got_err = true;
						res->err = e->error;
						ack_msg(h, res);
					}
				}
				continue;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				if (h->nlmsg_seq == seq && plen >= 4) {
					int e;

					memcpy(&e, NLMSG_DATA(h), 4);
					if (e > 0 || e < -4095) {
						fz_fail(t, "NLMSG_DONE with %d", e);
						return false;
					}
					if (e && !res->got_err) {
						res->got_err = true;
						res->err = e;
					}
				}
				continue;
			}
			if (h->nlmsg_type == NLMSG_NOOP ||
			    h->nlmsg_type == NLMSG_OVERRUN)
				continue;
			if (h->nlmsg_type != fz->family) {
				fz_fail(t, "message of type %u", h->nlmsg_type);
				return false;
			}
			{
				struct genlmsghdr *g = NLMSG_DATA(h);
				const struct fz_op *op;

				if (plen < (int)GENL_HDRLEN) {
					fz_fail(t, "reply without a genl header");
					return false;
				}
				op = op_by_cmd(g->cmd);
				if (!op) {
					fz_fail(t, "reply with command %u", g->cmd);
					return false;
				}
				if (!check_reply_attrs(t, op->set,
						       (char *)g + GENL_HDRLEN,
						       plen - GENL_HDRLEN, 0,
						       why, sizeof(why))) {
					fz_fail(t, "reply %s: %s", op->name, why);
					return false;
				}
				if (h->nlmsg_seq == seq) {
					res->replies++;
					if (reqcmd == CTNR_CMD_CONTAINER_NEW)
						parse_new_reply(res,
							(char *)g + GENL_HDRLEN,
							plen - GENL_HDRLEN);
				}
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* the model                                                          */

static struct fz_rec *rec_by_id(struct fz *fz, uint32_t id)
{
	int i;

	for (i = 0; i < FZ_RECS; i++)
		if (fz->rec[i].used && fz->rec[i].id == id)
			return &fz->rec[i];
	return NULL;
}

/* Does the recent request @rc name the container of @r? */
static bool recent_hits(const struct fz_recent *rc, const struct fz_rec *r)
{
	if (rc->any)
		return true;
	if (rc->id)
		return rc->id == r->id;
	return !strcmp(rc->name, r->name);
}

static void rec_add(struct fz_thread *t, uint32_t id, const char *name,
		    uint32_t flags, int slot, unsigned int gen)
{
	struct fz *fz = t->fz;
	struct fz_rec *r;
	int i;

	pthread_mutex_lock(&fz->lock);
	r = rec_by_id(fz, id);
	if (r) {
		pthread_mutex_unlock(&fz->lock);
		fz_fail(t, "CONTAINER_NEW returned id %u, which %s already has",
			id, r->name);
		return;
	}
	for (i = 0; i < FZ_RECS && fz->rec[i].used; i++)
		;
	if (i == FZ_RECS) {
		pthread_mutex_unlock(&fz->lock);
		fz_fail(t, "more than %d containers in the model", FZ_RECS);
		return;
	}
	r = &fz->rec[i];
	memset(r, 0, sizeof(*r));
	r->used = true;
	r->id = id;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->slot = slot;
	r->gen = gen;
	r->autoremove = flags & CTNR_F_AUTOREMOVE;
	r->born_thread = t->idx;
	r->born_op = t->op;
	r->last_state = (uint32_t)-1;
	r->born_us = t->start_us;
	r->added_us = now_us();
	/*
	 * A delete or a change of flags that succeeded while this
	 * registration was on its way may have been this container's.
	 */
	for (i = 0; i < FZ_RECENT; i++) {
		const struct fz_recent *rc = &fz->recent[i];

		if (!rc->end_us || rc->end_us < t->start_us ||
		    !recent_hits(rc, r))
			continue;
		if (rc->del)
			r->maybe_gone = true;
		else
			r->autoremove |= rc->autoremove;
	}
	/* an init that died meanwhile: the container may already be gone */
	if (slot >= 0 && (fz->init[slot].gen != gen || fz->init[slot].died_ms))
		r->maybe_gone |= r->autoremove;
	pthread_mutex_unlock(&fz->lock);
}

/* Remember the last request that named a container of the model. */
static void rec_note(struct fz_thread *t, uint32_t id, const char *name,
		     int err)
{
	struct fz *fz = t->fz;
	int i;

	pthread_mutex_lock(&fz->lock);
	for (i = 0; i < FZ_RECS; i++) {
		struct fz_rec *r = &fz->rec[i];

		if (r->used && ((id && r->id == id) ||
				(!id && name && !strcmp(r->name, name))))
			snprintf(r->last_op, sizeof(r->last_op),
				 "t%d #%ld %.60s: %d at %.1f s", t->idx, t->op,
				 t->cur, err, (now_ms() - fz->t0) / 1000.0);
	}
	pthread_mutex_unlock(&fz->lock);
}

/* What a request that the kernel accepted did to the model. */
static void model_update(struct fz_thread *t, int cmd, bool wellformed,
			 const struct reqinfo *ri, const struct nlresult *res,
			 int slot, unsigned int gen)
{
	struct fz *fz = t->fz;
	struct fz_recent *rc;
	int i;

	if (fz->ident == ID_UNPRIV && cmd != CTNR_CMD_INFO &&
	    cmd != CTNR_CMD_CONTAINER_GET && cmd != CTNR_CMD_DEV_RULE_GET &&
	    cmd != CTNR_CMD_LOG_GET && cmd != CTNR_CMD_LOOP_GET) {
		fz_fail(t, "uid %d: command %d succeeded", UNPRIV_UID, cmd);
		return;
	}
	if (cmd == CTNR_CMD_CONTAINER_NEW) {
		if (!res->new_reply) {
			atomic_store(&fz->lost, 1);
			return;
		}
		atomic_fetch_add(&fz->ok_new, 1);
		rec_add(t, res->new_id, res->new_name, res->new_flags, slot, gen);
		return;
	}
	if (cmd != CTNR_CMD_CONTAINER_DEL && cmd != CTNR_CMD_CONTAINER_SET)
		return;
	if (cmd == CTNR_CMD_CONTAINER_SET && !ri->have_flags && wellformed)
		return;
	pthread_mutex_lock(&fz->lock);
	rc = &fz->recent[fz->nrecent++ % FZ_RECENT];
	memset(rc, 0, sizeof(*rc));
	rc->del = cmd == CTNR_CMD_CONTAINER_DEL;
	rc->autoremove = !wellformed || (ri->flags & CTNR_F_AUTOREMOVE);
	rc->any = !wellformed || !!ri->have_id == !!ri->have_name;
	if (wellformed && ri->have_id && !ri->have_name)
		rc->id = ri->id;
	else if (wellformed && ri->have_name && !ri->have_id)
		snprintf(rc->name, sizeof(rc->name), "%s", ri->name);
	rc->end_us = now_us();
	/*
	 * The records it is about: of its id, or all of its name (one may
	 * be a container the kernel already removed, autoremove, whose name
	 * was taken again: all of them but the live one are gone), or all
	 * when the target is not known.  A record registered while this
	 * request was on its way may or may not be the one it hit.
	 */
	for (i = 0; i < FZ_RECS; i++) {
		struct fz_rec *r = &fz->rec[i];

		if (!r->used || !recent_hits(rc, r))
			continue;
		if (!rc->del)
			r->autoremove |= rc->autoremove;
		else if (rc->any || r->added_us >= t->start_us)
			r->maybe_gone = true;
		else
			r->used = false;
	}
	pthread_mutex_unlock(&fz->lock);
}

/* ------------------------------------------------------------------ */
/* netlink operations                                                 */

static int nl_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int sz = 1 << 20, one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/*
 * Send one request (@b, a whole message) and a NOOP with an ACK after it,
 * read what comes back.  Returns false when the fuzzer must stop.
 */
static bool nl_exchange(struct fz_thread *t, struct nlbuf *b, uint32_t seq,
			int cmd, struct nlresult *res)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr noop = {
		.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nlmsg_seq = ++t->seq,
	};

	memset(res, 0, sizeof(*res));
	t->start_us = now_us();
	/* the kernel may refuse what we send; only our own mistakes fail */
	if (sendto(t->nl, b->p, b->len, 0, (void *)&sa, sizeof(sa)) < 0 &&
	    (errno == EBADF || errno == ENOTSOCK || errno == EFAULT)) {
		fz_fail(t, "netlink send of %zu bytes: %s", b->len,
			strerror(errno));
		return false;
	}
	while (sendto(t->nl, &noop, sizeof(noop), 0, (void *)&sa,
		      sizeof(sa)) < 0) {
		if (errno != ENOBUFS && errno != EINTR) {
			fz_fail(t, "netlink send of a NOOP: %s", strerror(errno));
			return false;
		}
		sleep_ms(10);
	}
	return nl_drain(t, seq, noop.nlmsg_seq, cmd, res);
}

static void op_netlink(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	struct rng *r = &t->rng;
	const struct fz_op *op = &fz_ops[rn(r, FZ_NOPS)];
	struct nlbuf b = { .p = t->tx, .cap = pct(r, 2) ? FZ_BUF : 32768 };
	struct nlmsghdr *h;
	struct genlmsghdr *g;
	struct reqinfo ri = { 0 };
	struct nlresult res;
	bool dump, wellformed;
	const unsigned short *allowed;
	int nallowed, cmd = op->cmd;
	uint32_t seq = ++t->seq;
	uint16_t flags = NLM_F_REQUEST;

	if (pct(r, 3))
		cmd = (int)rn(r, 256);
	dump = op->has_dump && (!op->has_do || pct(r, 50));
	if (pct(r, 10))
		dump = !dump;
	if (dump)
		flags |= NLM_F_DUMP;
	if (pct(r, 50))
		flags |= NLM_F_ACK;
	if (pct(r, 5))
		flags |= NLM_F_ECHO;
	if (pct(r, 4))
		flags = (uint16_t)rnd(r);
	allowed = dump ? op->dump_attrs : op->do_attrs;
	nallowed = dump ? op->n_dump : op->n_do;
	if (!dump && !op->has_do) {
		allowed = op->dump_attrs;
		nallowed = op->n_dump;
	}

	h = nb_put(&b, NULL, NLMSG_HDRLEN);
	g = nb_put(&b, NULL, GENL_HDRLEN);
	h->nlmsg_type = (uint16_t)fz->family;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	g->cmd = (uint8_t)cmd;
	g->version = pct(r, 90) ? CTNR_GENL_VERSION : (uint8_t)rnd(r);
	g->reserved = pct(r, 95) ? 0 : (uint16_t)rnd(r);
	if (pct(r, 2))
		h->nlmsg_type = PICK(r, ((const uint16_t[]){ NLMSG_NOOP,
			NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN, 0xffff }));
	put_attrs(t, &b, op->set, allowed, nallowed, 0, &ri);
	h = (void *)b.p;
	h->nlmsg_len = (uint32_t)b.len;
	wellformed = !b.bad;
	switch (pct(r, 92) ? 0 : rn(r, 5)) {
	case 1:	/* truncated, length fixed up */
		b.len = rn(r, (uint32_t)b.len + 1);
		if (b.len >= NLMSG_HDRLEN)
			h->nlmsg_len = (uint32_t)b.len;
		wellformed = false;
		break;
	case 2:	/* header longer than the message: dropped */
		h->nlmsg_len = (uint32_t)b.len + 4 + rn(r, 100);
		wellformed = false;
		break;
	case 3:	/* a length shorter than a header: dropped */
		h->nlmsg_len = (uint32_t)rn(r, NLMSG_HDRLEN);
		wellformed = false;
		break;
	case 4:	/* trailing garbage */
		if (b.len + 16 <= b.cap) {
			rnd_bytes(r, b.p + b.len, 16);
			b.len += 16;
		}
		break;
	default:
		break;
	}
	if (h->nlmsg_type != fz->family || !(h->nlmsg_flags & NLM_F_REQUEST))
		wellformed = false;
	cur(t, "netlink %s cmd %d flags 0x%x version %u, %zu bytes, %d attrs%s",
	    op->name, cmd, h->nlmsg_flags, g->version, b.len, ri.nattrs,
	    wellformed ? "" : " (malformed)");
	atomic_fetch_add(&fz->n_nl, 1);
	if (!nl_exchange(t, &b, seq, cmd, &res))
		return;
	if ((cmd == CTNR_CMD_CONTAINER_DEL || cmd == CTNR_CMD_CONTAINER_SET) &&
	    (ri.have_id || ri.have_name))
		rec_note(t, ri.have_id ? ri.id : 0, ri.have_name ? ri.name : NULL,
			 res.got_err ? res.err : 0);
	if (res.got_err && res.err)
		return;
	/*
	 * No error: the kernel did it, or dropped it unread (not a request,
	 * not ours, a length beyond the message or below a header).
	 */
	if (h->nlmsg_type != fz->family || !(h->nlmsg_flags & NLM_F_REQUEST) ||
	    h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > b.len)
		return;
	/* without an ack only a reply proves it ran */
	if (fz->ident == ID_UNPRIV && !res.got_err && !res.replies)
		return;
	if (!wellformed && (cmd == CTNR_CMD_CONTAINER_NEW)) {
		if (res.new_reply)
			model_update(t, cmd, false, &ri, &res, -1, 0);
		return;
	}
	if (op_by_cmd(cmd) && !((h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP))
		model_update(t, cmd, wellformed, &ri, &res, -1, 0);
}

/* A well-formed request of the model's own: NEW, DEL or SET. */
static int nl_simple(struct fz_thread *t, int cmd, uint32_t id,
		     const char *name, pid_t pid, int pidfd, int64_t flags,
		     struct nlresult *res)
{
	struct nlbuf b = { .p = t->tx, .cap = 4096 };
	struct nlmsghdr *h = nb_put(&b, NULL, NLMSG_HDRLEN);
	struct genlmsghdr *g = nb_put(&b, NULL, GENL_HDRLEN);
	uint32_t seq = ++t->seq;
	struct nlattr *a;

	h->nlmsg_type = (uint16_t)t->fz->family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	g->cmd = (uint8_t)cmd;
	g->version = CTNR_GENL_VERSION;
#define PUT(type, ptr, len) do {					\
		a = nb_put(&b, NULL, NLA_HDRLEN);			\
		a->nla_type = (type);					\
		a->nla_len = (uint16_t)(NLA_HDRLEN + (len));		\
		nb_put(&b, (ptr), (len));				\
	} while (0)
	if (id)
		PUT(CTNR_A_ID, &id, 4);
	if (name)
		PUT(CTNR_A_NAME, name, strlen(name) + 1);
	if (pid)
		PUT(CTNR_A_PID, &pid, 4);
	if (pidfd >= 0)
		PUT(CTNR_A_PIDFD, &pidfd, 4);
	if (flags >= 0) {
		uint32_t f = (uint32_t)flags;

		PUT(CTNR_A_FLAGS, &f, 4);
	}
#undef PUT
	h->nlmsg_len = (uint32_t)b.len;
	if (!nl_exchange(t, &b, seq, cmd, res))
		return -EIO;
	return res->got_err ? res->err : 0;
}

/* ------------------------------------------------------------------ */
/* inits                                                              */

static void op_spawn(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	struct rng *r = &t->rng;
	int s = (int)rn(r, FZ_SLOTS), pidfd = -1, err;
	unsigned long flags = 0;
	struct nlresult res;
	char name[CTNR_NAME_MAX + 8];
	unsigned int gen;
	pid_t pid;

	if (fz->ident == ID_UNPRIV)
		return;
	pthread_mutex_lock(&fz->lock);
	if (fz->init[s].pid != -1) {
		pthread_mutex_unlock(&fz->lock);
		return;
	}
	fz->init[s].pid = 0;	/* reserved */
	pthread_mutex_unlock(&fz->lock);
	if (pct(r, 50))
		flags |= CLONE_NEWNS;
	if (pct(r, 50))
		flags |= CLONE_NEWUTS;
	if (pct(r, 40))
		flags |= CLONE_NEWIPC;
	if (pct(r, 50))
		flags |= CLONE_NEWPID;
	if (pct(r, 20))
		flags |= CLONE_NEWCGROUP;
	if (pct(r, 3))
		flags |= CLONE_NEWNET;
	if (fz->ident == ID_USERNS && pct(r, 10))
		flags |= CLONE_NEWUSER;
	cur(t, "spawn init in slot %d, clone flags 0x%lx", s, flags);
	pid = sys_clone(flags);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	if (pid < 0) {
		pthread_mutex_lock(&fz->lock);
		fz->init[s].pid = -1;
		pthread_mutex_unlock(&fz->lock);
		return;
	}
	if (fz->can_cg)
		cg_enter(fz->init[s].cg, pid);
	pthread_mutex_lock(&fz->lock);
	fz->init[s].pid = pid;
	gen = ++fz->init[s].gen;
	fz->init[s].died_ms = 0;
	pthread_mutex_unlock(&fz->lock);
	atomic_fetch_add(&fz->n_life, 1);

	pick_name(t, name, sizeof(name));
	if (pct(r, 30))
		pidfd = sys_pidfd_open(pid, 0);
	err = nl_simple(t, CTNR_CMD_CONTAINER_NEW, 0, name,
			pidfd >= 0 ? 0 : pid, pidfd,
			pct(r, 30) ? (int64_t)CTNR_F_AUTOREMOVE :
			(pct(r, 50) ? 0 : -1),
			&res);
	if (pidfd >= 0)
		close(pidfd);
	if (err && err != -EEXIST &&
	    atomic_fetch_add(&fz->n_spawn_fail, 1) == 0)
		snprintf(fz->spawn_err, sizeof(fz->spawn_err), "%s: %s",
			 strerror(-err), res.msg);
	if (!err && !atomic_load(&fz->stop))
		model_update(t, CTNR_CMD_CONTAINER_NEW, true, NULL, &res, s, gen);
}

static void op_kill(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	int s = (int)rn(&t->rng, FZ_SLOTS), i;
	pid_t pid;

	pthread_mutex_lock(&fz->lock);
	pid = fz->init[s].pid;
	if (pid <= 0) {
		pthread_mutex_unlock(&fz->lock);
		return;
	}
	fz->init[s].pid = 0;	/* nobody picks it while it dies */
	pthread_mutex_unlock(&fz->lock);
	cur(t, "kill init %d of slot %d", pid, s);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pthread_mutex_lock(&fz->lock);
	fz->init[s].pid = -1;
	fz->init[s].died_ms = now_ms();
	for (i = 0; i < FZ_RECS; i++) {
		struct fz_rec *r = &fz->rec[i];

		if (r->used && r->slot == s && r->gen == fz->init[s].gen &&
		    r->autoremove)
			r->maybe_gone = true;
	}
	pthread_mutex_unlock(&fz->lock);
	atomic_fetch_add(&fz->n_life, 1);
}

/* A well-formed DEL or SET of a known container. */
static void op_del_set(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	struct rng *r = &t->rng;
	struct reqinfo ri = { 0 };
	struct nlresult res;
	bool del = pct(r, 50), by_name = pct(r, 40);
	int64_t flags = rn(r, 2);
	int err;

	ri.id = pick_id(t);
	pthread_mutex_lock(&fz->lock);
	{
		struct fz_rec *rec = rec_by_id(fz, ri.id);

		if (rec)
			snprintf(ri.name, sizeof(ri.name), "%s", rec->name);
		else
			by_name = false;
	}
	pthread_mutex_unlock(&fz->lock);
	ri.have_id = !by_name;
	ri.have_name = by_name;
	ri.have_flags = !del;
	ri.flags = (uint32_t)flags;
	cur(t, "%s %s %u %s", del ? "delete" : "set flags of",
	    by_name ? "name" : "id", ri.id, by_name ? ri.name : "");
	err = nl_simple(t, del ? CTNR_CMD_CONTAINER_DEL : CTNR_CMD_CONTAINER_SET,
			by_name ? 0 : ri.id, by_name ? ri.name : NULL, 0, -1,
			del ? -1 : flags, &res);
	rec_note(t, by_name ? 0 : ri.id, by_name ? ri.name : NULL, err);
	atomic_fetch_add(&fz->n_life, 1);
	if (!err)
		model_update(t, del ? CTNR_CMD_CONTAINER_DEL :
			     CTNR_CMD_CONTAINER_SET, true, &ri, &res, -1, 0);
}

/* ------------------------------------------------------------------ */
/* ioctls                                                             */

static int pick_fd(struct fz_thread *t)
{
	struct fz *fz = t->fz;

	if (pct(&t->rng, 20)) {
		static const int odd[] = { -1, -EBADF, 0x7fffffff, INT_MIN,
					   1000, 4095 };

		return PICK(&t->rng, odd);
	}
	if (pct(&t->rng, 15)) {
		int i, k = (int)rn(&t->rng, FZ_LOOPS), fd = -1;

		pthread_mutex_lock(&fz->lock);
		for (i = 0; i < FZ_LOOPS; i++) {
			struct fz_loop *l = &fz->loop[(i + k) % FZ_LOOPS];

			if (l->used && l->fd >= 0) {
				fd = l->fd;
				break;
			}
		}
		pthread_mutex_unlock(&fz->lock);
		if (fd >= 0)
			return fd;
	}
	return fz->fds[rn(&t->rng, fz->nfds)];
}

static bool is_cloexec(int fd)
{
	int f = fcntl(fd, F_GETFD);

	return f >= 0 && (f & FD_CLOEXEC);
}

static void loop_add(struct fz_thread *t, uint32_t index, int fd)
{
	struct fz *fz = t->fz;
	int i;

	pthread_mutex_lock(&fz->lock);
	for (i = 0; i < FZ_LOOPS && fz->loop[i].used; i++)
		;
	if (i < FZ_LOOPS) {
		fz->loop[i].used = true;
		fz->loop[i].index = index;
		fz->loop[i].fd = fd;
		fz->loop[i].detached = false;
		fd = -1;
	}
	pthread_mutex_unlock(&fz->lock);
	if (fd >= 0)	/* no room: let it go with its container */
		close(fd);
}

/* Make the ioctl argument: a buffer at the end of a page, sometimes bad. */
static void *ioc_arg(struct fz_thread *t, void *page_end, size_t len)
{
	switch (pct(&t->rng, 93) ? 0 : rn(&t->rng, 4)) {
	case 1: return NULL;
	case 2: return (void *)1;
	case 3: return (void *)0xffffffff81000000UL;
	default: return (char *)page_end - len;
	}
}

static void op_ioctl(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	struct rng *r = &t->rng;
	static __thread char *pages;
	union {
		struct ctnr_ioc_version v;
		struct ctnr_ioc_ns_fds n;
		struct ctnr_ioc_whoami w;
		struct ctnr_ioc_loop_attach a;
		struct ctnr_ioc_loop_detach d;
		char raw[512];
	} u;
	static const unsigned long cmds[] = {
		CTNR_IOC_VERSION, CTNR_IOC_NS_FDS, CTNR_IOC_WHOAMI,
		CTNR_IOC_LOOP_ATTACH, CTNR_IOC_LOOP_DETACH,
	};
	static const size_t sizes[] = {
		sizeof(struct ctnr_ioc_version), sizeof(struct ctnr_ioc_ns_fds),
		sizeof(struct ctnr_ioc_whoami),
		sizeof(struct ctnr_ioc_loop_attach),
		sizeof(struct ctnr_ioc_loop_detach),
	};
	int which = (int)rn(r, 5), fd = t->dev, ret, i, e;
	unsigned long cmd = cmds[which];
	size_t len = sizes[which];
	char *end, *arg;
	bool pristine = true;

	if (!pages) {
		pages = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (pages == MAP_FAILED) {
			pages = NULL;
			return;
		}
		mprotect(pages + 4096, 4096, PROT_NONE);
	}
	end = pages + 4096;
	memset(&u, 0, sizeof(u));
	if (pct(r, 5)) {
		rnd_bytes(r, &u, sizeof(u));
		pristine = false;
	}
	switch (which) {
	case 0:
		u.v.size = (uint32_t)len;
		break;
	case 1:
		u.n.size = (uint32_t)len;
		u.n.id = pct(r, 70) ? pick_id(t) : 0;
		if (!u.n.id || pct(r, 5))
			pick_name(t, u.n.name, sizeof(u.n.name));
		u.n.mask = pct(r, 70) ? CTNR_NS_FDS_MASK_ALL &
				(uint32_t)rnd(r) : (uint32_t)rnd(r);
		if (pct(r, 5))
			u.n.flags = 1U << rn(r, 32);
		if (pct(r, 3))
			u.n.pad = 1;
		for (i = 0; i < __CTNR_NS_MAX; i++)
			u.n.fds[i] = pct(r, 95) ? -1 : (int)rnd(r);
		break;
	case 2:
		u.w.size = (uint32_t)len;
		break;
	case 3:
		u.a.size = (uint32_t)len;
		u.a.flags = pct(r, 90) ? ((uint32_t)rnd(r) & CTNR_LOOP_F_ALL) :
			    (uint32_t)rnd(r);
		if (pct(r, 70))
			u.a.flags |= CTNR_LOOP_F_OPEN;
		u.a.id = pct(r, 85) ? pick_id(t) : 0;
		if (!u.a.id)
			pick_name(t, u.a.name, sizeof(u.a.name));
		u.a.backing_fd = pct(r, 60) ? fz->backing : pick_fd(t);
		u.a.offset = pct(r, 70) ? 0 : PICK(r, ((const uint64_t[]){
			512, 4096, 1, 511, 1 << 20, 1ULL << 40,
			1ULL << 63, -512ULL, -4096ULL }));
		u.a.sizelimit = pct(r, 60) ? 0 : PICK(r, ((const uint64_t[]){
			512, 4096, 1000, 1 << 20, 1ULL << 62, -1ULL, 511 }));
		u.a.block_size = pct(r, 60) ? 0 : PICK(r, ((const uint32_t[]){
			512, 4096, 1024, 1, 8192, 2048, 0xffffffff }));
		u.a.fd = pct(r, 95) ? 0 : (int)rnd(r);
		if (pct(r, 3))
			u.a.pad = (uint32_t)rnd(r);
		break;
	case 4:
		u.d.size = (uint32_t)len;
		u.d.flags = pct(r, 80) ? rn(r, 2) : (uint32_t)rnd(r);
		u.d.index = pct(r, 80) ? rn(r, 16) : (uint32_t)rnd(r);
		if (pct(r, 3))
			u.d.pad = 1;
		pthread_mutex_lock(&fz->lock);
		for (i = 0; i < FZ_LOOPS && pct(r, 90); i++) {
			struct fz_loop *l = &fz->loop[rn(r, FZ_LOOPS)];

			if (l->used) {
				u.d.index = l->index;
				break;
			}
		}
		pthread_mutex_unlock(&fz->lock);
		break;
	}
	if (pct(r, 5)) {	/* the size field lies */
		u.v.size = (uint32_t)PICK(r, boundary);
		pristine = false;
	}
	if (pct(r, 4)) {	/* the size in the ioctl number lies */
		size_t l2 = pct(r, 50) ? len + 8 : len - 4;

		cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), l2);
		len = l2 < sizeof(u) ? l2 : len;
		pristine = false;
	} else if (pct(r, 3)) {	/* a number nobody defined */
		cmd = _IOC(rn(r, 4), pct(r, 70) ? CTNR_IOC_MAGIC : rn(r, 256),
			   rn(r, 256), rn(r, 1024));
		pristine = false;
	}
	if (pct(r, 8)) {
		fd = pick_fd(t);
		pristine = false;
	}
	arg = ioc_arg(t, end, len);
	if (arg == end - len)
		memcpy(arg, &u, len);
	cur(t, "ioctl 0x%lx on fd %d, %zu bytes", cmd, fd, len);
	atomic_fetch_add(&fz->n_ioc, 1);
	ret = ioctl(fd, cmd, arg);
	e = errno;
	if (ret < 0 || arg != end - len)
		return;
	memcpy(&u, arg, len);
	if (!pristine && cmd != cmds[which])
		return;
	switch (which) {
	case 0:
		if (u.v.abi_version != CTNR_ABI_VERSION ||
		    !memchr(u.v.version, '\0', sizeof(u.v.version)))
			fz_fail(t, "CTNR_IOC_VERSION: abi %u, version not terminated or wrong",
				u.v.abi_version);
		break;
	case 1:
		for (i = 0; i < __CTNR_NS_MAX; i++) {
			bool want = u.n.mask & ctnr_ns_desc[i].clone_flag;
			int nfd = u.n.fds[i];

			if (!want && nfd != -1)
				fz_fail(t, "NS_FDS: fds[%s] = %d, not asked for",
					ctnr_ns_desc[i].name, nfd);
			if (!want || nfd < 0)
				continue;
			if (ioctl(nfd, NS_GET_NSTYPE) !=
			    (int)ctnr_ns_desc[i].clone_flag)
				fz_fail(t, "NS_FDS: fds[%s] = %d is not a %s namespace",
					ctnr_ns_desc[i].name, nfd,
					ctnr_ns_desc[i].name);
			else if (!is_cloexec(nfd))
				fz_fail(t, "NS_FDS: fd %d not O_CLOEXEC", nfd);
			close(nfd);
		}
		if (fz->ident == ID_UNPRIV)
			fz_fail(t, "uid %d got the namespaces of container %u",
				UNPRIV_UID, u.n.id);
		atomic_fetch_add(&fz->ok_nsfds, 1);
		break;
	case 3:
		if (!(u.a.flags & CTNR_LOOP_F_OPEN) && u.a.fd != -1)
			fz_fail(t, "LOOP_ATTACH without OPEN: fd %d", u.a.fd);
		if (u.a.flags & CTNR_LOOP_F_OPEN) {
			struct stat st;

			if (u.a.fd < 0 || fstat(u.a.fd, &st) ||
			    !S_ISBLK(st.st_mode))
				fz_fail(t, "LOOP_ATTACH: fd %d is no block device",
					u.a.fd);
			else if (is_cloexec(u.a.fd) ==
				 !!(u.a.flags & CTNR_LOOP_F_NOCLOEXEC))
				fz_fail(t, "LOOP_ATTACH: fd %d close-on-exec is wrong",
					u.a.fd);
		}
		if (fz->ident == ID_UNPRIV)
			fz_fail(t, "uid %d attached a loop device", UNPRIV_UID);
		atomic_fetch_add(&fz->ok_attach, 1);
		loop_add(t, u.a.index, u.a.flags & CTNR_LOOP_F_OPEN ? u.a.fd : -1);
		break;
	case 4:
		if (fz->ident == ID_UNPRIV)
			fz_fail(t, "uid %d detached loop device %u",
				UNPRIV_UID, u.d.index);
		pthread_mutex_lock(&fz->lock);
		for (i = 0; i < FZ_LOOPS; i++)
			if (fz->loop[i].used && fz->loop[i].index == u.d.index)
				fz->loop[i].detached = true;
		pthread_mutex_unlock(&fz->lock);
		break;
	}
	(void)e;
}

/* ------------------------------------------------------------------ */
/* loop device I/O                                                    */

static void op_loop_io(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	struct rng *r = &t->rng;
	static __thread char *buf;
	int k = (int)rn(r, FZ_LOOPS), i, fd = -1, slot = -1;
	uint64_t size = 0;
	off_t off;
	size_t len;

	if (!buf && posix_memalign((void **)&buf, 4096, 65536))
		return;
	if (pct(r, 10)) {
		static const off_t sizes[] = { 0, 4096, 1 << 20, 4 << 20,
					       1 << 30, 4097 };
		off_t sz = PICK(r, sizes);

		cur(t, "truncate the backing memfd to %lld", (long long)sz);
		ftruncate(fz->backing, sz);
		atomic_fetch_add(&fz->n_loop, 1);
		return;
	}
	pthread_mutex_lock(&fz->lock);
	for (i = 0; i < FZ_LOOPS; i++) {
		struct fz_loop *l = &fz->loop[(k + i) % FZ_LOOPS];

		if (l->used && l->fd >= 0) {
			slot = (k + i) % FZ_LOOPS;
			fd = dup(l->fd);
			break;
		}
	}
	if (slot >= 0 && pct(r, 10)) {
		/* close it: the device stays until detached or deleted */
		struct fz_loop *l = &fz->loop[slot];

		close(l->fd);
		l->fd = -1;
		if (l->detached)
			l->used = false;
	}
	pthread_mutex_unlock(&fz->lock);
	if (fd < 0)
		return;
	atomic_fetch_add(&fz->n_loop, 1);
	ioctl(fd, BLKGETSIZE64, &size);
	off = PICK(r, ((const off_t[]){ 0, 512, 4096, 1, 65536 }));
	if (pct(r, 30) && size)
		off = (off_t)(size - (pct(r, 50) ? 512 : 0));
	if (pct(r, 5))
		off = (off_t)size + 4096;
	len = PICK(r, ((const size_t[]){ 0, 1, 511, 512, 4096, 65536 }));
	switch (rn(r, 9)) {
	case 0: case 1:
		cur(t, "pread %zu at %lld of a loop device", len, (long long)off);
		pread(fd, buf, len, off);
		break;
	case 2: case 3:
		rnd_bytes(r, buf, len < 64 ? len : 64);
		cur(t, "pwrite %zu at %lld of a loop device", len, (long long)off);
		pwrite(fd, buf, len, off);
		break;
	case 4:
		cur(t, "fsync a loop device");
		fsync(fd);
		break;
	case 5: {
		uint64_t range[2] = { (uint64_t)off & ~511ULL, 4096 };

		cur(t, "BLKDISCARD/BLKZEROOUT on a loop device");
		ioctl(fd, pct(r, 50) ? BLKDISCARD : BLKZEROOUT, range);
		break;
	}
	case 6: {
		int v;

		cur(t, "block ioctls on a loop device");
		ioctl(fd, BLKSSZGET, &v);
		ioctl(fd, BLKROGET, &v);
		ioctl(fd, BLKFLSBUF, 0);
		ioctl(fd, _IOC(rn(r, 4), rn(r, 256), rn(r, 256), 8), buf);
		break;
	}
	case 7: {
		char path[64];
		int d;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		cur(t, "reopen a loop device O_DIRECT");
		d = open(path, (pct(r, 50) ? O_RDWR : O_RDONLY) | O_DIRECT |
			 O_CLOEXEC);
		if (d >= 0) {
			pread(d, buf, 4096, off & ~4095);
			if (pct(r, 50))
				pwrite(d, buf, 4096, 0);
			close(d);
		}
		break;
	}
	default:
		cur(t, "lseek/read a loop device");
		lseek(fd, off, SEEK_SET);
		if (read(fd, buf, len) < 0)
			break;
		break;
	}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* /dev/ctnr-kmsg, from a child in a container's cgroup                */

/*
 * Since 6.3 /dev/kmsg formats a record into 2048 bytes (PRINTK_MESSAGE_MAX)
 * and cuts it there; when a plain byte takes the last place the newline
 * is lost, and /dev/ctnr-kmsg does the same (kmsg.write_limits_match_dev_kmsg
 * compares the two).  Shorter records always end in one.
 */
#define KMSG_CUT_LEN	2048

static bool kmsg_line_ok(const char *p, ssize_t n)
{
	ssize_t i = 0;
	int fields = 0;

	if (n < 1 || (p[n - 1] != '\n' && n != KMSG_CUT_LEN))
		return false;
	while (i < n && p[i] != ';') {
		if (p[i] == ',')
			fields++;
		else if (fields < 3 && (p[i] < '0' || p[i] > '9'))
			return false;
		i++;
	}
	return i < n && fields >= 3;
}

/*
 * syslog(2) from a kmsg child: every action, odd buffers and lengths.  A
 * READ only when SIZE_UNREAD says there is something, and a brief wait
 * at most when another child took it first.  Host root's child
 * never clears or touches the console: its container may be gone by
 * now (inits die at random), and then it would be the host's log the
 * run's kernel-log check reads, and the host's console.
 */
static void fz_alarm(int sig)
{
	(void)sig;
}

/*
 * Around a read that may wait although it was told not to (as /proc/kmsg
 * does, ctnr-prockmsg's O_NONBLOCK asks SIZE_UNREAD first and then reads:
 * another reader may take the record in between): a 20 ms timer, with no
 * SA_RESTART, breaks the wait with EINTR; then the child's own 30 s
 * deadline again.
 */
static void brief_wait_begin(void)
{
	struct itimerval it = { .it_value = { 0, 20000 } };

	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = fz_alarm },
		  NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void brief_wait_end(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
	alarm(30);
}

static void kmsg_syslog(struct fz *fz, struct rng *r, char *buf,
			size_t bufsz, int errfd)
{
	static const int lens[] = { -1, 0, 1, 7, 100, 4096, 65536 };
	int type = (int)rn(r, 12) - 1, len = PICK(r, lens), got;
	char *p = pct(r, 5) ? (char *)-4096L : pct(r, 5) ? NULL : buf;

	if (len > 0 && (size_t)len > bufsz)
		len = (int)bufsz;
	if (fz->ident == ID_ROOT && type >= 4 && type <= 8)
		return;
	if (type == 2) {
		if (syscall(SYS_syslog, 9, NULL, 0) <= 0)
			return;
		brief_wait_begin();
	}
	got = (int)syscall(SYS_syslog, type, p, len);
	if (type == 2)
		brief_wait_end();
	if (got > 0 && p == buf && (type == 2 || type == 3 || type == 4) &&
	    got > len)
		child_fail(errfd, __LINE__, "syslog(%d, %d) gave %d bytes",
			   type, len, got);
	if (got > 0 && p == buf && (type == 3 || type == 4) && buf[0] != '<')
		child_fail(errfd, __LINE__, "syslog(%d) gave '%.*s'", type,
			   got > 40 ? 40 : got, buf);
}

static void __attribute__((noreturn))
kmsg_child(struct fz *fz, uint64_t seed, const char *cg, int errfd)
{
	struct rng rr = { seed }, *r = &rr;
	static char buf[70000];
	int fds[4] = { -1, -1, -1, -1 }, i, n = 4 + (int)rn(r, 30);

	alarm(30);
	if (cg && fz->can_cg)
		cg_enter(cg, getpid());
	for (i = 0; i < n; i++) {
		int k = (int)rn(r, 4), fd = fds[k];
		ssize_t got;

		if (fd < 0 || pct(r, 10)) {
			int fl = PICK(r, ((const int[]){ O_RDONLY, O_WRONLY,
							  O_RDWR }));

			if (fd >= 0)
				close(fd);
			fds[k] = fd = open("/dev/" CTNR_KMSG_DEVICE_NAME,
					   fl | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0 && fz->nforeign && cg == fz->foreign[0].cg)
				child_fail(errfd, __LINE__,
					   "%s opened the kmsg of a foreign container",
					   id_names[fz->ident]);
			if (fd >= 0)
				atomic_fetch_add(&fz->ok_kmsg_open, 1);
			continue;
		}
		switch (rn(r, 10)) {
		case 8:
			kmsg_syslog(fz, r, buf, sizeof(buf), errfd);
			break;
		case 9: {
			/* /proc/kmsg's semantics: never blocks with O_NONBLOCK */
			int pk = open("/dev/" CTNR_PROCKMSG_DEVICE_NAME,
				      O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			struct pollfd pp = { .fd = pk, .events = POLLIN };

			if (pk < 0)
				break;
			poll(&pp, 1, (int)rn(r, 10));
			/* a record may be part-read already: any bytes go */
			brief_wait_begin();
			got = read(pk, buf, PICK(r, ((const size_t[]){ 0, 1, 5,
				100, 4096 })));
			brief_wait_end();
			if (got > 4096)
				child_fail(errfd, __LINE__,
					   "prockmsg read %zd bytes", got);
			close(pk);
			break;
		}
		case 0: case 1: {
			size_t len = PICK(r, ((const size_t[]){ 0, 1, 16, 100,
				4096, 8192, sizeof(buf) }));

			got = read(fd, buf, len);
			if (got > 0 && !kmsg_line_ok(buf, got))
				child_fail(errfd, __LINE__,
					   "kmsg read %zd bytes: '%.*s'", got,
					   (int)(got > 80 ? 80 : got), buf);
			if (got > 0)
				atomic_fetch_add(&fz->ok_kmsg_read, 1);
			break;
		}
		case 2: case 3: {
			size_t len = PICK(r, ((const size_t[]){ 0, 1, 10, 990,
				991, 992, 1023, 1024, 1025, 4096 }));
			int pre = (int)rn(r, 6);

			rnd_bytes(r, buf, len);
			if (pre == 0 && len > 4)
				memcpy(buf, "<4>", 3);
			else if (pre == 1 && len > 24)
				memcpy(buf, "<99999999999999999999>", 22);
			else if (pre == 2 && len > 2)
				memcpy(buf, "<>", 2);
			else if (pre == 3 && len)
				memset(buf, 'x', len);
			if (write(fd, buf, len) < 0)
				break;
			break;
		}
		case 4:
			lseek(fd, PICK(r, ((const off_t[]){ 0, 0, 1, -1 })),
			      PICK(r, ((const int[]){ SEEK_SET, SEEK_CUR,
					SEEK_END, SEEK_DATA, SEEK_HOLE, 99 })));
			break;
		case 5: {
			struct pollfd p = { .fd = fd,
					    .events = POLLIN | POLLOUT | POLLPRI };

			poll(&p, 1, (int)rn(r, 20));
			break;
		}
		case 6:
			ioctl(fd, _IOC(rn(r, 4), rn(r, 256), rn(r, 256),
				       rn(r, 64)), buf);
			break;
		default: {
			struct iovec iov[2] = { { buf, 100 }, { buf + 100, 9000 } };

			if (pct(r, 50))
				got = readv(fd, iov, 2);
			else
				got = pread(fd, buf, 100, 0);
			(void)got;
			break;
		}
		}
	}
	_exit(0);
}

static void op_kmsg(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	struct rng *r = &t->rng;
	uint64_t seed = rnd(r);
	const char *cg = NULL;
	char msg[512];
	int efd[2], st;
	pid_t pid;
	ssize_t n;

	if (fz->nforeign && pct(r, 25))
		cg = fz->foreign[0].cg;
	else if (pct(r, 90))
		cg = fz->init[rn(r, FZ_SLOTS)].cg;
	cur(t, "kmsg child (seed %llu) in %s", (unsigned long long)seed,
	    cg ? cg : "our cgroup");
	atomic_fetch_add(&fz->n_kmsg, 1);
	if (pipe2(efd, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		close(efd[0]);
		kmsg_child(fz, seed, cg, efd[1]);
	}
	close(efd[1]);
	if (pid < 0) {
		close(efd[0]);
		return;
	}
	if (wait_pid_timeout(pid, &st, 60000)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fz_fail(t, "kmsg child (seed %llu) hung", (unsigned long long)seed);
	}
	fcntl(efd[0], F_SETFL, O_NONBLOCK);
	n = read(efd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(efd[0]);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		fz_fail(t, "kmsg child (seed %llu) stuck for 30 s",
			(unsigned long long)seed);
	else if (!WIFEXITED(st) || WEXITSTATUS(st))
		fz_fail(t, "kmsg child (seed %llu): %s (status 0x%x)",
			(unsigned long long)seed, msg, st);
}

/* ------------------------------------------------------------------ */
/* the check between batches                                          */

struct seen {
	uint32_t id, state, pid;
	char name[CTNR_NAME_MAX * 2];
};

struct seen_list {
	struct seen s[512];
	int n;
};

static int seen_cb(const struct ctnr_ctr *c, void *arg)
{
	struct seen_list *l = arg;

	if (l->n >= 512)
		return -ENOSPC;
	l->s[l->n].id = c->id;
	l->s[l->n].state = c->state;
	l->s[l->n].pid = c->pid;
	snprintf(l->s[l->n].name, sizeof(l->s[l->n].name), "%s", c->name);
	l->n++;
	return 0;
}

static void check_model(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	static struct seen_list l;
	bool lost = atomic_exchange(&fz->lost, 0);
	int i, j, r;
	long count;

	cur(t, "check the dump against the model");
	atomic_fetch_add(&fz->n_checks, 1);
	/*
	 * With every thread paused, containers still go: an autoremove
	 * container whose init was killed is deleted by the module's exit
	 * probe a moment later.  INFO's count must equal a dump taken on
	 * either side of it that the other agrees with; tries again (up
	 * to 5 times, 100 ms apart) while the two dumps differ.
	 */
	for (i = 0; i < 5; i++) {
		int before;

		l.n = 0;
		r = ctnr_dump(&t->lnl, seen_cb, &l);
		if (r) {
			fz_fail(t, "CONTAINER_GET dump: %s", strerror(-r));
			return;
		}
		before = l.n;
		count = ctnr_count(&t->lnl);
		l.n = 0;
		r = ctnr_dump(&t->lnl, seen_cb, &l);
		if (r) {
			fz_fail(t, "CONTAINER_GET dump: %s", strerror(-r));
			return;
		}
		if (before == l.n)
			break;
		usleep(100 * 1000);
	}
	if (count != l.n)
		fz_fail(t, "INFO counts %ld containers, the dumps around it %d",
			count, l.n);
	if (fz->ident == ID_UNPRIV && l.n)
		fz_fail(t, "uid %d sees %d containers (%s, id %u)", UNPRIV_UID,
			l.n, l.s[0].name, l.s[0].id);
	pthread_mutex_lock(&fz->lock);
	for (i = 0; i < l.n; i++) {
		struct seen *s = &l.s[i];
		struct fz_rec *rec = rec_by_id(fz, s->id);

		for (j = 0; j < i; j++)
			if (l.s[j].id == s->id)
				fz_fail(t, "id %u twice in the dump", s->id);
		for (j = 0; j < fz->nforeign; j++)
			if (fz->ident != ID_ROOT && s->id == fz->foreign[j].id)
				fz_fail(t, "%s sees host container %u",
					id_names[fz->ident], s->id);
		if (!rec) {
			if (lost && !strncmp(s->name, fz->prefix,
					     strlen(fz->prefix))) {
				/* its reply was lost in an overrun */
				for (j = 0; j < FZ_RECS && fz->rec[j].used; j++)
					;
				if (j < FZ_RECS) {
					rec = &fz->rec[j];
					memset(rec, 0, sizeof(*rec));
					rec->used = true;
					rec->id = s->id;
					rec->slot = -1;
					rec->autoremove = true;
					snprintf(rec->name, sizeof(rec->name),
						 "%s", s->name);
					atomic_fetch_add(&fz->n_adopted, 1);
				}
				continue;
			}
			fz_fail(t, "the dump has container %u (%s), which nothing made",
				s->id, s->name);
			continue;
		}
		if (strcmp(rec->name, s->name))
			fz_fail(t, "container %u is %s in the dump, %s when made",
				s->id, s->name, rec->name);
		rec->maybe_gone = false;
		rec->last_state = s->state;
		if (rec->slot >= 0) {
			struct fz_init *in = &fz->init[rec->slot];
			bool same = in->gen == rec->gen;

			if (same && in->pid > 0 && s->state != CTNR_STATE_RUNNING)
				fz_fail(t, "container %u (%s) is stopped, its init %d lives",
					s->id, s->name, in->pid);
			if ((!same || (in->died_ms &&
				       now_ms() - in->died_ms > 3000)) &&
			    s->state == CTNR_STATE_RUNNING)
				fz_fail(t, "container %u (%s) still running, its init died",
					s->id, s->name);
		}
	}
	for (i = 0; i < FZ_RECS; i++) {
		struct fz_rec *rec = &fz->rec[i];
		bool alive = false, found = false;

		if (!rec->used)
			continue;
		for (j = 0; j < l.n && !found; j++)
			found = l.s[j].id == rec->id;
		if (found)
			continue;
		if (rec->slot >= 0)
			alive = fz->init[rec->slot].gen == rec->gen &&
				fz->init[rec->slot].pid > 0;
		if (!rec->maybe_gone && !(rec->autoremove && !alive))
			fz_fail(t, "container %u (%s) is missing from the dump "
				"(made by thread %d at op %ld, from init slot %d "
				"gen %u (now gen %u pid %d), autoremove %d, "
				"state at the last check %d)",
				rec->id, rec->name, rec->born_thread,
				rec->born_op, rec->slot, rec->gen,
				rec->slot >= 0 ? fz->init[rec->slot].gen : 0,
				rec->slot >= 0 ? fz->init[rec->slot].pid : 0,
				rec->autoremove, (int)rec->last_state);
		if (fz->failed) {
			unsigned int e, n = atomic_load(&fz->nev);

			fprintf(stderr, "# container %u: last request naming it: %s; "
				"events (now %.1f s):\n", rec->id,
				rec->last_op[0] ? rec->last_op : "none",
				(now_ms() - fz->t0) / 1000.0);
			for (e = n > FZ_EVENTS ? n - FZ_EVENTS : 0; e < n; e++) {
				struct fz_event *ev = &fz->ev[e % FZ_EVENTS];

				if (ev->id == rec->id)
					fprintf(stderr, "#   %.3f s: event %u state %u\n",
						(ev->ms - fz->t0) / 1000.0,
						ev->event, ev->state);
			}
		}
		rec->used = false;
	}
	pthread_mutex_unlock(&fz->lock);
}

/* ------------------------------------------------------------------ */
/* the events group, for the report of a failure                      */

static int ev_cb(struct nl_msg *msg, void *arg)
{
	struct fz *fz = arg;
	struct nlattr *tb[CTNR_A_MAX + 1];
	struct fz_event *ev;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTNR_A_MAX, NULL) < 0 ||
	    !tb[CTNR_A_EVENT] || !tb[CTNR_A_ID])
		return NL_OK;
	ev = &fz->ev[atomic_fetch_add(&fz->nev, 1) % FZ_EVENTS];
	ev->event = nla_get_u32(tb[CTNR_A_EVENT]);
	ev->id = nla_get_u32(tb[CTNR_A_ID]);
	ev->state = tb[CTNR_A_STATE] ? nla_get_u32(tb[CTNR_A_STATE]) : 0;
	ev->ms = now_ms();
	return NL_OK;
}

static void *ev_thread(void *arg)
{
	struct fz *fz = arg;
	struct ctnr_nl nl;
	struct nl_cb *cb;

	if (ctnr_events_open(&nl))
		return NULL;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ev_cb, fz);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ctnr__no_seq_check, NULL);
	while (atomic_load(&fz->n_done) < fz->nthreads) {
		struct pollfd p = { .fd = nl_socket_get_fd(nl.sk),
				    .events = POLLIN };

		if (poll(&p, 1, 200) > 0)
			nl_recvmsgs(nl.sk, cb);
	}
	nl_cb_put(cb);
	ctnr_nl_close(&nl);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* the threads                                                        */

static void one_op(struct fz_thread *t)
{
	uint32_t k = rn(&t->rng, 100);

	if (k < 45)
		op_netlink(t);
	else if (k < 62)
		op_ioctl(t);
	else if (k < 66)
		op_kmsg(t);
	else if (k < 78)
		op_loop_io(t);
	else if (k < 86)
		op_spawn(t);
	else if (k < 91)
		op_kill(t);
	else
		op_del_set(t);
}

static void *fz_thread_main(void *arg)
{
	struct fz_thread *t = arg;
	struct fz *fz = t->fz;
	int i;

	fz->tid[t->idx] = (pid_t)syscall(SYS_gettid);

	for (;;) {
		for (i = 0; i < FZ_BATCH && !atomic_load(&fz->stop); i++) {
			t->op++;
			one_op(t);
			atomic_fetch_add(&fz->ops, 1);
			if (now_ms() > fz->deadline ||
			    (fz->ops_limit > 0 &&
			     atomic_load(&fz->ops) >= fz->ops_limit))
				break;
		}
		snprintf(t->cur, sizeof(t->cur), "at the barrier");
		pthread_barrier_wait(&fz->bar);
		if (t->idx == 0) {
			if (!atomic_load(&fz->stop))
				check_model(t);
			if (now_ms() > fz->deadline ||
			    (fz->ops_limit > 0 &&
			     atomic_load(&fz->ops) >= fz->ops_limit))
				atomic_store(&fz->stop, 1);
		}
		pthread_barrier_wait(&fz->bar);
		if (atomic_load(&fz->stop))
			break;
	}
	snprintf(t->cur, sizeof(t->cur), "done");
	atomic_fetch_add(&fz->n_done, 1);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* set-up and tear-down of one identity's run                         */

static void add_fd(struct fz *fz, int fd, const char *what)
{
	if (fz->nfds < FZ_FDS) {
		fz->fd_what[fz->nfds] = what;
		fz->fds[fz->nfds++] = fd;
	} else if (fd >= 0) {
		close(fd);
	}
}

static void make_fds(struct fz *fz)
{
	int p[2], sv[2], fd;
	char path[64];

	fz->backing = memfd_create("ctnrfuzz", MFD_CLOEXEC);
	if (fz->backing >= 0)
		ftruncate(fz->backing, 4 << 20);
	add_fd(fz, fz->backing, "memfd 4M");
	fd = memfd_create("ctnrfuzz-empty", MFD_CLOEXEC);
	add_fd(fz, fd, "memfd empty");
	fd = memfd_create("ctnrfuzz-sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd >= 0) {
		ftruncate(fd, 65536);
		fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
		      F_SEAL_GROW);
	}
	add_fd(fz, fd, "memfd sealed");
	fd = memfd_create("ctnrfuzz-huge", MFD_CLOEXEC);
	if (fd >= 0)
		ftruncate(fd, 1LL << 40);
	add_fd(fz, fd, "memfd 1T sparse");
	fd = memfd_create("ctnrfuzz-odd", MFD_CLOEXEC);
	if (fd >= 0)
		ftruncate(fd, 4097);
	add_fd(fz, fd, "memfd 4097");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fz->backing);
	add_fd(fz, open(path, O_RDONLY | O_CLOEXEC), "memfd read-only");
	add_fd(fz, open(path, O_WRONLY | O_CLOEXEC), "memfd write-only");
	add_fd(fz, open(path, O_RDWR | O_APPEND | O_CLOEXEC), "memfd O_APPEND");
	add_fd(fz, open(path, O_PATH | O_CLOEXEC), "memfd O_PATH");
	add_fd(fz, open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "a directory");
	add_fd(fz, open("/proc/self/status", O_RDONLY | O_CLOEXEC), "procfs");
	add_fd(fz, open("/proc/self/exe", O_RDONLY | O_CLOEXEC), "the program");
	add_fd(fz, open("/dev/null", O_RDWR | O_CLOEXEC), "/dev/null");
	add_fd(fz, open(CTNR_DEV_PATH, O_RDWR | O_CLOEXEC), "/dev/ctnr rw");
	if (!pipe2(p, O_CLOEXEC)) {
		add_fd(fz, p[0], "pipe read end");
		add_fd(fz, p[1], "pipe write end");
	}
	if (!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		add_fd(fz, sv[0], "socket");
		close(sv[1]);
	}
	add_fd(fz, eventfd(0, EFD_CLOEXEC), "eventfd");
	add_fd(fz, sys_pidfd_open(getpid(), 0), "pidfd");
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(fd);
	add_fd(fz, fd, "a closed fd");
}

/* Everything this run made goes; the parent checks that it did. */
static void teardown(struct fz_thread *t)
{
	struct fz *fz = t->fz;
	struct ctnr_ioc_loop_detach d;
	int i;

	snprintf(t->cur, sizeof(t->cur), "tear-down");
	for (i = 0; i < FZ_LOOPS; i++) {
		struct fz_loop *l = &fz->loop[i];

		if (!l->used)
			continue;
		if (l->fd >= 0)
			close(l->fd);
		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.index = l->index;
		d.flags = CTNR_LOOP_DETACH_F_LAZY;
		ioctl(t->dev, CTNR_IOC_LOOP_DETACH, &d);
		l->used = false;
	}
	for (i = 0; i < FZ_RECS; i++) {
		if (fz->rec[i].used && fz->ident != ID_UNPRIV)
			ctnr_del_id(&t->lnl, fz->rec[i].id);
		fz->rec[i].used = false;
	}
	if (fz->ident != ID_UNPRIV)
		ctnr_del_prefix(&t->lnl, fz->prefix);
	for (i = 0; i < FZ_SLOTS; i++)
		if (fz->init[i].pid > 0)
			kill_reap(&fz->init[i].pid);
}

static int thread_setup(struct fz *fz, struct fz_thread *t, int idx)
{
	memset(t, 0, sizeof(*t));
	t->fz = fz;
	t->idx = idx;
	t->seed = opt_seed;
	t->rng.s = opt_seed ^ ((uint64_t)(fz->ident + 1) << 56) ^
		   ((uint64_t)idx << 40);
	rnd(&t->rng);
	t->nl = nl_socket();
	t->tx = malloc(FZ_BUF);
	t->rx = malloc(FZ_BUF);
	t->dev = open(CTNR_DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (t->nl < 0 || !t->tx || !t->rx)
		return -ENOMEM;
	return ctnr_nl_open(&t->lnl);
}

/*
 * The body of one identity's run, in a child process of its own, already
 * with that identity.  Writes the result line on @out; exit status 0 or 1.
 */
static int __attribute__((noreturn)) run_identity(struct fz *fz, int out)
{
	struct fz_thread th[FZ_THREADS_MAX];
	pthread_t tid[FZ_THREADS_MAX], evt;
	char line[1600];
	int64_t start = now_ms();
	int i, r;
	long ops;

	for (i = 0; i < FZ_SLOTS; i++) {
		fz->init[i].pid = -1;
		snprintf(fz->init[i].cg, sizeof(fz->init[i].cg), "%.4000s/c%d",
			 fz->top, i);
		if (fz->can_cg && mkdir(fz->init[i].cg, 0755) && errno != EEXIST)
			fz->can_cg = false;
	}
	make_fds(fz);
	pthread_mutex_init(&fz->lock, NULL);
	pthread_barrier_init(&fz->bar, NULL, fz->nthreads);
	for (i = 0; i < fz->nthreads; i++) {
		r = thread_setup(fz, &th[i], i);
		if (r) {
			dprintf(out, "set-up of thread %d: %s\n", i, strerror(-r));
			_exit(1);
		}
	}
	fz->family = th[0].lnl.family;
	fz->t0 = now_ms();
	if (fz->ident == ID_ROOT)
		pthread_create(&evt, NULL, ev_thread, fz);
	for (i = 0; i < fz->nthreads; i++)
		pthread_create(&tid[i], NULL, fz_thread_main, &th[i]);
	/* the watchdog: threads stuck in the kernel are a finding too */
	while (atomic_load(&fz->n_done) < fz->nthreads) {
		if (now_ms() > fz->deadline + 120000) {
			for (i = 0; i < fz->nthreads; i++)
				fprintf(stderr, "# thread %d op %ld: %s\n", i,
					th[i].op, th[i].cur);
			/* let the parent read where they are in the kernel */
			atomic_store(&fz->hung, 1);
			for (i = 0; i < 150 && !atomic_load(&fz->hung_dumped); i++)
				sleep_ms(100);
			dprintf(out, "FAIL threads hung 120 s past the deadline (seed %llu); "
				"thread 0 op %ld: %s\n",
				(unsigned long long)opt_seed, th[0].op, th[0].cur);
			_exit(1);
		}
		sleep_ms(100);
	}
	for (i = 0; i < fz->nthreads; i++)
		pthread_join(tid[i], NULL);
	if (fz->ident == ID_ROOT)
		pthread_join(evt, NULL);
	if (atomic_load(&fz->failed)) {
		int j;

		for (i = 0; i < fz->nthreads; i++) {
			fprintf(stderr, "# thread %d, its last operations:\n", i);
			for (j = 0; j < 16; j++) {
				int k = (th[i].nhist + j) % 16;

				if (th[i].hist[k][0])
					fprintf(stderr, "#   %s\n", th[i].hist[k]);
			}
		}
	}
	if (!atomic_load(&fz->failed)) {
		atomic_store(&fz->stop, 0);
		teardown(&th[0]);
		check_model(&th[0]);
	} else {
		teardown(&th[0]);
	}
	ops = atomic_load(&fz->ops);
	snprintf(line, sizeof(line),
		 "%ld ops in %.1f s (%.0f ops/s): %ld netlink, %ld ioctl, "
		 "%ld kmsg children, %ld loop, %ld lifecycle, %ld checks, "
		 "%ld adopted after overruns; succeeded: %ld registrations, "
		 "%ld NS_FDS, %ld loop attaches, %ld kmsg opens, %ld kmsg reads; "
		 "%ld registrations of inits failed%s%s; "
		 "seed %llu, %d threads",
		 ops, (now_ms() - start) / 1000.0,
		 ops * 1000.0 / (double)(now_ms() - start + 1),
		 atomic_load(&fz->n_nl), atomic_load(&fz->n_ioc),
		 atomic_load(&fz->n_kmsg), atomic_load(&fz->n_loop),
		 atomic_load(&fz->n_life), atomic_load(&fz->n_checks),
		 atomic_load(&fz->n_adopted), atomic_load(&fz->ok_new),
		 atomic_load(&fz->ok_nsfds), atomic_load(&fz->ok_attach),
		 atomic_load(&fz->ok_kmsg_open), atomic_load(&fz->ok_kmsg_read),
		 atomic_load(&fz->n_spawn_fail),
		 fz->spawn_err[0] ? ", first: " : "", fz->spawn_err,
		 (unsigned long long)opt_seed,
		 fz->nthreads);
	if (atomic_load(&fz->failed))
		dprintf(out, "FAIL %s; %s\n", fz->failmsg, line);
	else
		dprintf(out, "OK %s\n", line);
	_exit(atomic_load(&fz->failed) ? 1 : 0);
}

/* ------------------------------------------------------------------ */
/* the tests                                                          */

static int seconds_for(int ident)
{
	int total = 0, i;

	if (opt_only >= 0)
		return opt_seconds;
	for (i = 0; i < ID_MAX; i++)
		total += id_share[i];
	return opt_seconds * id_share[ident] / total > 0 ?
	       opt_seconds * id_share[ident] / total : 1;
}

struct loop_count {
	int n;
};

static int loop_count_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	(void)tb;
	(void)cmd;
	((struct loop_count *)arg)->n++;
	return 0;
}

static int count_loops(struct ctnr_nl *nl)
{
	struct loop_count lc = { 0 };
	int r = ctnr_nl_xfer(nl, ctnr_nl_msg(nl, CTNR_CMD_LOOP_GET, NLM_F_DUMP),
			     loop_count_cb, &lc);

	return r ? r : lc.n;
}

static void counters_diff(const struct ctnr_counter *a, int na, char *buf,
			  size_t len)
{
	struct ctnr_counter b[64];
	int nb = ctnr_counters_read(b, 64), i, j;
	size_t off = 0;

	buf[0] = '\0';
	if (nb < 0) {
		snprintf(buf, len, "cannot read the counters: %s",
			 strerror(-nb));
		return;
	}
	for (i = 0; i < nb; i++) {
		long long was = 0;

		for (j = 0; j < na; j++)
			if (!strcmp(a[j].name, b[i].name))
				was = a[j].val;
		if (was != b[i].val && off < len)
			off += snprintf(buf + off, len - off, "%s %lld (was %lld) ",
					b[i].name, b[i].val, was);
	}
}

static int cg_create_abs(const char *abs)
{
	if (mkdir(abs, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

FIXTURE(fuzz) {
	struct ctnr_nl nl;
	struct ctnr_counter base[64];
	int nbase;
	char top[PATH_MAX];
};

FIXTURE_SETUP(fuzz)
{
	self->nl.sk = NULL;
	self->top[0] = '\0';
	ASSERT_EQ(0, ctnr_nl_open(&self->nl));
	self->nbase = ctnr_counters_read(self->base, 64);
	ASSERT_LT(0, self->nbase) TH_LOG("debugfs ctnr/counters");
}

FIXTURE_TEARDOWN(fuzz)
{
	ctnr_nl_close(&self->nl);
	if (self->top[0]) {
		char path[PATH_MAX + 16];
		int i;

		for (i = 0; i < FZ_SLOTS; i++) {
			snprintf(path, sizeof(path), "%s/c%d", self->top, i);
			cg_remove(path);
		}
		for (i = 0; i < FZ_FOREIGN; i++) {
			snprintf(path, sizeof(path), "%s/f%d", self->top, i);
			cg_remove(path);
		}
		snprintf(path, sizeof(path), "%s/main", self->top);
		cg_remove(path);
		cg_remove(self->top);
	}
}

/* The kernel stacks of the run's threads and of the blocked tasks. */
static void dump_stacks(struct __test_metadata *_metadata, struct fz *fz,
			pid_t pid)
{
	char path[96], buf[4096];
	ssize_t n;
	int i, fd;

	for (i = 0; i < fz->nthreads; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", (int)pid,
			 (int)fz->tid[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		TH_LOG("thread %d (tid %d), kernel stack:\n%s", i,
		       (int)fz->tid[i], n > 0 ? buf : "(none: not in the kernel)");
	}
	/* sysrq w: every blocked task's stack, to the kernel log */
	fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "w", 1) != 1)
			TH_LOG("sysrq w: %m");
		close(fd);
	}
}

static void fuzz_identity(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fuzz) *self, int ident)
{
	static struct fz *fz;
	char rel[64], path[PATH_MAX + 16], msg[2400], why[1024];
	int i, pfd[2], st, secs = seconds_for(ident), r;
	pid_t pid;
	ssize_t n;
	size_t off = 0;

	if (opt_only >= 0 && opt_only != ident)
		SKIP(return, "--only %s", id_names[opt_only]);
	fz = mmap(NULL, sizeof(*fz), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fz);
	memset(fz, 0, sizeof(*fz));
	fz->ident = ident;
	snprintf(fz->prefix, sizeof(fz->prefix), "fz%c%d", id_letter[ident],
		 getpid() % 10000);
	fz->nthreads = opt_threads;
	fz->ops_limit = opt_ops;
	snprintf(rel, sizeof(rel), "ctnrfuzz-%d-%s", getpid(), id_names[ident]);
	ASSERT_EQ(0, cg_create(rel, self->top, sizeof(self->top)));
	snprintf(fz->top, sizeof(fz->top), "%s", self->top);
	snprintf(path, sizeof(path), "%s/main", self->top);
	ASSERT_EQ(0, cg_create_abs(path));
	fz->can_cg = true;

	/* host containers the others must leave alone */
	if (ident != ID_ROOT) {
		ASSERT_EQ(0, cg_delegate(self->top, UNPRIV_UID, UNPRIV_UID));
		ASSERT_EQ(0, cg_delegate(path, UNPRIV_UID, UNPRIV_UID));
		for (i = 0; i < FZ_FOREIGN; i++) {
			struct fz_foreign *f = &fz->foreign[i];

			snprintf(f->cg, sizeof(f->cg), "%.4000s/f%d", self->top, i);
			ASSERT_EQ(0, cg_create_abs(f->cg));
			ASSERT_EQ(0, cg_delegate(f->cg, UNPRIV_UID, UNPRIV_UID));
			/* fz is shared: only the parent may store the pid */
			pid = sys_clone(0);
			if (pid == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
				for (;;)
					pause();
			}
			ASSERT_LT(0, pid);
			f->pid = pid;
			ASSERT_EQ(0, cg_enter(f->cg, f->pid));
			snprintf(f->name, sizeof(f->name), "%s-f%d", fz->prefix, i);
			ASSERT_EQ(0, ctnr_new(&self->nl, f->name, f->pid, 0,
					      &f->before))
				TH_LOG("register %s: %s", f->name, self->nl.ext_msg);
			f->id = f->before.id;
			fz->nforeign++;
		}
	}
	if (!opt_seed)
		opt_seed = (uint64_t)realtime_ns() % 1000000000ULL;
	TH_LOG("seed %llu (CTNR_FUZZ_SEED=%llu to repeat), %d s, %d threads, ops limit %ld",
	       (unsigned long long)opt_seed, (unsigned long long)opt_seed,
	       secs, opt_threads, opt_ops);
	fz->deadline = now_ms() + secs * 1000LL;
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pfd[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		r = cg_enter(path, getpid());
		if (r) {
			dprintf(pfd[1], "cannot enter %s: %s\n", path, strerror(-r));
			_exit(1);
		}
		if (ident != ID_ROOT) {
			r = become_user(UNPRIV_UID, UNPRIV_UID);
			if (!r && ident == ID_USERNS)
				r = enter_userns_as_root(0);
			if (r) {
				dprintf(pfd[1], "cannot become %s: %s\n",
					id_names[ident], strerror(-r));
				_exit(1);
			}
		}
		run_identity(fz, pfd[1]);
	}
	close(pfd[1]);
	/*
	 * The child's own watchdog ends it; this is the last resort.  When
	 * its watchdog finds threads hung, their kernel stacks (which only
	 * host root may read) go to the log first.
	 */
	{
		int64_t end = now_ms() + (secs + 300) * 1000LL;

		do {
			r = wait_pid_timeout(pid, &st, 500);
			if (r && atomic_load(&fz->hung) &&
			    !atomic_load(&fz->hung_dumped)) {
				dump_stacks(_metadata, fz, pid);
				atomic_store(&fz->hung_dumped, 1);
			}
		} while (r && now_ms() < end);
	}
	if (r) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	while (off < sizeof(msg) - 1 &&
	       (n = read(pfd[0], msg + off, sizeof(msg) - 1 - off)) > 0)
		off += n;
	msg[off] = '\0';
	close(pfd[0]);
	chomp(msg);
	TH_LOG("fuzz.%s: %s", id_names[ident], msg[0] ? msg : "(no result)");
	if (r)
		TH_LOG("the run did not end within %d s", secs + 300);

	/* the host's view: nothing of the run is left, nothing foreign moved */
	for (i = 0; i < fz->nforeign; i++) {
		struct fz_foreign *f = &fz->foreign[i];
		struct ctnr_ctr now;

		EXPECT_EQ(0, ctnr_get_id(&self->nl, f->id, &now))
			TH_LOG("host container %s vanished", f->name);
		EXPECT_STREQ(f->before.name, now.name);
		EXPECT_EQ(f->before.flags, now.flags);
		EXPECT_EQ(f->before.state, now.state);
		EXPECT_EQ(f->before.ns_mask, now.ns_mask);
		ctnr_del_id(&self->nl, f->id);
		kill_reap(&f->pid);
	}
	{
		int64_t end = now_ms() + 10000;
		int left, loops;

		do {
			left = ctnr_dump_count(&self->nl, fz->prefix, 0, NULL);
			loops = count_loops(&self->nl);
			if (!left && !loops)
				break;
			sleep_ms(100);
		} while (now_ms() < end);
		EXPECT_EQ(0, left) TH_LOG("containers of the run left behind");
		EXPECT_EQ(0, loops) TH_LOG("loop devices left behind");
		if (left > 0)
			ctnr_del_prefix(&self->nl, fz->prefix);
		end = now_ms() + 15000;
		do {
			counters_diff(self->base, self->nbase, why, sizeof(why));
			if (!why[0])
				break;
			sleep_ms(100);
		} while (now_ms() < end);
		EXPECT_STREQ("", why) TH_LOG("counters not back where they were");
	}
	EXPECT_EQ(0, r);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("reproduce: selftests/fuzz --only %s --seed %llu --threads 1%s",
		       id_names[ident], (unsigned long long)opt_seed,
		       opt_ops > 0 ? "" : " (with --ops N: the failing op)");
	munmap(fz, sizeof(*fz));
}

TEST_F_TIMEOUT(fuzz, root, 7200)
{
	fuzz_identity(_metadata, self, ID_ROOT);
}

TEST_F_TIMEOUT(fuzz, unpriv, 7200)
{
	fuzz_identity(_metadata, self, ID_UNPRIV);
}

TEST_F_TIMEOUT(fuzz, userns, 7200)
{
	fuzz_identity(_metadata, self, ID_USERNS);
}

/* the harness's main() under another name: ours parses options first */
#define main fuzz_harness_main
TEST_HARNESS_MAIN
#undef main

/* ------------------------------------------------------------------ */
/* options, then the harness                                          */

static int parse_ident(const char *s)
{
	int i;

	for (i = 0; i < ID_MAX; i++)
		if (!strcmp(s, id_names[i]))
			return i;
	fprintf(stderr, "fuzz: unknown identity %s (root, unpriv, userns)\n", s);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "ops", required_argument, NULL, 'o' },
		{ "threads", required_argument, NULL, 'j' },
		{ "only", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *e;
	int c;

	if ((e = getenv("CTNR_FUZZ_SEED")) && *e)
		opt_seed = strtoull(e, NULL, 0);
	if ((e = getenv("CTNR_FUZZ_SECONDS")) && *e)
		opt_seconds = atoi(e);
	if ((e = getenv("CTNR_FUZZ_OPS")) && *e)
		opt_ops = atol(e);
	if ((e = getenv("CTNR_FUZZ_THREADS")) && *e)
		opt_threads = atoi(e);
	if ((e = getenv("CTNR_FUZZ_ONLY")) && *e)
		opt_only = parse_ident(e);
	if ((e = getenv("CTNR_FUZZ_VERBOSE")) && *e)
		opt_verbose = atoi(e);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'S': opt_seconds = atoi(optarg); break;
		case 'o': opt_ops = atol(optarg); break;
		case 'j': opt_threads = atoi(optarg); break;
		case 'i': opt_only = parse_ident(optarg); break;
		case 'v': opt_verbose = 1; break;
		default:
			fprintf(stderr, "usage: %s [--seed N] [--seconds S] [--ops N] "
				"[--threads N] [--only root|unpriv|userns] [--verbose]\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (opt_threads < 1)
		opt_threads = 1;
	if (opt_threads > FZ_THREADS_MAX)
		opt_threads = FZ_THREADS_MAX;
	if (opt_seconds < 1)
		opt_seconds = 1;
	if (!opt_seed)
		opt_seed = (uint64_t)realtime_ns() % 1000000000ULL;
	printf("# fuzz: seed %llu, %d s in all, %d threads, ops limit %ld\n",
	       (unsigned long long)opt_seed, opt_seconds, opt_threads, opt_ops);
	fflush(stdout);
	return fuzz_harness_main(1, argv);
}
