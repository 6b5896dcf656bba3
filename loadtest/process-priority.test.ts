import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { takesNice } from './process-priority.ts';

// In a child process in a session of its own (setsid), so that the test runner and its session keep
// their priority: the child starts a worker (a thread of its own), sets every thread but the
// worker's to nice 7, and reports each thread's nice and its session's.
const CHILD = `
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { setProcessPriority } from './loadtest/process-priority.ts';
const worker = new Worker("Promise.all([import('node:worker_threads'), import('node:fs')]).then(([w, fs]) => { w.parentPort.postMessage(Number(fs.readlinkSync('/proc/thread-self').split('/').pop())); setInterval(() => {}, 1000); })", { eval: true });
const workerTid = await new Promise((r) => worker.once('message', r));
setProcessPriority(7, [workerTid]);
const nice = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
const others = readdirSync('/proc/self/task').map(Number).filter((t) => t !== workerTid);
const session = Number(/nice (-?\\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))[1]); // "/autogroup-7 nice 10"
console.log(JSON.stringify({ worker: nice(workerTid), others: others.map(nice), main: nice(process.pid), session }));
process.exit(0);
`;

describe('setProcessPriority', () => {
  // Linux (/proc), as the load tests that use it.
  it('sets every thread of the process but the ones excepted, and its session', () => {
    const out = execFileSync('setsid', ['--wait', process.execPath, '--import', 'tsx', '--input-type=module', '-e', CHILD], { encoding: 'utf8' });
    const { worker, others, main, session } = JSON.parse(out) as { worker: number; others: number[]; main: number; session: number };
    expect(worker).to.equal(0);
    expect(main).to.equal(7);
    expect(others.length).to.be.greaterThan(1);
    expect(others.every((n) => n === 7)).to.equal(true);
    expect(session).to.equal(7); // this kernel has autogroup scheduling (CONFIG_SCHED_AUTOGROUP)
  });
});

describe('takesNice', () => {
  it('is false for the root group (an empty file), true for a session of its own', () => {
    expect(takesNice('')).to.equal(false);
    expect(takesNice('/autogroup-663 nice 0\n')).to.equal(true);
  });
});
