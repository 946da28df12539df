// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: ctnrloop, file-backed block devices that belong to a container.
 *
 * A device is attached with CTNR_IOC_LOOP_ATTACH: the module makes a blk-mq
 * disk /dev/ctnrloopN (dynamic major) over a regular file, charges it to the
 * container's quota and pins the container.  Only tasks of that container,
 * and host root outside every container, may open it (checked in ->open).
 *
 * I/O runs off the submitting context: every request is a work item on the
 * device's unbound workqueue, so requests run in parallel.  Buffered I/O
 * goes through vfs_iter_read()/vfs_iter_write() of the backing file, one
 * call per request; direct I/O submits an asynchronous IOCB_DIRECT kiocb and
 * completes the request from its ki_complete.  Flush is vfs_fsync(),
 * discard and write-zeroes are fallocate() hole punches.
 *
 * Life cycle (enum ctnr_loop_state):
 *
 *   SETUP ------> LIVE ------> DETACHING ------> torn down
 *   attach        opens        no new opens;     del_gendisk, file and
 *   in progress   allowed      waits for the     container released; the
 *                              last close        gendisk (and with it the
 *                                                struct ctnr_loop) goes
 *                                                with its last reference
 *
 * Detaching while openers remain only marks the device; the ->release that
 * drops the last opener queues the teardown.  Exactly one party tears a
 * device down: the one that sets ->teardown, under the disk's open_mutex,
 * while there are no openers.
 *
 * Locking: ctnr_loop_lock (outer) protects the index, every device's state
 * and backing file pointer, and the loop fields of the containers.  A
 * device's state and ->teardown are written with its disk->open_mutex held
 * as well, so ->open and ->release (called under open_mutex) may read them.
 * Nothing sleeps for I/O under ctnr_loop_lock: del_gendisk() runs with no
 * lock held.
 */
#include <linux/blk-cgroup.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/blktrace_api.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/highmem.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "ctnr.h"
#include "genl-gen.h"
#include "hook.h"
#include "trace.h"

#define CTNR_LOOP_NAME		"ctnrloop"
#define CTNR_LOOP_INLINE_VECS	16
#define CTNR_LOOP_MAX_SECTORS	2560		/* 1.25 MiB requests */
#define CTNR_LOOP_QUEUED	1		/* completes asynchronously */
#define CTNR_LOOP_MAX_INDEX	(MINORMASK + 1)	/* one minor per disk */

static unsigned int ctnr_loop_quota_default = 8;
module_param_named(loop_quota_default, ctnr_loop_quota_default, uint, 0644);
MODULE_PARM_DESC(loop_quota_default,
		 "ctnrloop devices a container may have unless its quota is set (default 8)");

static unsigned int ctnr_loop_max = 256;
module_param_named(loop_max_devices, ctnr_loop_max, uint, 0644);
MODULE_PARM_DESC(loop_max_devices,
		 "Most ctnrloop devices at once, over all containers (default 256)");

static unsigned int ctnr_loop_depth = 128;
module_param_named(loop_queue_depth, ctnr_loop_depth, uint, 0444);
MODULE_PARM_DESC(loop_queue_depth,
		 "Requests in flight per ctnrloop device (default 128)");

static unsigned int ctnr_loop_workers = 16;
module_param_named(loop_workers, ctnr_loop_workers, uint, 0444);
MODULE_PARM_DESC(loop_workers,
		 "Requests of one ctnrloop device processed at once (default 16)");

enum ctnr_loop_state {
	CTNR_LOOP_SETUP,	/* being attached; only the attacher opens */
	CTNR_LOOP_LIVE,
	CTNR_LOOP_DETACHING,	/* no new opens; torn down at last close */
};

struct ctnr_loop {
	int index;				/* N of ctnrloopN */
	struct ctnr_container *owner;		/* ctnr_husk_get() reference */
	struct file *backing;			/* counted, under ctnr_loop_lock */
	struct gendisk *disk;			/* NULL until allocated */
	struct blk_mq_tag_set tag_set;
	bool added;				/* add_disk() succeeded */
	bool announced;				/* ATTACHED event sent */
	struct workqueue_struct *wq;		/* the requests */
	u64 offset;				/* bytes into the file */
	u64 size;				/* bytes */
	u32 flags;				/* CTNR_LOOP_F_READ_ONLY|DIRECT_IO */
	u32 block_size;
	atomic64_t rbytes;
	atomic64_t wbytes;
	unsigned long quota_logged;		/* jiffies of the EDQUOT line */

	/* ctnr_loop_lock and disk->open_mutex to write, either to read */
	enum ctnr_loop_state state;
	bool teardown;				/* someone tears it down */
	struct task_struct *setup_task;		/* may open in SETUP */

	struct work_struct release_work;	/* teardown after last close */
	struct list_head gone_node;		/* ctnr_loop_container_gone() */
	struct rcu_head rcu;			/* ctnr_loop_owned_rcu() */
};

/* Per request, in the blk-mq pdu. */
struct ctnr_loop_cmd {
	struct work_struct work;
	struct kiocb iocb;			/* direct I/O */
	atomic_t ref;				/* direct I/O: submit + complete */
	long ret;
	struct bio_vec *bvec;			/* built for multi-bio requests */
	struct cgroup_subsys_state *blkcg_css;	/* the submitter's, if any */
	struct cgroup_subsys_state *memcg_css;	/* counted: blkcg's memcg */
	struct bio_vec inline_vec[CTNR_LOOP_INLINE_VECS];
};

/*
 * ctnr_loop_lock protects ctnr_loops (writes and walks), ctnr_loop_used,
 * every device's state and backing pointer, and the loop_* fields of every
 * container.
 * Nests outside a disk's open_mutex.
 */
static DEFINE_MUTEX(ctnr_loop_lock);
static DEFINE_XARRAY_ALLOC(ctnr_loops);		/* index -> device */
static unsigned int ctnr_loop_used;		/* indexes in ctnr_loops */
static int ctnr_loop_major;
static struct workqueue_struct *ctnr_loop_wq;	/* deferred teardowns */
static struct vfsmount *ctnr_loop_devmnt;	/* devtmpfs, for F_OPEN */
static const struct cred *ctnr_loop_kcred;	/* to chown nodes */
static atomic_t ctnr_loop_alive = ATOMIC_INIT(0);	/* not yet freed */

static void ctnr_loop_free(struct ctnr_loop *lo)
{
	kfree_rcu(lo, rcu);
	ctnr_count_add(CTNR_CNT_LOOP_DEVICES, -1);
	ctnr_count_add(CTNR_CNT_BYTES, -(long)sizeof(*lo));
	/* The last thing: ctnr_loop_uninit() may be waiting to unload. */
	if (atomic_dec_and_test(&ctnr_loop_alive))
		wake_up_var(&ctnr_loop_alive);
}

/* ------------------------------------------------------------------ */
/* Permissions                                                         */
/* ------------------------------------------------------------------ */

static struct user_namespace *ctnr_loop_userns(const struct ctnr_container *c)
{
	struct ns_common *ns = c->ns[CTNR_NS_USER];

	return ns ? container_of(ns, struct user_namespace, ns) : c->owner;
}

/*
 * The container current is in, compared with @c: 1 in @c, 0 in another,
 * -1 in none.  Under RCU and without a reference: the put of one could be
 * a container's last, and release its namespaces under disk->open_mutex or
 * ctnr_loop_lock, which the callers may hold.
 */
static int ctnr_loop_current_in(const struct ctnr_container *c)
{
	struct ctnr_container *self;
	int in;

	rcu_read_lock();
	self = ctnr_find_by_cgroup_rcu(task_dfl_cgroup(current));
	in = self ? self == c : -1;
	rcu_read_unlock();
	return in;
}

/*
 * May the caller (and the opener of @file) attach to and detach from @c?
 * CAP_SYS_ADMIN in the container's user namespace, and the container must
 * be one the caller sees: one it manages, or the one it runs in.
 */
static bool ctnr_loop_may_admin(struct ctnr_container *c,
				const struct file *file)
{
	struct user_namespace *userns = ctnr_loop_userns(c);

	if (file && !file_ns_capable(file, userns, CAP_SYS_ADMIN))
		return false;
	if (!ns_capable_noaudit(userns, CAP_SYS_ADMIN))
		return false;
	if (ctnr_may_manage(c, file))
		return true;
	return ctnr_loop_current_in(c) == 1;
}

/*
 * Is @devt a ctnrloop device of @c?  For the device-access hook: any
 * context but NMI; no lock needed.
 */
