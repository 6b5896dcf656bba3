import { expect } from 'chai';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RtapEvent } from '../../actors/events/types.ts';
import { SchemaRegistryClient } from './client.ts';
import { RegistrySchemaCatalog } from './registry-catalog.ts';
import { EventCodec } from '../../actors/events/codec.ts';
import { DecodeError } from '../../actors/events/errors.ts';
import { conversionV1, customV1, pageViewV2, sessionV1 } from '../../actors/events/schemas.ts';

/** A tiny in-process stand-in for the Confluent Schema Registry REST API. */
function fakeRegistry(): { server: Server; requests: string[]; schemas: Map<number, string> } {
  const schemas = new Map<number, string>();
  const subjects = new Map<string, number>();
  const requests: string[] = [];
  let nextId = 100;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      res.setHeader('Content-Type', 'application/vnd.schemaregistry.v1+json');
      const byId = /^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
      const register = /^\/subjects\/([^/]+)\/versions$/.exec(req.url ?? '');
      if (req.method === 'GET' && byId) {
        const schema = schemas.get(Number(byId[1]));
        res.statusCode = schema ? 200 : 404;
        res.end(JSON.stringify(schema ? { schema } : { error_code: 40403, message: 'Schema not found' }));
      } else if (req.method === 'POST' && register) {
        const { schema } = JSON.parse(body) as { schema: string };
        const key = `${register[1]}:${schema}`;
        let id = subjects.get(key);
        if (id === undefined) {
          id = nextId++;
          subjects.set(key, id);
          schemas.set(id, schema);
        }
        res.end(JSON.stringify({ id }));
      } else {
        res.statusCode = 500;
        res.end(JSON.stringify({ error_code: 50001, message: 'boom' }));
      }
    });
  });
  return { server, requests, schemas };
}

describe('SchemaRegistryClient and RegistrySchemaCatalog', () => {
  let registry: ReturnType<typeof fakeRegistry>;
  let url: string;

  beforeEach(async () => {
    registry = fakeRegistry();
    await new Promise<void>((resolve) => registry.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(registry.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => registry.server.close(() => resolve()));
  });

  it('registers the writer schemas and round-trips events with registry ids', async () => {
    const catalog = await RegistrySchemaCatalog.create(new SchemaRegistryClient({ url }));
    const codec = new EventCodec(catalog);
    const event: RtapEvent = { eventId: 'e', userId: 'u', sessionId: 's', eventTime: 5, source: 'web', type: 'Conversion', orderId: 'o', value: 3.5, currency: 'EUR' };
    const bytes = codec.encode(event);
    expect(bytes.readInt32BE(1)).to.be.at.least(100);
    expect({ ...codec.decode(bytes) }).to.deep.equal(event);
  });

  it('fetches an unknown id once, caches it, and reports missing ids as unknown-schema', async () => {
    const client = new SchemaRegistryClient({ url });
    const v2Id = await client.register('rtap.events.PageView', JSON.stringify(pageViewV2));
    const producer = await RegistrySchemaCatalog.create(client, { PageView: pageViewV2, Session: sessionV1, Conversion: conversionV1, Custom: customV1 });
    const bytes = new EventCodec(producer).encode({ eventId: 'e', userId: 'u', sessionId: 's', eventTime: 5, source: 'web', type: 'PageView', page: '/', referrer: null, durationMs: 9 } as RtapEvent);
    expect(bytes.readInt32BE(1)).to.equal(v2Id);

    // A consumer with a fresh client has never seen the id: the first decode goes to the registry.
    const consumerClient = new SchemaRegistryClient({ url });
    const consumer = new EventCodec(await RegistrySchemaCatalog.create(consumerClient));
    registry.requests.length = 0;
    expect(() => consumer.decode(bytes)).to.throw(DecodeError);
    const decoded = await consumer.decodeAsync(bytes);
    expect(decoded).to.include({ type: 'PageView', page: '/', userId: 'u' });
    expect(decoded).not.to.have.property('durationMs');
    await consumer.decodeAsync(bytes);
    expect(registry.requests.filter((r) => r === `GET /schemas/ids/${v2Id}`)).to.have.length(1);

    const unknown = Buffer.from(bytes);
    unknown.writeInt32BE(7777, 1);
    try {
      await consumer.decodeAsync(unknown);
      expect.fail('should have thrown');
    } catch (err) {
      expect((err as DecodeError).reason).to.equal('unknown-schema');
    }
  });

  it('surfaces server errors without caching them', async () => {
    const client = new SchemaRegistryClient({ url: `${url}/broken` });
    try {
      await client.getSchemaById(1);
      expect.fail('should have thrown');
    } catch (err) {
      expect((err as Error).name).to.equal('SchemaRegistryError');
    }
  });
});
