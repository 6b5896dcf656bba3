// The requests KafkaSource sends: the consumer group protocol of KIP-848 (FindCoordinator,
// ConsumerGroupHeartbeat, OffsetCommit; Kafka 4.0+), Fetch and ListOffsets, and ApiVersions to check
// the broker speaks them. Field layouts as Kafka 4.x's own schemas give them.
// https://kafka.apache.org/protocol#protocol_messages
import type { Reader } from './protocol.ts';
import type { AbortedTransaction } from './record-batch-reader.ts';
import type { ApiCall } from './requests.ts';

export const API = { fetch: 1, listOffsets: 2, metadata: 3, offsetCommit: 8, findCoordinator: 10, consumerGroupHeartbeat: 68 } as const;

/** ApiVersions v0: the version range the broker accepts for each API key. */
export const apiVersions = (): ApiCall<{ error: number; ranges: Map<number, { min: number; max: number }> }> => ({
  key: 18,
  version: 0,
  body: () => undefined,
  parse: (r) => {
    const error = r.int16();
    const ranges = new Map<number, { min: number; max: number }>();
    r.array(() => ranges.set(r.int16(), { min: r.int16(), max: r.int16() }));
    return { error, ranges };
  },
});

export interface Coordinator {
  readonly error: number;
  readonly message: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** FindCoordinator v3 for a consumer group. */
export const findCoordinator = (groupId: string): ApiCall<Coordinator> => ({
  key: API.findCoordinator,
  version: 3,
  flexible: true,
  body: (w) => w.compactString(groupId).int8(0).tags(), // key type 0: a group
  parse: (r) => {
    r.int32(); // throttle
    const error = r.int16();
    const message = r.compactNullableString();
    const nodeId = r.int32();
    const host = r.compactString();
    const port = r.int32();
    r.skipTags();
    return { error, message, nodeId, host, port };
  },
});

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly memberId: string;
  /** 0 joins, -1 leaves, else the epoch last received. */
  readonly memberEpoch: number;
  readonly rebalanceTimeoutMs: number;
  readonly topic: string;
  readonly topicId: string;
  /** The partitions the member owns (has not yet given up). */
  readonly owned: readonly number[];
}

export interface HeartbeatResponse {
  readonly error: number;
  readonly message: string | null;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The partitions of each topic (by id) the member may use now; null when unchanged. */
  readonly assignment: Map<string, number[]> | null;
}

/**
 * ConsumerGroupHeartbeat v1 (KIP-848; the member makes its own id, KIP-1082). Every field is sent
 * every time, as after an error, so no heartbeat depends on one before it having arrived.
 */
export const consumerGroupHeartbeat = (h: HeartbeatRequest): ApiCall<HeartbeatResponse> => ({
  key: API.consumerGroupHeartbeat,
  version: 1,
  flexible: true,
  body: (w) => {
    w.compactString(h.groupId).compactString(h.memberId).int32(h.memberEpoch);
    w.compactString(null).compactString(null); // instance id, rack id
    w.int32(h.rebalanceTimeoutMs);
    w.compactArray([h.topic], (t) => w.compactString(t));
    w.compactString(null).compactString(null); // topic regex, server assignor (the broker's default)
    w.compactArray(h.memberEpoch === -1 ? null : h.owned.length === 0 ? [] : [h.owned], (ps) => {
      w.uuid(h.topicId).compactArray(ps, (p) => w.int32(p)).tags();
    });
    w.tags();
  },
  parse: (r) => {
    r.int32(); // throttle
    const error = r.int16();
    const message = r.compactNullableString();
    r.compactNullableString(); // member id (ours, echoed)
    const memberEpoch = r.int32();
    const heartbeatIntervalMs = r.int32();
    let assignment: Map<string, number[]> | null = null;
    if (r.int8() >= 0) {
      // A nullable struct: -1 null, 1 present.
      assignment = new Map();
      for (const t of r.compactArray(() => readTopicPartitions(r))) assignment.set(t.topicId, t.partitions);
      r.skipTags();
    }
    r.skipTags();
    return { error, message, memberEpoch, heartbeatIntervalMs, assignment };
  },
});

