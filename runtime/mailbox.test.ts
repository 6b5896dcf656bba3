import { expect } from 'chai';
import { Mailbox, PUSH_EVICTED, PUSH_OK, PUSH_REJECTED, resolveMailboxConfig } from './mailbox.ts';
import type { MailboxOptions } from './mailbox.ts';

const box = (options: MailboxOptions): Mailbox<number> => new Mailbox<number>(resolveMailboxConfig(options));

describe('Mailbox', () => {
  it('is FIFO across ring wrap-around and growth, including unshift', () => {
    const m = box({ capacity: 1000 });
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) m.push(next++);
      for (let i = 0; i < 5; i++) out.push(m.shift());
    }
    while (m.size > 0) out.push(m.shift());
    expect(out).to.deep.equal(Array.from({ length: next }, (_, i) => i));
    m.push(2);
    m.push(3);
    m.unshift(1);
    m.unshift(0);
    expect([m.shift(), m.shift(), m.shift(), m.shift()]).to.deep.equal([0, 1, 2, 3]);
  });

  it('allocates nothing until the first message', () => {
    const m = box({ capacity: 1_000_000 });
    expect(m.depth).to.equal(0);
    expect((m as unknown as { buf: unknown[] }).buf.length).to.equal(0);
  });

  it('backpressure: refuses when full without counting a drop', () => {
    const m = box({ capacity: 2 });
    expect(m.push(1)).to.equal(PUSH_OK);
    expect(m.push(2)).to.equal(PUSH_OK);
    expect(m.push(3)).to.equal(PUSH_REJECTED);
    expect(m.dropped).to.equal(0);
    expect(m.depth).to.equal(2);
  });

  it('drop-newest: drops and counts incoming messages', () => {
    const m = box({ capacity: 2, policy: 'drop-newest' });
    m.push(1);
    m.push(2);
    expect(m.push(3)).to.equal(PUSH_REJECTED);
    expect(m.push(4)).to.equal(PUSH_REJECTED);
    expect(m.dropped).to.equal(2);
    expect([m.shift(), m.shift()]).to.deep.equal([1, 2]);
  });

  it('drop-oldest: evicts and counts the head', () => {
    const m = box({ capacity: 2, policy: 'drop-oldest' });
    m.push(1);
    m.push(2);
    expect(m.push(3)).to.equal(PUSH_EVICTED);
    expect(m.evicted).to.equal(1);
    expect(m.dropped).to.equal(1);
    expect([m.shift(), m.shift()]).to.deep.equal([2, 3]);
  });

  it('reports high and low water marks once per crossing', () => {
    const m = box({ capacity: 10, highWaterMark: 8, lowWaterMark: 2 });
    const events: string[] = [];
    const off = m.onWaterMark((mark, depth) => events.push(`${mark}@${depth}`));
    for (let i = 0; i < 10; i++) m.push(i);
    expect(m.aboveHighWaterMark).to.equal(true);
    while (m.size > 0) m.shift();
    for (let i = 0; i < 8; i++) m.push(i);
    expect(events).to.deep.equal(['high@8', 'low@2', 'high@8']);
    off();
    while (m.size > 0) m.shift();
    expect(events).to.have.length(3);
  });

  it('whenWritable resolves once a slot frees up', async () => {
    const m = box({ capacity: 1 });
    m.push(1);
    let writable = false;
    const waiting = m.whenWritable().then(() => (writable = true));
    await Promise.resolve();
    expect(writable).to.equal(false);
    m.shift();
    await waiting;
    expect(writable).to.equal(true);
  });

  it('rejects invalid configuration', () => {
    expect(() => box({ capacity: 0 })).to.throw(RangeError);
    expect(() => box({ capacity: 10, highWaterMark: 2, lowWaterMark: 5 })).to.throw(RangeError);
  });
});
