// The Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the Avro body.

import { DecodeError } from './errors.ts';

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

/** Reads the schema id of a framed message; throws DecodeError on a bad frame. */
export function readSchemaId(buf: Buffer): number {
  if (buf.length < HEADER_BYTES) throw new DecodeError('truncated', `message of ${buf.length} bytes has no wire header`);
  if (buf[0] !== MAGIC_BYTE) throw new DecodeError('bad-magic', `magic byte ${buf[0]} is not ${MAGIC_BYTE}`);
  return buf.readInt32BE(1);
}

export function writeHeader(buf: Buffer, schemaId: number): void {
  buf[0] = MAGIC_BYTE;
  buf.writeInt32BE(schemaId, 1);
}
