// What the end-to-end tests observe: results at a WebSocket client, points in InfluxDB, and
// letters in the dead-letter topic — each compared with the scenario's oracle output.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfluxDB } from '@influxdata/influxdb-client';
import type { AnalyticsResult } from '../../actors/results.ts';
import { DLQ_REASON, DLQ_SOURCE_OFFSET, DLQ_SOURCE_PARTITION, extractTraceparent, headerString } from '../../transports/kafka/headers.ts';
import { endpoints, eventually } from '../support/endpoints.ts';
import type { TestCluster } from '../support/cluster.ts';
import { finalWindowValues, type ExpectedLetter, type Scenario } from '../support/scenario.ts';
import { TestWsClient } from '../support/ws-client.ts';

interface Frame {
  type: string;
  items?: AnalyticsResult[];
}

const nameOf = (r: AnalyticsResult): string => (r.kind === 'window' ? r.analytic : r.pattern);

/**
 * Subscribes to every result and collects those of the scenario's analytics and event-time range
 * (the shared results stream may also carry other pipelines' results while tests run in parallel
 * with other work), counting ids seen more than once.
 */
export class ResultCollector {
  readonly byId = new Map<string, AnalyticsResult>();
  duplicates = 0;
  /** The first ids delivered twice (for the failure message). */
  readonly duplicateIds: string[] = [];
  /** Speculative 'update' results: not part of the exactly-once stream, so only counted. */
  updates = 0;
  private seen = 0;
  private ignored = 0;

  private constructor(
    private readonly ws: TestWsClient,
    private readonly names: Set<string>,
    private readonly from: number,
    private readonly to: number,
  ) {}

  static async connect(url: string, scenario: Scenario): Promise<ResultCollector> {
    const ws = await TestWsClient.connect(url);
    const c = new ResultCollector(ws, new Set(scenario.results.map(nameOf)), scenario.from, scenario.to);
    ws.send({ type: 'subscribe', topics: ['results'] });
    return c;
  }

  private absorb(): void {
    const frames = this.ws.messages as Frame[];
    for (; this.seen < frames.length; this.seen++) {
      const f = frames[this.seen]!;
      if (f.type !== 'batch' && f.type !== 'replay') continue;
      for (const r of f.items ?? []) {
        const t = r.kind === 'window' ? r.windowStart : r.startTime;
        if (!this.names.has(nameOf(r)) || t < this.from || t > this.to) {
          this.ignored++;
          continue;
        }
        if (r.kind === 'window' && r.trigger === 'update') {
          this.updates++;
          continue;
        }
        if (this.byId.has(r.id) && ++this.duplicates <= 5) this.duplicateIds.push(r.id);
        this.byId.set(r.id, r);
      }
    }
  }

  /** Waits until `count` distinct results arrived, then a quiet second for stragglers. */
  async waitFor(count: number, timeoutMs: number): Promise<void> {
    await eventually(async () => {
      this.absorb();
      return this.byId.size >= count ? true : undefined;
    }, timeoutMs, `${count} results at the WebSocket client`).catch((err: Error) => {
      throw new Error(`${err.message} (${this.describe()})`);
    });
    await new Promise((r) => setTimeout(r, 1_000));
    this.absorb();
  }

  /** Waits until results have arrived and then none for `quietMs` (what the input so far yields). */
  async waitForQuiet(quietMs: number, timeoutMs: number): Promise<void> {
    let last = -1;
    let since = Date.now();
    await eventually(async () => {
      this.absorb();
      if (this.byId.size !== last) {
        last = this.byId.size;
        since = Date.now();
      }
      return last > 0 && Date.now() - since >= quietMs ? true : undefined;
    }, timeoutMs, 'results to settle').catch((err: Error) => {
      throw new Error(`${err.message} (${this.describe()})`);
    });
  }

  /** For failure messages: what the client saw. */
  describe(): string {
    const types: Record<string, number> = {};
    for (const f of this.ws.messages as Frame[]) types[f.type] = (types[f.type] ?? 0) + 1;
    return `${this.byId.size} results kept, ${this.ignored} of other pipelines ignored, frames ${JSON.stringify(types)}, socket ${this.ws.closed ? 'closed' : 'open'}`;
  }

  close(): void {
    this.ws.close();
  }
}

function stripTrace(r: AnalyticsResult): AnalyticsResult {
  const { traceId: _t, ...rest } = r as AnalyticsResult & { traceId?: string };
  return rest as AnalyticsResult;
}

/** On a mismatch, what an engineer needs to see: the differing ids with their neighbours on both sides. */
function writeDiff(dir: string, got: ResultCollector, want: Map<string, AnalyticsResult>, missing: string[], extra: string[]): void {
  const stem = (id: string): string => id.split('|').slice(0, 4).join('|');
  const near = (ids: Iterable<string>, s: string): string[] => [...ids].filter((i) => stem(i) === s);
  const sample = (ids: string[]): unknown[] =>
    ids.slice(0, 20).map((id) => ({ id, got: got.byId.get(id) ?? null, want: want.get(id) ?? null, gotNear: near(got.byId.keys(), stem(id)), wantNear: near(want.keys(), stem(id)) }));
  writeFileSync(join(dir, 'diff.json'), JSON.stringify({ missing: missing.length, extra: extra.length, missingSample: sample(missing), extraSample: sample(extra) }, null, 1));
}

