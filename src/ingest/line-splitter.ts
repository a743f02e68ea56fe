import { isAscii } from 'node:buffer';
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
 * and, when its bytes are its characters one for one (an ASCII piece; not a line joined with the
 * piece before), those bytes: `bytes[at + k]` is `text.charCodeAt(k)`; else null. The bytes are the
 * caller's chunk: valid during the call only.
 */
export type LineSink = (
  text: string,
  line: number,
  clean: boolean,
  bytes: Uint8Array | null,
  at: number,
) => void;

/** Is given each decoded piece of input before its lines (see `each`). */
export type PieceSink = (text: string) => void;

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
   * `onPiece` is given each decoded piece before its lines (a line's `at` is where it is in it).
   */
  each(chunk: Uint8Array, onLine: LineSink, onPiece?: PieceSink): void {
    // A big chunk is decoded a piece at a time, each cut after a newline: a piece's string dies
    // young (a scavenge frees it) where a whole chunk's would outlive a few scavenges, be promoted
    // and, as an external string outside the JS heap, wait for a full GC.
    for (let start = 0; start < chunk.length; ) {
      let end = chunk.length;
      if (end - start > PIECE_BYTES) {
        const nl = chunk.lastIndexOf(0x0a, start + PIECE_BYTES - 1);
        end = nl >= start ? nl + 1 : start + PIECE_BYTES;
      }
      this.piece(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end), onLine, onPiece);
      start = end;
    }
  }

  private piece(chunk: Uint8Array, onLine: LineSink, onPiece?: PieceSink): void {
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
    onPiece?.(fresh);
    this.split(this.tail, fresh, clean, oneToOne ? chunk : null, onLine);
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
  ): void {
    const first = text.indexOf('\n');
    // The next control character of `text` at or after the current line's start.
    let control = clean ? Number.POSITIVE_INFINITY : nextControl(text, 0);
    const firstEnd = first > 0 && text.charCodeAt(first - 1) === 0x0d ? first - 1 : first;
    // The tail (a line's start, maybe long and in many pieces) is scanned once, when its line ends.
    const tailClean = tail === '' || nextControl(tail, 0) === Number.POSITIVE_INFINITY;
    this.emit(
      tail + text.slice(0, first),
      tailClean && control >= firstEnd,
      onLine,
      tail === '' ? bytes : null,
      0,
    );
    let start = first + 1;
    for (let i = text.indexOf('\n', start); i !== -1; i = text.indexOf('\n', start)) {
      if (control < start) control = nextControl(text, start);
      // A `\r` right before the newline is dropped with it.
      const end = i > start && text.charCodeAt(i - 1) === 0x0d ? i - 1 : i;
      this.emit(text.slice(start, i), control >= end, onLine, bytes, start);
      start = i + 1;
    }
    this.tail = text.slice(start);
  }

  private emit(text: string, clean: boolean, onLine: LineSink, bytes: Uint8Array | null, at: number): void {
    const t = text.charCodeAt(text.length - 1) === 0x0d ? text.slice(0, -1) : text;
    onLine(t, this.next++, clean, bytes, at);
  }
}

/** Index of the first control character of `text` at or after `from`, or +Infinity. */
function nextControl(text: string, from: number): number {
  CONTROL_RE.lastIndex = from;
  return CONTROL_RE.exec(text)?.index ?? Number.POSITIVE_INFINITY;
}
