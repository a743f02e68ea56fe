#!/bin/bash
# Build the lab's guest kernel from Debian's linux-source-6.1:
#   `make allnoconfig` + lab/kernel-lockdep.config (PROVE_LOCKING, LOCK_STAT,
#   ftrace with the function tracer, virtio-gpu built in, MODULES for the lab
#   module), then olddefconfig. Cached: nothing is rebuilt when the bzImage is
#   newer than the config fragment.
#
# Usage:  lab/build-kernel.sh [lockdep|caller]
#   lockdep  -> lab/out/kernel/lockdep/{bzImage,config,build/}
#   caller   -> lab/out/kernel/caller/...: the same kernel plus
#               CONFIG_PRINTK_CALLER=y (console lines carry [T123]/[C1]). Built
#               incrementally from a copy of the lockdep build tree, so only the
#               printk code is recompiled.
# Env:    OUT=lab/out  JOBS=$(nproc)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
JOBS=${JOBS:-$(nproc)}
VARIANT=${1:-lockdep}
FRAG=$HERE/kernel-lockdep.config
SRC=$OUT/linux-source-6.1
K=$OUT/kernel/$VARIANT
B=$K/build

if [ -f "$K/bzImage" ] && [ "$K/bzImage" -nt "$FRAG" ] && [ "$K/bzImage" -nt "$0" ]; then
    echo "kernel $VARIANT: cached ($K/bzImage)"; exit 0
fi
mkdir -p "$OUT" "$K"
if [ ! -f "$SRC/Makefile" ]; then
    t0=$(date +%s)
    tar -C "$OUT" -xf /usr/src/linux-source-6.1.tar.xz
    echo "unpacked linux-source-6.1 in $(( $(date +%s) - t0 )) s"
fi

case "$VARIANT" in
lockdep)
    mkdir -p "$B"
    make -s -C "$SRC" O="$B" KCONFIG_ALLCONFIG="$FRAG" allnoconfig
    make -s -C "$SRC" O="$B" olddefconfig
    # every =y line of the fragment must survive (a silently dropped
    # dependency is the usual failure mode)
    missing=0
    while read -r line; do
        case "$line" in CONFIG_*=y) ;; *) continue ;; esac
        if ! grep -qx "$line" "$B/.config"; then
            echo "ERROR: ${line%%=*} not set as requested"; missing=1
        fi
    done < "$FRAG"
    [ "$missing" = 0 ] || exit 1
    ;;
caller)
    "$0" lockdep
    rm -rf "$B"
    cp -a "$OUT/kernel/lockdep/build" "$B"   # keeps timestamps: incremental
    "$SRC/scripts/config" --file "$B/.config" --enable PRINTK_CALLER
    make -s -C "$SRC" O="$B" olddefconfig
    grep -qx CONFIG_PRINTK_CALLER=y "$B/.config" || { echo "ERROR: PRINTK_CALLER"; exit 1; }
    ;;
*) echo "unknown variant $VARIANT"; exit 2 ;;
esac

t0=$(date +%s)
set +e
nice -n 10 make -C "$SRC" O="$B" -j"$JOBS" bzImage modules > "$K/build.log" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || { grep -E ': error:|Error [0-9]' "$K/build.log" | head; echo "kernel build failed, see $K/build.log"; exit 1; }
echo "kernel $VARIANT: build took $(( $(date +%s) - t0 )) s with -j$JOBS" | tee "$K/build-time.txt"
cp "$B/.config" "$K/config"
cp "$B/arch/x86/boot/bzImage" "$K/bzImage"
make -s -C "$SRC" O="$B" kernelrelease > "$K/release"
ls -la "$K/bzImage"
