import { generateKeyPairSync, KeyObject, sign as signEcdsa } from 'node:crypto';
import { signerFor, SigningError } from '@hookflow/verification';

/**
 * The requests of the ingest fuzz run (issue 7): a seeded generator, so a failing run can be
 * replayed request by request. Half go to the sources of {@link fuzzSources} with bodies of every
 * shape and signatures that are valid, slightly wrong or missing; the rest are random methods,
 * paths, headers and bytes, and a few malformed HTTP messages written straight to a socket.
 */

/** A small, fast, seedable generator (sfc32): the same seed gives the same requests. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    [this.a, this.b, this.c, this.d] = [0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0];
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length + 3);
    for (let i = 0; i < length; i += 4) out.writeUInt32LE(this.uint32(), i);
    return out.subarray(0, length);
  }

  /** Printable ASCII of the given length. */
  text(length: number, alphabet = ALPHANUMERIC): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const TOKEN_CHARS = `${ALPHANUMERIC}!#$%&'*+-.^_\`|~`;
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** A source of the fuzz run, with what a sender needs to sign for it. */
export interface FuzzSource {
  id: string;
  provider: string;
  /** The secret deliveries are signed with; undefined for none and sendgrid. */
  secret?: string;
  /** Settings as written in the rules file (and given to the signer). */
  settings: Record<string, unknown>;
}

/** One HTTP request through the client, or raw bytes written to a socket of their own. */
export type FuzzRequest = HttpFuzzRequest | { kind: string; raw: Buffer };

export interface HttpFuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /**
   * The server may close the connection before a whole answer reaches the client: a body over the
   * limit (answered 413 while it is still being sent), a request line and headers over Node's 16 KiB.
   */
  mayBeCut?: boolean;
}

/** Node's default limit on a request line and headers together (--max-http-header-size). */
const MAX_HEADER_BYTES = 16 * 1024;

function headerBytes(path: string, headers: Record<string, string>): number {
  return Object.entries(headers).reduce((sum, [name, value]) => sum + name.length + value.length + 4, path.length + 32);
}

export interface FuzzContext {
  sources: readonly FuzzSource[];
  sendgridKey: KeyObject;
  bodyLimit: number;
  now: () => Date;
}

export function fuzzSources(): { sources: FuzzSource[]; sendgridKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sendgridPublicKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const whsec = `whsec_${Buffer.from('fuzz-standard-webhooks-secret!!').toString('base64')}`;
  const sources: FuzzSource[] = [
    { id: 'fz-hmac', provider: 'hmac', secret: 'fuzz-hmac-secret', settings: { eventType: 'payload.type', idempotencyKey: 'payload.id' } },
    {
      id: 'fz-hmac-ts',
      provider: 'hmac',
      secret: 'fuzz-hmac-ts-secret',
      settings: { algorithm: 'sha512', encoding: 'base64', prefix: 'v1=', header: 'X-Signature', timestampHeader: 'X-Timestamp' },
    },
    { id: 'fz-github', provider: 'github', secret: 'fuzz-github-secret', settings: {} },
    { id: 'fz-stripe', provider: 'stripe', secret: 'whsec_fuzzstripesecret', settings: {} },
    { id: 'fz-slack', provider: 'slack', secret: 'fuzz-slack-secret', settings: {} },
    { id: 'fz-shopify', provider: 'shopify', secret: 'fuzz-shopify-secret', settings: {} },
    {
      id: 'fz-twilio',
      provider: 'twilio',
      secret: 'fuzz-twilio-token',
      settings: { publicUrl: 'https://hooks.fuzz.test/hooks/fz-twilio' },
    },
    { id: 'fz-sendgrid', provider: 'sendgrid', settings: { publicKey: sendgridPublicKey } },
    { id: 'fz-meraki', provider: 'meraki', secret: 'fuzz-meraki-secret', settings: {} },
    { id: 'fz-stdwh', provider: 'standard-webhooks', secret: whsec, settings: {} },
    { id: 'fz-svix', provider: 'svix', secret: whsec, settings: {} },
    { id: 'fz-basic', provider: 'basic', secret: 'fuzz-basic-password', settings: { username: 'fuzzer' } },
    { id: 'fz-bearer', provider: 'bearer', secret: 'fuzz-bearer-token', settings: { queryParameter: 'token' } },
    // Expressions over whatever the payload holds: objects, arrays, huge numbers where strings are expected.
    {
      id: 'fz-none',
      provider: 'none',
      settings: { eventType: 'payload.kind & "." & $string(payload.n)', idempotencyKey: 'payload.id ? $string(payload.id) : payload.key' },
    },
    { id: 'fz-allow', provider: 'hmac', secret: 'fuzz-allow-secret', settings: { allowIps: ['203.0.113.0/24'] } },
  ];
  return { sources, sendgridKey: privateKey };
}

