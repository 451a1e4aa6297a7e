import { storableJson, storableText } from './storable';

describe('values PostgreSQL can store', () => {
  it('replaces NUL characters and lone surrogates in JSON with U+FFFD, keeping pairs', () => {
    const json = storableJson({ a: 'x\u0000y', b: '\ud800', c: '😀', d: '\udc00z' });
    expect(JSON.parse(json ?? '')).toEqual({ a: 'x\ufffdy', b: '\ufffd', c: '😀', d: '\ufffdz' });
  });

  it('leaves an escaped backslash followed by u0000 as the text it is', () => {
    const value = { text: '\\u0000 and \\\\u0000' };
    expect(JSON.parse(storableJson(value) ?? '')).toEqual(value);
  });

  it('gives null for undefined and cleans text columns', () => {
    expect(storableJson(undefined)).toBeNull();
    expect(storableText('key\u0000\ud800')).toBe('key\ufffd\ufffd');
  });
});
