// SPDX-License-Identifier: GPL-2.0
/*
 * bench/kmsg: records per second written and read through /dev/ctnr-kmsg
 * against the host's /dev/kmsg, side by side in one boot.
 *
 * Fairness: the host's /dev/kmsg rate limit is switched off
 * (kernel.printk_devkmsg=on) and so is the container's (log_rate=0); the
 * console log level is 1 and records are written at level 6, so neither
 * side pays for a console; both logs hold 128 KiB when reading.  Rounds
 * alternate host and container; the median round is reported.
 *
 * Needs root and the module loaded.  Prints one line per measurement and
 * the ratios (container / host); higher is better for the container.
 */
#define _GNU_SOURCE
#include "../ctnr_test.h"

#define KMSG		"/dev/kmsg"
#define CKMSG		"/dev/" CTNR_KMSG_DEVICE_NAME
#define ROUNDS		5
#define ROUND_MS	1000
#define REC_TEXT	"<6>bench record with a typical length of text, %08lu\n"

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

/* Records per second written to @path for ROUND_MS. */
static double bench_write(const char *path)
{
	char line[128];
	unsigned long n = 0;
	int64_t start, end;
	int fd, len;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "open %s: %m\n", path);
		exit(1);
	}
	start = now_us();
	end = start + ROUND_MS * 1000;
	do {
		int i;

		for (i = 0; i < 64; i++, n++) {
			len = snprintf(line, sizeof(line), REC_TEXT, n);
			if (write(fd, line, len) != len) {
				fprintf(stderr, "write %s: %m\n", path);
				exit(1);
			}
		}
	} while (now_us() < end);
	end = now_us();
	close(fd);
	return n * 1e6 / (double)(end - start);
}

/* Records per second read from @path, from the oldest, for ROUND_MS. */
static double bench_read(const char *path, unsigned long *per_pass)
{
	char buf[8192];
	unsigned long n = 0, pass = 0;
	int64_t start, end;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "open %s: %m\n", path);
		exit(1);
	}
	start = now_us();
	end = start + ROUND_MS * 1000;
	do {
		lseek(fd, 0, SEEK_SET);
		pass = 0;
		while ((r = read(fd, buf, sizeof(buf))) > 0 ||
		       (r < 0 && errno == EPIPE))
			pass += r > 0;
		n += pass;
	} while (now_us() < end);
	end = now_us();
	close(fd);
	if (per_pass)
		*per_pass = pass;
	return n * 1e6 / (double)(end - start);
}

static char saved_devkmsg[34], saved_printk[64], saved_rate[32];

static void restore(void)
{
	if (saved_devkmsg[0]) {
		/* the sysctl wants exactly the word and a newline */
		strcat(saved_devkmsg, "\n");
		write_str("/proc/sys/kernel/printk_devkmsg", saved_devkmsg);
	}
	if (saved_printk[0])
		write_str("/proc/sys/kernel/printk", saved_printk);
	if (saved_rate[0])
		write_str("/sys/module/ctnr/parameters/log_rate", saved_rate);
}

int main(void)
{
	double hw[ROUNDS], cw[ROUNDS], hr[ROUNDS], cr[ROUNDS];
	double mhw, mcw, mhr, mcr;
	unsigned long hrec = 0, crec = 0;
	char cg[PATH_MAX], name[64];
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	struct nl_msg *msg;
	int i, r;

	if (ctnr_nl_open(&nl)) {
		fprintf(stderr, "bench/kmsg: the ctnr module is not loaded\n");
		return 4;
	}
	read_str("/proc/sys/kernel/printk_devkmsg", saved_devkmsg,
		 sizeof(saved_devkmsg) - 2);
	read_str("/proc/sys/kernel/printk", saved_printk, sizeof(saved_printk));
	read_str("/sys/module/ctnr/parameters/log_rate", saved_rate,
		 sizeof(saved_rate));
	chomp(saved_devkmsg);
	chomp(saved_printk);
	chomp(saved_rate);
	atexit(restore);
	if (write_str("/proc/sys/kernel/printk_devkmsg", "on\n") ||
	    write_str("/proc/sys/kernel/printk", "1") ||
	    write_str("/sys/module/ctnr/parameters/log_rate", "0")) {
		fprintf(stderr, "bench/kmsg: cannot set up (root?): %m\n");
		return 1;
	}

	/* a container on a cgroup of its own; we join it for its side */
	snprintf(name, sizeof(name), "bench-kmsg-%d", getpid());
	r = cg_create("ctnrbench-kmsg", cg, sizeof(cg));
	if (!r)
		r = cg_enter(cg, getpid());
	if (!r)
		r = ctnr_new(&nl, name, getpid(), 0, &c);
	if (r) {
		fprintf(stderr, "bench/kmsg: container: %s %s\n", strerror(-r),
			nl.ext_msg);
		return 1;
	}
	/* the same 128 KiB as the host log's default buffer */
	msg = ctnr_nl_msg(&nl, CTNR_CMD_CONTAINER_SET, 0);
	if (!msg || nla_put_u32(msg, CTNR_A_ID, c.id) ||
	    nla_put_u32(msg, CTNR_A_LOG_SIZE, 128 << 10) ||
	    ctnr_nl_xfer(&nl, msg, NULL, NULL)) {
		fprintf(stderr, "bench/kmsg: log size: %s\n", nl.ext_msg);
		return 1;
	}

	for (i = 0; i < ROUNDS; i++) {
		cg_enter(cg2_root(), getpid());
		hw[i] = bench_write(KMSG);
		cg_enter(cg, getpid());
		cw[i] = bench_write(CKMSG);
	}
	for (i = 0; i < ROUNDS; i++) {
		cg_enter(cg2_root(), getpid());
		hr[i] = bench_read(KMSG, &hrec);
		cg_enter(cg, getpid());
		cr[i] = bench_read(CKMSG, &crec);
	}
	cg_enter(cg2_root(), getpid());
	ctnr_del_id(&nl, c.id);
	cg_remove(cg);
	ctnr_nl_close(&nl);

	mhw = median(hw, ROUNDS);
	mcw = median(cw, ROUNDS);
	mhr = median(hr, ROUNDS);
	mcr = median(cr, ROUNDS);
	printf("# kmsg bench: %d rounds of %d ms, median; 60-byte records at level 6\n",
	       ROUNDS, ROUND_MS);
	printf("# kmsg bench: printk_devkmsg=on, console loglevel 1, log_rate=0\n");
	printf("kmsg write: /dev/kmsg %.0f rec/s, /dev/ctnr-kmsg %.0f rec/s, ratio %.2fx\n",
	       mhw, mcw, mcw / mhw);
	printf("kmsg read:  /dev/kmsg %.0f rec/s (%lu records), /dev/ctnr-kmsg %.0f rec/s (%lu records), ratio %.2fx\n",
	       mhr, hrec, mcr, crec, mcr / mhr);
	return 0;
}
