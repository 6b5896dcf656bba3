import { expect } from 'chai';
import { createTraceState, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import { headers as natsHeaders } from 'nats';
import {
  currentTraceId, currentTraceparent, extractJson, extractKafka, extractNats, injectJson, injectKafka, injectNats, sampledFlag, traceIdOf,
} from './propagation.ts';
import type { KafkaHeaders, TraceFields } from './propagation.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

function ctxWith(sampled = true, traceState = 'rtap=node-1,vendor=x'): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, traceState: createTraceState(traceState),
  });
}

function expectRemote(ctx: Context, sampled = true): SpanContext {
  const sc = trace.getSpanContext(ctx);
  expect(sc, 'an extracted span context').to.not.equal(undefined);
  expect(sc!.traceId).to.equal(TRACE_ID);
  expect(sc!.spanId).to.equal(SPAN_ID);
  expect(sc!.isRemote).to.equal(true);
  expect(sc!.traceFlags).to.equal(sampled ? TraceFlags.SAMPLED : TraceFlags.NONE);
  return sc!;
}

describe('trace context propagation', () => {
  describe('Kafka headers', () => {
    it('round-trips through a plain object (string values)', () => {
      const h: Record<string, string> = { 'rtap-schema': '7' };
      injectKafka(h, ctxWith());
      expect(h['traceparent']).to.equal(TRACEPARENT);
      expect(h['tracestate']).to.equal('rtap=node-1,vendor=x');
      expect(h['rtap-schema']).to.equal('7'); // other headers untouched
      expect(expectRemote(extractKafka(h, ROOT_CONTEXT)).traceState?.get('rtap')).to.equal('node-1');
    });

    it('round-trips through a plain object with Buffer values (kafkajs consumer shape)', () => {
      const h: Record<string, Buffer> = {};
      injectKafka(h, ctxWith(false), true);
      expect(Buffer.isBuffer(h['traceparent'])).to.equal(true);
      expectRemote(extractKafka(h, ROOT_CONTEXT), false);
    });

    it('reads the first value of an array header', () => {
      expectRemote(extractKafka({ traceparent: [Buffer.from(TRACEPARENT), 'junk'] }, ROOT_CONTEXT));
    });

    it('round-trips through a Map with string keys', () => {
      const h = new Map<string, string | Buffer>();
      injectKafka(h, ctxWith());
      expect(h.get('traceparent')).to.equal(TRACEPARENT);
      expectRemote(extractKafka(h, ROOT_CONTEXT));
    });

    it('round-trips through a Map<Buffer, Buffer> (@platformatic/kafka shape)', () => {
      const h = new Map<Buffer, Buffer>();
      injectKafka(h as KafkaHeaders, ctxWith(), true);
      expect([...h.keys()].map(String).sort()).to.deep.equal(['traceparent', 'tracestate']);
      // A consumer gets fresh Buffer instances for the keys.
      const received = new Map([...h].map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
      expectRemote(extractKafka(received as KafkaHeaders, ROOT_CONTEXT));
    });

    it('leaves the base context when there is no or a malformed traceparent', () => {
      const base = ROOT_CONTEXT;
      expect(extractKafka(undefined, base)).to.equal(base);
      expect(extractKafka({}, base)).to.equal(base);
      expect(extractKafka({ traceparent: 'garbage' }, base)).to.equal(base);
      expect(extractKafka({ traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` }, base)).to.equal(base);
    });

    it('injects nothing without a valid span', () => {
      const h: Record<string, string> = {};
      injectKafka(h, ROOT_CONTEXT);
      expect(h).to.deep.equal({});
    });
  });

  describe('NATS headers', () => {
    it('round-trips through MsgHdrs', () => {
      const h = natsHeaders();
      injectNats(h, ctxWith());
      expect(h.get('traceparent')).to.equal(TRACEPARENT);
      expect(expectRemote(extractNats(h, ROOT_CONTEXT)).traceState?.serialize()).to.equal('rtap=node-1,vendor=x');
    });

    it('treats missing headers as no context', () => {
      expect(extractNats(natsHeaders(), ROOT_CONTEXT)).to.equal(ROOT_CONTEXT);
      expect(extractNats(undefined, ROOT_CONTEXT)).to.equal(ROOT_CONTEXT);
    });
  });

  describe('WebSocket JSON field', () => {
    it('round-trips through JSON serialization', () => {
      const msg = injectJson<{ type: string } & TraceFields>({ type: 'result' }, ctxWith());
      const parsed = JSON.parse(JSON.stringify(msg)) as TraceFields;
      expect(parsed.traceparent).to.equal(TRACEPARENT);
      expectRemote(extractJson(parsed, ROOT_CONTEXT));
    });

    it('ignores a message without trace fields', () => {
      expect(extractJson({}, ROOT_CONTEXT)).to.equal(ROOT_CONTEXT);
      expect(extractJson(undefined, ROOT_CONTEXT)).to.equal(ROOT_CONTEXT);
    });
  });

  it('chains: Kafka → NATS → JSON keeps the trace id', () => {
    const k: Record<string, string> = {};
    injectKafka(k, ctxWith());
    const n = natsHeaders();
    injectNats(n, extractKafka(k, ROOT_CONTEXT));
    const j = injectJson<TraceFields>({}, extractNats(n, ROOT_CONTEXT));
    expect(traceIdOf(j.traceparent)).to.equal(TRACE_ID);
  });

  it('traceIdOf parses valid traceparents and rejects the rest', () => {
    expect(traceIdOf(TRACEPARENT)).to.equal(TRACE_ID);
    expect(traceIdOf(Buffer.from(TRACEPARENT))).to.equal(TRACE_ID);
    expect(traceIdOf(`${TRACEPARENT}-future`)).to.equal(TRACE_ID);
    expect(traceIdOf(undefined)).to.equal(undefined);
    expect(traceIdOf('')).to.equal(undefined);
    expect(traceIdOf('00-xyz-00f067aa0ba902b7-01')).to.equal(undefined);
    expect(traceIdOf(`00-${'0'.repeat(32)}-${SPAN_ID}-01`)).to.equal(undefined);
    expect(traceIdOf(TRACEPARENT.toUpperCase())).to.equal(undefined); // the spec requires lowercase hex
  });

  it('currentTraceparent / currentTraceId read the span of a context', () => {
    expect(currentTraceparent(ctxWith())).to.equal(TRACEPARENT);
    expect(currentTraceparent(ROOT_CONTEXT)).to.equal(undefined);
    expect(currentTraceId(ctxWith())).to.equal(TRACE_ID);
    expect(currentTraceId(ROOT_CONTEXT)).to.equal(undefined);
  });
});

describe('sampledFlag', () => {
  it('reads the sampled bit of a version-00 traceparent, and gives up on anything else', () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7';
    expect(sampledFlag(`00-${id}-01`)).to.equal(true);
    expect(sampledFlag(`00-${id}-00`)).to.equal(false);
    expect(sampledFlag(`00-${id}-03`)).to.equal(true);
    expect(sampledFlag(`00-${id}-02`)).to.equal(false);
    expect(sampledFlag(`00-${id}-0f`)).to.equal(true);
    expect(sampledFlag(`01-${id}-01-extra`)).to.equal(undefined); // a later version: extract instead
    expect(sampledFlag(`00-${id}-0g`)).to.equal(undefined);
    expect(sampledFlag('garbage')).to.equal(undefined);
  });
});
