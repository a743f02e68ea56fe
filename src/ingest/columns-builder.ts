import {
  CONTENTION_BEGIN,
  CONTENTION_END,
  type EventColumns,
  LOCK_ACQUIRE,
  lockOpOf,
  OTHER_EVENT,
} from '../model/event-columns.js';
import {
  acquireFlagsOf,
  addrOf,
  contentionFlagsOf,
  lockNameOf,
  type TraceEvent,
} from '../model/trace-event.js';

/**
 * Fills EventColumns batches for one trace stream and keeps its string table
 * (string → id; each batch carries the strings it used first). Readers call
 * `id()` only when their own byte-level caches miss, so a lock name costs one
 * Map lookup per distinct byte pattern, not per event.
 */
export class ColumnsBuilder {
  private readonly ids = new Map<string, number>();
  private readonly spare: EventColumns[] = [];
  private nextId = 0;
  private batch: EventColumns;

  constructor(
    private readonly capacity = 16384,
    /** The string table this builder's ids belong to (see EventColumns.stream). */
    readonly stream = 0,
  ) {
    this.batch = newColumns(capacity, stream);
  }

  /** The id of a string (registered on first use). */
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(text, id);
      this.batch.newStrings.push(text);
    }
    return id;
  }

  /** Rows in the open batch (a reader hands it over when `full`). */
  get count(): number {
    return this.batch.count;
  }

  get full(): boolean {
    return this.batch.count >= this.capacity;
  }

  /**
   * The time of the row `addRow` adds next. A reader writes it here rather than pass it: a
   * time in nanoseconds is a double, and a double passed to a call V8 does not inline is
   * boxed, a number allocated per row (on the trace.dat decoding thread, one per record).
   */
  readonly nextTs = new Float64Array(1);

  /** One row (see EventColumns for what each column holds), its time taken from `nextTs`. */
  addRow(
    op: number,
    line: number,
    cpu: number,
    pid: number,
    comm: number,
    flags: number,
    name: number,
    addr: number,
    arg: number,
  ): void {
    const b = this.batch;
    const i = b.count++;
    b.op[i] = op;
    b.line[i] = line;
    b.ts[i] = this.nextTs[0]!;
    b.cpu[i] = cpu;
    b.pid[i] = pid;
    b.comm[i] = comm;
    b.flags[i] = flags;
    b.name[i] = name;
    b.addr[i] = addr;
    b.arg[i] = arg;
  }

  /** Where other events go instead of their batch's `others` (null: into `others`). */
  othersSink: OthersSink | null = null;

  /** Any other event, kept whole (or handed to `othersSink`). */
  other(event: TraceEvent): void {
    const b = this.batch;
    b.op[b.count++] = OTHER_EVENT;
    if (this.othersSink !== null) this.othersSink.add(event);
    else b.others.push(event);
  }

  /** An event object: a row of its own when it is a lock or contention event, else kept whole. */
  addEvent(ev: TraceEvent): void {
    const op = lockOpOf(ev.name);
    if (op === OTHER_EVENT) {
      this.other(ev);
      return;
    }
    const flags = ev.flags === null ? -1 : this.id(ev.flags);
    const { name, addr, arg } = this.rowIds(op, ev);
    this.nextTs[0] = ev.ts;
    this.addRow(op, ev.line, ev.cpu, ev.pid, this.id(ev.comm), flags, name, addr, arg);
  }

  /**
   * The string ids a lock or contention event's row carries: its lock name,
   * address and `arg` (see EventColumns); contention events name their lock by address.
   */
  rowIds(op: number, ev: TraceEvent): { name: number; addr: number; arg: number } {
    const f = ev.fields;
    if (op === CONTENTION_BEGIN || op === CONTENTION_END) {
      const addr = this.id(String(f.lock_addr ?? ''));
      return { name: -1, addr, arg: op === CONTENTION_BEGIN ? this.id(contentionFlagsOf(ev)) : -1 };
    }
    const addr = addrOf(f.lockdep_addr);
    return {
      name: this.id(lockNameOf(ev)),
      addr: addr === null ? -1 : this.id(addr),
      arg: op === LOCK_ACQUIRE ? acquireFlagsOf(ev) : 0,
    };
  }

  /** The open batch, and a fresh one (or a recycled one) opened in its place. */
  take(): EventColumns {
    const b = this.batch;
    const spare = this.spare.pop();
    this.batch = spare ?? newColumns(this.capacity, this.stream);
    this.othersSink?.taken(b);
    return b;
  }

  /** A batch its consumer is done with, to be filled again (no new arrays per batch). */
  recycle(batch: EventColumns): void {
    if (batch.op.length !== this.capacity || batch.stream !== this.stream) return;
    batch.count = 0;
    batch.newStrings = [];
    batch.others = [];
    this.spare.push(batch);
  }
}

/**
 * Takes the other events of a builder's batches as they come, instead of the batches'
 * `others` (a worker thread packs them at once: an event object then dies young).
 */
export interface OthersSink {
  add(event: TraceEvent): void;
  /** The batch whose other events were the ones added since the last call. */
  taken(batch: EventColumns): void;
}

function newColumns(n: number, stream: number): EventColumns {
  return {
    kind: 'columns',
    stream,
    count: 0,
    op: new Uint8Array(n),
    line: new Float64Array(n),
    ts: new Float64Array(n),
    cpu: new Int32Array(n),
    pid: new Int32Array(n),
    comm: new Int32Array(n),
    flags: new Int32Array(n),
    name: new Int32Array(n),
    addr: new Int32Array(n),
    arg: new Int32Array(n),
    newStrings: [],
    others: [],
  };
}

/** The buffers of a batch, to transfer it to another thread. */
export function columnsBuffers(c: EventColumns): ArrayBuffer[] {
  return [c.op, c.line, c.ts, c.cpu, c.pid, c.comm, c.flags, c.name, c.addr, c.arg].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/** Event-object batches re-cut as column batches (for readers without a columns path of their own). */
export async function* asColumns(
  batches: AsyncIterable<readonly TraceEvent[]>,
  capacity?: number,
): AsyncGenerator<EventColumns> {
  const builder = new ColumnsBuilder(capacity);
  for await (const batch of batches) {
    for (const ev of batch) {
      builder.addEvent(ev);
      if (builder.full) yield builder.take();
    }
  }
  if (builder.count > 0) yield builder.take();
}
