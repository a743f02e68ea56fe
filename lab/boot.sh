#!/bin/bash
# Boot a kernel + initramfs in QEMU (TCG when there is no KVM) with a
# virtio-gpu-pci device and a raw virtio-blk disk onto which the guest writes a
# tar of its results (also read by the guest first, to fill the page cache).
#
# Usage: lab/boot.sh RESULT_DIR KERNEL INITRD [kernel cmdline...]
# Env:   MEM=1024 SMP=2 DISK=512M TIMEOUT=1200
# Writes RESULT_DIR/{console.log,qemu-cmd.txt,qemu-wall.txt,cmdline.txt,out/}
set -euo pipefail
R=${1:?result dir}; KERNEL=${2:?kernel}; INITRD=${3:?initrd}; shift 3
MEM=${MEM:-1024}; SMP=${SMP:-2}; DISK=${DISK:-512M}; TIMEOUT=${TIMEOUT:-1200}
ACCEL=${ACCEL:-tcg}   # the lab host has no usable KVM; the runs are made with TCG
rm -rf "$R"; mkdir -p "$R/out"
truncate -s "$DISK" "$R/out.img"
CMDLINE="console=ttyS0 panic=-1 loglevel=7 log_buf_len=4M $*"
echo "$CMDLINE" > "$R/cmdline.txt"
QEMU=(qemu-system-x86_64
    -machine q35,accel="$ACCEL" -cpu max -smp "$SMP" -m "$MEM"
    -kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE"
    -nographic -serial file:"$R/console.log" -monitor none
    -vga none -device virtio-gpu-pci
    -drive file="$R/out.img",format=raw,if=none,id=out -device virtio-blk-pci,drive=out
    -no-reboot)
printf '%q ' "${QEMU[@]}" | sed 's/ $//' > "$R/qemu-cmd.txt"; echo >> "$R/qemu-cmd.txt"
# A guest that has not reached /init after 120 s stalled at boot (e.g. the
# timer calibration went wrong on a loaded host): kill it and boot again.
for attempt in 1 2 3; do
    start=$(date +%s.%N)
    timeout "$TIMEOUT" "${QEMU[@]}" < /dev/null &
    qpid=$!
    for _ in $(seq 120); do
        sleep 1
        grep -q "Run /init" "$R/console.log" 2>/dev/null && break
        kill -0 "$qpid" 2>/dev/null || break
    done
    if ! grep -q "Run /init" "$R/console.log" 2>/dev/null; then
        kill "$qpid" 2>/dev/null || true
        wait "$qpid" || true
        echo "boot attempt $attempt stalled before /init, retrying"
        truncate -s 0 "$R/out.img"; truncate -s "$DISK" "$R/out.img"
        continue
    fi
    set +e
    wait "$qpid"
    rc=$?
    set -e
    break
done
end=$(date +%s.%N)
echo "$end - $start" | bc > "$R/qemu-wall.txt"
echo "qemu rc=$rc, wall $(cat "$R/qemu-wall.txt") s"
tar -xf "$R/out.img" -C "$R/out" 2>/dev/null; [ -f "$R/out/dmesg.txt" ] || { echo "no results on the output disk"; exit 1; }
rm -f "$R/out.img"
