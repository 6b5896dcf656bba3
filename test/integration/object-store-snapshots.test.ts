import { expect } from 'chai';
import { connect, type NatsConnection } from 'nats';
import { ObjectStoreSnapshotStore } from '../../transports/nats/object-store-snapshot-store.ts';
import { endpoints, uniqueName } from '../support/endpoints.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('ObjectStoreSnapshotStore (real NATS JetStream Object Store)', () => {
  let nc: NatsConnection;
  const bucket = uniqueName('itest-snap');

  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
  });
  after(async () => {
    await (await nc.jetstreamManager()).streams.delete(`OBJ_${bucket}`).catch(() => undefined);
    await nc.close();
  });

  it('saves numbered snapshots, loads the newest, lists and prunes', async () => {
    const store = new ObjectStoreSnapshotStore(nc, { bucket });
    await Promise.all([store.save('events-1', bytes('one'), { offset: 10 }), store.save('events-1', bytes('two'), { offset: 20 })]);
    await store.save('events-2', bytes('other partition'));
    const latest = await store.loadLatest('events-1');
    expect(text(latest!.bytes)).to.equal('two');
    expect(latest!.info).to.include({ id: 'events-1', seq: 2, size: 3 });
    expect(latest!.info.meta).to.deep.equal({ offset: 20 });
    expect((await store.list('events-1')).map((i) => i.seq)).to.deep.equal([2, 1]);
    expect(await store.prune('events-1', 1)).to.equal(1);
    expect((await store.list('events-1')).map((i) => i.seq)).to.deep.equal([2]);
    expect(text((await store.loadLatest('events-2'))!.bytes)).to.equal('other partition');
    expect(await store.loadLatest('events-3')).to.equal(undefined);
  });

  it('round-trips a multi-chunk snapshot byte for byte', async () => {
    const store = new ObjectStoreSnapshotStore(nc, { bucket, chunkBytes: 64 * 1024 });
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    await store.save('big', big);
    const loaded = await store.loadLatest('big');
    expect(loaded!.bytes.length).to.equal(big.length);
    expect(Buffer.from(loaded!.bytes).equals(Buffer.from(big))).to.equal(true);
  });

  it('falls back to the previous snapshot when the newest fails its digest check', async () => {
    const store = new ObjectStoreSnapshotStore(nc, { bucket });
    await store.save('corrupt', bytes('good'));
    await store.save('corrupt', bytes('newest'));
    const os = await nc.jetstream().views.os(bucket);
    const newest = await os.info('corrupt/2');
    // An extra chunk on the object's chunk subject: the data no longer matches its digest.
    await nc.jetstream().publish(`$O.${bucket}.C.${newest!.nuid}`, bytes('garbage'));
    const loaded = await store.loadLatest('corrupt');
    expect(text(loaded!.bytes)).to.equal('good');
    expect(loaded!.skipped).to.have.length(1);
    expect(loaded!.skipped[0]!.seq).to.equal(2);
  });
});
