import { expect } from 'chai';
import type { WindowResult } from '../../actors/results.ts';
import { updatesLines, updatesPayload } from './contracts.ts';

const update = (key: string): WindowResult => ({
  kind: 'window', id: `page-views|p0|${key}|0-5000|f0|update`, analytic: 'page-views', partition: 0, key,
  windowStart: 0, windowEnd: 5000, firing: 0, trigger: 'update', values: { count: 1 },
});

describe('updates messages', () => {
  it('carry one JSON text per result, keys with newlines included', () => {
    const updates = [update('/home'), update('line\nbreak'), update('"quoted"')];
    const lines = updatesLines(updatesPayload(updates));
    expect(lines).to.have.length(3);
    expect(lines.map((line) => JSON.parse(line) as unknown)).to.deep.equal(updates);
  });

  it('are still read in the JSON array of earlier nodes (gateway upgraded first)', () => {
    const updates = [update('/home'), update('/cart')];
    const lines = updatesLines(JSON.stringify(updates));
    expect(lines.map((line) => JSON.parse(line) as unknown)).to.deep.equal(updates);
  });
});
