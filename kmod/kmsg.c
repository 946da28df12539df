// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: the syslog namespace.  Every container has its own log, a ring of
 * variable-length records, served by /dev/ctnr-kmsg with the semantics of
 * /dev/kmsg and by netlink (CTNR_CMD_LOG_GET, CTNR_CMD_LOG_CLEAR).
 *
 * The ring.  Records are stored back to back, 8-byte aligned, oldest at
 * tail, next one at head.  A record that does not fit between head and the
 * end of the buffer goes to offset 0; a zero length word at the old head
 * (or the end of the buffer itself) marks the jump.  Writers evict the
 * oldest records until the new one fits.  Records are numbered by a 64-bit
 * sequence number; first_seq..next_seq-1 are in the ring.  A log's first
 * number is the boot time in nanoseconds when it was made: a log made again
 * for a container (re-registered, module reloaded) never hands out numbers
 * that an earlier one did, which journald would take for records it has
 * already read (a log cannot store a record per nanosecond).
 *
 * Readers keep a cursor: the sequence number they want next and, as a hint,
 * a record at or before it and where that one starts.  The hint is good
 * while the record before it is in the ring (a writer only reuses the space
 * of evicted records); when it is the oldest, the tail is used instead;
 * after a resize (gen changes) the reader walks from the tail.  A walk
 * stops after CTNR_LOG_WALK_MAX records to let interrupts in: the cursor
 * keeps where it got to, and the caller retakes the lock and goes on.
 *
 * Locking: log->lock (a spinlock taken with interrupts off, so that
 * ctnr_log_emit() works in any context but NMI) protects the ring and every
 * field of struct ctnr_log except those marked otherwise.  A reader's file
 * mutex serialises its reads (and their buffers); its cursor is read and
 * written only under log->lock, so that llseek() and poll() need no more.
 *
 * Lifetime: the log is allocated on first use (open, emit, resize, or
 * ctnr_log_prepare()) and freed with the container; an open /dev/ctnr-kmsg
 * holds a container reference.
 */
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/syslog.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>
#include <net/genetlink.h>

#include "ctnr.h"
#include "genl-gen.h"
#include "hook.h"
#include "trace.h"

/*
 * The running kernel's /dev/kmsg limits (compat.h): a write of more than
 * CTNR_KMSG_WRITE_MAX bytes is EINVAL, a record keeps one byte less of
 * text (printk reserves room for a NUL), and a read formats a record into
 * at most CTNR_KMSG_READ_MAX bytes.
 */
#define CTNR_LOG_TEXT_MAX	(CTNR_KMSG_WRITE_MAX - 1)
/* One formatted record: a header and the text, every byte escaped... */
#define CTNR_LOG_FMT_MAX	(64 + 4 * CTNR_LOG_TEXT_MAX + 1)
/* ... cut where the kernel's is (a constant: it sizes an array). */
#define CTNR_MIN_CONST(a, b)	((a) < (b) ? (a) : (b))
#define CTNR_LOG_OUT_MAX	CTNR_MIN_CONST(CTNR_LOG_FMT_MAX, \
				       CTNR_KMSG_READ_MAX)
/* Records copied per lock hold while resizing. */
#define CTNR_LOG_RESIZE_CHUNK	(64 * 1024)
/* Lock holds a resize may take before it gives up on a writer flood. */
#define CTNR_LOG_RESIZE_PASSES	1024
/* Records a lookup steps over per lock hold. */
#define CTNR_LOG_WALK_MAX	256
/* Writes this short are parsed from the stack. */
#define CTNR_LOG_STACK_WRITE	256

struct ctnr_log_rec {
	u16 len;		/* of the whole record, aligned; 0: jump to 0 */
	u16 text_len;
	u8 facility;
	u8 level;
	u8 flags;		/* CTNR_LOG_F_* */
	u8 pad;
	u64 seq;
	u64 ts_usec;		/* local_clock(), as printk stamps records */
	char text[];
};

#define CTNR_LOG_REC_ALIGN	8
#define CTNR_LOG_REC_MAX \
	ALIGN(sizeof(struct ctnr_log_rec) + CTNR_LOG_TEXT_MAX + 1, \
	      CTNR_LOG_REC_ALIGN)

struct ctnr_ring {
	char *buf;
	u32 size;		/* usable bytes, a multiple of 8 */
	u32 head;		/* where the next record goes (or 0) */
	u32 tail;		/* the oldest record, when not empty */
	u64 first_seq;		/* of the oldest record */
	u64 next_seq;		/* of the next record; empty if == first_seq */
};

struct ctnr_log_cursor {
	u64 seq;		/* the record wanted next */
	u64 hint_seq;		/* hint: a record at or before seq ... */
	u32 hint_off;		/* ... starts here (or at 0, after a jump) */
	u32 gen;		/* the ring generation of the hint */
	bool have_hint;
};

struct ctnr_log {
	spinlock_t lock;	/* see the top of the file */
	struct ctnr_ring r;
	u32 gen;		/* bumped when records move (resize) */
	u32 alloc_size;		/* bytes of r.buf, the configured size */
	u64 clear_seq;		/* first record after the last clear */
	u32 clear_off;		/* hint for clear_seq, like a cursor's */
	u32 clear_gen;

	/* Write rate limit: the buckets are the writers' (ctnr_kmsg_file). */
	u64 dropped;		/* dropped in all */
	unsigned long drop_event_next;	/* jiffies */

	/* ctnr_log_kernel()'s rate limit, under lock. */
	u64 krl_begin;		/* local_clock() ns: the window's start */
	u32 krl_n;		/* lines admitted in it */
	u32 krl_missed;		/* lines dropped in it */

	struct mutex resize_lock;	/* serialises resizes; outside lock */
	wait_queue_head_t wait;		/* readers; has its own lock */

	/*
	 * syslog(2) and /proc/kmsg (ctnr_syslog()): the kernel's syslog_seq,
	 * syslog_partial and syslog_time, one set per log as the kernel has
	 * one for its log.  syslog_mutex (outside lock) serialises the
	 * readers that use them; the cursor is under lock as a file's is.
	 */
	struct mutex syslog_mutex;
	struct ctnr_log_cursor syslog_cur;
	u32 syslog_partial;		/* bytes of that record already read */
	bool syslog_time;		/* printk.time when it was begun */
};

/* An open /dev/ctnr-kmsg. */
struct ctnr_kmsg_file {
	struct ctnr_container *c;	/* ctnr_husk_get() reference */
	struct ctnr_log *log;
	struct mutex lock;		/* serialises reads: rec, out */
	struct ctnr_log_cursor cur;	/* under log->lock */
	/* This writer's token bucket, under log->lock. */
	u64 rl_stamp;			/* ns, local_clock() */
	u32 rl_tokens;
	u64 suppressed;			/* dropped since its last write */
	char rec[CTNR_LOG_REC_MAX];	/* record being read, under lock */
	char out[CTNR_LOG_OUT_MAX];	/* formatted, under lock */
};

static u32 ctnr_log_size_clamp(unsigned int bytes)
{
	return clamp_t(unsigned int, bytes, CTNR_LOG_SIZE_MIN,
		       CTNR_LOG_SIZE_MAX);
}

struct user_namespace *ctnr_log_userns(const struct ctnr_container *c)
{
	struct ns_common *ns = c->ns[CTNR_NS_USER];

	return ns ? container_of(ns, struct user_namespace, ns) : c->owner;
}

/* ---- the ring ---- */

static struct ctnr_log_rec *ctnr_ring_at(const struct ctnr_ring *r, u32 off)
{
	return (struct ctnr_log_rec *)(r->buf + off);
}

static bool ctnr_ring_empty(const struct ctnr_ring *r)
{
	return r->first_seq == r->next_seq;
}

/* Follow a jump: the end of the buffer, or a zero length word. */
static u32 ctnr_ring_norm(const struct ctnr_ring *r, u32 off)
{
	if (off >= r->size || !ctnr_ring_at(r, off)->len)
		return 0;
	return off;
}

static void ctnr_ring_mark_jump(struct ctnr_ring *r)
{
	if (r->head < r->size)
		ctnr_ring_at(r, r->head)->len = 0;
	r->head = 0;
}

static void ctnr_ring_drop_oldest(struct ctnr_ring *r)
{
	r->tail += ctnr_ring_at(r, r->tail)->len;
	r->first_seq++;
	if (ctnr_ring_empty(r))
		r->tail = r->head;
	else
		r->tail = ctnr_ring_norm(r, r->tail);
}

/*
 * Make room for @len bytes (aligned, at most CTNR_LOG_REC_MAX, which is
 * below the smallest ring) at head, evicting the oldest records.
 */
