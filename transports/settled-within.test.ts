import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { settledWithin } from './settled-within.ts';

describe('settledWithin', () => {
  it('is true when the work resolves or rejects in time, false when it does not', async () => {
    expect(await settledWithin(Promise.resolve(1), 1_000)).to.equal(true);
    expect(await settledWithin(Promise.reject(new Error('no')), 1_000)).to.equal(true);
    expect(await settledWithin(new Promise(() => undefined), 20)).to.equal(false);
  });

  it('leaves no timer behind to hold the process open once the work has settled', async () => {
    // A process whose only work is a settled wait with a 60 s grace ends at once.
    const started = Date.now();
    const script = `import { settledWithin } from ${JSON.stringify(new URL('./settled-within.ts', import.meta.url).href)};\nawait settledWithin(Promise.resolve(), 60_000);`;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    expect(Date.now() - started).to.be.below(20_000);
  });
});
