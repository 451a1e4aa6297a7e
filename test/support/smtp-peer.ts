import { ParsedMail, simpleParser } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** The message as mailparser reads it: subject, text, html, headers (lower-cased names). */
  parsed: ParsedMail;
}

/** A refusal, such as `{ code: 550, message: '5.1.1 No such user' }`. */
export interface SmtpRefusal {
  code: number;
  message: string;
}

/**
 * What the peer answers to RCPT TO for `recipient`, offered for the `attempt`-th time (0-based):
 * a refusal, or nothing to accept it.
 */
export type SmtpPeerScript = (recipient: string, attempt: number) => SmtpRefusal | undefined;

/** A real local SMTP server standing in for a mail relay; records every message it accepts. */
export class SmtpPeer {
  readonly messages: ReceivedMail[] = [];
  /** Every RCPT TO, accepted or refused, in order. */
  readonly recipientsOffered: string[] = [];
  private readonly server: SMTPServer;

  private constructor(script: SmtpPeerScript) {
    this.server = new SMTPServer({
      // Plain SMTP without credentials, like Mailpit: nodemailer would otherwise upgrade to TLS
      // and refuse the peer's self-signed certificate.
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const attempt = this.recipientsOffered.filter((recipient) => recipient === address.address).length;
        this.recipientsOffered.push(address.address);
        const refusal = script(address.address, attempt);
        if (!refusal) return callback();
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const { mailFrom, rcptTo } = session.envelope;
            this.messages.push({
              envelope: { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((recipient) => recipient.address) },
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  static async start(script: SmtpPeerScript = () => undefined): Promise<SmtpPeer> {
    const peer = new SmtpPeer(script);
    await new Promise<void>((resolve, reject) => {
      peer.server.once('error', reject);
      peer.server.listen(0, '127.0.0.1', () => resolve());
    });
    return peer;
  }

  get url(): string {
    const { port } = this.server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  /** Messages whose envelope includes `recipient`. */
  messagesTo(recipient: string): ReceivedMail[] {
    return this.messages.filter((message) => message.envelope.to.includes(recipient));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
