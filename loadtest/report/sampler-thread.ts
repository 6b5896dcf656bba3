// The ProcessSampler on a thread of its own. One reading walks /proc — every process's stat, every
// thread's schedstat (Kafka alone has ~100 threads) — and took 9–11 ms, up to 83 ms, in `10k` runs:
// on the load-test process's main thread, which sends the load, every event due meanwhile was sent
// late by that much, once a second (and late shows as latency, open loop).
import type { ProcessSampler } from './process-sampler.ts';
import { startTsWorker } from '../ts-worker.ts';
import { WorkerCalls } from '../worker-calls.ts';

type Methods = Pick<ProcessSampler, 'add' | 'remove' | 'sample' | 'usage' | 'pressureAvgPct'>;

export interface SamplerCall {
  method: keyof Methods;
  args: unknown[];
}

/** ProcessSampler's methods, answered by its thread in the order they were called. */
export class SamplerThread {
  private constructor(private readonly calls: WorkerCalls<SamplerCall>) {}

  static start(): SamplerThread {
    return new SamplerThread(new WorkerCalls(startTsWorker(new URL('./sampler-thread.worker.ts', import.meta.url), undefined), 'process sampler'));
  }

  add(name: string, pid: number): Promise<void> {
    return this.calls.call({ method: 'add', args: [name, pid] });
  }

  remove(name: string): Promise<void> {
    return this.calls.call({ method: 'remove', args: [name] });
  }

  sample(): Promise<ReturnType<Methods['sample']>> {
    return this.calls.call({ method: 'sample', args: [] });
  }

  usage(): Promise<ReturnType<Methods['usage']>> {
    return this.calls.call({ method: 'usage', args: [] });
  }

  pressureAvgPct(): Promise<ReturnType<Methods['pressureAvgPct']>> {
    return this.calls.call({ method: 'pressureAvgPct', args: [] });
  }

  /** Ends the thread; again is a no-op. */
  close(): Promise<void> {
    return this.calls.close();
  }
}
