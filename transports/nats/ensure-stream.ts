// Creates a JetStream stream if it is missing; an existing stream is left as configured
// (an operator may have tuned its limits), except that our subjects must be covered, its
// duplicate window must be at least ours — exactly-once results depend on it — and it must have a
// byte limit: one created unbounded (as rtap did before it set limits) gets ours.
import { DiscardPolicy, type NatsConnection, type StreamConfig } from 'nats';

export interface StreamSpec {
  name: string;
  subjects: string[];
  duplicateWindowMs: number;
  /** Raised to the duplicate window if shorter: NATS requires max age ≥ duplicate window. */
  maxAgeMs: number;
  /** The oldest messages are dropped beyond it. */
  maxBytes: number;
}

const nanos = (ms: number): number => ms * 1_000_000;

export async function ensureStream(nc: NatsConnection, spec: StreamSpec): Promise<void> {
  const jsm = await nc.jetstreamManager();
  try {
    const info = await jsm.streams.info(spec.name);
    const config = info.config;
    const patch: Partial<StreamConfig> = {};
    const missing = spec.subjects.filter((s) => !config.subjects.includes(s));
    if (missing.length > 0) patch.subjects = [...config.subjects, ...missing];
    const window = Math.max(config.duplicate_window ?? 0, nanos(spec.duplicateWindowMs));
    if (window !== config.duplicate_window) patch.duplicate_window = window;
    if (config.max_age > 0 && config.max_age < window) patch.max_age = window;
    if (!(config.max_bytes > 0)) {
      patch.max_bytes = spec.maxBytes;
      patch.discard = DiscardPolicy.Old;
    }
    if (Object.keys(patch).length > 0) await jsm.streams.update(spec.name, { ...config, ...patch });
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    try {
      await jsm.streams.add({
        name: spec.name,
        subjects: spec.subjects,
        duplicate_window: nanos(spec.duplicateWindowMs),
        max_age: nanos(Math.max(spec.maxAgeMs, spec.duplicateWindowMs)),
        max_bytes: spec.maxBytes,
        discard: DiscardPolicy.Old,
      });
    } catch (addErr) {
      // Another process (a node, the gateway) created it between our info and add: that is what we wanted.
      if (!/already in use|already exists/i.test((addErr as Error).message)) throw addErr;
    }
  }
}
