// REST endpoints and the static dashboard. uWS handlers must answer synchronously or register
// onAborted before awaiting; `respond` does the bookkeeping for the async ones.
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { InfluxDB } from '@influxdata/influxdb-client';
import type { GatewayConfig } from './config.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { ClusterTracker } from './cluster-view.ts';
import type { ResultHub } from './result-hub.ts';
import type { StaticFile } from './static-files.ts';
import { tokenFrom, tokenMatches } from './auth.ts';
import { queryHistory } from './history.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../telemetry/metrics.ts';

export interface RouteDeps {
  config: GatewayConfig;
  metrics: GatewayMetrics;
  cluster: ClusterTracker;
  hub: ResultHub;
  influx: InfluxDB;
  staticFiles: Map<string, StaticFile>;
  natsConnected(): boolean;
  startedAt: number;
}

interface Reply {
  status: string;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

const json = (status: string, value: unknown): Reply => ({ status, contentType: 'application/json', body: JSON.stringify(value) });

function write(res: HttpResponse, r: Reply): void {
  res.cork(() => {
    res.writeStatus(r.status).writeHeader('Content-Type', r.contentType);
    for (const [k, v] of Object.entries(r.headers ?? {})) res.writeHeader(k, v);
    res.end(r.body);
  });
}

/** Runs an async handler; the response is dropped if the client went away meanwhile. */
function respondAsync(res: HttpResponse, produce: () => Promise<Reply>): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  produce()
    .catch((err: unknown) => json('500 Internal Server Error', { error: (err as Error).message }))
    .then((r) => {
      if (!aborted) write(res, r);
    })
    .catch(() => undefined);
}

export function registerRoutes(app: TemplatedApp, deps: RouteDeps): void {
  const { config, metrics } = deps;
  /** Reads the token synchronously (uWS requests are only valid until the first await). */
  const authorized = (res: HttpResponse, req: HttpRequest): boolean => {
    if (tokenMatches(config.token, tokenFrom(req.getQuery() ?? '', req.getHeader('authorization')))) return true;
    metrics.authRejected++;
    write(res, { ...json('401 Unauthorized', { error: 'missing or wrong token (query ?token= or Authorization: Bearer)' }), headers: { 'WWW-Authenticate': 'Bearer' } });
    return false;
  };

  app.get('/api/health', (res) => {
    respondAsync(res, async () => {
      const reasons: string[] = [];
      const natsConnected = deps.natsConnected();
      if (!natsConnected) reasons.push('NATS disconnected');
      const influxReachable = await pingInflux(config.influxUrl);
      if (!influxReachable) reasons.push(`InfluxDB unreachable at ${config.influxUrl}`);
      const body = {
        status: reasons.length === 0 ? 'ok' : 'degraded',
        reasons,
        nats: { connected: natsConnected, url: config.natsUrl },
        influxdb: { reachable: influxReachable, url: config.influxUrl },
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
        clients: deps.hub.clientCount,
      };
      return json(reasons.length === 0 ? '200 OK' : '503 Service Unavailable', body);
    });
  });

  app.get('/api/cluster', (res, req) => {
    if (authorized(res, req)) write(res, json('200 OK', deps.cluster.view(Date.now())));
  });

  app.get('/api/clients', (res, req) => {
    if (authorized(res, req)) write(res, json('200 OK', deps.hub.clientInfo()));
  });

  app.get('/api/history', (res, req) => {
    if (!authorized(res, req)) return;
    const analytic = req.getQuery('analytic') ?? '';
    const minutesRaw = req.getQuery('minutes') || '15';
    const maxKeysRaw = req.getQuery('maxKeys');
    const source = req.getQuery('source') || config.sourceTopic;
    const minutes = Number(minutesRaw);
    if (!/^[\w.-]{1,100}$/.test(analytic)) return write(res, json('400 Bad Request', { error: 'analytic: expected a name like page-views' }));
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) return write(res, json('400 Bad Request', { error: 'minutes: expected an integer 1..1440' }));
    if (!/^[\w.-]{1,249}$/.test(source)) return write(res, json('400 Bad Request', { error: 'source: expected a topic name' }));
    const maxKeys = maxKeysRaw ? Number(maxKeysRaw) : undefined;
    if (maxKeys !== undefined && (!Number.isInteger(maxKeys) || maxKeys < 1)) return write(res, json('400 Bad Request', { error: 'maxKeys: expected a positive integer' }));
    respondAsync(res, async () => {
      const points = await queryHistory(deps.influx, config.influxOrg, config.influxBucket, { analytic, minutes, maxKeys, source });
      return json('200 OK', { analytic, minutes, source, points });
    });
  });

  app.get('/metrics', (res, req) => {
    if (authorized(res, req)) respondAsync(res, async () => ({ status: '200 OK', contentType: PROMETHEUS_CONTENT_TYPE, body: await metrics.scrape() }));
  });

  app.any('/api/*', (res) => write(res, json('404 Not Found', { error: 'no such endpoint' })));

  app.get('/*', (res, req) => {
    const url = req.getUrl();
    const file = deps.staticFiles.get(url) ?? (url === '/' || !/\.\w+$/.test(url) ? deps.staticFiles.get('/index.html') : undefined);
    if (file) return write(res, { status: '200 OK', contentType: file.contentType, body: file.body, headers: { 'Cache-Control': file.cacheControl } });
    if (deps.staticFiles.size === 0) {
      return write(res, { status: '503 Service Unavailable', contentType: 'text/plain; charset=utf-8', body: `dashboard not built: run "npx vite build ui" (looked in ${config.uiDir})\n` });
    }
    write(res, { status: '404 Not Found', contentType: 'text/plain; charset=utf-8', body: 'not found\n' });
  });
}

async function pingInflux(url: string): Promise<boolean> {
  try {
    const r = await fetch(new URL('/ping', url), { signal: AbortSignal.timeout(1500) });
    return r.ok;
  } catch {
    return false;
  }
}
