import { LookupAddress } from 'node:dns';
import { DestinationGuard, DestinationRefusedError } from './destination-guard';

const REFUSED = [
  '127.0.0.1',
  '127.8.9.10',
  '::1',
  '10.0.0.1',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.1.1',
  '169.254.169.254',
  '0.0.0.0',
  '::',
  '100.64.0.1',
  '224.0.0.1',
  '255.255.255.255',
  'fc00::1',
  'fd12:3456:789a::1',
  'fe80::1',
  '::ffff:127.0.0.1',
  '::ffff:10.0.0.1',
  '::ffff:169.254.169.254',
];
const PUBLIC = ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34'];

function lookup(
  guard: DestinationGuard,
  hostname: string,
  all: boolean,
): Promise<{ error: Error | null; address: string | LookupAddress[] }> {
  return new Promise((resolve) => guard.lookup(hostname, { all }, (error, address) => resolve({ error, address })));
}

describe('DestinationGuard', () => {
  const guard = new DestinationGuard([]);

  it.each(REFUSED)('refuses %s', (address) => {
    expect(guard.isAllowed(address)).toBe(false);
  });

  it.each(PUBLIC)('allows the public address %s', (address) => {
    expect(guard.isAllowed(address)).toBe(true);
  });

  it('refuses text that is not an address', () => {
    expect(guard.isAllowed('example.com')).toBe(false);
    expect(guard.isAllowed('')).toBe(false);
  });

  it('opens the ranges the operator allowed, and only those', () => {
    const open = new DestinationGuard(['127.0.0.0/8', '::1/128', '10.1.0.0/16']);

    expect(open.isAllowed('127.0.0.1')).toBe(true);
    expect(open.isAllowed('127.255.0.9')).toBe(true);
    expect(open.isAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(open.isAllowed('::1')).toBe(true);
    expect(open.isAllowed('10.1.2.3')).toBe(true);
    expect(open.isAllowed('10.2.0.1')).toBe(false);
    expect(open.isAllowed('192.168.1.1')).toBe(false);
    expect(open.isAllowed('169.254.169.254')).toBe(false);
  });

  describe('assertLiteralHostAllowed', () => {
    it.each([
      'http://127.0.0.1:4000/x',
      'http://[::1]/x',
      'https://169.254.169.254/latest/meta-data',
      'http://2130706433/',
      'http://[::ffff:7f00:1]/',
    ])('refuses the URL %s', (url) => {
      expect(() => guard.assertLiteralHostAllowed(new URL(url))).toThrow(DestinationRefusedError);
    });

    it('names the host and the setting that would allow it', () => {
      expect(() => guard.assertLiteralHostAllowed(new URL('http://10.0.0.5/'))).toThrow(
        'destination 10.0.0.5 resolves to 10.0.0.5, a private, loopback or link-local address; allow it with HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS',
      );
    });

    it.each([
      'https://93.184.216.34/hook',
      'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
      'https://example.com/hook',
      'http://localhost/',
    ])('lets %s through (host names are checked on lookup)', (url) => {
      expect(() => guard.assertLiteralHostAllowed(new URL(url))).not.toThrow();
    });

    it('lets an allowed range through', () => {
      expect(() => new DestinationGuard(['127.0.0.0/8']).assertLiteralHostAllowed(new URL('http://127.0.0.1:4000/'))).not.toThrow();
    });
  });

  describe('lookup', () => {
    it('refuses localhost, which resolves to loopback', async () => {
      for (const all of [false, true]) {
        const { error } = await lookup(guard, 'localhost', all);

        expect(error).toBeInstanceOf(DestinationRefusedError);
        expect(error?.message).toMatch(/^destination localhost resolves to (127\.0\.0\.1|::1), /);
      }
    });

    it('resolves localhost when loopback is allowed', async () => {
      const open = new DestinationGuard(['127.0.0.0/8', '::1/128']);

      const single = await lookup(open, 'localhost', false);
      const every = await lookup(open, 'localhost', true);

      expect(single.error).toBeNull();
      expect(['127.0.0.1', '::1']).toContain(single.address);
      expect(every.error).toBeNull();
      expect(Array.isArray(every.address) && every.address.length).toBeGreaterThan(0);
    });

    it('refuses an IP literal host name the same way', async () => {
      const { error } = await lookup(guard, '169.254.169.254', false);

      expect(error).toBeInstanceOf(DestinationRefusedError);
    });

    it('resolves a public IP literal host name', async () => {
      const { error, address } = await lookup(guard, '93.184.216.34', false);

      expect(error).toBeNull();
      expect(address).toBe('93.184.216.34');
    });
  });
});
