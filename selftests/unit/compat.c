// SPDX-License-Identifier: GPL-2.0
/*
 * compat: the options structs of libctnr across versions of its header
 * (make unit; no root, no VM, no module).
 *
 * The same tests are built five times (selftests/Makefile), each program
 * linked against a libctnr built from this tree:
 *   compat-cur        the current header, libctnr.so
 *   compat-old        a header one version older: every struct ctnr_*_opts
 *                     without its last member (unit/opts-header.awk)
 *   compat-new        a header one version newer: every one with a member
 *                     more, compat_future, at its end
 *   compat-older-lib  the current header against a library built with
 *                     LC_OPTS_OLDER (lib/internal.h), which knows every
 *                     options struct only up to its last member but one
 *   compat-static     the current header, libctnr.a
 * A program built against an older header must work unchanged (what its
 * struct does not hold reads as the default, and the bytes past its sz
 * are never read); one built against a newer header must work when it
 * leaves what the library does not know zero, and be refused with -E2BIG,
 * before anything is done, when it sets it.
 *
 * Where the library would talk to the module it meets a stand-in: the
 * handle is made here (lib/internal.h) with a /dev/ctnr fd that is not
 * open, and ioctl() is defined here, so that libctnr's calls of it come
 * here and CTNR_IOC_LOOP_ATTACH shows what the library made of the
 * options.  ctnr_exec_spawn() is stopped, after its options are read, by
 * flags it refuses, the message telling what it read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "internal.h"		/* first: the harness's ARRAY_SIZE is guarded */

#include "kselftest_harness.h"

#define FAKE_DEV_FD	1000	/* never open: only this file's ioctl() */
#define POISON		0x5a	/* past a struct's sz: must not be read */
#define BAD_FLAG	(1U << 31)	/* no exec flag: stops ctnr_exec_spawn() */

/* Whether the program's structs and the library both have the last member */
#if !defined(COMPAT_OLD) && !defined(COMPAT_OLDER_LIB)
#define BOTH_KNOW_LAST	1
#endif

#if defined(COMPAT_OLD)
#define VARIANT		"an older header"
#elif defined(COMPAT_NEW)
#define VARIANT		"a newer header"
#elif defined(COMPAT_OLDER_LIB)
#define VARIANT		"an older library"
#elif defined(COMPAT_STATIC)
#define VARIANT		"libctnr.a"
#else
#define VARIANT		"the current header"
#endif

static struct ctnr_ioc_loop_attach seen;
static int nseen;

/* libctnr's ioctl() calls land here. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != FAKE_DEV_FD)
		return syscall(SYS_ioctl, fd, req, arg);
	if (req == CTNR_IOC_LOOP_ATTACH) {
		struct ctnr_ioc_loop_attach *a = arg;

		seen = *a;
		nseen++;
		a->index = 7;
		a->fd = -1;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static struct ctnr_handle *fake_handle(void)
{
	struct ctnr_handle *h = calloc(1, sizeof(*h));

	if (h)
		h->dev_fd = FAKE_DEV_FD;
	return h;
}

/* An options struct with poison after it, as if the caller's were smaller. */
#define POISONED(TYPE, u)						\
	union {								\
		struct TYPE o;						\
		unsigned char b[sizeof(struct TYPE) + 64];		\
	} u;								\
	memset(&u, POISON, sizeof(u));					\
	memset(&u.o, 0, sizeof(u.o));					\
	u.o.sz = sizeof(u.o)

TEST(compat_variant)
{
	TH_LOG("%s, libctnr %s, sizeof(struct ctnr_loop_opts) %zu, sizeof(struct ctnr_exec_opts) %zu",
	       VARIANT, ctnr_lib_version(), sizeof(struct ctnr_loop_opts),
	       sizeof(struct ctnr_exec_opts));
	ASSERT_STREQ(LIBCTNR_VERSION, ctnr_lib_version());
}

/* ---- ctnr_loop_attach() ---- */

TEST(loop_null_opts_are_defaults)
{
	struct ctnr_handle *h = fake_handle();
	uint32_t index = 0;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, ctnr_loop_attach(h, 0, "web", 3, NULL, &index, NULL));
	ASSERT_EQ(1, nseen);
	EXPECT_EQ(7, index);
	EXPECT_EQ(0, seen.flags);
	EXPECT_EQ(0, seen.offset);
	EXPECT_EQ(0, seen.sizelimit);
	EXPECT_EQ(0, seen.block_size);
	EXPECT_STREQ("web", seen.name);
	free(h);
}

