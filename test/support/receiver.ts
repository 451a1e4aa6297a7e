import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  json(): unknown;
}

/** What the receiver answers to the n-th request (0-based). */
export type ReceiverScript = (requestIndex: number) => {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Answer this much later (a slow destination). */
  delayMs?: number;
};

/** A real local HTTP server standing in for an action's destination; records every request. */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  private script: ReceiverScript = () => ({ status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } });

  static async start(script?: ReceiverScript): Promise<TestReceiver> {
    const receiver = new TestReceiver();
    if (script) receiver.script = script;
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  answer(script: ReceiverScript): void {
    this.script = script;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private listen(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const index = this.requests.length;
        this.requests.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
          json: () => JSON.parse(body) as unknown,
        });
        const answer = this.script(index);
        const send = (): void => {
          response.writeHead(answer.status, answer.headers ?? {});
          response.end(answer.body ?? '');
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    return new Promise((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
  }
}
