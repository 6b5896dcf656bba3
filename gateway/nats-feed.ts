// The gateway's inputs from NATS: every result from the RTAP_RESULTS stream through an ephemeral
// ordered consumer starting at "new" (history comes from the replay rings and InfluxDB, not from
// the stream), plus the open windows' speculative updates and the node heartbeats on core NATS.
import { DeliverPolicy, Events, connect } from 'nats';
import type { ConsumerMessages, NatsConnection, Subscription } from 'nats';
import type { AnalyticsResult } from '../actors/results.ts';
import type { NodeHeartbeat } from '../transports/nats/contracts.ts';
import { HEARTBEAT_SUBJECT_PREFIX, RESULTS_DUPLICATE_WINDOW_MS, RESULTS_STREAM, RESULTS_SUBJECTS, TRACEPARENT_HEADER, UPDATES_SUBJECTS, resultsStreamSpec, updatesLines } from '../transports/nats/contracts.ts';
import { ensureStream } from '../transports/nats/ensure-stream.ts';
import { drainOrClose } from '../transports/nats/drain-or-close.ts';

export interface NatsFeedHandlers {
  /**
   * `traceparent`: the W3C trace context the node attached, when the result is traced. `json`: the
   * result's JSON text as the node wrote it, when it came alone (an update), to forward as it is.
   */
  onResult(result: AnalyticsResult, traceparent: string | undefined, json?: string): void;
  onHeartbeat(hb: NodeHeartbeat): void;
  onBadMessage(subject: string, reason: string): void;
}

export interface NatsFeed {
  readonly connection: NatsConnection;
  isConnected(): boolean;
  close(): Promise<void>;
}

/** `servers`: comma-separated URLs, as in `nats.servers`. */
export async function startNatsFeed(servers: string, handlers: NatsFeedHandlers): Promise<NatsFeed> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: servers.split(','), name: 'rtap-gateway', maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  } catch (err) {
    throw new Error(`gateway: cannot connect to NATS at nats.servers (RTAP_NATS_SERVERS) ${servers}: ${(err as Error).message}`);
  }
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) connected = false;
      else if (s.type === Events.Reconnect) connected = true;
    }
  })();

  // Same settings as the nodes' (NatsResultSink): whoever starts first creates the stream.
  await ensureStream(nc, resultsStreamSpec(RESULTS_DUPLICATE_WINDOW_MS));

  const decoder = new TextDecoder();
  const heartbeats: Subscription = nc.subscribe(`${HEARTBEAT_SUBJECT_PREFIX}.>`, {
    callback: (err, msg) => {
      if (err) return;
      try {
        handlers.onHeartbeat(JSON.parse(decoder.decode(msg.data)) as NodeHeartbeat);
      } catch (e) {
        handlers.onBadMessage(msg.subject, (e as Error).message);
      }
    },
  });

  const updates: Subscription = nc.subscribe(UPDATES_SUBJECTS, {
    callback: (err, msg) => {
      if (err) return;
      try {
        // One node's updates of one analytic, one JSON object per line (NatsResultSink.flushUpdates).
        for (const json of updatesLines(decoder.decode(msg.data))) {
          const result = JSON.parse(json) as AnalyticsResult | null;
          if (result?.kind !== 'window' || result.trigger !== 'update') throw new Error('not a window update');
          handlers.onResult(result, undefined, json);
        }
      } catch (e) {
        handlers.onBadMessage(msg.subject, (e as Error).message);
      }
    },
  });

  // Ordered consumer: ephemeral, flow-controlled, recreated by the client after a reconnect or gap.
  const consumer = await nc.jetstream().consumers.get(RESULTS_STREAM, { deliver_policy: DeliverPolicy.New, filterSubjects: RESULTS_SUBJECTS });
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 1024 });
  const consuming = (async () => {
    for await (const msg of messages) {
      try {
        // One result, or the final results of one window as a JSON array (NatsResultSink).
        const parsed = JSON.parse(decoder.decode(msg.data)) as AnalyticsResult | AnalyticsResult[];
        const results = Array.isArray(parsed) ? parsed : [parsed];
        if (!results.every((r) => r?.kind === 'window' || r?.kind === 'pattern')) throw new Error('not a result');
        const traceparent = msg.headers?.get(TRACEPARENT_HEADER) || undefined;
        for (const result of results) handlers.onResult(result, traceparent);
      } catch (e) {
        handlers.onBadMessage(msg.subject, (e as Error).message);
      }
    }
  })();

  return {
    connection: nc,
    isConnected: () => connected && !nc.isClosed(),
    async close() {
      await messages.close();
      await consuming.catch(() => undefined);
      heartbeats.unsubscribe();
      updates.unsubscribe();
      await drainOrClose(nc);
    },
  };
}
