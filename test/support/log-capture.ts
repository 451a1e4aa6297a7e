/**
 * Records what the apps of this process log, without printing it, so a test can assert what no log
 * line contains. Under jest, whose console replaces `process.stdout.write`, pino writes its JSON
 * lines through `process.stdout`. Start the stack with a LOG_LEVEL that logs something (`debug`).
 */
export class LogCapture {
  private readonly chunks: string[] = [];
  private readonly spies: jest.SpyInstance[] = [];

  static start(): LogCapture {
    const capture = new LogCapture();
    for (const stream of [process.stdout, process.stderr]) {
      capture.spies.push(
        jest.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
          capture.chunks.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
          const callback = rest[rest.length - 1];
          if (typeof callback === 'function') process.nextTick(() => callback());
          return true;
        }),
      );
    }
    return capture;
  }

  /** Every line logged so far. */
  get lines(): string[] {
    return this.chunks.join('').split('\n').filter(Boolean);
  }

  stop(): void {
    for (const spy of this.spies) spy.mockRestore();
  }
}
