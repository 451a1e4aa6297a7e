import {
  DEFAULT_EVENT_TYPE,
  secretFingerprint,
  SignedDelivery,
  SigningError,
  signerFor,
  verifierFor,
  type Signer,
} from '@hookflow/verification';
import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AdminApi, AdminOptions, withAdminOptions } from '../admin-api';
import { CliError } from '../output';

const DEFAULT_INGEST_URL = 'http://127.0.0.1:3000';

/** What `send` needs of GET /sources/:id. */
interface SourceView {
  id: string;
  provider: string;
  settings: Record<string, unknown>;
  secrets: { fingerprint: string }[];
}

interface SendOptions extends AdminOptions {
  source: string;
  file: string;
  eventType?: string;
  secret?: string;
  ingestUrl: string;
  publicUrl?: string;
  contentType: string;
}

/** `send`: a signed test delivery, as the source's provider would make it (the local "send test webhook"). */
export function registerSendCommands(program: Command): void {
  withAdminOptions(
    program
      .command('send')
      .description("sign a file as the source's provider would and post it to ingest; prints the answer (exit 0 on 2xx)")
      .requiredOption('--source <id>', 'the source to deliver to (its provider and settings are read from the admin API)')
      .requiredOption('--file <path>', 'the body to send, sent byte for byte')
      .option('--event-type <type>', "the event type, put where the source reads it (a provider's header, or a payload field)")
      .addOption(new Option('--secret <secret>', 'a secret of the source to sign with').env('HOOKFLOW_SEND_SECRET'))
      .addOption(new Option('--ingest-url <url>', 'ingest base URL').env('HOOKFLOW_INGEST_URL').default(DEFAULT_INGEST_URL))
      .addOption(
        new Option(
          '--public-url <url>',
          'the base URL providers post to, when ingest is behind a proxy (HOOKFLOW_PUBLIC_URL): Twilio signs it',
        ),
      )
      .option('--content-type <type>', 'the content type of the body', 'application/json'),
  ).action((options: SendOptions) => send(options));
}

async function send(options: SendOptions): Promise<void> {
  const body = readBody(options.file);
  const source = await new AdminApi(options).get<SourceView>(`/sources/${encodeURIComponent(options.source)}`);
  const signer = signerFor(source.provider);
  if (!signer) throw new CliError(`source "${source.id}" has provider "${source.provider}", which hookflow send cannot sign for`);

  const path = `/hooks/${encodeURIComponent(source.id)}`;
  const postUrl = `${options.ingestUrl.replace(/\/+$/, '')}${path}`;
  const signedUrl = options.publicUrl === undefined ? postUrl : `${options.publicUrl.replace(/\/+$/, '')}${path}`;
  const typed = options.eventType === undefined ? { body, headers: {} } : withEventType(source, signer, body, options.eventType);
  const secret = options.secret ?? '';
  const signed = signWithErrors(source, () =>
    signer.sign({
      body: typed.body,
      contentType: options.contentType,
      url: signedUrl,
      secret,
      settings: source.settings,
      now: new Date(),
      deliveryId: `msg_${randomUUID().replaceAll('-', '')}`,
    }),
  );
  if (source.provider !== 'none') checkSecret(source, secret);

  // A scheme may add query parameters to the URL it signs (Twilio's bodySHA256): they are posted too.
  const query = signed.url.startsWith(signedUrl) ? signed.url.slice(signedUrl.length) : '';
  const response = await post(`${postUrl}${query}`, signed.body, {
    'content-type': options.contentType,
    'user-agent': 'hookflow-send',
    ...typed.headers,
    ...signed.headers,
  });
  const answer = await response.text();
  process.stdout.write(`${response.status} ${response.statusText}\n${answer}${answer.endsWith('\n') || answer === '' ? '' : '\n'}`);
  if (!response.ok) process.exitCode = 1;
}

/** A {@link SigningError} (a missing setting, a scheme that cannot be signed) is the user's to fix: one line. */
function signWithErrors(source: SourceView, sign: () => SignedDelivery): SignedDelivery {
  try {
    return sign();
  } catch (error) {
    if (error instanceof SigningError) throw new CliError(`cannot sign for source "${source.id}": ${error.message}`);
    throw error;
  }
}

function readBody(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Refuses a missing secret; warns when it is none of the source's (a test of a refusal may mean it). */
function checkSecret(source: SourceView, secret: string): void {
  if (secret === '') {
    throw new CliError(
      `give a secret of source "${source.id}" to sign with: --secret <secret> or HOOKFLOW_SEND_SECRET (the API never shows secrets)`,
    );
  }
  const fingerprint = secretFingerprint(secret);
  const known = source.secrets.map((candidate) => candidate.fingerprint);
  if (known.length > 0 && !known.includes(fingerprint)) {
    process.stderr.write(
      `warning: the secret's fingerprint ${fingerprint} is none of source "${source.id}"'s (${known.join(', ')}): ingest will refuse the delivery\n`,
    );
  }
}

const HEADER_EXPRESSION = /^event\.headers\.(?:"([^"]+)"|([A-Za-z_][\w-]*))$/;
const PAYLOAD_PATH_EXPRESSION = /^payload((?:\.[A-Za-z_$][\w$]*)+)$/;

/**
 * Puts `--event-type` where the source reads the type from: the provider's own header (GitHub,
 * Shopify), a header or a payload field its `eventType` names. Any other expression cannot be
 * inverted, so the type has to be in the file.
 */
function withEventType(
  source: SourceView,
  signer: Signer,
  body: Buffer,
  eventType: string,
): { body: Buffer; headers: Record<string, string> } {
  const custom = typeof source.settings.eventType === 'string' ? source.settings.eventType : undefined;
  if (custom === undefined && signer.eventTypeHeaders) return { body, headers: signer.eventTypeHeaders(eventType) };
  const expression = (custom ?? verifierFor(source.provider)?.defaults?.eventType ?? DEFAULT_EVENT_TYPE).trim();
  const header = HEADER_EXPRESSION.exec(expression);
  if (header) return { body, headers: { [(header[1] ?? header[2] ?? '').toLowerCase()]: eventType } };
  const path = PAYLOAD_PATH_EXPRESSION.exec(expression)?.[1]?.slice(1).split('.');
  if (!path) {
    throw new CliError(
      `cannot set the event type: source "${source.id}" reads it with \`${expression}\`; put the type in the file instead`,
    );
  }
  return { body: withField(body, path, eventType, source.id), headers: {} };
}

/** The JSON body with `value` at `path`, objects made on the way. */
function withField(body: Buffer, path: string[], value: string, sourceId: string): Buffer {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    payload = undefined;
  }
  const isObject = (candidate: unknown): candidate is Record<string, unknown> =>
    typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate);
  if (!isObject(payload)) {
    throw new CliError(
      `cannot set the event type: source "${sourceId}" reads it from payload.${path.join('.')}, and the file is not a JSON object`,
    );
  }
  let target = payload;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    const child: Record<string, unknown> = isObject(next) ? next : {};
    target[key] = child;
    target = child;
  }
  target[path[path.length - 1]!] = value;
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', headers, body });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new CliError(
      `cannot reach ingest at ${url} (${cause?.code ?? (error as Error).message}); set --ingest-url or HOOKFLOW_INGEST_URL`,
    );
  }
}