/** The rules file of the run: every source, and one rule with a `when` and a template. */
export function fuzzRulesYaml(sources: readonly FuzzSource[]): string {
  const sourceYaml = sources.map((source) => {
    const lines = [`  - id: ${source.id}`, `    provider: ${source.provider}`];
    if (source.secret) lines.push(`    secrets: [${JSON.stringify(source.secret)}]`);
    for (const [name, value] of Object.entries(source.settings)) lines.push(`    ${name}: ${JSON.stringify(value)}`);
    return lines.join('\n');
  });
  return `sources:
${sourceYaml.join('\n')}
rules:
  - id: fz-forward
    source: "*"
    events: ["**"]
    when: '$exists(payload.total) and payload.total > 100'
    steps:
      - id: post
        type: http
        url: "http://127.0.0.1:9/fuzz"
        body: { text: "{{ event.type }} {{ payload.id }}" }
`;
}

/** Makes the n-th request of a seeded run. */
export class FuzzRequests {
  private readonly rng: Prng;
  /** Recent deliveries that were signed correctly: sent again, they are duplicates. */
  private readonly sent: FuzzRequest[] = [];
  private readonly bodies: Buffer[];

  constructor(
    seed: number,
    private readonly context: FuzzContext,
  ) {
    this.rng = new Prng(seed);
    this.bodies = oddBodies(this.rng, context.bodyLimit);
  }

  next(index: number): FuzzRequest {
    const roll = this.rng.next();
    if (roll < 0.5) return this.toSource(index);
    if (roll < 0.97) return this.random(index);
    return this.malformed();
  }

  /** A delivery to a real source: a body of some shape, signed rightly or almost. */
  private toSource(index: number): FuzzRequest {
    const rng = this.rng;
    if (this.sent.length > 0 && rng.chance(0.05)) return { ...rng.pick(this.sent), kind: 'duplicate' };
    const source = rng.pick(this.context.sources);
    const { body, contentType, shape } = this.bodyFor(source, index);
    const path = `/hooks/${source.id}`;
    const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
    const tamper = rng.pick(['valid', 'valid', 'valid', 'wrong-secret', 'body-changed', 'no-signature', 'garbled', 'stale'] as const);
    const signed = this.sign(source, body, contentType ?? 'application/json', path, tamper, index);
    const request: HttpFuzzRequest = {
      kind: `source:${shape}:${tamper}`,
      method: 'POST',
      path: signed.path,
      headers: { ...headers, ...signed.headers },
      body: tamper === 'body-changed' ? mutate(rng, signed.body) : signed.body,
    };
    request.mayBeCut = request.body!.length > this.context.bodyLimit || headerBytes(request.path, request.headers) > MAX_HEADER_BYTES;
    if (tamper === 'valid') {
      this.sent.push(request);
      if (this.sent.length > 200) this.sent.shift();
    }
    return request;
  }

