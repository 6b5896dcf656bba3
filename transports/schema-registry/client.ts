// A minimal Confluent Schema Registry client over fetch: look up a schema by id (cached — ids are
// immutable in a registry) and register a subject's schema. Only what the codec needs.

export interface SchemaRegistryOptions {
  /** e.g. http://localhost:8081 */
  url: string;
  /** Basic auth, if the registry wants it. */
  username?: string;
  password?: string;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export class SchemaRegistryError extends Error {
  override readonly name = 'SchemaRegistryError';
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode?: number,
  ) {
    super(message);
  }
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export class SchemaRegistryClient {
  private readonly byId = new Map<number, Promise<string | undefined>>();
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof fetch;

  constructor(opts: SchemaRegistryOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? fetch;
    this.headers = { Accept: CONTENT_TYPE, 'Content-Type': CONTENT_TYPE };
    if (opts.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
    }
  }

  /** The schema text for an id, or undefined if the registry does not have it (404). Cached. */
  getSchemaById(id: number): Promise<string | undefined> {
    let pending = this.byId.get(id);
    if (!pending) {
      pending = this.request<{ schema: string }>('GET', `/schemas/ids/${id}`).then((body) => body?.schema);
      // A failure (network, 5xx) must not poison the cache: the next call retries.
      pending.catch(() => this.byId.delete(id));
      this.byId.set(id, pending);
    }
    return pending;
  }

  /** Registers (or finds) `schema` under `subject`; returns its global id. */
  async register(subject: string, schema: string): Promise<number> {
    const body = await this.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema });
    if (!body) throw new SchemaRegistryError(`subject ${subject} not found`, 404);
    this.byId.set(body.id, Promise.resolve(schema));
    return body.id;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    const res = await this.fetchFn(`${this.base}${path}`, {
      method,
      headers: this.headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 404) return undefined;
    const text = await res.text();
    if (!res.ok) {
      let code: number | undefined;
      try {
        code = (JSON.parse(text) as { error_code?: number }).error_code;
      } catch {
        code = undefined;
      }
      throw new SchemaRegistryError(`${method} ${path}: HTTP ${res.status} ${text}`, res.status, code);
    }
    return JSON.parse(text) as T;
  }
}
