#!/bin/bash
# Build the lab initramfs base (gzip'd newc cpio): busybox-static, /init
# (guest/init.sh), /guest-workload.sh, static drmfb + memhog (lab/src), trace-cmd
# with its shared libraries, and for the Debian kernel (KVER given) virtio_gpu,
# virtio_pci, virtio_blk and their dependencies in load order (/modules.order).
# The module of a run is appended by lab.sh as a second cpio archive holding
# /lib/shmem_shrinker_lab.ko (the kernel unpacks concatenated archives).
#
# Usage: lab/make-initramfs.sh OUTPUT.cpio.gz [KVER|none]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
OUTPUT=${1:?output cpio.gz}
KVER=${2:-none}
ROOT=$(mktemp -d "$OUT/initramfs.XXXX")
trap 'rm -rf "$ROOT"' EXIT

# DRM uapi headers from linux-source-6.1 (strip __user like headers_install)
if [ ! -f "$OUT/uapi/drm/drm_mode.h" ]; then
    mkdir -p "$OUT/uapi/drm"
    for h in drm.h drm_mode.h; do
        sed -e 's/\b__user\b//g' "$OUT/linux-source-6.1/include/uapi/drm/$h" > "$OUT/uapi/drm/$h"
    done
fi
mkdir -p "$OUT/bin"
gcc -static -O2 -Wall -I"$OUT/uapi" -o "$OUT/bin/drmfb" "$HERE/src/drmfb.c"
gcc -static -O2 -Wall -o "$OUT/bin/memhog" "$HERE/src/memhog.c"

mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,out,lib,lib64,usr/bin,usr/sbin}
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
cp "$OUT/bin/drmfb" "$OUT/bin/memhog" "$ROOT/bin/"
cp "$HERE/guest/init.sh" "$ROOT/init"
cp "$HERE/guest/workload.sh" "$ROOT/guest-workload.sh"
chmod 755 "$ROOT/init" "$ROOT/guest-workload.sh"

cp "$(command -v trace-cmd)" "$ROOT/bin/trace-cmd"
for lib in $(ldd "$(command -v trace-cmd)" | grep -o '/[^ ]*'); do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
done

if [ "$KVER" != none ]; then
    : > "$ROOT/modules.order"
    for m in virtio_pci virtio_blk virtio_gpu; do
        modprobe -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do
        mkdir -p "$ROOT$(dirname "$ko")"
        cp "$ko" "$ROOT$ko"
        echo "${ko#/}" >> "$ROOT/modules.order"
    done
fi
# fixed timestamps and order: the same inputs give the same archive
find "$ROOT" -exec touch -h -d @0 {} +
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible | gzip -n -1) > "$OUTPUT"
ls -la "$OUTPUT"
