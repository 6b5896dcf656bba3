// A minimal WebSocket client for tests (Node 20 has no global WebSocket and we add no deps):
// node:http upgrade, unmasked server frames parsed, masked client frames sent. Text frames only,
// plus ping/pong/close. `pause()` stops reading so the server sees a slow client.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

export class TestWsClient {
  readonly messages: unknown[] = [];
  /** When set, each parsed message goes here instead of into `messages` (long-running clients). */
  onMessage: ((message: unknown) => void) | undefined;
  /** When set, each text message goes here unparsed, before anything else (clients that only count). */
  onText: ((payload: Buffer) => void) | undefined;
  /** Called once when the connection closes, from either side. */
  onClose: (() => void) | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.setNoDelay(true);
    socket.on('close', () => {
      this.closed = true;
      this.onClose?.();
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Resolves with the client, or rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<TestWsClient> {
    return new Promise((resolve, reject) => {
      const req = request(url.replace(/^ws/, 'http'), {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers },
      });
      req.on('upgrade', (_res, socket, head) => {
        const c = new TestWsClient(socket);
        if (head.length > 0) c.onData(head);
        resolve(c);
      });
      req.on('response', (res) => {
        res.resume();
        reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
      });
      req.on('error', reject);
      req.end();
    });
  }

  send(value: unknown): void {
    this.writeFrame(0x1, Buffer.from(JSON.stringify(value)));
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (!this.closed) this.writeFrame(0x8, Buffer.alloc(0));
    this.socket.destroy();
  }

  /** Waits until `predicate` holds over the messages received so far. */
  async waitFor(predicate: (messages: unknown[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`ws client: ${this.closed ? 'closed' : 'timed out'} waiting for ${what} (${this.messages.length} messages)`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    const mask = randomBytes(4);
    const len = payload.length;
    const header = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (len >= 126 && len < 65536) {
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else if (len >= 65536) {
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(len), 2);
    }
    const masked = Buffer.alloc(len);
    for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.buf.length < 2) return;
      const fin = (this.buf[0]! & 0x80) !== 0;
      const opcode = this.buf[0]! & 0x0f;
      let len = this.buf[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buf.length < offset + len) return;
      const payload = this.buf.subarray(offset, offset + len);
      this.buf = this.buf.subarray(offset + len);
      if (opcode === 0x9) this.writeFrame(0xa, Buffer.from(payload));
      else if (opcode === 0x8) this.close();
      else if (opcode === 0x1 || opcode === 0x0) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const message = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
          this.fragments = [];
          if (this.onText) this.onText(message);
          else {
            const parsed: unknown = JSON.parse(message.toString('utf8'));
            if (this.onMessage) this.onMessage(parsed);
            else this.messages.push(parsed);
            this.wake();
          }
        }
      }
    }
  }
}
