import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcLockdep } from '../../../src/ingest/proc/lockdep.js';
import { parseProcLockdepChains } from '../../../src/ingest/proc/lockdep-chains.js';
import { parseLockdepDump } from '../../../src/ingest/proc/lockdep-dump.js';
import { fixture, SHARED, sharedPath } from '../../helpers/shared.js';

const text = (name: string) => readFileSync(fixture('proc', name), 'utf8');

describe('parseProcLockdep', () => {
  it('reads every class and dependency of the lab 6.1 shrinker dump', () => {
    const { classes, diagnostics } = parseProcLockdep(text('shrinker-proc-lockdep.txt'));
    expect(diagnostics).toEqual([]);
    expect(classes).toHaveLength(473);
    expect(classes.reduce((n, c) => n + c.deps.length, 0)).toBe(1086);
    expect(classes.find((c) => c.name === 'lab_shrinker_lock')).toEqual({
      key: 'ffffffffa0002250',
      name: 'lab_shrinker_lock',
      usage: '+.+.',
      forwardDeps: 37,
      backwardDeps: 18,
      ops: null,
      deps: ['fs_reclaim'],
      depKeys: ['ffffffff81ac7f00'],
      line: 1964,
    });
    expect(classes[0]).toMatchObject({ name: '(console_sem).lock', usage: '....', forwardDeps: 1, deps: [] });
  });

  it('reads the other forms of corpus 024: OPS:, no usage, 6-char usage, a wrapped name', () => {
    if (!SHARED) return;
    const t = readFileSync(
      sharedPath('corpus/traces-public/024-proc-lockdep-lockdep_chains-lockdep_stats-samples.txt'),
      'utf8',
    );
    const { classes, diagnostics } = parseProcLockdep(t);
    expect(classes).toHaveLength(45);
    expect(classes.find((c) => c.name === 'loop_ctl_mutex')).toMatchObject({
      ops: 17,
      forwardDeps: 34,
      backwardDeps: 1,
      usage: '+.+.',
    });
    expect(classes.find((c) => c.key === 'ffffffff85163290')).toMatchObject({
      name: 'cgroup_mutex',
      usage: null,
      forwardDeps: null,
    });
    expect(classes.find((c) => c.key === 'c1c8b858')).toMatchObject({
      usage: '+.+...',
      deps: expect.arrayContaining(['freezer_mutex']),
    });
    expect(diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['lockdep-no-name', 88],
      ['lockdep-skipped-lines', 1],
    ]);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = parseProcLockdep(s);
        expect(Array.isArray(r.classes)).toBe(true);
      }),
    );
  });
});

describe('parseProcLockdepChains', () => {
  it('reads the lab 6.1 chains with their irq contexts', () => {
    const t = gunzipSync(readFileSync(fixture('proc', 'virtio-gpu-proc-lockdep_chains.txt.gz'))).toString(
      'utf8',
    );
    const { chains, diagnostics } = parseProcLockdepChains(t);
    expect(diagnostics).toEqual([]);
    expect(chains).toHaveLength(2731);
    expect(chains[3]).toEqual({
      irqContext: '0',
      classes: ['cpu_hotplug_lock', 'static_call_mutex', 'text_mutex'],
      keys: ['ffffffff81a2ade0', 'ffffffff81ab7550', 'ffffffff81a315b0'],
      line: 12,
    });
    expect(new Set(chains.map((c) => c.irqContext))).toEqual(
      new Set(['0', 'hardirq', 'softirq', 'hardirq|softirq']),
    );
  });
});

describe('parseLockdepDump', () => {
  it('detects each kind by its header', () => {
    expect(parseLockdepDump(text('abba-proc-lockdep.txt')).kind).toBe('lockdep');
    expect(
      parseLockdepDump('all lock chains:\nirq_context: 0\n[ffffffff81aa6958] (console_sem).lock\n').kind,
    ).toBe('lockdep_chains');
    expect(parseLockdepDump('hello\n')).toEqual({
      kind: 'unknown',
      diagnostics: [{ code: 'lockdep-unknown-dump', message: expect.any(String), line: 1 }],
    });
  });
});
