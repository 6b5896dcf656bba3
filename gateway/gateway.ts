// startGateway: wires NATS → ResultHub → uWS WebSocket clients, plus REST and the static UI.
import { ROOT_CONTEXT, type Tracer } from '@opentelemetry/api';
import type { AnalyticsResult } from '../actors/results.ts';
import { extractJson, isSampled } from '../telemetry/index.ts';
import { traceIdFromTraceparent } from './trace.ts';
import { InfluxDB } from '@influxdata/influxdb-client';
import type { us_listen_socket } from 'uWebSockets.js';
import { loadUws } from '../transports/uws/load-uws.ts';
import type { GatewayConfig } from './config.ts';
import { defaultGatewayConfig, validateGatewayConfig } from './config.ts';
import { tokenFrom, tokenMatches } from './auth.ts';
import { ClusterTracker } from './cluster-view.ts';
import { registerRoutes } from './http-routes.ts';
import { GatewayMetrics } from './metrics.ts';
import { startNatsFeed } from './nats-feed.ts';
import type { ClientData } from './result-hub.ts';
import { ResultHub } from './result-hub.ts';
import { loadStaticFiles } from './static-files.ts';

/** The port is taken: by another process, or by TIME_WAIT connections of a gateway that just stopped. */
export class GatewayListenError extends Error {}

export interface Gateway {
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  readonly config: GatewayConfig;
  readonly metrics: GatewayMetrics;
  close(): Promise<void>;
}

/**
 * A traced result's `gateway.fanout` span, child of the node's `nats.publish`, is open from its
 * arrival to the flush that sends its frames: the gateway's whole share of the result's latency.
 */
function fanOutTraced(tracer: Tracer | undefined, hub: ResultHub, result: AnalyticsResult, traceparent: string | undefined, json: string | undefined): void {
  const traceId = traceIdFromTraceparent(traceparent);
  const parent = tracer && traceparent ? extractJson({ traceparent }, ROOT_CONTEXT) : undefined;
  if (!tracer || !parent || !isSampled(parent)) {
    hub.onResult(result, traceId, undefined, json);
    return;
  }
  const name = result.kind === 'window' ? result.analytic : result.pattern;
  hub.onResult(result, traceId, tracer.startSpan('gateway.fanout', { attributes: { 'rtap.result.id': result.id, 'rtap.result.name': name } }, parent));
}

export async function startGateway(options: Partial<GatewayConfig> = {}, tracer?: Tracer): Promise<Gateway> {
  const config = validateGatewayConfig({ ...defaultGatewayConfig, ...options });
  const uws = loadUws();
  const metrics = GatewayMetrics.create();
  const cluster = new ClusterTracker(config.heartbeatIntervalMs, config.sourceTopic);
  const app = uws.App();
  const hub = new ResultHub(app, config, metrics, cluster);
  metrics.observeReplay(() => hub.replaySizes());
  metrics.observeCluster(cluster);
  const startedAt = Date.now();

  let feed;
  try {
    feed = await startNatsFeed(config.natsUrl, {
      onResult: (result, traceparent, json) => fanOutTraced(tracer, hub, result, traceparent, json),
      onHeartbeat: (hb) => {
        metrics.natsHeartbeatsIn++;
        cluster.onHeartbeat(hb, Date.now());
      },
      onBadMessage: () => metrics.natsBadMessages++,
    });
  } catch (err) {
    hub.stop();
    metrics.stop();
    throw err;
  }
  const natsFeed = feed;

  app.ws<ClientData>('/ws', {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    // Slow clients leave the fast path at slowClientBytes; this hard limit only catches a client
    // that stopped reading altogether, which is then disconnected rather than buffered forever.
    maxBackpressure: config.maxBackpressureBytes,
    closeOnBackpressureLimit: 1,
    upgrade: (res, req, context) => {
      // Everything is read before any return: uWS requests die with the handler.
      const token = tokenFrom(req.getQuery() ?? '', req.getHeader('authorization'));
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      if (!tokenMatches(config.token, token)) {
        metrics.authRejected++;
        res.cork(() => res.writeStatus('401 Unauthorized').writeHeader('WWW-Authenticate', 'Bearer').end('missing or wrong token'));
        return;
      }
      const remote = Buffer.from(res.getRemoteAddressAsText()).toString();
      res.upgrade(hub.newClientData(remote), key, protocol, extensions, context);
    },
    open: (ws) => hub.open(ws),
    message: (ws, data) => hub.message(ws, data),
    drain: (ws) => hub.drain(ws),
    close: (ws) => hub.close(ws),
  });

  registerRoutes(app, {
    config,
    metrics,
    cluster,
    hub,
    influx: new InfluxDB({ url: config.influxUrl, token: config.influxToken }),
    staticFiles: loadStaticFiles(config.uiDir),
    natsConnected: () => natsFeed.isConnected(),
    startedAt,
  });

  let listenSocket: us_listen_socket;
  try {
    listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
      app.listen(config.host, config.port, (s) => {
        if (s) resolve(s);
        else reject(new GatewayListenError(`gateway: cannot listen on host:port (RTAP_GATEWAY_HOST/RTAP_GATEWAY_PORT) ${config.host}:${config.port} — in use or not a local address`));
      });
    });
  } catch (err) {
    hub.stop();
    metrics.stop();
    await natsFeed.close();
    throw err;
  }
  const port = uws.us_socket_local_port(listenSocket as unknown as Parameters<typeof uws.us_socket_local_port>[0]);

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${config.host}:${port}`,
    config,
    metrics,
    close() {
      closing ??= (async () => {
        uws.us_listen_socket_close(listenSocket);
        hub.stop();
        hub.closeAll(1001, 'gateway shutting down');
        // Also closes idle keep-alive HTTP connections, which otherwise keep the port from being
        // bound again in this process. The binary has it; the bundled .d.ts does not declare it.
        (app as typeof app & { close?: () => void }).close?.();
        await natsFeed.close();
        metrics.stop();
      })();
      return closing;
    },
  };
}
