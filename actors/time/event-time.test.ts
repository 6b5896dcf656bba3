import { expect } from 'chai';
import { NO_WATERMARK } from './clock.ts';
import { resolveEventTimeOptions, WatermarkTracker } from './event-time.ts';

describe('WatermarkTracker (event-time rules)', () => {
  let now = 1_000_000;
  const tracker = (): WatermarkTracker =>
    new WatermarkTracker(resolveEventTimeOptions({ outOfOrdernessMs: 2000, allowedLatenessMs: 5000, maxFutureSkewMs: 60_000, idleTimeoutMs: 10_000, clock: () => now }));
  beforeEach(() => {
    now = 1_000_000;
  });

  it('watermark = max event time − bound, monotonic', () => {
    const t = tracker();
    expect(t.watermark).to.equal(NO_WATERMARK);
    expect(t.observe(100_000)).to.equal(true);
    expect(t.watermark).to.equal(98_000);
    expect(t.observe(99_000)).to.equal(false);
    expect(t.watermark).to.equal(98_000);
  });

  it('classifies late (beyond allowed lateness), future and invalid timestamps', () => {
    const t = tracker();
    t.observe(100_000);
    expect(t.admit(93_000)).to.equal('accept'); // wm 98000 − lateness 5000 = 93000
    expect(t.admit(92_999)).to.equal('late');
    expect(t.admit(now + 60_000)).to.equal('accept');
    expect(t.admit(now + 60_001)).to.equal('future-timestamp');
    expect(t.admit(-1)).to.equal('invalid-timestamp');
    expect(t.admit(1.5)).to.equal('invalid-timestamp');
  });

  it('an idle partition advances to wall clock − bound and reports idle; an event clears it', () => {
    const t = tracker();
    t.observe(900_000);
    now += 9_999;
    expect(t.checkIdle()).to.equal(false);
    now += 1;
    expect(t.checkIdle()).to.equal(true);
    expect(t.idle).to.equal(true);
    expect(t.watermark).to.equal(now - 2000);
    t.observe(1);
    expect(t.idle).to.equal(false);
    expect(t.watermark).to.equal(now - 2000);
  });

  it("idleAdvance 'none' only reports idleness", () => {
    const t = new WatermarkTracker(resolveEventTimeOptions({ idleTimeoutMs: 10, idleAdvance: 'none', clock: () => now }));
    now += 10;
    expect(t.checkIdle()).to.equal(false);
    expect(t.idle).to.equal(true);
    expect(t.watermark).to.equal(NO_WATERMARK);
  });
});
