/**
 * Push-based line splitter over raw bytes: `push(chunk)` returns the complete
 * lines and keeps the partial tail; `end()` flushes it. Lines are decoded as
 * UTF-8 with replacement characters for invalid bytes, `\r\n` and a lone
 * trailing `\r` are removed, and each line carries its 1-based number. The
 * result never depends on where the chunks split (a multi-byte character or a
 * CRLF split across chunks is handled).
 */
export interface RawLine {
  text: string;
  line: number;
}

const NL = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private tail: Buffer[] = [];
  private tailLength = 0;
  private next = 1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  push(chunk: Uint8Array): RawLine[] {
    const out: RawLine[] = [];
    let start = 0;
    for (let i = chunk.indexOf(NL, start); i !== -1; i = chunk.indexOf(NL, start)) {
      const piece = chunk.subarray(start, i);
      out.push(this.emit(piece));
      start = i + 1;
    }
    if (start < chunk.length) {
      const rest = Buffer.from(chunk.subarray(start));
      this.tail.push(rest);
      this.tailLength += rest.length;
    }
    return out;
  }

  end(): RawLine[] {
    if (this.tailLength === 0) return [];
    return [this.emit(new Uint8Array(0))];
  }

  /** Number of lines emitted so far. */
  get lineCount(): number {
    return this.next - 1;
  }

  private emit(piece: Uint8Array): RawLine {
    let bytes: Uint8Array = piece;
    if (this.tailLength > 0) {
      bytes = Buffer.concat([...this.tail, piece]);
      this.tail = [];
      this.tailLength = 0;
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    const text = this.decoder.decode(bytes.subarray(0, end));
    return { text, line: this.next++ };
  }
}
