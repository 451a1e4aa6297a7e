export * from './verifier';
export { verifierFor, supportedProviders } from './verifier-registry';
export { HmacVerifier, DEFAULT_HMAC_HEADER } from './hmac.verifier';
export { NoneVerifier } from './none.verifier';
export { constantTimeEqual, matchesAny } from './constant-time';
export { stringSetting, toleranceMs, timestampProblem } from './source-settings';
