import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../model/diagnostic.js';
import type { EventColumns } from '../model/event-columns.js';
import { ColumnsBuilder, columnsBuffers } from './columns-builder.js';
import { BoundedDiagnostics, type DiagnosticsPart } from './ftrace/diagnostics.js';
import {
  type FtraceContext,
  FtraceParserCaches,
  FtraceTextParser,
  type FtraceTextStats,
} from './ftrace/text-parser.js';
import type { RangeWorkerData, RangeWorkerMessage } from './ftrace-worker.js';
import { EventUnpacker, type PackedEvents } from './text-ranges-packing.js';

/**
 * A regular ftrace text file cut into byte ranges that parsers read apart
 * (on worker threads), each range a whole number of lines. What a parser
 * carries from line to line must not make a range read differently than the
 * whole file does:
 *   - a `<stack trace>` event takes the ` => frame` lines after it: a range
 *     never starts on a frame line (its start moves past them), so a stack
 *     block is always inside one range;
 *   - function_graph lines without a task column take the task of their CPU
 *     from the last `=>` switch line, and lines without a time the last time;
 *     systrace HTML wraps the trace in a mode: a range parser marks itself
 *     `contextual` when it reads such state it did not set itself, and the
 *     reading thread then reads that range again itself, from the state the
 *     ranges before it left (FtraceContext);
 *   - everything else (the dialect of each line, headers such as `cpus=N`,
 *     `[LOST N EVENTS]`, entries-written) is read line by line, with no
 *     state; line numbers and diagnostics are shifted by the lines of the
 *     ranges before.
 */
export interface RangePlan {
  size: number;
  rangeBytes: number;
  count: number;
}

export function planRanges(size: number, rangeBytes: number): RangePlan {
  const bytes = Math.max(1, Math.floor(rangeBytes));
  return { size, rangeBytes: bytes, count: Math.max(1, Math.ceil(size / bytes)) };
}

/** What one range read: its batches (in order), and what the reading thread merges. */
export interface RangeResult {
  index: number;
  start: number;
  end: number;
  batches: EventColumns[];
  stats: FtraceTextStats;
  diagnostics: DiagnosticsPart;
  /** The cross-line state at its end (only what the range itself set, unless it was read from a context). */
  context: FtraceContext;
  contextual: boolean;
}

const NL = 0x0a;
const PROBE = 64 * 1024;
/** Bytes per read: a chunk's text stays a young object (V8 puts strings over 128 KiB in the old generation). */
const READ = 64 * 1024;

/**
 * Where range k starts: the first line that starts at or after k × rangeBytes
 * and is not a ` => frame` line of a stack block (the file size when none).
 */
export function rangeStart(fd: number, plan: RangePlan, k: number): number {
  if (k <= 0) return 0;
  if (k >= plan.count) return plan.size;
  const buf = Buffer.allocUnsafe(PROBE);
  // the end of the line holding byte k × rangeBytes − 1
  let pos = nextLine(fd, buf, k * plan.rangeBytes - 1, plan.size);
  while (pos < plan.size && isFrameLineAt(fd, buf, pos, plan.size)) pos = nextLine(fd, buf, pos, plan.size);
  return pos;
}

/** The offset after the first newline at or after `from` (the file size when none). */
function nextLine(fd: number, buf: Buffer, from: number, size: number): number {
  let pos = from;
  while (pos < size) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (n <= 0) return size;
    const nl = buf.subarray(0, n).indexOf(NL);
    if (nl >= 0) return pos + nl + 1;
    pos += n;
  }
  return size;
}