static struct ctnr_log_rec *ctnr_ring_reserve(struct ctnr_ring *r, u32 len)
{
	for (;;) {
		if (ctnr_ring_empty(r)) {
			if (r->size - r->head < len)
				ctnr_ring_mark_jump(r);
			r->tail = r->head;
			break;
		}
		if (r->head > r->tail) {
			if (r->size - r->head >= len)
				break;
			ctnr_ring_mark_jump(r);
			continue;
		}
		/* head <= tail: the free space is between them */
		if (r->tail - r->head >= len)
			break;
		ctnr_ring_drop_oldest(r);
	}
	return ctnr_ring_at(r, r->head);
}

/* The record just filled in at head becomes visible. */
static void ctnr_ring_commit(struct ctnr_ring *r, struct ctnr_log_rec *rec)
{
	rec->seq = r->next_seq++;
	r->head += rec->len;
}

static u32 ctnr_rec_len(u32 text_len)
{
	return ALIGN(sizeof(struct ctnr_log_rec) + text_len + 1,
		     CTNR_LOG_REC_ALIGN);
}

static void ctnr_log_hint(struct ctnr_log *l, struct ctnr_log_cursor *cur,
			  u64 seq, u32 off)
{
	cur->hint_seq = seq;
	cur->hint_off = off;
	cur->gen = l->gen;
	cur->have_hint = true;
}

/*
 * The record at @cur->seq; NULL if there is none yet (or it is gone: the
 * caller deals with cur->seq < first_seq); ERR_PTR(-EAGAIN) when the walk
 * to it stopped half-way: drop the lock, let interrupts in, call again.
 */
/*
 * The most records one ctnr_log_find() stepped over in one lock hold since
 * load (or since root wrote 0 to debugfs ctnr/log_walk_max): what the
 * bound of CTNR_LOG_WALK_MAX is checked against.  Racy updates only ever
 * lose a maximum that another walk also reached.
 */
static u32 ctnr_log_walk_max;

static void ctnr_log_walked(unsigned int steps)
{
	if (steps > READ_ONCE(ctnr_log_walk_max))
		WRITE_ONCE(ctnr_log_walk_max, steps);
}

static struct ctnr_log_rec *ctnr_log_find(struct ctnr_log *l,
					  struct ctnr_log_cursor *cur)
{
	struct ctnr_ring *r = &l->r;
	unsigned int budget = CTNR_LOG_WALK_MAX;
	u64 seq;
	u32 off;

	if (cur->seq < r->first_seq || cur->seq >= r->next_seq)
		return NULL;
	if (cur->have_hint && cur->gen == l->gen &&
	    cur->hint_seq > r->first_seq && cur->hint_seq <= cur->seq) {
		seq = cur->hint_seq;
		off = ctnr_ring_norm(r, cur->hint_off);
	} else {
		seq = r->first_seq;
		off = r->tail;
	}
	for (; seq < cur->seq; seq++) {
		if (!budget--) {
			ctnr_log_walked(CTNR_LOG_WALK_MAX);
			ctnr_log_hint(l, cur, seq, off);
			return ERR_PTR(-EAGAIN);
		}
		off = ctnr_ring_norm(r, off + ctnr_ring_at(r, off)->len);
	}
	ctnr_log_walked(CTNR_LOG_WALK_MAX - budget);
	ctnr_log_hint(l, cur, seq, off);
	return ctnr_ring_at(r, off);
}

/* Step past the record ctnr_log_find() just returned. */
static void ctnr_log_advance(struct ctnr_log *l, struct ctnr_log_cursor *cur,
			     const struct ctnr_log_rec *rec)
{
	cur->seq = rec->seq + 1;
	cur->hint_seq = cur->seq;
	cur->hint_off += rec->len;
}

static void ctnr_log_cursor_set(struct ctnr_log *l,
				struct ctnr_log_cursor *cur, u64 seq)
{
	cur->seq = seq;
	cur->have_hint = false;
	if (seq == l->r.next_seq)
		ctnr_log_hint(l, cur, seq, l->r.head);
	else if (seq == l->clear_seq && l->clear_gen == l->gen)
		ctnr_log_hint(l, cur, seq, l->clear_off);
}

/* Under l->lock.  Stores one record; @text need not be NUL terminated. */
static void ctnr_log_store(struct ctnr_log *l, u64 ts_nsec, u8 facility,
			   u8 level, u8 flags, const char *text, u32 text_len)
{
	struct ctnr_log_rec *rec;
	u32 len;

	text_len = min_t(u32, text_len, CTNR_LOG_TEXT_MAX);
	len = ctnr_rec_len(text_len);
	rec = ctnr_ring_reserve(&l->r, len);
	rec->len = len;
	rec->text_len = text_len;
	rec->facility = facility;
	rec->level = level;
	rec->flags = flags;
	rec->pad = 0;
	rec->ts_usec = div_u64(ts_nsec, NSEC_PER_USEC);
	memcpy(rec->text, text, text_len);
	rec->text[text_len] = '\0';
	ctnr_ring_commit(&l->r, rec);
}

static void ctnr_log_wake(struct ctnr_log *l)
{
	if (wq_has_sleeper(&l->wait))
		wake_up_interruptible_poll(&l->wait, EPOLLIN | EPOLLRDNORM);
}

static void ctnr_log_free(struct ctnr_log *l)
{
	ctnr_count_add(CTNR_CNT_BYTES, -(long)(l->alloc_size + sizeof(*l)));
	ctnr_count_add(CTNR_CNT_LOGS, -1);
	mutex_destroy(&l->syslog_mutex);
	mutex_destroy(&l->resize_lock);
	kvfree(l->r.buf);
	kfree(l);
}

static struct ctnr_log *ctnr_log_alloc(const struct ctnr_container *c,
				       u32 bytes, gfp_t gfp)
{
	static const char banner[] = "ctnr: log of container %s (id %u) started";
	char text[sizeof(banner) + CTNR_NAME_MAX + 10];
	struct ctnr_log *l;
	int n;

	l = kzalloc(sizeof(*l), gfp);
	if (!l)
		return NULL;
	l->r.buf = kvzalloc(bytes, gfp);
	if (!l->r.buf) {
		kfree(l);
		return NULL;
	}
	spin_lock_init(&l->lock);
	mutex_init(&l->resize_lock);
	mutex_init(&l->syslog_mutex);
	init_waitqueue_head(&l->wait);
	l->alloc_size = bytes;
	l->r.size = round_down(bytes, CTNR_LOG_REC_ALIGN);
	l->r.first_seq = ktime_get_boottime_ns();
	l->r.next_seq = l->r.first_seq;
	l->clear_seq = l->r.first_seq;	/* at offset 0, gen 0 */
	l->syslog_cur.seq = l->r.first_seq;	/* no hint: the tail */
	l->drop_event_next = jiffies;
	ctnr_count_add(CTNR_CNT_LOGS, 1);
	ctnr_count_add(CTNR_CNT_BYTES, bytes + sizeof(*l));

	/*
	 * Never empty: util-linux dmesg takes an empty /dev/kmsg for a
	 * broken one and falls back to syslog(2), the host's log.
	 */
	n = scnprintf(text, sizeof(text), banner, c->key.name, c->id);
	ctnr_log_store(l, local_clock(), 0, LOGLEVEL_INFO, 0, text, n);
	return l;
}

/* c->log once the container is released: no log may be made any more. */
#define CTNR_LOG_GONE	((struct ctnr_log *)1)

/* @c's log or NULL. */
static struct ctnr_log *ctnr_log_peek(const struct ctnr_container *c)
{
	/* pairs with the cmpxchg() that publishes an initialised log */
	struct ctnr_log *l = smp_load_acquire(&c->log);

	return l == CTNR_LOG_GONE ? NULL : l;
}

/* Publish @l as @c's log, or free it and return the one already there. */
static struct ctnr_log *ctnr_log_publish(struct ctnr_container *c,
					 struct ctnr_log *l)
{
	struct ctnr_log *old;

	/* full barrier: l is initialised before anyone can see it */
	old = cmpxchg(&c->log, NULL, l);
	if (!old)
		return l;
	ctnr_log_free(l);
	return old == CTNR_LOG_GONE ? NULL : old;
}

/* @c's log, allocated now if need be; NULL if that failed. */
static struct ctnr_log *ctnr_log_get(struct ctnr_container *c, gfp_t gfp)
{
	struct ctnr_log *l = ctnr_log_peek(c);

	if (likely(l))
		return l;
	if (READ_ONCE(c->log) == CTNR_LOG_GONE)
		return NULL;
	l = ctnr_log_alloc(c, ctnr_log_size_clamp(READ_ONCE(ctnr_log_size)),
			   gfp);
	return l ? ctnr_log_publish(c, l) : NULL;
}

/*
 * Called from the container's release.  A late ctnr_log_emit() (there
 * should be none: emitters hold a reference) finds no log and makes none.
 */
void ctnr_log_release(struct ctnr_container *c)
{
	struct ctnr_log *l = xchg(&c->log, CTNR_LOG_GONE);

	if (l && l != CTNR_LOG_GONE)
		ctnr_log_free(l);
}

