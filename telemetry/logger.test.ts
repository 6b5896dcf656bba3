import { expect } from 'chai';
import { Writable } from 'node:stream';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger, toRuntimeLogger } from './logger.ts';
import { startTracing } from './tracing.ts';
import type { Tracing } from './tracing.ts';

/** A pino destination that keeps each JSON line, parsed. */
function capture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

describe('createLogger', () => {
  let tracing: Tracing;
  before(() => {
    tracing = startTracing({ serviceName: 'rtap-test', endpoint: 'http://127.0.0.1:1', sampleRatio: 1, enabled: true, exporter: new InMemorySpanExporter() });
  });
  after(() => tracing.shutdown());

  it('writes JSON lines with level name, ISO time, service, node_id and msg', () => {
    const { stream, lines } = capture();
    const log = createLogger({ service: 'rtap-node', nodeId: 'node-3', level: 'info' }, stream);
    log.info({ partition: 4 }, 'assigned');
    log.debug('hidden below the level');
    expect(lines).to.have.length(1);
    const line = lines[0]!;
    expect(line).to.include({ level: 'info', service: 'rtap-node', node_id: 'node-3', msg: 'assigned', partition: 4 });
    expect(new Date(line['time'] as string).toISOString()).to.equal(line['time']);
    expect(line).to.not.have.property('trace_id'); // no active span
  });

  it('adds trace_id and span_id of the active span', () => {
    const { stream, lines } = capture();
    const log = createLogger({ service: 'rtap-node', level: 'info' }, stream);
    const ids = tracing.tracer.startActiveSpan('window.update', (span) => {
      log.info('inside');
      span.end();
      return span.spanContext();
    });
    log.info('outside');
    expect(lines[0]).to.include({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(lines[0]).to.not.have.property('node_id');
    expect(lines[1]).to.not.have.property('trace_id');
  });

  it('adds the ids of an unsampled (propagated) span too, so logs still join on trace_id', () => {
    const { stream, lines } = capture();
    const log = createLogger({ service: 'rtap-gateway', level: 'info' }, stream);
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true,
    });
    tracing.tracer.startActiveSpan('gateway.fanout', {}, remote, (span) => {
      log.info('fanout');
      span.end();
    });
    expect(lines[0]).to.include({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('toRuntimeLogger maps info/warn/error(msg, fields)', () => {
    const { stream, lines } = capture();
    const log = toRuntimeLogger(createLogger({ service: 'rtap-node', level: 'info' }, stream));
    log.info('started', { actors: 12 });
    log.warn('slow mailbox');
    log.error('crashed', { err: new Error('boom') });
    log.warn('actor failed', { error: Object.assign(new Error('no dir'), { code: 'ENOENT' }) });
    expect(lines.map((l) => [l['level'], l['msg']])).to.deep.equal([['info', 'started'], ['warn', 'slow mailbox'], ['error', 'crashed'], ['warn', 'actor failed']]);
    expect(lines[0]).to.include({ actors: 12 });
    expect((lines[2]!['err'] as { message: string }).message).to.equal('boom');
    // Errors under any field name keep their message (JSON of an Error alone is {}).
    expect(lines[3]!['error']).to.deep.equal({ name: 'Error', message: 'no dir', code: 'ENOENT' });
  });
});
