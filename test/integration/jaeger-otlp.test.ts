import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { discoverServers } from '../../loadtest/report/process-sampler.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';

interface JaegerTraces {
  data: { traceID: string; spans: { spanID: string; operationName: string; references: unknown[] }[] }[];
}

describe('OpenTelemetry → Jaeger (real server)', () => {
  it('exports a span over OTLP and reads it back from the query API', async () => {
    const service = uniqueName('rtap-itest');
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({ 'service.name': service }),
      traceExporter: new OTLPTraceExporter({ url: endpoints.otlpHttpTraces }),
    });
    sdk.start();
    const tracer = trace.getTracer('itest');
    let traceId = '';
    tracer.startActiveSpan('parent', (parent) => {
      traceId = parent.spanContext().traceId;
      tracer.startSpan('child').end();
      parent.end();
    });
    await sdk.shutdown(); // flushes the batch processor

    const found = await eventually(async () => {
      const res = await fetch(`${endpoints.jaegerQuery}/api/traces/${traceId}`);
      if (!res.ok) return undefined;
      const body = (await res.json()) as JaegerTraces;
      return body.data[0]?.spans.length === 2 ? body.data[0] : undefined;
    }, 15_000, `trace ${traceId} in Jaeger`);

    expect(found.traceID).to.equal(traceId);
    expect(found.spans.map((s) => s.operationName).sort()).to.deep.equal(['child', 'parent']);
    const services = (await (await fetch(`${endpoints.jaegerQuery}/api/services`)).json()) as { data: string[] };
    expect(services.data).to.include(service);
  });

  it('runs the collector under SCHED_IDLE in a session at nice 19 (infra/servers/jaeger.sh), so that it yields the cores to the pipeline', () => {
    const [jaeger] = discoverServers(process.env.RTAP_RUN ?? fileURLToPath(new URL('../../.run', import.meta.url)), ['jaeger']);
    expect(jaeger, 'a running Jaeger started by infra/infra.sh').to.not.equal(undefined);
    const pid = jaeger!.pid;
    const SCHED_IDLE = 5;
    // /proc/<pid>/task/<tid>/stat, field 41 (policy), counted after the command name's closing parenthesis.
    const policies = new Set(
      readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[38])),
    );
    expect([...policies]).to.deep.equal([SCHED_IDLE]);
    // The cores are shared between sessions first (this kernel has autogroup scheduling): "/autogroup-718 nice 19".
    expect(readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim()).to.match(/ nice 19$/);
  });
});
