import { expect } from 'chai';
import { DeliveryQueue } from './delivery-queue.ts';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('DeliveryQueue', () => {
  it('batches, delivers everything once, and reports the buffer', async () => {
    const sent: number[][] = [];
    const q = new DeliveryQueue<number>({ send: async (b) => void sent.push(b), maxBatch: 3, maxInFlight: 2, highWater: 100, lingerMs: 5 });
    for (let i = 0; i < 7; i++) q.push(i);
    await q.flush();
    expect(sent.flat()).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(sent.every((b) => b.length <= 3)).to.equal(true);
    expect(q.buffered).to.equal(0);
    expect(q.delivered).to.equal(7);
    q.close();
  });

  it('with lingerMs 0 sends what one turn pushed as one batch, at the end of that turn', async () => {
    const sent: number[][] = [];
    const q = new DeliveryQueue<number>({ send: async (b) => void sent.push(b), maxBatch: 100, maxInFlight: 2, highWater: 1_000, lingerMs: 0 });
    for (let i = 0; i < 5; i++) q.push(i);
    expect(sent, 'nothing before the turn ends').to.have.length(0);
    await new Promise((r) => setImmediate(r));
    q.push(5);
    await q.flush();
    expect(sent).to.deep.equal([[0, 1, 2, 3, 4], [5]]);
    q.close();
  });

  it('with scheduleSend the owner ends the turn: sendPending sends, within the in-flight bound', async () => {
    const sent: number[][] = [];
    const acks: (() => void)[] = [];
    let scheduled = 0;
    const q = new DeliveryQueue<number>({
      send: (b) => new Promise<void>((resolve) => void (sent.push(b), acks.push(resolve))),
      maxBatch: 100, maxInFlight: 1, highWater: 1_000, lingerMs: 0,
      scheduleSend: () => void scheduled++,
    });
    for (let i = 0; i < 3; i++) q.push(i);
    expect(scheduled, 'the owner was asked').to.be.greaterThan(0);
    await new Promise((r) => setImmediate(r));
    expect(sent, 'no send of its own at the end of the turn').to.deep.equal([]);
    q.sendPending();
    expect(sent, 'sent within the owner\'s turn').to.deep.equal([[0, 1, 2]]);
    q.push(3);
    q.push(4);
    q.sendPending();
    expect(sent, 'nothing more while one batch is in flight').to.have.length(1);
    scheduled = 0;
    acks[0]!();
    await new Promise((r) => setImmediate(r));
    expect(scheduled, 'the ack asks the owner again').to.be.greaterThan(0);
    q.sendPending();
    expect(sent).to.deep.equal([[0, 1, 2], [3, 4]]);
    acks[1]!();
    await q.flush();
    expect(q.delivered).to.equal(5);
    q.close();
  });

  it('retries failed batches without losing or reordering what a flush waits for', async () => {
    let failures = 2;
    const delivered: number[] = [];
    const errors: string[] = [];
    let recovered = 0;
    const q = new DeliveryQueue<number>({
      send: async (b) => {
        if (failures > 0) {
          failures--;
          throw new Error('server down');
        }
        delivered.push(...b);
      },
      maxBatch: 2, maxInFlight: 1, highWater: 100, lingerMs: 0,
      onError: (e) => errors.push(e.message),
      onRecovered: () => recovered++,
    });
    for (let i = 0; i < 5; i++) q.push(i);
    await q.flush();
    expect(delivered.sort()).to.deep.equal([0, 1, 2, 3, 4]);
    expect(errors).to.deep.equal(['server down', 'server down']);
    expect(q.retries).to.equal(2);
    expect(recovered).to.equal(1);
    q.close();
  });

  it('does not resolve a flush while an earlier item is still unacknowledged', async () => {
    const releases: (() => void)[] = [];
    const q = new DeliveryQueue<number>({
      send: () => new Promise<void>((r) => releases.push(r)),
      maxBatch: 1, maxInFlight: 10, highWater: 100, lingerMs: 0,
    });
    q.push(1);
    q.push(2);
    let done = false;
    void q.flush().then(() => (done = true));
    releases[1]!(); // the later item acks first
    await tick(1);
    expect(done).to.equal(false);
    releases[0]!();
    await tick(1);
    expect(done).to.equal(true);
    q.close();
  });

  it('counts items by their weight (results per message) in buffered, delivered and the high-water mark', async () => {
    const q = new DeliveryQueue<number[]>({ send: async () => undefined, maxBatch: 10, maxInFlight: 1, highWater: 10, lingerMs: 0, weigh: (m) => m.length });
    expect(q.push([1, 2, 3])).to.equal(true);
    expect(q.push([4, 5, 6, 7, 8, 9, 10])).to.equal(false);
    expect(q.buffered).to.equal(10);
    await q.flush();
    expect([q.buffered, q.delivered]).to.deep.equal([0, 10]);
    q.close();
  });

  it('signals backpressure at the high-water mark instead of dropping', async () => {
    const q = new DeliveryQueue<number>({ send: () => new Promise<void>(() => {}), maxBatch: 10, maxInFlight: 1, highWater: 3, lingerMs: 0 });
    expect([q.push(1), q.push(2), q.push(3), q.push(4)]).to.deep.equal([true, true, false, false]);
    expect(q.buffered).to.equal(4);
    q.close();
  });
  it('rejects the flushes waiting when it is closed, and any flush after, while items are undelivered', async () => {
    const q = new DeliveryQueue<number>({ send: () => Promise.reject(new Error('server down')), maxBatch: 10, maxInFlight: 1, highWater: 100, lingerMs: 0 });
    q.push(1);
    q.push(2);
    const waiting = q.flush();
    await tick(5);
    q.close();
    const errors = await Promise.all([waiting, q.flush()].map((f) => f.then(() => undefined, (err: Error) => err.message)));
    expect(errors).to.deep.equal(['closed before delivery (2 buffered)', 'closed before delivery (2 buffered)']);
    const empty = new DeliveryQueue<number>({ send: async () => undefined, maxBatch: 10, maxInFlight: 1, highWater: 100, lingerMs: 0 });
    empty.close();
    await empty.flush(); // nothing undelivered: a closed queue has nothing to wait for
  });
});
