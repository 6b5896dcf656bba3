import { expect } from 'chai';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { endpoints, eventually, uniqueName } from '../support/endpoints.ts';

describe('InfluxDB v2 API on InfluxDB 1.8 (real server)', () => {
  // On 1.8 the v2 API's org is ignored, the bucket is "database/retention-policy" and the
  // token "user:password" (empty with auth off): the same client code serves InfluxDB 2.x.
  const influx = new InfluxDB({ url: endpoints.influxUrl, token: '' });

  it('writes points through /api/v2/write and reads them back with Flux', async () => {
    const run = uniqueName('run');
    const writer = influx.getWriteApi('', endpoints.influxBucket, 'ms');
    const t0 = Date.now() - 10_000;
    writer.writePoints([
      new Point('itest').tag('run', run).tag('page', '/home').intField('count', 3).timestamp(t0),
      new Point('itest').tag('run', run).tag('page', '/cart').intField('count', 5).timestamp(t0 + 1),
    ]);
    await writer.close();

    const query = influx.getQueryApi('');
    const flux = `from(bucket: "${endpoints.influxBucket}") |> range(start: -1h)
      |> filter(fn: (r) => r._measurement == "itest" and r.run == "${run}")`;
    const rows = await eventually(async () => {
      const got = await query.collectRows<{ page: string; _value: number; _field: string }>(flux);
      return got.length === 2 ? got : undefined;
    }, 10_000, 'the two points to be readable');

    const byPage = Object.fromEntries(rows.map((r) => [r.page, r._value]));
    expect(byPage).to.deep.equal({ '/home': 3, '/cart': 5 });
    expect(rows.every((r) => r._field === 'count')).to.equal(true);
  });
});
