import type { Diagnostic } from '../../model/diagnostic.js';
import { type FileSource, MalformedError, TruncatedError } from './byte-reader.js';
import type { ChunkSource } from './chunk-source.js';
import type { CpuData } from './metadata.js';
import { type PageLayout, PageRecords } from './ring-buffer.js';

/** No word view (an unaligned buffer): fields are read byte by byte. */
export const NO_WORDS = new Int32Array(0);

/** The words of `buf` (see CpuStream.words). */
function wordsOf(buf: Buffer): Int32Array {
  return (buf.byteOffset & 3) === 0 ? new Int32Array(buf.buffer, buf.byteOffset, buf.length >> 2) : NO_WORDS;
}

/** Pages read per file access for uncompressed data. */
const PAGES_PER_READ = 64;

/**
 * One CPU's records in order, read page by page from the file (uncompressed)
 * or chunk by chunk (v7 compressed: see chunk-source.ts), so memory stays at
 * one window or chunk.
 */
export class CpuStream {
  /** Buffer holding the current page; `records.offset` indexes into it. */
  buf: Buffer = Buffer.alloc(0);
  /**
   * `buf` as host-order 32-bit words (word i = bytes 4i…4i+3) when it starts on a
   * 4-byte boundary, else empty: aligned fields and strings read a word per load.
   */
  words: Int32Array = NO_WORDS;
  readonly records: PageRecords;
  /** Index of the current record in `records`. */
  index = 0;
  /** Where the current page starts in `buf`. */
  pageStart = 0;
  /** Counts the pages loaded (tells a consumer that copies pages when the page changed). */
  pageSerial = 0;
  private window: Buffer = Buffer.alloc(0);
  private windowPage = 0;
  private filePos: number;
  private readonly fileEnd: number;
  private done = false;

  constructor(
    private readonly file: FileSource,
    readonly data: CpuData,
    private readonly layout: PageLayout,
    /** v7 compressed data: the decompressed chunks (null: the data is plain pages). */
    private readonly chunks: ChunkSource | null,
    /** Where diagnostics go (a block reader swaps it per block). */
    public diagnostics: Diagnostic[],
  ) {
    this.records = new PageRecords(layout);
    this.filePos = data.offset;
    this.fileEnd = data.offset + data.size;
    if (this.fileEnd > file.size) {
      this.diag(
        'tracedat-truncated',
        `CPU ${data.cpu}: data ends ${this.fileEnd - file.size} bytes past the end of the file`,
      );
    }
  }

  get cpu(): number {
    return this.data.cpu;
  }

  /** Raw timestamp of the current record (call only after `advance()` returned true). */
  get ts(): number {
    return this.records.ts[this.index]!;
  }

  /** Moves to the next record; false at the end of this CPU's data. */
  advance(): boolean {
    this.index++;
    while (this.index >= this.records.count) {
      if (!this.loadPage()) return false;
      this.index = 0;
    }
    return true;
  }

  private loadPage(): boolean {
    const { pageSize } = this.layout;
    for (;;) {
      if (this.done) return false;
      const at = this.windowPage * pageSize;
      if (at + pageSize <= this.window.length) {
        this.windowPage++;
        if (this.buf !== this.window) {
          this.buf = this.window;
          this.words = wordsOf(this.window);
        }
        this.pageStart = at;
        this.pageSerial++;
        this.records.decode(this.window, at, this.data.cpu, this.diagnostics);
        if (this.records.lost !== 0) this.noteLost(this.records.lost);
        return true;
      }
      if (at < this.window.length) {
        this.diag(
          'tracedat-truncated',
          `CPU ${this.data.cpu}: the last page is cut short; its events are dropped`,
        );
      }
      try {
        this.window = this.chunks ? this.chunks.next() : this.nextWindow();
      } catch (error) {
        if (!(error instanceof TruncatedError || error instanceof MalformedError)) throw error;
        this.diag('tracedat-truncated', `CPU ${this.data.cpu}: ${error.message}; events after it are lost`);
        this.window = Buffer.alloc(0);
      }
      this.windowPage = 0;
      if (this.window.length === 0) this.done = true;
    }
  }

  private nextWindow(): Buffer {
    const want = Math.min(this.layout.pageSize * PAGES_PER_READ, this.fileEnd - this.filePos);
    if (want <= 0) return Buffer.alloc(0);
    const buf = this.file.read(this.filePos, want);
    this.filePos += buf.length;
    if (buf.length === 0) this.filePos = this.fileEnd;
    return buf;
  }

  /** Pages that said events were lost before them (past the first ten reported one by one), and their counts. */
  morePages = 0;
  moreEvents = 0;
  /** Those of `morePages` whose count the kernel did not store (each counts 1 in a diagnostic's `count`). */
  moreUncounted = 0;
  private lostPages = 0;

  /**
   * One diagnostic per page that lost events, for the first ten; the rest are
   * summed into `morePages`/`moreEvents` (reported once at the end). Each
   * carries `count` (1 when the kernel did not store the number).
   */
  private noteLost(count: number): void {
    this.lostPages++;
    if (this.lostPages > 10) {
      this.morePages++;
      if (count > 0) this.moreEvents += count;
      else this.moreUncounted++;
      return;
    }
    const what = count < 0 ? 'events lost (count not stored)' : `${count} events lost`;
    this.diagnostics.push({
      code: 'tracedat-lost-events',
      message: `CPU ${this.data.cpu}: ${what} before the page at raw time ${this.records.ts[0] ?? 0}`,
      line: null,
      count: count > 0 ? count : 1,
    });
  }

  private diag(code: string, message: string): void {
    this.diagnostics.push({ code, message, line: null });
  }
}
