// SPDX-License-Identifier: GPL-2.0
/*
 * bench/loop: ctnrloop against the kernel's loop driver, side by side in
 * one boot, on the same backing file.
 *
 *   brd /dev/ram0 (RAM) -- ext4 -- bench.img --+-- /dev/loopN     (losetup)
 *                                              +-- /dev/ctnrloopN (ctnr)
 *
 * Two backing modes: buffered (the drivers go through the page cache of
 * bench.img) and direct (losetup --direct-io=on, CTNR_LOOP_F_DIRECT_IO).
 * For each: sequential read and write (1 MiB, one stream) in MB/s and
 * random 4 KiB reads (BENCH_JOBS threads) in IOPS, all O_DIRECT on the
 * device so that the device's own page cache does not hide the driver.
 * Rounds alternate the two drivers; the median round is reported, with
 * the ratio ctnrloop / loop (higher is better for ctnrloop).
 *
 * Needs root, the module loaded, brd and loop modules, mkfs.ext4 and
 * losetup.  Usage: bench/loop [SIZE_MIB [ROUND_MS [ROUNDS]]]
 */
#define _GNU_SOURCE
#include "../ctnr_test.h"

#include <pthread.h>

#define MiB		(1024 * 1024)
#define BENCH_JOBS	4
#define SEQ_BS		MiB
#define RAND_BS		4096

