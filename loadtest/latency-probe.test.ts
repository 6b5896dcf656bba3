import { expect } from 'chai';
import { SendTimes } from './send-times.ts';
import { LatencyProbe } from './latency-probe.ts';
import { PAGE_VIEWS, PAGE_VIEWS_WINDOW_MS } from '../actors/analytics/index.ts';
import { BURST, CART_ABANDONMENT, CART_TIMEOUT_MS } from '../actors/patterns/index.ts';
import type { DeliveredResult } from '../gateway/protocol.ts';

describe('LatencyProbe', () => {
  const frame = (items: DeliveredResult[]): string => JSON.stringify({ type: 'batch', topic: 'results', items });

  it('measures each result from the due time and, apart, from the send', () => {
    const eventTime = 10 * PAGE_VIEWS_WINDOW_MS + 1;
    const times = new SendTimes();
    times.sent(2, 0, 1_000, 1_005, { page: '/a', eventTime });
    times.sent(2, 1, 1_001, 1_005);
    const probe = new LatencyProbe(times, 0, 0);
    const windowStart = 10 * PAGE_VIEWS_WINDOW_MS;
    probe.onFrame(frame([
      { kind: 'window', id: 'u', analytic: PAGE_VIEWS, partition: 2, key: '/a', windowStart, windowEnd: windowStart + PAGE_VIEWS_WINDOW_MS, firing: 0, trigger: 'update', values: { count: 1 } },
      { kind: 'pattern', id: 'p', pattern: BURST, partition: 2, key: 'u1', status: 'matched', eventIds: ['e0', 'e1'], offsets: [0, 1], startTime: eventTime, endTime: eventTime },
    ]), 1_020);
    expect([probe.updates.summary().max, probe.updatesFromSend.summary().max]).to.deep.equal([20, 15]);
    expect([probe.alerts.summary().max, probe.alertsFromSend.summary().max]).to.deep.equal([19, 15]);
  });

  it('leaves an event due in the warm-up out of both overall figures, even when it was sent after it', () => {
    const times = new SendTimes(1_000);
    times.sent(0, 0, 998, 1_003);
    const probe = new LatencyProbe(times, 0, 1_000);
    probe.onFrame(frame([
      { kind: 'pattern', id: 'p', pattern: BURST, partition: 0, key: 'u1', status: 'matched', eventIds: ['e0'], offsets: [0], startTime: 5, endTime: 5 },
    ]), 1_010);
    expect([probe.alerts.summary().count, probe.alertsFromSend.summary().count]).to.deep.equal([0, 0]);
    expect(probe.alertsFromSend.takeInterval()?.max, 'in its second all the same').to.equal(7);
  });

  it('measures a cart abandonment from its deadline, and not from a send', () => {
    const times = new SendTimes();
    times.sent(1, 0, 1_000, 1_004);
    const probe = new LatencyProbe(times, 0, 0);
    const startTime = 500;
    const deadline = startTime + CART_TIMEOUT_MS;
    probe.onFrame(frame([
      { kind: 'pattern', id: 'c', pattern: CART_ABANDONMENT, partition: 1, key: 'u2', status: 'timedOut', eventIds: ['e0'], offsets: [0], startTime, endTime: startTime },
    ]), deadline + 30);
    expect(probe.alerts.summary().max).to.equal(30);
    expect(probe.alertsFromSend.summary().count).to.equal(0);
  });

  it("measures a fan-out client's alerts from their due time, its page views not at all", () => {
    const times = new SendTimes(1_000);
    times.sent(3, 7, 1_000, 1_000, { page: '/a', eventTime: 1 });
    times.sent(3, 8, 1_002, 1_002);
    const probe = new LatencyProbe(times, 0, 1_000);
    probe.onFanoutFrame(frame([
      { kind: 'window', id: 'u', analytic: PAGE_VIEWS, partition: 3, key: '/a', windowStart: 0, windowEnd: PAGE_VIEWS_WINDOW_MS, firing: 0, trigger: 'update', values: { count: 1 } },
      { kind: 'pattern', id: 'p', pattern: BURST, partition: 3, key: 'u1', status: 'matched', eventIds: ['e7', 'e8'], offsets: [7, 8], startTime: 1, endTime: 2 },
    ]), 1_040);
    expect(probe.fanoutFrames).to.equal(1);
    expect(probe.fanoutAlerts.summary()).to.include({ count: 1, max: 38 });
    expect([probe.updates.summary().count, probe.alerts.summary().count, probe.durable.size], 'not the probe client\'s figures').to.deep.equal([0, 0, 0]);
  });
});
