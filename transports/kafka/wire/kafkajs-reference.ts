// kafkajs 2.2.4's own record-batch encoding, as its produce request does it (one record encoder per
// message, then the batch): the reference our encoder is checked against (record-batch.test.ts) and
// measured against (record-batch.bench.ts). Kafka accepts what it writes. Its internals have no
// types; these are the parts called.
import { createRequire } from 'node:module';
import type { BatchIdentity, KafkaRecord } from './record-batch.ts';

interface KafkajsEncoder {
  buffer: Buffer;
}
const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (args: Record<string, unknown>) => Promise<KafkajsEncoder> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: Record<string, unknown>) => KafkajsEncoder;
const Long = require('kafkajs/src/utils/long.js') as { fromString: (s: string) => unknown };

/** The bytes kafkajs writes for `records` (keys and values as strings or Buffers) as one batch stamped `timestampMs`. */
export async function kafkajsRecordBatch(records: readonly KafkaRecord[], timestampMs: number, id: BatchIdentity): Promise<Buffer> {
  const encoded = records.map((r, i) => Record({ ...r, offsetDelta: i, timestampDelta: 0 }));
  const batch = await RecordBatch({
    records: encoded,
    firstTimestamp: timestampMs,
    maxTimestamp: timestampMs,
    partitionLeaderEpoch: -1,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromString(id.producerId.toString()),
    producerEpoch: id.producerEpoch,
    firstSequence: id.baseSequence,
  });
  return batch.buffer;
}
