// Starts a worker thread from a TypeScript module. Node 20 does not apply this process's
// `--import tsx` to a worker's entry module, so the worker registers tsx before it loads it.
import { Worker, type MessagePort } from 'node:worker_threads';

/** `entry`: the module's URL (`new URL('./x.worker.ts', import.meta.url)`); `transferList`: the message ports in `workerData`. */
export function startTsWorker(entry: URL, workerData: unknown, transferList: MessagePort[] = []): Worker {
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData, transferList });
}
