import type { Diagnostic } from '../../model/diagnostic.js';
import { MalformedError, TruncatedError } from './byte-reader.js';
import { type DecodeContext, EventDecoder, unknownEvent } from './event-decoder.js';
import { HexCache, StringInterner } from './interning.js';
import { Kallsyms } from './kallsyms.js';
import type { TraceDatMeta } from './metadata.js';

/** The decoders of a file's formats by event id, compiled on first use. */
export function decoderTable(meta: TraceDatMeta, diagnostics: Diagnostic[]) {
  let kallsyms: Kallsyms | null | undefined;
  const ctx: DecodeContext = {
    bigEndian: meta.bigEndian,
    hex: new HexCache(),
    strings: new StringInterner(),
    cmdlines: meta.cmdlines,
    kallsyms: () => {
      if (kallsyms === undefined) kallsyms = loadKallsyms(meta, diagnostics);
      return kallsyms;
    },
  };
  // compiled on first use: a file holds hundreds of formats, a trace uses a few
  // by event id (< 65536); filled up front so lookups stay on fast elements, not a hash table
  const decoders = new Array<EventDecoder | null | undefined>(1 << 16).fill(undefined);
  const decoderFor = (id: number): EventDecoder | null => {
    let d = decoders[id];
    if (d === undefined) {
      const format = meta.formats.get(id);
      d = format ? new EventDecoder(format, ctx) : null;
      decoders[id] = d;
    }
    return d;
  };
  const unknownIds = new Set<number>();
  /** An event of an id without a format: kept by id, with one diagnostic per id. */
  const unknown = (
    id: number,
    buf: Buffer,
    off: number,
    len: number,
    ts: number,
    cpu: number,
    line: number,
  ) => {
    if (!unknownIds.has(id)) {
      unknownIds.add(id);
      diagnostics.push({ code: 'tracedat-unknown-event', message: `no format for event id ${id}`, line });
    }
    return unknownEvent(id, buf, off, len, ts, cpu, line, ctx);
  };
  return { decoders, decoderFor, unknown };
}

/** Kallsyms for `%pS`, or null (with a diagnostic) when the file has none or it is damaged. */
function loadKallsyms(meta: TraceDatMeta, diagnostics: Diagnostic[]): Kallsyms | null {
  try {
    const text = meta.kallsyms();
    if (text) return Kallsyms.parse(text);
    diagnostics.push({
      code: 'tracedat-no-kallsyms',
      message: 'no kallsyms: symbols stay addresses',
      line: null,
    });
  } catch (error) {
    if (!(error instanceof TruncatedError || error instanceof MalformedError)) throw error;
    diagnostics.push({
      code: 'tracedat-no-kallsyms',
      message: `kallsyms unreadable: ${error.message}`,
      line: null,
    });
  }
  return null;
}

/**
 * The offset to add to a raw timestamp when it is already in nanoseconds, else null (then
 * `timestampConverter` converts it). Hot loops add it themselves: calling the converter, a
 * closure V8 does not inline there, boxes the double it is passed, a number allocated per record.
 */
export function plainTimestampOffset(meta: TraceDatMeta): number | null {
  const tsc = meta.tsc2nsec;
  return tsc && tsc.mult > 0 ? null : meta.tsOffset;
}

/** Raw ring-buffer time → ns as trace-cmd computes it (TSC2NSEC mult/shift, then the OFFSET option). */
export function timestampConverter(meta: TraceDatMeta): (raw: number) => number {
  const plain = plainTimestampOffset(meta);
  if (plain !== null) return plain === 0 ? (raw) => raw : (raw) => raw + plain;
  const mult = BigInt(meta.tsc2nsec!.mult);
  const shift = BigInt(meta.tsc2nsec!.shift);
  const offset = meta.tsOffset;
  return (raw) => Number((BigInt(raw) * mult) >> shift) + offset;
}
