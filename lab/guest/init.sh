#!/bin/sh
# /init of the lab initramfs (busybox sh), inside the QEMU guest.
#
# Kernel command line parameters (besides the kernel's own):
#   lab.run=main     full workload (guest/workload.sh: drmfb, caches, the
#                    module's workload threads + 2 memhogs + drmfb clients),
#                    traced: text trace (tracefs `trace`), then the same ring
#                    buffer saved as trace.dat with `trace-cmd extract`; then
#                    /proc/lockdep, /proc/lockdep_chains, /proc/lock_stat
#   lab.run=short    short workload (module threads + memhogs), small trace
#   lab.run=formats  three short `trace-cmd record` captures, one per trace.dat
#                    variant (file version 7 + zstd, 7 uncompressed, 6)
#   lab.run=big      one long uncompressed `trace-cmd record` of every lock
#                    event for the benchmarks (>= 100 MB)
#   lab.run=bigz     the same as file version 7 with zstd, until the raw data
#                    reaches lab.bigmb MB (the issue's 377 MB / 52.7 M events)
#   lab.populate=N   iterations per module workload thread and round (default 64)
#   lab.frames=N     drmfb frames (default 30)
#   lab.buf=KB       ring buffer per CPU (default 32768 for main)
#   lab.fill=MB lab.margin=MB lab.hold=S   page cache to fill, MemAvailable
#                    left free by the memhogs, memhog hold time (workload.sh)
# /lib/shmem_shrinker_lab.ko is loaded when present. Results go into /out,
# written as a tar onto the raw disk /dev/vda; then the guest powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /out /tmp
TR=/sys/kernel/tracing
OUT=/out
. /guest-workload.sh

RUN=$(arg run); RUN=${RUN:-main}
log "init started, kernel $(uname -r), run=$RUN, cmdline: $(cat /proc/cmdline)"
uname -a > $OUT/uname.txt
cat /proc/meminfo > $OUT/meminfo-start.txt
LOCKDEP=0; [ -e /proc/lockdep ] && LOCKDEP=1

# ---- Debian kernel: virtio-gpu and friends are modules
if [ -f /modules.order ]; then
    while read -r m; do insmod "/$m" || log "insmod $m failed"; done < /modules.order
    sleep 2
fi
log "devices: $(ls /dev/dri 2>/dev/null | tr '\n' ' ')"

# ---- the lab module
if [ -f /lib/shmem_shrinker_lab.ko ]; then
    insmod /lib/shmem_shrinker_lab.ko && log "insmod shmem_shrinker_lab: ok" || log "insmod shmem_shrinker_lab failed"
    cat /sys/module/shmem_shrinker_lab/version > $OUT/module-version.txt 2>/dev/null
fi

# events of the issue: shrinker spans, reclaim, kswapd, virtio-gpu, fences, drm
EVENTS="vmscan/mm_shrink_slab_start vmscan/mm_shrink_slab_end
vmscan/mm_vmscan_kswapd_wake vmscan/mm_vmscan_kswapd_sleep vmscan/mm_vmscan_wakeup_kswapd
vmscan/mm_vmscan_direct_reclaim_begin vmscan/mm_vmscan_direct_reclaim_end
lock/contention_begin lock/contention_end virtio_gpu dma_fence drm"
# lockdep kernel: lock_acquire/release/acquired/contended fire for every lock
# operation, so they keep only these classes. memhog's fs_reclaim events
# (two per page fault) are left out; kswapd's, the workers' and every other
# task's are kept.
LOCK_FILTER='(name == "fs_reclaim" && comm != "memhog") || name ~ "reservation_ww_class*" || name == "shrinker_rwsem" || name ~ "&sdev->*" || name ~ "*vgdev*" || name ~ "*vgvq*"'
# function tracer: the module's evict/purge paths (and the shrinker callbacks)
FUNCS="shmem_lab_object_evict shmem_lab_object_purge shmem_lab_shrinker_*"

