// The requests the batch producer sends, each as its body encoder and response parser: Metadata in
// a version that names topic ids (Kafka 3.1+; the consumer needs them), InitProducerId and Produce
// in the non-flexible versions kafkajs 2.2.4 also uses.
// https://kafka.apache.org/protocol#protocol_messages
import type { Reader, Writer } from './protocol.ts';
import { writeRecordBatch, type BatchIdentity, type KafkaRecord } from './record-batch.ts';

/** The all-zero topic id: "look the topic up by its name". */
export const NO_TOPIC_ID = '0'.repeat(32);

export interface ApiCall<T> {
  readonly key: number;
  readonly version: number;
  readonly body: (w: Writer) => void;
  readonly parse: (r: Reader) => T;
  /** A flexible version (KIP-482): request header v2, response header v1. */
  readonly flexible?: boolean;
}

export interface ClusterMetadata {
  readonly brokers: { id: number; host: string; port: number }[];
  readonly topics: { error: number; name: string; id: string; partitions: { error: number; index: number; leader: number }[] }[];
}

/** Metadata v12 for `topics`, without creating them; it names each topic's id (which the consumer group protocol speaks). */
export const metadata = (topics: readonly string[]): ApiCall<ClusterMetadata> => ({
  key: 3,
  version: 12,
  flexible: true,
  body: (w) => {
    w.compactArray(topics, (t) => w.uuid(NO_TOPIC_ID).compactString(t).tags());
    w.bool(false); // allow_auto_topic_creation
    w.bool(false); // include_topic_authorized_operations
    w.tags();
  },
  parse: (r) => {
    r.int32(); // throttle
    const brokers = r.compactArray(() => {
      const id = r.int32();
      const host = r.compactString();
      const port = r.int32();
      r.compactNullableString(); // rack
      r.skipTags();
      return { id, host, port };
    });
    r.compactNullableString(); // cluster id
    r.int32(); // controller
    const topicList = r.compactArray(() => {
      const error = r.int16();
      const name = r.compactNullableString() ?? '';
      const id = r.uuid();
      r.bool(); // internal
      const partitions = r.compactArray(() => {
        const perror = r.int16();
        const index = r.int32();
        const leader = r.int32();
        r.int32(); // leader epoch
        r.compactArray(() => r.int32()); // replicas
        r.compactArray(() => r.int32()); // in-sync replicas
        r.compactArray(() => r.int32()); // offline replicas
        r.skipTags();
        return { error: perror, index, leader };
      });
      r.int32(); // authorized operations
      r.skipTags();
      return { error, name, id, partitions };
    });
    r.skipTags();
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