/*
 * @c's log, made now in process context if it has none: charged to the
 * memory cgroup of the container's cgroup, with reclaim.  For the callers
 * of ctnr_log_emit() that can sleep, so that a first record is not lost to
 * a GFP_NOWAIT allocation failing.
 */
void ctnr_log_prepare(struct ctnr_container *c)
{
	struct cgroup_subsys_state *css = NULL;
	struct mem_cgroup *old = NULL;

	might_sleep();
	if (ctnr_log_peek(c) || READ_ONCE(c->log) == CTNR_LOG_GONE)
		return;
#ifdef CONFIG_MEMCG
	if (c->cgrp) {
		css = cgroup_get_e_css(c->cgrp, &memory_cgrp_subsys);
		old = set_active_memcg(mem_cgroup_from_css(css));
	}
#endif
	ctnr_log_get(c, GFP_KERNEL_ACCOUNT);
#ifdef CONFIG_MEMCG
	if (css) {
		set_active_memcg(old);
		css_put(css);
	}
#endif
}

/*
 * The container was deleted: wake readers, so that once they have read
 * what is left they get the error (ctnr_kmsg_read(), ctnr_kmsg_poll()).
 */
void ctnr_log_unlink(struct ctnr_container *c)
{
	struct ctnr_log *l = ctnr_log_peek(c);

	if (l)
		wake_up_interruptible_poll(&l->wait, EPOLLIN | EPOLLERR);
}

static __printf(3, 0)
void ctnr_log_vemit(struct ctnr_log *l, int level, const char *fmt,
		    va_list args)
{
	struct ctnr_log_rec *rec;
	unsigned long irqflags;
	u8 flags = 0;
	va_list args2;
	u64 ts = local_clock();
	u32 len;
	int n;

	if (level == CTNR_LOGLEVEL_CONT) {
		flags |= CTNR_LOG_F_CONT;
		level = LOGLEVEL_DEFAULT;
	}
	if (level < 0 || level > LOGLEVEL_DEBUG)
		level = default_message_loglevel & 7;

	va_copy(args2, args);
	n = vsnprintf(NULL, 0, fmt, args2);
	va_end(args2);
	n = min(n, CTNR_LOG_TEXT_MAX);
	len = ctnr_rec_len(n);

	spin_lock_irqsave(&l->lock, irqflags);
	rec = ctnr_ring_reserve(&l->r, len);
	n = vscnprintf(rec->text, n + 1, fmt, args);
	if (n && rec->text[n - 1] == '\n')
		rec->text[--n] = '\0';
	rec->len = len;
	rec->text_len = n;
	rec->facility = 0;
	rec->level = level;
	rec->flags = flags;
	rec->pad = 0;
	rec->ts_usec = div_u64(ts, NSEC_PER_USEC);
	ctnr_ring_commit(&l->r, rec);
	spin_unlock_irqrestore(&l->lock, irqflags);
	ctnr_log_wake(l);
}

void ctnr_log_emit(struct ctnr_container *c, int level, const char *fmt, ...)
{
	struct ctnr_log *l;
	va_list args;

	if (!c)
		return;
	l = ctnr_log_get(c, GFP_NOWAIT | __GFP_NOWARN);
	if (!l)
		return;
	va_start(args, fmt);
	ctnr_log_vemit(l, level, fmt, args);
	va_end(args);
}

/* printk_ratelimit()'s numbers, per log */
#define CTNR_LOG_KERNEL_WINDOW	(5 * NSEC_PER_SEC)
#define CTNR_LOG_KERNEL_BURST	10

void ctnr_log_kernel(struct ctnr_container *c, int level, const char *fmt,
		     ...)
{
	unsigned long irqflags;
	struct ctnr_log *l;
	u32 missed = 0;
	va_list args;
	u64 now;

	l = ctnr_log_get(c, GFP_NOWAIT | __GFP_NOWARN);
	if (!l)
		return;
	now = local_clock();
	spin_lock_irqsave(&l->lock, irqflags);
	if (now - l->krl_begin >= CTNR_LOG_KERNEL_WINDOW) {
		missed = l->krl_missed;
		l->krl_begin = now;
		l->krl_n = 0;
		l->krl_missed = 0;
	}
	if (l->krl_n >= CTNR_LOG_KERNEL_BURST) {
		l->krl_missed++;
		spin_unlock_irqrestore(&l->lock, irqflags);
		return;
	}
	l->krl_n++;
	spin_unlock_irqrestore(&l->lock, irqflags);
	if (missed)
		ctnr_log_emit(c, LOGLEVEL_WARNING,
			      "ctnr: %u kernel messages about this container's tasks suppressed",
			      missed);
	va_start(args, fmt);
	ctnr_log_vemit(l, level, fmt, args);
	va_end(args);
}

/* ---- the write rate limit ---- */

/*
 * Under f->log->lock: may one more record of this writer go in now?  Each
 * open file has its own bucket, as each /dev/kmsg file has its own
 * ratelimit state: a writer that floods drops its own records, not those
 * of journald or of anybody else in the container.
 */
static bool ctnr_log_admit(struct ctnr_kmsg_file *f, u64 now)
{
	u32 rate = min(READ_ONCE(ctnr_log_rate), 1000000U);
	u32 burst = max(READ_ONCE(ctnr_log_burst), 1U);
	u64 add, elapsed;

	if (!rate)
		return true;
	if (now > f->rl_stamp) {
		elapsed = min_t(u64, now - f->rl_stamp, 100ULL * NSEC_PER_SEC);
		add = div_u64(elapsed * rate, NSEC_PER_SEC);
		if (add) {
			if (f->rl_tokens + add >= burst) {
				f->rl_tokens = burst;
				f->rl_stamp = now;
			} else {
				f->rl_tokens += add;
				f->rl_stamp += div_u64(add * NSEC_PER_SEC, rate);
			}
		}
	}
	if (f->rl_tokens > burst)
		f->rl_tokens = burst;
	if (!f->rl_tokens)
		return false;
	f->rl_tokens--;
	return true;
}

/*
 * Store one record written through @f.  Returns true when a
 * CTNR_EVENT_LOG_DROPPED event is due.
 */
static bool ctnr_log_user_store(struct ctnr_kmsg_file *f, u8 facility,
				u8 level, const char *text, u32 text_len)
{
	struct ctnr_log *l = f->log;
	unsigned long irqflags;
	u64 now = local_clock();
	bool event = false;

	spin_lock_irqsave(&l->lock, irqflags);
	if (!ctnr_log_admit(f, now)) {
		f->suppressed++;
		l->dropped++;
		if (time_after_eq(jiffies, l->drop_event_next)) {
			l->drop_event_next = jiffies + HZ;
			event = true;
		}
		spin_unlock_irqrestore(&l->lock, irqflags);
		return event;
	}
	if (f->suppressed) {
		char note[64];
		int n;

		n = scnprintf(note, sizeof(note),
			      "ctnr: %llu messages dropped by the rate limit",
			      f->suppressed);
		ctnr_log_store(l, now, 0, LOGLEVEL_WARNING, 0, note, n);
		f->suppressed = 0;
	}
	ctnr_log_store(l, now, facility, level, 0, text, text_len);
	spin_unlock_irqrestore(&l->lock, irqflags);
	ctnr_log_wake(l);
	return false;
}

/* ---- resize and clear ---- */

static void ctnr_ring_copy_rec(struct ctnr_ring *n,
			       const struct ctnr_log_rec *rec)
{
	struct ctnr_log_rec *dst = ctnr_ring_reserve(n, rec->len);

	memcpy(dst, rec, rec->len);
	dst->seq = n->next_seq++;
	n->head += rec->len;
}

/*
 * Move to a buffer of @bytes, keeping the newest records that fit.  The
 * copy is made a chunk at a time so that interrupts are never off for
 * long; records evicted meanwhile are simply not kept.  Writers that keep
 * ahead of the copy for CTNR_LOG_RESIZE_PASSES chunks make it fail with
 * -EBUSY rather than hold interrupts off for the whole ring.
 */
