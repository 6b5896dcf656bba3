import { expect } from 'chai';
import { InfluxDB } from '@influxdata/influxdb-client';
import { InfluxResultSink } from '../../transports/influx/influx-result-sink.ts';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';
import { patternResult, windowResult } from '../support/results.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

const influx = new InfluxDB({ url: endpoints.influxUrl, token: '' });

async function rows(flux: string): Promise<Record<string, unknown>[]> {
  return influx.getQueryApi('').collectRows<Record<string, unknown>>(flux);
}

function sinkAt(url: string, highWater = 10_000): InfluxResultSink {
  return new InfluxResultSink({ url, org: '', bucket: endpoints.influxBucket, token: '', flushIntervalMs: 200, highWater, source: 'itest' });
}

describe('InfluxResultSink (real InfluxDB)', () => {
  it('stores window and pattern results idempotently: a replay overwrites instead of adding', async () => {
    const analytic = uniqueName('itest');
    const sink = sinkAt(endpoints.influxUrl);
    try {
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 50; i++) sink.offer(windowResult(analytic, i));
        for (let i = 0; i < 10; i++) sink.offer(patternResult(analytic, i));
        await sink.flush();
      }
      const windows = await rows(`from(bucket: "${endpoints.influxBucket}") |> range(start: 2023-01-01T00:00:00Z)
        |> filter(fn: (r) => r._measurement == "rtap_window" and r.analytic == "${analytic}" and r._field == "count")`);
      expect(windows).to.have.length(50);
      expect(windows.map((r) => r._value).sort((a, b) => Number(a) - Number(b))).to.deep.equal([...Array(50).keys()].map((i) => i + 1));
      const patterns = await rows(`from(bucket: "${endpoints.influxBucket}") |> range(start: 2023-01-01T00:00:00Z)
        |> filter(fn: (r) => r._measurement == "rtap_pattern" and r.pattern == "${analytic}" and r._field == "offsets")`);
      expect(patterns).to.have.length(10);
    } finally {
      await sink.close();
    }
  });

  it('buffers while InfluxDB is unreachable, reports it, and writes everything once it is back', async () => {
    const analytic = uniqueName('itest');
    const proxy = new TcpProxy(8086);
    await proxy.up();
    const sink = sinkAt(`http://127.0.0.1:${proxy.port}`, 20);
    try {
      await proxy.down();
      let accepting = true;
      for (let i = 0; i < 40; i++) accepting = sink.offer(windowResult(analytic, i));
      expect(accepting).to.equal(false);
      const degraded = await eventually(async () => (sink.status().healthy ? undefined : sink.status()), 10_000, 'a degraded status');
      expect(degraded.reason).to.match(/^influxdb: .*ECONNREFUSED/);
      expect(degraded.buffered).to.equal(40);

      await proxy.up();
      await sink.flush();
      const written = await rows(`from(bucket: "${endpoints.influxBucket}") |> range(start: 2023-01-01T00:00:00Z)
        |> filter(fn: (r) => r._measurement == "rtap_window" and r.analytic == "${analytic}" and r._field == "count")`);
      expect(written).to.have.length(40);
      expect(sink.status()).to.include({ healthy: true, buffered: 0 });
    } finally {
      await sink.close();
      await proxy.down();
    }
  });
});
