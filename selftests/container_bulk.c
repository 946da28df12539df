// SPDX-License-Identifier: GPL-2.0
/*
 * container_bulk: the registry under load (concurrency, churn of owners,
 * 100 000 containers), in a program of its own so that it has its own
 * time budget.  The "bulk" fixture has no init of its own and needs a
 * module with no container registered; it checks the debugfs counters.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include "container_init.h"

/* ------------------------------------------------------------------ */
/* bulk: concurrency and scale                                        */

FIXTURE(bulk) {
	struct ctnr_nl nl;
	char prefix[32];
	long count0;
};

FIXTURE_SETUP(bulk)
{
	char bad[1024];
	int r;

	snprintf(self->prefix, sizeof(self->prefix), "ct%d", getpid());
	r = ctnr_nl_open(&self->nl);
	ASSERT_EQ(0, r) {
		TH_LOG("genl family: %s", strerror(-r));
	}
	self->count0 = ctnr_count(&self->nl);
	ASSERT_EQ(0, self->count0) {
		TH_LOG("bulk tests need a module with no containers");
	}
	r = ctnr_counters_wait_zero(5000, bad, sizeof(bad));
	ASSERT_EQ(0, r) {
		TH_LOG("counters before the test: %s", bad);
	}
}

FIXTURE_TEARDOWN(bulk)
{
	if (self->nl.sk)
		ctnr_del_prefix(&self->nl, self->prefix);
	ctnr_nl_close(&self->nl);
}

/* first: the 100 000 containers take most of the program's time budget */
/*
 * 100 000 on the default kernels; 10 000 on the debug kernel
 * (CTNR_SANITIZERS=1, from make check KERNEL=debug), where KASAN and
 * lockdep under emulation make each registration some ten times slower
 * and the full count does not fit the program's budget.
 */
static int scale_n = 100000;
#define SCALE_N		scale_n
#define SCALE_TENTH	(SCALE_N / 10)

struct scale_dump {
	const char *prefix;
	size_t plen;
	const uint32_t *ids;
	unsigned char *seen;
	long n, dup, bad;
};

static int scale_dump_cb(const struct ctnr_ctr *c, void *arg)
{
	struct scale_dump *s = arg;
	unsigned int i;

	if (strncmp(c->name, s->prefix, s->plen))
		return 0;
	s->n++;
	if (sscanf(c->name + s->plen, "-s%u", &i) != 1 || i >= (unsigned int)SCALE_N ||
	    s->ids[i] != c->id) {
		s->bad++;
		return 0;
	}
	if (s->seen[i]++)
		s->dup++;
	return 0;
}

/*
 * The time a tenth of the operations took at the start and at the end of a
 * loop over all of them: their ratio is about 1 when each operation is O(1)
 * and grows with SCALE_N when it is O(n).
 */
static double scale_ratio(int64_t start, int64_t tenth, int64_t ninth,
			  int64_t end)
{
	int64_t a = tenth - start, b = end - ninth;

	if (a < 1)
		a = 1;
	if (b < 1)
		b = 1;
	return a > b ? (double)a / b : (double)b / a;
}

/*
 * 100 000 containers, all on one init and one cgroup (the worst case for
 * the indices), are registered, listed, looked up and deleted.
 */
