import { expect } from 'chai';
import { murmur2, partitionFor } from './partitioner.ts';
import { generateEvents } from './generator.ts';
import { splitByPartition } from './feed.ts';

describe('partitioner (Kafka default: murmur2)', () => {
  it("matches Kafka's murmur2 test vectors", () => {
    // From org.apache.kafka.common.utils.UtilsTest#testMurmur2.
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(Buffer.from(key)), key).to.equal(hash);
  });

  it('spreads users over partitions, stably', () => {
    const counts = [0, 0, 0, 0];
    for (let u = 0; u < 4000; u++) counts[partitionFor(`u${u}`, 4)]!++;
    for (const c of counts) expect(c).to.be.within(800, 1200);
    expect(partitionFor('u42', 4)).to.equal(partitionFor('u42', 4));
  });
});

describe('generateEvents', () => {
  it('is deterministic for a seed and streamable (a prefix of a longer run)', () => {
    const a = [...generateEvents({ seed: 9, count: 2000 })];
    const b = [...generateEvents({ seed: 9, count: 5000 })].slice(0, 2000);
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
    expect(JSON.stringify(a)).not.to.equal(JSON.stringify([...generateEvents({ seed: 10, count: 2000 })]));
  });

  it('produces every ingredient: funnels, carts, bursts, disorder, late events, bad records', () => {
    const items = [...generateEvents({ seed: 3, count: 50_000, users: 200, badRatio: 0.01, burstRatio: 0.05 })];
    const events = items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
    expect(events.some((e) => e.type === 'PageView' && e.page.startsWith('/product'))).to.equal(true);
    expect(events.some((e) => e.type === 'PageView' && e.page === '/cart')).to.equal(true);
    expect(events.filter((e) => e.type === 'Conversion').length).to.be.greaterThan(100);
    expect(events.filter((e) => e.type === 'Session').length).to.be.greaterThan(100);
    const reasons = new Set(items.flatMap((i) => (i.kind === 'bad' ? [i.reason] : [])));
    expect([...reasons].sort()).to.deep.equal(['bad-magic', 'future-timestamp', 'truncated', 'undecodable', 'unknown-schema']);
    let maxSeen = 0;
    let disorder = 0;
    for (const e of events) {
      if (e.eventTime < maxSeen - 2000) disorder++;
      maxSeen = Math.max(maxSeen, e.eventTime);
    }
    expect(disorder).to.be.greaterThan(50);
    // Every item's partition is the user's partition, and offsets are dense per partition.
    const next = [0, 0, 0, 0];
    for (const i of items) {
      expect(i.offset).to.equal(next[i.partition]);
      next[i.partition]!++;
      if (i.kind === 'event') expect(i.partition).to.equal(partitionFor(i.event.userId, 4));
    }
  });

  it('bad records decode to the DLQ reason they carry', () => {
    const items = [...generateEvents({ seed: 4, count: 5000, badRatio: 0.05 })];
    const split = splitByPartition(items, 4);
    const failures = split.flatMap((p, partition) => p.decodeFailures.map((f) => `${partition}:${f.offset}:${f.reason}`));
    const expected = items.flatMap((i) => (i.kind === 'bad' && i.reason !== 'future-timestamp' ? [`${i.partition}:${i.offset}:${i.reason}`] : []));
    expect(failures.sort()).to.deep.equal(expected.sort());
  });

  it('quiet periods silence a partition', () => {
    const start = Date.UTC(2026, 0, 1);
    const items = [...generateEvents({ seed: 5, count: 20_000, quiet: [{ partition: 2, fromMs: 5000, toMs: 15_000 }] })];
    const inQuiet = items.filter((i) => i.partition === 2 && i.wallTime - start >= 5000 && i.wallTime - start < 15_000);
    expect(inQuiet).to.have.length(0);
  });
});
