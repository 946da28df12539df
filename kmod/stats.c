// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: counters of live objects, in debugfs as ctnr/counters.  Every one
 * is back to zero when nothing is registered: the selftests check it.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>

#include "ctnr.h"

static atomic_long_t ctnr_counters[__CTNR_CNT_MAX];
static struct dentry *ctnr_debugfs;

static const char *const ctnr_counter_names[__CTNR_CNT_MAX] = {
	[CTNR_CNT_CONTAINERS] = "containers",
	[CTNR_CNT_NS_REFS] = "ns_refs",
	[CTNR_CNT_CGROUP_REFS] = "cgroup_refs",
	[CTNR_CNT_PID_REFS] = "pid_refs",
	[CTNR_CNT_USERNS_REFS] = "userns_refs",
	[CTNR_CNT_BYTES] = "bytes",
	[CTNR_CNT_BUCKETS] = "buckets",
	[CTNR_CNT_OWNERS] = "owners",
	[CTNR_CNT_LOGS] = "logs",
	[CTNR_CNT_LOG_FILES] = "log_files",
	[CTNR_CNT_DEV_STATES] = "dev_states",
	[CTNR_CNT_DEV_RULESETS] = "dev_rulesets",
	[CTNR_CNT_DEV_RULES] = "dev_rules",
	[CTNR_CNT_LOOP_DEVICES] = "loop_devices",
	[CTNR_CNT_LOOP_FILE_REFS] = "loop_file_refs",
};

void ctnr_count_add(enum ctnr_counter c, long v)
{
	atomic_long_add(v, &ctnr_counters[c]);
}

long ctnr_count_read(enum ctnr_counter c)
{
	return atomic_long_read(&ctnr_counters[c]);
}

static int ctnr_counters_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < __CTNR_CNT_MAX; i++)
		seq_printf(m, "%s %ld\n", ctnr_counter_names[i],
			   ctnr_count_read(i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ctnr_counters);

/*
 * Reference counts of kernel objects the module takes references on and
 * that nothing else shows; the selftests check that they do not grow.
 */
static int ctnr_kernel_refs_show(struct seq_file *m, void *v)
{
	seq_printf(m, "init_pid_ns %u\n",
		   ctnr_ns_ref_read(&init_pid_ns.ns));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ctnr_kernel_refs);

/* ctnr's debugfs directory, for the files of other parts (hook.c). */
struct dentry *ctnr_debugfs_dir(void)
{
	return ctnr_debugfs;
}

int ctnr_stats_init(void)
{
	/* debugfs is optional: errors only mean no counters file. */
	ctnr_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("counters", 0400, ctnr_debugfs, NULL,
			    &ctnr_counters_fops);
	debugfs_create_file("kernel_refs", 0400, ctnr_debugfs, NULL,
			    &ctnr_kernel_refs_fops);
	return 0;
}

void ctnr_stats_uninit(void)
{
	int i;

	debugfs_remove_recursive(ctnr_debugfs);
	for (i = 0; i < __CTNR_CNT_MAX; i++)
		if (ctnr_count_read(i))
			pr_err("leak: %s %ld at unload\n",
			       ctnr_counter_names[i], ctnr_count_read(i));
}
