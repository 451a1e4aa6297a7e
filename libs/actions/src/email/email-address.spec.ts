import { InvalidAddressError, isMailbox, readAddresses } from './email-address';

describe('isMailbox', () => {
  it.each([
    'ops@example.com',
    'first.last+tag@sub.example.co.uk',
    'hookflow@localhost',
    'Ops <ops@example.com>',
    '"Finance, EMEA" <finance@example.com>',
    'Zoë Müller <zoe@example.com>',
    '<ops@example.com>',
    '  ops@example.com  ',
  ])('accepts %p', (address) => {
    expect(isMailbox(address)).toBe(true);
  });

  it.each([
    '',
    'ops',
    'ops@',
    '@example.com',
    'ops@@example.com',
    'ops@exa mple.com',
    'a@example.com, b@example.com',
    'a@example.com;b@example.com',
    'Ops <ops@example.com',
    'Ops <ops at example.com>',
    'Ops\r\nBcc: victim@example.com <ops@example.com>',
    'ops@example.com\r\nBcc: victim@example.com',
    'Ops <a@example.com> <b@example.com>',
  ])('refuses %p', (address) => {
    expect(isMailbox(address)).toBe(false);
  });
});

describe('readAddresses', () => {
  it('takes one address or a list, trimmed', () => {
    expect(readAddresses('to', ' ops@example.com ')).toEqual(['ops@example.com']);
    expect(readAddresses('to', ['a@example.com', 'B <b@example.com>'])).toEqual(['a@example.com', 'B <b@example.com>']);
  });

  it('gives no address for an absent field and drops what rendered empty', () => {
    expect(readAddresses('cc', undefined)).toEqual([]);
    expect(readAddresses('cc', null)).toEqual([]);
    expect(readAddresses('cc', ['', null, 'a@example.com'])).toEqual(['a@example.com']);
  });

  it.each([
    ['a bad address', 'nobody', 'to: "nobody" is not an address such as someone@example.com'],
    ['a bad address in a list', ['a@example.com', 'b@'], 'to: "b@" is not an address such as someone@example.com'],
    ['a number', 42, 'to: 42 is not an address such as someone@example.com'],
    ['an object', { email: 'a@example.com' }, 'to: {"email":"a@example.com"} is not an address such as someone@example.com'],
  ])('refuses %s, naming the field and the value', (_case, value, message) => {
    expect(() => readAddresses('to', value)).toThrow(new InvalidAddressError(message));
  });
});
