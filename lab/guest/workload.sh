#!/bin/sh
# Helpers and workload phases, sourced by /init (guest/init.sh) and by the
# command that `trace-cmd record` runs. Needs TR (tracefs) and OUT.
TR=${TR:-/sys/kernel/tracing}
OUT=${OUT:-/out}
LABFS=/sys/kernel/debug/shmem_shrinker_lab

arg() { sed -n "s/.*lab\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; } # arg NAME -> value of lab.NAME=
up() { cut -d' ' -f1 /proc/uptime; }
log() { echo "[lab $(up)] $*" | tee -a $OUT/timeline.txt; }
mark() { echo "lab: $*" > $TR/trace_marker; log "$*"; }

FRAMES=$(arg frames); FRAMES=${FRAMES:-30}
POPULATE=$(arg populate); POPULATE=${POPULATE:-64}
FILL_MB=$(arg fill); FILL_MB=${FILL_MB:-384}       # page cache to fill, MiB
MARGIN_MB=$(arg margin); MARGIN_MB=${MARGIN_MB:-48} # MemAvailable left to the system
HOLD=$(arg hold)                                    # memhog hold time, s

fill_caches() {
    # page cache of the block device, which reclaim can evict. The caller
    # holds /dev/vda open (exec 3</dev/vda): the block device's page cache is
    # dropped when its last opener closes it.
    dd if=/dev/vda of=/dev/null bs=1M count=$FILL_MB 2>/dev/null
    find /proc -maxdepth 2 > /dev/null 2>&1
}
memhog_mb() {
    # MemAvailable minus a margin, split over two hogs: more than MemFree,
    # so kswapd and direct reclaim must run the shrinkers
    awk -v margin=$MARGIN_MB '/MemAvailable/ {printf "%d", ($2/1024 - margin) / 2}' /proc/meminfo
}
populate() { # iterations: one round of the module's workload threads
    if [ -e $LABFS/populate ]; then
        echo "$1" > $LABFS/populate || log "populate $1 failed"
    else
        log "no $LABFS/populate (module without the workload patch)"
        return 1
    fi
}
# memory pressure: two memhogs (touch, then hold HOLD seconds) while the
# module's workload threads run round after round (POPULATE iterations each)
pressure() { # tag hold
    mb=$(memhog_mb)
    mark "phase memhog start (2 x $mb MB, held $2 s)"
    memhog "$mb" "$2" >> $OUT/memhog-$1.log 2>&1 &
    m1=$!
    memhog "$mb" "$2" >> $OUT/memhog-$1.log 2>&1 &
    m2=$!
    if [ "$(arg ticker)" = 1 ]; then
        # lab.ticker=1 (caller-id run): a second console writer, so that lines
        # of other tasks and CPUs land between the lines of a splat
        ( n=0; while kill -0 $m1 2>/dev/null; do n=$((n + 1)); echo "lab: tick $n" > /dev/kmsg; usleep 10000; done ) &
    fi
    mark "phase populate start (shmem_shrinker_lab: rounds of $POPULATE iterations per worker)"
    rounds=0
    while kill -0 $m1 2>/dev/null || kill -0 $m2 2>/dev/null; do
        populate "$POPULATE" || break
        rounds=$((rounds + 1))
    done
    mark "phase populate end ($rounds rounds)"
    wait $m1 $m2
    mark "phase memhog end"
}

# full workload: virtio-gpu frames, page cache, then memory pressure with the
# module's workload threads and two drmfb clients
workload() { # tag
    exec 3</dev/vda
    mark "phase drmfb start (frames=$FRAMES)"
    drmfb "$FRAMES" 32 > $OUT/drmfb-$1.log 2>&1
    mark "phase drmfb end"
    mark "phase fill_caches start"
    fill_caches
    mark "phase fill_caches end"
    drmfb 10 16 >> $OUT/drmfb-$1.log 2>&1 &
    drmfb 0 32 >> $OUT/drmfb-$1.log 2>&1 &
    pressure "$1" "${HOLD:-15}"
    wait
    exec 3<&-
    mark "phase drop_caches start"
    echo 2 > /proc/sys/vm/drop_caches
    mark "phase drop_caches end"
}

# short workload (bisect runs): page cache, then memory pressure
workload_short() { # tag
    exec 3</dev/vda
    fill_caches
    pressure "$1" "${HOLD:-8}"
    exec 3<&-
}

# big trace (benchmarks): no memory pressure (the trace files live in the
# guest's RAM), but lots of lock traffic: drmfb, module rounds, drop_caches,
# until the recording has reached 150 MB (at most 20 rounds)
# rounds until trace-cmd's files (the output plus its per-CPU temp files)
# reach lab.bigmb MB (default 150), at most lab.rounds rounds (default 20)
workload_big() {
    n=0; mb=$(arg bigmb); mb=${mb:-150}; rounds=$(arg rounds); rounds=${rounds:-20}
    while [ $n -lt "$rounds" ] && [ "$(du -cb $OUT/big.trace.dat* 2>/dev/null | tail -1 | cut -f1)" -lt $((mb * 1048576)) ]; do
        n=$((n + 1))
        mark "phase big round $n"
        drmfb 10 16 >> $OUT/drmfb-big.log 2>&1
        populate "$POPULATE"
        echo 2 > /proc/sys/vm/drop_caches
    done
}