  private sign(
    source: FuzzSource,
    body: Buffer,
    contentType: string,
    path: string,
    tamper: string,
    index: number,
  ): { body: Buffer; headers: Record<string, string>; path: string } {
    const rng = this.rng;
    if (tamper === 'no-signature') return { body, headers: {}, path };
    const now = tamper === 'stale' ? new Date(this.context.now().getTime() - 86_400_000) : this.context.now();
    const deliveryId = `fz-${index}-${rng.text(8)}`;
    let signed: { body: Buffer; headers: Record<string, string>; path: string };
    if (source.provider === 'sendgrid') {
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const signature = signEcdsa('sha256', Buffer.concat([Buffer.from(timestamp), body]), this.context.sendgridKey).toString('base64');
      signed = {
        body,
        path,
        headers: { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
      };
    } else {
      const secret = tamper === 'wrong-secret' ? `${source.secret ?? ''}x` : (source.secret ?? '');
      const base = `http://ingest.fuzz.test${path}`;
      try {
        const delivery = signerFor(source.provider)!.sign({
          body,
          contentType,
          url: base,
          secret,
          settings: source.settings,
          now,
          deliveryId,
        });
        const url = new URL(delivery.url);
        signed = { body: delivery.body, headers: delivery.headers, path: `${url.pathname}${url.search}` };
      } catch (error) {
        // A body the scheme cannot sign (Meraki's must be an object JSON.stringify can write again): sent unsigned.
        if (!(error instanceof SigningError) && !(error instanceof RangeError)) throw error;
        signed = { body, headers: {}, path };
      }
    }
    if (tamper === 'garbled') signed.headers = garble(rng, signed.headers);
    if (source.provider === 'github' && rng.chance(0.8)) signed.headers['x-github-event'] = rng.pick(['push', 'ping', 'issues', '']);
    if (source.provider === 'shopify' && rng.chance(0.8)) signed.headers['x-shopify-topic'] = rng.pick(['orders/create', 'a/b/c']);
    return signed;
  }

  /** A body of one of many shapes, mostly JSON a provider could send, often not. */
  private bodyFor(source: FuzzSource, index: number): { body: Buffer; contentType?: string; shape: string } {
    const rng = this.rng;
    const id = `evt_${index}_${rng.text(6)}`;
    const json = (value: unknown, shape: string, contentType = 'application/json') => ({
      body: Buffer.from(JSON.stringify(value)),
      contentType,
      shape,
    });
    switch (rng.int(16)) {
      case 0:
      case 1:
      case 2:
        return json(providerShaped(rng, source, id), 'provider');
      case 3:
        return json(
          { id, type: 'order.created', total: rng.int(1000), items: Array.from({ length: rng.int(20) }, (_, i) => ({ i })) },
          'order',
        );
      case 4:
        return {
          body: Buffer.from(
            `{"id":"${id}","type":"n.big","n":1e400,"m":-1e400,"tiny":1e-400,"big":${'9'.repeat(rng.int(400) + 1)},"f":0.1e-7,"neg":-0}`,
          ),
          contentType: 'application/json',
          shape: 'huge-numbers',
        };
      case 5: {
        const depth = rng.pick([150, 199, 200, 201, 1_000, 20_000]);
        return {
          body: Buffer.from(`${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`),
          contentType: 'application/json',
          shape: `nested-${depth}`,
        };
      }
      case 6: {
        const invalid = Buffer.concat([Buffer.from(`{"id":"${id}","type":"utf8.bad","s":"`), rng.pick(INVALID_UTF8), Buffer.from('"}')]);
        return { body: invalid, contentType: 'application/json; charset=utf-8', shape: 'invalid-utf8' };
      }
      case 7:
        return {
          body: Buffer.from(`{"id":"${id}\\u0000","type":"\\ud800x","kind":"\\udfff","k\\u0000":"\\u0000\\\\u0000"}`),
          contentType: 'application/json',
          shape: 'nul-and-surrogates',
        };
      case 8:
        return {
          body: Buffer.from(`id=${id}&type=form.sent&a=1&a=2&%zz=%&=&amp;x=${encodeURIComponent('é€😀')}`),
          contentType: 'application/x-www-form-urlencoded',
          shape: 'form',
        };
      case 9: {
        const size = rng.pick([this.context.bodyLimit - 1, this.context.bodyLimit, this.context.bodyLimit + 1, this.context.bodyLimit * 3]);
        const prefix = `{"id":"${id}","type":"big","pad":"`;
        return {
          body: Buffer.from(`${prefix}${'x'.repeat(Math.max(0, size - prefix.length - 2))}"}`),
          contentType: 'application/json',
          shape: size > this.context.bodyLimit ? 'over-limit' : 'at-limit',
        };
      }
      case 10:
        return { body: rng.pick(this.bodies), contentType: rng.pick(CONTENT_TYPES), shape: 'odd' };
      case 11:
        return { body: Buffer.alloc(0), contentType: rng.pick(CONTENT_TYPES), shape: 'empty' };
      case 12:
        return { body: rng.bytes(rng.int(2_000)), contentType: rng.pick(CONTENT_TYPES), shape: 'random-bytes' };
      case 13:
        return json(
          Array.from({ length: rng.pick([0, 1, 2, 500]) }, (_, i) => ({ sg_event_id: `${id}_${i}`, event: 'delivered', email: 'a@b.c' })),
          'batch',
        );
      case 14:
        return json(
          { id: { nested: [id] }, type: ['not', 'a', 'string'], kind: { k: 1 }, n: [1e308, null], total: '1e3', key: null },
          'wrong-types',
          'application/vnd.api+json',
        );
      default:
        return { body: Buffer.from(`\ufeff{"id":"${id}","type":"bom"}`), contentType: 'application/json', shape: 'bom' };
    }
  }

  /** Anything at all: a method, a path, headers and a body drawn at random. */
  private random(index: number): FuzzRequest {
    const rng = this.rng;
    const method = rng.pick(METHODS);
    const headers: Record<string, string> = {};
    for (let i = rng.int(6); i > 0; i--)
      headers[rng.text(rng.int(20) + 1, TOKEN_CHARS).toLowerCase()] = rng.text(rng.int(60), PRINTABLE).trim();
    if (rng.chance(0.5)) headers['content-type'] = rng.pick(CONTENT_TYPES);
    if (rng.chance(0.05)) headers['x-huge'] = 'h'.repeat(rng.pick([4_000, 12_000, 20_000, 70_000]));
    if (rng.chance(0.1)) headers['x-forwarded-for'] = rng.pick(['1.2.3.4', '::1, 203.0.113.9', 'garbage', '999.1.1.1', '']);
    if (rng.chance(0.05)) headers['content-encoding'] = rng.pick(['gzip', 'br', 'deflate', 'nonsense']);
    const hasBody = method !== 'GET' && method !== 'HEAD' && rng.chance(0.7);
    const body = hasBody ? (rng.chance(0.5) ? rng.pick(this.bodies) : rng.bytes(rng.int(4_000))) : undefined;
    const path = this.randomPath(index);
    const mayBeCut = headerBytes(path, headers) > MAX_HEADER_BYTES;
    return { kind: `random:${method}`, method, path, headers, body, mayBeCut };
  }

  private randomPath(index: number): string {
    const rng = this.rng;
    const source = rng.pick(this.context.sources).id;
    switch (rng.int(6)) {
      case 0:
        return rng.pick(FIXED_PATHS);
      case 1:
        return `/hooks/${source}${rng.pick(['', '/', '/x', '?a=1&a=2', '?token=fuzz-bearer-token', '#frag', '/..', '%2F..'])}`;
      case 2:
        return `/hooks/${rng.text(rng.int(300) + 1, `${ALPHANUMERIC}-_.~%!$&'()*+,;=:@`)}`;
      case 3:
        return `/${rng.text(rng.int(50), `${ALPHANUMERIC}/%.?&=#`)}`;
      case 4:
        return `/hooks/${'a'.repeat(rng.pick([100, 1_000, 5_000, 30_000]))}`;
      default:
        return `/hooks/fz-${index % 7}${rng.pick(['', '%00', '%ZZ', '%E0%A4%A', '%C3%28', '%u0041', '%F0%9F%98%80', 'é'])}`;
    }
  }

  /** HTTP that no client library would send: the server's parser must refuse it, not fall over. */
  private malformed(): FuzzRequest {
    const rng = this.rng;
    const body = '{"id":"x","type":"raw"}';
    const raws = [
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n${body}`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\n${body}\r\n0\r\n\r\n`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nContent-Length: 23\r\nContent-Length: 24\r\nConnection: close\r\n\r\n${body}`,
      `FOO /hooks/fz-none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `POST /hooks/fz-none HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `POST /hooks/fz-none\r\n\r\n`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nX-Bad\u0000Header: 1\r\nConnection: close\r\n\r\n`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n`,
      `POST /hooks/fz-none HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}}`,
      `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `POST /hooks/fz-none HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\nConnection: close\r\n\r\n`,
      `\r\n\r\n\r\n`,
    ];
    const raw = Buffer.from(rng.pick(raws), 'latin1');
    return { kind: 'malformed', raw: rng.chance(0.2) ? Buffer.concat([raw, rng.bytes(rng.int(300))]) : raw };
  }
}

