import { expect } from 'chai';
import type { PatternResult, WindowResult } from '../actors/results.ts';
import { SlowClientQueue, conflationKey, queueKeys } from './slow-client-queue.ts';
import { Outgoing, TopicBatcher, batchFrame } from './topic-batcher.ts';
import type { ServerMessage } from './protocol.ts';

const w = (key: string, firing: number, partition = 0): WindowResult => ({
  kind: 'window', id: `pv|p${partition}|${key}|0-5000|f${firing}`, analytic: 'pv', partition, key, windowStart: 0, windowEnd: 5000, firing, trigger: 'early', values: { count: firing },
});
const p = (n: number): PatternResult => ({
  kind: 'pattern', id: `burst|p0|${n}`, pattern: 'burst', partition: 0, key: 'u', status: 'matched', eventIds: [], offsets: [n], startTime: 0, endTime: n,
});

describe('SlowClientQueue', () => {
  it('conflates later firings of the same partition+key+window, keeping the newest', () => {
    const q = new SlowClientQueue(100);
    expect(q.add('window.pv', [w('/a', 0), w('/a', 1), w('/b', 0), w('/a', 1, 1)])).to.deep.equal({ conflated: 1, dropped: 0 });
    q.add('window.pv', [w('/a', 0)]); // an older firing arriving late does not win
    const [batch] = q.take();
    expect(batch!.topic).to.equal('window.pv');
    expect(batch!.items.map((r) => r.id)).to.deep.equal(['pv|p0|/a|0-5000|f1', 'pv|p0|/b|0-5000|f0', 'pv|p1|/a|0-5000|f1']);
    expect(q.conflated).to.equal(2);
    expect(q.size).to.equal(0);
  });

  it('never conflates pattern results; drops the oldest past its bound, counted', () => {
    const q = new SlowClientQueue(3);
    expect(q.add('alerts', [p(1), p(2), p(3), p(4), p(5)])).to.deep.equal({ conflated: 0, dropped: 2 });
    expect(q.take()[0]!.items.map((r) => r.id)).to.deep.equal(['burst|p0|3', 'burst|p0|4', 'burst|p0|5']);
    expect(q.dropped).to.equal(2);
  });

  it('takes the keys precomputed once for a batch added to many queues, with the same outcome', () => {
    const batch = [w('/a', 0), w('/a', 1), p(1), w('/b', 0), w('/a', 0)];
    const keys = queueKeys('window.pv', batch.map(conflationKey));
    const own = new SlowClientQueue(3);
    const shared = new SlowClientQueue(3);
    expect(shared.add('window.pv', batch, keys)).to.deep.equal(own.add('window.pv', batch));
    expect(shared.take()).to.deep.equal(own.take());
  });

  it('keeps topics apart and returns one batch per topic', () => {
    const q = new SlowClientQueue(10);
    q.add('alerts', [p(1)]);
    q.add('results', [p(1)]);
    expect(q.take().map((b) => b.topic)).to.deep.equal(['alerts', 'results']);
  });
});

describe('TopicBatcher', () => {
  it('groups per topic and says when a topic is full', () => {
    const b = new TopicBatcher<PatternResult>(2);
    expect(b.add('a', p(1))).to.equal(false);
    expect(b.add('b', p(2))).to.equal(false);
    expect(b.add('a', p(3))).to.equal(true);
    expect(b.size).to.equal(3);
    const out = b.drain();
    expect([...out.keys()]).to.deep.equal(['a', 'b']);
    expect(out.get('a')!.length).to.equal(2);
    expect(b.size).to.equal(0);
  });

  it('builds a batch frame equal to the ServerMessage it stands for, each JSON made once', () => {
    const items = [p(1), p(2)];
    const out = items.map((i) => new Outgoing(i));
    const frame = batchFrame('alerts', out);
    expect(frame).to.equal(JSON.stringify({ type: 'batch', topic: 'alerts', items } satisfies ServerMessage));
    expect(batchFrame('results', out)).to.equal(JSON.stringify({ type: 'batch', topic: 'results', items }));
    expect(batchFrame('x', [])).to.equal(JSON.stringify({ type: 'batch', topic: 'x', items: [] }));
    expect(out[0]!.key).to.equal(conflationKey(items[0]!));
  });
});
