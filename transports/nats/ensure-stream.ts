// Creates a JetStream stream if it is missing; an existing stream is left as configured
// (an operator may have tuned its limits), except that our subjects must be covered and its
// duplicate window must be at least ours — exactly-once results depend on it.
import type { NatsConnection } from 'nats';

export interface StreamSpec {
  name: string;
  subjects: string[];
  duplicateWindowMs: number;
  maxAgeMs?: number;
}

export async function ensureStream(nc: NatsConnection, spec: StreamSpec): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const nanos = (ms: number): number => ms * 1_000_000;
  try {
    const info = await jsm.streams.info(spec.name);
    const missing = spec.subjects.filter((s) => !info.config.subjects.includes(s));
    const window = Math.max(info.config.duplicate_window ?? 0, nanos(spec.duplicateWindowMs));
    if (missing.length > 0 || window !== info.config.duplicate_window) {
      await jsm.streams.update(spec.name, { ...info.config, subjects: [...info.config.subjects, ...missing], duplicate_window: window });
    }
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    try {
      await jsm.streams.add({
        name: spec.name,
        subjects: spec.subjects,
        duplicate_window: nanos(spec.duplicateWindowMs),
        max_age: nanos(spec.maxAgeMs ?? 24 * 3_600_000),
      });
    } catch (addErr) {
      // Another process (a node, the gateway) created it between our info and add: that is what we wanted.
      if (!/already in use|already exists/i.test((addErr as Error).message)) throw addErr;
    }
  }
}
