/**
 * `/proc/kallsyms` as saved in trace.dat, for `%pS`-style symbolization:
 * `sym+0xoff/0xsize [module]`, the size being the distance to the next symbol.
 */
export class Kallsyms {
  private readonly addrs: BigUint64Array;
  private readonly names: string[];
  private readonly modules: (string | null)[];

  private constructor(entries: { addr: bigint; name: string; module: string | null }[]) {
    entries.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    this.addrs = BigUint64Array.from(entries.map((e) => e.addr));
    this.names = entries.map((e) => e.name);
    this.modules = entries.map((e) => e.module);
  }

  get size(): number {
    return this.names.length;
  }

  // `ffffffffc05dfe7a t virtio_gpu_queue_ctrl_sgs	[virtio_gpu]` and `ffffffff81000000 T _text`
  static parse(text: string): Kallsyms {
    const entries: { addr: bigint; name: string; module: string | null }[] = [];
    for (const line of text.split('\n')) {
      const sp1 = line.indexOf(' ');
      if (sp1 <= 0 || line.charCodeAt(sp1 + 2) !== 32) continue;
      const hex = line.slice(0, sp1);
      if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) continue;
      const rest = line.slice(sp1 + 3);
      const tab = rest.indexOf('\t');
      const name = (tab < 0 ? rest : rest.slice(0, tab)).trim();
      const modPart = tab < 0 ? '' : rest.slice(tab + 1).trim();
      const module = modPart.startsWith('[') && modPart.endsWith(']') ? modPart.slice(1, -1) : null;
      const addr = BigInt(`0x${hex}`);
      if (addr === 0n || name === '') continue;
      entries.push({ addr, name, module });
    }
    return new Kallsyms(entries);
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
