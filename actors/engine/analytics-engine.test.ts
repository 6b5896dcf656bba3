import { expect } from 'chai';
import type { RtapEvent } from '../events/types.ts';
import { supersedes, type WindowResult } from '../results.ts';
import { AnalyticsEngine } from './analytics-engine.ts';
import { withPatterns } from './operators.ts';

const T0 = Date.UTC(2026, 0, 1);
let seq = 0;
const view = (userId: string, eventTime: number, page = '/'): RtapEvent => ({
  type: 'PageView',
  eventId: `e${seq++}`,
  userId,
  sessionId: 's',
  eventTime,
  source: 'test',
  page,
  referrer: null,
});

describe('AnalyticsEngine', () => {
  let now = T0;
  const clock = (): number => now;
  beforeEach(() => {
    now = T0;
  });

  it('accepts, windows and emits results with partition-scoped ids', () => {
    const engine = new AnalyticsEngine({ partition: 7, clock });
    expect(engine.process(view('u1', T0 + 100, '/a'), 0)).to.equal('accepted');
    expect(engine.process(view('u2', T0 + 200, '/a'), 1)).to.equal('accepted');
    engine.process(view('u1', T0 + 7100, '/b'), 2); // watermark → T0 + 5100: closes [T0, T0+5000)
    const results = (engine.takeResults() as WindowResult[]).filter((r) => r.analytic === 'page-views');
    expect(results.map((r) => r.id)).to.deep.equal([`page-views|p7|/a|${T0}-${T0 + 5000}|f0`]);
    expect(results[0]?.values).to.deep.equal({ count: 2 });
    expect(engine.watermark).to.equal(T0 + 5100);
    expect(engine.offset).to.equal(2);
  });

  it('counts the events its patterns ignore as behind the watermark, which the windows still take; the count is state', () => {
    const engine = new AnalyticsEngine({ partition: 0, clock, operators: withPatterns() });
    engine.process(view('u1', T0 + 10_000), 0); // wm = T0 + 8000
    expect(engine.process(view('u1', T0 + 8_000), 1)).to.equal('accepted'); // at the watermark: on time for the patterns too
    expect(engine.lateDroppedByOperators()).to.equal(0);
    expect(engine.process(view('u1', T0 + 7_000), 2)).to.equal('accepted'); // within the allowed lateness
    expect(engine.lateDroppedByOperators(), 'once per pattern: funnel, cart abandonment, burst').to.equal(3);
    const restored = new AnalyticsEngine({ partition: 0, clock, operators: withPatterns() });
    restored.restore(engine.snapshot());
    expect(restored.lateDroppedByOperators()).to.equal(3);
    expect(new AnalyticsEngine({ partition: 0, clock }).lateDroppedByOperators(), 'the windows have no such rule').to.equal(0);
  });

  it('routes too-late events to the late side output and far-future ones to rejections', () => {
    const engine = new AnalyticsEngine({ partition: 0, clock, allowedLatenessMs: 1000 });
    engine.process(view('u1', T0 + 10_000), 0); // wm = T0 + 8000
    expect(engine.process(view('u1', T0 + 7000), 1)).to.equal('accepted');
    expect(engine.process(view('u1', T0 + 6999), 2)).to.equal('late');
    expect(engine.process(view('u1', T0 + 61_000), 3)).to.equal('future-timestamp');
    expect(engine.takeLate().map((l) => [l.offset, l.watermark])).to.deep.equal([[2, T0 + 8000]]);
    expect(engine.takeRejected().map((r) => [r.offset, r.reason])).to.deep.equal([[3, 'future-timestamp']]);
    expect(engine.stats().engine).to.include({ accepted: 2, late: 1, rejected: 1 });
    expect(engine.watermark).to.equal(T0 + 8000);
  });

  it('an idle partition advances its watermark by wall clock on tick and closes its windows', () => {
    const engine = new AnalyticsEngine({ partition: 0, clock, idleTimeoutMs: 5000 });
    now = T0 + 100;
    engine.process(view('u1', T0 + 100), 0);
    now = T0 + 4000;
    engine.tick();
    expect(engine.idle).to.equal(false);
    expect(engine.takeResults()).to.have.length(0);
    now = T0 + 40_000;
    engine.tick();
    expect(engine.idle).to.equal(true);
    expect(engine.watermark).to.equal(T0 + 38_000);
    const analytics = new Set((engine.takeResults() as WindowResult[]).map((r) => r.analytic));
    expect([...analytics].sort()).to.deep.equal(['active-users', 'page-views', 'sessions']);
  });

  it('restores a snapshot only into the same partition and operator set', () => {
    const engine = new AnalyticsEngine({ partition: 1, clock });
    engine.process(view('u1', T0 + 100), 5);
    const bytes = engine.snapshot();
    expect(() => new AnalyticsEngine({ partition: 2, clock }).restore(bytes)).to.throw(/partition 1/);
    expect(() => new AnalyticsEngine({ partition: 1, clock, operators: () => [] }).restore(bytes)).to.throw(/operators/);
    expect(() => new AnalyticsEngine({ partition: 1, clock }).restore(Buffer.from('nope'))).to.throw(/not an analytics engine snapshot/);
    const copy = new AnalyticsEngine({ partition: 1, clock });
    copy.restore(bytes);
    expect(copy.offset).to.equal(5);
    expect(Buffer.compare(Buffer.from(copy.snapshot()), Buffer.from(bytes))).to.equal(0);
  });
});

describe('window result ordering (supersedes)', () => {
  it('a higher firing wins; a firing wins over its updates; a newer update wins over an older one', () => {
    expect(supersedes({ firing: 1, trigger: 'late' }, { firing: 0, trigger: 'final' })).to.equal(true);
    expect(supersedes({ firing: 0, trigger: 'final' }, { firing: 1, trigger: 'late' })).to.equal(false);
    expect(supersedes({ firing: 0, trigger: 'final' }, { firing: 0, trigger: 'update' })).to.equal(true);
    expect(supersedes({ firing: 0, trigger: 'update' }, { firing: 0, trigger: 'final' })).to.equal(false);
    expect(supersedes({ firing: 0, trigger: 'update' }, { firing: 0, trigger: 'update' })).to.equal(true);
    expect(supersedes({ firing: 1, trigger: 'update' }, { firing: 0, trigger: 'early' })).to.equal(true);
    expect(supersedes({ firing: 0, trigger: 'final' }, { firing: 0, trigger: 'final' })).to.equal(false);
  });
});
