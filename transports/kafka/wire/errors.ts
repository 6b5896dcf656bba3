// The broker error codes rtap's Kafka clients tell apart. https://kafka.apache.org/protocol#protocol_error_codes
const NAMES: Record<number, string> = {
  1: 'OFFSET_OUT_OF_RANGE',
  2: 'CORRUPT_MESSAGE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  7: 'REQUEST_TIMED_OUT',
  10: 'MESSAGE_TOO_LARGE',
  13: 'NETWORK_EXCEPTION',
  14: 'COORDINATOR_LOAD_IN_PROGRESS',
  15: 'COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR',
  18: 'RECORD_LIST_TOO_LARGE',
  19: 'NOT_ENOUGH_REPLICAS',
  20: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  22: 'ILLEGAL_GENERATION',
  23: 'INCONSISTENT_GROUP_PROTOCOL',
  25: 'UNKNOWN_MEMBER_ID',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  30: 'GROUP_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  35: 'UNSUPPORTED_VERSION',
  42: 'INVALID_REQUEST',
  45: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  46: 'DUPLICATE_SEQUENCE_NUMBER',
  47: 'INVALID_PRODUCER_EPOCH',
  59: 'UNKNOWN_PRODUCER_ID',
  74: 'FENCED_LEADER_EPOCH',
  75: 'UNKNOWN_LEADER_EPOCH',
  81: 'GROUP_MAX_SIZE_REACHED',
  87: 'INVALID_RECORD',
  100: 'UNKNOWN_TOPIC_ID',
  110: 'FENCED_MEMBER_EPOCH',
  111: 'UNRELEASED_INSTANCE_ID',
  112: 'UNSUPPORTED_ASSIGNOR',
  113: 'STALE_MEMBER_EPOCH',
};

export const errorName = (code: number): string => NAMES[code] ?? `error ${code}`;

/** Codes after which the same request may succeed (leadership moved, a replica caught up, a timeout). */
const RETRIABLE = new Set([3, 5, 6, 7, 13, 14, 15, 19, 20]);
export const isRetriable = (code: number): boolean => RETRIABLE.has(code);

/** Codes that move a partition's leadership or existence: the client re-reads the metadata. */
const STALE_METADATA = new Set([3, 5, 6, 74, 75, 100]);
export const meansStaleMetadata = (code: number): boolean => STALE_METADATA.has(code);

/** Codes after which the group coordinator is to be looked up again. */
const COORDINATOR_MOVED = new Set([14, 15, 16]);
export const meansCoordinatorMoved = (code: number): boolean => COORDINATOR_MOVED.has(code);

/** A broker answer that no retry can change (the producer gives up at once). */
export class KafkaFatalError extends Error {
  override name = 'KafkaFatalError';
}

/** The error for a broker error code: fatal unless a retry may succeed. */
export const brokerError = (message: string, code: number): Error => (isRetriable(code) ? new Error(message) : new KafkaFatalError(message));
