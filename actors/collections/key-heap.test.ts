import { expect } from 'chai';
import { KeyHeap } from './key-heap.ts';

describe('KeyHeap', () => {
  it('pops in (key1, key2) order, interleaved with pushes, and reports the popped keys', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const heap = new KeyHeap<string>();
    const model: [number, number, string][] = [];
    const popped: [number, number, string][] = [];
    const expected: [number, number, string][] = [];
    for (let i = 0; i < 5000; i++) {
      if (rand(3) > 0 || heap.size === 0) {
        const k1 = rand(50);
        const k2 = i;
        heap.push(k1, k2, `e${i}`);
        model.push([k1, k2, `e${i}`]);
      } else {
        model.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect([heap.peekKey1(), heap.peekKey2()]).to.deep.equal([model[0]![0], model[0]![1]]);
        expected.push(model.shift()!);
        const item = heap.pop();
        popped.push([heap.poppedKey1, heap.poppedKey2, item]);
      }
      expect(heap.size).to.equal(model.length);
    }
    expect(popped).to.deep.equal(expected);
  });

  it('is Infinity-keyed when empty; values() in heap order rebuild the same heap', () => {
    const heap = new KeyHeap<number>();
    expect([heap.size, heap.peekKey1(), heap.peekKey2()]).to.deep.equal([0, Infinity, Infinity]);
    for (const [k1, k2] of [[5, 1], [3, 2], [9, 3], [3, 1], [1, 7], [5, 0]] as const) heap.push(k1, k2, k1 * 10 + k2);
    const rebuilt = new KeyHeap<number>();
    heap.forEach((item, k1, k2) => rebuilt.push(k1, k2, item));
    expect(rebuilt.values()).to.deep.equal(heap.values());
    const order: number[] = [];
    while (heap.size > 0) order.push(heap.pop());
    expect(order).to.deep.equal([17, 31, 32, 50, 51, 93]);
    heap.push(1, 1, 11);
    heap.clear();
    expect(heap.size).to.equal(0);
  });
});
