import { boundedDiagnostics } from './ingest-rejections.repository';

describe('boundedDiagnostics', () => {
  it('stores small diagnostics as they are', () => {
    const diagnostics = { provider: 'stripe', bodyBytes: 12, contentType: null };
    expect(JSON.parse(boundedDiagnostics(diagnostics)!)).toEqual(diagnostics);
    expect(boundedDiagnostics(undefined)).toBeNull();
  });

  it('leaves out whole entries that do not fit, and names them', () => {
    const stored = boundedDiagnostics({ provider: 'hmac', errors: 'x'.repeat(10_000), bodyBytes: 3 })!;

    expect(stored.length).toBeLessThanOrEqual(4096);
    expect(JSON.parse(stored)).toEqual({ provider: 'hmac', bodyBytes: 3, truncated: ['errors'] });
  });

  it('replaces what PostgreSQL cannot store, and gives up on values nested too deep', () => {
    expect(JSON.parse(boundedDiagnostics({ contentType: 'text/plain\u0000' })!)).toEqual({ contentType: 'text/plain\ufffd' });
    let deep: unknown = 'bottom';
    for (let level = 0; level < 20_000; level++) deep = [deep];
    expect(boundedDiagnostics({ deep })).toBeNull();
  });
});
