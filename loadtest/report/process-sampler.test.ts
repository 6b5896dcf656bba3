import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

import { clockTicksPerSecond, discoverServers, MACHINE, ProcessSampler, processAgeS } from './process-sampler.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function burn(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error('unreachable');
}

/** utime+stime of one pid alone, and cutime+cstime (its reaped children), in ticks. */
function ticks(pid: number): { own: number; children: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  return { own: (f[11] ?? 0) + (f[12] ?? 0), children: (f[13] ?? 0) + (f[14] ?? 0) };
}

describe('ProcessSampler', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const c of started.splice(0)) {
      // each child leads its own process group (detached): end the group it started, by its id
      if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });

  it('tells how long a process has been running (to flag a broker that just started)', () => {
    const age = processAgeS(process.pid);
    expect(age).to.be.a('number');
    expect(age!).to.be.within(process.uptime() - 1, process.uptime() + 1);
    expect(processAgeS(2 ** 22 + 1)).to.equal(undefined); // above the kernel's pid limit: no such process
  });

  it('reads the clock tick rate', () => {
    expect(clockTicksPerSecond()).to.be.a('number').and.be.greaterThan(0);
  });

  it('measures the CPU and RSS of the current process and the machine', () => {
    const s = new ProcessSampler();
    s.add('self', process.pid);
    burn(200);
    const { cpu, rssMb } = s.sample();
    expect(cpu.self).to.be.greaterThan(30);
    expect(cpu.self).to.be.at.most(200); // one thread: about 100 % of a core, with tick rounding
    expect(rssMb.self).to.be.greaterThan(10);
    expect(cpu[MACHINE]).to.be.greaterThan(0);

    const [u] = s.usage();
    expect(u?.name).to.equal('self');
    expect(u?.pid).to.equal(process.pid);
    expect(u?.cpuMaxPct).to.equal(cpu.self);
    expect(u?.rssMaxMb).to.equal(rssMb.self);
  });

  it('measures how long a process waited for a core, and the machine\'s CPU pressure: two spinners pinned to one CPU take turns', async () => {
    const spin = (): ChildProcess => spawn('taskset', ['-c', '0', 'sh', '-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' });
    const a = spin();
    const b = spin();
    started.push(a, b);
    const s = new ProcessSampler();
    s.add('a', a.pid ?? -1);
    s.add('b', b.pid ?? -1);
    s.add('self', process.pid);
    await sleep(600);
    const { cpu, wait, pressure } = s.sample();
    // One core between them: together they run ~100 % of it and wait ~100 %, each about half of each.
    expect((cpu.a ?? 0) + (cpu.b ?? 0)).to.be.within(60, 130);
    expect((wait.a ?? 0) + (wait.b ?? 0)).to.be.greaterThan(60);
    expect(wait.a).to.be.greaterThan(20);
    expect(wait.self, 'an idle process does not wait').to.be.lessThan(10);
    expect(pressure, 'some task waited nearly all the time').to.be.greaterThan(50);
    const usage = new Map(s.usage().map((u) => [u.name, u]));
    expect(usage.get('a')?.cpuWaitAvgPct).to.equal(wait.a);
    expect(s.pressureAvgPct()).to.equal(pressure);
  });

  it('counts the CPU of descendants (a wrapper shell whose child burns CPU)', async () => {
    // outer sh waits for an inner sh that spins; `; true` keeps the outer from exec-ing the inner
    const child = spawn('sh', ['-c', 'sh -c "while :; do :; done"; true'], { detached: true, stdio: 'ignore' });
    started.push(child);
    const pid = child.pid ?? -1;
    const s = new ProcessSampler();
    s.add('tree', pid);
    await sleep(300);
    const { cpu } = s.sample();
    expect(cpu.tree).to.be.greaterThan(30);
    expect(ticks(pid).own).to.be.lessThan(clockTicksPerSecond() * 0.05); // the root itself is idle
    expect(s.usage()[0]?.rssMaxMb).to.be.greaterThan(0);
  });

  it('does not count a descendant that is sampled under its own name', async () => {
    const burner = spawn('sh', ['-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' });
    started.push(burner);
    const s = new ProcessSampler();
    s.add('self', process.pid); // the burner is our child
    s.add('burner', burner.pid ?? -1);
    await sleep(300);
    const { cpu } = s.sample();
    expect(cpu.burner).to.be.greaterThan(30);
    expect(cpu.self).to.be.lessThan(20);
  });

  it('counts a child that was reaped mid-run once, not again in its parent\'s cutime', async function () {
    this.timeout(3000);
    // the child burns ~300 ms and exits; the wrapper reaps it and waits on stdin
    const child = spawn('sh', ['-c', `${JSON.stringify(process.execPath)} -e "const e = Date.now() + 300; while (Date.now() < e);"; read x`], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    started.push(child);
    const pid = child.pid ?? -1;
    const s = new ProcessSampler();
    s.add('wrapper', pid);
    const t0 = performance.now();
    await sleep(200);
    const t1 = performance.now();
    const first = s.sample().cpu.wrapper ?? NaN;
    await sleep(450);
    const t2 = performance.now();
    const second = s.sample().cpu.wrapper ?? NaN;
    const hz = clockTicksPerSecond();
    const sampled = ((first / 100) * (t1 - t0) + (second / 100) * (t2 - t1)) / 1000; // CPU seconds
    const { own, children } = ticks(pid);
    expect(children).to.be.greaterThan(0.15 * hz); // the child did run and was reaped
    expect(first).to.be.greaterThan(20);
    expect(sampled).to.be.closeTo((own + children) / hz, 0.06);
  });

  it('lets a process that exited stop contributing, and keeps the usage of removed names', async () => {
    const child = spawn('sh', ['-c', 'read x'], { stdio: ['pipe', 'ignore', 'ignore'] });
    started.push(child);
    const s = new ProcessSampler();
    s.add('short', child.pid ?? -1);
    s.add('self', process.pid);
    expect(s.sample().rssMb.short).to.be.greaterThan(0);

    child.stdin?.end();
    await once(child, 'exit');
    const after = s.sample();
    expect(after.cpu.short).to.equal(0);
    expect(after.rssMb.short).to.equal(0);

    s.remove('self');
    const last = s.sample();
    expect(last.cpu).to.not.have.property('self');
    expect(s.usage().map((u) => u.name)).to.deep.equal(['short', 'self']);
    expect(() => s.add('machine', 1)).to.throw(/reserved/);
  });

  it('discovers the live processes of <runDir>/pids/*.pid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtap-sampler-'));
    try {
      const gone = spawn('true');
      await once(gone, 'exit');
      mkdirSync(join(dir, 'pids'));
      writeFileSync(join(dir, 'pids', 'kafka.pid'), `${process.pid}\n`);
      writeFileSync(join(dir, 'pids', 'nats.pid'), `${gone.pid ?? 0}\n`);
      writeFileSync(join(dir, 'pids', 'jaeger.pid'), 'garbage\n');
      writeFileSync(join(dir, 'pids', 'influxdb.pid'), '');
      writeFileSync(join(dir, 'pids', 'gateway.pid'), `${process.pid}\n`);
      expect(discoverServers(dir)).to.deep.equal([
        { name: 'gateway', pid: process.pid },
        { name: 'kafka', pid: process.pid },
      ]);
      expect(discoverServers(dir, ['kafka', 'nats'])).to.deep.equal([{ name: 'kafka', pid: process.pid }]);
      expect(discoverServers(join(dir, 'missing'))).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
