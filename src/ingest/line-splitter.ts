/**
 * Push-based line splitter over raw bytes: `push(chunk)` returns the complete
 * lines and keeps the partial tail; `end()` flushes it. Bytes are decoded as
 * UTF-8 once per chunk by a streaming decoder (invalid bytes become U+FFFD,
 * a character split across chunks is joined), a trailing `\r` is removed,
 * and each line carries its 1-based number. The result never depends on
 * where the chunks split.
 */
export interface RawLine {
  text: string;
  line: number;
}

export class LineSplitter {
  private tail = '';
  private next = 1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  push(chunk: Uint8Array): RawLine[] {
    const fresh = this.decoder.decode(chunk, { stream: true });
    // Only the new text is searched, so a long line arriving in many chunks costs linear work.
    if (!fresh.includes('\n')) {
      this.tail += fresh;
      return [];
    }
    return this.split(this.tail + fresh);
  }

  end(): RawLine[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    return rest === '' ? [] : [this.emit(rest)];
  }

  /** Number of lines emitted so far. */
  get lineCount(): number {
    return this.next - 1;
  }

  private split(text: string): RawLine[] {
    const out: RawLine[] = [];
    let start = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      out.push(this.emit(text.slice(start, i)));
      start = i + 1;
    }
    this.tail = start === 0 ? text : text.slice(start);
    return out;
  }

  private emit(text: string): RawLine {
    return { text: text.endsWith('\r') ? text.slice(0, -1) : text, line: this.next++ };
  }
}
