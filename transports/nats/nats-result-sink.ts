// Publishes results to the JetStream stream RTAP_RESULTS with a Nats-Msg-Id made of what produced
// them, so a result re-emitted after a crash (replay from the last checkpoint) is dropped by the
// server as long as it arrives within the stream's duplicate window. The final results of one
// window of one analytic of one partition (all the pages of a page-views window when the watermark
// closes it: one engine call emits every key) leave as one message, a JSON array whose id is its
// first result's id and its length: a replay closes the same window with the same keys in the same
// order, so it sends the same message. (A window whose finals did arrive in pieces would get other
// ids, never lose results to de-duplication.) Every other result — pattern matches, early and late
// firings, which are per key and per event — is a message of its own, with its own id.
import type { NatsConnection } from 'nats';
import type { AnalyticsResult, WindowResult } from '../../actors/results.ts';
import { DeliveryQueue } from '../delivery-queue.ts';
import type { ResultSink, SinkStatus } from '../result-sink.ts';
import { resultSubject, resultsStreamSpec, updateSubject, updatesPayload } from './contracts.ts';
import { ensureStream } from './ensure-stream.ts';
import { JetStreamPublisher, NO_STREAM, type JetStreamMessage } from './jetstream-publisher.ts';
import type { Tracer } from '@opentelemetry/api';
import { withTraceparent } from '../../telemetry/spans.ts';
import { sampledFlag } from '../../telemetry/propagation.ts';
import { drainOrClose } from './drain-or-close.ts';
import { connectInBackground } from './connect-in-background.ts';

export interface NatsResultSinkOptions {
  servers: string;
  /** How long the server remembers result ids; must exceed the longest replay after a crash. */
  duplicateWindowMs: number;
  /** Buffered results above which `offer` asks the caller to pause. */
  highWater: number;
  name?: string;
  /**
   * Namespaces the de-duplication id (`Nats-Msg-Id` = prefix + result id). Result ids are unique
   * within one source topic; the node passes its topic so two topics never collide.
   */
  msgIdPrefix?: string;
  /** Traces the publishing of results that carry a trace context (`nats.publish` spans). */
  tracer?: Tracer;
}

interface Outgoing {
  subject: string;
  /** Nats-Msg-Id without the prefix. */
  id: string;
  data: Uint8Array;
  /** Results in the message. */
  count: number;
  traceparent: string | undefined;
}

interface WindowFinals {
  subject: string;
  results: WindowResult[];
  traceparent: string | undefined;
}

/** Results per message at most (NATS limits a message to 1 MiB by default; a result is ~250 B). */
export const MAX_RESULTS_PER_MESSAGE = 1_000;

const encoder = new TextEncoder();

export class NatsResultSink implements ResultSink {
  private nc: NatsConnection | undefined;
  private js: JetStreamPublisher | undefined;
  private streamReady = false;
  private connectError: string | undefined;
  private readonly closing = new AbortController();
  private readonly queue: DeliveryQueue<Outgoing>;
  updatesPublished = 0;
  updatesDropped = 0;
  private readonly pendingUpdates = new Map<string, WindowResult[]>();
  /** Whether endTurn is scheduled: it runs once after the turn that offered results. */
  private turnEndScheduled = false;
  /** Final window results of this turn, by window; queued at the end of the turn (or by flush()). */
  private readonly finals = new Map<string, WindowFinals>();
  private finalsCount = 0;

  constructor(private readonly opts: NatsResultSinkOptions) {
    this.queue = new DeliveryQueue<Outgoing>({
      send: (batch) => this.send(batch),
      maxBatch: 256,
      maxInFlight: 8,
      highWater: opts.highWater,
      lingerMs: 0,
      scheduleSend: () => this.scheduleEndTurn(),
      weigh: (o) => o.count,
    });
    void this.connectLoop();
  }

  offer(result: AnalyticsResult, traceparent?: string): boolean {
    if (result.kind === 'window' && result.trigger === 'update') {
      this.publishUpdate(result);
      return true;
    }
    if (result.kind === 'pattern' || result.trigger !== 'final') {
      return this.queue.push({ subject: resultSubject(result), id: result.id, data: encoder.encode(JSON.stringify(result)), count: 1, traceparent });
    }
    // One engine call closes a window for all its keys, so its finals are complete at the end of the turn.
    const key = `${result.analytic}|${result.partition}|${result.windowStart}|${result.windowEnd}`;
    let window = this.finals.get(key);
    if (!window) {
      this.scheduleEndTurn();
      this.finals.set(key, (window = { subject: resultSubject(result), results: [], traceparent }));
    }
    window.results.push(result);
    window.traceparent ??= traceparent;
    this.finalsCount++;
    return this.queue.buffered + this.finalsCount < this.opts.highWater;
  }

  flush(): Promise<void> {
    this.queueFinals();
    return this.queue.flush();
  }

