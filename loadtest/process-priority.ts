// The load-test process's CPU priority, for every one of its threads and for its session: on Linux
// a nice value belongs to a thread, and the threads that collect this process's garbage or run its
// I/O compete for the cores as much as its main thread does. With autogroup scheduling (the
// kernel's default, /proc/sys/kernel/sched_autogroup_enabled) the cores are shared between
// sessions first and a thread's nice weighs only against its own session's threads; the servers and
// the cluster's processes run in sessions of their own (infra/lib.sh, test/support/cluster.ts), so
// the session — this process and whatever else runs in it, the shell that started it included —
// takes the nice too.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

const TASKS = '/proc/self/task';
const AUTOGROUP = '/proc/self/autogroup';

/**
 * Sets every thread of this process but `except` (kernel thread ids), and this process's session,
 * to `nice`; threads started later inherit it from their creator. The excepted threads keep their
 * nice within the session.
 */
export function setProcessPriority(nice: number, except: readonly number[] = []): void {
  if (!existsSync(TASKS)) return setPriority(nice);
  for (const tid of readdirSync(TASKS)) {
    if (except.includes(Number(tid))) continue;
    try {
      setPriority(Number(tid), nice);
    } catch (err) {
      // A thread that ended since the listing; anything else (EACCES) is the caller's to report.
      if ((err as { info?: { code?: string } }).info?.code !== 'ESRCH') throw err;
    }
  }
  if (existsSync(AUTOGROUP) && takesNice(readFileSync(AUTOGROUP, 'utf8'))) writeFileSync(AUTOGROUP, String(nice));
}

/**
 * Whether a session's scheduling group, as `/proc/<pid>/autogroup` shows it, takes a nice. A session
 * of the kernel's first process (as a CI runner's may be) sits in the root group, which shows as
 * an empty file and refuses one (EINVAL): its threads weigh against the root group's alone, and
 * their own nice is all there is to set.
 */
export const takesNice = (autogroup: string): boolean => autogroup.trim() !== '';