const METHODS = ['GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'SEARCH'];
const FIXED_PATHS = [
  '/',
  '/hooks',
  '/hooks/',
  '/healthz',
  '/readyz',
  '/metrics',
  '/hooks//fz-hmac',
  '//hooks/fz-hmac',
  '/HOOKS/fz-hmac',
  '/hooks/fz-hmac/../fz-stripe',
  '/.env',
  '/hooks/%2e%2e/metrics',
  '/docs',
  '/favicon.ico',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON ; charset="latin1"',
  'application/cloudevents+json',
  'text/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=----fuzz',
  'application/octet-stream',
  ';;;',
  '',
  `application/${'x'.repeat(2_000)}`,
];
const INVALID_UTF8 = [
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xa0, 0xa1]),
  Buffer.from([0xe2, 0x28, 0xa1]),
  Buffer.from([0xf0, 0x28, 0x8c, 0xbc]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0xc0, 0xaf]),
];

/** What a provider's own deliveries look like, so that correctly signed ones are accepted. */
function providerShaped(rng: Prng, source: FuzzSource, id: string): unknown {
  switch (source.provider) {
    case 'stripe':
      return {
        id,
        object: 'event',
        type: rng.pick(['payment_intent.succeeded', 'charge.refunded']),
        data: { object: { id: `pi_${id}`, amount: rng.int(100_000) } },
      };
    case 'slack':
      return rng.chance(0.2)
        ? { type: 'url_verification', challenge: id, token: 'x' }
        : { type: 'event_callback', event_id: id, event: { type: 'message', text: 'hi' } };
    case 'sendgrid':
      return Array.from({ length: rng.int(5) + 1 }, (_, i) => ({
        sg_event_id: `${id}_${i}`,
        event: rng.pick(['delivered', 'bounce']),
        email: 'a@b.c',
      }));
    case 'meraki':
      return { alertId: id, alertType: 'APs went down', networkId: 'N_1' };
    case 'none':
      return { id, kind: rng.pick(['a', 'b']), n: rng.pick([1, 1e21, -0, 3.5]), total: rng.int(300) };
    default:
      return { id, type: rng.pick(['order.created', 'order.paid', 'ping']), total: rng.int(300), customer: 'Zoë «fuzz» ☃' };
  }
}

