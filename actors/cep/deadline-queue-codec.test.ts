import { expect } from 'chai';
import { decodeDeadlines, encodeDeadlines } from './deadline-queue-codec.ts';

describe('deadline queue codec', () => {
  const times = [0, 5, 1_767_225_600_000, 1_767_225_600_000, 1_767_225_600_250, 1_767_225_601_000];
  const keys = ['x', 'u1', 'u2', 'u1', 'u3', 'u2'];

  it('round-trips the unconsumed entries, each key written once', () => {
    const enc = encodeDeadlines(times, (i) => keys[i]!, 2);
    expect(enc.keys).to.deep.equal(['u2', 'u1', 'u3']);
    expect(enc.key).to.deep.equal([0, 1, 2, 0]);
    expect(enc.dt).to.deep.equal([1_767_225_600_000, 0, 250, 750]);
    expect(decodeDeadlines(JSON.parse(JSON.stringify(enc)))).to.deep.equal({ times: times.slice(2), keys: keys.slice(2) });
  });

  it('encodes an empty queue', () => {
    expect(decodeDeadlines(encodeDeadlines(times, (i) => keys[i]!, times.length))).to.deep.equal({ times: [], keys: [] });
  });

  it('reads the older [time, key] pairs', () => {
    expect(decodeDeadlines([[10, 'a'], [12, 'b']])).to.deep.equal({ times: [10, 12], keys: ['a', 'b'] });
  });

  it('rejects a corrupt queue', () => {
    expect(() => decodeDeadlines({ keys: ['a'], key: [0, 1], dt: [1, 2] })).to.throw('deadline key index out of range');
    expect(() => decodeDeadlines({ keys: ['a'], key: [0], dt: [1, 2] })).to.throw('columns differ in length');
  });
});
