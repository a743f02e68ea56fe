/**
 * `/proc/kallsyms` as saved in trace.dat, for `%pS`-style symbolization:
 * `sym+0xoff/0xsize [module]`, the size being the distance to the next symbol.
 */
export class Kallsyms {
  private readonly addrs: BigUint64Array;
  private readonly names: string[];
  private readonly modules: (string | null)[];

  private constructor(hi: number[], lo: number[], names: string[], modules: (string | null)[]) {
    // sorted by address (a stable sort: equal addresses keep their file order)
    const order = Array.from(names, (_, i) => i).sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!);
    this.addrs = BigUint64Array.from(order, (i) => (BigInt(hi[i]!) << 32n) | BigInt(lo[i]!));
    this.names = order.map((i) => names[i]!);
    this.modules = order.map((i) => modules[i]!);
  }

  get size(): number {
    return this.names.length;
  }

  // `ffffffffc05dfe7a t virtio_gpu_queue_ctrl_sgs	[virtio_gpu]` and `ffffffff81000000 T _text`
  /** Parses the text in one pass over its characters (it has tens of thousands of lines). */
  static parse(text: string): Kallsyms {
    const hi: number[] = [];
    const lo: number[] = [];
    const names: string[] = [];
    const modules: (string | null)[] = [];
    for (let pos = 0; pos < text.length; ) {
      let eol = text.indexOf('\n', pos);
      if (eol < 0) eol = text.length;
      const line = pos;
      pos = eol + 1;
      // the address: 1 to 16 hex digits, as two 32-bit halves
      let h = 0;
      let l = 0;
      let p = line;
      for (; p < eol; p++) {
        const d = hexDigit(text.charCodeAt(p));
        if (d < 0) break;
        h = ((h << 4) | (l >>> 28)) >>> 0;
        l = ((l << 4) | d) >>> 0;
      }
      const digits = p - line;
      if (digits === 0 || digits > 16 || text.charCodeAt(p) !== 32 || text.charCodeAt(p + 2) !== 32) continue;
      if (h === 0 && l === 0) continue;
      const rest = text.slice(p + 3, eol);
      const tab = rest.indexOf('\t');
      const name = (tab < 0 ? rest : rest.slice(0, tab)).trim();
      if (name === '') continue;
      const modPart = tab < 0 ? '' : rest.slice(tab + 1).trim();
      hi.push(h);
      lo.push(l);
      names.push(name);
      modules.push(modPart.startsWith('[') && modPart.endsWith(']') ? modPart.slice(1, -1) : null);
    }
    return new Kallsyms(hi, lo, names, modules);
  }

  /** `%pS` of `addr`, or null when it falls outside every known symbol. */
  format(addr: bigint): string | null {
    const a = this.addrs;
    let lo = 0;
    let hi = a.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! <= addr) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const start = a[found]!;
    let next = found + 1;
    while (next < a.length && a[next] === start) next++;
    if (next >= a.length) return null;
    const size = a[next]! - start;
    const offset = addr - start;
    const module = this.modules[found];
    return `${this.names[found]}+0x${offset.toString(16)}/0x${size.toString(16)}${module ? ` [${module}]` : ''}`;
  }
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
