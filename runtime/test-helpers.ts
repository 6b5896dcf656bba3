// Shared helpers for the runtime's unit tests (not part of the public API).
import { ActorSystem } from './actor-system.ts';
import type { ActorSystemOptions } from './actor-system.ts';
import { ManualClock } from './clock.ts';
import type { Logger } from './logger.ts';

/** Lets queued microtasks and a few macrotask turns run. */
export async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Polls (each macrotask turn) until `predicate` holds; fails after `limitMs` of real time. */
export async function until(predicate: () => boolean, limitMs = 3000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!predicate()) throw new Error('condition not reached');
}

export interface RecordingLogger extends Logger {
  readonly lines: { level: string; msg: string; fields: Record<string, unknown> | undefined }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
}

export function testSystem(options: ActorSystemOptions = {}): { system: ActorSystem; clock: ManualClock; log: RecordingLogger } {
  const clock = new ManualClock(1_000_000);
  const log = recordingLogger();
  const system = new ActorSystem({ clock, logger: log, random: () => 0, ...options });
  return { system, clock, log };
}
