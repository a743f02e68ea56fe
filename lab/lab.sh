#!/bin/bash
# lockscope's real-kernel lab: entry point (`npm run lab -- <target>...`).
# Run as root on Debian 12; no KVM needed (QEMU TCG). See lab/README.md.
#
# Targets (default: all), in the order `all` runs them:
#   deps      apt packages (lab/install-deps.sh)
#   kernel    the lockdep 6.1 kernel (lab/build-kernel.sh lockdep; cached)
#   series    rebuild the module's patch series repository from
#             fixtures/series with git am, check the re-export is byte-identical
#   v5 v6     full runs of the series head -> fixtures/runs/v5, fixtures/runs/v6
#   bisect    one short run after each v5 patch -> fixtures/runs/v5-bisect/NN
#   caller    CONFIG_PRINTK_CALLER=y kernel, v5 head -> fixtures/runs/caller-id
#   formats   trace.dat per file version / compression -> fixtures/runs/tracedat-*
#   stock     Debian's stock kernel (no lockdep), v6 head -> fixtures/runs/stock
#   big       a >= 100 MB trace.dat for the benchmarks -> lab/out/big/trace.dat
#   bigz      a v7 zstd trace.dat of ~2.3 GB raw ring-buffer data (tens of millions of
#             events, like the issue's 377 MB file) -> lab/out/bigz/trace.dat
#             (not committed)
# Env: OUT=lab/out  FIXTURES=fixtures  (everything else is fixed)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export OUT=${OUT:-$HERE/out}
FIXTURES=${FIXTURES:-$ROOT/fixtures}
RUNS=$FIXTURES/runs
mkdir -p "$OUT" "$RUNS"
TIMES=$OUT/times.txt
t() { echo "=== $(date -u +%T) $*"; }
timed() { # label command...: run and append the wall time to $TIMES
    local label=$1 t0; shift; t0=$(date +%s)
    "$@"
    echo "$label $(( $(date +%s) - t0 )) s $(date -u +%FT%TZ)" | tee -a "$TIMES"
}

[ "$(id -u)" = 0 ] || { echo "lab.sh: run as root"; exit 2; }

STOCK_KVER() { ls /lib/modules | grep -- '-amd64$' | sort -V | tail -1; }
# nolapic_timer: the local APIC timer calibration goes wrong under TCG on a
# loaded host (the guest then stalls at boot); use the HPET tick instead.
# trace_clock=mono (the HPET clocksource): the kernel marks the TSC unstable
# under TCG, and the default local clock switches at boot (emptying the ring
# buffer) while the global clock then only advances in ticks.
COMMON_CMDLINE="no_hash_pointers trace_clock=mono nolapic_timer"

initramfs() { # kver|none -> path of the base initramfs (cached per input hash)
    local kver=$1 key f
    key=$(cat "$HERE/make-initramfs.sh" "$HERE/guest/init.sh" "$HERE/guest/workload.sh" \
        "$HERE/src/drmfb.c" "$HERE/src/memhog.c" | sha256sum | cut -c1-16)
    f=$OUT/initramfs-$kver-$key.cpio.gz
    [ -f "$f" ] || "$HERE/make-initramfs.sh" "$f" "$kver" >&2
    echo "$f"
}

with_module() { # base.cpio.gz ko|none dest.cpio.gz: append the module as a 2nd archive
    local base=$1 ko=$2 dest=$3 d
    if [ "$ko" = none ]; then cp "$base" "$dest"; return; fi
    d=$(mktemp -d "$OUT/modcpio.XXXX")
    mkdir -p "$d/lib"; cp "$ko" "$d/lib/shmem_shrinker_lab.ko"
    find "$d" -exec touch -h -d @0 {} +
    (cd "$d" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible | gzip -n -1) > "$d/mod.cpio.gz"
    cat "$base" "$d/mod.cpio.gz" > "$dest"
    rm -rf "$d"
}

