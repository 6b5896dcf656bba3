// SchemaCatalog backed by a Confluent Schema Registry. Subjects use the record-name strategy
// (`rtap.events.PageView`...) because all four event types share one topic. `create` registers
// this build's writer schemas; unknown ids met while decoding are fetched once and cached.

import type { Type } from 'avsc';
import type { CatalogEntry, SchemaCatalog } from '../../actors/events/catalog.ts';
import { makeEntry } from '../../actors/events/catalog.ts';
import type { AvroRecordSchema } from '../../actors/events/schemas.ts';
import { currentSchemas, NAMESPACE } from '../../actors/events/schemas.ts';
import type { RtapEventType } from '../../actors/events/types.ts';
import type { SchemaRegistryClient } from './client.ts';

export class RegistrySchemaCatalog implements SchemaCatalog {
  private readonly entries = new Map<number, CatalogEntry>();
  private readonly writers = new Map<RtapEventType, CatalogEntry>();

  private constructor(private readonly client: SchemaRegistryClient) {}

  static async create(client: SchemaRegistryClient, schemas: Record<RtapEventType, AvroRecordSchema> = currentSchemas): Promise<RegistrySchemaCatalog> {
    const catalog = new RegistrySchemaCatalog(client);
    for (const [eventType, schema] of Object.entries(schemas) as Array<[RtapEventType, AvroRecordSchema]>) {
      const text = JSON.stringify(schema);
      const id = await client.register(`${NAMESPACE}.${schema.name}`, text);
      const entry = makeEntry(id, text);
      if (!entry) throw new Error(`schema for ${eventType} is not an rtap event record`);
      catalog.entries.set(id, entry);
      catalog.writers.set(eventType, entry);
    }
    return catalog;
  }

  get(id: number): CatalogEntry | undefined {
    return this.entries.get(id);
  }

  async load(id: number): Promise<CatalogEntry | undefined> {
    const known = this.entries.get(id);
    if (known) return known;
    const text = await this.client.getSchemaById(id);
    if (text === undefined) return undefined;
    const entry = makeEntry(id, text);
    // A schema that is not one of our records stays unknown: the codec reports 'unknown-schema'.
    if (entry) this.entries.set(id, entry);
    return entry;
  }

  writerId(type: RtapEventType): number {
    return this.writer(type).id;
  }

  writerType(type: RtapEventType): Type {
    return this.writer(type).writer;
  }

  private writer(type: RtapEventType): CatalogEntry {
    const entry = this.writers.get(type);
    if (!entry) throw new Error(`no registered writer schema for ${type}`);
    return entry;
  }
}