bool ctnr_loop_owned_rcu(dev_t devt, const struct ctnr_container *c)
{
	struct ctnr_loop *lo;
	bool ok;

	if (!ctnr_loop_major || MAJOR(devt) != ctnr_loop_major)
		return false;
	rcu_read_lock();
	lo = xa_load(&ctnr_loops, MINOR(devt));
	ok = lo && READ_ONCE(lo->owner) == c;
	rcu_read_unlock();
	return ok;
}

/* Tasks of the owning container, and host root outside any container. */
static bool ctnr_loop_may_open(const struct ctnr_loop *lo)
{
	int in = ctnr_loop_current_in(lo->owner);

	return in < 0 ? capable(CAP_SYS_ADMIN) : in;
}

static int ctnr_loop_bdev_open(struct ctnr_loop *lo)
{
	switch (lo->state) {
	case CTNR_LOOP_SETUP:
		return lo->setup_task == current ? 0 : -ENXIO;
	case CTNR_LOOP_LIVE:
		return ctnr_loop_may_open(lo) ? 0 : -EPERM;
	default:
		return -ENXIO;
	}
}

/* Called under disk->open_mutex, after the opener count went down. */
static void ctnr_loop_bdev_release(struct gendisk *disk)
{
	struct ctnr_loop *lo = disk->private_data;

	if (disk_openers(disk) || lo->state != CTNR_LOOP_DETACHING ||
	    lo->teardown)
		return;
	lo->teardown = true;
	queue_work(ctnr_loop_wq, &lo->release_work);
}

#ifdef CTNR_KERNEL_BDOPS_GENDISK
static int ctnr_loop_open(struct gendisk *disk, blk_mode_t mode)
{
	return ctnr_loop_bdev_open(disk->private_data);
}

static void ctnr_loop_release(struct gendisk *disk)
{
	ctnr_loop_bdev_release(disk);
}
#else
static int ctnr_loop_open(struct block_device *bdev, fmode_t mode)
{
	return ctnr_loop_bdev_open(bdev->bd_disk->private_data);
}

static void ctnr_loop_release(struct gendisk *disk, fmode_t mode)
{
	ctnr_loop_bdev_release(disk);
}
#endif

/* The disk's last reference is gone: so is the device. */
static void ctnr_loop_free_disk(struct gendisk *disk)
{
	ctnr_loop_free(disk->private_data);
}

static const struct block_device_operations ctnr_loop_fops = {
	.owner = THIS_MODULE,
	.open = ctnr_loop_open,
	.release = ctnr_loop_release,
	.free_disk = ctnr_loop_free_disk,
};

/* ------------------------------------------------------------------ */
/* Block ioctls                                                        */
/* ------------------------------------------------------------------ */

/*
 * blkdev_ioctl() serves the generic block ioctls itself: a driver's
 * ->ioctl sees none of them.  Documentation/loop.rst has the audit: every
 * one is safe for an opener without host privileges (it checks
 * capable(CAP_SYS_ADMIN) itself, only reads, or is I/O on the device)
 * except the blktrace ones, BLKTRACESETUP (and its 32-bit and v2 forms),
 * BLKTRACESTART, BLKTRACESTOP and BLKTRACETEARDOWN.  They all go to
 * blk_trace_ioctl(), which checks nothing: BLKTRACESETUP lets the caller
 * have up to 4 GiB of unaccounted relay buffers allocated per CPU.
 *
 * So a kprobe at the entry of
 *   int blk_trace_ioctl(struct block_device *bdev, unsigned int cmd,
 *                       char __user *arg);
 * diverts calls on a ctnrloop disk by a caller without CAP_SYS_ADMIN in
 * the initial user namespace to ctnr_loop_blktrace_refuse(): EPERM.  The
 * test is on the capability bits, as cap_capable() makes it, without the
 * LSM hooks, which may sleep; the kernel itself asks nothing here.  An
 * (empty) post-handler keeps an int3 probe from being jump-optimised,
 * which would ignore the diversion.  The probe is registered at load for
 * the module's life: it costs nothing but on blktrace ioctls.  A diverted
 * caller holds the disk open, so the module cannot go while it runs in
 * the refusal.
 *
 * An unprivileged attach is refused if the probe could not be registered,
 * and otherwise checks that it enforces, with a BLKTRACESTOP of its own on
 * the new disk (ctnr_loop_blktrace_enforced()).
 *
 * kmod/hook.c (DESIGN "Hooks") is to be the one diversion mechanism; this
 * is the small part of it that loop.c needs: a symbol, a predicate that
 * runs in the pre-handler, a divert target, and "is it enforcing".
 */
static bool ctnr_loop_blktrace_hooked;

static noinline int ctnr_loop_blktrace_refuse(struct block_device *bdev,
					      unsigned int cmd,
					      char __user *arg)
{
	return -EPERM;
}

static int ctnr_loop_blktrace_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct cred *cred = current_cred();
	struct block_device *bdev;
	unsigned long args[4];

	ctnr_arch_hook_args(regs, args);
	bdev = (struct block_device *)args[0];
	if (!bdev || MAJOR(bdev->bd_dev) != ctnr_loop_major)
		return 0;
	if (cred->user_ns == &init_user_ns &&
	    cap_raised(cred->cap_effective, CAP_SYS_ADMIN))
		return 0;
	ctnr_arch_hook_divert(regs, ctnr_loop_blktrace_refuse);
	return 1;
}

static void ctnr_loop_blktrace_post(struct kprobe *p, struct pt_regs *regs,
				    unsigned long flags)
{
}

static struct kprobe ctnr_loop_blktrace_kp = {
	.symbol_name = "blk_trace_ioctl",
	.pre_handler = ctnr_loop_blktrace_pre,
	.post_handler = ctnr_loop_blktrace_post,
};

static void ctnr_loop_blktrace_init(void)
{
	int err;

	if (!IS_ENABLED(CONFIG_BLK_DEV_IO_TRACE))
		return;
	if (!ctnr_arch_hook_supported()) {
		pr_warn("blktrace guard not implemented for this architecture: only host root may attach ctnrloop devices\n");
		return;
	}
	err = register_kprobe(&ctnr_loop_blktrace_kp);
	if (err) {
		pr_warn("cannot probe blk_trace_ioctl (%d): only host root may attach ctnrloop devices\n",
			err);
		return;
	}
	ctnr_loop_blktrace_hooked = true;
}

static void ctnr_loop_blktrace_uninit(void)
{
	if (ctnr_loop_blktrace_hooked)
		unregister_kprobe(&ctnr_loop_blktrace_kp);
	ctnr_loop_blktrace_hooked = false;
}

/* ------------------------------------------------------------------ */
/* I/O                                                                 */
/* ------------------------------------------------------------------ */

/*
 * Describe the whole request as one bvec iterator.  A request of one bio
 * uses that bio's vector in place; several bios need a vector of their own.
 */
static int ctnr_loop_iter(struct request *rq, struct ctnr_loop_cmd *cmd,
			  unsigned int dir, struct iov_iter *iter)
{
	struct req_iterator ri;
	struct bio_vec bv, *vec;
	unsigned int n = 0;

	rq_for_each_bvec(bv, rq, ri)
		n++;

	cmd->bvec = NULL;
	if (rq->bio == rq->biotail) {
		struct bio *bio = rq->bio;

		iov_iter_bvec(iter, dir,
			      __bvec_iter_bvec(bio->bi_io_vec, bio->bi_iter),
			      n, blk_rq_bytes(rq));
		iter->iov_offset = bio->bi_iter.bi_bvec_done;
		return 0;
	}

	if (n <= CTNR_LOOP_INLINE_VECS) {
		vec = cmd->inline_vec;
	} else {
		vec = kmalloc_array(n, sizeof(*vec), GFP_NOIO);
		if (!vec)
			return -ENOMEM;
	}
	cmd->bvec = vec;
	rq_for_each_bvec(bv, rq, ri)
		*vec++ = bv;
	iov_iter_bvec(iter, dir, cmd->bvec, n, blk_rq_bytes(rq));
	return 0;
}

static void ctnr_loop_iter_done(struct ctnr_loop_cmd *cmd)
{
	if (cmd->bvec != cmd->inline_vec)
		kfree(cmd->bvec);
	cmd->bvec = NULL;
}

/* Zero what a short read (end of the backing file) left unfilled. */
static void ctnr_loop_zero_from(struct request *rq, unsigned int done)
{
	struct req_iterator ri;
	struct bio_vec bv;

	rq_for_each_segment(bv, rq, ri) {
		if (done >= bv.bv_len) {
			done -= bv.bv_len;
			continue;
		}
		memzero_page(bv.bv_page, bv.bv_offset + done, bv.bv_len - done);
		done = 0;
	}
}

static void ctnr_loop_flush_dcache(struct request *rq)
{
#if ARCH_IMPLEMENTS_FLUSH_DCACHE_PAGE
	struct req_iterator ri;
	struct bio_vec bv;

	rq_for_each_segment(bv, rq, ri)
		flush_dcache_page(bv.bv_page);
#endif
}

