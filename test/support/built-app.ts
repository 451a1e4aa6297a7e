import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { waitFor } from './deliveries';
import { builtFile } from './test-env';

/**
 * One app of this run's build (see global-setup) as a real process: what only a real process
 * shows, such as OpenTelemetry instrumenting pg and ioredis as they load.
 */
export class BuiltApp {
  private written = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.written += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.written += chunk.toString('utf8')));
  }

  /**
   * Starts `apps/<app>/src/main.js` with `env` (plus PATH and its port: `port`, else a free one) and
   * waits for its /healthz.
   */
  static async start(app: 'ingest' | 'engine' | 'admin', env: Record<string, string>, port?: number): Promise<BuiltApp> {
    port ??= await freePort();
    const portVariable = { ingest: 'INGEST_PORT', engine: 'ENGINE_PORT', admin: 'ADMIN_PORT' }[app];
    const child = spawn(process.execPath, [builtFile(`apps/${app}/src/main.js`)], {
      env: { PATH: process.env.PATH ?? '', HOOKFLOW_HOST: '127.0.0.1', ...env, [portVariable]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const built = new BuiltApp(child, `http://127.0.0.1:${port}`);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${built.output}`);
          return (await fetch(`${built.url}/healthz`)).ok;
        },
        30_000,
        `the built ${app} to answer /healthz`,
      );
    } catch (error) {
      await built.stop();
      throw error;
    }
    return built;
  }

  /** Everything it has written to stdout and stderr (pino's JSON lines, with a LOG_LEVEL that logs). */
  get output(): string {
    return this.written;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Sends `signal` (SIGKILL: a crash) without waiting. */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits for its exit, however it ends; resolves with how it ended. */
  async waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited) await new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** Stops it as an orchestrator would (SIGTERM: graceful, buffered spans exported) and waits for its exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
