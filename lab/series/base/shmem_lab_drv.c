// SPDX-License-Identifier: GPL-2.0
/*
 * shmem_shrinker_lab: a small model of the drm-shmem generic shrinker, for
 * reproducing shrinker and reclaim locking problems on a lockdep kernel.
 *
 * Buffer objects are backed by shmem pages and each one has its own dma_resv
 * (a reservation_ww_class_mutex). Workload threads populate them under
 * memory pressure while a registered shrinker evicts or purges them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>

#include "shmem_lab.h"

struct shmem_lab_device shmem_lab_dev;

static int __init shmem_lab_init(void)
{
	struct shmem_lab_device *sdev = &shmem_lab_dev;

	pr_info("version %s, git commit %s\n", SHMEM_LAB_GIT_DESCRIBE,
		SHMEM_LAB_GIT_COMMIT);
	sdev->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	return 0;
}

static void __exit shmem_lab_exit(void)
{
	struct shmem_lab_device *sdev = &shmem_lab_dev;

	debugfs_remove_recursive(sdev->debugfs);
}

module_init(shmem_lab_init);
module_exit(shmem_lab_exit);
MODULE_DESCRIPTION("Model of the drm-shmem generic shrinker, for locking experiments");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