TEST_F_TIMEOUT(bulk, scale_100000_containers, 600)
{
	struct scale_dump sd = { .prefix = self->prefix };
	struct init_proc init = { -1, -EBADF };
	long long bytes0, bytes1;
	long slab0, slab1;
	int64_t t0, t1, t2, t3, t4, reg10, reg90, del10, del90;
	double reg_ratio, del_ratio;
	char name[64], err[256], bad[1024];
	struct ctnr_ctr c;
	uint32_t *ids;
	int i, r;

	if (getenv("CTNR_SANITIZERS") && !strcmp(getenv("CTNR_SANITIZERS"), "1"))
		scale_n = 10000;
	TH_LOG("%d containers", SCALE_N);
	ids = calloc(SCALE_N, sizeof(*ids));
	sd.seen = calloc(SCALE_N, 1);
	ASSERT_NE(NULL, ids);
	ASSERT_NE(NULL, sd.seen);
	sd.ids = ids;
	sd.plen = strlen(self->prefix);
	r = spawn_init(&init, CLONE_NEWUTS | CLONE_NEWNET, 0, "scale", NULL,
		       err, sizeof(err));
	ASSERT_EQ(0, r) {
		TH_LOG("%s", err);
	}
	bytes0 = ctnr_counter("bytes");
	slab0 = meminfo_kb("Slab");

	t0 = now_us();
	reg10 = reg90 = t0;
	for (i = 0; i < SCALE_N; i++) {
		if (i == SCALE_TENTH)
			reg10 = now_us();
		if (i == SCALE_N - SCALE_TENTH)
			reg90 = now_us();
		snprintf(name, sizeof(name), "%s-s%06d", self->prefix, i);
		r = ctnr_new(&self->nl, name, init.pid, 0, &c);
		if (r)
			stop_init(&init);
		ASSERT_EQ(0, r) {
			TH_LOG("NEW #%d: %s: %s", i, strerror(-r),
			       self->nl.ext_msg);
		}
		ids[i] = c.id;
	}
	t1 = now_us();
	bytes1 = ctnr_counter("bytes");
	slab1 = meminfo_kb("Slab");
	stop_init(&init);

	ASSERT_EQ(SCALE_N, ctnr_count(&self->nl));
	r = ctnr_dump(&self->nl, scale_dump_cb, &sd);
	t2 = now_us();
	ASSERT_EQ(0, r) {
		TH_LOG("dump: %s %s", strerror(-r), self->nl.ext_msg);
	}
	ASSERT_EQ(SCALE_N, sd.n);
	ASSERT_EQ(0, sd.dup);
	ASSERT_EQ(0, sd.bad);

	/* lookups by name and id among many */
	for (i = 0; i < 1000; i++) {
		int k = (i * 7919) % SCALE_N;

		snprintf(name, sizeof(name), "%s-s%06d", self->prefix, k);
		ASSERT_EQ(0, ctnr_get_name(&self->nl, name, &c));
		ASSERT_EQ(ids[k], c.id);
		ASSERT_EQ(0, ctnr_get_id(&self->nl, ids[k], &c));
		ASSERT_STREQ(name, c.name);
	}
	t3 = now_us();

	del10 = del90 = t3;
	for (i = 0; i < SCALE_N; i++) {
		if (i == SCALE_TENTH)
			del10 = now_us();
		if (i == SCALE_N - SCALE_TENTH)
			del90 = now_us();
		r = ctnr_del_id(&self->nl, ids[i]);
		ASSERT_EQ(0, r) {
			TH_LOG("DEL #%d: %s", i, strerror(-r));
		}
	}
	t4 = now_us();
	ASSERT_EQ(0, ctnr_count(&self->nl));
	r = ctnr_counters_wait_zero(20000, bad, sizeof(bad));
	ASSERT_EQ(0, r) {
		TH_LOG("counters not back to zero: %s", bad);
	}

	TH_LOG("register %d: %lld ms (%lld us each)", SCALE_N,
	       (long long)(t1 - t0) / 1000, (long long)(t1 - t0) / SCALE_N);
	TH_LOG("dump %d: %lld ms", SCALE_N, (long long)(t2 - t1) / 1000);
	TH_LOG("1000 GET by name + 1000 GET by id: %lld ms",
	       (long long)(t3 - t2) / 1000);
	TH_LOG("delete %d: %lld ms (%lld us each)", SCALE_N,
	       (long long)(t4 - t3) / 1000, (long long)(t4 - t3) / SCALE_N);
	reg_ratio = scale_ratio(t0, reg10, reg90, t1);
	del_ratio = scale_ratio(t3, del10, del90, t4);
	TH_LOG("first tenth against last tenth: register %.2fx, delete %.2fx",
	       reg_ratio, del_ratio);
	/* O(n) would be about 19x for delete; leave room for a noisy host. */
	EXPECT_GT(8.0, reg_ratio);
	EXPECT_GT(8.0, del_ratio);
	if (bytes0 >= 0 && bytes1 >= 0)
		TH_LOG("module memory: %lld bytes per container (counter)",
		       (bytes1 - bytes0) / SCALE_N);
	if (slab0 >= 0 && slab1 >= 0)
		TH_LOG("slab growth: %ld bytes per container (/proc/meminfo)",
		       (slab1 - slab0) * 1024 / SCALE_N);
	if ((t4 - t0) / 1000000 > 120)
		TH_LOG("note: scale test took %lld s, over its 120 s budget",
		       (long long)(t4 - t0) / 1000000);
	free(ids);
	free(sd.seen);
}


