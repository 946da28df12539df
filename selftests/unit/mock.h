/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stand-in for the libctnr calls that talk to the module, for the
 * host-side tests of ctnrctl (selftests/cli.c).  Every call that takes a
 * handle is replaced: it appends one line to mock->calls saying what it
 * was asked ("container_del id=7 name=-"), and answers from the script in
 * *mock (the containers, their rules, logs and loops, the events) or with
 * the error mock_fail() set.  The functions that take no handle (the
 * parsers and the names) are the library's own.
 *
 * *mock is shared memory, so that what a forked ctnrctl did is seen by
 * the test that forked it.
 */
#ifndef CTNR_UNIT_MOCK_H
#define CTNR_UNIT_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctnr/libctnr.h>

#define MOCK_CONTAINERS	16
#define MOCK_RULES	16
#define MOCK_LOOPS	8
#define MOCK_RECORDS	8
#define MOCK_EVENTS	8
#define MOCK_HOOKS	4
#define MOCK_FAILS	8

struct mock_container {
	struct ctnr_container c;
	bool foreign;			/* owned below us: not found by name */
	uint32_t deflt;			/* CTNR_DEV_ALLOW, CTNR_DEV_DENY */
	struct ctnr_dev_rule rules[MOCK_RULES];
	unsigned int nrules;
	struct ctnr_log_info log;
	struct ctnr_loop_info loop;
};

struct mock_fail {
	char fn[32];			/* as in the call log: "container_del" */
	int err;			/* returned, negative errno */
	char msg[128];			/* ctnr_last_error() then */
	int status;			/* exec_spawn: its *status */
};

struct mock {
	/* the script */
	int open_err;			/* ctnr_open() fails with it */
	struct mock_container ctr[MOCK_CONTAINERS];
	unsigned int nctr;
	struct ctnr_loop_dev loops[MOCK_LOOPS];
	unsigned int nloops;
	struct ctnr_log_record recs[MOCK_RECORDS];
	unsigned int nrecs;
	struct ctnr_event_info events[MOCK_EVENTS];
	unsigned int nevents;
	int monitor_first;		/* the first read returns it, if not 0 */
	int monitor_end;		/* reads after the events return it */
	struct ctnr_hook_info hooks[MOCK_HOOKS];
	unsigned int nhooks;
	struct ctnr_info info;
	uint32_t self_id;		/* ctnr_whoami(); 0: -ENOENT */
	char self_name[CTNR_NAME_MAX];
	int exec_exit;			/* the command's status; 128 + N: signal N */
	uint32_t attach_index;		/* loop attach gives it */
	struct mock_fail fail[MOCK_FAILS];
	unsigned int nfail;

	/* what happened */
	unsigned int opens;
	int monitor_reads;
	char last_error[256];
	size_t len;
	char calls[32768];
};

extern struct mock *mock;

/* A fresh script: no containers, the module version "0.1.0", abi 1. */
void mock_reset(void);
/* Forget the calls of the last run (the script stays). */
void mock_new_run(void);
/* A running container of ours with that id and name, cgroup /NAME. */
struct mock_container *mock_container(uint32_t id, const char *name);
/* Every call to @fn fails with @err, explained by @msg ("" for none). */
struct mock_fail *mock_fail(const char *fn, int err, const char *msg);
/* "c 1:3 rwm": how the call log writes a rule. */
const char *mock_rule(const struct ctnr_dev_rule *r, char *buf, size_t len);

#endif /* CTNR_UNIT_MOCK_H */
