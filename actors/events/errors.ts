// Why a record cannot enter the analytics. Every reason is a dead-letter-queue reason: the
// pipeline routes the raw bytes with this reason to the DLQ topic instead of crashing or dropping.

export type DecodeErrorReason = 'bad-magic' | 'truncated' | 'unknown-schema' | 'undecodable';
/** Reasons the engine rejects a decoded event (validation, not decoding). */
export type RejectReason = 'future-timestamp' | 'invalid-timestamp';
export type DlqReason = DecodeErrorReason | RejectReason;

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: DecodeErrorReason,
    message: string,
    readonly schemaId?: number,
  ) {
    super(message);
  }
}

export function isDecodeError(err: unknown): err is DecodeError {
  return err instanceof DecodeError;
}
