// SPDX-License-Identifier: GPL-2.0
/*
 * ctnr: /dev/ctnr, the ioctls that move file descriptors.
 */
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "ctnr.h"

/* Every ioctl struct starts with its size; only the exact one is known. */
static int ctnr_ioc_check_size(void __user *arg, u32 want)
{
	u32 size;

	if (get_user(size, (u32 __user *)arg))
		return -EFAULT;
	return size == want ? 0 : -EINVAL;
}

static long ctnr_ioc_version(void __user *arg)
{
	struct ctnr_ioc_version v = {
		.size = sizeof(v),
		.abi_version = CTNR_ABI_VERSION,
		.features = ctnr_features(),
	};
	int err;

	err = ctnr_ioc_check_size(arg, sizeof(v));
	if (err)
		return err;
	strscpy(v.version, ctnr_version, sizeof(v.version));
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long ctnr_ioc_whoami(struct file *file, void __user *arg)
{
	struct ctnr_ioc_whoami w = { .size = sizeof(w) };
	struct ctnr_container *c;
	int err;

	err = ctnr_ioc_check_size(arg, sizeof(w));
	if (err)
		return err;
	c = ctnr_find_by_task(current);
	if (!c)
		return -ENOENT;
	w.id = c->id;
	if (ctnr_may_manage(c, file))
		memcpy(w.name, c->key.name, sizeof(w.name));
	ctnr_put(c);
	return copy_to_user(arg, &w, sizeof(w)) ? -EFAULT : 0;
}

static long ctnr_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case CTNR_IOC_VERSION:
		return ctnr_ioc_version(uarg);
	case CTNR_IOC_NS_FDS:
		return ctnr_ioc_ns_fds(file, uarg);
	case CTNR_IOC_WHOAMI:
		return ctnr_ioc_whoami(file, uarg);
	case CTNR_IOC_LOOP_ATTACH:
		return ctnr_ioc_loop_attach(file, uarg);
	case CTNR_IOC_LOOP_DETACH:
		return ctnr_ioc_loop_detach(file, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ctnr_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ctnr_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ctnr_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CTNR_DEVICE_NAME,
	.fops = &ctnr_dev_fops,
	.mode = 0666,	/* every ioctl checks its own permission */
};

int ctnr_dev_init(void)
{
	return misc_register(&ctnr_miscdev);
}

void ctnr_dev_uninit(void)
{
	misc_deregister(&ctnr_miscdev);
}
