/**
 * The signals that stop an app gracefully. Not Nest's default list: that one includes SIGHUP,
 * which Hookflow uses to reload the rules directory.
 */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'];

/** How long a stop may take beyond HOOKFLOW_SHUTDOWN_GRACE before the process exits anyway. */
export const SHUTDOWN_SLACK_MS = 10_000;

/**
 * Bounds a graceful stop: once a shutdown signal arrives, the process exits with status 1 if it
 * has not ended within `limitMs` (a connection that hangs, a request that never ends), so an
 * orchestrator waiting for it is never held for ever. The timer does not keep the process alive.
 */
export function exitIfShutdownHangs(app: string, limitMs: number): void {
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`hookflow ${app}: graceful shutdown did not end within ${limitMs} ms; exiting\n`);
        process.exit(1);
      }, limitMs).unref();
    });
  }
}
