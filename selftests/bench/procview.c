// SPDX-License-Identifier: GPL-2.0
/*
 * bench/procview: reads per second of each /proc view, served by the
 * module to a reader in a container, against the native /proc file read
 * by the same process, and against lxcfs's file when lxcfs is installed,
 * side by side in one boot.
 *
 * One read is open(), read() to the end with a 64 KiB buffer, close(),
 * as cat and most parsers do.  The container has memory.max 256 MiB and
 * cpu.max of one CPU; the reader sits in its cgroup throughout (native
 * /proc does not care, lxcfs and ctnr look at the reader's cgroup).
 * Rounds alternate native, ctnr and lxcfs, ROUND_MS each; the median
 * round of each is reported, and the ratios ctnr / native (acceptance:
 * at least 0.5) and ctnr / lxcfs (acceptance: at least 5).
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/wait.h>
#include "../ctnr_test.h"

#define ROUNDS		5
#define ROUND_MS	400

static const struct {
	const char *view, *native;
} files[] = {
	{ "meminfo", "/proc/meminfo" },
	{ "cpuinfo", "/proc/cpuinfo" },
	{ "stat", "/proc/stat" },
	{ "uptime", "/proc/uptime" },
	{ "loadavg", "/proc/loadavg" },
	{ "diskstats", "/proc/diskstats" },
	{ "swaps", "/proc/swaps" },
	{ "cpu_online", "/sys/devices/system/cpu/online" },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

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

/* Whole-file reads per second of @path for ROUND_MS; < 0 if it fails. */
static double bench_read(const char *path)
{
	static char buf[65536];
	unsigned long n = 0;
	int64_t start, end;
	ssize_t r;
	int fd;

	start = now_us();
	end = start + ROUND_MS * 1000;
	do {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			;
		close(fd);
		if (r < 0)
			return -1;
		n++;
	} while (now_us() < end);
	end = now_us();
	return n * 1e6 / (double)(end - start);
}

