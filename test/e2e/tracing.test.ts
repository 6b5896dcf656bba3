// One trace across the whole cluster: a sampled event's `produce` span (producer), the
// `partition.process` span of the node that handled it, and the gateway's `gateway.fanout` span —
// read back from Jaeger's query API, with the trace id the WebSocket client received.
import { expect } from 'chai';
import type { AnalyticsResult } from '../../actors/results.ts';
import { EventProducer } from '../../loadtest/event-producer.ts';
import { traceHeaders } from '../../loadtest/trace-headers.ts';
import { createTracerProvider } from '../../telemetry/index.ts';
import { TestCluster } from '../support/cluster.ts';
import { endpoints, eventually } from '../support/endpoints.ts';
import { buildScenario } from '../support/scenario.ts';
import { ResultCollector } from './pipeline-support.ts';

interface JaegerTrace {
  spans: { operationName: string; processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

describe('tracing end to end (real Kafka, NATS, Jaeger; rtap nodes and gateway as processes)', function () {
  this.timeout(180_000);
  const traced = { RTAP_TRACING_ENABLED: 'true', RTAP_TRACING_SAMPLE_RATIO: '0' }; // only what the producer samples
  const cluster = new TestCluster(traced);
  let results: ResultCollector | undefined;
  after(async () => {
    results?.close();
    await cluster.stopAll();
  });

  it('follows a sampled event from the producer through a node and the gateway to the WebSocket client', async () => {
    const scenario = buildScenario({ seed: 404, count: 3_000, users: 300, badRatio: 0 });
    await cluster.createTopics();
    const url = await cluster.startGateway(traced);
    await cluster.startNode('node-1');
    results = await ResultCollector.connect(url, scenario);

    const provider = createTracerProvider({ serviceName: 'rtap-producer', endpoint: endpoints.otlpHttpTraces, sampleRatio: 0 });
    const producer = new EventProducer(cluster.kafka, cluster.topic);
    await producer.connect();
    // Every 50th event is traced (forced past the 0 ratio, like an operator asking for a trace).
    let n = 0;
    await producer.send(scenario.items, 2_000, traceHeaders(provider.getTracer('rtap'), () => n++ % 50 === 0));
    await producer.close();
    await provider.shutdown();

    await results.waitFor(scenario.results.length, 90_000);
    const tracedResults = [...results.byId.values()].filter((r): r is AnalyticsResult & { traceId: string } => 'traceId' in r && typeof r.traceId === 'string');
    expect(tracedResults.length, 'results that carry a trace id').to.be.greaterThan(0);

    const traceId = tracedResults[0]!.traceId;
    const trace = await eventually(async () => {
      const res = await fetch(`${endpoints.jaegerQuery}/api/traces/${traceId}`);
      if (!res.ok) return undefined;
      const t = ((await res.json()) as { data: JaegerTrace[] }).data[0];
      const services = new Set(t?.spans.map((s) => t.processes[s.processID]?.serviceName));
      return services.has('rtap-producer') && services.has('rtap-node') && services.has('rtap-gateway') ? t : undefined;
    }, 30_000, `trace ${traceId} with spans of the producer, a node and the gateway`);
    const operations = trace.spans.map((s) => `${trace.processes[s.processID]!.serviceName}:${s.operationName}`);
    expect(operations).to.include.members(['rtap-producer:produce', 'rtap-node:partition.process', 'rtap-gateway:gateway.fanout']);
  });
});
