import { expect } from 'chai';
import { DiscardPolicy, connect, headers, type NatsConnection } from 'nats';
import { ensureStream, type StreamSpec } from '../../transports/nats/ensure-stream.ts';
import { endpoints, uniqueName } from '../support/endpoints.ts';

describe('NATS JetStream (real server)', () => {
  let nc: NatsConnection;
  const stream = uniqueName('itest').replace(/[^a-zA-Z0-9_-]/g, '_');
  const subject = `itest.${stream}`;

  before(async () => {
    nc = await connect({ servers: endpoints.natsServers });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [subject], duplicate_window: 60_000_000_000 });
  });

  after(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream);
    await nc.close();
  });

  it('keeps one message when the same Nats-Msg-Id is published twice', async () => {
    const js = nc.jetstream();
    const h = headers();
    h.set('X-Test', 'dedup');
    const first = await js.publish(subject, new TextEncoder().encode('result-1'), { msgID: 'result-1', headers: h });
    const second = await js.publish(subject, new TextEncoder().encode('result-1 again'), { msgID: 'result-1' });
    const other = await js.publish(subject, new TextEncoder().encode('result-2'), { msgID: 'result-2' });

    expect(first.duplicate).to.equal(false);
    expect(second.duplicate).to.equal(true);
    expect(second.seq).to.equal(first.seq);
    expect(other.duplicate).to.equal(false);

    const info = await (await nc.jetstreamManager()).streams.info(stream);
    expect(info.state.messages).to.equal(2);
    const stored = await (await nc.jetstreamManager()).streams.getMessage(stream, { seq: first.seq });
    expect(new TextDecoder().decode(stored.data)).to.equal('result-1');
    expect(stored.header.get('X-Test')).to.equal('dedup');
  });

  const spec = (name: string, subjects: string[], duplicateWindowMs: number): StreamSpec => ({ name, subjects, duplicateWindowMs, maxAgeMs: 3_600_000, maxBytes: 1024 ** 2 });

  it('ensureStream creates a stream once, adds missing subjects and raises a too-short duplicate window', async () => {
    const name = `${stream}_ensure`;
    const jsm = await nc.jetstreamManager();
    await Promise.all([1, 2].map(() => ensureStream(nc, spec(name, [`${subject}.a`], 60_000))));
    expect((await jsm.streams.info(name)).config.duplicate_window).to.equal(60_000 * 1e6);
    await ensureStream(nc, spec(name, [`${subject}.b`], 600_000));
    let info = await jsm.streams.info(name);
    expect(info.config.subjects).to.deep.equal([`${subject}.a`, `${subject}.b`]);
    expect(info.config.duplicate_window).to.equal(600_000 * 1e6);
    await ensureStream(nc, spec(name, [`${subject}.a`], 120_000));
    info = await jsm.streams.info(name);
    expect(info.config.duplicate_window, 'a longer window set by an operator stays').to.equal(600_000 * 1e6);
    await jsm.streams.delete(name);
  });

  it('ensureStream bounds the stream: creates it with our limits, bounds one found unbounded, keeps an operator\'s limit', async () => {
    const jsm = await nc.jetstreamManager();
    const created = `${stream}_bounded`;
    await ensureStream(nc, { ...spec(created, [`${subject}.c`], 600_000), maxAgeMs: 60_000 });
    let config = (await jsm.streams.info(created)).config;
    expect(config.max_bytes).to.equal(1024 ** 2);
    expect(config.discard).to.equal(DiscardPolicy.Old);
    expect(config.max_age, 'never shorter than the duplicate window').to.equal(600_000 * 1e6);

    const unbounded = `${stream}_unbounded`;
    await jsm.streams.add({ name: unbounded, subjects: [`${subject}.u`], duplicate_window: 600_000 * 1e6, max_age: 86_400 * 1e9 });
    await ensureStream(nc, spec(unbounded, [`${subject}.u`], 600_000));
    config = (await jsm.streams.info(unbounded)).config;
    expect(config.max_bytes).to.equal(1024 ** 2);
    expect(config.max_age, 'its age limit stays').to.equal(86_400 * 1e9);

    await jsm.streams.update(unbounded, { ...config, max_bytes: 5 * 1024 ** 2 });
    await ensureStream(nc, spec(unbounded, [`${subject}.u`], 600_000));
    expect((await jsm.streams.info(unbounded)).config.max_bytes, 'an operator\'s limit stays').to.equal(5 * 1024 ** 2);
    await Promise.all([jsm.streams.delete(created), jsm.streams.delete(unbounded)]);
  });

  it('still drops a duplicate whose first copy the byte limit has already discarded', async () => {
    const name = `${stream}_dedup_bounded`;
    const subj = `${subject}.d`;
    const jsm = await nc.jetstreamManager();
    await ensureStream(nc, { ...spec(name, [subj], 60_000), maxBytes: 4096 });
    const js = nc.jetstream();
    const payload = new Uint8Array(200);
    const first = await js.publish(subj, payload, { msgID: 'first' });
    for (let i = 0; i < 40; i++) await js.publish(subj, payload, { msgID: `filler-${i}` });
    const state = (await jsm.streams.info(name)).state;
    expect(state.first_seq, 'the limit dropped the first message').to.be.greaterThan(first.seq);
    const again = await js.publish(subj, payload, { msgID: 'first' });
    expect(again.duplicate).to.equal(true);
    expect((await jsm.streams.info(name)).state.last_seq).to.equal(state.last_seq);
    await jsm.streams.delete(name);
  });
});
