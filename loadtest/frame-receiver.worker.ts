// The measuring WebSocket clients, on a thread of their own (FrameReceiver): they only read frames
// and stamp each with its arrival time, so the arrival is measured when the bytes come in, not
// when a thread busy with other work — sending the load, parsing results — gets to it.
import { readlinkSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { TestWsClient } from '../test/support/ws-client.ts';
import type { ReceiverCommand, ReceiverEvent, StampedFrame } from './frame-receiver.ts';
import { now } from './latency-probe.ts';

const port = parentPort!;
const post = (event: ReceiverEvent): void => port.postMessage(event);

/** This thread's id in the kernel (Linux), so that the load-test process can leave its priority alone. */
function threadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

try {
  const { url, connections, frames } = workerData as { url: string; connections: number; frames: MessagePort };
  const clients: TestWsClient[] = [];
  for (let i = 0; i < connections; i++) {
    const ws = await TestWsClient.connect(url);
    ws.onText = (payload) => frames.postMessage({ at: now(), text: payload.toString('utf8') } satisfies StampedFrame);
    ws.onClose = () => post({ type: 'closed' });
    clients.push(ws);
  }
  port.on('message', (command: ReceiverCommand) => {
    for (const ws of clients) ws.send({ type: 'subscribe', topics: command.topics });
  });
  post({ type: 'ready', threadId: threadId() });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
}