static int ctnr_loop_read(struct ctnr_loop *lo, struct request *rq,
			  struct ctnr_loop_cmd *cmd, loff_t pos)
{
	unsigned int bytes = blk_rq_bytes(rq);
	struct iov_iter iter;
	ssize_t len;
	int err;

	err = ctnr_loop_iter(rq, cmd, ITER_DEST, &iter);
	if (err)
		return err;
	while (iov_iter_count(&iter)) {
		len = vfs_iter_read(lo->backing, &iter, &pos, 0);
		if (len < 0) {
			err = len;
			break;
		}
		if (!len) {	/* the file ends before the device */
			ctnr_loop_zero_from(rq, bytes - iov_iter_count(&iter));
			break;
		}
	}
	ctnr_loop_iter_done(cmd);
	if (err)
		return err;
	ctnr_loop_flush_dcache(rq);
	atomic64_add(bytes, &lo->rbytes);
	return 0;
}

static int ctnr_loop_write(struct ctnr_loop *lo, struct request *rq,
			   struct ctnr_loop_cmd *cmd, loff_t pos)
{
	unsigned int bytes = blk_rq_bytes(rq);
	struct iov_iter iter;
	ssize_t len;
	int err;

	err = ctnr_loop_iter(rq, cmd, ITER_SOURCE, &iter);
	if (err)
		return err;
	ctnr_iter_write_start(lo->backing);
	while (iov_iter_count(&iter)) {
		len = vfs_iter_write(lo->backing, &iter, &pos, 0);
		if (len <= 0) {
			err = len ? len : -EIO;
			break;
		}
	}
	ctnr_iter_write_end(lo->backing);
	ctnr_loop_iter_done(cmd);
	if (err)
		return err;
	atomic64_add(bytes, &lo->wbytes);
	return 0;
}

/* Both the submitter and the completion hold a reference. */
static void ctnr_loop_aio_put(struct ctnr_loop_cmd *cmd)
{
	if (!atomic_dec_and_test(&cmd->ref))
		return;
	ctnr_loop_iter_done(cmd);
	if (cmd->iocb.ki_flags & IOCB_WRITE)
		kiocb_end_write(&cmd->iocb);
	blk_mq_complete_request(blk_mq_rq_from_pdu(cmd));
}

static void ctnr_loop_aio_done(struct kiocb *iocb, long ret)
{
	struct ctnr_loop_cmd *cmd = container_of(iocb, struct ctnr_loop_cmd,
						 iocb);

	cmd->ret = ret;
	ctnr_loop_aio_put(cmd);
}

static int ctnr_loop_direct(struct ctnr_loop *lo, struct request *rq,
			    struct ctnr_loop_cmd *cmd, loff_t pos,
			    unsigned int dir)
{
	struct file *file = lo->backing;
	struct kiocb *iocb = &cmd->iocb;
	struct iov_iter iter;
	ssize_t ret;
	int err;

	err = ctnr_loop_iter(rq, cmd, dir, &iter);
	if (err)
		return err;
	memset(iocb, 0, sizeof(*iocb));
	iocb->ki_filp = file;
	iocb->ki_pos = pos;
	iocb->ki_complete = ctnr_loop_aio_done;
	iocb->ki_flags = IOCB_DIRECT;
	iocb->ki_ioprio = req_get_ioprio(rq);
	atomic_set(&cmd->ref, 2);
	if (dir == ITER_SOURCE) {
		iocb->ki_flags |= IOCB_WRITE;
		kiocb_start_write(iocb);
		ret = file->f_op->write_iter(iocb, &iter);
	} else {
		ret = file->f_op->read_iter(iocb, &iter);
	}
	ctnr_loop_aio_put(cmd);
	if (ret != -EIOCBQUEUED)
		ctnr_loop_aio_done(iocb, ret);
	return CTNR_LOOP_QUEUED;
}

static int ctnr_loop_fallocate(struct ctnr_loop *lo, struct request *rq,
			       loff_t pos, int mode)
{
	int err;

	err = vfs_fallocate(lo->backing, mode | FALLOC_FL_KEEP_SIZE, pos,
			    blk_rq_bytes(rq));
	if (err && err != -EOPNOTSUPP && err != -ENOSPC && err != -EDQUOT)
		err = -EIO;
	return err;
}

/*
 * Write-zeroes that may unmap is a hole punch.  One that must keep the
 * blocks allocated is a zero-range, or where the file system has none
 * (tmpfs), a hole punch followed by a plain allocation.
 */
static int ctnr_loop_zeroes(struct ctnr_loop *lo, struct request *rq,
			    loff_t pos)
{
	int err;

	if (!(rq->cmd_flags & REQ_NOUNMAP))
		return ctnr_loop_fallocate(lo, rq, pos, FALLOC_FL_PUNCH_HOLE);
	err = ctnr_loop_fallocate(lo, rq, pos, FALLOC_FL_ZERO_RANGE);
	if (err != -EOPNOTSUPP)
		return err;
	err = ctnr_loop_fallocate(lo, rq, pos, FALLOC_FL_PUNCH_HOLE);
	return err ?: ctnr_loop_fallocate(lo, rq, pos, 0);
}

/* 0, a negative errno, or CTNR_LOOP_QUEUED when completion is async. */
static int ctnr_loop_handle(struct ctnr_loop *lo, struct request *rq,
			    struct ctnr_loop_cmd *cmd)
{
	loff_t pos = ((loff_t)blk_rq_pos(rq) << SECTOR_SHIFT) + lo->offset;
	bool direct = lo->flags & CTNR_LOOP_F_DIRECT_IO;

	if (op_is_write(req_op(rq)) && (lo->flags & CTNR_LOOP_F_READ_ONLY))
		return -EIO;