/** Whether the line at `pos` is a stack frame line (`  => func+0x1/0x2`). */
function isFrameLineAt(fd: number, buf: Buffer, pos: number, size: number): boolean {
  const n = readSync(fd, buf, 0, Math.min(256, size - pos), pos);
  let i = 0;
  while (i < n && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  return i + 1 < n && buf[i] === 0x3d /* = */ && buf[i + 1] === 0x3e /* > */;
}

/** How `parseRange` reads a range. */
export interface RangeReadOptions {
  /** The state the range starts in (default: the start of a file). */
  context?: FtraceContext;
  /** The events whose fields the consumer reads (see FtraceTextParserOptions.fieldsRead). */
  fieldsRead?: ReadonlySet<string>;
  /** What the parsers of the earlier ranges read into the same builder learnt (see FtraceParserCaches). */
  caches?: FtraceParserCaches;
}

/**
 * Reads range `index` of the file with a parser of its own (from the start
 * state, or `options.context`), its rows in `builder`: the batches end with
 * the range.
 */
export function parseRange(
  fd: number,
  plan: RangePlan,
  index: number,
  builder: ColumnsBuilder,
  options: RangeReadOptions = {},
): RangeResult {
  const reading = readRange(fd, plan, index, builder, options);
  const batches: EventColumns[] = [];
  for (;;) {
    const r = reading.next();
    if (r.done) return { ...r.value, batches };
    batches.push(r.value);
  }
}

/**
 * `parseRange` one batch at a time: each batch as soon as it is full, the
 * range's result (with no batches) at the end. The thread that analyzes reads
 * its own ranges so: the other events of a batch die young instead of
 * waiting, with the whole range's, in the old generation.
 */
export function* readRange(
  fd: number,
  plan: RangePlan,
  index: number,
  builder: ColumnsBuilder,
  options: RangeReadOptions = {},
): Generator<EventColumns, RangeResult> {
  const start = rangeStart(fd, plan, index);
  const end = rangeStart(fd, plan, index + 1);
  const { context, fieldsRead, caches } = options;
  const parser = new FtraceTextParser({ columns: builder, context, fieldsRead, caches });
  const buf = Buffer.allocUnsafe(READ);
  for (let pos = start; pos < end; ) {
    const n = readSync(fd, buf, 0, Math.min(READ, end - pos), pos);
    if (n <= 0) break;
    yield* parser.pushColumns(buf.subarray(0, n));
    pos += n;
  }
  yield* parser.endColumns();
  return {
    index,
    start,
    end,
    batches: [],
    stats: parser.stats,
    diagnostics: parser.diagnosticsPart(),
    context: parser.context(),
    contextual: parser.contextual,
  };
}

/** The state at the start of a file. */
export function startContext(): FtraceContext {
  return { graphTask: [], lastTs: 0, sawTs: false, htmlMode: false, inTraceData: false };
}

/** The state after a range read from the start state, given the state before it. */
export function composeContext(before: FtraceContext, range: FtraceContext): FtraceContext {
  const graphTask = new Map(before.graphTask.map((t) => [t[0], t]));
  for (const t of range.graphTask) graphTask.set(t[0], t);
  return {
    graphTask: [...graphTask.values()],
    lastTs: range.sawTs ? range.lastTs : before.lastTs,
    sawTs: before.sawTs || range.sawTs,
    htmlMode: range.htmlMode,
    inTraceData: range.inTraceData,
  };
}

/** A range read apart must be read again from the state before it (see the comment at the top). */
export function needsContext(result: RangeResult, before: FtraceContext): boolean {
  return result.index > 0 && (result.contextual || before.htmlMode);
}

/**
 * The ranges' results in file order, merged into one stream: lines shifted,
 * diagnostics merged (`absorb`); a range that needs the state before it, or
 * that no worker read (a range index instead of a result), is read here by
 * `reread`, batch by batch. See RangeHooks for what the reader is told.
 */
export async function* mergeRanges(
  results: AsyncIterable<RangeResult | number> | Iterable<RangeResult | number>,
  reread: (index: number, context: FtraceContext) => Generator<EventColumns, RangeResult>,
  sink: { absorb(part: DiagnosticsPart, lineOffset: number): void; finish(): void },
  hooks: RangeHooks = {},
): AsyncGenerator<EventColumns> {
  const { done = () => {}, open = () => {}, skip = () => {} } = hooks;
  let context = startContext();
  let lineOffset = 0;
  for await (const read of results) {
    let r: RangeResult;
    if (typeof read === 'number' || needsContext(read, context)) {
      // a range no worker read (its worker stopped, or this thread's share), or one read from
      // the wrong state: read here, from the state before it
      if (typeof read !== 'number') {
        // keep the strings its batches introduced (later batches of that stream use their ids),
        // and those of their packed events (`skip`)
        skip(read);
        for (const b of read.batches) if (b.newStrings.length > 0) yield { ...b, count: 0, others: [] };
      }
      const reading = reread(typeof read === 'number' ? read : read.index, context);
      for (;;) {
        const next = reading.next();
        if (next.done) {
          r = next.value;
          break;
        }
        if (lineOffset > 0) shiftLines(next.value, lineOffset);
        yield next.value;
      }
      context = r.context;
    } else {
      r = read;
      context = r.index === 0 ? r.context : composeContext(context, r.context);
      for (let i = 0; i < r.batches.length; i++) {
        const b = r.batches[i]!;
        open(r, i);
        if (lineOffset > 0) shiftLines(b, lineOffset);
        yield b;
      }
    }
    sink.absorb(r.diagnostics, lineOffset);
    lineOffset += r.stats.lines;
    done(r.index);
  }
  sink.finish();
}

function shiftLines(b: EventColumns, by: number): void {
  const line = b.line;
  for (let i = 0; i < b.count; i++) line[i]! += by;
  for (const ev of b.others) ev.line += by;
}

/** Range results computed on this thread, one at a time (tests; and the reading of a range again). */
export function* rangesInThread(
  fd: number,
  plan: RangePlan,
  streams: number,
  capacity?: number,
  fieldsRead?: ReadonlySet<string>,
): Generator<RangeResult> {
  const builders = Array.from({ length: streams }, (_, s) => new ColumnsBuilder(capacity, s));
  const caches = builders.map(() => new FtraceParserCaches());
  for (let k = 0; k < plan.count; k++)
    yield parseRange(fd, plan, k, builders[k % streams]!, { fieldsRead, caches: caches[k % streams] });
}

/** Options of `readTextRanges`. */
export interface TextRangesOptions {
  /** Bytes per range (default 4 MiB). */
  rangeBytes?: number;
  /** Worker threads (default `textWorkers()`); 0 reads the ranges one after the other on this thread. */
  workers?: number;
  /** Rows per batch. */
  capacity?: number;
  /** The events whose fields the consumer reads (see FtraceTextParserOptions.fieldsRead). */
  fieldsRead?: ReadonlySet<string>;
}

/** The compiled worker (absent when running the TypeScript sources, e.g. under vitest). */
const WORKER_URL = new URL('./ftrace-worker.js', import.meta.url);
const RANGE_BYTES = 4 << 20;
/** Ranges a worker may read ahead of the reading thread (each ~2 MB of columns). */
const AHEAD = 2;
/**
 * A worker's heap: what it keeps is small (one range's batches, the parser's
 * caches) and its garbage short-lived, so bounded generations keep the RSS
 * down (a 4–8 MB young generation cost ~20% more CPU in collections; 32 MB
 * added ~40 MB of RSS per worker). A range a worker cannot read within them
 * (a line of hundreds of MB) is read on the reading thread instead.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

/**
 * Worker threads for a large text trace: `LOCKSCOPE_TRACE_WORKERS` (a count;
 * 0 or unset: none) when the compiled worker is there; the reading thread
 * parses its share of the ranges too. Off by default: on the lab's 2-core
 * machine, on 1 GB of the lab mix, one worker takes the wall time from
 * 6.8–8.0 s to 5.2–6.4 s for ~20% more CPU (a second heap to collect, the
 * other events packed and unpacked), and peaks at 211–256 MB RSS against
 * ~130 MB: at or over the 250 MB target (see bench/trace-analyze.mjs, which
 * measures both). Two workers there: slower, and over 300 MB.
 */
export function textWorkers(): number {
  if (!existsSync(fileURLToPath(WORKER_URL))) return 0;
  const n = Number(process.env.LOCKSCOPE_TRACE_WORKERS ?? 0);
  return Number.isInteger(n) && n > 0 ? Math.min(n, availableParallelism() * 2, 16) : 0;
}

/**
 * Lock events of a regular ftrace text file as EventColumns, its byte ranges
 * read by worker threads (see RangePlan) and merged in file order here:
 * line numbers and diagnostics as one parser reading the whole file gives
 * them (`diagnostics` fills while the batches are consumed). Stopping early
 * stops the workers; they never keep the process alive.
 */
export function readTextRanges(
  path: string,
  size: number,
  options: TextRangesOptions = {},
): { batches: AsyncGenerator<EventColumns>; diagnostics: Diagnostic[] } {
  const diag = new BoundedDiagnostics();
  const plan = planRanges(size, options.rangeBytes ?? RANGE_BYTES);
  const workers = Math.min(options.workers ?? textWorkers(), plan.count);
  async function* batches(): AsyncGenerator<EventColumns> {
    const fd = openSync(path, 'r');
    // streams 1..n: the workers' (0..n-1: this thread's stand-ins); n + 1: the ranges read here
    const streams = Math.max(workers + 1, 2);
    const own = new ColumnsBuilder(options.capacity, streams);
    const { capacity, fieldsRead } = options;
    const ownCaches = new FtraceParserCaches();
    const reread = (k: number, context: FtraceContext) =>
      readRange(fd, plan, k, own, { context, fieldsRead, caches: ownCaches });
    const pool = workers > 0 ? new RangeWorkers(path, plan, workers, capacity, fieldsRead) : null;
    try {
      const results = pool ? pool.results() : rangesInThread(fd, plan, streams, capacity, fieldsRead);
      yield* mergeRanges(results, reread, diag, {
        done: (k) => pool?.ack(k),
        open: (r, i) => pool?.unpack(r, i),
        skip: (r) => pool?.skip(r),
      });
    } finally {
      pool?.stop();
      closeSync(fd);
    }
  }
  return { batches: batches(), diagnostics: diag.list };
}

/**
 * The reading thread's share of the ranges with n workers, 2/(3n + 2): two thirds of a worker's,
 * as it also unpacks their events and analyzes everything (one worker more would make three busy
 * threads on two cores). With one worker, 1 GB of the lab mix (5 paired runs each): 2/5 took
 * x0.978 the wall time of 1/2 (where the worker sat idle ~19% of the time), 1/3 x1.04.
 */
function ownShare(workers: number): [number, number] {
  return [2, 3 * workers + 2];
}

/**
 * Who reads range k with n workers: this thread (−1), its share of the ranges spread evenly
 * over the file, or worker 0..n−1, the other ranges in turn. Both sides ask this function.
 */
export function rangeReader(k: number, workers: number): number {
  const [a, b] = ownShare(workers);
  const ownBefore = Math.floor((k * a) / b);
  if (Math.floor(((k + 1) * a) / b) > ownBefore) return -1;
  return (k - ownBefore) % workers;
}

/** What `mergeRanges` tells the reader of the ranges. */
export interface RangeHooks {
  /** A range's batches are consumed. */
  done?: (index: number) => void;
  /** Batch i of a result is about to go out (a worker's packed events are unpacked then, not all at once). */
  open?: (result: RangeResult, i: number) => void;
  /** A result is read again here instead (only the strings its batches introduced are kept). */
  skip?: (result: RangeResult) => void;
}

/** The range workers, and their results in file order. */
class RangeWorkers {
  private readonly workers: Worker[] = [];
  private readonly queues: RangeWorkerMessage[][] = [];
  private readonly unpackers: EventUnpacker[] = [];
  /** The batches of the ranges being consumed, to hand back to their workers. */
  private readonly handed = new Map<number, EventColumns[]>();
  /** Their other events, packed (see `unpack`). */
  private readonly packed = new Map<number, PackedEvents[]>();
  /** Workers that stopped (an error, e.g. out of memory on a huge line, or an exit): their ranges are read here. */
  private readonly stopped = new Set<number>();
  private wake: (() => void) | null = null;

  constructor(
    path: string,
    private readonly plan: RangePlan,
    count: number,
    capacity = 16384,
    fieldsRead?: ReadonlySet<string>,
  ) {
    const read = fieldsRead === undefined ? null : [...fieldsRead];
    for (let w = 0; w < count; w++) {
      // worker w reads ranges w + 1, w + 1 + (count + 1), ... (see `reader`)
      const data: RangeWorkerData = {
        path,
        plan,
        worker: w,
        workers: count,
        capacity,
        ahead: AHEAD,
        fieldsRead: read,
      };
      const worker = new Worker(WORKER_URL, { workerData: data, resourceLimits: WORKER_LIMITS });
      const queue: RangeWorkerMessage[] = [];
      worker.on('message', (m: RangeWorkerMessage) => {
        queue.push(m);
        this.wake?.();
      });
      const stop = () => {
        this.stopped.add(w);
        this.wake?.();
      };
      worker.on('error', stop);
      worker.on('exit', stop);
      // after its listeners (a 'message' listener refs the worker's port again)
      worker.unref();
      this.workers.push(worker);
      this.queues.push(queue);
      this.unpackers.push(new EventUnpacker());
    }
  }

  private reader(k: number): number {
    return rangeReader(k, this.workers.length);
  }

  /**
   * The ranges' results in file order; the index of a range for this thread to read (its share,
   * or a range whose worker stopped).
   */
  async *results(): AsyncGenerator<RangeResult | number> {
    for (let k = 0; k < this.plan.count; k++) {
      const w = this.reader(k);
      if (w < 0) {
        yield k;
        continue;
      }
      const queue = this.queues[w]!;
      while (queue.length === 0 && !this.stopped.has(w)) {
        // referenced only while waiting on them: abandoned readers never keep the process alive
        for (const worker of this.workers) worker.ref();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        for (const worker of this.workers) worker.unref();
      }
      const m = queue.shift();
      if (m === undefined || m.kind === 'error') {
        this.stopped.add(w);
        yield k;
        continue;
      }
      this.packed.set(k, m.packed);
      this.handed.set(k, m.result.batches);
      yield m.result;
    }
  }

  /** Batch i of a worker's range as objects: its other events unpacked (as it goes out: they die young). */
  unpack(r: RangeResult, i: number): void {
    const packed = this.packed.get(r.index)?.[i];
    if (packed === undefined) return;
    r.batches[i]!.others = this.unpackers[this.reader(r.index)]!.unpack(packed);
  }

  /** A worker's range read again on this thread: the strings of its packed events kept, no events made. */
  skip(r: RangeResult): void {
    const unpacker = this.unpackers[this.reader(r.index)]!;
    for (const p of this.packed.get(r.index) ?? []) unpacker.absorb(p);
  }

  /** Range k is consumed: its batches go back to its worker, to be filled again, and it may read one more. */
  ack(k: number): void {
    const w = this.reader(k);
    if (w < 0) return;
    const batches = this.handed.get(k) ?? [];
    this.handed.delete(k);
    this.packed.delete(k);
    const transfer: ArrayBuffer[] = [];
    for (const b of batches) {
      // only the arrays go back (the consumer is done with the batch)
      b.newStrings = [];
      b.others = [];
      transfer.push(...columnsBuffers(b));
    }
    this.workers[w]?.postMessage(batches, transfer);
  }

  stop(): void {
    for (const worker of this.workers) void worker.terminate();
  }
}
