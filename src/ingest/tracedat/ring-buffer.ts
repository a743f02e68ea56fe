import type { Diagnostic } from '../../model/diagnostic.js';
import { i32be, i32le, readU64, u32 } from './byte-reader.js';

/** Ring-buffer record types (kernel `enum ring_buffer_type`). */
const TYPE_PADDING = 29;
const TYPE_TIME_EXTEND = 30;
const TYPE_TIME_STAMP = 31;
const TS_SHIFT = 2 ** 27;
const TS_MSB = 2 ** 59;
const COMMIT_MASK = (1 << 27) - 1;
const MISSING_EVENTS = 2 ** 31;
const MISSING_STORED = 2 ** 30;

export interface PageLayout {
  pageSize: number;
  bigEndian: boolean;
  /** Size of `local_t commit` (the kernel's long). */
  commitSize: number;
  /** Offset of the data from the page start. */
  dataOffset: number;
}

/**
 * The records of one ring-buffer page, decoded into reusable parallel arrays:
 * the raw timestamp, the payload offset (into the buffer holding the page) and
 * its length. Padding, time extends and absolute time stamps are applied and
 * dropped, as libtraceevent's kbuffer does.
 */
export class PageRecords {
  count = 0;
  /** Events lost before this page (-1: some, count unknown). */
  lost = 0;
  readonly ts: Float64Array;
  readonly offset: Int32Array;
  readonly length: Int32Array;

  constructor(readonly layout: PageLayout) {
    const max = Math.ceil(layout.pageSize / 8) + 1;
    this.ts = new Float64Array(max);
    this.offset = new Int32Array(max);
    this.length = new Int32Array(max);
  }

  /**
   * Decodes the page at `start` of `buf`; returns false (with a diagnostic)
   * when the page is damaged — records before the damage are kept.
   */
  decode(buf: Buffer, start: number, cpu: number, diagnostics: Diagnostic[]): boolean {
    const { bigEndian: be, commitSize, dataOffset, pageSize } = this.layout;
    this.count = 0;
    let ts = readU64(buf, start, be);
    const commitAt = start + 8;
    const commit = commitSize === 8 && be ? u32(buf, commitAt + 4, true) : u32(buf, commitAt, be);
    const size = commit & COMMIT_MASK;
    const data = start + dataOffset;
    let end = data + size;
    let ok = true;
    if (end > start + pageSize || end > buf.length) {
      diagnostics.push({
        code: 'tracedat-bad-page',
        message: `CPU ${cpu}: page commit size ${size} exceeds the page`,
        line: null,
      });
      end = Math.min(start + pageSize, buf.length);
      ok = false;
    }
    this.lost = 0;
    if (commit >= MISSING_EVENTS) {
      this.lost = -1;
      if (commit - MISSING_EVENTS >= MISSING_STORED && end + commitSize <= buf.length) {
        this.lost = commitSize === 8 ? readU64(buf, end, be) : u32(buf, end, be);
      }
    }
    let i = data;
    while (i + 4 <= end) {
      // the record header (this loop runs once per record: the branch-free readers inline)
      const word = (be ? i32be(buf, i) : i32le(buf, i)) >>> 0;
      const typeLen = be ? word >>> 27 : word & 31;
      const delta = be ? word & COMMIT_MASK : word >>> 5;
      i += 4;
      if (typeLen === TYPE_PADDING) {
        if (delta === 0 || i + 4 > end) break; // the rest of the page is padding
        ts += delta;
        i += u32(buf, i, be);
        continue;
      }
      if (typeLen === TYPE_TIME_EXTEND || typeLen === TYPE_TIME_STAMP) {
        if (i + 4 > end) break;
        const ext = u32(buf, i, be) * TS_SHIFT + delta;
        i += 4;
        ts = typeLen === TYPE_TIME_EXTEND ? ts + ext : ext + Math.floor(ts / TS_MSB) * TS_MSB;
        continue;
      }
      let len: number;
      if (typeLen === 0) {
        if (i + 4 > end) break;
        len = (u32(buf, i, be) - 4 + 3) & ~3;
        i += 4;
      } else len = typeLen * 4;
      ts += delta;
      if (len < 0 || i + len > end) {
        diagnostics.push({
          code: 'tracedat-bad-record',
          message: `CPU ${cpu}: a record runs past the end of its page`,
          line: null,
        });
        return false;
      }
      const n = this.count++;
      this.ts[n] = ts;
      this.offset[n] = i;
      this.length[n] = len;
      i += len;
    }
    return ok;
  }
}
