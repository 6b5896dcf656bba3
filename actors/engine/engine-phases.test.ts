import { expect } from 'chai';
import type { RtapEvent } from '../events/index.ts';
import type { Operator } from '../operator.ts';
import type { AnalyticsResult } from '../results.ts';
import { generateEvents } from '../testkit/index.ts';
import { AnalyticsEngine, withPatterns } from './index.ts';
import type { EnginePhase, EnginePhases } from './index.ts';

/** Records the phases it is asked to run, and runs them. */
function recorder(): EnginePhases & { seen: EnginePhase[] } {
  const seen: EnginePhase[] = [];
  return {
    seen,
    phase(phase, fn) {
      seen.push(phase);
      fn();
    },
  };
}

describe('AnalyticsEngine.process with phases (traced records)', () => {
  it('runs window operators, pattern operators and watermark firings as phases, with exactly the results of the plain path', () => {
    const plain = new AnalyticsEngine({ partition: 0, operators: withPatterns() });
    const phased = new AnalyticsEngine({ partition: 0, operators: withPatterns() });
    const phases = recorder();
    let accepted = 0;
    for (const item of generateEvents({ seed: 11, partitions: 1, users: 30, count: 4_000, badRatio: 0 })) {
      if (item.kind !== 'event') continue;
      const before = phases.seen.length;
      const outcome = plain.process(item.event, item.offset);
      expect(phased.process(item.event, item.offset, phases)).to.equal(outcome);
      const ran = phases.seen.slice(before);
      if (outcome === 'accepted') {
        accepted++;
        expect(ran.slice(0, 2)).to.deep.equal(['windows', 'patterns']);
        expect(ran.slice(2).join(',')).to.be.oneOf(['', 'watermark']);
      } else {
        expect(ran).to.deep.equal([]); // late and rejected events run no operator
      }
    }
    expect(accepted).to.be.greaterThan(3_000);
    expect(phases.seen).to.include('watermark');
    const results = plain.takeResults();
    expect(results.some((r) => r.kind === 'pattern')).to.equal(true);
    expect(phased.takeResults()).to.deep.equal(results); // same results in the same order
  });

  it('runs consecutive operators of one kind as one phase, in operator order', () => {
    const calls: string[] = [];
    const op = (name: string, kind?: 'window' | 'pattern'): Operator<RtapEvent> => ({
      name,
      ...(kind !== undefined ? { kind } : {}),
      onEvent: (_e, _o, emit) => {
        calls.push(name);
        emit({ kind: 'pattern', id: name } as unknown as AnalyticsResult); // only the id matters here
      },
      onWatermark: () => undefined,
      snapshot: () => new Uint8Array(),
      restore: () => undefined,
      stats: () => ({}),
    });
    const engine = new AnalyticsEngine({ partition: 0, operators: () => [op('w1'), op('w2', 'window'), op('p1', 'pattern'), op('w3')] });
    const phases = recorder();
    const event = generateEvents({ seed: 1, partitions: 1, count: 1, badRatio: 0 }).next().value as { event: RtapEvent };
    expect(engine.process(event.event, 0, phases)).to.equal('accepted');
    expect(phases.seen.filter((p) => p !== 'watermark')).to.deep.equal(['windows', 'patterns', 'windows']);
    expect(calls).to.deep.equal(['w1', 'w2', 'p1', 'w3']);
    expect(engine.takeResults().map((r) => r.id)).to.deep.equal(['w1', 'w2', 'p1', 'w3']);
  });
});
