import { expect } from 'chai';
import { createMetrics, observeCounter, observeGauge, observeLabelled, PROMETHEUS_CONTENT_TYPE } from './metrics.ts';

describe('createMetrics (OpenTelemetry → Prometheus text)', () => {
  it('serves observable counters with _total, gauges as they are, labels per entry, and no scope labels', async () => {
    const m = createMetrics({ serviceName: 'rtap-test', resourceAttributes: { 'rtap.node.id': 'node-9' } });
    let events = 3;
    observeCounter(m.meter, 'rtap.test.events', 'Events.', () => events);
    observeGauge(m.meter, 'rtap.test.depth', 'Depth.', () => 7);
    observeLabelled(m.meter, 'gauge', 'rtap.test.lag', 'Lag.', 'partition', () => new Map([[3, 42], [5, 0]]));
    const counter = m.meter.createCounter('rtap.test.sync');
    counter.add(2, { kind: 'window' });
    let text = await m.scrape();
    expect(text).to.include('rtap_test_events_total 3\n');
    expect(text).to.include('# TYPE rtap_test_events_total counter');
    expect(text).to.include('rtap_test_depth 7\n');
    expect(text).to.include('rtap_test_lag{partition="3"} 42\n');
    expect(text).to.include('rtap_test_lag{partition="5"} 0\n');
    expect(text).to.include('rtap_test_sync_total{kind="window"} 2\n');
    expect(text).to.match(/target_info\{[^}]*service_name="rtap-test"/);
    expect(text).to.match(/target_info\{[^}]*rtap_node_id="node-9"/);
    expect(text).to.not.include('otel_scope_name');
    events = 10;
    text = await m.scrape();
    expect(text).to.include('rtap_test_events_total 10\n');
    await m.shutdown();
    await m.shutdown(); // idempotent
  });

  it('listen() serves GET /metrics on its own port (404 elsewhere) until shutdown', async () => {
    const m = createMetrics({ serviceName: 'rtap-test' });
    observeGauge(m.meter, 'rtap.test.up', 'Up.', () => 1);
    const url = await m.listen(0);
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(url);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal(PROMETHEUS_CONTENT_TYPE);
    expect(await res.text()).to.include('rtap_test_up 1');
    expect((await fetch(url.replace('/metrics', '/other'))).status).to.equal(404);
    // A second server on the same port fails with the listen error.
    const other = createMetrics({ serviceName: 'rtap-test' });
    const err = await other.listen(Number(new URL(url).port)).then(() => undefined, (e: unknown) => e as NodeJS.ErrnoException);
    expect(err?.code).to.equal('EADDRINUSE');
    await other.shutdown();
    await m.shutdown(); // also drops fetch's kept-alive connection
    const after = await fetch(url).then(() => 'answered', () => 'refused');
    expect(after).to.equal('refused');
  });
});
