// The dashboard in real headless Chromium against a real gateway fed through real NATS: live
// numbers, the alerts feed with Jaeger links, the cluster view, the connection indicator.
// Saves test-artifacts/dashboard.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { InfluxDB } from '@influxdata/influxdb-client';
import { connect } from 'nats';
import type { JetStreamClient, NatsConnection } from 'nats';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startGateway } from '../../gateway/gateway.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import { ANALYTICS, PATTERNS } from '../../ui/src/analytics-map.ts';
import { resultToLine } from '../../transports/influx/points.ts';
import { endpoints } from '../support/endpoints.ts';
import { startForwarder } from './dashboard-proxy.ts';
import type { Forwarder } from './dashboard-proxy.ts';
import { heartbeat, patternResult, publishHeartbeat, publishResult, traceparentFor, windowResult } from '../integration/gateway-helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const JAEGER_UI = 'http://jaeger.example:16686';
const PAGES = ['/', '/products', '/products/42', '/cart', '/checkout', '/search', '/account', '/blog/launch'];
const PATTERN_NAMES = Object.keys(PATTERNS).filter((p) => p !== 'cart_abandonment');

describe('dashboard (e2e: Chromium + gateway + NATS)', function () {
  let nc: NatsConnection;
  let js: JetStreamClient;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let forwarder: Forwarder;
  let feeder: NodeJS.Timeout | undefined;
  let beats: NodeJS.Timeout | undefined;

  before(async function () {
    this.timeout(600_000);
    execFileSync('bash', [`${root}infra/install-chromium.sh`], { stdio: 'inherit' });
    execFileSync('npx', ['vite', 'build', 'ui'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    nc = await connect({ servers: endpoints.natsServers });
    js = nc.jetstream();
    gateway = await startGateway({ port: 0, natsUrl: endpoints.natsServers, influxUrl: endpoints.influxUrl, uiDir: `${root}ui/dist`, heartbeatIntervalMs: 500, jaegerUrl: JAEGER_UI });
    forwarder = await startForwarder(gateway.port);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    clearInterval(feeder);
    clearInterval(beats);
    await browser?.close();
    await gateway?.close();
    await forwarder?.close();
    await nc?.drain();
  });

  it('shows live page views, alerts with trace links, the cluster and a connected indicator', async function () {
    this.timeout(120_000);
    // Heartbeats: two healthy nodes, and one that stopped (shown as gone).
    publishHeartbeat(nc, heartbeat('node-c', [], { host: 'rtap-3', pid: 2950, sentAt: Date.now() - 60_000 }));
    const sendBeats = (): void => {
      const counters = (base: number) => ({ eventsProcessed: base + Date.now() % 100_000, resultsPublished: Math.round(base / 40), dlq: 0, lateEvents: 3 });
      publishHeartbeat(nc, heartbeat('node-a', [0, 1, 2, 3, 4, 5], { host: 'rtap-1', pid: 4121, counters: counters(412_000) }));
      publishHeartbeat(nc, heartbeat('node-b', [6, 7, 8, 9, 10, 11], { host: 'rtap-2', pid: 3877, status: 'degraded', reasons: ['influxdb slow: 1200 points buffered'], counters: counters(388_000) }));
    };
    sendBeats();
    beats = setInterval(sendBeats, 400);

    // A minute of history before the page opens (it arrives as replay), then live updates.
    const now = Date.now();
    const w5 = Math.floor(now / 5000) * 5000;
    let seq = 1;
    // JetStream drops a Nats-Msg-Id it saw in the last 2 minutes: a re-run must not reuse ids.
    const run = Math.floor(Math.random() * 1e6);
    // Traffic with a visible shape: a slow wave plus per-page weights and some per-partition noise.
    const pvCount = (page: string, windowStart: number, p: number): number =>
      Math.round((3 + (8 - PAGES.indexOf(page)) * 2 + ((PAGES.indexOf(page) * 7 + p * 3) % 5)) * (1 + 0.45 * Math.sin(windowStart / 9000) + 0.15 * Math.sin(windowStart / 2300 + p)));
    for (let k = 11; k >= 1; k--) {
      const ws = w5 - k * 5000;
      for (let p = 0; p < 12; p++) {
        for (const page of PAGES.slice(0, 6)) await publishResult(js, windowResult(ANALYTICS.pageViews.analytic, p, page, ws, 5000, run, { count: pvCount(page, ws, p) }));
        await publishResult(js, windowResult(ANALYTICS.activeUsers.analytic, p, 'all', ws - 55_000, 60_000, run, { users: Math.round(30 + ((p * 5 + k) % 11) + 12 * Math.sin(ws / 14_000)), events: 200 }));
      }
    }
    const m1 = Math.floor(now / 60_000) * 60_000;
    for (let p = 0; p < 12; p++) {
      for (let m = 6; m >= 1; m--) {
        await publishResult(js, windowResult(ANALYTICS.conversions.analytic, p, 'all', m1 - m * 60_000, 60_000, run, { conversions: 1 + ((p * m) % 5), revenue: 150 + p * 13 + m * 9, users: 40 + p }));
      }
      for (let u = 0; u < 6; u++) {
        const start = now - 200_000 + u * 9000 + p * 1000;
        await publishResult(js, windowResult(ANALYTICS.sessions.analytic, p, `user-${p}-${u}`, start, 40_000 + u * 17_000, run, { events: 12 + u, pageViews: 3 + (u % 4) }));
      }
    }
    for (let i = 0; i < 9; i++) {
      const pattern = PATTERN_NAMES[i % PATTERN_NAMES.length]!;
      await publishResult(js, patternResult(pattern, i % 12, `user-${100 + i}`, run * 100 + 1000 + i * 10, now - (9 - i) * 4000), i % 3 === 2 ? undefined : traceparentFor(1000 + i).traceparent);
    }

    // Older windows only in InfluxDB (as the node writes them): the dashboard backfills its charts.
    const influx = new InfluxDB({ url: endpoints.influxUrl, token: '' }).getWriteApi('', endpoints.influxBucket, 'ns');
    for (let k = 96; k >= 12; k--) {
      const ws = w5 - k * 5000;
      for (let p = 0; p < 12; p++) {
        influx.writeRecords(PAGES.slice(0, 6).map((page) => resultToLine(windowResult(ANALYTICS.pageViews.analytic, p, page, ws, 5000, run, { count: pvCount(page, ws, p) }), 'events')));
        influx.writeRecord(resultToLine(windowResult(ANALYTICS.activeUsers.analytic, p, 'all', ws - 55_000, 60_000, run, { users: Math.round(30 + ((p * 5 + k) % 11) + 12 * Math.sin(ws / 14_000)), events: 200 }), 'events'));
      }
    }
    await influx.close();

    let firing = run + 1;
    feeder = setInterval(() => {
      const t = Date.now();
      const cur = Math.floor(t / 5000) * 5000;
      const results = [];
      for (let p = 0; p < 12; p++) {
        for (const page of PAGES) results.push(windowResult(ANALYTICS.pageViews.analytic, p, page, cur, 5000, firing, { count: Math.round(pvCount(page, cur, p) * ((t - cur) / 5000 + 0.2)) }));
        results.push(windowResult(ANALYTICS.activeUsers.analytic, p, 'all', cur - 55_000, 60_000, firing, { users: Math.round(30 + ((p * 5 + firing) % 11) + 12 * Math.sin(cur / 14_000)), events: 230 }));
      }
      if (firing % 4 === 0) results.push(patternResult(PATTERN_NAMES[firing % PATTERN_NAMES.length]!, firing % 12, `user-${500 + (firing % 1000)}`, run * 100 + 5000 + firing * 10, t));
      firing++;
      const traced = seq++;
      void Promise.all(results.map((r) => publishResult(js, r, r.kind === 'pattern' ? traceparentFor(traced).traceparent : undefined))).catch(() => undefined);
    }, 500);

    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${forwarder.port}/`);
    await page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="connection"]')).to.contain('connected');

    // Expressions run in the page (strings: this file is type-checked without the DOM lib).
    const waitFor = (expression: string): Promise<unknown> => page.waitForFunction(expression, undefined, { timeout: 15_000 });
    const numberIn = (testId: string): string => `Number(document.querySelector('[data-testid="${testId}"]')?.textContent?.replace(/,/g, ''))`;
    await waitFor(`${numberIn('page-views-value')} > 0`);
    await waitFor(`${numberIn('active-users-value')} > 0`);
    await waitFor(`document.querySelectorAll('[data-testid="alert"]').length >= 9`);
    await waitFor(`document.querySelectorAll('[data-testid="node"]').length >= 3`);
    await waitFor(`Number(document.querySelector('[data-testid="page-views"] canvas')?.dataset.points) >= 50`); // history + replay + live
    const traceHref = await page.getAttribute('[data-testid="trace-link"]', 'href');
    expect(traceHref, 'the link goes to the gateway\'s gateway.jaeger-url').to.match(/^http:\/\/jaeger\.example:16686\/trace\/[0-9a-f]{32}$/);
    // node-c sent one heartbeat and stopped: after 3 missed intervals it shows as gone.
    await waitFor(`document.querySelector('.node-gone')?.textContent?.includes('node-c')`);
    expect(await page.textContent('[data-testid="cluster"]')).to.contain('node-a').and.contain('gone');
    expect(Number((await page.textContent('[data-testid="sessions-value"]'))?.replace(/,/g, ''))).to.be.greaterThan(0);
    expect(Number(await page.textContent('[data-testid="conversions-value"]'))).to.be.greaterThan(0);
    expect(await page.locator('[data-testid="top-pages"] li').count()).to.be.greaterThan(3);

    await new Promise((r) => setTimeout(r, 2500)); // let the sparklines gather a few live points
    mkdirSync(`${root}test-artifacts`, { recursive: true });
    await page.screenshot({ path: `${root}test-artifacts/dashboard.png`, fullPage: true });
    expect(errors).to.deep.equal([]);
  });

  it('shows the connection as lost, reconnects with backoff when the gateway is back, and resumes', async function () {
    this.timeout(60_000);
    await gateway.close();
    forwarder.retarget(null); // the gateway is gone: connections drop, new ones are refused
    await page.waitForSelector('[data-testid="connection"][data-status="reconnecting"]', { timeout: 10_000 });
    expect(await page.textContent('[data-testid="connection"]')).to.match(/reconnecting/);
    await new Promise((r) => setTimeout(r, 2000)); // a few failed attempts, with growing delays
    const framesBefore = await page.textContent('.statusbar');
    gateway = await startGateway({ port: 0, natsUrl: endpoints.natsServers, influxUrl: endpoints.influxUrl, uiDir: `${root}ui/dist`, heartbeatIntervalMs: 500 });
    forwarder.retarget(gateway.port);
    await page.waitForSelector('[data-testid="connection"][data-status="connected"]', { timeout: 20_000 });
    // Live results flow again through the new gateway.
    await page.waitForFunction(`document.querySelector('.statusbar')?.textContent !== ${JSON.stringify(framesBefore)}`, undefined, { timeout: 10_000 });
  });
});
