import { expect } from 'chai';
import { SendTimes } from './send-times.ts';
import { LatencyProbe } from './latency-probe.ts';
import type { FrameReceiver } from './frame-receiver.ts';
import { PAGE_VIEWS, PAGE_VIEWS_WINDOW_MS } from '../actors/analytics/index.ts';
import type { DeliveredResult } from '../gateway/protocol.ts';

describe('SendTimes', () => {
  it('keeps each record\'s due and send times and measures the generator\'s lateness from the end of the warm-up', () => {
    const times = new SendTimes(1_000);
    times.register(0, 0, 900, undefined); // warm-up
    times.register(0, 1, 1_000, undefined);
    times.register(3, 0, 1_002, undefined);
    times.sent(0, 0, 950);
    times.sent(0, 1, 1_006);
    times.sent(3, 0, 1_006);
    expect(times.timeOf(0, 1)).to.equal(1_000);
    expect(times.sentAt(0, 1)).to.equal(1_006);
    expect(times.sentAt(3, 1), 'not sent').to.equal(undefined);
    expect(times.timeOf(5, 0), 'a partition never seen').to.equal(undefined);
    const lateness = times.lateness.summary();
    expect(lateness.count, 'the warm-up event is left out').to.equal(2);
    expect(lateness.p50).to.be.closeTo(4, 0.01);
    expect(lateness.max).to.be.closeTo(6, 0.01);
  });

  it('grows past its first arrays', () => {
    const times = new SendTimes();
    times.register(1, 5_000, 42, undefined);
    times.sent(1, 5_000, 50);
    expect([times.timeOf(1, 5_000), times.sentAt(1, 5_000)]).to.deep.equal([42, 50]);
  });
});

describe('LatencyProbe', () => {
  // A stand-in for the receiving thread: the probe only subscribes and gets frames.
  const fakeReceiver = (): FrameReceiver => ({ onFrame: () => undefined, subscribe: () => undefined, closed: false }) as unknown as FrameReceiver;
  const frame = (items: DeliveredResult[]): string => JSON.stringify({ type: 'batch', topic: 'results', items });

  it('measures each result from the due time and, apart, from the send', () => {
    const eventTime = 10 * PAGE_VIEWS_WINDOW_MS + 1;
    const times = new SendTimes();
    times.register(2, 0, 1_000, { page: '/a', eventTime });
    times.register(2, 1, 1_001, undefined);
    times.sent(2, 0, 1_005);
    times.sent(2, 1, 1_005);
    const receiver = fakeReceiver();
    const probe = LatencyProbe.attach(receiver, times, 0, 0);
    const windowStart = 10 * PAGE_VIEWS_WINDOW_MS;
    receiver.onFrame(frame([
      { kind: 'window', id: 'u', analytic: PAGE_VIEWS, partition: 2, key: '/a', windowStart, windowEnd: windowStart + PAGE_VIEWS_WINDOW_MS, firing: 0, trigger: 'update', values: { count: 1 } },
      { kind: 'pattern', id: 'p', pattern: 'burst', partition: 2, key: 'u1', status: 'matched', eventIds: ['e0', 'e1'], offsets: [0, 1], startTime: eventTime, endTime: eventTime },
    ]), 1_020);
    expect([probe.updates.summary().max, probe.updatesFromSend.summary().max]).to.deep.equal([20, 15]);
    expect([probe.alerts.summary().max, probe.alertsFromSend.summary().max]).to.deep.equal([19, 15]);
  });
});