function readTopicPartitions(r: Reader): { topicId: string; partitions: number[] } {
  const topicId = r.uuid();
  const partitions = r.compactArray(() => r.int32());
  r.skipTags();
  return { topicId, partitions };
}

/** OffsetCommit v9 (the first a KIP-848 member may use): one partition's next offset. Resolves with its error code. */
export const offsetCommit = (groupId: string, memberId: string, memberEpoch: number, topic: string, partition: number, offset: number): ApiCall<number> => ({
  key: API.offsetCommit,
  version: 9,
  flexible: true,
  body: (w) => {
    w.compactString(groupId).int32(memberEpoch).compactString(memberId).compactString(null);
    w.compactArray([topic], (t) => {
      w.compactString(t);
      w.compactArray([partition], (p) => w.int32(p).int64(BigInt(offset)).int32(-1).compactString(null).tags());
      w.tags();
    });
    w.tags();
  },
  parse: (r) => {
    r.int32(); // throttle
    let error = 0;
    r.compactArray(() => {
      r.compactString();
      r.compactArray(() => {
        r.int32();
        error = r.int16() || error;
        r.skipTags();
      });
      r.skipTags();
    });
    r.skipTags();
    return error;
  },
});

export interface FetchPartition {
  readonly partition: number;
  readonly offset: number;
}

export interface FetchedPartition {
  readonly partition: number;
  readonly error: number;
  readonly highWatermark: number;
  readonly aborted: AbortedTransaction[] | null;
  readonly records: Buffer | null;
}

export interface FetchLimits {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
}

/** Fetch v11, read_committed, without a fetch session: `partitions` of one topic from their offsets. */
export const fetch = (topic: string, partitions: readonly FetchPartition[], limits: FetchLimits): ApiCall<FetchedPartition[]> => ({
  key: API.fetch,
  version: 11,
  body: (w) => {
    w.int32(-1).int32(limits.maxWaitMs).int32(limits.minBytes).int32(limits.maxBytes).int8(1); // replica -1 (a consumer), isolation read_committed
    w.int32(0).int32(-1); // session id and epoch: no incremental fetch session
    w.array([topic], (t) => {
      w.string(t);
      w.array(partitions, (p) => w.int32(p.partition).int32(-1).int64(BigInt(p.offset)).int64(-1n).int32(limits.partitionMaxBytes));
    });
    w.int32(0); // forgotten topics
    w.string(''); // rack id
  },
  parse: (r) => {
    r.int32(); // throttle
    const error = r.int16();
    if (error !== 0) return partitions.map((p) => ({ partition: p.partition, error, highWatermark: -1, aborted: null, records: null }));
    r.int32(); // session id
    const out: FetchedPartition[] = [];
    r.array(() => {
      r.string(); // topic
      r.array(() => {
        const partition = r.int32();
        const perror = r.int16();
        const highWatermark = Number(r.int64());
        r.int64(); // last stable offset
        r.int64(); // log start offset
        const aborted = r.array(() => ({ producerId: r.int64(), firstOffset: Number(r.int64()) }));
        r.int32(); // preferred read replica
        out.push({ partition, error: perror, highWatermark, aborted: aborted.length > 0 ? aborted : null, records: r.bytes() });
      });
    });
    return out;
  },
});

/** ListOffsets v4, read_committed: each partition's earliest offset (timestamp -2). */
export const earliestOffsets = (topic: string, partitions: readonly number[]): ApiCall<{ partition: number; error: number; offset: number }[]> => ({
  key: API.listOffsets,
  version: 4,
  body: (w) => {
    w.int32(-1).int8(1);
    w.array([topic], (t) => {
      w.string(t);
      w.array(partitions, (p) => w.int32(p).int32(-1).int64(-2n));
    });
  },
  parse: (r) => {
    r.int32(); // throttle
    const out: { partition: number; error: number; offset: number }[] = [];
    r.array(() => {
      r.string();
      r.array(() => {
        const partition = r.int32();
        const error = r.int16();
        r.int64(); // timestamp
        const offset = Number(r.int64());
        r.int32(); // leader epoch
        out.push({ partition, error, offset });
      });
    });
    return out;
  },
});
