import { expect } from 'chai';
import { MessageChannel } from 'node:worker_threads';
import { PAGE_VIEWS, PAGE_VIEWS_WINDOW_MS } from '../actors/analytics/index.ts';
import { BURST } from '../actors/patterns/index.ts';
import { generateEvents } from '../actors/testkit/index.ts';
import type { DeliveredResult } from '../gateway/protocol.ts';
import type { StampedFrame } from './frame-receiver.ts';
import { now } from './latency-probe.ts';
import { PreparedLoad } from './prepared-load.ts';
import { ProbeThread } from './probe-thread.ts';

const frame = (items: DeliveredResult[], at: number): StampedFrame => ({ at, text: JSON.stringify({ type: 'batch', topic: 'results', items }) });

describe('ProbeThread', () => {
  it('measures, on its own thread, the frames a receiver hands it against the requests the main thread sent, whichever comes first', async () => {
    const frames = new MessageChannel();
    const probe = ProbeThread.start({ fromMs: 0, measureFromMs: 0, probeFrames: frames.port2 });
    try {
      expect(await probe.lastResultAt(), 'started, nothing measured').to.equal(0);
      // Events due from now on, sent half a second from now, their results arriving 40 ms later.
      const startTime = now();
      const load = new PreparedLoad(generateEvents({ seed: 7, partitions: 4, users: 50, eventsPerSecond: 1_000, badRatio: 0, startTime, count: 200 }));
      load.prepareUntil(Number.POSITIVE_INFINITY);
      const all = Array.from({ length: load.size }, (_, i) => i);
      const sentAt = startTime + 500;
      // The first page view is the first of its (partition, page, window); an alert completed by the last event.
      const pv = all.find((i) => load.pageId(i) >= 0)!;
      const windowStart = Math.floor(load.eventTime(pv) / PAGE_VIEWS_WINDOW_MS) * PAGE_VIEWS_WINDOW_MS;
      const last = load.size - 1;
      const arrival = sentAt + 40;
      // The frame reaches the thread before the sends it depends on, as it can between two ports: it waits for them.
      frames.port1.postMessage(
        frame([
          { kind: 'window', id: 'u', analytic: PAGE_VIEWS, partition: load.partition(pv), key: load.pageNames[load.pageId(pv)]!, windowStart, windowEnd: windowStart + PAGE_VIEWS_WINDOW_MS, firing: 0, trigger: 'update', values: { count: 1 } },
          { kind: 'pattern', id: 'p', pattern: BURST, partition: load.partition(last), key: 'u', status: 'matched', eventIds: ['e'], offsets: [load.offset(last)], startTime, endTime: startTime },
        ], arrival),
      );
      await new Promise((r) => setTimeout(r, 50));
      probe.sent(load, all.slice(0, 100), sentAt);
      probe.sent(load, all.slice(100), sentAt + 1);
      while ((await probe.lastResultAt()) === 0) await new Promise((r) => setTimeout(r, 5));
      const intervals = await probe.intervals();
      expect([intervals.updates?.count, intervals.alerts?.count]).to.deep.equal([1, 1]);
      expect(await probe.intervals(), 'taken').to.deep.equal({ updates: null, alerts: null });
      const r = await probe.results();
      // (to the histograms' precision: three significant digits)
      expect(r.updates.max).to.be.closeTo(arrival - load.wallTime(pv), 1);
      expect(r.alerts.max).to.be.closeTo(arrival - load.wallTime(last), 1);
      expect([r.updatesFromSend.max, r.alertsFromSend.max]).to.deep.equal([40, 39]);
      expect(r.lateness.count).to.equal(load.size);
      expect([...r.durable.keys()]).to.deep.equal(['p']);
      expect([r.frames, r.unmatched, r.duplicates]).to.deep.equal([1, 0, 0]);
    } finally {
      await probe.close();
    }
  });
});
