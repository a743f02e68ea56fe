import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lockCycle } from '../../../src/analyzers/triage/cycle.js';
import { ConsoleLogParser } from '../../../src/ingest/console/index.js';
import { LOCK_REPORT_KINDS, type Report, type ReportKind } from '../../../src/model/report.js';
import { SHARED, sharedPath } from '../../helpers/shared.js';

/**
 * What each of the 32 real splats in `../shared/corpus/splats/` holds, written from `INDEX.md` and a
 * reading of each file BEFORE the pipeline existed.
 *   first: the kind of the first report in the file;
 *   lock:  the exact number of reports of each lock kind (kinds not listed: zero);
 *   other: the least number of non-lock reports (oopses, WARNINGs, KASAN, panics) after it.
 */
interface Expected {
  first: ReportKind;
  lock: Partial<Record<ReportKind, number>>;
  other?: number;
}

const EXPECTED: Record<string, Expected> = {
  // circular splat, then ~40 gpu sched timeouts, a KASAN use-after-free, a might_sleep BUG, an Oops, a panic
  '001-panfrost-shmem-shrinker-fs-reclaim-circular.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1, 'sleeping-in-atomic': 1 },
    other: 1,
  },
  // Evolution-wrapped: `{3:3}, at:` on lines of their own
  '002-xe-dma-buf-detach-recursive-resv.log': {
    first: 'recursive-locking',
    lock: { 'recursive-locking': 1 },
  },
  '003-syzbot-sw-sync-inconsistent-lock-state.log': {
    first: 'inconsistent-lock-state',
    lock: { 'inconsistent-lock-state': 1 },
  },
  // might_sleep BUG, then `[ BUG: Invalid wait context ]`
  '004-syzbot-drm-shmem-sleeping-in-atomic-invalid-wait.log': {
    first: 'sleeping-in-atomic',
    lock: { 'sleeping-in-atomic': 1, 'invalid-wait-context': 1 },
  },
  // quoted with `> `, abridged by its author
  '005-i915-drm-global-mutex-master-rwsem-circular-quoted.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1 },
  },
  // a plain WARN in dma_buf_vmap, no lockdep report
  '006-syzbot-dma-buf-vmap-warning-shmem.log': { first: 'warning', lock: {}, other: 1 },
  // the LKP mail's `noticed "WARNING:possible_recursive_locking_detected"` line is not a report
  '007-lkp-drm-prime-recursive-caller-id.log': {
    first: 'recursive-locking',
    lock: { 'recursive-locking': 1 },
  },
  // suspicious RCU, a WARN at dma-resv.c:277, suspicious RCU again, bad unlock balance
  '008-virtio-gpu-suspicious-rcu-resv-warn-bad-unlock.log': {
    first: 'suspicious-rcu-usage',
    lock: { 'suspicious-rcu-usage': 2, 'bad-unlock-balance': 1 },
    other: 1,
  },
  // truncated by the kernel (`Lost 190 message(s)!`)
  '009-virtnet-netconsole-hardirq-safe-unsafe.log': {
    first: 'irq-safe-unsafe-order',
    lock: { 'irq-safe-unsafe-order': 1 },
  },
  '010-qxl-ttm-xorg-hung-task.log': { first: 'hung-task', lock: { 'hung-task': 1 } },
  '011-msm-opp-table-resv-circular-dmesg-H.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1 },
  },
  '012-msm-devfreq-qos-notifier-circular.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1 },
  },
  // commit-message style: no timestamps, indented by 3 spaces
  '013-msm-devpm-qos-fs-reclaim-dma-fence-map-circular.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1 },
  },
  // a serial interleave splits a line of the header
  '014-msm-imx53-dma-buf-detach-circular-interleaved.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1 },
  },
  // one hung task (the `is blocked on a mutex likely owned by` line belongs to it), with prose around
  '015-msm-shrinker-recover-worker-hung-task-prose.log': { first: 'hung-task', lock: { 'hung-task': 1 } },
  // hung task + `Showing all locks held in the system`, then `Kernel panic - not syncing: hung_task`
  '016-lkp-hung-task-all-locks-held-caller-id.log': { first: 'hung-task', lock: { 'hung-task': 1 } },
  '017-syzbot-vkms-bad-unlock-balance.log': {
    first: 'bad-unlock-balance',
    lock: { 'bad-unlock-balance': 1 },
  },
  '018-nouveau-ttm-cli-mutex-resv-circular-faddr2line.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1 },
  },
  // the KCSAN title is wrapped onto two lines
  '019-lkft-kcsan-data-race-arm64-caller-id.log': {
    first: 'kcsan-data-race',
    lock: { 'kcsan-data-race': 1 },
  },
  '020-syzbot-bpf-sockmap-timer-hardirq-safe-unsafe.log': {
    first: 'irq-safe-unsafe-order',
    lock: { 'irq-safe-unsafe-order': 1 },
  },
  '027-syzbot-fs-reclaim-pcp-lock-circular-console-noise.log': {
    first: 'circular-dependency',
    lock: { 'circular-dependency': 1, 'sleeping-in-atomic': 1 },
  },
  '028-msm-kms-commit-lock-recursive-stripped.log': {
    first: 'recursive-locking',
    lock: { 'recursive-locking': 1 },
  },
  '029-arm64-rq-lock-inconsistent-ptrval-clang-ci.log': {
    first: 'inconsistent-lock-state',
    lock: { 'inconsistent-lock-state': 1 },
  },
  // two might_sleep BUGs (boot and 13 s), two `scheduling while atomic`, one workqueue leaked lock
  '030-db410c-sleeping-sched-atomic-wq-leaked-serial-ansi.log': {
    first: 'sleeping-in-atomic',
    lock: { 'sleeping-in-atomic': 2, 'scheduling-while-atomic': 2, 'workqueue-leaked-lock': 1 },
  },
  // ten `INFO: task ... blocked` banners, one hung task each; then all locks held, then NMI backtraces
  '031-syzbot-hung-task-write-cache-pages-all-locks-nmi.log': {
    first: 'hung-task',
    lock: { 'hung-task': 10 },
  },
  '032-syzbot-suspicious-rcu-cgroup-double.log': {
    first: 'suspicious-rcu-usage',
    lock: { 'suspicious-rcu-usage': 2 },
  },
  '033-syzkaller-lock-held-returning-to-user-space-fuse.log': {
    first: 'lock-held-returning-to-user',
    lock: { 'lock-held-returning-to-user': 1 },
  },
  // a general protection fault starts in the middle of the lockdep report
  '034-syzkaller-nested-lock-not-taken-gpf-interleaved.log': {
    first: 'nested-lock-not-taken',
    lock: { 'nested-lock-not-taken': 1 },
    other: 1,
  },
  '035-syzkaller-kcsan-data-race-cpu-caller-id.log': {
    first: 'kcsan-data-race',
    lock: { 'kcsan-data-race': 1 },
  },
  // the same report printed twice
  '036-syzkaller-fs-reclaim-inconsistent-softirq-caller-id.log': {
    first: 'inconsistent-lock-state',
    lock: { 'inconsistent-lock-state': 2 },
  },
  '037-syzkaller-still-has-locks-held-pipe-lock.log': {
    first: 'locks-held-at-exit',
    lock: { 'locks-held-at-exit': 1 },
  },
  // DEBUG_LOCKS_WARN_ON + WARNING at kernel/locking/lockdep.c (panic_on_warn line inside the report)
  '038-syzkaller-debug-locks-warn-on-hlock-class.log': {
    first: 'lockdep-internal',
    lock: { 'lockdep-internal': 1 },
  },
};

