// W3C trace context (`traceparent`, `tracestate`) across rtap's hops: Kafka record headers, NATS
// message headers and a field of WebSocket JSON messages. The W3C propagator is used directly (not the
// global `propagation` API) so this works whether or not a global propagator is registered — e.g. in a
// process with tracing disabled that still forwards the producer's traceparent.
import { context, trace } from '@opentelemetry/api';
import type { Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { TRACE_PARENT_HEADER, TRACE_STATE_HEADER, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { MsgHdrs } from 'nats';

export { TRACE_PARENT_HEADER, TRACE_STATE_HEADER };

const w3c = new W3CTraceContextPropagator();

type HeaderValue = string | Buffer;
/** Kafka record headers as the clients expose them: kafkajs-style object or @platformatic/kafka Map (keys may be Buffers). */
export type KafkaHeaders = Record<string, HeaderValue | HeaderValue[] | undefined> | Map<string | Buffer, HeaderValue>;

/** The trace context fields of a WebSocket JSON message. */
export interface TraceFields {
  traceparent?: string;
  tracestate?: string;
}

const asString = (v: HeaderValue | HeaderValue[] | undefined): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : typeof first === 'string' ? first : first.toString('latin1');
};

function mapGet(map: Map<string | Buffer, HeaderValue>, key: string): HeaderValue | undefined {
  const direct = map.get(key);
  if (direct !== undefined) return direct;
  // @platformatic/kafka delivers Map<Buffer, Buffer>: Buffer keys never match by identity, compare bytes.
  for (const [k, v] of map) if (typeof k !== 'string' && k.toString('latin1') === key) return v;
  return undefined;
}

const kafkaGetter: TextMapGetter<KafkaHeaders> = {
  get: (carrier, key) => asString(carrier instanceof Map ? mapGet(carrier, key) : carrier[key]),
  keys: (carrier) => (carrier instanceof Map ? [...carrier.keys()].map((k) => k.toString()) : Object.keys(carrier)),
};

const kafkaSetter = (asBuffer: boolean): TextMapSetter<KafkaHeaders> => ({
  set: (carrier, key, value) => {
    const v = asBuffer ? Buffer.from(value, 'latin1') : value;
    if (carrier instanceof Map) carrier.set(asBuffer ? Buffer.from(key, 'latin1') : key, v);
    else carrier[key] = v;
  },
});
const kafkaStringSetter = kafkaSetter(false);
const kafkaBufferSetter = kafkaSetter(true);

/**
 * Writes traceparent/tracestate of `ctx`'s span into Kafka headers (nothing when there is no valid span).
 * `asBuffer`: write Buffer values (and Buffer keys into a Map), for clients whose header serializer expects Buffers.
 */
export function injectKafka(headers: KafkaHeaders, ctx: Context = context.active(), asBuffer = false): void {
  w3c.inject(ctx, headers, asBuffer ? kafkaBufferSetter : kafkaStringSetter);
}

/** The context carried by a Kafka record (base `ctx` unchanged when the headers carry none). */
export function extractKafka(headers: KafkaHeaders | undefined, ctx: Context = context.active()): Context {
  return headers === undefined ? ctx : w3c.extract(ctx, headers, kafkaGetter);
}

// MsgHdrs.get returns '' for a missing key; the propagator treats '' as absent.
const natsGetter: TextMapGetter<MsgHdrs> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  keys: (carrier) => carrier.keys(),
};
const natsSetter: TextMapSetter<MsgHdrs> = { set: (carrier, key, value) => carrier.set(key, value) };

/** Writes the trace context of `ctx` into NATS headers (create them with `headers()` from `nats`). */
export function injectNats(hdrs: MsgHdrs, ctx: Context = context.active()): void {
  w3c.inject(ctx, hdrs, natsSetter);
}

export function extractNats(hdrs: MsgHdrs | undefined, ctx: Context = context.active()): Context {
  return hdrs === undefined ? ctx : w3c.extract(ctx, hdrs, natsGetter);
}

const fieldsGetter: TextMapGetter<TraceFields> = {
  get: (carrier, key) => (key === TRACE_PARENT_HEADER ? carrier.traceparent : key === TRACE_STATE_HEADER ? carrier.tracestate : undefined),
  keys: () => [TRACE_PARENT_HEADER, TRACE_STATE_HEADER],
};
const fieldsSetter: TextMapSetter<TraceFields> = {
  set: (carrier, key, value) => {
    if (key === TRACE_PARENT_HEADER) carrier.traceparent = value;
    else if (key === TRACE_STATE_HEADER) carrier.tracestate = value;
  },
};

/** Sets `traceparent` (and `tracestate`) on a JSON message object before it is serialized. */
export function injectJson<T extends TraceFields>(message: T, ctx: Context = context.active()): T {
  w3c.inject(ctx, message, fieldsSetter);
  return message;
}

/** The context carried by a parsed JSON message's `traceparent`/`tracestate` fields. */
export function extractJson(message: TraceFields | undefined, ctx: Context = context.active()): Context {
  return message === undefined ? ctx : w3c.extract(ctx, message, fieldsGetter);
}

/** `traceparent` of the span in `ctx` (the active span by default), or undefined when there is none. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const fields: TraceFields = {};
  w3c.inject(ctx, fields, fieldsSetter);
  return fields.traceparent;
}

const TRACEPARENT_RE = /^\s?[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}(?:-.*)?\s?$/;
const ZERO_TRACE_ID = '0'.repeat(32);

/** The 32-hex trace id of a traceparent (Jaeger's trace id), or undefined when malformed/invalid. */
export function traceIdOf(traceparent: string | Buffer | undefined): string | undefined {
  if (traceparent === undefined) return undefined;
  const m = TRACEPARENT_RE.exec(typeof traceparent === 'string' ? traceparent : traceparent.toString('latin1'));
  const id = m?.[1];
  return id === undefined || id === ZERO_TRACE_ID ? undefined : id;
}

/** Trace id of the active span (for logs and WebSocket payloads), or undefined. */
export function currentTraceId(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

const hexValue = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1);

/**
 * The sampled flag of a version-00 `traceparent`, read from its last character without parsing the
 * rest: a cheap pre-check on a hot path before extract. Undefined when the header is not exactly in
 * that form (then extract and decide on the result).
 */
export function sampledFlag(traceparent: string): boolean | undefined {
  if (traceparent.length !== 55 || traceparent.charCodeAt(0) !== 48 || traceparent.charCodeAt(1) !== 48 || traceparent.charCodeAt(52) !== 45) return undefined;
  const low = hexValue(traceparent.charCodeAt(54));
  return low < 0 || hexValue(traceparent.charCodeAt(53)) < 0 ? undefined : (low & 1) === 1;
}
