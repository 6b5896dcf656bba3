import { expect } from 'chai';
import { context, diag, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from '../runtime/logger.ts';
import { startTracing } from './tracing.ts';

const base = { serviceName: 'rtap-test', endpoint: 'http://127.0.0.1:1', sampleRatio: 1, enabled: true };

describe('startTracing', () => {
  it('when disabled starts nothing and returns the no-op tracer', async () => {
    const t = startTracing({ ...base, enabled: false });
    expect(t.tracer.startSpan('x').isRecording()).to.equal(false);
    await t.flush();
    await t.shutdown();
  });

  it('can be started again after shutdown (the new SDK takes over the globals)', async () => {
    for (const name of ['first', 'second']) {
      const exporter = new InMemorySpanExporter();
      const t = startTracing({ ...base, exporter });
      t.tracer.startSpan(name).end();
      expect(trace.getTracer('other').startSpan('global').isRecording()).to.equal(true); // registered globally
      await t.flush();
      expect(exporter.getFinishedSpans().map((s) => s.name)).to.deep.equal([name]);
      await t.shutdown();
      await t.shutdown(); // idempotent
    }
    expect(trace.getTracer('other').startSpan('after').isRecording()).to.equal(false);
  });

  it('follows the active span across awaits by default, and with asyncContext: false has none (every span takes its parent explicitly)', async () => {
    for (const asyncContext of [undefined, false]) {
      const exporter = new InMemorySpanExporter();
      const t = startTracing({ ...base, exporter, asyncContext });
      const parent = t.tracer.startSpan('parent');
      const seen = await context.with(trace.setSpan(ROOT_CONTEXT, parent), async () => {
        await new Promise((r) => setImmediate(r));
        return trace.getActiveSpan();
      });
      expect(seen === parent, `asyncContext ${asyncContext}`).to.equal(asyncContext === undefined);
      // An explicit parent works either way, and the spans are exported.
      t.tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
      parent.end();
      await t.flush();
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).to.deep.equal(['child', 'parent']);
      expect(spans[0]!.parentSpanContext?.spanId).to.equal(parent.spanContext().spanId);
      await t.shutdown();
    }
  });

  it('shutdown resolves even when the final export fails, and routes the SDK diagnostics to the logger', async () => {
    const seen: string[] = [];
    const logger: Logger = { info: () => undefined, warn: (m) => seen.push(`warn ${m}`), error: (m) => seen.push(`error ${m}`) };
    const failing: SpanExporter = { export: (_s, done) => done({ code: 1, error: new Error('collector down') }), shutdown: () => Promise.resolve() };
    const t = startTracing({ ...base, exporter: failing, logger });
    diag.warn('hello from the SDK');
    diag.info('not routed');
    t.tracer.startSpan('lost').end();
    await t.shutdown();
    expect(seen).to.include('warn otel: hello from the SDK');
    expect(seen.some((l) => l.startsWith('error otel: rtap tracing: final span export failed'))).to.equal(true);
    diag.disable();
  });
});
