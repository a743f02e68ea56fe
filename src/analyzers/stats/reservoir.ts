/**
 * A bounded uniform sample of a stream (Vitter's algorithm R) with a seeded
 * generator, so the same trace always keeps the same samples. `trace diff`
 * compares these samples with the Mann–Whitney U test.
 */
export class Reservoir {
  readonly samples: number[] = [];
  seen = 0;
  private state: number;

  constructor(
    readonly capacity = 2000,
    seed = 0x9e3779b9,
  ) {
    this.state = seed >>> 0 || 1;
  }

  add(value: number): void {
    this.seen++;
    if (this.samples.length < this.capacity) {
      this.samples.push(value);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.capacity) this.samples[j] = value;
  }

  /** xorshift32 in [0, 1). */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
}
