// CPU and memory of the processes a load test runs (Kafka, NATS, the rtap nodes, the gateway, the
// load tester itself), read straight from /proc (pidstat is not installed on the dev machine). A named process is a root pid plus all its
// descendants (bin/rtap is a shell wrapper around node; a server may run as a child of its launcher),
// found anew on every sample from the ppid fields of /proc/*/stat. A reading walks all of /proc
// (~10 ms), so the load test takes it on a thread of its own (SamplerThread).
//
// Also how long each process's threads were ready to run but waited for a core (the scheduler's
// run-queue delay, /proc/<pid>/task/<tid>/schedstat) and the machine's CPU pressure
// (/proc/pressure/cpu): on a saturated machine every hop of the pipeline queues for a core, and
// these say how much, where CPU % alone cannot.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ProcessUsage } from './types.ts';

/** The key under which `sample()` reports the whole machine's busy CPU. */
export const MACHINE = 'machine';

let clockTicks: number | undefined;

/** Clock ticks per second of the utime/stime fields (`getconf CLK_TCK`, 100 when that fails). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    clockTicks = 100;
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(n) && n > 0) clockTicks = n;
    } catch {
      // no getconf: Linux's USER_HZ is 100 everywhere we run
    }
  }
  return clockTicks;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** Identifies the process together with its pid (pids are reused). */
  startTime: number;
  /** utime + stime of the process itself. */
  ownTicks: number;
  /** cutime + cstime: the children it has waited for. */
  childTicks: number;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may contain spaces and parentheses. */
function parseStat(pid: number, text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // f[0] is field 3 (state), so field n is f[n - 3].
  const f = text.slice(close + 2).split(' ');
  const num = (field: number): number => Number(f[field - 3]);
  const st: ProcStat = { pid, ppid: num(4), ownTicks: num(14) + num(15), childTicks: num(16) + num(17), startTime: num(22) };
  return Number.isFinite(st.ppid) && Number.isFinite(st.ownTicks) && Number.isFinite(st.childTicks) ? st : null;
}

function readStat(pid: number): ProcStat | null {
  const text = readText(`/proc/${pid}/stat`);
  return text === null ? null : parseStat(pid, text);
}

/** Seconds since `pid` started (its start time in /proc/<pid>/stat against /proc/uptime); undefined off Linux or when it is gone. */
export function processAgeS(pid: number): number | undefined {
  const st = readStat(pid);
  const uptime = Number(readText('/proc/uptime')?.split(' ')[0]);
  if (st === null || !Number.isFinite(uptime) || !Number.isFinite(st.startTime)) return undefined;
  return uptime - st.startTime / clockTicksPerSecond();
}

/** Every process on the machine, by pid. */
function readAllStats(): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return all;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const st = readStat(Number(e));
    if (st) all.set(st.pid, st);
  }
  return all;
}

function readRssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s*kB/m.exec(readText(`/proc/${pid}/status`) ?? '');
  return m?.[1] === undefined ? 0 : Number(m[1]) / 1024;
}

/** Busy and total jiffies of all cores together, and the number of cores, from /proc/stat. */
function readMachine(): { busy: number; total: number; cores: number } | null {
  const text = readText('/proc/stat');
  if (text === null) return null;
  const lines = text.split('\n');
  const cpu = lines.find((l) => l.startsWith('cpu '));
  if (!cpu) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice — already counted in user/nice]
  const v = cpu.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const cores = Math.max(1, lines.filter((l) => /^cpu\d+ /.test(l)).length);
  return { busy: total - idle, total, cores };
}

/**
 * Run-queue delay so far of every thread of `pid` (ns, by tid): the second field of schedstat. Null
 * when the kernel keeps no schedstats (CONFIG_SCHED_INFO off) or the process is gone.
 */