# run NAME DEST VARIANT REF KEEP -- CMDLINE...
#   VARIANT lockdep|caller|stock; REF a commit of the series repo or none;
#   KEEP: which guest files to keep in DEST (main|short|formats|big)
run() {
    local name=$1 dest=$2 variant=$3 ref=$4 keep=$5; shift 6
    local kernel config base ko=none kver=none R=$OUT/results/$name
    case "$variant" in
        lockdep|caller) "$HERE/build-kernel.sh" "$variant" >&2
            kernel=$OUT/kernel/$variant/bzImage; config=$OUT/kernel/$variant/config ;;
        stock) kver=$(STOCK_KVER); kernel=/boot/vmlinuz-$kver; config=/boot/config-$kver ;;
    esac
    [ -d "$OUT/series/repo/.git" ] || "$HERE/series.sh" build >&2
    [ "$ref" = none ] || ko=$("$HERE/build-module.sh" "$ref" "$variant")
    base=$(initramfs "$kver")
    mkdir -p "$OUT/initrd"
    local initrd
    initrd=$OUT/initrd/${name//\//_}.cpio.gz
    with_module "$base" "$ko" "$initrd"
    t "run $name: kernel $variant, module $ref, cmdline: $*"
    local t0; t0=$(date +%s)
    MEM=${MEM:-1024} DISK=${DISK:-512M} "$HERE/boot.sh" "$R" "$kernel" "$initrd" $COMMON_CMDLINE "$@"
    echo "run $name $(( $(date +%s) - t0 )) s $(date -u +%FT%TZ)" | tee -a "$TIMES"
    python3 "$HERE/collect.py" --name "$name" --result "$R" --dest "$dest" --keep "$keep" \
        --variant "$variant" --kernel "$kernel" --config "$config" --initrd "$initrd" \
        --module "$ko" --ref "$ref" --repo "$OUT/series/repo"
}

target() {
    case "$1" in
    deps) timed deps "$HERE/install-deps.sh" ;;
    kernel) timed kernel-lockdep "$HERE/build-kernel.sh" lockdep ;;
    series) "$HERE/series.sh" build ;;
    v5|v6) run "$1" "$RUNS/$1" lockdep "$1" main -- lab.run=main lab.populate=64 ;;
    bisect)
        local n=0 c
        [ -d "$OUT/series/repo/.git" ] || "$HERE/series.sh" build
        local -x MEM=512   # a smaller guest: the memhogs need fewer page faults
        for c in $(git -C "$OUT/series/repo" rev-list --reverse shmem-lab-base..v5); do
            n=$((n + 1))
            run "v5-bisect/$(printf %02d $n)" "$RUNS/v5-bisect/$(printf %02d $n)" lockdep "$c" short -- \
                lab.run=short lab.populate=64 lab.buf=8192 lab.fill=128 lab.margin=64 lab.hold=5
        done ;;
    caller) MEM=512 run caller-id "$RUNS/caller-id" caller v5 short -- lab.run=short lab.populate=64 lab.buf=8192 lab.fill=128 lab.margin=64 lab.hold=5 lab.ticker=1 ;;
    formats) run formats "$RUNS" lockdep v6 formats -- lab.run=formats ;;
    stock) run stock "$RUNS/stock" stock v6 main -- lab.run=main lab.populate=64 ;;
    big) MEM=2048 DISK=1G run big "$OUT/big" lockdep v6 big -- lab.run=big lab.populate=64 ;;
    bigz) MEM=8192 DISK=1G TIMEOUT=5400 run bigz "$OUT/bigz" lockdep v6 big -- \
        lab.run=bigz lab.populate=64 lab.bigmb=2300 lab.rounds=400 ;;
    all) for x in deps kernel series v5 v6 bisect caller formats stock big; do target "$x"; done ;;
    *) echo "unknown target $1"; exit 2 ;;
    esac
}

[ $# -gt 0 ] || set -- all
for x in "$@"; do target "$x"; done
