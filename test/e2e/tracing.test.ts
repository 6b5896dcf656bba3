// Traces and metrics across the whole cluster (real Kafka, NATS, InfluxDB, Jaeger; rtap nodes and
// gateway as processes):
//  - a sampled event's trace, read back from Jaeger's query API with the trace id the WebSocket client
//    received: the producer's `produce`, the node's `partition.process` with `decode`,
//    `window.update`, `pattern.match`, its `nats.publish`, and the gateway's `gateway.fanout`;
//  - an alert produced from unsampled events still has a trace (`pattern.alert` → `nats.publish` →
//    `gateway.fanout`), and dead letters are traced too (the DLQ record's header names the span);
//  - the node's and the gateway's Prometheus endpoints count what the flow did.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { AnalyticsResult } from '../../actors/results.ts';
import { EventProducer } from '../../loadtest/event-producer.ts';
import { traceHeaders } from '../../loadtest/trace-headers.ts';
import { createTracerProvider } from '../../telemetry/index.ts';
import { TestCluster, freePort } from '../support/cluster.ts';
import { endpoints, eventually } from '../support/endpoints.ts';
import { buildScenario } from '../support/scenario.ts';
import { ResultCollector, readDeadLetters } from './pipeline-support.ts';

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  references?: { refType: string; spanID: string }[];
  tags?: { key: string; value: unknown }[];
}

interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

type Traced = AnalyticsResult & { traceId: string };

const serviceOf = (t: JaegerTrace, s: JaegerSpan): string => t.processes[s.processID]?.serviceName ?? '?';
const operations = (t: JaegerTrace): string[] => t.spans.map((s) => `${serviceOf(t, s)}:${s.operationName}`);
const parentOf = (t: JaegerTrace, s: JaegerSpan): JaegerSpan | undefined => {
  const ref = s.references?.find((r) => r.refType === 'CHILD_OF');
  return ref === undefined ? undefined : t.spans.find((p) => p.spanID === ref.spanID);
};
const tag = (s: JaegerSpan, key: string): unknown => s.tags?.find((t) => t.key === key)?.value;

async function fetchTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const res = await fetch(`${endpoints.jaegerQuery}/api/traces/${traceId}`);
  if (!res.ok) return undefined;
  return ((await res.json()) as { data: JaegerTrace[] }).data[0];
}