function readThreadWaits(pid: number): Map<number, number> | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const waits = new Map<number, number>();
  for (const tid of tids) {
    const wait = Number(readText(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ')[1]);
    if (Number.isFinite(wait)) waits.set(Number(tid), wait);
  }
  return waits.size > 0 ? waits : null;
}

/** Microseconds so far in which some runnable task waited for a CPU (PSI "some"), or null without PSI. */
function readCpuPressureUs(): number | null {
  const m = /^some .*total=(\d+)/m.exec(readText('/proc/pressure/cpu') ?? '');
  return m?.[1] === undefined ? null : Number(m[1]);
}

const key = (st: ProcStat): string => `${st.pid}:${st.startTime}`;

interface Member {
  ppid: number;
  ownTicks: number;
  childTicks: number;
}

interface Tracked {
  pid: number;
  /** Processes of the tree at the previous sample, by pid:startTime. */
  members: Map<string, Member>;
  /** performance.now() of the previous reading. */
  at: number;
  cpu: number[];
  /** Run-queue delay so far of each thread of the tree, by tid (ns). */
  threadWaits: Map<number, number>;
  /** Per sample: % of one core's time the tree's threads spent waiting for one; null without schedstats. */
  wait: (number | null)[];
  rssMaxMb: number;
  active: boolean;
}

/**
 * The tree of `root` plus the still-running members of the previous sample and their descendants
 * (so a server whose launcher exited, leaving it orphaned, still counts). The walk stops at the
 * roots of other named processes (`otherRoots`): nodes the load tester spawned count as themselves,
 * not twice.
 */
function currentMembers(
  root: number,
  previous: Map<string, Member>,
  all: Map<number, ProcStat>,
  children: Map<number, number[]>,
  otherRoots: ReadonlySet<number>,
): Map<string, ProcStat> {
  const out = new Map<string, ProcStat>();
  const queue: ProcStat[] = [];
  const push = (st: ProcStat | undefined): void => {
    if (st && !out.has(key(st)) && (st.pid === root || !otherRoots.has(st.pid))) {
      out.set(key(st), st);
      queue.push(st);
    }
  };
  push(all.get(root));
  for (const k of previous.keys()) {
    const pid = Number(k.slice(0, k.indexOf(':')));
    const st = all.get(pid);
    if (st && key(st) === k) push(st);
  }
  for (let st = queue.shift(); st; st = queue.shift()) {
    for (const c of children.get(st.pid) ?? []) push(all.get(c));
  }
  return out;
}

/**
 * CPU ticks a tree used between two samples. A process that appeared since counts in full (it was
 * forked in the interval); one that exited was, if a member reaped it, folded into that member's
 * cutime/cstime — which then grows by the child's whole life, so the part already counted is taken
 * off again. Children born and reaped within one interval are only in that growth, and count.
 */
function ticksBetween(previous: Map<string, Member>, current: Map<string, ProcStat>): number {
  let ticks = 0;
  const reaped = new Map<number, number>(); // ppid → ticks of its departed children counted before
  for (const [k, m] of previous) {
    if (!current.has(k)) reaped.set(m.ppid, (reaped.get(m.ppid) ?? 0) + m.ownTicks + m.childTicks);
  }
  for (const [k, st] of current) {
    const before = previous.get(k);
    ticks += st.ownTicks - (before?.ownTicks ?? 0);
    if (before) ticks += Math.max(0, st.childTicks - before.childTicks - (reaped.get(st.pid) ?? 0));
  }
  return Math.max(0, ticks);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Run-queue delay so far of every thread of `pids` (ns, by tid); null when no thread could be read. */
function readTreeWaits(pids: Iterable<number>): Map<number, number> | null {
  const all = new Map<number, number>();
  let read = false;
  for (const pid of pids) {
    const waits = readThreadWaits(pid);
    if (!waits) continue;
    read = true;
    for (const [tid, ns] of waits) all.set(tid, ns);
  }
  return read ? all : null;
}

/**
 * Nanoseconds the threads of `pids` waited for a CPU since `before` (their totals then, by tid),
 * and their totals now. A thread born since counts in full; one that ended takes its last interval
 * with it. Null when no thread could be read.
 */
function waitedSince(pids: Iterable<number>, before: Map<number, number>): { waitedNs: number; now: Map<number, number> } | null {
  const now = readTreeWaits(pids);
  if (!now) return null;
  let waitedNs = 0;
  for (const [tid, ns] of now) waitedNs += Math.max(0, ns - (before.get(tid) ?? 0));
  return { waitedNs, now };
}

const average = (xs: readonly number[]): number => (xs.length === 0 ? 0 : round1(xs.reduce((a, b) => a + b, 0) / xs.length));

export class ProcessSampler {
  private readonly tracked = new Map<string, Tracked>();
  private machine = readMachine();
  private pressureUs = readCpuPressureUs();
  private pressureAt = performance.now();
  private readonly pressure: number[] = [];

  /**
   * Starts sampling `pid` and its descendants as `name` (again, after a restart: the history is
   * kept). Descendants that are themselves added under another name count only there.
   */
  add(name: string, pid: number): void {
    if (name === MACHINE) throw new Error(`"${MACHINE}" is reserved for the machine total`);
    const all = readAllStats();
    const current = currentMembers(pid, new Map(), all, childrenOf(all), this.roots(name));
    const members = new Map<string, Member>();
    for (const [k, st] of current) members.set(k, { ppid: st.ppid, ownTicks: st.ownTicks, childTicks: st.childTicks });
    const old = this.tracked.get(name);
    const threadWaits = readTreeWaits([...current.values()].map((st) => st.pid)) ?? new Map<number, number>();
    this.tracked.set(name, { pid, members, at: performance.now(), cpu: old?.cpu ?? [], threadWaits, wait: old?.wait ?? [], rssMaxMb: old?.rssMaxMb ?? 0, active: true });
  }

  /** The root pids of the active names other than `name`. */
  private roots(name: string): Set<number> {
    const pids = new Set<number>();
    for (const [n, t] of this.tracked) if (n !== name && t.active) pids.add(t.pid);
    return pids;
  }

  /** Stops sampling `name` (a node that was killed); its usage so far stays in `usage()`. */
  remove(name: string): void {
    const t = this.tracked.get(name);
    if (t) t.active = false;
  }

  /**
   * CPU % of one core each named process used since the previous sample (or since `add`), its RSS
   * now, and under `machine` the busy % of all cores (200 = both cores of a 2-core machine); `wait`:
   * the time its threads were ready to run but waited for a core, in the same unit (40 = 400 ms of
   * waiting per second, summed over its threads; absent without schedstats); `pressure`: the % of the
   * interval in which some task on the machine waited for a CPU (PSI; null without it).
   */
  sample(): { cpu: Record<string, number>; wait: Record<string, number>; rssMb: Record<string, number>; pressure: number | null } {
    const now = performance.now();
    const hz = clockTicksPerSecond();
    const all = readAllStats();
    const children = childrenOf(all);
    const cpu: Record<string, number> = {};
    const wait: Record<string, number> = {};
    const rssMb: Record<string, number> = {};

    for (const [name, t] of this.tracked) {
      if (!t.active) continue;
      const current = currentMembers(t.pid, t.members, all, children, this.roots(name));
      const seconds = Math.max(1e-3, (now - t.at) / 1000);
      t.at = now;
      const pct = round1((ticksBetween(t.members, current) / hz / seconds) * 100);
      const waited = waitedSince([...current.values()].map((st) => st.pid), t.threadWaits);
      if (waited) {
        t.threadWaits = waited.now;
        wait[name] = round1((waited.waitedNs / 1e9 / seconds) * 100);
      }
      t.wait.push(wait[name] ?? null);
      let rss = 0;
      t.members = new Map();
      for (const [k, st] of current) {
        rss += readRssMb(st.pid);
        t.members.set(k, { ppid: st.ppid, ownTicks: st.ownTicks, childTicks: st.childTicks });
      }
      rss = round1(rss);
      t.cpu.push(pct);
      t.rssMaxMb = Math.max(t.rssMaxMb, rss);
      cpu[name] = pct;
      rssMb[name] = rss;
    }

    const m = readMachine();
    if (m && this.machine && m.total > this.machine.total) {
      cpu[MACHINE] = round1(((m.busy - this.machine.busy) / (m.total - this.machine.total)) * m.cores * 100);
    } else {
      cpu[MACHINE] = 0;
    }
    this.machine = m;

    const pressureUs = readCpuPressureUs();
    let pressure: number | null = null;
    if (pressureUs !== null && this.pressureUs !== null) {
      pressure = round1(Math.min(100, ((pressureUs - this.pressureUs) / 1000 / Math.max(1e-3, now - this.pressureAt)) * 100));
      this.pressure.push(pressure);
    }
    this.pressureUs = pressureUs;
    this.pressureAt = now;
    return { cpu, wait, rssMb, pressure };
  }

  /** The machine's average CPU pressure over all samples (% of the time some task waited for a CPU); null without PSI. */
  pressureAvgPct(): number | null {
    return this.pressure.length === 0 ? null : average(this.pressure);
  }

  /** Average and peak CPU, average run-queue wait and peak RSS of every name ever added, over all its samples. */
  usage(): ProcessUsage[] {
    return [...this.tracked].map(([name, t]) => {
      const waits = t.wait.filter((w): w is number => w !== null);
      return {
        name,
        pid: t.pid,
        cpuAvgPct: average(t.cpu),
        cpuMaxPct: t.cpu.length === 0 ? 0 : Math.max(...t.cpu),
        cpuWaitAvgPct: waits.length === 0 ? null : average(waits),
        rssMaxMb: t.rssMaxMb,
      };
    });
  }
}

function childrenOf(all: Map<number, ProcStat>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const st of all.values()) {
    const list = children.get(st.ppid);
    if (list) list.push(st.pid);
    else children.set(st.ppid, [st.pid]);
  }
  return children;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The live processes behind `<runDir>/pids/*.pid` (written by infra/lib.sh's start_daemon: kafka,
 * nats, influxdb, jaeger from infra/servers, and node-N, gateway, producer from infra/cluster.sh),
 * sorted by name; `names` keeps only those. Stale, empty and unreadable pid files are skipped.
 */
export function discoverServers(runDir: string, names?: readonly string[]): Array<{ name: string; pid: number }> {
  const dir = join(runDir, 'pids');
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  const out: Array<{ name: string; pid: number }> = [];
  for (const f of files.sort()) {
    if (!f.endsWith('.pid')) continue;
    const name = f.slice(0, -'.pid'.length);
    if (names && !names.includes(name)) continue;
    const text = readText(join(dir, f))?.trim() ?? '';
    if (!/^\d+$/.test(text)) continue;
    const pid = Number(text);
    if (pid > 0 && isAlive(pid)) out.push({ name, pid });
  }
  return out;
}