static unsigned long size_mib = 192;
static int round_ms = 2000;
static int rounds = 3;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Run a shell command; its first line of output in @out if not NULL. */
static int sh(char *out, size_t len, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	if (out) {
		out[0] = '\0';
		if (fgets(out, (int)len, p))
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

enum kind { SEQ_READ, SEQ_WRITE, RAND_READ, __KIND_MAX };

static const char *const kind_name[] = {
	[SEQ_READ] = "seq-read 1M",
	[SEQ_WRITE] = "seq-write 1M",
	[RAND_READ] = "rand-read 4k",
};

struct job {
	const char *dev;
	enum kind kind;
	int64_t end_us;
	uint64_t size;
	unsigned int seed;
	uint64_t ops;
	int err;
};

static void *job_run(void *arg)
{
	struct job *j = arg;
	size_t bs = j->kind == RAND_READ ? RAND_BS : SEQ_BS;
	uint64_t off = 0, nblk = j->size / bs;
	void *buf = NULL;
	int fd;

	fd = open(j->dev, (j->kind == SEQ_WRITE ? O_RDWR : O_RDONLY) |
		  O_DIRECT | O_CLOEXEC);
	if (fd < 0 || posix_memalign(&buf, 4096, bs)) {
		j->err = errno ? errno : ENOMEM;
		return NULL;
	}
	memset(buf, 0x5a, bs);
	while (now_us() < j->end_us) {
		int i;

		for (i = 0; i < 16; i++) {
			ssize_t n;

			if (j->kind == RAND_READ)
				off = (uint64_t)(rand_r(&j->seed) % nblk) * bs;
			if (j->kind == SEQ_WRITE)
				n = pwrite(fd, buf, bs, off);
			else
				n = pread(fd, buf, bs, off);
			if (n != (ssize_t)bs) {
				j->err = n < 0 ? errno : EIO;
				goto out;
			}
			j->ops++;
			if (j->kind != RAND_READ) {
				off += bs;
				if (off + bs > j->size)
					off = 0;
			}
		}
	}
out:
	free(buf);
	close(fd);
	return NULL;
}

/* One round: MB/s for the sequential kinds, IOPS for random reads. */
static double measure(const char *dev, enum kind kind, uint64_t size)
{
	int n = kind == RAND_READ ? BENCH_JOBS : 1;
	struct job jobs[BENCH_JOBS];
	pthread_t t[BENCH_JOBS];
	int64_t start;
	uint64_t ops = 0;
	int i;

	/* What is dirty in the backing file's cache is not this round's. */
	sync();
	start = now_us();
	for (i = 0; i < n; i++) {
		jobs[i] = (struct job){ .dev = dev, .kind = kind, .size = size,
					.end_us = start + round_ms * 1000LL,
					.seed = 42 + i };
		if (pthread_create(&t[i], NULL, job_run, &jobs[i]))
			die("pthread_create");
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (jobs[i].err)
			die("%s on %s: %s", kind_name[kind], dev,
			    strerror(jobs[i].err));
		ops += jobs[i].ops;
	}
	if (kind == SEQ_WRITE) {
		int fd = open(dev, O_RDWR | O_CLOEXEC);

		/* a device's flush is part of writing to it */
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	if (kind == RAND_READ)
		return ops * 1e6 / (now_us() - start);
	return ops * (double)SEQ_BS / MiB * 1e6 / (now_us() - start);
}

static void ctnr_attach(int dev, uint32_t id, int bfd, bool direct,
			char *path, size_t len, uint32_t *index)
{
	struct ctnr_ioc_loop_attach a;
	int64_t end = now_ms() + 5000;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = id;
	a.backing_fd = bfd;
	a.flags = direct ? CTNR_LOOP_F_DIRECT_IO : 0;
	if (ioctl(dev, CTNR_IOC_LOOP_ATTACH, &a))
		die("CTNR_IOC_LOOP_ATTACH: %m");
	*index = a.index;
	snprintf(path, len, "/dev/ctnrloop%u", a.index);
	while (access(path, F_OK) && now_ms() < end)
		sleep_ms(10);
}

static void ctnr_detach(int dev, uint32_t index)
{
	struct ctnr_ioc_loop_detach d = { .size = sizeof(d), .index = index };

	if (ioctl(dev, CTNR_IOC_LOOP_DETACH, &d))
		die("CTNR_IOC_LOOP_DETACH: %m");
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/ctnrbench.XXXXXX", img[64], kdev[64], cdev[64];
	char line[256];
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	uint64_t size;
	double res[2][__KIND_MAX], v[2][16];
	uint32_t index;
	pid_t sleeper;
	int dev, bfd, mode, k, r, i;
	void *buf;

	if (argc > 1)
		size_mib = strtoul(argv[1], NULL, 0);
	if (argc > 2)
		round_ms = atoi(argv[2]);
	if (argc > 3)
		rounds = atoi(argv[3]);
	if (size_mib < 16 || round_ms < 100 || rounds < 1 || rounds > 16)
		die("usage: %s [SIZE_MIB>=16 [ROUND_MS>=100 [ROUNDS 1..16]]]",
		    argv[0]);
	size = (uint64_t)size_mib * MiB;
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 0);

	dev = ctnr_dev_open();
	if (dev < 0 || ctnr_nl_open(&nl))
		die("ctnr module not loaded");
	if (sh(NULL, 0, "modprobe brd rd_nr=1 rd_size=%lu", (size_mib + 96) * 1024) ||
	    sh(NULL, 0, "modprobe loop"))
		die("modprobe brd/loop failed");
	if (sh(NULL, 0, "mkfs.ext4 -q -F /dev/ram0") || !mkdtemp(dir) ||
	    mount("/dev/ram0", dir, "ext4", 0, NULL))
		die("ext4 on /dev/ram0 failed");
	snprintf(img, sizeof(img), "%s/bench.img", dir);
	bfd = open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (bfd < 0 || posix_memalign(&buf, 4096, MiB))
		die("%s: %m", img);
	memset(buf, 0xa5, MiB);
	for (i = 0; i < (int)size_mib; i++)
		if (pwrite(bfd, buf, MiB, (off_t)i * MiB) != MiB)
			die("filling %s: %m", img);
	fsync(bfd);

	sleeper = fork();
	if (sleeper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	snprintf(line, sizeof(line), "bench-%d", getpid());
	r = ctnr_new(&nl, line, sleeper, 0, &c);
	if (r)
		die("register: %s", strerror(-r));

	printf("# ctnrloop vs loop: %lu MiB file on ext4 on brd, %d rounds of %d ms, median; %d CPUs\n",
	       size_mib, rounds, round_ms, (int)sysconf(_SC_NPROCESSORS_ONLN));
	for (mode = 0; mode < 2; mode++) {
		const char *mname = mode ? "direct" : "buffered";

		if (sh(kdev, sizeof(kdev), "losetup --find --show %s %s",
		       mode ? "--direct-io=on" : "", img) || !kdev[0])
			die("losetup failed");
		if (mode) {
			char dio[8] = "";

			sh(dio, sizeof(dio), "cat /sys/block/%s/loop/dio",
			   kdev + 5);
			if (strcmp(dio, "1"))
				die("%s did not switch to direct I/O", kdev);
		}
		ctnr_attach(dev, c.id, bfd, mode, cdev, sizeof(cdev), &index);
		for (k = 0; k < __KIND_MAX; k++) {
			for (i = 0; i < rounds; i++) {
				/* alternate who goes first */
				int first = i & 1;

				v[first][i] = measure(first ? cdev : kdev, k, size);
				v[!first][i] = measure(first ? kdev : cdev, k, size);
			}
			res[0][k] = median(v[0], rounds);
			res[1][k] = median(v[1], rounds);
			printf("%-8s %-13s loop %10.1f %-4s ctnrloop %10.1f %-4s ratio %.2f\n",
			       mname, kind_name[k], res[0][k],
			       k == RAND_READ ? "IOPS" : "MB/s", res[1][k],
			       k == RAND_READ ? "IOPS" : "MB/s",
			       res[1][k] / res[0][k]);
			fflush(stdout);
		}
		ctnr_detach(dev, index);
		sh(NULL, 0, "losetup -d %s", kdev);
	}

	ctnr_del_id(&nl, c.id);
	kill_reap(&sleeper);
	close(bfd);
	free(buf);
	umount(dir);
	rmdir(dir);
	sh(NULL, 0, "rmmod brd");
	ctnr_nl_close(&nl);
	close(dev);
	return 0;
}
