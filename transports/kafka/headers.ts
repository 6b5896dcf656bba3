// Kafka record headers rtap reads and writes.
import type { IHeaders } from 'kafkajs';

export const TRACEPARENT = 'traceparent';
/** Dead-letter headers: why, and where the record came from. */
export const DLQ_REASON = 'rtap-dlq-reason';
export const DLQ_DETAIL = 'rtap-dlq-detail';
export const DLQ_SOURCE_TOPIC = 'rtap-source-topic';
export const DLQ_SOURCE_PARTITION = 'rtap-source-partition';
export const DLQ_SOURCE_OFFSET = 'rtap-source-offset';

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

export function extractTraceparent(headers: IHeaders | undefined): string | undefined {
  return headerString(headers, TRACEPARENT);
}
