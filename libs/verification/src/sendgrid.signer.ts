import { SignedDelivery, Signer, SigningError } from './signer';

/**
 * SendGrid signs with an ECDSA private key that stays with SendGrid: a sendgrid source holds only
 * the public verification key, so nothing Hookflow has can make a signature it accepts.
 */
export class SendgridSigner implements Signer {
  readonly provider = 'sendgrid';

  sign(): SignedDelivery {
    throw new SigningError(
      "sendgrid deliveries are signed with SendGrid's ECDSA private key, which Hookflow never has (the source holds only the public verification key): use the test button of SendGrid's Event Webhook settings instead",
    );
  }
}
