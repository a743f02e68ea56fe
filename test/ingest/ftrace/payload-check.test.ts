import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadCheckOf } from '../../../src/ingest/ftrace/payload-check.js';
import {
  PAYLOAD_TABLE,
  parsePayloadByTable,
  ROWS_BY_EVENT,
} from '../../../src/ingest/ftrace/payload-table.js';
import { objectsOf, readBytes, TEXT_TRACES } from './parse-helpers.js';

/** What the table's full read says of a payload, and what the check says of it in place (inside a longer line). */
function both(name: string, payload: string): { table: boolean; check: boolean } {
  const check = payloadCheckOf(name)!;
  const line = `  task-1 [000] 1.0: ${name}: ${payload}`;
  const start = line.length - payload.length;
  return { table: parsePayloadByTable(name, payload).matched, check: check(line, start, line.length) };
}

/** The events whose payloads are checked in place: no row, or only `key=value` rows. */
const CHECKED = [...ROWS_BY_EVENT.keys()].filter((n) => payloadCheckOf(n) !== null);

describe('payloadCheckOf: the table verdict without reading fields', () => {
  it('checks the key=value events in place, leaves the others to the table', () => {
    expect(CHECKED).toEqual(
      expect.arrayContaining(['virtio_gpu_cmd_queue', 'drm_vblank_event', 'drm_vblank_event_delivered']),
    );
    expect(payloadCheckOf('lock_acquire')).toBeNull();
    expect(payloadCheckOf('print')).toBeNull();
    expect(payloadCheckOf('no_such_event')!('x', 0, 1)).toBe(true);
  });

  it.each([
    ['virtio_gpu_cmd_queue', 'vdev=0 vq=0 name=control type=0x101 flags=0x0 fence_id=0 ctx_id=0', true],
    ['virtio_gpu_cmd_queue', 'vq=0 name=control type=0x101', false], // no vdev
    ['virtio_gpu_cmd_queue', 'dev=0 type=0x101', true], // the renamed key itself
    ['virtio_gpu_cmd_queue', 'vdev=0\ttype=1', true],
    ['virtio_gpu_cmd_queue', 'xvdev=0 type=1', false],
    ['virtio_gpu_cmd_queue', '=vdev vdev type=1', false],
    ['virtio_gpu_cmd_queue', 'name=vdev=0 type=1', false], // the key is before the first `=`
    ['virtio_gpu_cmd_queue', '', false],
    ['drm_vblank_event', 'crtc=0, seq=4233', true],
    ['drm_vblank_event', 'crtc=0, time=5', false],
    ['drm_vblank_event', 'crtc=0, seq=123456, time=5123456789000, high-prec=true', true],
  ])('%s: %s', (name, payload, matched) => {
    expect(both(name, payload)).toEqual({ table: matched, check: matched });
  });

  it('agrees with the table on every payload of every text fixture', () => {
    let compared = 0;
    for (const path of TEXT_TRACES) {
      for (const e of objectsOf(readBytes(path)).events) {
        if (!CHECKED.includes(e.name)) continue;
        const { table, check } = both(e.name, e.payload);
        expect(check, `${path}: ${e.name}: ${e.payload}`).toBe(table);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('agrees with the table on any payload made of its keys', () => {
    // every key a kv row requires or renames, what it renames to, and one no row knows
    const keys = PAYLOAD_TABLE.flatMap((r) => [
      ...(r.requires ?? []),
      ...Object.entries(r.rename ?? {}).flat(),
    ]);
    const words = [...new Set(keys), 'x'];
    const token = fc.oneof(
      fc.constantFrom(...words).map((k) => `${k}=1`),
      fc.constantFrom(...words),
      fc.constantFrom('=', '==>', '=x', 'a=b=c', ','),
    );
    const payload = fc.array(fc.tuple(token, fc.constantFrom(' ', '\t', ', ', '  ')), { maxLength: 8 });
    fc.assert(
      fc.property(fc.constantFrom(...CHECKED), payload, (name, parts) => {
        const p = parts.map(([t, sep]) => t + sep).join('');
        const { table, check } = both(name, p);
        expect(check).toBe(table);
      }),
      { numRuns: 3000 },
    );
  });
});
