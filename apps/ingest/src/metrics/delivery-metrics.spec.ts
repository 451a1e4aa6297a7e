import { deliveryOutcome } from './delivery-metrics';

describe('deliveryOutcome', () => {
  it.each([
    [202, undefined, { outcome: 'accepted', reason: '' }],
    [202, { answer: 'ignored' as const }, { outcome: 'ignored', reason: 'event_type_not_allowed' }],
    [422, { refusal: 'schema_violation' }, { outcome: 'rejected', reason: 'schema_violation' }],
    [200, { answer: 'duplicate' as const }, { outcome: 'duplicate', reason: '' }],
    [200, { answer: 'handshake' as const }, { outcome: 'handshake', reason: '' }],
    [401, { refusal: 'signature_mismatch' }, { outcome: 'rejected', reason: 'signature_mismatch' }],
    [413, { refusal: 'body_too_large' }, { outcome: 'rejected', reason: 'body_too_large' }],
    [429, { refusal: 'rate_limited' }, { outcome: 'rejected', reason: 'rate_limited' }],
    [503, { refusal: 'database_unavailable' }, { outcome: 'unavailable', reason: 'database_unavailable' }],
    [500, { refusal: 'internal_error' }, { outcome: 'error', reason: 'internal_error' }],
  ])('labels a %i answer (%j) as %j', (status, note, labels) => {
    expect(deliveryOutcome(status, note)).toEqual(labels);
  });

  it('still labels an answer no one noted, from its status alone', () => {
    expect(deliveryOutcome(400, undefined)).toEqual({ outcome: 'rejected', reason: 'unknown' });
    expect(deliveryOutcome(503, undefined)).toEqual({ outcome: 'unavailable', reason: 'unavailable' });
    expect(deliveryOutcome(502, undefined)).toEqual({ outcome: 'error', reason: 'internal_error' });
  });
});
