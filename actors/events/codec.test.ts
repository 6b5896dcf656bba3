import { expect } from 'chai';
import avro from 'avsc';
import type { RtapEvent } from './types.ts';
import { EventCodec } from './codec.ts';
import { DecodeError } from './errors.ts';
import { EMBEDDED_SCHEMA_IDS, EmbeddedSchemaCatalog } from './catalog.ts';
import { pageViewV1, pageViewV2 } from './schemas.ts';

const base = { eventId: 'e1', userId: 'u1', sessionId: 's1', eventTime: 1_767_225_600_123, source: 'web' };
const samples: RtapEvent[] = [
  { ...base, type: 'PageView', page: '/product/7', referrer: null },
  { ...base, type: 'PageView', page: '/cart', referrer: '/product/7' },
  { ...base, type: 'Session', action: 'end' },
  { ...base, type: 'Conversion', orderId: 'o1', value: 19.99, currency: 'EUR' },
  { ...base, type: 'Custom', name: 'click', attributes: { target: 'buy', variant: 'b' } },
];

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('EventCodec (Confluent wire format, embedded catalog)', () => {
  const codec = new EventCodec();

  it('round-trips every event type, with the fixed schema id in the header', () => {
    for (const event of samples) {
      const bytes = codec.encode(event);
      expect(bytes[0]).to.equal(0);
      expect(bytes.readInt32BE(1)).to.equal(codec.catalog.writerId(event.type));
      expect({ ...codec.decode(bytes) }).to.deep.equal(event);
    }
  });

  it('decodes from a plain Uint8Array view too', () => {
    const bytes = codec.encode(samples[0] as RtapEvent);
    const copy = new Uint8Array(bytes.length + 8).subarray(4, 4 + bytes.length);
    copy.set(bytes);
    expect({ ...codec.decode(copy) }).to.deep.equal(samples[0]);
  });

  it('rejects bad frames and bodies with a typed reason', () => {
    const good = codec.encode(samples[3] as RtapEvent);
    const badMagic = Buffer.from(good);
    badMagic[0] = 7;
    expect(decodeError(() => codec.decode(badMagic)).reason).to.equal('bad-magic');
    expect(decodeError(() => codec.decode(good.subarray(0, 4))).reason).to.equal('truncated');
    const unknown = Buffer.from(good);
    unknown.writeInt32BE(4242, 1);
    const err = decodeError(() => codec.decode(unknown));
    expect(err.reason).to.equal('unknown-schema');
    expect(err.schemaId).to.equal(4242);
    expect(decodeError(() => codec.decode(good.subarray(0, good.length - 2))).reason).to.equal('undecodable');
    expect(decodeError(() => codec.decode(Buffer.concat([good, Buffer.from([1, 2])]))).reason).to.equal('undecodable');
  });

  it('decodeAsync resolves ids through the catalog', async () => {
    const event = await codec.decodeAsync(codec.encode(samples[4] as RtapEvent));
    expect({ ...event }).to.deep.equal(samples[4]);
  });
});

describe('schema evolution (PageView v1 <-> v2, a field added with a default)', () => {
  const v1 = avro.Type.forSchema(pageViewV1 as avro.Schema);
  const v2 = avro.Type.forSchema(pageViewV2 as avro.Schema);
  const record = { eventId: 'e', userId: 'u', sessionId: 's', eventTime: 1, source: 'web', page: '/', referrer: null };

  it('a v1 reader reads v2 data (the new field is skipped)', () => {
    const written = v2.toBuffer({ ...record, durationMs: 1234 });
    expect({ ...(v1.fromBuffer(written, v1.createResolver(v2)) as object) }).to.deep.equal(record);
  });

  it('a v2 reader reads v1 data (the new field takes its default)', () => {
    const written = v1.toBuffer(record);
    expect({ ...(v2.fromBuffer(written, v2.createResolver(v1)) as object) }).to.deep.equal({ ...record, durationMs: 0 });
  });

  it('through the codec: a v2 writer is decoded by this build (v1 reader), and a v2-reading build reads v1 bytes', () => {
    const v2Writer = new EventCodec(new EmbeddedSchemaCatalog({ writerIds: { PageView: EMBEDDED_SCHEMA_IDS.pageViewV2 } }));
    const event: RtapEvent = { ...base, type: 'PageView', page: '/x', referrer: null };
    const v2Bytes = v2Writer.encode({ ...event, durationMs: 50 } as RtapEvent);
    expect(v2Bytes.readInt32BE(1)).to.equal(EMBEDDED_SCHEMA_IDS.pageViewV2);
    expect({ ...new EventCodec().decode(v2Bytes) }).to.deep.equal(event);

    const v2Reader = new EventCodec(new EmbeddedSchemaCatalog({ readers: { PageView: pageViewV2 } }));
    expect({ ...v2Reader.decode(new EventCodec().encode(event)) }).to.deep.equal({ ...event, durationMs: 0 });
  });
});
