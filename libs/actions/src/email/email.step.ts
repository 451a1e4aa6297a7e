import { createTransport, SendMailOptions, SMTPPoolSentMessageInfo, Transporter } from 'nodemailer';
import { StepExecutor, StepFailure, StepInvocation, StepOutcome, stepFailure } from '../step-executor';
import { InvalidAddressError, readAddresses } from './email-address';

export const DEFAULT_EMAIL_TIMEOUT_MS = 30_000;
/** Receivers dedupe on this header: every try of a step carries the same value. */
export const EMAIL_IDEMPOTENCY_HEADER = 'X-Hookflow-Idempotency-Key';

export interface SmtpSettings {
  /** smtp:// or smtps:// URL; unset, every email step fails with cause `config`. */
  url?: string;
  /** The sender when a step sets no `from`. */
  from: string;
}

interface EmailStepInput {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
}

class InvalidStepInput extends Error {}

/** The `email` step: one message per try, through one pooled SMTP transporter. */
export class EmailStepExecutor implements StepExecutor {
  readonly type = 'email';
  private readonly transporter?: Transporter<SMTPPoolSentMessageInfo>;

  constructor(private readonly settings: SmtpSettings) {
    if (settings.url) {
      this.transporter = createTransport({
        url: settings.url,
        pool: true,
        maxConnections: 5,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 60_000,
        // Only the rendered strings are sent: no content may be read from a path or fetched from a URL.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    }
  }

  async execute(rawInput: unknown, invocation: StepInvocation): Promise<StepOutcome> {
    let input: EmailStepInput;
    try {
      input = parseInput(rawInput, this.settings.from);
    } catch (error) {
      if (!(error instanceof InvalidStepInput || error instanceof InvalidAddressError)) throw error;
      return stepFailure(error.message, false, 'config', null);
    }
    const summary = {
      from: input.from,
      to: input.to,
      cc: input.cc,
      bcc: input.bcc,
      subject: input.subject,
      textBytes: input.text === undefined ? 0 : Buffer.byteLength(input.text),
      htmlBytes: input.html === undefined ? 0 : Buffer.byteLength(input.html),
    };
    if (!this.transporter) return stepFailure('HOOKFLOW_SMTP_URL is not set: no SMTP server to send through', false, 'config', summary);
    const timeoutMs = invocation.timeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
    const message: SendMailOptions = {
      ...input,
      headers: { [EMAIL_IDEMPOTENCY_HEADER]: `${invocation.runId}:${invocation.stepId}` },
      signal: AbortSignal.timeout(timeoutMs),
    };
    try {
      const info = await this.transporter.sendMail(message);
      return {
        status: 'succeeded',
        output: {
          messageId: info.messageId,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
        },
        request: summary,
        responseStatus: replyCode(info.response),
      };
    } catch (error) {
      return { status: 'failed', output: null, request: summary, ...classifySmtpError(error, timeoutMs) };
    }
  }

  /** Closes idle connections at once; one delivering a message finishes it first. */
  close(): void {
    this.transporter?.close();
  }
}

function parseInput(raw: unknown, defaultFrom: string): EmailStepInput {
  const input = (raw ?? {}) as Record<string, unknown>;
  const [from] = readAddresses('from', input.from ?? defaultFrom);
  const to = readAddresses('to', input.to);
  const cc = readAddresses('cc', input.cc);
  const bcc = readAddresses('bcc', input.bcc);
  if (!from) throw new InvalidStepInput('from rendered empty');
  if (to.length === 0) throw new InvalidStepInput('to rendered no address');
  const subject = textOf(input.subject);
  if (!subject) throw new InvalidStepInput('subject rendered empty');
  const text = textOf(input.text);
  const html = textOf(input.html);
  if (text === undefined && html === undefined) throw new InvalidStepInput('text and html both rendered empty');
  return { from, to, cc, bcc, replyTo: readAddresses('replyTo', input.replyTo), subject, text, html };
}

/** A rendered text field as a string: a lone `{{ }}` may have given a number or an object. */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? undefined);
}

/**
 * SMTP replies mapped onto the dead-letter causes the HTTP step uses, by what retrying can do:
 * - a 4yz reply (421, 450, 451, 452: greylisting, a full mailbox, a busy server) is transient,
 *   like an HTTP 5xx: retryable, cause `destination_5xx`;
 * - a 5yz reply (550 no such user, 552, 554 refused, 535 bad credentials) is permanent, like an
 *   HTTP 4xx: not retryable, cause `destination_4xx`;
 * - no reply at all: the step's timeout (`timeout`) and connection, socket, DNS and TLS failures
 *   (`network`) are retryable; an error nodemailer raises before talking to the server (missing
 *   credentials, a bad envelope) is a configuration problem, not retryable.
 */
export function classifySmtpError(
  error: unknown,
  timeoutMs: number,
): Pick<StepFailure, 'error' | 'retryable' | 'cause' | 'responseStatus'> {
  const { code, responseCode, response, name, message } = (error ?? {}) as {
    code?: string;
    responseCode?: number;
    response?: string;
    name?: string;
    message?: string;
  };
  if (name === 'AbortError' || name === 'TimeoutError' || code === 'EABORT' || code === 'ETIMEDOUT') {
    return { error: `no answer within ${timeoutMs} ms`, retryable: true, cause: 'timeout', responseStatus: null };
  }
  if (typeof responseCode === 'number' && responseCode >= 400 && responseCode < 600) {
    const transient = responseCode < 500;
    return {
      error: `SMTP server answered ${(response ?? String(responseCode)).trim()}`,
      retryable: transient,
      cause: transient ? 'destination_5xx' : 'destination_4xx',
      responseStatus: responseCode,
    };
  }
  const detail = `${message ?? String(error)}${code && !(message ?? '').includes(code) ? ` (${code})` : ''}`;
  if (code !== undefined && CONFIGURATION_ERRORS.has(code)) {
    return { error: `cannot send: ${detail}`, retryable: false, cause: 'config', responseStatus: null };
  }
  return { error: `network error: ${detail}`, retryable: true, cause: 'network', responseStatus: null };
}

/** nodemailer codes of errors raised before a server had a say, which another try repeats. */
const CONFIGURATION_ERRORS = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EENVELOPE', 'EMAXRECIPIENTS', 'EREQUIRETLS']);

/** The code of an SMTP reply such as "250 2.0.0 Ok: queued as 1234". */
function replyCode(response: string | undefined): number | null {
  const match = /^\s*(\d{3})\b/.exec(response ?? '');
  return match ? Number(match[1]) : null;
}
