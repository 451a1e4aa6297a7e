/**
 * The signals that stop an app gracefully. Not Nest's default list: that one includes SIGHUP,
 * which Hookflow uses to reload the rules directory.
 */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'];
