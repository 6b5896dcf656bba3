// Event <-> Confluent-framed Avro bytes. Decoding is synchronous and allocates only the event
// (the resolver is precompiled per schema id); failures throw a DecodeError whose reason the
// pipeline uses to route the raw bytes to the dead-letter topic.

import type { RtapEvent } from './types.ts';
import type { SchemaCatalog } from './catalog.ts';
import { EmbeddedSchemaCatalog } from './catalog.ts';
import { DecodeError } from './errors.ts';
import { HEADER_BYTES, readSchemaId, writeHeader } from './wire.ts';

export class EventCodec {
  constructor(readonly catalog: SchemaCatalog = new EmbeddedSchemaCatalog()) {}

  encode(event: RtapEvent): Buffer {
    const type = this.catalog.writerType(event.type);
    const body = type.toBuffer(event);
    const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    writeHeader(out, this.catalog.writerId(event.type));
    body.copy(out, HEADER_BYTES);
    return out;
  }

  /** Decodes with the schemas the catalog already knows; an unknown id is a DecodeError. */
  decode(bytes: Uint8Array): RtapEvent {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const id = readSchemaId(buf);
    const entry = this.catalog.get(id);
    if (!entry) throw new DecodeError('unknown-schema', `unknown schema id ${id}`, id);
    let decoded: { value: unknown; offset: number };
    try {
      decoded = entry.reader.decode(buf, HEADER_BYTES, entry.resolver);
    } catch (err) {
      throw new DecodeError('undecodable', `schema ${id}: ${(err as Error).message}`, id);
    }
    // offset -1: the body ended early; a shorter offset: trailing garbage. Both mean wrong bytes.
    if (decoded.offset !== buf.length) throw new DecodeError('undecodable', `schema ${id}: body does not match the schema`, id);
    return decoded.value as RtapEvent;
  }

  /** Like `decode`, but first fetches an id the catalog does not know yet (registry catalogs). */
  async decodeAsync(bytes: Uint8Array): Promise<RtapEvent> {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const id = readSchemaId(buf);
    if (!this.catalog.get(id)) await this.catalog.load(id);
    return this.decode(buf);
  }
}
