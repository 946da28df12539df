// SPDX-License-Identifier: GPL-2.0
/*
 * The libctnr calls ctnrctl makes on a handle, answered from a script:
 * see mock.h.  Linked into selftests/cli before libctnr.so, so these
 * definitions are the ones the objects of ctl/ call; the library still
 * provides the functions that take no handle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mock.h"

struct mock *mock;

/* The handles are opaque to ctnrctl; these are all there is to them. */
struct ctnr_handle {
	int unused;
};

struct ctnr_monitor {
	int unused;
};

static struct ctnr_handle the_handle;
static struct ctnr_monitor the_monitor;

void mock_reset(void)
{
	if (!mock) {
		mock = mmap(NULL, sizeof(*mock), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (mock == MAP_FAILED) {
			perror("mock: mmap");
			abort();
		}
	}
	memset(mock, 0, sizeof(*mock));
	mock->monitor_end = -ECONNRESET;
	mock->info.has = CTNR_INFO_HAS_VERSION | CTNR_INFO_HAS_ABI |
			 CTNR_INFO_HAS_FEATURES | CTNR_INFO_HAS_COUNT;
	snprintf(mock->info.version, sizeof(mock->info.version), "0.1.0");
	mock->info.abi_version = CTNR_ABI_VERSION;
	mock->info.features = CTNR_FEAT_CONTAINER;
}

struct mock_container *mock_container(uint32_t id, const char *name)
{
	struct mock_container *m = &mock->ctr[mock->nctr++];

	m->c.has = CTNR_HAS_ID | CTNR_HAS_NAME | CTNR_HAS_STATE |
		   CTNR_HAS_FLAGS | CTNR_HAS_PID | CTNR_HAS_CGROUP;
	m->c.id = id;
	snprintf(m->c.name, sizeof(m->c.name), "%s", name);
	m->c.state = CTNR_STATE_RUNNING;
	m->c.pid = 1000 + id;
	snprintf(m->c.cgroup, sizeof(m->c.cgroup), "/%s", name);
	m->deflt = CTNR_DEV_ALLOW;
	m->log.has = CTNR_LOG_HAS_SIZE | CTNR_LOG_HAS_DROPPED;
	m->log.size = 65536;
	m->loop.has = CTNR_LOOP_HAS_QUOTA | CTNR_LOOP_HAS_COUNT;
	m->loop.quota = 8;
	return m;
}

void mock_new_run(void)
{
	mock->len = 0;
	mock->calls[0] = '\0';
	mock->opens = 0;
	mock->monitor_reads = 0;
}

struct mock_fail *mock_fail(const char *fn, int err, const char *msg)
{
	struct mock_fail *f = &mock->fail[mock->nfail++];

	snprintf(f->fn, sizeof(f->fn), "%s", fn);
	f->err = err;
	snprintf(f->msg, sizeof(f->msg), "%s", msg);
	f->status = -1;
	return f;
}

const char *mock_rule(const struct ctnr_dev_rule *r, char *buf, size_t len)
{
	char maj[12] = "*", min[12] = "*";

	if (r->major != CTNR_DEV_ANY)
		snprintf(maj, sizeof(maj), "%u", r->major);
	if (r->minor != CTNR_DEV_ANY)
		snprintf(min, sizeof(min), "%u", r->minor);
	snprintf(buf, len, "%c %s:%s %s%s%s",
		 r->type == CTNR_DEV_TYPE_BLOCK ? 'b' :
		 r->type == CTNR_DEV_TYPE_CHAR ? 'c' :
		 r->type == CTNR_DEV_TYPE_ALL ? 'a' : '?', maj, min,
		 r->access & CTNR_DEV_ACC_READ ? "r" : "",
		 r->access & CTNR_DEV_ACC_WRITE ? "w" : "",
		 r->access & CTNR_DEV_ACC_MKNOD ? "m" : "");
	return buf;
}

/*
 * Log "FN ARGS" and answer: 0, or the error mock_fail() set for FN, with
 * its message in last_error.  As the library, every call first clears
 * the last error.
 */
static int __attribute__((format(printf, 2, 3)))
call(const char *fn, const char *fmt, ...)
{
	size_t room = sizeof(mock->calls) - mock->len;
	char args[1024];
	unsigned int i;
	va_list ap;
	int n;

	mock->last_error[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	n = snprintf(mock->calls + mock->len, room, "%s%s%s\n", fn,
		     args[0] ? " " : "", args);
	if (n > 0 && (size_t)n < room)
		mock->len += (size_t)n;
	for (i = 0; i < mock->nfail; i++) {
		if (!strcmp(mock->fail[i].fn, fn)) {
			snprintf(mock->last_error, sizeof(mock->last_error),
				 "%s", mock->fail[i].msg);
			return mock->fail[i].err;
		}
	}
	return 0;
}

static const char *nm(const char *name)
{
	return name ? name : "-";
}

/* The container of @id, or of @name among ours; NULL: -ENOENT said. */
static struct mock_container *find(uint32_t id, const char *name)
{
	unsigned int i;

	for (i = 0; i < mock->nctr; i++) {
		struct mock_container *m = &mock->ctr[i];

		if (id ? m->c.id == id :
			 name && !m->foreign && !strcmp(m->c.name, name))
			return m;
	}
	snprintf(mock->last_error, sizeof(mock->last_error),
		 "no such container");
	return NULL;
}

/* ---- handle and module -------------------------------------------------- */

int ctnr_open(struct ctnr_handle **hp)
{
	mock->opens++;
	if (mock->open_err) {
		*hp = NULL;
		return mock->open_err;
	}
	*hp = &the_handle;
	return 0;
}

void ctnr_close(struct ctnr_handle *h)
{
	(void)h;
}

const char *ctnr_last_error(const struct ctnr_handle *h)
{
	return h ? mock->last_error : "";
}

int ctnr_info(struct ctnr_handle *h, struct ctnr_info *info)
{
	int err = call("info", "%s", "");

	(void)h;
	if (!err)
		*info = mock->info;
	return err;
}

int ctnr_hook_list(struct ctnr_handle *h, ctnr_hook_cb cb, void *arg)
{
	unsigned int i;
	int err = call("hook_list", "%s", "");

	(void)h;
	for (i = 0; !err && i < mock->nhooks; i++)
		err = cb(&mock->hooks[i], arg);
	return err;
}

/* ---- containers ---------------------------------------------------------- */

int ctnr_container_new(struct ctnr_handle *h, const char *name, uint32_t pid,
		       int pidfd, uint32_t flags, struct ctnr_container *out)
{
	(void)h;
	(void)out;
	return call("container_new", "name=%s pid=%u pidfd=%d flags=%#x", name,
		    pid, pidfd, flags);
}

int ctnr_container_del(struct ctnr_handle *h, uint32_t id, const char *name)
{
	int err = call("container_del", "id=%u name=%s", id, nm(name));

	(void)h;
	if (!err && !find(id, name))
		return -ENOENT;
	return err;
}

int ctnr_container_get(struct ctnr_handle *h, uint32_t id, const char *name,
		       struct ctnr_container *out)
{
	struct mock_container *m;
	int err = call("container_get", "id=%u name=%s", id, nm(name));

	(void)h;
	if (err)
		return err;
	m = find(id, name);
	if (!m)
		return -ENOENT;
	*out = m->c;
	return 0;
}

int ctnr_container_set(struct ctnr_handle *h, uint32_t id, const char *name,
		       uint32_t flags)
{
	(void)h;
	return call("container_set", "id=%u name=%s flags=%#x", id, nm(name),
		    flags);
}

int ctnr_container_list(struct ctnr_handle *h, ctnr_container_cb cb,
			void *arg)
{
	unsigned int i;
	int err = call("container_list", "%s", "");

	(void)h;
	for (i = 0; !err && i < mock->nctr; i++)
		err = cb(&mock->ctr[i].c, arg);
	return err;
}

int ctnr_whoami(struct ctnr_handle *h, uint32_t *id, char *name)
{
	int err = call("whoami", "%s", "");

	(void)h;
	if (err)
		return err;
	if (!mock->self_id)
		return -ENOENT;
	*id = mock->self_id;
	if (name)
		snprintf(name, CTNR_NAME_MAX, "%s", mock->self_name);
	return 0;
}

int ctnr_ns_fds(struct ctnr_handle *h, uint32_t id, const char *name,
		uint32_t mask, int fds[__CTNR_NS_MAX])
{
	unsigned int i;

	(void)h;
	for (i = 0; i < __CTNR_NS_MAX; i++)
		fds[i] = -1;
	return call("ns_fds", "id=%u name=%s mask=%#x", id, nm(name), mask);
}

/* "[a,b,c]" of a NULL-terminated list. */
static void join(char *buf, size_t len, const char *const *v)
{
	size_t off = 0;
	unsigned int i;

	buf[off++] = '[';
	for (i = 0; v && v[i] && off < len - 2; i++)
		off += snprintf(buf + off, len - 1 - off, "%s%s", i ? "," : "",
				v[i]);
	if (off > len - 2)
		off = len - 2;
	buf[off++] = ']';
	buf[off] = '\0';
}

/*
 * A child that ends as the script says: exec_exit is its exit status, or
 * 128 + the signal that kills it.
 */
int ctnr_exec_spawn(struct ctnr_handle *h, uint32_t id, const char *name,
		    char *const argv[], const struct ctnr_exec_opts *opts,
		    int *status)
{
	char env[512], args[512];
	unsigned int i;
	pid_t pid;
	int err;

	(void)h;
	if (opts && opts->sz != sizeof(*opts))
		return -EINVAL;	/* ctnrctl must set sz, as CTNR_OPTS() does */
	join(env, sizeof(env), opts ? opts->env : NULL);
	join(args, sizeof(args), (const char *const *)argv);
	err = call("exec_spawn", "id=%u name=%s mask=%#x flags=%#x env=%s tty=%d argv=%s",
		   id, nm(name), opts ? opts->mask : 0, opts ? opts->flags : 0,
		   env, opts ? opts->tty_fd : -1, args);
	if (status)
		*status = -1;
	if (err) {
		for (i = 0; i < mock->nfail; i++) {
			if (!strcmp(mock->fail[i].fn, "exec_spawn") && status)
				*status = mock->fail[i].status;
		}
		return err;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (mock->exec_exit > 128) {
			signal(mock->exec_exit - 128, SIG_DFL);
			raise(mock->exec_exit - 128);
		}
		_exit(mock->exec_exit);
	}
	return pid;
}

/* ---- devices ------------------------------------------------------------- */

static int rule_call(const char *fn, uint32_t id, const char *name,
		     const struct ctnr_dev_rule *r)
{
	char rule[48];

	return call(fn, "id=%u name=%s rule=%s", id, nm(name),
		    mock_rule(r, rule, sizeof(rule)));
}

int ctnr_dev_rule_add(struct ctnr_handle *h, uint32_t id, const char *name,
		      const struct ctnr_dev_rule *r)
{
	(void)h;
	return rule_call("dev_rule_add", id, name, r);
}

int ctnr_dev_rule_del(struct ctnr_handle *h, uint32_t id, const char *name,
		      const struct ctnr_dev_rule *r)
{
	(void)h;
	return rule_call("dev_rule_del", id, name, r);
}

int ctnr_dev_allow(struct ctnr_handle *h, uint32_t id, const char *name,
		   const struct ctnr_dev_rule *r)
{
	(void)h;
	return rule_call("dev_allow", id, name, r);
}

int ctnr_dev_deny(struct ctnr_handle *h, uint32_t id, const char *name,
		  const struct ctnr_dev_rule *r)
{
	(void)h;
	return rule_call("dev_deny", id, name, r);
}

static const char *deflt_name(uint32_t d)
{
	return d == CTNR_DEV_ALLOW ? "allow" : d == CTNR_DEV_DENY ? "deny" : "?";
}

int ctnr_dev_set_default(struct ctnr_handle *h, uint32_t id,
			 const char *name, uint32_t deflt)
{
	(void)h;
	return call("dev_set_default", "id=%u name=%s default=%s", id,
		    nm(name), deflt_name(deflt));
}

int ctnr_dev_policy_set(struct ctnr_handle *h, uint32_t id, const char *name,
			uint32_t deflt, const struct ctnr_dev_rule *rules,
			unsigned int n)
{
	char list[512] = "", rule[48];
	size_t off = 0;
	unsigned int i;

	(void)h;
	for (i = 0; i < n && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s",
				i ? "," : "", mock_rule(&rules[i], rule,
							sizeof(rule)));
	return call("dev_policy_set", "id=%u name=%s default=%s rules=[%s]",
		    id, nm(name), deflt_name(deflt), list);
}

int ctnr_dev_preset(struct ctnr_handle *h, uint32_t id, const char *name,
		    const char *preset)
{
	(void)h;
	return call("dev_preset", "id=%u name=%s preset=%s", id, nm(name),
		    preset);
}

int ctnr_dev_info(struct ctnr_handle *h, uint32_t id, const char *name,
		  struct ctnr_dev_info *out)
{
	struct mock_container *m;
	int err = call("dev_info", "id=%u name=%s", id, nm(name));

	(void)h;
	if (err)
		return err;
	m = find(id, name);
	if (!m)
		return -ENOENT;
	out->has = CTNR_DEV_HAS_DEFAULT | CTNR_DEV_HAS_COUNT;
	out->deflt = m->deflt;
	out->count = m->nrules;
	return 0;
}

int ctnr_dev_rule_list(struct ctnr_handle *h, uint32_t id, const char *name,
		       ctnr_dev_rule_cb cb, void *arg)
{
	struct mock_container *m;
	unsigned int i;
	int err = call("dev_rule_list", "id=%u name=%s", id, nm(name));

	(void)h;
	if (err)
		return err;
	m = find(id, name);
	if (!m)
		return -ENOENT;
	for (i = 0; !err && i < m->nrules; i++)
		err = cb(&m->rules[i], i, arg);
	return err;
}

/* ---- logs ---------------------------------------------------------------- */

static int deliver(uint32_t id, ctnr_log_cb cb, void *arg)
{
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < mock->nrecs; i++) {
		mock->recs[i].id = id;
		if (cb)
			err = cb(&mock->recs[i], arg);
	}
	return err;
}

int ctnr_log_get(struct ctnr_handle *h, uint32_t id, const char *name,
		 int64_t from_seq, ctnr_log_cb cb, void *arg,
		 uint64_t *next_seq)
{
	int err = call("log_get", "id=%u name=%s from=%lld", id, nm(name),
		       (long long)from_seq);

	(void)h;
	(void)next_seq;
	return err ? err : deliver(id, cb, arg);
}

int ctnr_log_follow(struct ctnr_handle *h, uint32_t id, const char *name,
		    int64_t from_seq, int interval_ms, ctnr_log_cb cb,
		    void *arg)
{
	int err = call("log_follow", "id=%u name=%s from=%lld interval=%d", id,
		       nm(name), (long long)from_seq, interval_ms);

	(void)h;
	return err ? err : deliver(id, cb, arg);
}

int ctnr_log_clear(struct ctnr_handle *h, uint32_t id, const char *name)
{
	(void)h;
	return call("log_clear", "id=%u name=%s", id, nm(name));
}

int ctnr_log_set_size(struct ctnr_handle *h, uint32_t id, const char *name,
		      uint32_t bytes)
{
	(void)h;
	return call("log_set_size", "id=%u name=%s bytes=%u", id, nm(name),
		    bytes);
}

int ctnr_log_info(struct ctnr_handle *h, uint32_t id, const char *name,
		  struct ctnr_log_info *out)
{
	struct mock_container *m;
	int err = call("log_info", "id=%u name=%s", id, nm(name));

	(void)h;
	if (err)
		return err;
	m = find(id, name);
	if (!m)
		return -ENOENT;
	*out = m->log;
	return 0;
}

/* ---- loops --------------------------------------------------------------- */

int ctnr_loop_attach_file(struct ctnr_handle *h, uint32_t id,
			  const char *name, const char *path,
			  const struct ctnr_loop_opts *o, uint32_t *index,
			  int *fd)
{
	int err;

	(void)h;
	if (o && o->sz != sizeof(*o))
		return -EINVAL;	/* ctnrctl must set sz, as CTNR_OPTS() does */
	err = call("loop_attach_file", "id=%u name=%s path=%s flags=%#x offset=%llu sizelimit=%llu block_size=%u fd=%s",
		   id, nm(name), path, o ? o->flags : 0,
		   o ? (unsigned long long)o->offset : 0ULL,
		   o ? (unsigned long long)o->sizelimit : 0ULL,
		   o ? o->block_size : 0, fd ? "yes" : "no");
	if (!err && index)
		*index = mock->attach_index;
	return err;
}

int ctnr_loop_detach(struct ctnr_handle *h, uint32_t index, uint32_t flags)
{
	(void)h;
	return call("loop_detach", "index=%u flags=%#x", index, flags);
}

int ctnr_loop_list(struct ctnr_handle *h, uint32_t id, const char *name,
		   ctnr_loop_cb cb, void *arg)
{
	unsigned int i;
	int err = call("loop_list", "id=%u name=%s", id, nm(name));

	(void)h;
	for (i = 0; !err && i < mock->nloops; i++) {
		if (!id || mock->loops[i].id == id)
			err = cb(&mock->loops[i], arg);
	}
	return err;
}

int ctnr_loop_info(struct ctnr_handle *h, uint32_t id, const char *name,
		   struct ctnr_loop_info *out)
{
	struct mock_container *m;
	int err = call("loop_info", "id=%u name=%s", id, nm(name));

	(void)h;
	if (err)
		return err;
	m = find(id, name);
	if (!m)
		return -ENOENT;
	*out = m->loop;
	return 0;
}

int ctnr_loop_set_quota(struct ctnr_handle *h, uint32_t id, const char *name,
			uint32_t quota)
{
	(void)h;
	return call("loop_set_quota", "id=%u name=%s quota=%u", id, nm(name),
		    quota);
}

/* ---- events -------------------------------------------------------------- */

int ctnr_monitor_open(struct ctnr_handle *h, struct ctnr_monitor **mp)
{
	int err = call("monitor_open", "%s", "");

	(void)h;
	*mp = err ? NULL : &the_monitor;
	return err;
}

/*
 * The first read returns monitor_first when set; the next delivers every
 * event; the ones after return monitor_end, so that monitor ends.
 */
int ctnr_monitor_read(struct ctnr_monitor *m, int timeout_ms,
		      ctnr_event_cb cb, void *arg)
{
	unsigned int i;
	int err;

	(void)m;
	if (mock->monitor_reads++ == 0)
		call("monitor_read", "timeout=%d", timeout_ms);
	if (mock->monitor_first) {
		err = mock->monitor_first;
		mock->monitor_first = 0;
		return err;
	}
	if (!mock->nevents)
		return mock->monitor_end;
	for (i = 0; i < mock->nevents; i++) {
		if (cb(&mock->events[i], arg)) {
			i++;
			break;
		}
	}
	mock->nevents = 0;
	return (int)i;
}

void ctnr_monitor_close(struct ctnr_monitor *m)
{
	(void)m;
	call("monitor_close", "%s", "");
}
