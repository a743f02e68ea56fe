import type { CpuStream } from './cpu-stream.js';

/**
 * A binary min-heap of per-CPU streams keyed by (current timestamp, cpu):
 * the k-way merge that puts events of all CPUs in timestamp order, ties
 * going to the lower CPU as in `trace-cmd report`.
 */
export class CpuHeap {
  private readonly items: CpuStream[] = [];

  peek(): CpuStream | undefined {
    return this.items[0];
  }

  /** The stream that would be on top without the top one: the lesser of its children. */
  second(): CpuStream | undefined {
    const a = this.items;
    if (a.length < 3) return a[1];
    return less(a[1]!, a[2]!) ? a[1] : a[2];
  }

  push(s: CpuStream): void {
    const a = this.items;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  /** Restores order after the top stream advanced. */
  update(): void {
    const a = this.items;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && less(a[l]!, a[m]!)) m = l;
      if (r < a.length && less(a[r]!, a[m]!)) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }

  /** Removes the top stream (it has no more records). */
  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    this.update();
  }
}

function less(x: CpuStream, y: CpuStream): boolean {
  const dx = x.ts;
  const dy = y.ts;
  return dx < dy || (dx === dy && x.cpu < y.cpu);
}