reset_tracing() {
    echo 0 > $TR/tracing_on
    echo nop > $TR/current_tracer
    echo 0 > $TR/events/enable
    echo > $TR/set_ftrace_filter
    for f in $TR/events/lock/*/filter; do echo 0 > $f 2>/dev/null; done
    echo > $TR/trace
}
setup_tracing() { # buffer_kb
    reset_tracing
    echo "$1" > $TR/buffer_size_kb
    for e in $EVENTS; do
        if [ -e $TR/events/$e/enable ]; then echo 1 > $TR/events/$e/enable
        else log "event $e not available"; fi
    done
    if [ $LOCKDEP = 1 ] && [ "${TRACE_LOCKS:-1}" = 1 ]; then
        for ev in lock_acquire lock_release lock_acquired lock_contended; do
            echo "$LOCK_FILTER" > $TR/events/lock/$ev/filter || log "filter on $ev rejected"
            echo 1 > $TR/events/lock/$ev/enable
        done
        cp $TR/events/lock/lock_acquire/filter $OUT/lock-filter.txt
    fi
    for f in $FUNCS; do echo "$f" >> $TR/set_ftrace_filter 2>/dev/null; done
    grep -v '^#' $TR/set_ftrace_filter > $OUT/set_ftrace_filter.txt
    # an empty filter ("#### all functions enabled ####") would trace every
    # kernel function: the tracer is on only when the module has the functions
    if [ -s $OUT/set_ftrace_filter.txt ]; then echo function > $TR/current_tracer; fi
}
save_trace() {
    echo 0 > $TR/tracing_on
    cat $TR/trace > $OUT/trace.txt
    for c in $TR/per_cpu/cpu*; do echo "== $(basename $c)"; cat $c/stats; done > $OUT/ringbuf-stats.txt
    log "trace: $(grep -vc '^#' $OUT/trace.txt) lines, $(wc -c < $OUT/trace.txt) bytes; overruns: $(grep overrun $OUT/ringbuf-stats.txt | tr '\n' ' ')"
}
save_proc() {
    [ $LOCKDEP = 1 ] || return 0
    cat /proc/lockdep > $OUT/proc-lockdep.txt
    cat /proc/lockdep_chains > $OUT/proc-lockdep_chains.txt
    cat /proc/lock_stat > $OUT/proc-lock_stat.txt
    cat /proc/lockdep_stats > $OUT/proc-lockdep_stats.txt
}
save_module_stats() {
    cat /sys/kernel/debug/shmem_shrinker_lab/stats > $OUT/module-stats.txt 2>/dev/null
}

case "$RUN" in
main)
    [ $LOCKDEP = 1 ] && echo 0 > /proc/lock_stat
    BUF=$(arg buf); setup_tracing "${BUF:-32768}"
    echo 1 > $TR/tracing_on
    T=$(up); workload main; log "workload took $(awk "BEGIN{print $(up)-$T}") s"
    save_trace
    save_module_stats
    # the same ring buffer contents as trace.dat
    T=$(up)
    trace-cmd extract -o $OUT/trace.dat > $OUT/trace-cmd-extract.log 2>&1
    log "trace-cmd extract rc=$? took $(awk "BEGIN{print $(up)-$T}") s, $(wc -c < $OUT/trace.dat) bytes"
    reset_tracing
    save_proc
    ;;
short)
    # small trace: the shrinker spans, reclaim and the module's functions
    # (lock events slow a lockdep guest down a lot under memory pressure)
    EVENTS="vmscan/mm_shrink_slab_start vmscan/mm_shrink_slab_end
vmscan/mm_vmscan_kswapd_wake vmscan/mm_vmscan_kswapd_sleep vmscan/mm_vmscan_wakeup_kswapd
vmscan/mm_vmscan_direct_reclaim_begin vmscan/mm_vmscan_direct_reclaim_end"
    TRACE_LOCKS=0
    [ $LOCKDEP = 1 ] && echo 0 > /proc/lock_stat
    BUF=$(arg buf); setup_tracing "${BUF:-8192}"
    echo 1 > $TR/tracing_on
    T=$(up); workload_short short; log "workload took $(awk "BEGIN{print $(up)-$T}") s"
    save_trace
    save_module_stats
    reset_tracing
    save_proc
    ;;
formats)
    reset_tracing
    args="-p function"
    for f in $FUNCS; do args="$args -l $f"; done
    for e in $EVENTS; do [ -e $TR/events/$e ] && args="$args -e $(echo $e | tr / :)"; done
    for variant in zstd:"--file-version 7 --compression zstd" none:"--file-version 7 --compression none" v6:"--file-version 6"; do
        name=${variant%%:*}; opts=${variant#*:}
        T=$(up)
        # shellcheck disable=SC2086
        trace-cmd record -q -b 4096 $opts $args \
            -e lock:lock_acquire -f "$LOCK_FILTER" -e lock:lock_release -f "$LOCK_FILTER" \
            -e lock:lock_acquired -f "$LOCK_FILTER" -e lock:lock_contended -f "$LOCK_FILTER" \
            -o $OUT/trace-$name.dat \
            sh -c '. /guest-workload.sh; mark "phase populate start"; populate 64; mark "phase drop_caches start"; echo 2 > /proc/sys/vm/drop_caches; mark "phase drop_caches end"' \
            > $OUT/trace-cmd-$name.log 2>&1
        log "formats: $name ($opts) rc=$? took $(awk "BEGIN{print $(up)-$T}") s, $(wc -c < $OUT/trace-$name.dat) bytes"
        reset_tracing
    done
    ;;
big|bigz)
    reset_tracing
    # every lock event (no filter) plus the vmscan/virtio-gpu events;
    # big: file version 6, uncompressed; bigz: version 7, zstd
    args=""
    for e in $EVENTS; do [ -e $TR/events/$e ] && args="$args -e $(echo $e | tr / :)"; done
    format="--file-version 6"; [ "$RUN" = bigz ] && format="--file-version 7 --compression zstd"
    T=$(up)
    # shellcheck disable=SC2086
    trace-cmd record -q -b 16384 $format -e lock $args -o $OUT/big.trace.dat \
        sh -c '. /guest-workload.sh; workload_big' > $OUT/trace-cmd-big.log 2>&1
    log "big: rc=$? took $(awk "BEGIN{print $(up)-$T}") s, $(wc -c < $OUT/big.trace.dat) bytes"
    ;;
esac

cat /proc/meminfo > $OUT/meminfo-end.txt
cat /proc/vmstat > $OUT/vmstat-end.txt
dmesg > $OUT/dmesg.txt
log "done; writing results to /dev/vda"
tar -cf /dev/vda -C $OUT . && sync
echo "LAB-RESULTS-WRITTEN"
poweroff -f
