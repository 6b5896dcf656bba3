import { expect } from 'chai';
import { SeededRandom } from '../testkit/random.ts';
import { SlotHeap } from './buffer.ts';

type Row = [time: number, offset: number, role: number, user: string, id: string];

/** Pops everything the watermark releases, as the pattern operators do. */
function popUpTo(h: SlotHeap, watermark: number): Row[] {
  const out: Row[] = [];
  while (h.length > 0 && h.peekTime() <= watermark) {
    const slot = h.pop();
    out.push([h.poppedTime, h.poppedOffset, h.role[slot] as number, h.user[slot] as string, h.id[slot] as string]);
    h.release(slot);
  }
  return out;
}

const byTimeOffset = (a: Row, b: Row): number => a[0] - b[0] || a[1] - b[1];

describe('SlotHeap (the pattern operators\' event-time buffer)', () => {
  it('pops in (time, offset) order through runs that empty, refill, and grow past the trim threshold', () => {
    const random = new SeededRandom(7);
    const rand = (n: number): number => random.int(n);
    const h = new SlotHeap();
    const model: Row[] = [];
    let offset = 0;
    let time = 1000;
    let watermark = 0;
    // Rounds of mostly in-order events (the run) with some late ones (the heap); a watermark after
    // each round releases a part or all of them; round 40 buffers 10 000 events before releasing.
    for (let round = 0; round < 80; round++) {
      const count = round === 40 ? 10_000 : 1 + rand(60);
      for (let i = 0; i < count; i++) {
        time += rand(4);
        const t = rand(10) === 0 ? time - rand(50) : time;
        const row: Row = [t, offset, rand(4), `u${rand(30)}`, `e${offset}`];
        offset++;
        h.push(...row);
        model.push(row);
      }
      expect(h.length).to.equal(model.length);
      watermark = round % 3 === 0 ? time : time - rand(100);
      model.sort(byTimeOffset);
      const due = model.filter((r) => r[0] <= watermark);
      model.splice(0, due.length);
      expect(popUpTo(h, watermark)).to.deep.equal(due);
      expect(h.length).to.equal(model.length);
    }
    expect(popUpTo(h, Infinity)).to.deep.equal(model.sort(byTimeOffset));
    expect(h.length).to.equal(0);
    expect(h.peekTime()).to.equal(Infinity);
  });

  it('rows() holds exactly the buffered events, and fromRows() rebuilds the same pop order', () => {
    const h = new SlotHeap();
    for (const [t, o] of [[10, 0], [12, 1], [11, 2], [15, 3], [9, 4], [15, 5]] as const) h.push(t, o, o % 2, `u${o}`, `e${o}`);
    popUpTo(h, 10);
    h.push(20, 6, 1, 'u6', 'e6');
    const rows = h.rows();
    expect(rows.map((r) => r[1]).sort()).to.deep.equal([1, 2, 3, 5, 6]);
    expect(popUpTo(SlotHeap.fromRows(rows), Infinity)).to.deep.equal(popUpTo(h, Infinity));
  });
});
