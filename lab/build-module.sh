#!/bin/bash
# Build shmem_shrinker_lab.ko at one commit of the series repository
# (lab/out/series/repo, made by lab/series.sh) against a lab kernel.
#
# Usage:  lab/build-module.sh REF [lockdep|caller|stock]   (stock: Debian's kernel headers)
#   prints the path of the .ko: lab/out/modules/<variant>/<commit>/shmem_shrinker_lab.ko
#   (cached per commit and kernel variant)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/out}
REF=${1:?ref}; VARIANT=${2:-lockdep}
REPO=$OUT/series/repo
case "$VARIANT" in
    stock) B=/lib/modules/$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1)/build ;;
    *) B=$OUT/kernel/$VARIANT/build ;;
esac
SHA=$(git -C "$REPO" rev-parse --verify --end-of-options "$REF^{commit}")
DESC=$(git -C "$REPO" describe --tags --long --abbrev=12 "$SHA")
D=$OUT/modules/$VARIANT/$SHA
if [ ! -f "$D/shmem_shrinker_lab.ko" ]; then
    rm -rf "$D"; mkdir -p "$D/src"
    git -C "$REPO" archive "$SHA" | tar -x -C "$D/src"
    make -s -C "$B" M="$D/src" LAB_GIT_COMMIT="$SHA" LAB_GIT_DESCRIBE="$DESC" modules > "$D/build.log" 2>&1 \
        || { cat "$D/build.log" >&2; exit 1; }
    cp "$D/src/shmem_shrinker_lab.ko" "$D/"
    echo "$DESC" > "$D/describe"
fi
echo "$D/shmem_shrinker_lab.ko"