/* A whole small file (at most 64 KiB), NUL-terminated; "" on error. */
static char *slurp(const char *path)
{
	static char bufs[2][65536];
	static int which;
	char *buf = bufs[which ^= 1];
	ssize_t r, len = 0;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	while (len < (ssize_t)sizeof(bufs[0]) - 1 &&
	       (r = read(fd, buf + len, sizeof(bufs[0]) - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int lines_with(const char *text, const char *prefix)
{
	size_t pl = strlen(prefix);
	int n = 0;

	for (; text && *text; text = strchr(text, '\n') ? strchr(text, '\n') + 1 : NULL)
		n += !strncmp(text, prefix, pl);
	return n;
}

/* One line of @text that starts with @prefix, without its newline. */
static const char *line_of(const char *text, const char *prefix, char *out,
			   size_t len)
{
	size_t pl = strlen(prefix);

	out[0] = '\0';
	for (; text && *text; text = strchr(text, '\n') ? strchr(text, '\n') + 1 : NULL)
		if (!strncmp(text, prefix, pl)) {
			snprintf(out, len, "%.*s", (int)strcspn(text, "\n"),
				 text);
			break;
		}
	return out;
}

/*
 * Field by field, what ctnr and lxcfs show the same reader in the same
 * container: every meminfo line that differs, the CPU count and the first
 * CPU lines, and the short files whole.
 */
static void compare(const char *mnt, const char *lxdir)
{
	char p1[PATH_MAX], p2[PATH_MAX], l1[256], l2[256], label[64];
	const char *c, *x, *q;
	unsigned int f;

	printf("# procview vs lxcfs: the same reader, same container, same moment\n");
	for (f = 0; f < NFILES; f++) {
		snprintf(p1, sizeof(p1), "%s/%s", mnt, files[f].view);
		snprintf(p2, sizeof(p2), "%s%s", lxdir, files[f].native);
		c = slurp(p1);
		x = slurp(p2);
		if (!strcmp(files[f].view, "meminfo")) {
			for (q = c; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL) {
				snprintf(label, sizeof(label), "%.*s",
					 (int)(strcspn(q, ":") + 1), q);
				line_of(c, label, l1, sizeof(l1));
				line_of(x, label, l2, sizeof(l2));
				if (strcmp(l1, l2))
					printf("compare meminfo  ctnr [%s]  lxcfs [%s]\n",
					       l1, l2);
			}
		} else if (!strcmp(files[f].view, "cpuinfo")) {
			printf("compare cpuinfo  ctnr %d processors [%s]  lxcfs %d processors [%s]\n",
			       lines_with(c, "processor"),
			       line_of(c, "processor", l1, sizeof(l1)),
			       lines_with(x, "processor"),
			       line_of(x, "processor", l2, sizeof(l2)));
		} else if (!strcmp(files[f].view, "stat")) {
			printf("compare stat     ctnr %d cpu lines [%s]  lxcfs %d cpu lines [%s]\n",
			       lines_with(c, "cpu"), line_of(c, "cpu ", l1, sizeof(l1)),
			       lines_with(x, "cpu"), line_of(x, "cpu ", l2, sizeof(l2)));
			printf("compare stat     ctnr [%s]  lxcfs [%s]\n",
			       line_of(c, "procs_running", l1, sizeof(l1)),
			       line_of(x, "procs_running", l2, sizeof(l2)));
			printf("compare stat     ctnr [%s]  lxcfs [%s]\n",
			       line_of(c, "btime", l1, sizeof(l1)),
			       line_of(x, "btime", l2, sizeof(l2)));
		} else if (!strcmp(files[f].view, "diskstats")) {
			printf("compare diskstats  ctnr %d lines  lxcfs %d lines\n",
			       lines_with(c, " "), lines_with(x, " "));
		} else {
			printf("compare %-8s ctnr [%.*s]  lxcfs [%.*s]\n",
			       files[f].view, (int)strcspn(c, "\n"), c,
			       (int)strcspn(x, "\n"), x);
			if (!strcmp(files[f].view, "swaps"))
				printf("compare swaps    ctnr %d lines  lxcfs %d lines\n",
				       lines_with(c, ""), lines_with(x, ""));
		}
	}
}

/* lxcfs on @dir in the foreground, if installed; its pid or -1. */
static pid_t start_lxcfs(const char *dir)
{
	char bin[PATH_MAX], path[PATH_MAX + 32], pidfile[PATH_MAX];
	int64_t end;
	pid_t pid;

	if (find_in_path("lxcfs", bin, sizeof(bin)))
		return -1;
	snprintf(pidfile, sizeof(pidfile), "%s.pid", dir);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		dup2(fd, 1);
		dup2(fd, 2);
		/* its loadavg and its CPU views from cpu.max are opt-in */
		execl(bin, "lxcfs", "-f", "-l", "--enable-cfs", "-p", pidfile,
		      dir, (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/proc/meminfo", dir);
	for (end = now_ms() + 10000; now_ms() < end; sleep_ms(100))
		if (!access(path, R_OK))
			return pid;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

int main(void)
{
	static double nat[NFILES][ROUNDS], cv[NFILES][ROUNDS],
		lx[NFILES][ROUNDS];
	char mnt[] = "/tmp/ctnr-bench-pv-XXXXXX";
	char lxdir[] = "/tmp/ctnr-bench-lxcfs-XXXXXX";
	char cg[PATH_MAX], name[64], path[PATH_MAX + 64];
	double mn, mc, ml;
	struct ctnr_nl nl;
	struct ctnr_ctr c;
	unsigned int f, i;
	int r, fails = 0;
	pid_t lxcfs;

	if (ctnr_nl_open(&nl)) {
		fprintf(stderr, "bench/procview: the ctnr module is not loaded\n");
		return 4;
	}
	if (!mkdtemp(mnt) || mount(CTNR_PROCVIEW_FS_NAME, mnt,
				   CTNR_PROCVIEW_FS_NAME, 0, NULL)) {
		fprintf(stderr, "bench/procview: mount: %m\n");
		return 1;
	}
	if (!mkdtemp(lxdir))
		return 1;
	lxcfs = start_lxcfs(lxdir);

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg2_root());
	write_str(path, "+memory");
	write_str(path, "+cpu");
	snprintf(name, sizeof(name), "bench-pv-%d", getpid());
	r = cg_create("ctnrbench-procview", cg, sizeof(cg));
	if (!r) {
		snprintf(path, sizeof(path), "%s/memory.max", cg);
		write_str(path, "268435456");
		snprintf(path, sizeof(path), "%s/cpu.max", cg);
		write_str(path, "100000 100000");
		r = cg_enter(cg, getpid());
	}
	if (!r)
		r = ctnr_new(&nl, name, getpid(), 0, &c);
	if (r) {
		fprintf(stderr, "bench/procview: container: %s %s\n",
			strerror(-r), nl.ext_msg);
		return 1;
	}

	for (i = 0; i < ROUNDS; i++) {
		for (f = 0; f < NFILES; f++) {
			nat[f][i] = bench_read(files[f].native);
			snprintf(path, sizeof(path), "%s/%s", mnt,
				 files[f].view);
			cv[f][i] = bench_read(path);
			lx[f][i] = -1;
			if (lxcfs > 0) {
				snprintf(path, sizeof(path), "%s%s", lxdir,
					 files[f].native);
				lx[f][i] = bench_read(path);
			}
		}
	}

	if (lxcfs > 0)
		compare(mnt, lxdir);
	cg_enter(cg2_root(), getpid());
	ctnr_del_id(&nl, c.id);
	cg_remove(cg);
	ctnr_nl_close(&nl);
	if (lxcfs > 0) {
		kill(lxcfs, SIGTERM);
		waitpid(lxcfs, NULL, 0);
		umount2(lxdir, MNT_DETACH);
	}
	rmdir(lxdir);
	umount2(mnt, MNT_DETACH);
	rmdir(mnt);

	printf("# procview bench: %d rounds of %d ms per file and source, median; open+read+close per read\n",
	       ROUNDS, ROUND_MS);
	printf("# procview bench: container memory.max 256M, cpu.max 1 CPU; lxcfs %s\n",
	       lxcfs > 0 ? "running" : "not installed");
	for (f = 0; f < NFILES; f++) {
		mn = median(nat[f], ROUNDS);
		mc = median(cv[f], ROUNDS);
		ml = median(lx[f], ROUNDS);
		printf("procview %-10s native %8.0f/s  ctnr %8.0f/s  ratio %.2fx",
		       files[f].view, mn, mc, mc / mn);
		if (mc < 0 || mn < 0)
			fails++;
		if (ml > 0)
			printf("  lxcfs %8.0f/s  ctnr/lxcfs %.1fx", ml, mc / ml);
		printf("\n");
	}
	return fails ? 1 : 0;
}
