// The three requests the batch producer sends, each as its body encoder and response parser, in the
// newest non-flexible versions that kafkajs 2.2.4 also uses and Kafka 2.1 through 4.x accept.
// https://kafka.apache.org/protocol#protocol_messages
import type { Reader, Writer } from './protocol.ts';
import { writeRecordBatch, type BatchIdentity, type KafkaRecord } from './record-batch.ts';

export interface ApiCall<T> {
  readonly key: number;
  readonly version: number;
  readonly body: (w: Writer) => void;
  readonly parse: (r: Reader) => T;
}

export interface ClusterMetadata {
  readonly brokers: { id: number; host: string; port: number }[];
  readonly topics: { error: number; name: string; partitions: { error: number; index: number; leader: number }[] }[];
}

/** Metadata v6 for `topics`, without creating them. */
export const metadata = (topics: readonly string[]): ApiCall<ClusterMetadata> => ({
  key: 3,
  version: 6,
  body: (w) => {
    w.array(topics, (t) => w.string(t));
    w.int8(0); // allow_auto_topic_creation
  },
  parse: (r) => {
    r.int32(); // throttle
    const brokers = r.array(() => {
      const id = r.int32();
      const host = r.string();
      const port = r.int32();
      r.nullableString(); // rack
      return { id, host, port };
    });
    r.nullableString(); // cluster id
    r.int32(); // controller
    const topicList = r.array(() => {
      const error = r.int16();
      const name = r.string();
      r.bool(); // internal
      const partitions = r.array(() => {
        const perror = r.int16();
        const index = r.int32();
        const leader = r.int32();
        r.array(() => r.int32()); // replicas
        r.array(() => r.int32()); // in-sync replicas
        r.array(() => r.int32()); // offline replicas
        return { error: perror, index, leader };
      });
      return { error, name, partitions };
    });
    return { brokers, topics: topicList };
  },
});

/** InitProducerId v1 for an idempotent, non-transactional producer. */
export const initProducerId = (): ApiCall<{ error: number; producerId: bigint; producerEpoch: number }> => ({
  key: 22,
  version: 1,
  body: (w) => w.string(null).int32(60_000),
  parse: (r) => {
    r.int32(); // throttle
    return { error: r.int16(), producerId: r.int64(), producerEpoch: r.int16() };
  },
});

export interface PartitionBatch {
  readonly partition: number;
  readonly records: readonly KafkaRecord[];
  readonly baseSequence: number;
}

export interface PartitionAck {
  readonly partition: number;
  readonly error: number;
  readonly baseOffset: bigint;
}

/** Produce v7 (acks=all): one record batch per partition of one topic, stamped `timestampMs`. */
export const produce = (
  topic: string,
  batches: readonly PartitionBatch[],
  producer: Omit<BatchIdentity, 'baseSequence'>,
  timeoutMs: number,
  timestampMs = Date.now(),
): ApiCall<PartitionAck[]> => ({
  key: 0,
  version: 7,
  body: (w) => {
    w.string(null).int16(-1).int32(timeoutMs).int32(1).string(topic);
    w.array(batches, (b) => {
      w.int32(b.partition);
      const sizeAt = w.offset;
      w.int32(0);
      const size = writeRecordBatch(w, b.records, timestampMs, { ...producer, baseSequence: b.baseSequence });
      w.buf.writeInt32BE(size, sizeAt);
    });
  },
  parse: (r) => {
    const acks: PartitionAck[] = [];
    r.array(() => {
      r.string(); // topic
      r.array(() => {
        const partition = r.int32();
        const error = r.int16();
        const baseOffset = r.int64();
        r.int64(); // log append time
        r.int64(); // log start offset
        acks.push({ partition, error, baseOffset });
      });
    });
    r.int32(); // throttle
    return acks;
  },
});