	switch (req_op(rq)) {
	case REQ_OP_READ:
		return direct ? ctnr_loop_direct(lo, rq, cmd, pos, ITER_DEST) :
				ctnr_loop_read(lo, rq, cmd, pos);
	case REQ_OP_WRITE:
		return direct ? ctnr_loop_direct(lo, rq, cmd, pos, ITER_SOURCE) :
				ctnr_loop_write(lo, rq, cmd, pos);
	case REQ_OP_FLUSH:
		return vfs_fsync(lo->backing, 0) ? -EIO : 0;
	case REQ_OP_DISCARD:
		return ctnr_loop_fallocate(lo, rq, pos, FALLOC_FL_PUNCH_HOLE);
	case REQ_OP_WRITE_ZEROES:
		return ctnr_loop_zeroes(lo, rq, pos);
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * The block layer has no status for a quota: a write over the owner's
 * quota ends as "no space", as one over a full file system does, and the
 * container's log says which it was (at most once in 5 s per device).
 */
static blk_status_t ctnr_loop_status(struct ctnr_loop *lo, long err)
{
	if (err == -EDQUOT) {
		unsigned long last = READ_ONCE(lo->quota_logged);

		if (!last || time_after(jiffies, last + 5 * HZ)) {
			WRITE_ONCE(lo->quota_logged, jiffies ?: 1);
			ctnr_log_emit(lo->owner, LOGLEVEL_WARNING,
				      "%s%d: write over the disk quota of the backing file's owner (EDQUOT), reported as no space\n",
				      CTNR_LOOP_NAME, lo->index);
		}
		err = -ENOSPC;
	}
	return errno_to_blk_status(err);
}

/*
 * A request, in a worker of the device's workqueue, as the submitter
 * would have done it:
 * - with the credentials the backing file was opened with, so that the
 *   file system sees its opener, not the kworker's full capabilities:
 *   disk quotas and reserved blocks hold, suid bits are stripped, LSM
 *   checks see the container;
 * - in the submitter's blkcg, and charging the page cache and other
 *   memory of the backing I/O to that cgroup's memcg;
 * - with PF_MEMALLOC_NOIO (writeback may wait on us: never recurse into
 *   the block layer) and PF_LOCAL_THROTTLE (throttled against the dirty
 *   limits of the backing file's bdi only, not the global ones, which
 *   the device's own dirty pages fill), as the kernel's loop does.
 * Pool workers run other work items too: their flags are restored.
 */
static void ctnr_loop_work(struct work_struct *work)
{
	struct ctnr_loop_cmd *cmd = container_of(work, struct ctnr_loop_cmd,
						 work);
	struct request *rq = blk_mq_rq_from_pdu(cmd);
	struct ctnr_loop *lo = rq->q->queuedata;
	struct cgroup_subsys_state *css = cmd->blkcg_css;
	unsigned int throttle = current->flags & CTNR_PF_LOCAL_THROTTLE;
	struct mem_cgroup *old_memcg = NULL;
	const struct cred *old_cred;
	unsigned int noio;
	int ret;

	noio = memalloc_noio_save();
	current->flags |= CTNR_PF_LOCAL_THROTTLE;
	old_cred = override_creds(lo->backing->f_cred);
	if (css)
		kthread_associate_blkcg(css);
#ifdef CONFIG_MEMCG
	if (cmd->memcg_css)
		old_memcg = set_active_memcg(mem_cgroup_from_css(cmd->memcg_css));
#endif
	ret = ctnr_loop_handle(lo, rq, cmd);
#ifdef CONFIG_MEMCG
	if (cmd->memcg_css) {
		set_active_memcg(old_memcg);
		css_put(cmd->memcg_css);
		cmd->memcg_css = NULL;
	}
#endif
	if (css)
		kthread_associate_blkcg(NULL);
	revert_creds(old_cred);
	current->flags = (current->flags & ~CTNR_PF_LOCAL_THROTTLE) | throttle;
	memalloc_noio_restore(noio);
	if (ret != CTNR_LOOP_QUEUED)
		blk_mq_end_request(rq, ctnr_loop_status(lo, ret));
}

static blk_status_t ctnr_loop_queue_rq(struct blk_mq_hw_ctx *hctx,
				       const struct blk_mq_queue_data *bd)
{
	struct request *rq = bd->rq;
	struct ctnr_loop_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct ctnr_loop *lo = rq->q->queuedata;

	blk_mq_start_request(rq);
	cmd->blkcg_css = NULL;
	cmd->memcg_css = NULL;
#ifdef CONFIG_BLK_CGROUP
	/* the first bio's; the request's bios hold their blkcg */
	if (rq->bio)
		cmd->blkcg_css = bio_blkcg_css(rq->bio);
#ifdef CONFIG_MEMCG
	if (cmd->blkcg_css)
		cmd->memcg_css = cgroup_get_e_css(cmd->blkcg_css->cgroup,
						  &memory_cgrp_subsys);
#endif
#endif
	queue_work(lo->wq, &cmd->work);
	return BLK_STS_OK;
}

/* Completion of direct I/O, from ctnr_loop_aio_put(). */
static void ctnr_loop_complete(struct request *rq)
{
	struct ctnr_loop_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct ctnr_loop *lo = rq->q->queuedata;
	unsigned int bytes = blk_rq_bytes(rq);
	long ret = cmd->ret;

	if (ret >= 0 && ret < bytes) {
		if (req_op(rq) == REQ_OP_READ) {
			ctnr_loop_zero_from(rq, ret);
			ret = bytes;
		} else {
			ret = -EIO;
		}
	}
	if (ret >= 0)
		atomic64_add(bytes, req_op(rq) == REQ_OP_READ ?
			     &lo->rbytes : &lo->wbytes);
	blk_mq_end_request(rq, ret < 0 ? ctnr_loop_status(lo, ret) :
				BLK_STS_OK);
}

static int ctnr_loop_init_request(struct blk_mq_tag_set *set,
				  struct request *rq, unsigned int hctx_idx,
				  ctnr_numa_node_t numa_node)
{
	struct ctnr_loop_cmd *cmd = blk_mq_rq_to_pdu(rq);

	INIT_WORK(&cmd->work, ctnr_loop_work);
	return 0;
}

static const struct blk_mq_ops ctnr_loop_mq_ops = {
	.queue_rq = ctnr_loop_queue_rq,
	.complete = ctnr_loop_complete,
	.init_request = ctnr_loop_init_request,
};

/* ------------------------------------------------------------------ */
/* Creation and teardown                                               */
/* ------------------------------------------------------------------ */

struct ctnr_loop_limits {
	u32 block_size;
	u32 discard_granularity;	/* 0: no discard */
	bool write_cache;
	bool rotational;
};

static void ctnr_loop_get_limits(struct ctnr_loop *lo, struct file *file,
				 struct ctnr_loop_limits *l)
{
	struct super_block *sb = file_inode(file)->i_sb;
	bool ro = lo->flags & CTNR_LOOP_F_READ_ONLY;
	struct kstatfs st;

	memset(l, 0, sizeof(*l));
	l->block_size = lo->block_size;
	l->write_cache = !ro && file->f_op->fsync;
	if (!ro && file->f_op->fallocate && !vfs_statfs(&file->f_path, &st))
		l->discard_granularity = max_t(u32, st.f_bsize, lo->block_size);
	l->rotational = sb->s_bdev && ctnr_bdev_rot(sb->s_bdev);
}

#ifdef CTNR_KERNEL_BLK_LIMITS_ALLOC
static struct gendisk *ctnr_loop_alloc_disk(struct ctnr_loop *lo,
					    const struct ctnr_loop_limits *l)
{
	struct queue_limits lim = {
		.logical_block_size = l->block_size,
		.physical_block_size = l->block_size,
		.io_min = l->block_size,
		.max_hw_sectors = CTNR_LOOP_MAX_SECTORS,
	};

	if (l->write_cache)
		lim.features |= BLK_FEAT_WRITE_CACHE;
	if (l->rotational)
		lim.features |= BLK_FEAT_ROTATIONAL;
	if (l->discard_granularity) {
		lim.discard_granularity = l->discard_granularity;
		lim.max_hw_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		lim.max_write_zeroes_sectors = UINT_MAX >> SECTOR_SHIFT;
	}
	return blk_mq_alloc_disk(&lo->tag_set, &lim, lo);
}
#else
static struct gendisk *ctnr_loop_alloc_disk(struct ctnr_loop *lo,
					    const struct ctnr_loop_limits *l)
{
	struct gendisk *disk = blk_mq_alloc_disk(&lo->tag_set, lo);
	struct request_queue *q;

	if (IS_ERR(disk))
		return disk;
	q = disk->queue;
	blk_queue_logical_block_size(q, l->block_size);
	blk_queue_physical_block_size(q, l->block_size);
	blk_queue_io_min(q, l->block_size);
	blk_queue_max_hw_sectors(q, CTNR_LOOP_MAX_SECTORS);
	blk_queue_write_cache(q, l->write_cache, false);
	if (!l->rotational)
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	if (l->discard_granularity) {
		q->limits.discard_granularity = l->discard_granularity;
		blk_queue_max_discard_sectors(q, UINT_MAX >> SECTOR_SHIFT);
		blk_queue_max_write_zeroes_sectors(q, UINT_MAX >> SECTOR_SHIFT);
	}
	return disk;
}
#endif

static void ctnr_loop_release_work(struct work_struct *work);

/* Everything but the index: the disk, its queue and tag set. */
static struct ctnr_loop *ctnr_loop_alloc(struct ctnr_container *c,
					 struct file *file, u32 flags,
					 u64 offset, u64 size, u32 block_size)
{
	struct ctnr_loop_limits l;
	struct ctnr_loop *lo;
	struct gendisk *disk;
	int err;

	lo = kzalloc(sizeof(*lo), GFP_KERNEL);
	if (!lo)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&ctnr_loop_alive);
	ctnr_count_add(CTNR_CNT_LOOP_DEVICES, 1);
	ctnr_count_add(CTNR_CNT_BYTES, sizeof(*lo));
	lo->index = -1;
	lo->flags = flags;
	lo->offset = offset;
	lo->size = size;
	lo->block_size = block_size;
	lo->state = CTNR_LOOP_SETUP;
	lo->setup_task = current;
	INIT_WORK(&lo->release_work, ctnr_loop_release_work);
	INIT_LIST_HEAD(&lo->gone_node);

	lo->tag_set.ops = &ctnr_loop_mq_ops;
	lo->tag_set.nr_hw_queues = 1;
	lo->tag_set.queue_depth = clamp_val(ctnr_loop_depth, 1, 1024);
	lo->tag_set.numa_node = NUMA_NO_NODE;
	lo->tag_set.cmd_size = sizeof(struct ctnr_loop_cmd);
	lo->tag_set.flags = CTNR_BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_STACKING |
			    BLK_MQ_F_NO_SCHED_BY_DEFAULT;
	lo->tag_set.driver_data = lo;
	err = blk_mq_alloc_tag_set(&lo->tag_set);
	if (err)
		goto out_free;

	ctnr_loop_get_limits(lo, file, &l);
	disk = ctnr_loop_alloc_disk(lo, &l);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto out_tags;
	}
	lo->disk = disk;
	disk->major = ctnr_loop_major;
	disk->minors = 1;
	disk->flags |= GENHD_FL_NO_PART;
	disk->fops = &ctnr_loop_fops;
	disk->private_data = lo;
	set_disk_ro(disk, flags & CTNR_LOOP_F_READ_ONLY);
	set_capacity(disk, size >> SECTOR_SHIFT);
	return lo;

out_tags:
	blk_mq_free_tag_set(&lo->tag_set);
out_free:
	ctnr_loop_free(lo);
	return ERR_PTR(err);
}

