import { isAscii } from 'node:buffer';
import { codeAt } from '../util/string-calls.js';
import { hasControlByte } from './control-bytes.js';

/**
 * Push-based line splitter over raw bytes: `push(chunk)` returns the complete
 * lines and keeps the partial tail; `end()` flushes it. Bytes are decoded as
 * UTF-8 once per chunk by a streaming decoder (invalid bytes become U+FFFD,
 * a character split across chunks is joined), a trailing `\r` is removed,
 * and each line carries its 1-based number. The result never depends on
 * where the chunks split.
 *
 * Fast paths (same result): an all-ASCII chunk is decoded as latin1 when the
 * decoder holds no partial character, and a line with no control character
 * (other than `\t` and the `\r` of its CRLF) is marked `clean` so the normalizer
 * need not scan it again: one scan of the chunk finds the rare control bytes,
 * so a stray ESC or NUL leaves the other lines of its chunk clean.
 */
export interface RawLine {
  text: string;
  line: number;
  /** True when the text is known to hold no control character but TAB (the normalizer may skip its scan). */
  clean?: boolean;
}

/**
 * Receives each line: its text (without `\n` or a trailing `\r`), 1-based number and `clean` flag,
 * where it starts in the decoded piece the PieceSink was given (`at`), and, when its bytes are its
 * characters one for one (an ASCII line; not a line joined with the piece before, nor the first of
 * a piece that is not all ASCII), those bytes: `bytes[at + k]` is `text.charCodeAt(k)`; else null.
 * The bytes are (a view of) the caller's chunk: valid during the call only.
 */
export type LineSink = (
  text: string,
  line: number,
  clean: boolean,
  bytes: Uint8Array | null,
  at: number,
) => void;

/**
 * Is given each decoded piece of input before its lines (see `each`), and its bytes when they are
 * its characters one for one (an ASCII piece: `bytes[k]` is `text.charCodeAt(k)`), else null.
 */
export type PieceSink = (text: string, bytes: Uint8Array | null) => void;

/**
 * Offered the lines of a piece whose bytes are its characters (`bytes[k]` is `text.charCodeAt(k)`),
 * from the start of a line on, before they are cut out of the piece (see `each`): takes a run of
 * whole lines that it has no use for, none holding a control character (the first at or after
 * `from` is at `control`, +Infinity when none), and returns where the first line it did not take
 * starts (`from` when it took none) and, in `taken`, how many it took. A line taken is not handed
 * to the LineSink but keeps its number.
 */
export interface LineSkipper {
  take(text: string, bytes: Uint8Array, from: number, control: number): number;
  taken: number;
}

// Any C0 control but TAB and LF, or DEL: the next one from `lastIndex` (a `\r` counts, unless it
// ends its line).
const CONTROL_RE = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Most bytes decoded into one string (see `each`). */
const PIECE_BYTES = 65536;

export class LineSplitter {
  private tail = '';
  private next = 1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  /** The decoder holds no partial character (the last chunk it saw was ASCII, or none). */
  private decoderIdle = true;

  push(chunk: Uint8Array): RawLine[] {
    const out: RawLine[] = [];
    this.each(chunk, (text, line, clean) => out.push({ text, line, clean }));
    return out;
  }