/* What the program's struct holds arrives; nothing past its sz is read. */
TEST(loop_members_arrive)
{
	struct ctnr_handle *h = fake_handle();
	POISONED(ctnr_loop_opts, u);

	ASSERT_NE(NULL, h);
	u.o.flags = CTNR_LOOP_F_READ_ONLY;
	u.o.offset = 1 << 20;
	u.o.sizelimit = 1 << 29;
#ifdef BOTH_KNOW_LAST
	u.o.block_size = 4096;
#endif
	ASSERT_EQ(0, ctnr_loop_attach(h, 0, "web", 3, &u.o, NULL, NULL)) {
		TH_LOG("%s", ctnr_last_error(h));
	}
	ASSERT_EQ(1, nseen);
	EXPECT_EQ(CTNR_LOOP_F_READ_ONLY, seen.flags);
	EXPECT_EQ(1 << 20, seen.offset);
	EXPECT_EQ(1 << 29, seen.sizelimit);
#ifndef BOTH_KNOW_LAST
	EXPECT_EQ(0, seen.block_size);	/* not in the struct: the default */
#else
	EXPECT_EQ(4096, seen.block_size);
#endif
	free(h);
}

TEST(loop_sz_too_small)
{
	struct ctnr_handle *h = fake_handle();
	CTNR_OPTS(ctnr_loop_opts, o, .flags = CTNR_LOOP_F_READ_ONLY);

	ASSERT_NE(NULL, h);
	o.sz = 0;
	EXPECT_EQ(-EINVAL, ctnr_loop_attach(h, 0, "web", 3, &o, NULL, NULL));
	EXPECT_NE(NULL, strstr(ctnr_last_error(h), "too small"));
	o.sz = sizeof(size_t) - 1;
	EXPECT_EQ(-EINVAL, ctnr_loop_attach(h, 0, "web", 3, &o, NULL, NULL));
	EXPECT_EQ(0, nseen);
	free(h);
}

/* sz covering only part of the struct: the rest is the default. */
TEST(loop_partial_sz)
{
	struct ctnr_handle *h = fake_handle();
	CTNR_OPTS(ctnr_loop_opts, o, .flags = CTNR_LOOP_F_READ_ONLY,
		  .offset = 4096, .sizelimit = 8192);

	ASSERT_NE(NULL, h);
	o.sz = offsetof(struct ctnr_loop_opts, offset);
	ASSERT_EQ(0, ctnr_loop_attach(h, 0, "web", 3, &o, NULL, NULL));
	EXPECT_EQ(CTNR_LOOP_F_READ_ONLY, seen.flags);
	EXPECT_EQ(0, seen.offset);
	EXPECT_EQ(0, seen.sizelimit);
	free(h);
}

TEST(loop_attach_file_reads_opts)
{
	struct ctnr_handle *h = fake_handle();
	CTNR_OPTS(ctnr_loop_opts, o, .flags = CTNR_LOOP_F_READ_ONLY);

	ASSERT_NE(NULL, h);
	/* read-only: /dev/null is opened O_RDONLY, and attached */
	ASSERT_EQ(0, ctnr_loop_attach_file(h, 0, "web", "/dev/null", &o,
					   NULL, NULL)) {
		TH_LOG("%s", ctnr_last_error(h));
	}
	EXPECT_EQ(1, nseen);
	EXPECT_EQ(CTNR_LOOP_F_READ_ONLY, seen.flags);
	free(h);
}

/* CTNR_OPTS() zeroes what it does not set, padding included. */
static void __attribute__((noinline)) dirty_stack(void)
{
	volatile unsigned char junk[512];
	unsigned int i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xff;
}

static int __attribute__((noinline)) opts_nonzero_bytes(void)
{
	CTNR_OPTS(ctnr_loop_opts, o, .flags = 1);
	const unsigned char *p = (const unsigned char *)&o;
	size_t i;
	int n = 0;

	for (i = sizeof(o.sz); i < sizeof(o); i++)
		n += p[i] != 0;
	return n;
}

TEST(ctnr_opts_zeroes_padding)
{
	CTNR_OPTS(ctnr_exec_opts, e, .mask = 1);

	EXPECT_EQ(sizeof(struct ctnr_exec_opts), e.sz);
	EXPECT_EQ(1, e.mask);
	EXPECT_EQ(0, e.flags);
	EXPECT_EQ(NULL, e.env);
	dirty_stack();
	EXPECT_EQ(1, opts_nonzero_bytes());	/* flags' low byte */
}

/* ---- ctnr_exec_spawn(): the options are read, then the flags refused ---- */

static char *const true_argv[] = { "true", NULL };

TEST(exec_members_arrive)
{
	struct ctnr_handle *h = fake_handle();
	POISONED(ctnr_exec_opts, u);

	ASSERT_NE(NULL, h);
	u.o.flags = BAD_FLAG;
	EXPECT_EQ(-EINVAL, ctnr_exec_spawn(h, 0, "web", true_argv, &u.o, NULL));
	EXPECT_STREQ("unknown exec flags 0x80000000", ctnr_last_error(h));
	free(h);
}

