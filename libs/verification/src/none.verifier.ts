import { ACCEPTED, DeliveryVerdict, Verifier } from './verifier';

/** Accepts every delivery. Allowed for trusted networks; start-up warns about such sources. */
export class NoneVerifier implements Verifier {
  readonly provider = 'none';

  verify(): DeliveryVerdict {
    return ACCEPTED;
  }
}
