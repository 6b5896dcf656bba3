// Keeps the machine busy the way a pipeline does: bursts of work (1–10 ms, exponentially
// distributed, mean 3 ms) with sleeps between them, at a chosen share of a core per process.
// Used to price CPU pressure alone: run a light load test beside it and the latency that rises is
// the machine's, not the pipeline's (docs/performance.md, "Reading").
//
//   node infra/perf/cpu-burn.mjs <percent of a core per process> <processes> <seconds>
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const [pctArg, procsArg, secondsArg] = process.argv.slice(2);
const pct = Number(pctArg);
const procs = Number(procsArg ?? 1);
const seconds = Number(secondsArg ?? 60);
if (!(pct > 0 && pct < 100) || !(procs >= 1) || !(seconds > 0)) {
  console.error('usage: node infra/perf/cpu-burn.mjs <percent of a core per process, 0–100> <processes> <seconds>');
  process.exit(2);
}

if (process.env.CPU_BURN_CHILD === undefined) {
  for (let i = 1; i < procs; i++) fork(process.argv[1], process.argv.slice(2), { env: { ...process.env, CPU_BURN_CHILD: '1' } });
}

const duty = pct / 100;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const until = performance.now() + seconds * 1000;
let sink = 0;
while (performance.now() < until) {
  const busyMs = Math.min(10, Math.max(1, -3 * Math.log(1 - Math.random())));
  const end = performance.now() + busyMs;
  while (performance.now() < end) sink += Math.sqrt(sink + 1);
  Atomics.wait(sleeper, 0, 0, (busyMs * (1 - duty)) / duty);
}
if (sink < 0) console.log(sink); // keeps the loop from being optimised away
