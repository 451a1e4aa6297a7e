import { SignedDelivery, Signer, SigningRequest } from './signer';

/** No verification, so nothing to add. */
export class NoneSigner implements Signer {
  readonly provider = 'none';

  sign({ body, url }: SigningRequest): SignedDelivery {
    return { body, url, headers: {} };
  }
}
