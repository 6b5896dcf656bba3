import { expect } from 'chai';
import { EventCodec } from '../actors/events/index.ts';
import { generateEvents, type GeneratedItem } from '../actors/testkit/index.ts';
import { PreparedLoad } from './prepared-load.ts';

const options = { seed: 42, partitions: 12, users: 2_000, eventsPerSecond: 10_000, badRatio: 0.01, startTime: 1_000_000 };

describe('PreparedLoad', () => {
  it('holds every generated item as the producer would have encoded it, across its arrays growing', function () {
    this.timeout(10_000);
    // 100 000 items: past the first capacity of the arrays (65 536) and of the byte buffer (4 MiB).
    const items: GeneratedItem[] = [...generateEvents({ ...options, count: 100_000 })];
    const load = new PreparedLoad(generateEvents({ ...options, count: 100_000 }));
    load.prepareUntil(Number.POSITIVE_INFINITY);
    expect(load.size).to.equal(items.length);
    expect(load.bytesUsed).to.be.above(1 << 22);
    const codec = new EventCodec();
    let bad = 0;
    let pageViews = 0;
    const wrong: number[] = []; // plain comparisons: chai per item would take seconds
    items.forEach((item, i) => {
      const record = load.record(i, undefined);
      const pv = load.pageId(i) < 0 ? undefined : { page: load.pageNames[load.pageId(i)], eventTime: load.eventTime(i) };
      let ok = load.partition(i) === item.partition && record.partition === item.partition && load.offset(i) === item.offset && load.wallTime(i) === item.wallTime && load.isBad(i) === (item.kind === 'bad');
      if (item.kind === 'bad') {
        bad++;
        ok &&= Buffer.from(record.value!).equals(item.bytes) && record.key === null && pv === undefined;
      } else {
        const e = item.event;
        ok &&= Buffer.from(record.value!).equals(codec.encode(e)) && record.key === e.userId;
        if (e.type === 'PageView') {
          pageViews++;
          ok &&= pv !== undefined && pv.page === e.page && pv.eventTime === e.eventTime;
        } else ok &&= pv === undefined;
      }
      if (!ok) wrong.push(i);
    });
    expect(wrong).to.deep.equal([]);
    expect(bad).to.be.above(0);
    expect(pageViews).to.be.above(0);
    expect(load.record(0, { traceparent: 'x' }).headers).to.deep.equal({ traceparent: 'x' });
  });

  it('prepares only what is due before the given time, and goes on from there', () => {
    const load = new PreparedLoad(generateEvents({ ...options, count: 5_000 }));
    load.prepareUntil(1_000_100); // 100 ms of events at 10 000/s
    const first = load.size;
    expect(first).to.be.within(900, 1_100);
    expect(load.wallTime(first - 1)).to.be.below(1_000_100);
    expect(load.nextDue).to.be.at.least(1_000_100); // what the producer sleeps until
    load.prepareUntil(1_000_100);
    expect(load.size).to.equal(first);
    load.prepareUntil(Number.POSITIVE_INFINITY);
    expect(load.size).to.equal([...generateEvents({ ...options, count: 5_000 })].length);
    expect(load.wallTime(first)).to.be.at.least(1_000_100);
    expect(load.nextDue).to.equal(undefined);
  });
});
