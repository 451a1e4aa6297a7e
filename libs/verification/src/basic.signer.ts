import { SignedDelivery, Signer, SigningError, SigningRequest } from './signer';
import { stringSetting } from './source-settings';

/** HTTP Basic: `Authorization: Basic base64(<the source's username>:<the password>)`. */
export class BasicSigner implements Signer {
  readonly provider = 'basic';

  sign({ body, secret, settings, url }: SigningRequest): SignedDelivery {
    const username = stringSetting({ settings }, 'username');
    if (username === undefined) throw new SigningError('the source sets no username to send with the password');
    return { body, url, headers: { authorization: `Basic ${Buffer.from(`${username}:${secret}`, 'utf8').toString('base64')}` } };
  }
}
