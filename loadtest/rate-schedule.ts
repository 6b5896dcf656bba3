// When each event of a load test is due: piecewise-constant rates from t0. The generator asks for
// the wall time of step `tick` (its `schedule` option), the producer sends each event at that
// time (open loop), and latency is measured from it. Segments may be appended while the run goes
// on (the `max` scenario decides its next step as it runs); the finished schedule replays the
// exact same stream for the oracle.

export interface RateSegment {
  /** Seconds after t0 at which this rate starts (it lasts until the next segment). */
  fromS: number;
  /** Events (generator steps) per second. */
  rate: number;
}

interface Placed extends RateSegment {
  firstTick: number;
}

export class RateSchedule {
  private readonly placed: Placed[] = [];

  constructor(
    readonly t0: number,
    segments: readonly RateSegment[],
  ) {
    if (segments.length === 0 || segments[0]!.fromS !== 0) throw new Error('rate schedule: the first segment must start at 0 s');
    for (const s of segments) this.append(s.fromS, s.rate);
  }

  get segments(): RateSegment[] {
    return this.placed.map(({ fromS, rate }) => ({ fromS, rate }));
  }

  append(fromS: number, rate: number): void {
    if (!(rate > 0)) throw new Error(`rate schedule: rate must be > 0 (got ${rate})`);
    const last = this.placed[this.placed.length - 1];
    if (last && fromS <= last.fromS) throw new Error(`rate schedule: segment at ${fromS} s must start after ${last.fromS} s`);
    const firstTick = last ? last.firstTick + Math.round((fromS - last.fromS) * last.rate) : 0;
    this.placed.push({ fromS, rate, firstTick });
  }

  /** Epoch ms at which step `tick` is due. */
  wallTimeOf = (tick: number): number => {
    const seg = this.segmentOfTick(tick);
    return this.t0 + seg.fromS * 1000 + ((tick - seg.firstTick) * 1000) / seg.rate;
  };

  /** The target rate at `s` seconds after t0. */
  rateAt(s: number): number {
    let rate = this.placed[0]!.rate;
    for (const p of this.placed) if (p.fromS <= s) rate = p.rate;
    return rate;
  }

  /** Steps due in [0, s) seconds. */
  stepsBefore(s: number): number {
    let seg = this.placed[0]!;
    for (const p of this.placed) if (p.fromS <= s) seg = p;
    return seg.firstTick + Math.max(0, Math.ceil((s - seg.fromS) * seg.rate));
  }

  private segmentOfTick(tick: number): Placed {
    const placed = this.placed;
    let seg = placed[0]!;
    for (let i = placed.length - 1; i >= 0; i--) {
      if (placed[i]!.firstTick <= tick) {
        seg = placed[i]!;
        break;
      }
    }
    return seg;
  }
}
