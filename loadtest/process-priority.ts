// The load-test process's CPU priority, for every one of its threads: on Linux a nice value
// belongs to a thread, and the threads that collect this process's garbage or run its I/O compete
// for the cores as much as its main thread does.
import { existsSync, readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

const TASKS = '/proc/self/task';

/**
 * Sets every thread of this process but `except` (kernel thread ids) to `nice`; threads started
 * later inherit it from their creator.
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
}
