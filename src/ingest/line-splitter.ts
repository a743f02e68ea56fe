import { isAscii } from 'node:buffer';

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

// Any C0 control but TAB and LF, or DEL: the next one from `lastIndex` (a `\r` counts, unless it
// ends its line).
const CONTROL_RE = /[\x00-\x08\x0b-\x1f\x7f]/g;

export class LineSplitter {
  private tail = '';
  private tailClean = true;
  private next = 1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  /** The decoder holds no partial character (the last chunk it saw was ASCII, or none). */
  private decoderIdle = true;

  push(chunk: Uint8Array): RawLine[] {
    if (chunk.length === 0) return [];
    const ascii = isAscii(chunk);
    let fresh: string;
    if (ascii && this.decoderIdle) {
      fresh = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    } else {
      fresh = this.decoder.decode(chunk, { stream: true });
      this.decoderIdle = ascii;
    }
    // Only the new text is searched, so a long line arriving in many chunks costs linear work.
    if (!fresh.includes('\n')) {
      this.tailClean &&= nextControl(fresh, 0) === Number.POSITIVE_INFINITY;
      this.tail += fresh;
      return [];
    }
    return this.split(this.tail, fresh);
  }

  end(): RawLine[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    this.tailClean = true;
    return rest === '' ? [] : [this.emit(rest, false)];
  }

  /** Number of lines emitted so far. */
  get lineCount(): number {
    return this.next - 1;
  }

  /** The lines of `tail + fresh` (the tail holds no newline; its cleanliness is known). */
  private split(tail: string, fresh: string): RawLine[] {
    const text = tail + fresh;
    const out: RawLine[] = [];
    let start = 0;
    // The next control character at or after `start` (the tail's own are summed up by tailClean).
    let control = nextControl(text, tail.length);
    let tailDirty = !this.tailClean;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      if (control < start) control = nextControl(text, start);
      // A `\r` right before the newline is dropped with it.
      const end = i > start && text.charCodeAt(i - 1) === 0x0d ? i - 1 : i;
      out.push(this.emit(text.slice(start, i), !tailDirty && control >= end));
      tailDirty = false;
      start = i + 1;
    }
    this.tail = start === 0 ? text : text.slice(start);
    if (control < start) control = nextControl(text, start);
    this.tailClean = control === Number.POSITIVE_INFINITY;
    return out;
  }

  private emit(text: string, clean: boolean): RawLine {
    const t = text.charCodeAt(text.length - 1) === 0x0d ? text.slice(0, -1) : text;
    return { text: t, line: this.next++, clean };
  }
}

/** Index of the first control character of `text` at or after `from`, or +Infinity. */
function nextControl(text: string, from: number): number {
  CONTROL_RE.lastIndex = from;
  return CONTROL_RE.exec(text)?.index ?? Number.POSITIVE_INFINITY;
}