/* Events name the device. */
static int ctnr_loop_put_index(struct sk_buff *skb, const void *arg)
{
	return nla_put_u32(skb, CTNR_A_LOOP_INDEX, *(const int *)arg);
}

/*
 * Release everything of a device that has no openers and will get none:
 * called by exactly one party, with no lock held.
 */
static void ctnr_loop_teardown(struct ctnr_loop *lo)
{
	struct ctnr_container *c = lo->owner;
	struct gendisk *disk = lo->disk;
	bool announced = lo->announced;
	int index = lo->index;
	struct file *file;

	if (lo->added)
		del_gendisk(disk);	/* waits for the I/O in flight */

	/* Gone for userspace: the quota and the index are free again. */
	mutex_lock(&ctnr_loop_lock);
	if (index >= 0) {
		xa_erase(&ctnr_loops, index);
		ctnr_loop_used--;
		c->loop_count--;
		ctnr_uncharge(c, CTNR_RES_LOOPS);
	}
	file = lo->backing;
	lo->backing = NULL;
	mutex_unlock(&ctnr_loop_lock);
	if (lo->wq)
		destroy_workqueue(lo->wq);

	fput(file);
	ctnr_count_add(CTNR_CNT_LOOP_FILE_REFS, -1);
	if (announced) {
		trace_ctnr_loop_detach(c, index);
		ctnr_genl_notify_extra(c, CTNR_EVENT_LOOP_DETACHED,
				       ctnr_loop_put_index, &index);
		ctnr_log_emit(c, LOGLEVEL_INFO, "%s%d: detached\n",
			      CTNR_LOOP_NAME, index);
	}
	WRITE_ONCE(lo->owner, NULL);
	ctnr_husk_put(c);

	if (lo->added) {
		/* The queue is gone with del_gendisk(): the tags may go. */
		blk_mq_free_tag_set(&lo->tag_set);
		put_disk(disk);		/* the last put frees @lo */
	} else {
		/* A disk never added still needs its tag set to go. */
		put_disk(disk);
		blk_mq_free_tag_set(&lo->tag_set);
		ctnr_loop_free(lo);
	}
}

static void ctnr_loop_release_work(struct work_struct *work)
{
	ctnr_loop_teardown(container_of(work, struct ctnr_loop, release_work));
}

/*
 * Stop new opens of @lo.  Returns true when the caller must tear it down
 * now; else the last ->release will.  Caller holds ctnr_loop_lock.
 */
static bool ctnr_loop_begin_detach(struct ctnr_loop *lo)
{
	bool now;

	lockdep_assert_held(&ctnr_loop_lock);
	mutex_lock(&lo->disk->open_mutex);
	lo->state = CTNR_LOOP_DETACHING;
	now = !lo->teardown && !disk_openers(lo->disk);
	if (now)
		lo->teardown = true;
	mutex_unlock(&lo->disk->open_mutex);
	return now;
}

static void ctnr_loop_set_state(struct ctnr_loop *lo,
				enum ctnr_loop_state state)
{
	lockdep_assert_held(&ctnr_loop_lock);
	mutex_lock(&lo->disk->open_mutex);
	lo->state = state;
	mutex_unlock(&lo->disk->open_mutex);
}

/* ------------------------------------------------------------------ */
/* Attach and detach                                                   */
/* ------------------------------------------------------------------ */

static unsigned int ctnr_loop_quota(const struct ctnr_container *c)
{
	return READ_ONCE(c->loop_quota_set) ? READ_ONCE(c->loop_quota) :
					      READ_ONCE(ctnr_loop_quota_default);
}

/* Can @file serve direct I/O in blocks of @bs from @offset? */
static bool ctnr_loop_dio_ok(struct file *file, u64 offset, u32 bs)
{
	struct super_block *sb = file_inode(file)->i_sb;
	unsigned int align = SECTOR_SIZE;

	if (!(file->f_mode & FMODE_CAN_ODIRECT) || !file->f_op->read_iter)
		return false;
	if (sb->s_bdev)
		align = bdev_logical_block_size(sb->s_bdev);
	return bs >= align && IS_ALIGNED(offset, align);
}

/* Check the backing file; returns the device size in bytes or an error. */
static s64 ctnr_loop_check_file(struct file *file,
				const struct ctnr_ioc_loop_attach *req,
				u32 bs)
{
	struct inode *inode = file_inode(file);
	bool ro = req->flags & CTNR_LOOP_F_READ_ONLY;
	loff_t isize;
	u64 size;

	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	if (!(file->f_mode & FMODE_READ) || !file->f_op->read_iter)
		return -EBADF;
	if (!ro && (!(file->f_mode & FMODE_WRITE) || !file->f_op->write_iter))
		return -EBADF;
	if (!ro && (file->f_flags & O_APPEND))
		return -EINVAL;
	if (IS_SWAPFILE(inode))
		return -ETXTBSY;
	isize = i_size_read(inode);
	if (req->offset >= isize || !IS_ALIGNED(req->offset, bs))
		return -EINVAL;
	size = isize - req->offset;
	if (req->sizelimit && req->sizelimit < size)
		size = req->sizelimit;
	size = round_down(size, bs);
	if (!size)
		return -EINVAL;
	if ((req->flags & CTNR_LOOP_F_DIRECT_IO) &&
	    !ctnr_loop_dio_ok(file, req->offset, bs))
		return -EOPNOTSUPP;
	/*
	 * A file opened O_DIRECT does direct I/O through vfs_iter_*() too:
	 * unless the device can do direct I/O, its requests would fail.
	 */
	if ((file->f_flags & O_DIRECT) && !ctnr_loop_dio_ok(file, req->offset, bs))
		return -EINVAL;
	return size;
}

/*
 * May a device that a container's tasks can reach without host privileges
 * (ctnr_loop_confined()) be backed by @file?  Only with a file on tmpfs, or on a local block-device file system mounted in
 * the initial user namespace.  Anything else lets the attacher stall the
 * host: a FUSE daemon that stops answering leaves dirty pages that
 * sync(2) waits for under the disk's open_mutex, so does a network file
 * system whose server goes away, and a pseudo-file system (sysfs, proc,
 * configfs) runs its ->write() handlers from the device's workers.
 * Returns why not, or NULL.
 */
static const char *ctnr_loop_backing_refused(struct file *file)
{
	struct super_block *sb = file_inode(file)->i_sb;

	if (shmem_file(file))
		return NULL;
	if (sb->s_user_ns != &init_user_ns ||
	    (sb->s_iflags & SB_I_UNTRUSTED_MOUNTER))
		return "mounted in a user namespace";
	if (sb->s_magic == FUSE_SUPER_MAGIC)
		return "FUSE";
	/* btrfs has no sb->s_bdev (its devices are its own): the flag only */
	if (!(sb->s_type->fs_flags & FS_REQUIRES_DEV))
		return "not a local block-device file system";
	return NULL;
}

/*
 * The node of a device of a container in a user namespace belongs to that
 * namespace's root (uid and gid 0 there), so that it can open the device
 * again by path: /proc/self/fd/N of the attach fd (mkfs, fuse2fs, dd, an
 * O_DIRECT reopen), or the node bound into the container.  The mode stays
 * devtmpfs's 0600.  Where udev runs, its default rules then make the group
 * "disk" (and the mode 0660) at every add or change event, which
 * udev/60-ctnrloop.rules undoes from the owner_uid and owner_gid
 * attributes below; ->open lets only the container in either way.  Done
 * with kernel credentials: chown needs CAP_CHOWN over the node, which the
 * attacher does not have.
 */
static bool ctnr_loop_node_ids(const struct ctnr_loop *lo, kuid_t *uid,
			       kgid_t *gid)
{
	struct user_namespace *ns = ctnr_loop_userns(lo->owner);

	if (ns == &init_user_ns)
		return false;
	*uid = make_kuid(ns, 0);
	*gid = make_kgid(ns, 0);
	return true;
}

static void ctnr_loop_chown_node(struct ctnr_loop *lo)
{
	struct iattr ia = { };
	const struct cred *old;
	struct dentry *d;
	struct inode *inode;

	if (!ctnr_loop_devmnt || !ctnr_loop_kcred ||
	    !ctnr_loop_node_ids(lo, &ia.ia_uid, &ia.ia_gid))
		return;
	if (uid_valid(ia.ia_uid))
		ia.ia_valid |= ATTR_UID;
	if (gid_valid(ia.ia_gid))
		ia.ia_valid |= ATTR_GID;
	if (!ia.ia_valid)
		return;
	d = ctnr_lookup_positive(lo->disk->disk_name,
				 ctnr_loop_devmnt->mnt_root);
	if (IS_ERR(d))
		return;
	inode = d_inode(d);
	/* someone may have replaced the node: it must be our disk */
	if (S_ISBLK(inode->i_mode) && inode->i_rdev == disk_devt(lo->disk)) {
		old = override_creds(ctnr_loop_kcred);
		inode_lock(inode);
		notify_change(CTNR_NOP_IDMAP, d, &ia, NULL);
		inode_unlock(inode);
		revert_creds(old);
	}
	dput(d);
}