static int ctnr_log_resize(struct ctnr_log *l, u32 bytes)
{
	struct ctnr_log_cursor cur = {};
	struct ctnr_ring n = {};
	unsigned long irqflags;
	char *old = NULL;
	u32 old_alloc = 0;
	int pass;

	mutex_lock(&l->resize_lock);
	if (l->alloc_size == bytes)
		goto out;
	n.buf = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!n.buf) {
		mutex_unlock(&l->resize_lock);
		return -ENOMEM;
	}
	n.size = round_down(bytes, CTNR_LOG_REC_ALIGN);

	for (pass = 0;; pass++) {
		u32 budget = CTNR_LOG_RESIZE_CHUNK;
		struct ctnr_log_rec *rec;

		if (pass == CTNR_LOG_RESIZE_PASSES) {
			kvfree(n.buf);
			mutex_unlock(&l->resize_lock);
			return -EBUSY;
		}
		spin_lock_irqsave(&l->lock, irqflags);
		if (!pass || cur.seq < l->r.first_seq) {
			/* start over after a gap: seqs must follow */
			cur.seq = l->r.first_seq;
			cur.have_hint = false;
			n.head = 0;
			n.tail = 0;
			n.first_seq = cur.seq;
			n.next_seq = cur.seq;
		}
		/* in order from a valid hint: ctnr_log_find() never walks */
		while (budget) {
			rec = ctnr_log_find(l, &cur);
			if (IS_ERR_OR_NULL(rec))
				break;
			ctnr_ring_copy_rec(&n, rec);
			ctnr_log_advance(l, &cur, rec);
			budget -= min_t(u32, budget, rec->len);
		}
		if (cur.seq == l->r.next_seq)
			break;
		spin_unlock_irqrestore(&l->lock, irqflags);
		cond_resched();
	}
	old = l->r.buf;
	old_alloc = l->alloc_size;
	l->r = n;
	l->gen++;
	WRITE_ONCE(l->alloc_size, bytes);
	spin_unlock_irqrestore(&l->lock, irqflags);
	ctnr_count_add(CTNR_CNT_BYTES, (long)bytes - (long)old_alloc);
	kvfree(old);
out:
	mutex_unlock(&l->resize_lock);
	return 0;
}

/*
 * Like SYSLOG_ACTION_CLEAR: records stay, but SEEK_DATA and a LOG_GET
 * without a sequence number start after them.  A note goes in so that the
 * log is not empty (see ctnr_log_alloc()).
 */
static void ctnr_log_clear(struct ctnr_log *l)
{
	static const char note[] = "ctnr: log cleared";
	unsigned long irqflags;

	spin_lock_irqsave(&l->lock, irqflags);
	l->clear_seq = l->r.next_seq;
	l->clear_off = l->r.head;
	l->clear_gen = l->gen;
	ctnr_log_store(l, local_clock(), 0, LOGLEVEL_INFO, 0, note,
		       sizeof(note) - 1);
	spin_unlock_irqrestore(&l->lock, irqflags);
	ctnr_log_wake(l);
}

/* ---- /dev/ctnr-kmsg ---- */

/*
 * Writing: as if the container had its own /dev/kmsg, 0644 and owned by
 * the root of its user namespace: that root (by fsuid), or a task with
 * CAP_DAC_OVERRIDE there.
 */
static bool ctnr_kmsg_may_write(struct user_namespace *ns)
{
	kuid_t root = make_kuid(ns, 0);

	if (uid_valid(root) && uid_eq(current_fsuid(), root))
		return true;
	return ns_capable(ns, CAP_DAC_OVERRIDE);
}

static int ctnr_kmsg_open(struct inode *inode, struct file *file)
{
	struct ctnr_kmsg_file *f;
	struct ctnr_container *c;
	struct ctnr_log *l;
	unsigned long irqflags;
	int err;

	c = ctnr_find_by_task(current);
	if (!c)
		return -ENOENT;
	/* reading: CAP_SYSLOG in the container's user namespace */
	if ((file->f_mode & FMODE_READ) &&
	    !ns_capable(ctnr_log_userns(c), CAP_SYSLOG)) {
		err = -EPERM;
		goto out_put;
	}
	if ((file->f_mode & FMODE_WRITE) &&
	    !ctnr_kmsg_may_write(ctnr_log_userns(c))) {
		err = -EACCES;
		goto out_put;
	}
	err = -ENOMEM;
	l = ctnr_log_get(c, GFP_KERNEL_ACCOUNT);
	if (!l)
		goto out_put;
	f = kvzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		goto out_put;
	f->c = ctnr_husk_get(c);	/* what it pins may go with a delete */
	f->log = l;
	mutex_init(&f->lock);
	f->rl_stamp = local_clock();
	f->rl_tokens = READ_ONCE(ctnr_log_burst);
	spin_lock_irqsave(&l->lock, irqflags);
	ctnr_log_cursor_set(l, &f->cur, l->r.first_seq);
	spin_unlock_irqrestore(&l->lock, irqflags);
	file->private_data = f;
	ctnr_count_add(CTNR_CNT_LOG_FILES, 1);
	ctnr_put(c);
	return 0;

out_put:
	ctnr_put(c);
	return err;
}

static int ctnr_kmsg_release(struct inode *inode, struct file *file)
{
	struct ctnr_kmsg_file *f = file->private_data;

	mutex_destroy(&f->lock);
	ctnr_husk_put(f->c);
	kvfree(f);
	ctnr_count_add(CTNR_CNT_LOG_FILES, -1);
	return 0;
}

/*
 * Copy the record at @cur into @buf (CTNR_LOG_REC_MAX bytes) and step past
 * it.  1: got one; 0: none yet; -EPIPE: records were lost, the cursor
 * moved to the oldest.
 */
static int ctnr_log_take(struct ctnr_log *l, struct ctnr_log_cursor *cur,
			 void *buf)
{
	struct ctnr_log_rec *rec;
	unsigned long irqflags;
	int ret;

	for (;;) {
		ret = 0;
		spin_lock_irqsave(&l->lock, irqflags);
		if (cur->seq < l->r.first_seq) {
			ctnr_log_cursor_set(l, cur, l->r.first_seq);
			ret = -EPIPE;
		} else {
			rec = ctnr_log_find(l, cur);
			if (IS_ERR(rec)) {
				ret = PTR_ERR(rec);
			} else if (rec) {
				memcpy(buf, rec, sizeof(*rec) + rec->text_len);
				ctnr_log_advance(l, cur, rec);
				ret = 1;
			}
		}
		spin_unlock_irqrestore(&l->lock, irqflags);
		if (ret != -EAGAIN)
			return ret;
		cond_resched();
	}
}

/* Take the record at the file's cursor into f->rec (ctnr_log_take()). */
static int ctnr_kmsg_take(struct ctnr_kmsg_file *f)
{
	return ctnr_log_take(f->log, &f->cur, f->rec);
}

static bool ctnr_kmsg_ready(struct ctnr_kmsg_file *f)
{
	unsigned long irqflags;
	bool ready;

	spin_lock_irqsave(&f->log->lock, irqflags);
	ready = f->cur.seq < f->log->r.next_seq;
	spin_unlock_irqrestore(&f->log->lock, irqflags);
	return ready || READ_ONCE(f->c->unlinked);
}

/*
 * The /dev/kmsg form: "prio,seq,usec,flags;text\n", text escaped, cut at
 * @size bytes the way the kernel's formatting cuts it (a header as
 * scnprintf() leaves it, an escape as scnprintf() leaves it, plain bytes
 * and the newline while there is room).
 */
static size_t ctnr_kmsg_format(char *buf, size_t size,
			       const struct ctnr_log_rec *rec)
{
	size_t len, i;

	len = scnprintf(buf, size, "%u,%llu,%llu,%c;",
			(rec->facility << 3) | rec->level, rec->seq,
			rec->ts_usec,
			rec->flags & CTNR_LOG_F_CONT ? 'c' : '-');
	for (i = 0; i < rec->text_len; i++) {
		unsigned char ch = rec->text[i];

		if (ch < ' ' || ch >= 127 || ch == '\\')
			len += scnprintf(buf + len, size - len, "\\x%02x", ch);
		else if (len < size)
			buf[len++] = ch;
	}
	if (len < size)
		buf[len++] = '\n';
	return len;
}

static ssize_t ctnr_kmsg_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct ctnr_kmsg_file *f = file->private_data;
	ssize_t ret;
	size_t len;

	ret = mutex_lock_interruptible(&f->lock);
	if (ret)
		return ret;
	for (;;) {
		ret = ctnr_kmsg_take(f);
		if (ret)
			break;
		/*
		 * Drained a deleted container's log: an error, not end of
		 * file, which /dev/kmsg never gives; journald polls for
		 * EPOLLIN and would read 0 for ever.
		 */
		ret = -ENODEV;
		if (READ_ONCE(f->c->unlinked))
			goto out;
		ret = -EAGAIN;
		if (file->f_flags & O_NONBLOCK)
			goto out;
		ret = wait_event_interruptible(f->log->wait,
					       ctnr_kmsg_ready(f));
		if (ret)
			goto out;
	}
	if (ret < 0)
		goto out;
	len = ctnr_kmsg_format(f->out, sizeof(f->out),
			       (struct ctnr_log_rec *)f->rec);
	/* as /dev/kmsg: the record is consumed even when it does not fit */
	if (len > count)
		ret = -EINVAL;
	else if (copy_to_user(ubuf, f->out, len))
		ret = -EFAULT;
	else
		ret = len;
out:
	mutex_unlock(&f->lock);
	return ret;
}

/* The "<N>" prefix /dev/kmsg takes, simple_strtoul()'s way. */
static const char *ctnr_kmsg_prefix(const char *s, u8 *facility, u8 *level)
{
	const char *p = s + 1;
	u64 v = 0;
	u32 u;

	if (s[0] != '<')
		return s;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if (*p != '>')
		return s;
	u = (u32)v;
	*level = u & 7;
	if ((u >> 3) & 0xff)
		*facility = (u >> 3) & 0xff;
	return p + 1;
}

