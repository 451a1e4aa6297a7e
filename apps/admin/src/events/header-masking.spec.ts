import { MASKED_VALUE, maskHeaders } from './header-masking';

describe('maskHeaders', () => {
  it('masks the signature and credential headers of the built-in schemes, whatever their case', () => {
    const masked = maskHeaders(
      {
        'stripe-signature': 't=1,v1=abc',
        'X-Hub-Signature-256': 'sha256=abc',
        'webhook-signature': 'v1,abc',
        authorization: 'Bearer abc',
        'proxy-authorization': 'Basic abc',
        cookie: 'session=abc',
        'content-type': 'application/json',
        'webhook-id': 'msg_1',
      },
      undefined,
    );

    expect(masked).toEqual({
      'stripe-signature': MASKED_VALUE,
      'X-Hub-Signature-256': MASKED_VALUE,
      'webhook-signature': MASKED_VALUE,
      authorization: MASKED_VALUE,
      'proxy-authorization': MASKED_VALUE,
      cookie: MASKED_VALUE,
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
    });
  });

  it('masks the header a source configures for its signature or token', () => {
    expect(maskHeaders({ 'x-acme-token': 'secret', 'x-acme-event': 'ping' }, { header: 'X-Acme-Token' })).toEqual({
      'x-acme-token': MASKED_VALUE,
      'x-acme-event': 'ping',
    });
  });

  it('ignores a header setting that is not a string', () => {
    expect(maskHeaders({ 'x-other': 'kept' }, { header: 42 })).toEqual({ 'x-other': 'kept' });
  });
});