/** The value of one series in a Prometheus text scrape (NaN when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

/** Sum of every series of a metric (all label sets). */
function total(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

describe('tracing and metrics end to end (real Kafka, NATS, Jaeger; rtap nodes and gateway as processes)', function () {
  this.timeout(180_000);
  const traced = { RTAP_TRACING_ENABLED: 'true', RTAP_TRACING_SAMPLE_RATIO: '0' }; // only what the producer samples (and alerts, errors)
  const cluster = new TestCluster(traced);
  const startedAt = Date.now();
  let results: ResultCollector | undefined;
  let tracedResults: Traced[] = [];
  let gatewayUrl = '';
  let nodeMetricsPort = 0;
  const producerTraceIds = new Set<string>();

  before(async () => {
    const scenario = buildScenario({ seed: 404, count: 3_000, users: 300, badRatio: 0.01 });
    await cluster.createTopics();
    const url = await cluster.startGateway(traced);
    gatewayUrl = url.replace(/^ws/, 'http').replace(/\/ws$/, '');
    nodeMetricsPort = await freePort();
    await cluster.startNode('node-1', { RTAP_METRICS_PORT: String(nodeMetricsPort) });
    results = await ResultCollector.connect(url, scenario);

    const provider = createTracerProvider({ serviceName: 'rtap-producer', endpoint: endpoints.otlpHttpTraces, sampleRatio: 0 });
    const producer = new EventProducer(cluster.brokers, cluster.topic);
    await producer.connect();
    // Every 50th event is traced (forced past the 0 ratio, like an operator asking for a trace).
    let n = 0;
    const headers = traceHeaders(provider.getTracer('rtap'), () => n++ % 50 === 0);
    await producer.send(scenario.items, 2_000, (item) => {
      const h = headers(item);
      if (h?.traceparent !== undefined) producerTraceIds.add(h.traceparent.split('-')[1]!);
      return h;
    });
    await producer.close();
    await provider.shutdown();

    await results.waitFor(scenario.results.length, 90_000);
    tracedResults = [...results.byId.values()].filter((r): r is Traced => 'traceId' in r && typeof r.traceId === 'string');
  });

  after(async () => {
    results?.close();
    await cluster.dispose();
  });

  it('follows a sampled event from the producer through a node (decode, window update, pattern match, publish) and the gateway to the WebSocket client', async () => {
    // Window results carry a trace only when a sampled record produced them.
    const candidates = tracedResults.filter((r) => r.kind === 'window' && producerTraceIds.has(r.traceId));
    expect(candidates.length, 'window results that carry a producer\'s trace id').to.be.greaterThan(0);
    const want = ['rtap-producer:produce', 'rtap-node:partition.process', 'rtap-node:decode', 'rtap-node:window.update', 'rtap-node:pattern.match', 'rtap-node:nats.publish', 'rtap-gateway:gateway.fanout'];
    const traceId = candidates[0]!.traceId;
    const trace = await eventually(async () => {
      const t = await fetchTrace(traceId);
      return t !== undefined && want.every((op) => operations(t).includes(op)) ? t : undefined;
    }, 30_000, `trace ${traceId} with ${want.join(', ')}`);
    expect(operations(trace)).to.include.members(want);
    // The chain: produce → partition.process → {decode, window.update, pattern.match, nats.publish}; nats.publish → gateway.fanout.
    const spans = (op: string): JaegerSpan[] => trace.spans.filter((s) => s.operationName === op);
    for (const phase of ['decode', 'window.update', 'pattern.match', 'nats.publish']) {
      expect(spans(phase).map((s) => parentOf(trace, s)?.operationName), phase).to.include('partition.process');
    }
    expect(spans('partition.process').map((s) => parentOf(trace, s)?.operationName)).to.include('produce');
    expect(spans('gateway.fanout').map((s) => parentOf(trace, s)?.operationName)).to.include('nats.publish');
  });

  it('traces every alert, also one produced from unsampled events: pattern.alert → nats.publish → gateway.fanout', async () => {
    const alerts = tracedResults.filter((r) => r.kind === 'pattern' && !producerTraceIds.has(r.traceId));
    expect(alerts.length, 'alerts (with a trace id) from unsampled events').to.be.greaterThan(0);
    const alertsSeen = [...results!.byId.values()].filter((r) => r.kind === 'pattern');
    expect(alertsSeen.every((r) => 'traceId' in r), 'every alert at the client has a trace id').to.equal(true);
    const traceId = alerts[0]!.traceId;
    const trace = await eventually(async () => {
      const t = await fetchTrace(traceId);
      const ops = t === undefined ? [] : operations(t);
      return ops.includes('rtap-node:pattern.alert') && ops.includes('rtap-gateway:gateway.fanout') ? t : undefined;
    }, 30_000, `trace ${traceId} of an alert`);
    const alert = trace.spans.find((s) => s.operationName === 'pattern.alert')!;
    expect(parentOf(trace, alert), 'pattern.alert is the root').to.equal(undefined);
    expect(tag(alert, 'rtap.sample')).to.equal(true);
    expect(tag(alert, 'rtap.result.id')).to.equal(alerts[0]!.id);
    expect(operations(trace)).to.not.include('rtap-producer:produce');
    const publish = trace.spans.find((s) => s.operationName === 'nats.publish')!;
    expect(parentOf(trace, publish)?.operationName).to.equal('pattern.alert');
    const fanout = trace.spans.find((s) => s.operationName === 'gateway.fanout')!;
    expect(parentOf(trace, fanout)?.operationName).to.equal('nats.publish');
    // Open until the alert's frames left, so it counts the frames that carried it (to this test's client).
    expect(tag(fanout, 'rtap.frames')).to.be.a('number').and.to.be.greaterThan(0);
  });

  it('traces dead letters with error status and the reason', async () => {
    const query = `service=rtap-node&operation=dead-letter&start=${startedAt * 1000}&limit=20`;
    const found = await eventually(async () => {
      const res = await fetch(`${endpoints.jaegerQuery}/api/traces?${query}`);
      const data = res.ok ? ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [] : [];
      const letters = data.flatMap((t) => t.spans.filter((s) => s.operationName === 'dead-letter'));
      return letters.length > 0 ? letters : undefined;
    }, 30_000, 'dead-letter spans in Jaeger');
    expect(tag(found[0]!, 'error')).to.equal(true);
    expect(tag(found[0]!, 'rtap.dlq.reason')).to.be.a('string').and.not.equal('');
  });

  it('a dead-letter record\'s traceparent header leads to its dead-letter span in Jaeger', async () => {
    const letters = [...(await readDeadLetters(cluster, 1)).values()].flat();
    const traced = letters.find((l) => l.traceparent !== undefined);
    expect(traced, 'a dead letter with a traceparent header').to.not.equal(undefined);
    const [, traceId, spanId] = traced!.traceparent!.split('-');
    const trace = await eventually(async () => fetchTrace(traceId!), 30_000, `trace ${traceId} in Jaeger`);
    const span = trace.spans.find((s) => s.spanID === spanId);
    expect(span?.operationName).to.equal('dead-letter');
    expect(tag(span!, 'messaging.kafka.offset')).to.equal(traced!.offset);
  });

  it('counts the flow in the node\'s and the gateway\'s Prometheus metrics', async () => {
    const node = await (await fetch(`http://127.0.0.1:${nodeMetricsPort}/metrics`)).text();
    for (const series of ['rtap_node_events_processed_total', 'rtap_node_batch_duration_seconds_count']) expect(sample(node, series), series).to.be.greaterThan(0);
    for (const metric of ['rtap_node_results_published_total', 'rtap_node_dead_letters_total', 'rtap_node_sink_delivered_total']) expect(total(node, metric), metric).to.be.greaterThan(0);
    expect(sample(node, 'rtap_node_results_published_total{kind="pattern"}')).to.be.greaterThan(0);
    expect(sample(node, 'rtap_node_updates_total{outcome="published"}')).to.be.greaterThan(0);
    expect(sample(node, 'rtap_node_partitions')).to.equal(12);
    expect(node).to.match(/^rtap_node_consumer_lag\{partition="\d+"\} \d+$/m);
    expect(node).to.match(/^rtap_node_mailbox_depth\{partition="\d+"\} \d+$/m);
    expect(node).to.match(/^rtap_node_sink_buffered\{sink="influxdb"\} \d+$/m);
    expect(node).to.match(/^target_info\{.*rtap_node_id="node-1"/m);
    const gateway = await (await fetch(`${gatewayUrl}/metrics`)).text();
    for (const series of ['rtap_gateway_nats_results_in_total', 'rtap_gateway_frames_sent_total', 'rtap_gateway_results_sent_total', 'rtap_gateway_clients']) {
      expect(sample(gateway, series), series).to.be.greaterThan(0);
    }
    // The nodes of this pipeline (heartbeats naming its topic): at least ours.
    expect(sample(gateway, 'rtap_gateway_cluster_nodes{state="up"}')).to.be.at.least(1);
  });

  it('serves every metric the Prometheus alert rules read (infra/prometheus/alerts.yml)', async () => {
    const served = (await (await fetch(`http://127.0.0.1:${nodeMetricsPort}/metrics`)).text()) + (await (await fetch(`${gatewayUrl}/metrics`)).text());
    const rules = readFileSync(fileURLToPath(new URL('../../infra/prometheus/alerts.yml', import.meta.url)), 'utf8');
    const names = [...new Set(rules.match(/\brtap_\w+/g))];
    expect(names.length, 'metric names in the rules').to.be.greaterThan(10);
    const missing = names.filter((n) => !new RegExp(`^${n}[ {]`, 'm').test(served));
    expect(missing, 'metrics the rules read that no process serves').to.deep.equal([]);
  });
});