/* Without a tty_fd in the struct, a TTY flag finds none (not the poison). */
TEST(exec_tty_fd)
{
	struct ctnr_handle *h = fake_handle();
	POISONED(ctnr_exec_opts, u);

	ASSERT_NE(NULL, h);
	u.o.flags = CTNR_EXEC_TTY_STDIN;
#ifndef COMPAT_OLD
	u.o.tty_fd = FAKE_DEV_FD;
#endif
#ifdef COMPAT_OLDER_LIB
	/* the library does not know tty_fd: it refuses it */
	EXPECT_EQ(-E2BIG, ctnr_exec_spawn(h, 0, "web", true_argv, &u.o, NULL));
#else
	EXPECT_EQ(-EINVAL, ctnr_exec_spawn(h, 0, "web", true_argv, &u.o, NULL));
#endif
#if defined(COMPAT_OLD)
	EXPECT_STREQ("tty_fd -1 is not a terminal", ctnr_last_error(h));
#elif defined(COMPAT_OLDER_LIB)
	EXPECT_NE(NULL, strstr(ctnr_last_error(h), "byte 24 is set"));
#else
	EXPECT_STREQ("tty_fd 1000 is not a terminal", ctnr_last_error(h));
#endif
	free(h);
}

TEST(exec_sz_too_small)
{
	struct ctnr_handle *h = fake_handle();
	struct ctnr_exec_opts o = CTNR_EXEC_OPTS_INIT;

	ASSERT_NE(NULL, h);
	o.sz = 0;
	EXPECT_EQ(-EINVAL, ctnr_exec_spawn(h, 0, "web", true_argv, &o, NULL));
	EXPECT_NE(NULL, strstr(ctnr_last_error(h), "too small"));
	free(h);
}

#ifdef COMPAT_NEW
/* ---- a newer program: the member this library does not know ---- */

TEST(new_member_zero_is_accepted)
{
	struct ctnr_handle *h = fake_handle();
	CTNR_OPTS(ctnr_loop_opts, o, .offset = 512, .block_size = 512);
	CTNR_OPTS(ctnr_exec_opts, e, .flags = BAD_FLAG);

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, ctnr_loop_attach(h, 0, "web", 3, &o, NULL, NULL)) {
		TH_LOG("%s", ctnr_last_error(h));
	}
	EXPECT_EQ(512, seen.offset);
	EXPECT_EQ(512, seen.block_size);
	EXPECT_EQ(-EINVAL, ctnr_exec_spawn(h, 0, "web", true_argv, &e, NULL));
	EXPECT_STREQ("unknown exec flags 0x80000000", ctnr_last_error(h));
	free(h);
}

TEST(new_member_set_is_refused)
{
	struct ctnr_handle *h = fake_handle();
	CTNR_OPTS(ctnr_loop_opts, o, .compat_future = 1);
	CTNR_OPTS(ctnr_exec_opts, e, .compat_future = 1ULL << 63);

	ASSERT_NE(NULL, h);
	EXPECT_EQ(-E2BIG, ctnr_loop_attach(h, 0, "web", 3, &o, NULL, NULL));
	EXPECT_NE(NULL, strstr(ctnr_last_error(h), "struct ctnr_loop_opts: byte"));
	/* refused before the file is opened */
	EXPECT_EQ(-E2BIG, ctnr_loop_attach_file(h, 0, "web", "/nonexistent",
						&o, NULL, NULL));
	EXPECT_EQ(0, nseen);
	EXPECT_EQ(-E2BIG, ctnr_exec_spawn(h, 0, "web", true_argv, &e, NULL));
	EXPECT_NE(NULL, strstr(ctnr_last_error(h), "struct ctnr_exec_opts: byte"));
	free(h);
}
#endif

#ifdef COMPAT_OLDER_LIB
/* ---- an older library: the last member is what it does not know ---- */

TEST(older_lib_last_member_zero_is_accepted)
{
	struct ctnr_handle *h = fake_handle();
	CTNR_OPTS(ctnr_loop_opts, o, .offset = 512);
	struct ctnr_exec_opts e = CTNR_EXEC_OPTS_INIT;

	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, ctnr_loop_attach(h, 0, "web", 3, &o, NULL, NULL));
	EXPECT_EQ(512, seen.offset);
	e.flags = BAD_FLAG;
	EXPECT_EQ(-EINVAL, ctnr_exec_spawn(h, 0, "web", true_argv, &e, NULL));
	EXPECT_STREQ("unknown exec flags 0x80000000", ctnr_last_error(h));
	free(h);
}

TEST(older_lib_last_member_set_is_refused)
{
	struct ctnr_handle *h = fake_handle();
	CTNR_OPTS(ctnr_loop_opts, o, .block_size = 4096);
	CTNR_OPTS(ctnr_exec_opts, e, .flags = CTNR_EXEC_TTY, .tty_fd = 5);

	ASSERT_NE(NULL, h);
	EXPECT_EQ(-E2BIG, ctnr_loop_attach(h, 0, "web", 3, &o, NULL, NULL));
	EXPECT_EQ(0, nseen);
	EXPECT_EQ(-E2BIG, ctnr_exec_spawn(h, 0, "web", true_argv, &e, NULL));
	free(h);
}
#endif

TEST_HARNESS_MAIN
