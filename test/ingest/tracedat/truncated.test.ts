import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceDat } from '../../../src/ingest/tracedat/index.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { scratchDir } from '../../helpers/scratch.js';
import { fixture } from '../../helpers/shared.js';

const dir = scratchDir('lockscope-cut-');

async function readAll(path: string) {
  const diagnostics: Diagnostic[] = [];
  const events: TraceEvent[] = [];
  for await (const batch of readTraceDat(path, diagnostics)) events.push(...batch);
  return { events, diagnostics };
}

/** The first `bytes` bytes of a fixture trace.dat, written to the temp dir. */
function cut(run: string, bytes: number): string {
  const path = join(dir, `${run}-${bytes}.dat`);
  writeFileSync(path, readFileSync(fixture('runs', run, 'trace.dat')).subarray(0, bytes));
  return path;
}

const key = (e: TraceEvent) => [e.cpu, e.ts, e.name, e.pid, e.comm];

/** Per CPU, the kept events must be that CPU's first events of the whole file, in order. */
function expectPrefixPerCpu(kept: TraceEvent[], full: TraceEvent[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const e of kept) counts[e.cpu] = (counts[e.cpu] ?? 0) + 1;
  for (const [cpu, n] of Object.entries(counts)) {
    const mine = kept.filter((e) => e.cpu === Number(cpu)).map(key);
    const theirs = full
      .filter((e) => e.cpu === Number(cpu))
      .slice(0, n)
      .map(key);
    expect(mine).toEqual(theirs);
  }
  return counts;
}

describe('readTraceDat on a cut v7 trace.dat (CPU table lost with the trailing options)', () => {
  it('uncompressed, cut inside CPU 0 at 2 MB of 2.65 MB: the whole pages of CPU 0', async () => {
    const full = await readAll(fixture('runs', 'tracedat-none', 'trace.dat'));
    const { events, diagnostics } = await readAll(cut('tracedat-none', 2_000_000));
    expect(events).toHaveLength(8947);
    expect(expectPrefixPerCpu(events, full.events)).toEqual({ 0: 8947 });
    expect(diagnostics).toEqual([
      {
        code: 'tracedat-truncated',
        message:
          'file is cut: 650112 of the 1015726 bytes of ring-buffer data are missing, and the CPU table after them; ' +
          'CPUs rebuilt from the pages present, events of the missing part lost',
        line: null,
      },
      {
        code: 'tracedat-truncated',
        message: 'CPU 0: the last page is cut short; its events are dropped',
        line: null,
      },
    ]);
  });

  it('uncompressed, cut inside CPU 1: CPU 1 found where the page times go back', async () => {
    const full = await readAll(fixture('runs', 'tracedat-none', 'trace.dat'));
    const { events } = await readAll(cut('tracedat-none', 2_400_000));
    expect(events).toHaveLength(18771);
    expect(expectPrefixPerCpu(events, full.events)).toEqual({ 0: 11637, 1: 7134 });
    // all of CPU 0 is kept
    expect(full.events.filter((e) => e.cpu === 0)).toHaveLength(11637);
  });

  it('zstd, cut inside CPU 1: the chunks wholly present', async () => {
    const full = await readAll(fixture('runs', 'tracedat-zstd', 'trace.dat'));
    const { events, diagnostics } = await readAll(cut('tracedat-zstd', 420_000));
    expect(events).toHaveLength(12301);
    expect(expectPrefixPerCpu(events, full.events)).toEqual({ 0: 11270, 1: 1031 });
    expect(diagnostics.map((d) => [d.code, d.message, d.line])).toEqual([
      [
        'tracedat-truncated',
        'file is cut: 39525 of the 88612 bytes of ring-buffer data are missing, and the CPU table after them; ' +
          'CPUs rebuilt from the pages present, events of the missing part lost',
        null,
      ],
      ['tracedat-truncated', 'CPU 1: file ends inside a compressed chunk; events after it are lost', null],
    ]);
  });

  it('zstd, cut at 300 KB (inside kallsyms, before any ring-buffer data): no events, and says why', async () => {
    const { events, diagnostics } = await readAll(cut('tracedat-zstd', 300_000));
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([
      {
        code: 'tracedat-truncated',
        message:
          'file ends inside the kallsyms section (id 19) at 4405: 69189 of its 364768 bytes and all ring-buffer data are missing: no events',
        line: null,
      },
    ]);
  });

  it('v6, same 2 MB cut: the whole pages present (as before)', async () => {
    const { events, diagnostics } = await readAll(cut('tracedat-v6', 2_000_000));
    expect(events).toHaveLength(8961);
    expect(diagnostics.map((d) => d.code)).toEqual([
      'tracedat-truncated',
      'tracedat-truncated',
      'tracedat-truncated',
    ]);
  });
});