/** The first report's signature, written from the `-> #N (lock)` lines (and headers) of each file. */
const SIGNATURES: Record<string, string> = {
  '001-panfrost-shmem-shrinker-fs-reclaim-circular.log':
    'circular-dependency:fs_reclaim|reservation_ww_class_mutex',
  '002-xe-dma-buf-detach-recursive-resv.log': 'recursive-locking:reservation_ww_class_mutex',
  '011-msm-opp-table-resv-circular-dmesg-H.log':
    'circular-dependency:&mm->mmap_sem|&opp_table->lock|&sb->s_type->i_mutex_key|opp_table_lock|reservation_ww_class_mutex',
  '012-msm-devfreq-qos-notifier-circular.log':
    'circular-dependency:&(c->notifiers)->rwsem|&devfreq->lock|&df->lock|&gmu->lock|dev_pm_qos_mtx',
  '013-msm-devpm-qos-fs-reclaim-dma-fence-map-circular.log':
    'circular-dependency:&gpu->active_lock|dev_pm_qos_mtx|dma_fence_map|fs_reclaim|mmu_notifier_invalidate_range_start',
  '014-msm-imx53-dma-buf-detach-circular-interleaved.log':
    'circular-dependency:&msm_obj->lock|reservation_ww_class_mutex',
  '018-nouveau-ttm-cli-mutex-resv-circular-faddr2line.log':
    'circular-dependency:&cli->mutex|reservation_ww_class_mutex',
  '020-syzbot-bpf-sockmap-timer-hardirq-safe-unsafe.log':
    'irq-safe-unsafe-order:&base->lock|&htab->buckets[i].lock',
  '027-syzbot-fs-reclaim-pcp-lock-circular-console-noise.log':
    'circular-dependency:&pool->lock|fs_reclaim|lock',
  '036-syzkaller-fs-reclaim-inconsistent-softirq-caller-id.log': 'inconsistent-lock-state:fs_reclaim',
};

