import { expect } from 'chai';

import { MACHINE } from './process-sampler.ts';
import { SamplerThread } from './sampler-thread.ts';

function burn(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error('unreachable');
}

describe('SamplerThread', () => {
  let sampler: SamplerThread;
  beforeEach(() => (sampler = SamplerThread.start()));
  afterEach(() => sampler.close());

  it('samples a process on its own thread: the CPU this thread burns shows in the next sample', async () => {
    await sampler.add('self', process.pid);
    burn(300);
    const s = await sampler.sample();
    expect(s.cpu.self).to.be.greaterThan(20);
    expect(s.cpu[MACHINE]).to.be.a('number');
    expect(s.rssMb.self).to.be.greaterThan(10);
    const usage = await sampler.usage();
    expect(usage.map((u) => u.name)).to.deep.equal(['self']);
  });

  it("rejects a call the sampler refuses, with the sampler's reason, and goes on", async () => {
    let error: Error | undefined;
    await sampler.add(MACHINE, process.pid).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/process sampler: .*reserved/);
    await sampler.add('self', process.pid);
    expect((await sampler.usage()).map((u) => u.name)).to.deep.equal(['self']);
  });

  it('rejects calls once its thread has ended', async () => {
    await sampler.close();
    let error: Error | undefined;
    await sampler.sample().catch((e: Error) => (error = e));
    expect(error?.message).to.equal('process sampler: its thread ended');
  });
});