/** A handful of prepared odd bodies (building them per request would cost the client more than the server). */
function oddBodies(rng: Prng, limit: number): Buffer[] {
  return [
    Buffer.from('null'),
    Buffer.from('"just a string"'),
    Buffer.from('12345678901234567890123456789012345678901234567890'),
    Buffer.from('[]'),
    Buffer.from('{}'),
    Buffer.from('{"a":1,"a":2,"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
    Buffer.from('{"id": "unterminated'),
    Buffer.from('<xml>not json</xml>'),
    Buffer.from('a=1&b=2&c'),
    Buffer.from(`[${'1,'.repeat(Math.floor(limit / 2.1))}1]`),
    Buffer.from(`{${Array.from({ length: Math.floor(limit / 12) }, (_, i) => `"k${i}":${i}`).join(',')}}`),
    Buffer.from(`${'['.repeat(Math.floor(limit / 2) - 1)}${']'.repeat(Math.floor(limit / 2) - 1)}`),
    Buffer.from('\u0000\u0000\u0000'),
    rng.bytes(1_024),
  ];
}

/** One signature header spoiled: cut short, emptied, padded, or swapped for noise. */
function garble(rng: Prng, headers: Record<string, string>): Record<string, string> {
  const names = Object.keys(headers);
  if (names.length === 0) return { 'x-webhook-signature': rng.text(64) };
  const name = rng.pick(names);
  const value = headers[name] ?? '';
  const spoiled = rng.pick([
    value.slice(0, Math.floor(value.length / 2)),
    '',
    `${value},${value}`,
    `${value}${'='.repeat(3)}`,
    rng.text(rng.int(200), PRINTABLE),
    value.replace(/[0-9a-f]/, 'g'),
    'x'.repeat(10_000),
  ]);
  return { ...headers, [name]: spoiled.trim() === '' ? ' ' : spoiled };
}

/** One byte changed after signing. */
function mutate(rng: Prng, body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from(' ');
  const copy = Buffer.from(body);
  const at = rng.int(copy.length);
  copy[at] = (copy[at] ?? 0) ^ (1 << rng.int(7));
  return copy;
}
