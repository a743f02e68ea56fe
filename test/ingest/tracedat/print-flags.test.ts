import { describe, expect, it } from 'vitest';
import { evaluate, flagTables, renderFlags } from '../../../src/ingest/tracedat/print-flags.js';

// 6.1 `lock:contention_begin` (include/trace/events/lock.h), as saved in the lab's trace.dat
const CONTENTION =
  '"%p (flags=%s)", REC->lock_addr, __print_flags(REC->flags, "|", { (1U << 0), "SPIN" }, { (1U << 1), "READ" }, ' +
  '{ (1U << 2), "WRITE" }, { (1U << 3), "RT" }, { (1U << 4), "PERCPU" }, { (1U << 5), "MUTEX" } )';

// shape of vmscan's gfp_flags argument (abridged from the 6.1 format: casts, `|`, `&`, `~`)
const GFP =
  '"order=%d gfp_flags=%s", REC->order, (REC->gfp_flags) ? __print_flags(REC->gfp_flags, "|", ' +
  '{( unsigned long)((( gfp_t)(0x400u|0x800u)) | (( gfp_t)0x40u) | (( gfp_t)0x80u)), "GFP_KERNEL"}, ' +
  '{( unsigned long)(((( gfp_t)(0x400u|0x800u)) | (( gfp_t)0x40u) | (( gfp_t)0x80u) | (( gfp_t)0x100000u)) & ~(( gfp_t)0x80u)), "ODD"}, ' +
  '{( unsigned long)(( gfp_t)0x100u), "__GFP_ZERO"}) : "none"';

describe('print fmt flag tables', () => {
  it('evaluates the constant C expressions of flag masks', () => {
    expect(evaluate('(1U << 5)')).toBe(32n);
    expect(evaluate('( unsigned long)((( gfp_t)(0x400u|0x800u)) | (( gfp_t)0x40u) | (( gfp_t)0x80u))')).toBe(
      0xcc0n,
    );
    expect(evaluate('(0x100000u | 0x80u) & ~0x80u')).toBe(0x100000n);
    expect(evaluate('REC->x')).toBeNull();
    expect(evaluate('1 +')).toBeNull();
  });

  it('renders contention_begin flags as the kernel prints them', () => {
    const table = flagTables(CONTENTION).get('flags')!;
    expect(renderFlags(table, 33n)).toBe('SPIN|MUTEX');
    expect(renderFlags(table, 0x42n)).toBe('READ|0x40');
    expect(renderFlags(table, 0n)).toBe('');
  });

  it('renders gfp_flags with `none` for zero and the first matching combined mask', () => {
    const table = flagTables(GFP).get('gfp_flags')!;
    expect(renderFlags(table, 0xcc0n)).toBe('GFP_KERNEL');
    expect(renderFlags(table, 0xdc0n)).toBe('GFP_KERNEL|__GFP_ZERO');
    expect(renderFlags(table, 0n)).toBe('none');
  });

  it('takes __print_symbolic tables and skips tables on expressions', () => {
    const t = flagTables(
      '"%s %s", __print_symbolic(REC->mode, { 0, "NONE" }, { 2, "SYNC" }), __print_flags(REC->f & 3, "|", { 1, "A" })',
    );
    expect([...t.keys()]).toEqual(['mode']);
    expect(renderFlags(t.get('mode')!, 2n)).toBe('SYNC');
    expect(renderFlags(t.get('mode')!, 5n)).toBe('0x5');
  });
});