/*
 * /sys/block/ctnrloopN/ctnr/owner_uid and owner_gid: the ids the node was
 * given above, as the initial user namespace numbers them; empty for a
 * device of the host's or when the namespace maps no root.  udev's default
 * rules give every block node the group "disk" at each add or change event,
 * after the chown; udev/60-ctnrloop.rules reads these to give the node back
 * to its owner.  No lock: ->owner and its namespaces do not change while
 * the disk is in sysfs (del_gendisk() removes these before the device goes).
 */
static ssize_t owner_uid_show(struct device *dev, struct device_attribute *a,
			      char *buf)
{
	const struct ctnr_loop *lo = dev_to_disk(dev)->private_data;
	kuid_t uid;
	kgid_t gid;

	if (!ctnr_loop_node_ids(lo, &uid, &gid) || !uid_valid(uid))
		return 0;
	return sysfs_emit(buf, "%u\n", from_kuid(&init_user_ns, uid));
}
static DEVICE_ATTR_RO(owner_uid);

static ssize_t owner_gid_show(struct device *dev, struct device_attribute *a,
			      char *buf)
{
	const struct ctnr_loop *lo = dev_to_disk(dev)->private_data;
	kuid_t uid;
	kgid_t gid;

	if (!ctnr_loop_node_ids(lo, &uid, &gid) || !gid_valid(gid))
		return 0;
	return sysfs_emit(buf, "%u\n", from_kgid(&init_user_ns, gid));
}
static DEVICE_ATTR_RO(owner_gid);

static struct attribute *ctnr_loop_attrs[] = {
	&dev_attr_owner_uid.attr,
	&dev_attr_owner_gid.attr,
	NULL,
};

static const struct attribute_group ctnr_loop_attr_group = {
	.name = "ctnr",
	.attrs = ctnr_loop_attrs,
};

static const struct attribute_group *ctnr_loop_attr_groups[] = {
	&ctnr_loop_attr_group,
	NULL,
};

/* An open file of the new device, through a private devtmpfs mount. */
static struct file *ctnr_loop_open_file(struct ctnr_loop *lo, int mode)
{
	const char *name = lo->disk->disk_name;
	struct inode *inode;
	struct path path;
	struct file *f;

	if (!ctnr_loop_devmnt)
		return ERR_PTR(-EOPNOTSUPP);
	path.mnt = ctnr_loop_devmnt;
	path.dentry = ctnr_lookup_positive(name, ctnr_loop_devmnt->mnt_root);
	if (IS_ERR(path.dentry))
		return ERR_CAST(path.dentry);
	inode = d_inode(path.dentry);
	/* Someone may have replaced the node: it must be our disk. */
	if (!S_ISBLK(inode->i_mode) || inode->i_rdev != disk_devt(lo->disk))
		f = ERR_PTR(-ENXIO);
	else
		f = dentry_open(&path, mode | O_LARGEFILE, current_cred());
	dput(path.dentry);
	return f;
}

/* Host root: CAP_SYS_ADMIN in the initial user namespace, and the opener. */
static bool ctnr_loop_host_admin(const struct file *dev_file)
{
	return file_ns_capable(dev_file, &init_user_ns, CAP_SYS_ADMIN) &&
	       capable(CAP_SYS_ADMIN);
}

/*
 * Does the blktrace guard enforce, for this caller on this disk?  A
 * BLKTRACESTOP with no trace set up changes nothing: blk_trace_ioctl()
 * answers EINVAL, the guard EPERM.
 */
static int ctnr_loop_blktrace_enforced(struct ctnr_loop *lo)
{
	const struct cred *old;
	struct cred *unpriv;
	struct file *f;
	long ret;

	if (!IS_ENABLED(CONFIG_BLK_DEV_IO_TRACE))
		return 0;
	if (!ctnr_loop_blktrace_hooked)
		return -EOPNOTSUPP;
	/* asked as the container's tasks would: without capabilities */
	unpriv = prepare_creds();
	if (!unpriv)
		return -ENOMEM;
	cap_clear(unpriv->cap_effective);
	f = ctnr_loop_open_file(lo, O_RDONLY);
	if (IS_ERR(f)) {
		put_cred(unpriv);
		return PTR_ERR(f);
	}
	old = override_creds(unpriv);
	ret = f->f_op->unlocked_ioctl(f, BLKTRACESTOP, 0);
	revert_creds(old);
	put_cred(unpriv);
	fput(f);
	return ret == -EPERM ? 0 : -EOPNOTSUPP;
}

/*
 * Can tasks without host privileges reach the device?  Those of its
 * container can (->open lets them in) unless the container runs in the
 * initial user namespace; and an attacher without host privileges is one.
 * Such a device gets the backing allowlist and the blktrace guard,
 * whoever attaches it: host root attaching for a tenant does not lift them.
 */
static bool ctnr_loop_confined(const struct ctnr_container *c, bool host)
{
	return !host || ctnr_loop_userns(c) != &init_user_ns;
}

