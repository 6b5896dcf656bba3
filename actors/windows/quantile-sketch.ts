// Approximate quantiles with a small mergeable sketch: a log-bucketed histogram (DDSketch-style).
// Every value lands in bucket ceil(log_gamma(v)); a quantile is read back as the bucket's midpoint,
// so its relative error is at most `relativeAccuracy`. Merging adds bucket counts — exact, so
// pane merges and cross-partition merges lose nothing beyond the bucketing itself.

export class QuantileSketch {
  private readonly logGamma: number;
  private readonly gamma: number;
  /** bucket index → count; values ≤ 0 are counted in `zeros`. */
  readonly buckets = new Map<number, number>();
  zeros = 0;
  count = 0;

  constructor(readonly relativeAccuracy = 0.01) {
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  add(value: number): void {
    this.count++;
    if (!(value > 0)) {
      this.zeros++;
      return;
    }
    const index = Math.ceil(Math.log(value) / this.logGamma);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
  }

  merge(other: QuantileSketch): void {
    this.count += other.count;
    this.zeros += other.zeros;
    for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
  }

  /** The q-quantile (0 ≤ q ≤ 1), NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(0, Math.min(this.count - 1, Math.floor(q * (this.count - 1))));
    if (rank < this.zeros) return 0;
    let seen = this.zeros;
    const indices = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const index of indices) {
      seen += this.buckets.get(index) ?? 0;
      if (seen > rank) return (2 * Math.pow(this.gamma, index)) / (this.gamma + 1);
    }
    return NaN;
  }

  encode(): [number, number, number, number[]] {
    const flat: number[] = [];
    for (const [index, n] of this.buckets) flat.push(index, n);
    return [this.relativeAccuracy, this.count, this.zeros, flat];
  }

  static decode(json: unknown): QuantileSketch {
    const [accuracy, count, zeros, flat] = json as [number, number, number, number[]];
    const sketch = new QuantileSketch(accuracy);
    sketch.count = count;
    sketch.zeros = zeros;
    for (let i = 0; i + 1 < flat.length; i += 2) sketch.buckets.set(flat[i] as number, flat[i + 1] as number);
    return sketch;
  }
}
