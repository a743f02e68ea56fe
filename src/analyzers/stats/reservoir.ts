/**
 * A bounded uniform sample of a stream with a seeded generator, so the same
 * trace always keeps the same samples. `trace diff` compares these samples
 * with the Mann–Whitney U test.
 *
 * Li's algorithm L: once the reservoir is full, the number of samples to skip
 * before the next replacement is drawn directly (geometric), so a sample that
 * is not kept costs a counter compare — no random number, no touch of the
 * sample array — and the replacements are O(capacity · log(n / capacity)).
 */
export class Reservoir {
  readonly samples: number[] = [];
  seen = 0;
  private state: number;
  /** The running weight W of algorithm L. */
  private w = 1;
  /** `seen` at which the next sample replaces one. */
  private next = 0;

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
      if (this.samples.length === this.capacity) {
        this.w = this.shrink();
        this.skip();
      }
      return;
    }
    if (this.seen < this.next) return;
    this.samples[Math.floor(this.random() * this.capacity)] = value;
    this.w *= this.shrink();
    this.skip();
  }

  /** A factor of W: the largest of `capacity` uniform draws, drawn at once (u^(1/capacity)). */
  private shrink(): number {
    return Math.exp(Math.log(this.random()) / this.capacity);
  }

  /** Draws the position of the next replacement. */
  private skip(): void {
    this.next = this.seen + Math.floor(Math.log(this.random()) / Math.log(1 - this.w)) + 1;
  }

  /** xorshift32 in (0, 1): never 0, whose log algorithm L cannot take. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return (this.state + 0.5) / 0x1_0000_0001;
  }
}
