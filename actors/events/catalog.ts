// Where schema ids come from. One interface, two implementations: the catalog embedded in the
// project (fixed ids, no network — the default) and a Confluent Schema Registry client
// (transports/schema-registry/), used when configured. Decoding stays synchronous: the hot path
// asks `get`, and only an unknown id takes the async `load` path.

import avro from 'avsc';
import type { Resolver, Type } from 'avsc';
import type { RtapEventType } from './types.ts';
import type { AvroRecordSchema } from './schemas.ts';
import { conversionV1, currentSchemas, customV1, eventTypeOfRecord, pageViewV1, pageViewV2, sessionV1 } from './schemas.ts';

export interface CatalogEntry {
  readonly id: number;
  readonly eventType: RtapEventType;
  /** The schema the bytes were written with. */
  readonly writer: Type;
  /** Precompiled writer → reader resolution, built once per id (never per message). */
  readonly resolver: Resolver;
  /** This build's reader type for the event type. */
  readonly reader: Type;
}

export interface SchemaCatalog {
  /** Hot path: the entry for a schema id, or undefined if it is not known (yet). */
  get(id: number): CatalogEntry | undefined;
  /** Slow path for an id `get` does not know (a registry round trip); undefined if it does not exist. */
  load(id: number): Promise<CatalogEntry | undefined>;
  /** The id this build writes an event type with. */
  writerId(type: RtapEventType): number;
  /** The writer type for an event type (encoding). */
  writerType(type: RtapEventType): Type;
}

const readerCache = new Map<string, Type>();

/**
 * The reader type for an event type: the given schema plus a `type` field whose default is the
 * event type. The writer never has `type`, so Avro resolution fills it from the default — the
 * decoded record is the RtapEvent itself, with no copy.
 */
export function readerTypeFor(eventType: RtapEventType, schema: AvroRecordSchema = currentSchemas[eventType]): Type {
  const cacheKey = `${eventType}:${JSON.stringify(schema)}`;
  let type = readerCache.get(cacheKey);
  if (!type) {
    type = avro.Type.forSchema({ ...schema, fields: [...schema.fields, { name: 'type', type: 'string', default: eventType }] } as avro.Schema);
    readerCache.set(cacheKey, type);
  }
  return type;
}

/** Builds a catalog entry for bytes written with `writerSchema` (an object or registry JSON string). */
export function makeEntry(id: number, writerSchema: AvroRecordSchema | string, readers?: Partial<Record<RtapEventType, AvroRecordSchema>>): CatalogEntry | undefined {
  const parsed = (typeof writerSchema === 'string' ? JSON.parse(writerSchema) : writerSchema) as avro.Schema;
  const writer = avro.Type.forSchema(parsed);
  const fullName = writer.name ?? '';
  const eventType = eventTypeOfRecord(fullName);
  if (!eventType) return undefined;
  const reader = readerTypeFor(eventType, readers?.[eventType]);
  return { id, eventType, writer, reader, resolver: reader.createResolver(writer) };
}

/** Fixed ids of the embedded catalog. Never reuse or renumber: they are in every stored message. */
export const EMBEDDED_SCHEMA_IDS = {
  pageViewV1: 1,
  sessionV1: 2,
  conversionV1: 3,
  customV1: 4,
  pageViewV2: 5,
} as const;

const embeddedSchemas: ReadonlyArray<[number, AvroRecordSchema]> = [
  [EMBEDDED_SCHEMA_IDS.pageViewV1, pageViewV1],
  [EMBEDDED_SCHEMA_IDS.sessionV1, sessionV1],
  [EMBEDDED_SCHEMA_IDS.conversionV1, conversionV1],
  [EMBEDDED_SCHEMA_IDS.customV1, customV1],
  [EMBEDDED_SCHEMA_IDS.pageViewV2, pageViewV2],
];

export interface EmbeddedCatalogOptions {
  /** Which id to write each event type with (default: the v1 schemas, ids 1–4). */
  writerIds?: Partial<Record<RtapEventType, number>>;
  /** Reader schemas (default: the current schemas). A test can read as v2, say. */
  readers?: Partial<Record<RtapEventType, AvroRecordSchema>>;
}

export class EmbeddedSchemaCatalog implements SchemaCatalog {
  private readonly entries = new Map<number, CatalogEntry>();
  private readonly writers: Record<RtapEventType, number>;

  constructor(opts: EmbeddedCatalogOptions = {}) {
    for (const [id, schema] of embeddedSchemas) {
      const entry = makeEntry(id, schema, opts.readers);
      if (entry) this.entries.set(id, entry);
    }
    this.writers = {
      PageView: EMBEDDED_SCHEMA_IDS.pageViewV1,
      Session: EMBEDDED_SCHEMA_IDS.sessionV1,
      Conversion: EMBEDDED_SCHEMA_IDS.conversionV1,
      Custom: EMBEDDED_SCHEMA_IDS.customV1,
      ...opts.writerIds,
    };
  }

  get(id: number): CatalogEntry | undefined {
    return this.entries.get(id);
  }

  load(id: number): Promise<CatalogEntry | undefined> {
    return Promise.resolve(this.entries.get(id));
  }

  writerId(type: RtapEventType): number {
    return this.writers[type];
  }

  writerType(type: RtapEventType): Type {
    const entry = this.entries.get(this.writers[type]);
    if (!entry) throw new Error(`no embedded schema with id ${this.writers[type]}`);
    return entry.writer;
  }
}
