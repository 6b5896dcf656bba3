// Operator state <-> bytes. JSON with the shared event chains flattened into tables, so shared
// prefixes stay shared after restore (and the bytes stay proportional to the live state).
import { KeyHeap } from '../collections/key-heap.ts';
import { PartialMatch } from './nfa.ts';
import type { MatchNode, StoredEvent } from './nfa.ts';
import type { KeyState, OperatorState } from './state.ts';
import { decodeDeadlines, encodeDeadlines, type EncodedDeadlines } from './deadline-queue-codec.ts';

const VERSION = 3;
/** Version 2 wrote the deadline queue as [time, key] pairs; it still restores. */
const READABLE = [2, 3];

type NodeRow = [event: number, stage: number, prev: number];
type EventRow = [event: unknown, eventId: string, offset: number, time: number, seq: number];
type PartialRow = [stage: number, count: number, mustTake: 0 | 1, node: number, startTime: number, startSeq: number, lastSeq: number];
type HeldRow = [node: number, startSeq: number, startTime: number, endTime: number, order: number];
type KeyRow = [key: string, seq: number, lastDeadline: number | null, partials: PartialRow[], held: HeldRow[]];

interface Encoded {
  v: number;
  watermark: number | null;
  /** Heap array order, kept as is. */
  pending: [event: unknown, eventId: string, offset: number, time: number][];
  events: EventRow[];
  nodes: NodeRow[];
  keys: KeyRow[];
  deadlines: EncodedDeadlines | [number, string][];
  counters: OperatorState<unknown>['counters'];
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function encodeState<E>(s: OperatorState<E>): Uint8Array {
  const eventIdx = new Map<StoredEvent<E>, number>();
  const nodeIdx = new Map<MatchNode<E>, number>();
  const events: EventRow[] = [];
  const nodes: NodeRow[] = [];
  const nodeId = (node: MatchNode<E> | null): number => {
    if (node === null) return -1;
    const known = nodeIdx.get(node);
    if (known !== undefined) return known;
    const prev = nodeId(node.prev); // prefix first: rows only point backwards
    let ev = eventIdx.get(node.ev);
    if (ev === undefined) {
      ev = events.length;
      eventIdx.set(node.ev, ev);
      events.push([node.ev.event, node.ev.eventId, node.ev.offset, node.ev.time, node.ev.seq]);
    }
    const id = nodes.length;
    nodeIdx.set(node, id);
    nodes.push([ev, node.stage, prev]);
    return id;
  };
  const keys: KeyRow[] = [];
  for (const ks of s.keys.values()) {
    const partials: PartialRow[] = ks.partials.map((p) => [
      p.stage, p.count, p.mustTake ? 1 : 0, nodeId(p.node), p.startTime, p.startSeq, p.lastSeq,
    ]);
    const held: HeldRow[] = ks.held.map((h) => [nodeId(h.node), h.startSeq, h.startTime, h.endTime, h.order]);
    keys.push([ks.key, ks.seq, fin(ks.lastDeadline), partials, held]);
  }
  const enc: Encoded = {
    v: VERSION,
    watermark: fin(s.watermark),
    pending: s.pending.values().map((p) => [p.event, p.eventId, p.offset, p.time]),
    events,
    nodes,
    keys,
    deadlines: encodeDeadlines(s.deadlineTimes, (i) => s.deadlineKeys[i] ?? '', s.deadlineHead),
    counters: { ...s.counters },
  };
  return new TextEncoder().encode(JSON.stringify(enc));
}

export function decodeState<E>(bytes: Uint8Array): OperatorState<E> {
  const enc = JSON.parse(new TextDecoder().decode(bytes)) as Encoded;
  if (!READABLE.includes(enc.v)) throw new Error(`unsupported CEP snapshot version ${String(enc.v)}`);
  const events: StoredEvent<E>[] = enc.events.map(([event, eventId, offset, time, seq]) => ({
    event: event === null ? null : (event as E), eventId, offset, time, seq,
  }));
  const nodes: MatchNode<E>[] = [];
  for (const [ev, stage, prev] of enc.nodes) {
    const e = events[ev];
    if (e === undefined) throw new Error('corrupt CEP snapshot: event index');
    nodes.push({ ev: e, stage, prev: prev < 0 ? null : (nodes[prev] ?? null) });
  }
  const node = (i: number): MatchNode<E> | null => (i < 0 ? null : (nodes[i] ?? null));
  const keys = new Map<string, KeyState<E>>();
  for (const [key, seq, lastDeadline, partials, held] of enc.keys) {
    keys.set(key, {
      key, seq, lastDeadline: lastDeadline ?? -Infinity, positions: null,
      partials: partials.map(([stage, count, mt, n, startTime, startSeq, lastSeq]) =>
        new PartialMatch<E>(stage, count, mt === 1, node(n), startTime, startSeq, lastSeq)),
      held: held.map(([n, startSeq, startTime, endTime, order]) => {
        const hn = node(n);
        if (hn === null) throw new Error('corrupt CEP snapshot: held match without events');
        return { node: hn, startSeq, startTime, endTime, order };
      }),
    });
  }
  const deadlines = decodeDeadlines(enc.deadlines);
  return {
    watermark: enc.watermark ?? -Infinity,
    pending: decodePending<E>(enc.pending),
    keys,
    deadlineTimes: deadlines.times,
    deadlineKeys: deadlines.keys,
    deadlineHead: 0,
    counters: { ...enc.counters },
  };
}

/** Rebuilds the pending heap from its encoded (heap-order) rows: pushing them in order reproduces the layout. */
function decodePending<E>(rows: Encoded['pending']): KeyHeap<StoredEvent<E>> {
  const h = new KeyHeap<StoredEvent<E>>();
  for (const [event, eventId, offset, time] of rows) h.push(time, offset, { event: event as E, eventId, offset, time, seq: -1 });
  return h;
}