function parse(bytes: Uint8Array): Report[] {
  const parser = new ConsoleLogParser({ path: 'splat' });
  return [...parser.push(bytes), ...parser.end()];
}

describe.skipIf(!SHARED)('the 32 real splats of ../shared/corpus/splats', () => {
  const dir = SHARED ? sharedPath('corpus', 'splats') : '';
  const files = SHARED ? readdirSync(dir).filter((f) => f.endsWith('.log')) : [];

  it('the table covers every file', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`${file}: ${want.first} first; ${JSON.stringify(want.lock)}`, () => {
      const reports = parse(readFileSync(`${dir}/${file}`));
      const counts: Partial<Record<ReportKind, number>> = {};
      for (const r of reports) if (LOCK_REPORT_KINDS.has(r.kind)) counts[r.kind] = (counts[r.kind] ?? 0) + 1;
      // One comparison, so a failure shows the whole picture (and the titles found) at once.
      expect({
        first: reports[0]?.kind,
        lock: counts,
        titles: reports.map((r) => `${r.kind}: ${r.title}`),
      }).toEqual({
        first: want.first,
        lock: want.lock,
        titles: expect.any(Array),
      });
      const others = reports.filter((r) => !LOCK_REPORT_KINDS.has(r.kind)).length;
      expect(others).toBeGreaterThanOrEqual(want.other ?? 0);
      for (const r of reports) {
        expect(r.signature.startsWith(`${r.kind}:`)).toBe(true);
        expect(r.startLine).toBeLessThanOrEqual(r.endLine);
      }
    });
  }

  for (const [file, signature] of Object.entries(SIGNATURES)) {
    it(`${file}: ${signature}`, () => {
      expect(parse(readFileSync(`${dir}/${file}`))[0]?.signature).toBe(signature);
    });
  }

  it('the report printed twice (036) gets one signature', () => {
    const reports = parse(readFileSync(`${dir}/036-syzkaller-fs-reclaim-inconsistent-softirq-caller-id.log`));
    expect(new Set(reports.map((r) => r.signature)).size).toBe(1);
  });

  // 019 has caller ids and Gmail wraps: the unstamped continuation lines (`(&mm->mmap_lock)...` under
  // ` #0: ffff00000b802c28`, the release under the CPU line) belong to the report and must reach
  // extractLockDetails, or the held lock and the kernel release are lost.
  it('mail-wrapped lines of a caller-id log stay in their report (019)', () => {
    const [kcsan] = parse(readFileSync(`${dir}/019-lkft-kcsan-data-race-arm64-caller-id.log`));
    expect(kcsan?.kernelRelease).toBe('6.1.0-next-20221214');
    expect(kcsan?.heldLocks.map((h) => [h.task, h.locks.map((l) => l.name)])).toEqual([
      [{ comm: '(udevadm)', pid: 132 }, ['&mm->mmap_lock']],
    ]);
  });

  // 028's author replaced the 6 held locks by bare function names: extractLockDetails says so
  // (HELD_LOCKS_COUNT at the `6 locks held by reboot/5213:` line), and the parser must pass it on.
  it('lock-structure diagnostics reach the parser (028: held-lock list mangled by its author)', () => {
    const parser = new ConsoleLogParser({ path: '028' });
    parser.push(readFileSync(`${dir}/028-msm-kms-commit-lock-recursive-stripped.log`));
    parser.end();
    expect(parser.diagnostics).toContainEqual({
      code: 'HELD_LOCKS_COUNT',
      message: '6 held locks announced, 0 parsed',
      line: 23,
    });
  });

  // lockdep_print_held_locks() prints only the count for a task running on another CPU: in 016
  // `1 lock held by dmesg/494:` and `2 locks held by depmod/567:` are followed by the next task
  // and the end of the list. That is what the kernel printed, not a parsing gap: no diagnostic.
  it('a running task: its held-lock count alone is marked not printed (016)', () => {
    const parser = new ConsoleLogParser({ path: '016' });
    const reports = [
      ...parser.push(readFileSync(`${dir}/016-lkp-hung-task-all-locks-held-caller-id.log`)),
      ...parser.end(),
    ];
    const blocks = reports.flatMap((r) => r.heldLocks);
    expect(blocks.map((b) => [b.task?.comm, b.count, b.printed, b.locks.map((l) => l.name)])).toEqual([
      ['khungtaskd', 1, true, ['rcu_read_lock']],
      ['in:imklog', 1, true, ['&f->f_pos_lock']],
      ['dmesg', 1, false, []],
      ['depmod', 2, false, []],
    ]);
    expect(parser.diagnostics.map((d) => d.code)).not.toContain('HELD_LOCKS_COUNT');
  });

  // Sites as a maintainer looks for them: the caller that took the lock, not the lock or
  // allocator machinery above it, nor syzbot's `[inline]` wrapper lines.
  it('lock sites and cycle edges name the caller (003, 013, 027), a decoded guilty frame has no fake offsets (007)', () => {
    const site = (f: { function: string | null } | null | undefined) => f?.function ?? null;
    const [r003] = parse(readFileSync(`${dir}/003-syzbot-sw-sync-inconsistent-lock-state.log`));
    expect(site(r003?.acquiring?.site)).toBe('sync_info_debugfs_show');
    const cycle = (file: string) => {
      const r = parse(readFileSync(`${dir}/${file}`)).find((x) => x.kind === 'circular-dependency');
      return r ? lockCycle(r).map((e) => `${e.from} --> ${e.to} at ${site(e.site)}`) : [];
    };
    expect(cycle('013-msm-devpm-qos-fs-reclaim-dma-fence-map-circular.log')[0]).toBe(
      'dev_pm_qos_mtx --> fs_reclaim at dev_pm_qos_constraints_allocate',
    );
    expect(cycle('027-syzbot-fs-reclaim-pcp-lock-circular-console-noise.log')).toEqual([
      'fs_reclaim --> &pool->lock at __queue_work',
      '&pool->lock --> lock#2 at rmqueue_pcplist',
      'lock#2 --> fs_reclaim at stack_depot_save',
    ]);
    const [r007] = parse(readFileSync(`${dir}/007-lkp-drm-prime-recursive-caller-id.log`));
    expect(r007?.guiltyFrame).toMatchObject({
      function: 'drm_prime_remove_buf_handle',
      offset: null,
      size: null,
    });
  });

  // Traces that mail clients, serial captures and decode_stacktrace.sh broke: each reaches its end.
  it('a trace goes on past a wrapped frame, an unknown decoded line and a blank line (007, 008, 014, 030)', () => {
    const read = (prefix: string) => {
      const file = readdirSync(dir).find((f) => f.startsWith(prefix))!;
      return parse(readFileSync(`${dir}/${file}`));
    };
    const tail = (r: Report | undefined) => [r?.stack.length, r?.stack.at(-1)?.function];
    // 007: ` ? __pfx_bochs_pci_driver_init (bochs.c:?) bochs` (line 121) no longer ends it
    const [lkp] = read('007-');
    expect(tail(lkp)).toEqual([95, 'entry_SYSCALL_64_after_hwframe']);
    expect(lkp?.stack.find((f) => f.function === '__pfx_bochs_pci_driver_init')).toMatchObject({
      file: 'bochs.c',
      line: null,
      module: 'bochs',
    });
    // 008: Gmail cut ` dma_resv_add_excl_fence` from `(linux/./include/linux/dma-resv.h:246`
    const rcu = read('008-').filter((r) => r.kind === 'suspicious-rcu-usage');
    expect(rcu.map((r) => [r.title, r.stack[1]?.function])).toEqual([
      ['WARNING: suspicious RCU usage in dma_resv_add_excl_fence', 'dma_resv_add_excl_fence'],
      ['WARNING: suspicious RCU usage in dma_resv_add_excl_fence', 'dma_resv_add_excl_fence'],
    ]);
    // 014: ARM32 `[<c0cb887c>] (__ww_mutex_lock.constprop.8) from` / `[<c0cb99b4>] (ww_mutex_lock+0x78/0xb0)`
    const [arm] = read('014-');
    expect(arm?.stack.map((f) => f.function).slice(6, 10)).toEqual([
      '__ww_mutex_lock.constprop.8',
      'ww_mutex_lock',
      'dma_buf_detach',
      'drm_prime_gem_destroy',
    ]);
    // 030: a blank line between ` device_del+0xb8/0x3c0` and ` device_unregister+0x24/0x78`
    const atomic = read('030-').find((r) => r.startLine === 64);
    expect(tail(atomic)).toEqual([19, 'ret_from_fork']);
  });

  it('a Hardware name line wrapped before its BIOS is read whole (002, 008, 018)', () => {
    const hardware = (prefix: string) => {
      const file = readdirSync(dir).find((f) => f.startsWith(prefix))!;
      return [...new Set(parse(readFileSync(`${dir}/${file}`)).map((r) => r.hardware))];
    };
    expect(hardware('002-')).toEqual(['ASUS System Product Name/PRIME B560M-A AC, BIOS 2001 02/01/2023']);
    expect(hardware('008-')).toEqual(['QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.12.0-1 04/01/2014']);
    expect(hardware('018-')).toEqual(['Gigabyte Technology Co., Ltd. P35-S3G/P35-S3G, BIOS F4 07/10/2008']);
  });

  // syzkaller's FRAME for `KCSAN: data-race in A / B` is A (its test data 427 for 035's report)
  it('the guilty frame of a KCSAN report is the first racing function, and its signature names it (019, 035)', () => {
    const race = (prefix: string) => {
      const file = readdirSync(dir).find((f) => f.startsWith(prefix))!;
      const r = parse(readFileSync(`${dir}/${file}`)).find((x) => x.kind === 'kcsan-data-race');
      return [r?.guiltyFrame?.function, r?.signature];
    };
    expect(race('019-')).toEqual(['do_page_fault', 'kcsan-data-race:do_page_fault']);
    expect(race('035-')).toEqual(['find_next_bit', 'kcsan-data-race:find_next_bit']);
  });

  // syzbot's ten hung tasks, then one "Showing all locks held in the system" (lines 318-423)
  it('each hung task of a series gets its own block of the lock listing printed after the last (031)', () => {
    const file = readdirSync(dir).find((f) => f.startsWith('031-'))!;
    const reports = parse(readFileSync(`${dir}/${file}`)).filter((r) => r.kind === 'hung-task');
    const own = (r: Report) => r.heldLocks.map((b) => `${b.task?.comm}/${b.task?.pid}`);
    expect(reports.slice(0, 4).map(own)).toEqual([
      ['kworker/u4:0/9'],
      ['kworker/u4:2/41'],
      ['kworker/u4:4/75'],
      ['syz-executor359/5222'],
    ]);
    expect(reports[0]!.heldLocks[0]!.locks.map((l) => l.name)).toEqual([
      '(wq_completion)writeback',
      '(work_completion)(&(&wb->dwork)->work)',
      '&type->s_umount_key#43',
    ]);
    expect(reports.at(-1)!.heldLocks).toHaveLength(26); // the listing stays where it was printed
  });

  // `Kernel panic - not syncing: Oops - BUG: Fatal exception in interrupt` (line 366) is die()
  // ending the kernel BUG at line 314 right after its `---[ end trace`, not a crash of its own
  it('the panic that ends an oops is no report of its own (001)', () => {
    const file = readdirSync(dir).find((f) => f.startsWith('001-'))!;
    expect(parse(readFileSync(`${dir}/${file}`)).map((r) => [r.startLine, r.title])).toEqual([
      [2, 'possible deadlock in drm_gem_shmem_free'],
      [154, 'KASAN: use-after-free Write in irq_work_single'],
      [255, 'BUG: sleeping function called from invalid context in ww_mutex_lock'],
      [314, 'kernel BUG in irq_work_run_list'],
    ]);
  });

  it('never throws, and splitting a file into two chunks gives the same reports', () => {
    for (const file of files) {
      const bytes = readFileSync(`${dir}/${file}`);
      const at = Math.floor(bytes.length / 3);
      const parser = new ConsoleLogParser({ path: file });
      const split = [
        ...parser.push(bytes.subarray(0, at)),
        ...parser.push(bytes.subarray(at)),
        ...parser.end(),
      ];
      expect(split.map((r) => r.signature)).toEqual(parse(bytes).map((r) => r.signature));
    }
  });
});
