import { type MessagePort, type ResourceLimits, Worker } from 'node:worker_threads';
import { MalformedError, TruncatedError } from './byte-reader.js';

/**
 * A reader thread's garbage is short-lived (one batch): a small young
 * generation keeps its memory down at no cost in speed.
 */
export const READER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16 };

/** What a reader worker posts: an item, the end, or an unexpected error (rethrown in the reader). */
export type WorkerMessage<T> =
  | { kind: 'item'; item: T }
  | { kind: 'done' }
  | { kind: 'error'; message: string; stack?: string };

/**
 * The reader side: the items a worker thread posts, in order. Each item is
 * handed back (`giveBack`, e.g. its buffers transferred to be filled again)
 * when the consumer asks for the next one, which also releases the worker's
 * next item. The worker is stopped when the consumer stops early, and is
 * referenced only while the reader waits on it: an abandoned reader never
 * keeps the process alive.
 */
export async function* workerItems<T>(
  url: URL,
  data: unknown,
  giveBack: (worker: Worker, item: T) => void,
): AsyncGenerator<T> {
  const worker = new Worker(url, { workerData: data, resourceLimits: READER_LIMITS });
  const queue: WorkerMessage<T>[] = [];
  let failure: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  worker.on('message', (m: WorkerMessage<T>) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e: Error) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  // after its listeners (a 'message' listener refs the worker's port again)
  worker.unref();
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failure) throw failure;
        if (exited) throw new Error('the trace.dat reader thread stopped before the end of the data');
        worker.ref();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        worker.unref();
      }
      const m = queue.shift()!;
      if (m.kind === 'done') return;
      if (m.kind === 'error') {
        const error = new Error(`trace.dat reader thread: ${m.message}`);
        if (m.stack) error.stack = m.stack;
        throw error;
      }
      yield m.item;
      giveBack(worker, m.item);
    }
  } finally {
    void worker.terminate();
  }
}

/**
 * The worker side: posts the items of `items` with at most `ahead` in flight;
 * each message the reader sends back (a handed-back item) goes to `returned`
 * and releases one more. Errors end the stream with an `error` message.
 */
export function serveItems<T, R>(
  port: MessagePort,
  items: Iterator<T>,
  options: {
    ahead: number;
    transfer: (item: T) => ArrayBuffer[];
    returned: (back: R) => void;
    close: () => void;
  },
): void {
  let credits = options.ahead;
  let finished = false;
  const end = (message: WorkerMessage<T>) => {
    finished = true;
    options.close();
    port.postMessage(message);
    port.close();
  };
  const pump = () => {
    try {
      while (credits > 0 && !finished) {
        const next = items.next();
        if (next.done) {
          end({ kind: 'done' });
          return;
        }
        credits--;
        const message: WorkerMessage<T> = { kind: 'item', item: next.value };
        port.postMessage(message, options.transfer(next.value));
      }
    } catch (error) {
      const e = error as Error;
      const known = error instanceof TruncatedError || error instanceof MalformedError;
      end({ kind: 'error', message: e.message, stack: known ? undefined : e.stack });
    }
  };
  port.on('message', (back: R) => {
    options.returned(back);
    credits++;
    pump();
  });
  pump();
}
