/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmem_shrinker_lab: a small model of the drm-shmem generic shrinker.
 */
#ifndef SHMEM_LAB_H
#define SHMEM_LAB_H

#include <linux/types.h>

struct dentry;

struct shmem_lab_device {
	struct dentry *debugfs;
};

extern struct shmem_lab_device shmem_lab_dev;

#endif /* SHMEM_LAB_H */