static ssize_t ctnr_kmsg_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct ctnr_kmsg_file *f = iocb->ki_filp->private_data;
	size_t len = iov_iter_count(from);
	char stackbuf[CTNR_LOG_STACK_WRITE];
	u8 level = default_message_loglevel & 7;
	u8 facility = 1;	/* LOG_USER */
	const char *text;
	size_t text_len;
	ssize_t ret = len;
	char *buf;

	if (len > CTNR_KMSG_WRITE_MAX)
		return -EINVAL;
	if (READ_ONCE(f->c->unlinked))
		return -ENODEV;
	buf = len < sizeof(stackbuf) ? stackbuf : kmalloc(len + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!copy_from_iter_full(buf, len, from)) {
		ret = -EFAULT;
		goto out;
	}
	buf[len] = '\0';
	text = ctnr_kmsg_prefix(buf, &facility, &level);
	/*
	 * As printk's "%s": up to the first NUL, cut to what a record keeps,
	 * then one trailing newline off (a newline cut off stays off).
	 */
	text_len = min_t(size_t, strlen(text), CTNR_LOG_TEXT_MAX);
	if (text_len && text[text_len - 1] == '\n')
		text_len--;
	if (ctnr_log_user_store(f, facility, level, text, text_len)) {
		trace_ctnr_log_dropped(f->c, READ_ONCE(f->log->dropped));
		ctnr_genl_notify(f->c, CTNR_EVENT_LOG_DROPPED);
	}
out:
	if (buf != stackbuf)
		kfree(buf);
	return ret;
}

/* As /dev/kmsg: only whole-log positions, always at offset 0. */
static loff_t ctnr_kmsg_llseek(struct file *file, loff_t offset, int whence)
{
	struct ctnr_kmsg_file *f = file->private_data;
	struct ctnr_log *l = f->log;
	unsigned long irqflags;
	loff_t ret = 0;

	if (offset)
		return -ESPIPE;
	/* not f->lock: a reader may sleep holding it */
	spin_lock_irqsave(&l->lock, irqflags);
	switch (whence) {
	case SEEK_SET:
		ctnr_log_cursor_set(l, &f->cur, l->r.first_seq);
		break;
	case SEEK_DATA:
		ctnr_log_cursor_set(l, &f->cur, l->clear_seq);
		break;
	case SEEK_END:
		ctnr_log_cursor_set(l, &f->cur, l->r.next_seq);
		break;
	default:
		ret = -EINVAL;
	}
	spin_unlock_irqrestore(&l->lock, irqflags);
	return ret;
}

static __poll_t ctnr_kmsg_poll(struct file *file, poll_table *wait)
{
	struct ctnr_kmsg_file *f = file->private_data;
	struct ctnr_log *l = f->log;
	unsigned long irqflags;
	__poll_t mask = 0;

	poll_wait(file, &l->wait, wait);
	spin_lock_irqsave(&l->lock, irqflags);
	if (f->cur.seq < l->r.first_seq)
		mask = EPOLLIN | EPOLLRDNORM | EPOLLERR | EPOLLPRI;
	else if (f->cur.seq < l->r.next_seq)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_irqrestore(&l->lock, irqflags);
	/* deleted and drained: read() fails with ENODEV (no EPOLLHUP) */
	if (!mask && READ_ONCE(f->c->unlinked))
		mask = EPOLLIN | EPOLLRDNORM | EPOLLERR;
	return mask;
}

static const struct file_operations ctnr_kmsg_fops = {
	.owner = THIS_MODULE,
	.open = ctnr_kmsg_open,
	.release = ctnr_kmsg_release,
	.read = ctnr_kmsg_read,
	.write_iter = ctnr_kmsg_write,
	.llseek = ctnr_kmsg_llseek,
	.poll = ctnr_kmsg_poll,
};

static struct miscdevice ctnr_kmsg_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CTNR_KMSG_DEVICE_NAME,
	.fops = &ctnr_kmsg_fops,
	.mode = 0666,	/* open() checks readers and writers */
};

/* ---- syslog(2) and /proc/kmsg ---- */

/*
 * For a task in a container, syslog(2) and /proc/kmsg act on the
 * container's log: do_syslog(), which both go through, is diverted
 * (hook.c) to ctnr_syslog_divert_fn() while the module is loaded with
 * syslog=1.  What each action does, its output and its permission checks
 * are the kernel's (kernel/printk/printk.c, do_syslog()), with CAP_SYSLOG
 * asked in the container's user namespace instead of the initial one, and
 * the container's log for the kernel's; the console actions, which would
 * act on the host's console, are refused (EPERM).
 */
static bool ctnr_syslog = true;
module_param_named(syslog, ctnr_syslog, bool, 0444);
MODULE_PARM_DESC(syslog,
		 "Divert syslog(2) and /proc/kmsg of tasks in containers to their logs (default 1; the module does not load when this cannot be done)");

/* What the kernel's syslog(2) depends on and does not export. */
static int *ctnr_dmesg_restrict;
static bool *ctnr_printk_time;

/*
 * With syslog=0 the lookups may have failed and /dev/ctnr-prockmsg is
 * still there: the strict answers then.
 */
static bool ctnr_syslog_restricted(void)
{
	return !ctnr_dmesg_restrict || READ_ONCE(*ctnr_dmesg_restrict);
}

static bool ctnr_syslog_time_on(void)
{
	return !ctnr_printk_time || READ_ONCE(*ctnr_printk_time);
}

static int (*ctnr_security_syslog)(int type);
static int (*ctnr_do_syslog)(int type, char __user *buf, int len, int source);

/*
 * The canary: a source no caller of do_syslog() passes (the kernel passes
 * SYSLOG_FROM_READER or SYSLOG_FROM_PROC; user space cannot choose it) and
 * a type that is none.
 */
#define CTNR_SYSLOG_CANARY_TYPE		(-0x6374)
#define CTNR_SYSLOG_CANARY_SOURCE	0x6374726e

/* Bytes one record is formatted into: the kernel's syslog buffer. */
#define CTNR_SYSLOG_BUF			CTNR_KMSG_SYSLOG_MAX

/* "<prio>" and, with @time, "[seconds.micros] ": the kernel's prefix. */
static size_t ctnr_syslog_prefix(char *p, const struct ctnr_log_rec *rec,
				 bool time)
{
	size_t n = sprintf(p, "<%u>", (rec->facility << 3) | rec->level);
	u32 usec;
	u64 sec;

	if (time) {
		sec = div_u64_rem(rec->ts_usec, USEC_PER_SEC, &usec);
		n += sprintf(p + n, "[%5lu.%06lu] ", (unsigned long)sec,
			     (unsigned long)usec);
	}
	return n;
}

/* Bytes of @rec in syslog form, before any cut (SIZE_UNREAD, READ_ALL). */
static size_t ctnr_syslog_size(const struct ctnr_log_rec *rec, bool time)
{
	char prefix[48];
	size_t plen = ctnr_syslog_prefix(prefix, rec, time), lines = 1;
	u32 i;

	for (i = 0; i < rec->text_len; i++)
		lines += rec->text[i] == '\n';
	return plen * lines + rec->text_len + 1;
}

/*
 * @rec in syslog form into @buf (CTNR_SYSLOG_BUF bytes): every line with
 * the prefix and a newline.  Lines are kept whole while they fit with
 * their prefix, their newline and a terminating NUL; the first that does
 * not ends the record there, as the kernel cuts it.
 */
static size_t ctnr_syslog_format(char *buf, const struct ctnr_log_rec *rec,
				 bool time)
{
	const char *text = rec->text, *nl;
	size_t left = rec->text_len, len = 0, line, plen;
	char prefix[48];

	plen = ctnr_syslog_prefix(prefix, rec, time);
	for (;;) {
		nl = memchr(text, '\n', left);
		line = nl ? nl - text : left;
		if (len + plen + line + 2 > CTNR_SYSLOG_BUF)
			break;
		memcpy(buf + len, prefix, plen);
		memcpy(buf + len + plen, text, line);
		len += plen + line;
		buf[len++] = '\n';
		if (!nl)
			break;
		text = nl + 1;
		left -= line + 1;
	}
	return len;
}

/* check_syslog_permissions(), in the container's user namespace. */
static int ctnr_syslog_permitted(const struct ctnr_container *c, int type,
				 int source)
{
	struct user_namespace *ns = ctnr_log_userns(c);
	bool restricted;

	if (source == SYSLOG_FROM_PROC && type != SYSLOG_ACTION_OPEN)
		goto ok;
	restricted = ctnr_syslog_restricted() ||
		     (type != SYSLOG_ACTION_READ_ALL &&
		      type != SYSLOG_ACTION_SIZE_BUFFER);
	/* CAP_SYS_ADMIN too, as the kernel accepts it (it warns once) */
	if (restricted && !ns_capable(ns, CAP_SYSLOG) &&
	    !ns_capable(ns, CAP_SYS_ADMIN))
		return -EPERM;
ok:
	if (!ctnr_security_syslog)	/* the LSM's answer cannot be had */
		return IS_ENABLED(CONFIG_SECURITY) ? -EPERM : 0;
	return ctnr_security_syslog(type);
}