export function expectExactlyTheOracle(got: ResultCollector, expected: AnalyticsResult[], diffDir?: string): void {
  const want = new Map(expected.map((r) => [r.id, r]));
  expect(want.size, 'the oracle has no duplicate ids').to.equal(expected.length);
  const missing = [...want.keys()].filter((id) => !got.byId.has(id));
  const extra = [...got.byId.keys()].filter((id) => !want.has(id));
  if (diffDir && (missing.length > 0 || extra.length > 0)) writeDiff(diffDir, got, want, missing, extra);
  expect(missing.slice(0, 5), `missing ${missing.length} of ${want.size}`).to.deep.equal([]);
  expect(extra.slice(0, 5), `${extra.length} unexpected`).to.deep.equal([]);
  expect(got.duplicates, `results delivered twice, e.g. ${got.duplicateIds.join(', ')}`).to.equal(0);
  const wrong: string[] = [];
  for (const [id, r] of want) if (JSON.stringify(stripTrace(got.byId.get(id)!)) !== JSON.stringify(r)) wrong.push(id);
  expect(wrong.slice(0, 3).map((id) => ({ got: got.byId.get(id), want: want.get(id) })), `${wrong.length} results differ`).to.deep.equal([]);
}

export async function expectInfluxHoldsTheOracle(cluster: TestCluster, scenario: Scenario): Promise<void> {
  const want = finalWindowValues(scenario.results);
  const query = new InfluxDB({ url: endpoints.influxUrl, token: '' }).getQueryApi('');
  const flux = `from(bucket: "${endpoints.influxBucket}")
    |> range(start: ${new Date(scenario.from).toISOString()}, stop: ${new Date(scenario.to).toISOString()})
    |> filter(fn: (r) => r._measurement == "rtap_window" and r.source == "${cluster.topic}")
    |> filter(fn: (r) => r._field != "firing" and r._field != "trigger" and r._field != "window_end")`;
  const stored = await eventually(async () => {
    const rows = await query.collectRows<{ analytic: string; partition: string; key: string; _time: string; _field: string; _value: number }>(flux);
    const got = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const k = `${row.analytic}|${row.partition}|${row.key}|${Date.parse(row._time)}`;
      got.set(k, { ...got.get(k), [row._field]: row._value });
    }
    return got.size >= want.size ? got : undefined;
  }, 30_000, `${want.size} window points in InfluxDB`);
  const missing = [...want.keys()].filter((k) => !stored.has(k));
  const extra = [...stored.keys()].filter((k) => !want.has(k));
  expect(missing.slice(0, 5), `${missing.length} points missing`).to.deep.equal([]);
  expect(extra.slice(0, 5), `${extra.length} unexpected points`).to.deep.equal([]);
  const wrong = [...want].filter(([k, v]) => Object.entries(v).some(([f, x]) => Math.abs((stored.get(k)![f] ?? NaN) - x) > 1e-9));
  expect(wrong.slice(0, 3).map(([k, v]) => ({ point: k, want: v, got: stored.get(k) })), `${wrong.length} points differ`).to.deep.equal([]);
}

/** A record of the dead-letter topic: where it came from, why, and its trace context if traced. */
export type DeadLetterRecord = ExpectedLetter & { traceparent?: string };

/** Reads the whole dead-letter topic: the copies of each (partition, offset). */
export async function readDeadLetters(cluster: TestCluster, atLeast: number): Promise<Map<string, DeadLetterRecord[]>> {
  const consumer = cluster.kafka.consumer({ groupId: `${cluster.run}.dlq-reader`, maxWaitTimeInMs: 100 });
  const got = new Map<string, DeadLetterRecord[]>();
  let total = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [cluster.dlqTopic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const traceparent = extractTraceparent(message.headers);
      const letter: DeadLetterRecord = {
        partition: Number(headerString(message.headers, DLQ_SOURCE_PARTITION)),
        offset: Number(headerString(message.headers, DLQ_SOURCE_OFFSET)),
        reason: headerString(message.headers, DLQ_REASON) ?? '',
        ...(traceparent !== undefined ? { traceparent } : {}),
      };
      const k = `${letter.partition}/${letter.offset}`;
      got.set(k, [...(got.get(k) ?? []), letter]);
      total++;
    },
  });
  try {
    await eventually(async () => (total >= atLeast ? true : undefined), 30_000, `${atLeast} dead letters`);
    await new Promise((r) => setTimeout(r, 1_000));
  } finally {
    await consumer.disconnect();
  }
  return got;
}
