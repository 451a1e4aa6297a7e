/**
 * Settles as `promise` does, or rejects with "no answer [from <what>] within <ms> ms" if it has not
 * settled by then. The timer is cleared either way.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, from?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const what = from === undefined ? '' : ` from ${from}`;
    timer = setTimeout(() => reject(new Error(`no answer${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