static bool ctnr_syslog_ready(struct ctnr_log *l,
			      const struct ctnr_container *c)
{
	unsigned long irqflags;
	bool ready;

	spin_lock_irqsave(&l->lock, irqflags);
	ready = l->syslog_cur.seq < l->r.next_seq;
	spin_unlock_irqrestore(&l->lock, irqflags);
	return ready || READ_ONCE(c->unlinked);
}

/*
 * Take the record at the syslog cursor into @rec; *@before gets the cursor
 * as it was, to put it back when the record is not consumed.  A cursor
 * behind the oldest record moves to it and drops a partial read.
 */
static int ctnr_syslog_take(struct ctnr_log *l, struct ctnr_log_rec *rec,
			    struct ctnr_log_cursor *before)
{
	unsigned long irqflags;
	int ret;

	do {
		spin_lock_irqsave(&l->lock, irqflags);
		*before = l->syslog_cur;
		spin_unlock_irqrestore(&l->lock, irqflags);
		ret = ctnr_log_take(l, &l->syslog_cur, rec);
		if (ret == -EPIPE)
			l->syslog_partial = 0;
	} while (ret == -EPIPE);
	return ret;
}

static void ctnr_syslog_untake(struct ctnr_log *l,
			       const struct ctnr_log_cursor *before)
{
	unsigned long irqflags;

	spin_lock_irqsave(&l->lock, irqflags);
	l->syslog_cur = *before;
	spin_unlock_irqrestore(&l->lock, irqflags);
}

