import { isPlainObject } from './form-payload';
import { SignedDelivery, Signer, SigningError, SigningRequest } from './signer';

/** Meraki: no signature; the shared secret travels in the JSON body as `sharedSecret`. */
export class MerakiSigner implements Signer {
  readonly provider = 'meraki';

  sign({ body, secret, url }: SigningRequest): SignedDelivery {
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new SigningError('a Meraki body must be a JSON object, to carry the sharedSecret');
    }
    if (!isPlainObject(payload)) throw new SigningError('a Meraki body must be a JSON object, to carry the sharedSecret');
    return { body: Buffer.from(JSON.stringify({ ...payload, sharedSecret: secret }), 'utf8'), headers: {}, url };
  }
}
