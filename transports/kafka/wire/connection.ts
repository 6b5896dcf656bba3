// One TCP connection to one broker: size-prefixed request frames (request header v1, or v2 for a
// flexible version) and responses matched to their requests by correlation id (response header v0,
// or v1 for a flexible version). The broker answers a connection's requests in order, so several
// may be in flight.
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { Reader, Writer } from './protocol.ts';
import type { ApiCall } from './requests.ts';

interface Pending {
  readonly resolve: (body: Reader) => void;
  readonly reject: (err: Error) => void;
  readonly deadline: number;
  readonly what: string;
  readonly flexible: boolean;
}

export class BrokerConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private closed: Error | undefined;
  /** The next request's buffer starts at the last one's size: produce requests are alike. */
  private lastFrameSize = 256;
  private readonly sweep: NodeJS.Timeout;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) => this.fail(new Error(`kafka: connection to ${address} failed: ${err.message}`)));
    socket.on('close', () => this.fail(new Error(`kafka: connection to ${address} closed`)));
    // One timer for every request's deadline instead of one per request.
    this.sweep = setInterval(() => this.expire(), Math.min(1_000, requestTimeoutMs)).unref();
  }

  static open(host: string, port: number, clientId: string, requestTimeoutMs: number): Promise<BrokerConnection> {
    const address = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`kafka: connecting to ${address} timed out after ${requestTimeoutMs} ms`));
      }, requestTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new BrokerConnection(socket, address, clientId, requestTimeoutMs));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`kafka: cannot connect to ${address}: ${err.message}`));
      });
    });
  }

  get isOpen(): boolean {
    return this.closed === undefined;
  }

  /** Sends one request and resolves with its parsed response. */
  call<T>(api: ApiCall<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closed);
    const correlationId = this.nextCorrelationId++ & 0x7fffffff;
    const w = new Writer(this.lastFrameSize);
    w.int32(0).int16(api.key).int16(api.version).int32(correlationId).string(this.clientId);
    if (api.flexible) w.tags();
    api.body(w);
    const frame = w.finish();
    frame.writeInt32BE(frame.length - 4, 0);
    this.lastFrameSize = Math.max(256, frame.length);
    return new Promise<T>((resolve, reject) => {
      const what = `request ${api.key} v${api.version} to ${this.address}`;
      this.pending.set(correlationId, {
        resolve: (r) => {
          try {
            resolve(api.parse(r));
          } catch (err) {
            reject(new Error(`kafka: bad response to ${what}: ${(err as Error).message}`));
          }
        },
        reject,
        deadline: Date.now() + this.requestTimeoutMs,
        what,
        flexible: api.flexible === true,
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.fail(new Error(`kafka: connection to ${this.address} closed by the client`));
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    while (this.buffered >= 4) {
      if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
      const size = this.chunks[0]!.readInt32BE(0);
      if (size < 4) {
        this.fail(new Error(`kafka: ${this.address} sent a frame of ${size} bytes`));
        return;
      }
      if (this.buffered < 4 + size) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const correlationId = frame.readInt32BE(0);
      const p = this.pending.get(correlationId);
      if (!p) {
        this.fail(new Error(`kafka: ${this.address} answered unknown correlation id ${correlationId}`));
        return;
      }
      this.pending.delete(correlationId);
      const r = new Reader(frame);
      r.int32();
      try {
        if (p.flexible) r.skipTags();
      } catch (err) {
        p.reject(new Error(`kafka: bad response to ${p.what}: ${(err as Error).message}`));
        continue;
      }
      p.resolve(r);
    }
  }

  private expire(): void {
    const now = Date.now();
    for (const p of this.pending.values()) {
      if (p.deadline <= now) {
        // The responses of one connection come in order: a late one leaves the rest unmatched.
        this.fail(new Error(`kafka: ${p.what} timed out`));
        return;
      }
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = err;
    clearInterval(this.sweep);
    this.socket.destroy();
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
