// Where the test suites find the local servers started by infra/infra.sh.
export const endpoints = {
  kafkaBrokers: ['127.0.0.1:9092'],
  natsServers: 'nats://127.0.0.1:4222',
  influxUrl: 'http://127.0.0.1:8086',
  influxBucket: 'rtap/autogen',
  otlpHttpTraces: 'http://127.0.0.1:4318/v1/traces',
  jaegerQuery: 'http://127.0.0.1:16686',
} as const;

/** A name no earlier run used, so tests never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Thrown by a probe of `eventually` to stop at once: what it waits for can no longer happen. */
export class GiveUp extends Error {}

/** Polls `probe` until it returns a value or the deadline passes (or it throws GiveUp). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