  /**
   * `push`, handing each line's parts to `onLine` as it is cut instead of returning them all: a
   * consumer that is done with a line before the next keeps no chunk's worth of lines alive.
   * `onPiece` is given each decoded piece before its lines (a line's `at` is where it is in it);
   * `skip` is offered the lines of an ASCII piece before they are cut (but the first, which may
   * continue the piece before).
   */
  each(chunk: Uint8Array, onLine: LineSink, onPiece?: PieceSink, skip?: LineSkipper): void {
    // A big chunk is decoded a piece at a time, each cut after a newline: a piece's string dies
    // young (a scavenge frees it) where a whole chunk's would outlive a few scavenges, be promoted
    // and, as an external string outside the JS heap, wait for a full GC.
    for (let start = 0; start < chunk.length; ) {
      let end = chunk.length;
      if (end - start > PIECE_BYTES) {
        const nl = chunk.lastIndexOf(0x0a, start + PIECE_BYTES - 1);
        end = nl >= start ? nl + 1 : start + PIECE_BYTES;
      }
      this.piece(
        start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end),
        onLine,
        onPiece,
        skip,
      );
      start = end;
    }
  }

  private piece(chunk: Uint8Array, onLine: LineSink, onPiece?: PieceSink, skip?: LineSkipper): void {
    const ascii = isAscii(chunk);
    // (read in the bytes: what CONTROL_RE would find in the text, see hasControlByte)
    const clean = !hasControlByte(chunk);
    let fresh: string;
    // One character a byte: the lines may be read from the bytes.
    const oneToOne = ascii && this.decoderIdle;
    if (oneToOne) {
      fresh = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    } else {
      fresh = this.decoder.decode(chunk, { stream: true });
      this.decoderIdle = ascii;
    }
    // Only the new text is searched, so a long line arriving in many chunks costs linear work.
    if (!fresh.includes('\n')) {
      this.tail += fresh;
      return;
    }
    onPiece?.(fresh, oneToOne ? chunk : null);
    if (!oneToOne) this.startDecoded(chunk);
    this.split(this.tail, fresh, clean, oneToOne ? chunk : null, onLine, skip);
    // (no chunk outlives its call)
    this.decoded = null;
    this.decodedView = null;
  }

  end(): RawLine[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    const out: RawLine[] = [];
    if (rest !== '') this.emit(rest, false, (text, line, clean) => out.push({ text, line, clean }), null, 0);
    return out;
  }

  /** Number of lines emitted so far. */
  get lineCount(): number {
    return this.next - 1;
  }

  /**
   * The lines of `tail + text` (the tail holds no newline). Only the first line is a concatenation:
   * the others are slices of `text` (the whole text is never copied).
   */
  private split(
    tail: string,
    text: string,
    clean: boolean,
    bytes: Uint8Array | null,
    onLine: LineSink,
    skip?: LineSkipper,
  ): void {
    const first = text.indexOf('\n');
    // The next control character of `text` at or after the current line's start.
    let control = clean ? Number.POSITIVE_INFINITY : nextControl(text, 0);
    const firstEnd = first > 0 && text.charCodeAt(first - 1) === 0x0d ? first - 1 : first;
    // The tail (a line's start, maybe long and in many pieces) is scanned once, when its line ends.
    // (asked of an empty tail too: a call first made after V8 compiled split would have it compiled again)
    const tailClean = nextControl(tail, 0) === Number.POSITIVE_INFINITY;
    this.emit(
      tail + text.slice(0, first),
      tailClean && control >= firstEnd,
      onLine,
      tail === '' ? bytes : null,
      0,
    );
    let start = first + 1;
    for (;;) {
      if (control < start) control = nextControl(text, start);
      if (skip !== undefined && bytes !== null) {
        start = skip.take(text, bytes, start, control);
        this.next += skip.taken;
      }
      const i = text.indexOf('\n', start);
      if (i === -1) break;
      // A `\r` right before the newline is dropped with it.
      const end = i > start && text.charCodeAt(i - 1) === 0x0d ? i - 1 : i;
      this.emit(text.slice(start, i), control >= end, onLine, bytes ?? this.asciiLine(start, i), start);
      start = i + 1;
    }
    this.tail = text.slice(start);
  }

  /**
   * The chunk of a piece that is not all ASCII (its text decoded) while it is split, and where the
   * line last asked about (see asciiLine) ends in it.
   */
  private decoded: Uint8Array | null = null;
  private decodedEnd = -1;
  /** A view of the decoded chunk that puts the bytes of the lines asked about at their text's places. */
  private decodedView: Uint8Array | null = null;
  private decodedShift = -1;

  private startDecoded(chunk: Uint8Array): void {
    this.decoded = chunk;
    // The newline that ends the piece's first line (never asked about).
    this.decodedEnd = chunk.indexOf(0x0a);
    this.decodedShift = -1;
  }

  /**
   * In a piece that is not all ASCII, the bytes of its line from `start` to `end` in the text (asked
   * in order, from the second line on) when the line is all ASCII, as a view with `view[start + k]`
   * the line's `k`-th byte; else null. The decoder turned each newline byte into a newline (no
   * character of UTF-8 holds that byte, and it ends any invalid sequence before it), so the n-th
   * newline of the text is the n-th of the chunk.
   */
  private asciiLine(start: number, end: number): Uint8Array | null {
    const chunk = this.decoded;
    if (chunk === null) return null;
    const from = this.decodedEnd + 1;
    const to = chunk.indexOf(0x0a, from);
    this.decodedEnd = to;
    const shift = from - start;
    if (to - from !== end - start || shift < 0 || !isAscii(chunk.subarray(from, to))) return null;
    if (shift !== this.decodedShift) {
      this.decodedView = chunk.subarray(shift);
      this.decodedShift = shift;
    }
    return this.decodedView;
  }

  private emit(text: string, clean: boolean, onLine: LineSink, bytes: Uint8Array | null, at: number): void {
    const t = codeAt(text, text.length - 1) === 0x0d ? text.slice(0, -1) : text;
    onLine(t, this.next++, clean, bytes, at);
  }
}

/** Index of the first control character of `text` at or after `from`, or +Infinity. */
function nextControl(text: string, from: number): number {
  CONTROL_RE.lastIndex = from;
  return CONTROL_RE.exec(text)?.index ?? Number.POSITIVE_INFINITY;
}