/* SYSLOG_ACTION_READ: syslog_print(). */
static int ctnr_syslog_read(struct ctnr_container *c, struct ctnr_log *l,
			    char __user *ubuf, int size)
{
	struct ctnr_log_cursor before;
	struct ctnr_log_rec *rec;
	size_t n, skip;
	char *text;
	int len = 0, r;

	rec = kmalloc(CTNR_LOG_REC_MAX + CTNR_SYSLOG_BUF, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	text = (char *)rec + CTNR_LOG_REC_MAX;
	/*
	 * Wait without the mutex, as the kernel waits without syslog_lock:
	 * SIZE_UNREAD and other readers go on; a reader that finds the
	 * record taken by another waits again.
	 */
	for (;;) {
		len = wait_event_interruptible(l->wait,
					       ctnr_syslog_ready(l, c));
		if (len)
			goto out_free;
		if (mutex_lock_interruptible(&l->syslog_mutex)) {
			len = -ERESTARTSYS;
			goto out_free;
		}
		if (ctnr_syslog_ready(l, c))
			break;
		mutex_unlock(&l->syslog_mutex);
	}
	/*
	 * As many records as fit, each taken under the mutex and copied
	 * without it, as the kernel copies without syslog_lock: a buffer
	 * that faults slowly (on a FUSE mapping, say) holds up nobody.
	 */
	while (size > 0) {
		r = ctnr_syslog_take(l, rec, &before);
		if (r <= 0)
			break;
		if (!l->syslog_partial)
			l->syslog_time = ctnr_syslog_time_on();
		skip = l->syslog_partial;
		n = ctnr_syslog_format(text, rec, l->syslog_time);
		if (n - skip <= size) {
			n -= skip;
			l->syslog_partial = 0;
		} else if (!len) {
			/* a part now, the rest at the next read */
			ctnr_syslog_untake(l, &before);
			n = size;
			l->syslog_partial += n;
		} else {
			ctnr_syslog_untake(l, &before);
			break;
		}
		mutex_unlock(&l->syslog_mutex);
		if (copy_to_user(ubuf, text + skip, n)) {
			/* what was taken is gone, as the kernel's is */
			if (!len)
				len = -EFAULT;
			goto out_free;
		}
		len += n;
		size -= n;
		ubuf += n;
		cond_resched();
		mutex_lock(&l->syslog_mutex);
	}
	/* a deleted container's log, read to the end */
	if (!len && READ_ONCE(c->unlinked))
		len = -ENODEV;
	mutex_unlock(&l->syslog_mutex);
out_free:
	kfree(rec);
	return len;
}

/* Sets the clear point at @cur's record (the one not copied). */
static void ctnr_syslog_clear_at(struct ctnr_log *l,
				 struct ctnr_log_cursor *cur)
{
	struct ctnr_log_rec *rec;
	unsigned long irqflags;

	for (;;) {
		spin_lock_irqsave(&l->lock, irqflags);
		if (cur->seq >= l->r.next_seq || cur->seq < l->r.first_seq) {
			/* everything, or what is left of it */
			l->clear_seq = clamp(cur->seq, l->r.first_seq,
					     l->r.next_seq);
			if (l->clear_seq == l->r.next_seq)
				l->clear_off = l->r.head;
			else
				l->clear_off = l->r.tail;
			l->clear_gen = l->gen;
			break;
		}
		rec = ctnr_log_find(l, cur);
		if (!IS_ERR(rec)) {
			l->clear_seq = cur->seq;
			l->clear_off = cur->hint_off;
			l->clear_gen = l->gen;
			break;
		}
		spin_unlock_irqrestore(&l->lock, irqflags);
		cond_resched();
	}
	spin_unlock_irqrestore(&l->lock, irqflags);
}

/*
 * SYSLOG_ACTION_READ_ALL and READ_CLEAR: syslog_print_all().  The newest
 * records after the clear point that fit in @size, oldest first.  Three
 * walks, each a record per lock hold, over what was there at the start.
 */
static int ctnr_syslog_read_all(struct ctnr_log *l, char __user *ubuf,
				int size, bool clear)
{
	struct ctnr_log_cursor cur, at;
	struct ctnr_log_rec *rec;
	unsigned long irqflags;
	bool time = ctnr_syslog_time_on();
	u64 start, end, total = 0;
	size_t n;
	char *text;
	int len = 0, r;

	rec = kmalloc(CTNR_LOG_REC_MAX + CTNR_SYSLOG_BUF, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	text = (char *)rec + CTNR_LOG_REC_MAX;

	spin_lock_irqsave(&l->lock, irqflags);
	start = max(l->clear_seq, l->r.first_seq);
	end = l->r.next_seq;
	ctnr_log_cursor_set(l, &cur, start);
	spin_unlock_irqrestore(&l->lock, irqflags);
	at = cur;
	/* three walks, a record per lock hold: a big log takes a while */
	while (cur.seq < end && (r = ctnr_log_take(l, &cur, rec)) > 0) {
		total += ctnr_syslog_size(rec, time);
		cond_resched();
	}
	/* skip the oldest until the rest fits */
	cur = at;
	while (total > size && cur.seq < end) {
		cond_resched();
		at = cur;
		r = ctnr_log_take(l, &cur, rec);
		if (r == 0)
			break;
		if (r > 0)
			total -= min_t(u64, total, ctnr_syslog_size(rec, time));
	}
	while (cur.seq < end) {
		at = cur;
		r = ctnr_log_take(l, &cur, rec);
		if (r == -EPIPE)
			continue;
		if (r <= 0)
			break;
		n = ctnr_syslog_format(text, rec, time);
		if (len + n > size) {
			cur = at;	/* not copied: the clear point */
			break;
		}
		if (copy_to_user(ubuf + len, text, n)) {
			len = -EFAULT;
			break;
		}
		len += n;
		cond_resched();
	}
	if (clear)
		ctnr_syslog_clear_at(l, &cur);
	kfree(rec);
	return len;
}

/* SYSLOG_ACTION_SIZE_UNREAD: bytes (records, from /proc/kmsg) unread. */
static int ctnr_syslog_unread(struct ctnr_log *l, int source)
{
	struct ctnr_log_cursor cur;
	struct ctnr_log_rec *rec;
	unsigned long irqflags;
	bool time;
	u64 end, total;
	int r;

	if (mutex_lock_killable(&l->syslog_mutex))
		return -EINTR;
	spin_lock_irqsave(&l->lock, irqflags);
	if (l->syslog_cur.seq < l->r.first_seq) {
		/* gone: move to the first one, as the kernel does */
		ctnr_log_cursor_set(l, &l->syslog_cur, l->r.first_seq);
		l->syslog_partial = 0;
	}
	cur = l->syslog_cur;
	end = l->r.next_seq;
	spin_unlock_irqrestore(&l->lock, irqflags);
	if (source == SYSLOG_FROM_PROC) {
		total = end - cur.seq;
		goto out;
	}
	total = 0;
	rec = kmalloc(CTNR_LOG_REC_MAX, GFP_KERNEL);
	if (!rec) {
		mutex_unlock(&l->syslog_mutex);
		return -ENOMEM;
	}
	time = l->syslog_partial ? l->syslog_time :
		ctnr_syslog_time_on();
	while (cur.seq < end && (r = ctnr_log_take(l, &cur, rec)) != 0) {
		cond_resched();
		if (r < 0)
			continue;
		total += ctnr_syslog_size(rec, time);
		time = ctnr_syslog_time_on();
	}
	kfree(rec);
	total -= min_t(u64, total, l->syslog_partial);
out:
	mutex_unlock(&l->syslog_mutex);
	return min_t(u64, total, INT_MAX);
}

/* do_syslog() for a task of @c. */
static int ctnr_syslog_do(struct ctnr_container *c, int type,
			  char __user *buf, int len, int source)
{
	struct ctnr_log *l;
	int err;

	err = ctnr_syslog_permitted(c, type, source);
	if (err)
		return err;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (!buf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (!access_ok(buf, len))
			return -EFAULT;
		break;
	case SYSLOG_ACTION_CLEAR:
	case SYSLOG_ACTION_SIZE_UNREAD:
	case SYSLOG_ACTION_SIZE_BUFFER:
		break;
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		/* the host's console: not the container's to change */
		return -EPERM;
	default:
		return -EINVAL;
	}
	l = ctnr_log_get(c, GFP_KERNEL_ACCOUNT);
	if (!l)
		return READ_ONCE(c->log) == CTNR_LOG_GONE ? -ENODEV : -ENOMEM;
	switch (type) {
	case SYSLOG_ACTION_READ:
		return ctnr_syslog_read(c, l, buf, len);
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		return ctnr_syslog_read_all(l, buf, len,
					    type == SYSLOG_ACTION_READ_CLEAR);
	case SYSLOG_ACTION_CLEAR: {
		struct ctnr_log_cursor end = { .seq = U64_MAX };

		ctnr_syslog_clear_at(l, &end);
		return 0;
	}
	case SYSLOG_ACTION_SIZE_UNREAD:
		return ctnr_syslog_unread(l, source);
	default:	/* SYSLOG_ACTION_SIZE_BUFFER */
		return READ_ONCE(l->alloc_size);
	}
}

/*
 * What runs instead of do_syslog() for a task in a container.  It may
 * sleep (READ waits for records): it holds the module from its first
 * instruction on, before which hook.c's unregistering waits for it
 * (synchronize_rcu_tasks()).
 */
static int ctnr_syslog_divert_fn(int type, char __user *buf, int len,
				 int source)
{
	struct ctnr_container *c;
	int ret;

	/*
	 * An open /proc/kmsg is read without any further check, and reads
	 * the host's log once the diversion ends (rmmod, the container
	 * deleted): its open needs what the kernel's needs, CAP_SYSLOG (or
	 * CAP_SYS_ADMIN) in the initial user namespace, as well as what the
	 * container's log needs.  /dev/ctnr-prockmsg is for the others.
	 */
	if (type == SYSLOG_ACTION_OPEN && source == SYSLOG_FROM_PROC &&
	    !capable(CAP_SYSLOG) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!try_module_get(THIS_MODULE))
		return -EAGAIN;	/* unloading: the kernel's is back soon */
	c = ctnr_find_by_task(current);
	if (c) {
		struct ctnr_container *h = ctnr_husk_get(c);

		ctnr_put(c);
		ret = ctnr_syslog_do(h, type, buf, len, source);
		ctnr_husk_put(h);
	} else {
		/*
		 * Its container went between the hook and here; calling
		 * do_syslog() again could divert again.
		 */
		ret = -EAGAIN;
	}
	module_put(THIS_MODULE);
	return ret;
}

/*
 * At the entry of
 *   int do_syslog(int type, char __user *buf, int len, int source);
 */
static void *ctnr_syslog_divert(const unsigned long *args)
{
	void *fn = NULL;

	if ((int)args[0] == CTNR_SYSLOG_CANARY_TYPE &&
	    (int)args[3] == CTNR_SYSLOG_CANARY_SOURCE)
		return ctnr_hook_canary;
	rcu_read_lock();
	if (ctnr_find_by_cgroup_rcu(task_dfl_cgroup(current)))
		fn = ctnr_syslog_divert_fn;
	rcu_read_unlock();
	return fn;
}

static long ctnr_syslog_canary_call(void)
{
	return ctnr_do_syslog(CTNR_SYSLOG_CANARY_TYPE, NULL, 0,
			      CTNR_SYSLOG_CANARY_SOURCE);
}

static struct ctnr_hook ctnr_syslog_hook = {
	.name = "syslog",
	.symbol = "do_syslog",
	.divert = ctnr_syslog_divert,
	.canary_call = ctnr_syslog_canary_call,
	.unpinned = true,
};

/* ---- the /proc/kmsg node, /dev/ctnr-prockmsg ---- */

/* An open /dev/ctnr-prockmsg: fs/proc/kmsg.c's file on the container. */
struct ctnr_prockmsg_file {
	struct ctnr_container *c;	/* ctnr_husk_get() reference */
	struct ctnr_log *log;
};

static int ctnr_prockmsg_open(struct inode *inode, struct file *file)
{
	struct ctnr_prockmsg_file *f;
	struct ctnr_container *c;
	int err;

	c = ctnr_find_by_task(current);
	if (!c)
		return -ENOENT;
	err = ctnr_syslog_do(c, SYSLOG_ACTION_OPEN, NULL, 0,
			     SYSLOG_FROM_PROC);
	if (err)
		goto out_put;
	err = -ENOMEM;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		goto out_put;
	f->log = ctnr_log_get(c, GFP_KERNEL_ACCOUNT);
	if (!f->log) {
		kfree(f);
		goto out_put;
	}
	f->c = ctnr_husk_get(c);
	file->private_data = f;
	ctnr_count_add(CTNR_CNT_LOG_FILES, 1);
	err = 0;
out_put:
	ctnr_put(c);
	return err;
}

static int ctnr_prockmsg_release(struct inode *inode, struct file *file)
{
	struct ctnr_prockmsg_file *f = file->private_data;

	ctnr_husk_put(f->c);
	kfree(f);
	ctnr_count_add(CTNR_CNT_LOG_FILES, -1);
	return 0;
}

static ssize_t ctnr_prockmsg_read(struct file *file, char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct ctnr_prockmsg_file *f = file->private_data;

	if ((file->f_flags & O_NONBLOCK) &&
	    !ctnr_syslog_do(f->c, SYSLOG_ACTION_SIZE_UNREAD, NULL, 0,
			    SYSLOG_FROM_PROC))
		return READ_ONCE(f->c->unlinked) ? -ENODEV : -EAGAIN;
	return ctnr_syslog_do(f->c, SYSLOG_ACTION_READ, buf,
			      min_t(size_t, count, INT_MAX),
			      SYSLOG_FROM_PROC);
}

static __poll_t ctnr_prockmsg_poll(struct file *file, poll_table *wait)
{
	struct ctnr_prockmsg_file *f = file->private_data;

	poll_wait(file, &f->log->wait, wait);
	if (ctnr_syslog_do(f->c, SYSLOG_ACTION_SIZE_UNREAD, NULL, 0,
			   SYSLOG_FROM_PROC) > 0)
		return EPOLLIN | EPOLLRDNORM;
	return READ_ONCE(f->c->unlinked) ? EPOLLIN | EPOLLERR : 0;
}

static const struct file_operations ctnr_prockmsg_fops = {
	.owner = THIS_MODULE,
	.open = ctnr_prockmsg_open,
	.release = ctnr_prockmsg_release,
	.read = ctnr_prockmsg_read,
	.poll = ctnr_prockmsg_poll,
	.llseek = generic_file_llseek,
};

static struct miscdevice ctnr_prockmsg_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CTNR_PROCKMSG_DEVICE_NAME,
	.fops = &ctnr_prockmsg_fops,
	.mode = 0444,	/* open() checks, as /proc/kmsg's does */
};

static bool ctnr_syslog_registered;

/* At load: resolve, register and, with syslog=1, hold the hook. */
static int ctnr_syslog_init(void)
{
	bool sealed = false;
	int err;

	ctnr_dmesg_restrict = (int *)ctnr_hook_lookup("dmesg_restrict");
	ctnr_printk_time = (bool *)ctnr_hook_lookup("printk_time");
	ctnr_do_syslog = (void *)ctnr_hook_lookup("do_syslog");
	ctnr_security_syslog = (void *)ctnr_hook_lookup("security_syslog");
	/*
	 * Under IBT the kernel seals functions whose address it never
	 * takes; a call through a pointer to one traps: not usable then.
	 */
	if (ctnr_do_syslog &&
	    !ctnr_arch_callable((unsigned long)ctnr_do_syslog)) {
		ctnr_do_syslog = NULL;
		sealed = true;
	}
	if (ctnr_security_syslog &&
	    !ctnr_arch_callable((unsigned long)ctnr_security_syslog)) {
		ctnr_security_syslog = NULL;
		sealed = true;
	}
	if (!ctnr_dmesg_restrict || !ctnr_printk_time || !ctnr_do_syslog ||
	    (IS_ENABLED(CONFIG_SECURITY) && !ctnr_security_syslog)) {
		if (!ctnr_syslog)
			return 0;
		if (sealed)
			pr_err("syslog: do_syslog() or security_syslog() cannot be called through a pointer on this kernel (IBT sealed them): boot with ibt=off, or load with syslog=0 to run without syslog(2) per container\n");
		else
			pr_err("syslog: dmesg_restrict, printk_time, do_syslog or security_syslog not found in kallsyms (or kallsyms_lookup_name() cannot be called under IBT): load with syslog=0 to run without syslog(2) per container\n");
		return -EOPNOTSUPP;
	}
	ctnr_hook_register(&ctnr_syslog_hook);
	ctnr_syslog_registered = true;
	if (!ctnr_syslog)
		return 0;
	err = ctnr_hook_get(&ctnr_syslog_hook, NULL);
	if (err) {
		pr_err("syslog: do_syslog() cannot be diverted: load with syslog=0 to run without syslog(2) per container\n");
		ctnr_hook_unregister(&ctnr_syslog_hook);
		ctnr_syslog_registered = false;
	}
	return err;
}

static void ctnr_syslog_uninit(void)
{
	if (!ctnr_syslog_registered)
		return;
	if (ctnr_syslog)
		ctnr_hook_put(&ctnr_syslog_hook);
	ctnr_hook_unregister(&ctnr_syslog_hook);
	ctnr_syslog_registered = false;
}

/* ---- netlink ---- */

int ctnr_log_nl_fill(struct sk_buff *skb, const struct ctnr_container *c)
{
	struct ctnr_log *l = ctnr_log_peek(c);
	u32 size = l ? READ_ONCE(l->alloc_size) :
		       ctnr_log_size_clamp(READ_ONCE(ctnr_log_size));
	u64 dropped = l ? READ_ONCE(l->dropped) : 0;

	if (nla_put_u32(skb, CTNR_A_LOG_SIZE, size) ||
	    nla_put_u64_64bit(skb, CTNR_A_LOG_DROPPED, dropped, CTNR_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * CTNR_A_LOG_SIZE of CTNR_CMD_CONTAINER_SET; the caller manages @c.  The
 * policy keeps the size within CTNR_LOG_SIZE_MIN..CTNR_LOG_SIZE_MAX, so
 * only a lack of memory or a concurrent delete can fail.
 */
int ctnr_log_nl_set(struct ctnr_container *c, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[CTNR_A_LOG_SIZE];
	struct ctnr_log *l;
	u32 bytes;
	int err;

	if (!attr)
		return 0;
	bytes = nla_get_u32(attr);
	l = ctnr_log_peek(c);
	if (!l) {
		struct ctnr_log *new = ctnr_log_alloc(c, bytes,
						      GFP_KERNEL_ACCOUNT);

		if (!new)
			goto nomem;
		l = ctnr_log_publish(c, new);
		if (l == new)
			return 0;
		if (!l) {
			NL_SET_ERR_MSG(info->extack, "no such container");
			return -ENOENT;
		}
	}
	err = ctnr_log_resize(l, bytes);
	if (!err)
		return 0;
	if (err == -EBUSY) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "the log is written faster than it can be copied: try again");
		return err;
	}
nomem:
	NL_SET_ERR_MSG_ATTR(info->extack, attr, "no memory for a log of this size");
	return -ENOMEM;
}

/* Reading a container's log needs CAP_SYSLOG in its user namespace. */
static int ctnr_log_nl_may_read(const struct sk_buff *skb,
				const struct ctnr_container *c,
				struct netlink_ext_ack *extack)
{
	if (netlink_ns_capable(skb, ctnr_log_userns(c), CAP_SYSLOG))
		return 0;
	NL_SET_ERR_MSG(extack, "CAP_SYSLOG in the container's user namespace is required");
	return -EPERM;
}

int ctnr_nl_log_clear_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ctnr_container *c = ctnr_nl_lookup(skb, info);
	struct ctnr_log *l;
	int err;

	if (IS_ERR(c))
		return PTR_ERR(c);
	err = ctnr_log_nl_may_read(skb, c, info->extack);
	if (!err) {
		l = ctnr_log_peek(c);
		if (l)
			ctnr_log_clear(l);
	}
	ctnr_put(c);
	return err;
}

/* LOG_GET dump position, in cb->ctx. */
struct ctnr_log_dump {
	struct ctnr_log_cursor cur;
	u32 id;
	bool started;
};

static int ctnr_log_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			     const struct ctnr_log_rec *rec, u32 id)
{
	void *hdr;

	hdr = ctnr_genl_put(skb, NETLINK_CB(cb->skb).portid,
			    cb->nlh->nlmsg_seq, NLM_F_MULTI, CTNR_CMD_LOG_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CTNR_A_ID, id) ||
	    nla_put_u64_64bit(skb, CTNR_A_LOG_SEQ, rec->seq, CTNR_A_PAD) ||
	    nla_put_u64_64bit(skb, CTNR_A_LOG_TS, rec->ts_usec, CTNR_A_PAD) ||
	    nla_put_u32(skb, CTNR_A_LOG_FACILITY, rec->facility) ||
	    nla_put_u32(skb, CTNR_A_LOG_LEVEL, rec->level) ||
	    nla_put_u32(skb, CTNR_A_LOG_FLAGS, rec->flags) ||
	    nla_put(skb, CTNR_A_LOG_TEXT, rec->text_len, rec->text)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int ctnr_nl_log_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ctnr_log_dump *d = (struct ctnr_log_dump *)cb->ctx;
	struct nlattr **attrs = ctnr_dump_attrs(cb);
	struct ctnr_container *c;
	struct ctnr_log_rec *rec;
	unsigned long irqflags;
	struct ctnr_log *l;
	int err = 0;

	BUILD_BUG_ON(sizeof(*d) > sizeof(cb->ctx));
	if (!d->started) {
		struct genl_info info = {
			.attrs = attrs,
			.extack = cb->extack,
		};

		c = ctnr_nl_lookup(cb->skb, &info);
		if (IS_ERR(c))
			return PTR_ERR(c);
		d->id = c->id;
	} else {
		/* a container deleted (or no longer ours) ends the dump */
		c = ctnr_lookup(d->id, NULL);
		if (!c)
			return 0;
		if (!ctnr_may_manage(c, NULL)) {
			ctnr_put(c);
			return 0;
		}
	}
	err = ctnr_log_nl_may_read(cb->skb, c, cb->extack);
	if (err)
		goto out;
	l = ctnr_log_peek(c);
	if (!l)
		goto out;
	if (!d->started) {
		spin_lock_irqsave(&l->lock, irqflags);
		if (attrs[CTNR_A_LOG_SEQ])
			ctnr_log_cursor_set(l, &d->cur,
					    nla_get_u64(attrs[CTNR_A_LOG_SEQ]));
		else
			ctnr_log_cursor_set(l, &d->cur, l->clear_seq);
		spin_unlock_irqrestore(&l->lock, irqflags);
		d->started = true;
	}
	for (;;) {
		spin_lock_irqsave(&l->lock, irqflags);
		if (d->cur.seq < l->r.first_seq)
			ctnr_log_cursor_set(l, &d->cur, l->r.first_seq);
		rec = ctnr_log_find(l, &d->cur);
		if (!IS_ERR_OR_NULL(rec)) {
			err = ctnr_log_dump_one(skb, cb, rec, c->id);
			if (!err)
				ctnr_log_advance(l, &d->cur, rec);
		}
		spin_unlock_irqrestore(&l->lock, irqflags);
		if (IS_ERR(rec)) {
			cond_resched();
			continue;
		}
		if (!rec || err)
			break;
	}
out:
	ctnr_put(c);
	if (err == -EMSGSIZE && skb->len)
		err = 0;
	return err ?: skb->len;
}

int ctnr_kmsg_init(void)
{
	int err;

	debugfs_create_u32("log_walk_max", 0600, ctnr_debugfs_dir(),
			   &ctnr_log_walk_max);
	err = ctnr_syslog_init();
	if (err)
		return err;
	err = misc_register(&ctnr_kmsg_miscdev);
	if (err)
		goto out_syslog;
	err = misc_register(&ctnr_prockmsg_miscdev);
	if (err)
		goto out_kmsg;
	err = ctnr_kmsgtrace_init();
	if (err)
		goto out_prockmsg;
	return 0;

out_prockmsg:
	misc_deregister(&ctnr_prockmsg_miscdev);
out_kmsg:
	misc_deregister(&ctnr_kmsg_miscdev);
out_syslog:
	ctnr_syslog_uninit();
	return err;
}

void ctnr_kmsg_uninit(void)
{
	ctnr_kmsgtrace_uninit();
	misc_deregister(&ctnr_prockmsg_miscdev);
	misc_deregister(&ctnr_kmsg_miscdev);
	ctnr_syslog_uninit();
}