long ctnr_ioc_loop_attach(struct file *dev_file, void __user *arg)
{
	struct ctnr_ioc_loop_attach req;
	struct ctnr_container *c;
	struct file *file, *bfile = NULL;
	struct ctnr_loop *lo;
	u32 bs, index, max;
	const char *why;
	bool now, host, confined;
	s64 size;
	int err, fd = -1;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.pad || (req.flags & ~CTNR_LOOP_F_ALL))
		return -EINVAL;
	if ((req.flags & CTNR_LOOP_F_NOCLOEXEC) && !(req.flags & CTNR_LOOP_F_OPEN))
		return -EINVAL;
	bs = req.block_size ?: SECTOR_SIZE;
	if (bs != SECTOR_SIZE && bs != 4096)
		return -EINVAL;
	if (!req.id && (!memchr(req.name, 0, sizeof(req.name)) ||
			ctnr_name_valid(req.name, NULL)))
		return -EINVAL;

	c = ctnr_lookup(req.id, req.name);
	if (!c)
		return -ENOENT;
	if (!ctnr_loop_may_admin(c, dev_file)) {
		/* A container the caller may not see does not exist. */
		err = ctnr_may_manage(c, dev_file) ? -EPERM : -ENOENT;
		goto out_put;
	}

	/* the log lines below must not be lost to an atomic allocation */
	ctnr_log_prepare(c);
	host = ctnr_loop_host_admin(dev_file);
	confined = ctnr_loop_confined(c, host);
	if (confined && IS_ENABLED(CONFIG_BLK_DEV_IO_TRACE) &&
	    !ctnr_loop_blktrace_hooked) {
		ctnr_log_emit(c, LOGLEVEL_WARNING,
			      "%s: attach refused: no blktrace guard on this kernel, only host root may attach, for a container in the initial user namespace\n",
			      CTNR_LOOP_NAME);
		err = -EOPNOTSUPP;
		goto out_put;
	}

	file = fget(req.backing_fd);
	if (!file) {
		err = -EBADF;
		goto out_put;
	}
	size = ctnr_loop_check_file(file, &req, bs);
	if (size < 0) {
		err = size;
		fput(file);
		goto out_put;
	}
	why = confined ? ctnr_loop_backing_refused(file) : NULL;
	if (why) {
		ctnr_log_emit(c, LOGLEVEL_WARNING,
			      "%s: attach refused: backing file on %s (%s); only tmpfs and local block-device file systems may back a device of a container in a user namespace or one attached without host privileges\n",
			      CTNR_LOOP_NAME, file_inode(file)->i_sb->s_type->name,
			      why);
		fput(file);
		err = -EOPNOTSUPP;
		goto out_put;
	}
	/* The backing file already opened O_DIRECT means direct I/O. */
	if ((file->f_flags & O_DIRECT) && ctnr_loop_dio_ok(file, req.offset, bs))
		req.flags |= CTNR_LOOP_F_DIRECT_IO;
	if (req.flags & CTNR_LOOP_F_DIRECT_IO)
		vfs_fsync(file, 0);	/* what is cached goes to disk first */

	lo = ctnr_loop_alloc(c, file, req.flags &
			     (CTNR_LOOP_F_READ_ONLY | CTNR_LOOP_F_DIRECT_IO),
			     req.offset, size, bs);
	if (IS_ERR(lo)) {
		fput(file);
		err = PTR_ERR(lo);
		goto out_put;
	}
	/* From here on, the device owns the file and a container ref. */
	lo->backing = file;
	ctnr_count_add(CTNR_CNT_LOOP_FILE_REFS, 1);
	lo->owner = ctnr_husk_get(c);	/* not what c pins: no cycle */

	max = min_t(u32, READ_ONCE(ctnr_loop_max), CTNR_LOOP_MAX_INDEX);
	mutex_lock(&ctnr_loop_lock);
	if (READ_ONCE(c->unlinked)) {
		err = -ENOENT;
	} else if (c->loop_count >= ctnr_loop_quota(c)) {
		err = -EDQUOT;
	} else if (c->owner != &init_user_ns &&
		   ctnr_loop_used >= max - max / 16) {
		/* the last sixteenth of the pool is the host's, as for containers */
		err = -ENOSPC;
	} else if (ctnr_charge(c, CTNR_RES_LOOPS, NULL)) {
		err = -EDQUOT;	/* the owners' quotas, up the userns chain */
	} else {
		err = max ? xa_alloc(&ctnr_loops, &index, lo,
				     XA_LIMIT(0, max - 1), GFP_KERNEL) : -EBUSY;
		if (err == -EBUSY)
			err = -ENOSPC;	/* every index is taken */
		if (err)
			ctnr_uncharge(c, CTNR_RES_LOOPS);
	}
	if (!err) {
		lo->index = index;
		ctnr_loop_used++;
		c->loop_count++;
	}
	mutex_unlock(&ctnr_loop_lock);
	if (err) {
		lo->teardown = true;
		ctnr_loop_teardown(lo);
		goto out_put;
	}

	lo->wq = alloc_workqueue("%s%d", WQ_UNBOUND | WQ_FREEZABLE |
				 WQ_MEM_RECLAIM,
				 clamp_val(ctnr_loop_workers, 1, 512),
				 CTNR_LOOP_NAME, index);
	if (!lo->wq) {
		err = -ENOMEM;
		goto out_detach;
	}
	lo->disk->first_minor = index;
	snprintf(lo->disk->disk_name, DISK_NAME_LEN, "%s%d", CTNR_LOOP_NAME,
		 index);
	err = device_add_disk(NULL, lo->disk, ctnr_loop_attr_groups);
	if (err)
		goto out_detach;
	lo->added = true;
	ctnr_loop_chown_node(lo);

	if (confined) {
		err = ctnr_loop_blktrace_enforced(lo);
		if (err) {
			ctnr_log_emit(c, LOGLEVEL_WARNING,
				      "%s%d: attach refused: the blktrace guard does not enforce\n",
				      CTNR_LOOP_NAME, index);
			goto out_detach;
		}
	}

	if (req.flags & CTNR_LOOP_F_OPEN) {
		fd = get_unused_fd_flags((req.flags & CTNR_LOOP_F_NOCLOEXEC) ?
					 0 : O_CLOEXEC);
		if (fd < 0) {
			err = fd;
			goto out_detach;
		}
		bfile = ctnr_loop_open_file(lo, (lo->flags &
						 CTNR_LOOP_F_READ_ONLY) ?
					    O_RDONLY : O_RDWR);
		if (IS_ERR(bfile)) {
			err = PTR_ERR(bfile);
			bfile = NULL;
			goto out_detach;
		}
	}

	req.index = index;
	req.fd = fd;
	if (copy_to_user(arg, &req, sizeof(req))) {
		err = -EFAULT;
		goto out_detach;
	}

	mutex_lock(&ctnr_loop_lock);
	if (lo->state == CTNR_LOOP_SETUP) {
		/* The container was not deleted meanwhile. */
		lo->setup_task = NULL;
		lo->announced = true;
		ctnr_loop_set_state(lo, CTNR_LOOP_LIVE);
	} else {
		err = -ENOENT;
	}
	mutex_unlock(&ctnr_loop_lock);
	if (err)
		goto out_detach;

	if (bfile)
		fd_install(fd, bfile);
	trace_ctnr_loop_attach(c, index);
	ctnr_genl_notify_extra(c, CTNR_EVENT_LOOP_ATTACHED,
			       ctnr_loop_put_index, &index);
	ctnr_log_emit(c, LOGLEVEL_INFO, "%s%d: attached%s%s, %llu bytes\n",
		      CTNR_LOOP_NAME, index,
		      (lo->flags & CTNR_LOOP_F_READ_ONLY) ? " read-only" : "",
		      (lo->flags & CTNR_LOOP_F_DIRECT_IO) ? " direct-io" : "",
		      (unsigned long long)size);
	ctnr_put(c);
	return 0;

out_detach:
	if (bfile)
		fput(bfile);	/* its ->release tears down, if last */
	if (fd >= 0)
		put_unused_fd(fd);
	mutex_lock(&ctnr_loop_lock);
	now = ctnr_loop_begin_detach(lo);
	mutex_unlock(&ctnr_loop_lock);
	if (now)
		ctnr_loop_teardown(lo);
out_put:
	ctnr_put(c);
	return err;
}

long ctnr_ioc_loop_detach(struct file *dev_file, void __user *arg)
{
	struct ctnr_ioc_loop_detach req;
	struct ctnr_container *c;
	struct ctnr_loop *lo;
	bool now = false;
	int err = 0;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.pad ||
	    (req.flags & ~CTNR_LOOP_DETACH_F_LAZY))
		return -EINVAL;

	mutex_lock(&ctnr_loop_lock);
	lo = xa_load(&ctnr_loops, req.index);
	if (!lo || lo->state == CTNR_LOOP_SETUP) {
		err = -ENOENT;
		goto out_unlock;
	}
	c = lo->owner;
	if (!ctnr_loop_may_admin(c, dev_file)) {
		err = -EPERM;
		goto out_unlock;
	}
	if (lo->state == CTNR_LOOP_DETACHING) {
		err = -EALREADY;
		goto out_unlock;
	}
	/* Mounted or opened exclusively: only a lazy detach. */
	mutex_lock(&lo->disk->open_mutex);
	if (lo->disk->part0->bd_holder && !(req.flags & CTNR_LOOP_DETACH_F_LAZY))
		err = -EBUSY;
	mutex_unlock(&lo->disk->open_mutex);
	if (!err)
		now = ctnr_loop_begin_detach(lo);
out_unlock:
	mutex_unlock(&ctnr_loop_lock);
	if (now)
		ctnr_loop_teardown(lo);
	return err;
}

/*
 * @c was unlinked from the registry: detach its devices, lazily those that
 * are open.  Devices still being attached are marked, their attach fails.
 */
void ctnr_loop_container_gone(struct ctnr_container *c)
{
	struct ctnr_loop *lo, *tmp;
	unsigned long index;
	LIST_HEAD(now);

	mutex_lock(&ctnr_loop_lock);
	xa_for_each(&ctnr_loops, index, lo) {
		if (lo->owner != c)
			continue;
		if (lo->state == CTNR_LOOP_SETUP)
			ctnr_loop_set_state(lo, CTNR_LOOP_DETACHING);
		else if (lo->state == CTNR_LOOP_LIVE &&
			 ctnr_loop_begin_detach(lo))
			list_add_tail(&lo->gone_node, &now);
	}
	mutex_unlock(&ctnr_loop_lock);
	list_for_each_entry_safe(lo, tmp, &now, gone_node) {
		list_del_init(&lo->gone_node);
		ctnr_loop_teardown(lo);
	}
}

/* ------------------------------------------------------------------ */
/* Netlink                                                             */
/* ------------------------------------------------------------------ */

int ctnr_loop_nl_fill(struct sk_buff *skb, const struct ctnr_container *c)
{
	if (nla_put_u32(skb, CTNR_A_LOOP_QUOTA, ctnr_loop_quota(c)) ||
	    nla_put_u32(skb, CTNR_A_LOOP_COUNT, READ_ONCE(c->loop_count)))
		return -EMSGSIZE;
	return 0;
}

static const struct file *ctnr_loop_nl_file(const struct sk_buff *skb)
{
	struct sock *sk = NETLINK_CB(skb).sk;

	return sk && sk->sk_socket ? sk->sk_socket->file : NULL;
}

/*
 * CTNR_A_LOOP_QUOTA in CTNR_CMD_CONTAINER_SET: CAP_SYS_ADMIN over the
 * parent of the owner user namespace, so that a container's admin cannot
 * raise its own quota.  _check() is every test of _set(), which cannot
 * fail after it: CONTAINER_SET checks all its attributes before it
 * applies any.
 */