#define CONC_THREADS	4
#define CONC_SECONDS	10

struct conc {
	pthread_t th;
	int idx;
	const char *prefix;
	int64_t deadline;
	unsigned int iters, registered, raced, entered, autoremoved;
	int failed;
	char err[512];
};

#define CONC_FAIL(a, fmt, ...) do {					\
	snprintf((a)->err, sizeof((a)->err), "thread %d round %u: " fmt, \
		 (a)->idx, (a)->iters, ##__VA_ARGS__);			\
	(a)->failed = 1;						\
	goto out;							\
} while (0)

/* fork an init in a new uts namespace; only async-signal-safe calls */
static pid_t conc_spawn(const char *host, int *ctl)
{
	int ready[2], c[2];
	struct pollfd pfd;
	pid_t pid;
	char b;

	if (pipe2(ready, O_CLOEXEC))
		return -1;
	if (pipe2(c, O_CLOEXEC)) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (unshare(CLONE_NEWUTS) || sethostname(host, strlen(host)) ||
		    write(ready[1], "1", 1) != 1)
			_exit(1);
		while (read(c[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(c[0]);
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	if (pid > 0 && (poll(&pfd, 1, 20000) != 1 ||
			read(ready[0], &b, 1) != 1)) {
		kill_reap(&pid);
		pid = -1;
	}
	close(ready[0]);
	if (pid < 0)
		close(c[1]);
	else
		*ctl = c[1];
	return pid;
}

static void *conc_thread(void *p)
{
	struct conc *a = p;
	unsigned int seed = (unsigned int)(a->idx * 7919 + getpid());
	struct ctnr_nl nl;
	int dev, r;

	r = ctnr_nl_open(&nl);
	if (r) {
		snprintf(a->err, sizeof(a->err), "thread %d: genl: %s",
			 a->idx, strerror(-r));
		a->failed = 1;
		return NULL;
	}
	dev = ctnr_dev_open();
	if (dev < 0) {
		snprintf(a->err, sizeof(a->err), "thread %d: open: %s",
			 a->idx, strerror(errno));
		a->failed = 1;
		ctnr_nl_close(&nl);
		return NULL;
	}
	while (!a->failed && now_ms() < a->deadline) {
		struct ctnr_ioc_ns_fds nsf;
		struct ctnr_ctr c = { 0 };
		char name[64], host[64];
		int kill_at = (int)(rand_r(&seed) % 5);
		bool autorm = rand_r(&seed) & 1, killed = false, reg = false;
		int ctl = -1, st;
		pid_t pid, ep;

		ctnr_ns_fds_init(&nsf, 0, NULL, 0);
		snprintf(name, sizeof(name), "%s-c%d-%u", a->prefix, a->idx,
			 a->iters);
		snprintf(host, sizeof(host), "hc%d-%u", a->idx, a->iters);
		pid = conc_spawn(host, &ctl);
		if (pid < 0)
			CONC_FAIL(a, "spawn init failed");

		/* 0: the init dies (not yet reaped) before registration */
		if (kill_at == 0) {
			kill(pid, SIGKILL);
			killed = true;
		}
		r = ctnr_new(&nl, name, pid, autorm ? CTNR_F_AUTOREMOVE : 0,
			     &c);
		if (r == 0)
			reg = true;
		else if (killed && r == -ESRCH)
			a->raced++;
		else
			CONC_FAIL(a, "NEW: %s: %s", strerror(-r), nl.ext_msg);
		if (reg)
			a->registered++;

		if (kill_at == 1) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (reg) {
			r = ctnr_ns_fds(dev, c.id, NULL,
					CLONE_NEWUTS | CLONE_NEWNET, &nsf);
			if (r && !(r == -ENOENT && killed && autorm))
				CONC_FAIL(a, "NS_FDS (killed %d, autoremove %d): %s",
					  killed, autorm, strerror(-r));
		}
		if (kill_at == 2) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (nsf.fds[CTNR_NS_UTS] >= 0) {
			ep = fork();
			if (ep == 0) {
				char h[72] = "";

				if (setns(nsf.fds[CTNR_NS_UTS], CLONE_NEWUTS))
					_exit(2);
				if (gethostname(h, sizeof(h) - 1))
					_exit(3);
				_exit(strcmp(h, host) ? 4 : 0);
			}
			if (ep < 0)
				CONC_FAIL(a, "fork: %s", strerror(errno));
			if (wait_pid_timeout(ep, &st, 20000)) {
				kill_reap(&ep);
				CONC_FAIL(a, "entering child hung");
			}
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				CONC_FAIL(a, "entering child failed: %#x", st);
			a->entered++;
		}
		ctnr_ns_fds_close(&nsf);
		if (kill_at == 3) {
			kill(pid, SIGKILL);
			killed = true;
		}
		/* 4: delete while the init still runs */
		if (kill_at == 4 && reg) {
			r = ctnr_del_id(&nl, c.id);
			if (r)
				CONC_FAIL(a, "DEL of running: %s", strerror(-r));
			reg = false;
		}
		close(ctl);
		ctl = -1;
		kill_reap(&pid);
		if (reg && autorm) {
			if (rand_r(&seed) & 1) {
				r = ctnr_del_id(&nl, c.id);
				if (r && r != -ENOENT)
					CONC_FAIL(a, "DEL: %s", strerror(-r));
			}
			r = ctnr_wait_state(&nl, c.id, -ENOENT, 20000, NULL);
			if (r)
				CONC_FAIL(a, "AUTOREMOVE container %u survived its init: %s",
					  c.id, strerror(-r));
			a->autoremoved++;
		} else if (reg) {
			r = ctnr_wait_state(&nl, c.id, CTNR_STATE_STOPPED,
					    20000, NULL);
			if (r)
				CONC_FAIL(a, "container %u never stopped: %s",
					  c.id, strerror(-r));
			r = ctnr_del_id(&nl, c.id);
			if (r)
				CONC_FAIL(a, "DEL: %s", strerror(-r));
		}
		a->iters++;
		continue;
out:
		if (ctl >= 0)
			close(ctl);
		ctnr_ns_fds_close(&nsf);
		kill_reap(&pid);
	}
	close(dev);
	ctnr_nl_close(&nl);
	return NULL;
}

/* threads create, enter and delete containers while their inits die */
TEST_F_TIMEOUT(bulk, concurrent_create_enter_delete, 120)
{
	struct conc th[CONC_THREADS];
	unsigned int iters = 0, reg = 0, raced = 0, entered = 0, autorm = 0;
	char bad[1024];
	long n;
	int i, r;

	memset(th, 0, sizeof(th));
	for (i = 0; i < CONC_THREADS; i++) {
		th[i].idx = i;
		th[i].prefix = self->prefix;
		th[i].deadline = now_ms() + CONC_SECONDS * 1000;
		ASSERT_EQ(0, pthread_create(&th[i].th, NULL, conc_thread,
					    &th[i]));
	}
	for (i = 0; i < CONC_THREADS; i++)
		pthread_join(th[i].th, NULL);
	for (i = 0; i < CONC_THREADS; i++) {
		EXPECT_EQ(0, th[i].failed) {
			TH_LOG("%s", th[i].err);
		}
		iters += th[i].iters;
		reg += th[i].registered;
		raced += th[i].raced;
		entered += th[i].entered;
		autorm += th[i].autoremoved;
	}
	TH_LOG("%u rounds, %u registered (%u autoremoved), %u lost the race with their init's death, %u entered",
	       iters, reg, autorm, raced, entered);
	ASSERT_TRUE(_metadata->passed);
	ASSERT_GT(iters, 0U);
	ASSERT_GT(entered, 0U);
	n = ctnr_dump_count(&self->nl, self->prefix, 0, NULL);
	ASSERT_EQ(0, n) {
		TH_LOG("%ld containers left", n);
	}
	ASSERT_EQ(0, ctnr_count(&self->nl));
	r = ctnr_counters_wait_zero(10000, bad, sizeof(bad));
	ASSERT_EQ(0, r) {
		TH_LOG("counters not back to zero: %s", bad);
	}
}

/*
 * container.md H1: INFO used to walk every container under RCU and look at
 * each owner user namespace, which the last put freed with no grace
 * period.  Containers that hold the last reference on their user namespace
 * go (autoremove) while other threads send INFO and dump.  With KASAN or
 * slub_debug=P the old code oopses here; the kernel log check catches it.
 */
struct churn {
	pthread_t th;
	volatile int *stop;
	bool dump;
	unsigned long calls;
	int err;
};

static void *churn_reader(void *p)
{
	struct churn *a = p;
	struct ctnr_nl nl;
	long n;

	a->err = ctnr_nl_open(&nl);
	if (a->err)
		return NULL;
	while (!*a->stop) {
		n = a->dump ? ctnr_dump_count(&nl, NULL, 0, NULL) :
			      ctnr_count(&nl);
		if (n < 0) {
			a->err = (int)n;
			break;
		}
		a->calls++;
	}
	ctnr_nl_close(&nl);
	return NULL;
}

/*
 * In a child: a user namespace of its own, its own task registered with
 * AUTOREMOVE, then gone.  Exits with the errno.
 */
static void churn_owner(const char *name)
{
	struct ctnr_nl nl;
	int r;

	r = enter_userns_as_root(0);
	if (!r)
		r = ctnr_nl_open(&nl);
	if (!r)
		r = ctnr_new(&nl, name, getpid(), CTNR_F_AUTOREMOVE, NULL);
	_exit(r ? -r & 0xff : 0);
}

#define CHURN_OWNERS	100

TEST_F_TIMEOUT(bulk, info_while_owner_userns_goes, 180)
{
	struct churn rd[3];
	volatile int stop = 0;
	char name[64], bad[1024];
	int64_t end;
	int i, st, failed = 0, r;
	pid_t pid;

	memset(rd, 0, sizeof(rd));
	for (i = 0; i < 3; i++) {
		rd[i].stop = &stop;
		rd[i].dump = i == 2;
		ASSERT_EQ(0, pthread_create(&rd[i].th, NULL, churn_reader,
					    &rd[i]));
	}
	for (i = 0; i < CHURN_OWNERS; i++) {
		/*
		 * The owners are siblings on one cgroup, which only one of
		 * them may hold at a time (M1): wait for the last to go.
		 */
		end = now_ms() + 10000;
		while (ctnr_count(&self->nl) > 0 && now_ms() < end)
			sleep_ms(5);
		snprintf(name, sizeof(name), "%s-churn%d", self->prefix, i);
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			churn_owner(name);
		if (pid < 0 || waitpid(pid, &st, 0) != pid ||
		    !WIFEXITED(st) || WEXITSTATUS(st)) {
			if (!failed++ && pid > 0 && WIFEXITED(st))
				TH_LOG("owner %d: %s", i,
				       strerror(WEXITSTATUS(st)));
		}
	}
	stop = 1;
	for (i = 0; i < 3; i++) {
		pthread_join(rd[i].th, NULL);
		EXPECT_EQ(0, rd[i].err) {
			TH_LOG("reader %d: %s", i, strerror(-rd[i].err));
		}
		EXPECT_GT(rd[i].calls, 0UL);
	}
	ASSERT_EQ(0, failed) {
		TH_LOG("%d of %d owners could not register", failed,
		       CHURN_OWNERS);
	}
	r = ctnr_counters_wait_zero(20000, bad, sizeof(bad));
	ASSERT_EQ(0, r) {
		TH_LOG("counters not back to zero: %s", bad);
	}
	ASSERT_EQ(0, ctnr_count(&self->nl));
}

TEST_HARNESS_MAIN
