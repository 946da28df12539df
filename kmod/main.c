// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: container management interface.
 *
 * Subsystems come up in dependency order and go down in exact reverse: the
 * entry points (netlink, /dev/ctnr) last up and first down, so that nothing
 * can reach a subsystem that is gone.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "ctnr.h"
#include "hook.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

const char ctnr_version[] = CTNR_MODULE_VERSION;

/* Quotas: container.c charges them up the user-namespace chain. */
unsigned int ctnr_max_containers = 1000000;
module_param_named(max_containers, ctnr_max_containers, uint, 0644);
MODULE_PARM_DESC(max_containers,
		 "Most containers registered at once, over all owners; the last sixteenth is kept for the initial user namespace (default 1000000)");

unsigned int ctnr_max_user_containers = 1024;
module_param_named(max_user_containers, ctnr_max_user_containers, uint, 0644);
MODULE_PARM_DESC(max_user_containers,
		 "Most containers owned by all the user namespaces one host user created, and those below them (default 1024)");

unsigned int ctnr_max_ns_containers = 64;
module_param_named(max_ns_containers, ctnr_max_ns_containers, uint, 0644);
MODULE_PARM_DESC(max_ns_containers,
		 "Most containers a user namespace other than the initial one and those below it may own (default 64)");

unsigned int ctnr_max_user_loops = 64;
module_param_named(max_user_loops, ctnr_max_user_loops, uint, 0644);
MODULE_PARM_DESC(max_user_loops,
		 "Most ctnrloop devices of the containers of all the user namespaces one host user created (default 64)");

unsigned int ctnr_max_ns_loops = 16;
module_param_named(max_ns_loops, ctnr_max_ns_loops, uint, 0644);
MODULE_PARM_DESC(max_ns_loops,
		 "Most ctnrloop devices of the containers of a user namespace other than the initial one and those below it (default 16)");

unsigned int ctnr_log_size = 65536;
module_param_named(log_size, ctnr_log_size, uint, 0644);
MODULE_PARM_DESC(log_size,
		 "Bytes of a new container log, 4096 to 16777216 (default 65536)");

unsigned int ctnr_log_rate = 1000;
module_param_named(log_rate, ctnr_log_rate, uint, 0644);
MODULE_PARM_DESC(log_rate,
		 "Records per second each open /dev/ctnr-kmsg may write, 0 for no limit (default 1000)");

unsigned int ctnr_log_burst = 2000;
module_param_named(log_burst, ctnr_log_burst, uint, 0644);
MODULE_PARM_DESC(log_burst,
		 "Records each open /dev/ctnr-kmsg may write at once above log_rate (default 2000)");

bool ctnr_hook_lto;
module_param_named(hook_lto, ctnr_hook_lto, bool, 0444);
MODULE_PARM_DESC(hook_lto,
		 "Install the enforcement hooks even on a kernel built with Clang LTO, where a hooked function may be inlined into callers the hook never sees (default no)");

u64 ctnr_features(void)
{
	u64 f = CTNR_FEAT_CONTAINER | CTNR_FEAT_KMSG | CTNR_FEAT_LOOP;

	if (ctnr_exit_tracking())
		f |= CTNR_FEAT_EXIT_TRACK;
	if (ctnr_devaccess_available())
		f |= CTNR_FEAT_DEVACCESS;
	return f;
}

static int __init ctnr_init(void)
{
	int err;

	err = ctnr_stats_init();
	if (err)
		return err;
	err = ctnr_nsfd_init();
	if (err)
		goto out_stats;
	err = ctnr_container_init();
	if (err)
		goto out_nsfd;
	err = ctnr_kmsg_init();
	if (err)
		goto out_container;
	err = ctnr_devaccess_init();
	if (err)
		goto out_kmsg;
	err = ctnr_loop_init();
	if (err)
		goto out_devaccess;
	err = ctnr_exit_init();
	if (err)
		goto out_loop;
	err = ctnr_dev_init();
	if (err)
		goto out_exit;
	err = ctnr_genl_init();
	if (err)
		goto out_dev;
	/* last: a mount made once it is registered must find everything up */
	err = ctnr_procview_init();
	if (err)
		goto out_genl;
	pr_info("version %s loaded\n", ctnr_version);
	return 0;

out_genl:
	ctnr_genl_uninit();
out_dev:
	ctnr_dev_uninit();
out_exit:
	ctnr_exit_uninit();
	ctnr_container_quiesce();
out_loop:
	ctnr_loop_uninit();
out_devaccess:
	ctnr_devaccess_uninit();
out_kmsg:
	ctnr_kmsg_uninit();
out_container:
	ctnr_container_uninit();
out_nsfd:
	ctnr_nsfd_uninit();
out_stats:
	ctnr_stats_uninit();
	return err;
}

/*
 * The entry points go first, then the event source that queues work (the
 * exit probe) and the work it queued, so that no stop work runs into the
 * subsystems below once they are down.
 */
static void __exit ctnr_exit(void)
{
	ctnr_procview_uninit();	/* nothing is mounted: mounts pin the module */
	ctnr_genl_uninit();
	ctnr_dev_uninit();
	ctnr_exit_uninit();
	ctnr_container_quiesce();
	ctnr_loop_uninit();
	ctnr_devaccess_uninit();
	ctnr_kmsg_uninit();
	ctnr_container_uninit();
	ctnr_nsfd_uninit();
	ctnr_stats_uninit();
}

module_init(ctnr_init);
module_exit(ctnr_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("ctnr developers");
MODULE_DESCRIPTION("Container management: pinned namespace sets, device rules, kmsg and loop namespacing");
MODULE_VERSION(CTNR_RELEASE);
MODULE_ALIAS_GENL_FAMILY(CTNR_GENL_NAME);