int ctnr_loop_nl_set_check(struct sk_buff *skb, struct genl_info *info,
			   const struct ctnr_container *c)
{
	struct nlattr *attr = info->attrs[CTNR_A_LOOP_QUOTA];
	struct user_namespace *parent;
	const struct file *file = ctnr_loop_nl_file(skb);

	if (!attr)
		return 0;
	parent = c->owner->parent ?: &init_user_ns;
	if ((file && !file_ns_capable(file, parent, CAP_SYS_ADMIN)) ||
	    !netlink_ns_capable(skb, parent, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "the loop quota needs CAP_SYS_ADMIN over the parent of the container's owner user namespace");
		return -EPERM;
	}
	return 0;
}

int ctnr_loop_nl_set(struct sk_buff *skb, struct genl_info *info,
		     struct ctnr_container *c)
{
	struct nlattr *attr = info->attrs[CTNR_A_LOOP_QUOTA];
	int err = ctnr_loop_nl_set_check(skb, info, c);

	if (err || !attr)
		return err;
	mutex_lock(&ctnr_loop_lock);
	WRITE_ONCE(c->loop_quota, nla_get_u32(attr));
	WRITE_ONCE(c->loop_quota_set, true);
	mutex_unlock(&ctnr_loop_lock);
	return 0;
}

/*
 * The backing file's path as the dumper sees it from its root; empty when
 * the file is not under that root (a container is not told where on the
 * host its images are).
 */
static const char *ctnr_loop_nl_path(struct ctnr_loop *lo, char *buf)
{
	const char *p = "";
	struct path root;

	if (!current->fs)
		return p;
	get_fs_root(current->fs, &root);
	if (path_is_under(&lo->backing->f_path, &root)) {
		p = d_path(&lo->backing->f_path, buf, PATH_MAX);
		if (IS_ERR(p))
			p = "";
	}
	path_put(&root);
	return p;
}

static int ctnr_loop_nl_put(struct sk_buff *skb, struct ctnr_loop *lo,
			    struct netlink_callback *cb, char *buf)
{
	u32 flags = lo->flags;
	const char *path;
	void *hdr;

	if (lo->state == CTNR_LOOP_DETACHING)
		flags |= CTNR_LOOP_F_DETACHING;
	path = ctnr_loop_nl_path(lo, buf);
	hdr = ctnr_genl_put(skb, NETLINK_CB(cb->skb).portid,
			       cb->nlh->nlmsg_seq, NLM_F_MULTI,
			       CTNR_CMD_LOOP_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CTNR_A_ID, lo->owner->id) ||
	    nla_put_string(skb, CTNR_A_NAME, lo->owner->key.name) ||
	    nla_put_u32(skb, CTNR_A_LOOP_INDEX, lo->index) ||
	    nla_put_string(skb, CTNR_A_LOOP_PATH, path) ||
	    nla_put_u64_64bit(skb, CTNR_A_LOOP_OFFSET, lo->offset,
			      CTNR_A_PAD) ||
	    nla_put_u64_64bit(skb, CTNR_A_LOOP_SIZE, lo->size, CTNR_A_PAD) ||
	    nla_put_u32(skb, CTNR_A_LOOP_FLAGS, flags) ||
	    nla_put_u32(skb, CTNR_A_LOOP_BLOCK_SIZE, lo->block_size) ||
	    nla_put_u64_64bit(skb, CTNR_A_LOOP_RBYTES,
			      atomic64_read(&lo->rbytes), CTNR_A_PAD) ||
	    nla_put_u64_64bit(skb, CTNR_A_LOOP_WBYTES,
			      atomic64_read(&lo->wbytes), CTNR_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The filter container, on the first call: cb->args[1] is its id (0: all
 * visible devices), cb->args[2] is set once this is done.
 */
static int ctnr_loop_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = ctnr_dump_attrs(cb);
	struct nlattr *id = attrs[CTNR_A_ID], *name = attrs[CTNR_A_NAME];
	struct ctnr_container *c;
	bool ok;

	if (!id && !name)
		return 0;
	if (id && name) {
		NL_SET_ERR_MSG(cb->extack, "give at most one of container id and name");
		return -EINVAL;
	}
	/* the policy has refused id 0 */
	if (name && ctnr_name_valid(nla_data(name), cb->extack)) {
		NL_SET_BAD_ATTR(cb->extack, name);
		return -EINVAL;
	}
	c = ctnr_lookup(id ? nla_get_u32(id) : 0, name ? nla_data(name) : NULL);
	ok = c && ctnr_loop_may_admin(c, ctnr_loop_nl_file(cb->skb));
	if (!ok) {
		if (c)
			ctnr_put(c);
		NL_SET_ERR_MSG_ATTR(cb->extack, id ?: name, "no such container");
		return -ENOENT;
	}
	cb->args[1] = c->id;
	ctnr_put(c);
	return 0;
}

int ctnr_nl_loop_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct file *file = ctnr_loop_nl_file(cb->skb);
	unsigned long index, next = cb->args[0];
	struct ctnr_container *seen = NULL;
	bool seen_ok = false;
	struct ctnr_loop *lo;
	char *buf;
	int err = 0;

	if (!cb->args[2]) {
		err = ctnr_loop_dump_start(cb);
		if (err)
			return err;
		cb->args[2] = 1;
	}
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	mutex_lock(&ctnr_loop_lock);
	xa_for_each_start(&ctnr_loops, index, lo, next) {
		if (lo->state == CTNR_LOOP_SETUP ||
		    (cb->args[1] && lo->owner->id != cb->args[1]))
			goto skip;
		if (lo->owner != seen) {
			seen = lo->owner;
			seen_ok = ctnr_loop_may_admin(seen, file);
		}
		if (!seen_ok)
			goto skip;
		err = ctnr_loop_nl_put(skb, lo, cb, buf);
		if (err)
			break;	/* the next call resumes with this one */
skip:
		next = index + 1;
	}
	mutex_unlock(&ctnr_loop_lock);
	kfree(buf);
	cb->args[0] = next;
	return err && !skb->len ? err : skb->len;
}

/* ------------------------------------------------------------------ */
/* Module                                                              */
/* ------------------------------------------------------------------ */

int ctnr_loop_init(void)
{
	struct file_system_type *devtmpfs;
	int major;

	ctnr_loop_wq = alloc_workqueue("ctnrloop", WQ_UNBOUND, 0);
	if (!ctnr_loop_wq)
		return -ENOMEM;
	major = register_blkdev(0, CTNR_LOOP_NAME);
	if (major < 0) {
		destroy_workqueue(ctnr_loop_wq);
		return major;
	}
	ctnr_loop_major = major;

	/* Only CTNR_LOOP_F_OPEN needs it: its absence is not fatal. */
	devtmpfs = get_fs_type("devtmpfs");
	if (devtmpfs) {
		struct vfsmount *mnt = vfs_kern_mount(devtmpfs, 0, "devtmpfs",
						      NULL);

		if (!IS_ERR(mnt))
			ctnr_loop_devmnt = mnt;
	}
	if (!ctnr_loop_devmnt)
		pr_warn("no devtmpfs: attaching with an open fd is not available\n");
	ctnr_loop_kcred = prepare_kernel_cred(&init_task);
	if (!ctnr_loop_kcred)
		pr_warn("no kernel credentials: nodes stay owned by host root\n");
	ctnr_loop_blktrace_init();
	return 0;
}

/*
 * No request can come in any more and no device is open: every opener
 * holds a module reference.  Closers may still be between their module_put()
 * and their last reference to a disk, whose release calls back into this
 * module: wait for every device to be freed.
 */
void ctnr_loop_uninit(void)
{
	struct ctnr_loop *lo, *tmp;
	unsigned long index;
	LIST_HEAD(now);

	flush_workqueue(ctnr_loop_wq);
	mutex_lock(&ctnr_loop_lock);
	xa_for_each(&ctnr_loops, index, lo)
		if (lo->state != CTNR_LOOP_SETUP && ctnr_loop_begin_detach(lo))
			list_add_tail(&lo->gone_node, &now);
	mutex_unlock(&ctnr_loop_lock);
	list_for_each_entry_safe(lo, tmp, &now, gone_node) {
		list_del_init(&lo->gone_node);
		ctnr_loop_teardown(lo);
	}
	destroy_workqueue(ctnr_loop_wq);	/* flushes */
	while (!wait_var_event_timeout(&ctnr_loop_alive,
				       !atomic_read(&ctnr_loop_alive), 10 * HZ))
		pr_warn("unload waits for %d ctnrloop devices to be released\n",
			atomic_read(&ctnr_loop_alive));
	ctnr_loop_blktrace_uninit();
	if (ctnr_loop_kcred)
		put_cred(ctnr_loop_kcred);
	if (ctnr_loop_devmnt)
		mntput(ctnr_loop_devmnt);
	unregister_blkdev(ctnr_loop_major, CTNR_LOOP_NAME);
	xa_destroy(&ctnr_loops);
}
