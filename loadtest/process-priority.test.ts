import { execFileSync } from 'node:child_process';
import { expect } from 'chai';

// In a child process, so that the test runner keeps its own priority: the child starts a worker
// (a thread of its own), sets every thread but the worker's to nice 7, and reports each thread's nice.
const CHILD = `
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { setProcessPriority } from './loadtest/process-priority.ts';
const worker = new Worker("Promise.all([import('node:worker_threads'), import('node:fs')]).then(([w, fs]) => { w.parentPort.postMessage(Number(fs.readlinkSync('/proc/thread-self').split('/').pop())); setInterval(() => {}, 1000); })", { eval: true });
const workerTid = await new Promise((r) => worker.once('message', r));
setProcessPriority(7, [workerTid]);
const nice = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
const others = readdirSync('/proc/self/task').map(Number).filter((t) => t !== workerTid);
console.log(JSON.stringify({ worker: nice(workerTid), others: others.map(nice), main: nice(process.pid) }));
process.exit(0);
`;

describe('setProcessPriority', () => {
  // Linux (/proc), as the load tests that use it.
  it('sets every thread of the process but the ones excepted', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8' });
    const { worker, others, main } = JSON.parse(out) as { worker: number; others: number[]; main: number };
    expect(worker).to.equal(0);
    expect(main).to.equal(7);
    expect(others.length).to.be.greaterThan(1);
    expect(others.every((n) => n === 7)).to.equal(true);
  });
});