  /** One message per closed window, or per MAX_RESULTS_PER_MESSAGE results of it. */
  private queueFinals(): void {
    for (const f of this.finals.values()) {
      for (let i = 0; i < f.results.length; i += MAX_RESULTS_PER_MESSAGE) {
        const chunk = f.results.slice(i, i + MAX_RESULTS_PER_MESSAGE);
        const id = chunk.length === 1 ? chunk[0]!.id : `${chunk[0]!.id}|n${chunk.length}`;
        this.queue.push({ subject: f.subject, id, data: encoder.encode(JSON.stringify(chunk.length === 1 ? chunk[0] : chunk)), count: chunk.length, traceparent: f.traceparent });
      }
    }
    this.finals.clear();
    this.finalsCount = 0;
  }

  private scheduleEndTurn(): void {
    if (this.turnEndScheduled) return;
    this.turnEndScheduled = true;
    setImmediate(() => this.endTurn());
  }

  /**
   * What one turn offered leaves together: the closed windows' finals, the updates and the other
   * results. nats.js writes what was published since its last write in a microtask, so publishing
   * it all in one callback makes one socket write (one wake-up of the server) where three callbacks
   * made three. (More when a batch waits for the stream to be created, the queue is at its in-flight
   * bound, or nats.js's outbound buffer fills.)
   */
  private endTurn(): void {
    this.turnEndScheduled = false;
    this.queueFinals();
    this.flushUpdates();
    this.queue.sendPending();
  }

  /**
   * Updates go out on core NATS, fire and forget: no ack to wait for, nothing to de-duplicate.
   * The updates offered in one turn of the event loop (one emission of each partition whose
   * timer fired) leave as one message per analytic (updatesPayload). While disconnected they are
   * counted and dropped (the next firing supersedes them anyway).
   */
  private publishUpdate(result: WindowResult): void {
    let batch = this.pendingUpdates.get(result.analytic);
    if (!batch) this.pendingUpdates.set(result.analytic, (batch = []));
    batch.push(result);
    this.scheduleEndTurn();
  }

  private flushUpdates(): void {
    const nc = this.nc;
    for (const [analytic, batch] of this.pendingUpdates) {
      if (!nc || nc.isClosed() || nc.isDraining()) this.updatesDropped += batch.length;
      else {
        nc.publish(updateSubject(analytic), encoder.encode(updatesPayload(batch)));
        this.updatesPublished += batch.length;
      }
    }
    this.pendingUpdates.clear();
  }

  status(): SinkStatus {
    return this.queue.status('nats', 'nats', this.connectError ?? (this.js === undefined ? 'connecting' : undefined));
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.queue.close();
    this.js?.close();
    if (this.nc) await drainOrClose(this.nc);
  }

  /** Keeps trying to connect in the background: a node starts (and buffers) while NATS is down. */
  private async connectLoop(): Promise<void> {
    await connectInBackground(
      { servers: this.opts.servers.split(','), name: this.opts.name ?? 'rtap-node', maxReconnectAttempts: -1, reconnectTimeWait: 500 },
      {
        signal: this.closing.signal,
        retryMs: 500,
        onAttemptFailed: (err) => (this.connectError = err.message),
        onConnected: (nc) => {
          this.nc = nc;
          this.connectError = undefined;
          this.js = new JetStreamPublisher(nc, 5_000);
          void this.watchStatus(nc);
        },
      },
    );
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.connectError = `disconnected from ${String(s.data)}`;
      if (s.type === 'reconnect') {
        this.connectError = undefined;
        this.streamReady = false; // the server may have restarted without our stream
      }
    }
  }

  private async send(batch: Outgoing[]): Promise<void> {
    const nc = this.nc;
    const js = this.js;
    if (!nc || !js || nc.isClosed()) throw new Error(this.connectError ?? 'not connected');
    if (!this.streamReady) {
      await ensureStream(nc, resultsStreamSpec(this.opts.duplicateWindowMs));
      this.streamReady = true;
    }
    const { tracer } = this.opts;
    const messages = batch.map((o): JetStreamMessage => {
      const message: JetStreamMessage = { subject: o.subject, data: o.data, msgId: `${this.opts.msgIdPrefix ?? ''}${o.id}`, traceparent: o.traceparent };
      if (o.traceparent !== undefined && tracer !== undefined && sampledFlag(o.traceparent) !== false) {
        // A traced result is published in a `nats.publish` span (until JetStream acknowledges it), and
        // the header carries that span's context, so the gateway's `gateway.fanout` is its child.
        const acked = withTraceparent(tracer, 'nats.publish', o.traceparent, { 'messaging.system': 'nats', 'messaging.destination.name': o.subject, 'rtap.result.id': o.id, 'rtap.results': o.count }, (tp) => {
          message.traceparent = tp;
          return new Promise<void>((resolve, reject) => (message.onAck = (err) => (err ? reject(err) : resolve())));
        });
        acked.catch(() => undefined); // the batch's promise reports the failure
      }
      return message;
    });
    await js.publishAll(messages).catch((err: unknown) => {
      // No stream on the subject (deleted, or a server that lost it): create it again before the retry.
      if (err instanceof Error && err.message.includes(NO_STREAM)) this.streamReady = false;
      throw err;
    });
  }
}
