import { signHmac } from '../../support/deliveries';
import { SECRET } from '../../support/rule-files';

/** One HTTP try of one copy of a delivery. */
export interface Attempt {
  target: string;
  startedAt: number;
  endedAt: number;
  /** The HTTP status, when an answer came. */
  status?: number;
  /** Why no answer came: the socket error's code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, …) or `timeout`. */
  error?: string;
  eventId?: string;
  duplicate?: boolean;
}

/** A delivery as the sender sees it: one body, signed once, sent until some copy gets a 2xx. */
export interface Delivery {
  orderId: string;
  firstSentAt: number;
  /** Per copy (a duplicate storm sends several at once), its tries in order. */
  copies: Attempt[][];
  /** When the first 2xx came back. */
  acceptedAt?: number;
}

export interface StreamOptions {
  /** Deliveries to send, and at what rate (each at its slot, whatever the answers to earlier ones). */
  count: number;
  ratePerSecond: number;
  /** The ingest base URLs to spread tries over (read at each try: a stopped ingest can be taken out). */
  targets: () => string[];
  source: string;
  /** Copies of each delivery sent at once (a duplicate storm); default 1. */
  copies?: number;
  /** How long the sender keeps retrying one delivery; default 90 s. */
  giveUpAfterMs?: number;
}

/** The longest wait between two tries: a Retry-After longer than this is shortened (the suite must stay quick). */
const MAX_BACKOFF_MS = 2_000;
const FIRST_BACKOFF_MS = 200;
/** A try with no answer by then counts as failed (and is retried). */
const TRY_TIMEOUT_MS = 15_000;

/**
 * A provider as the fault scenarios need one: a bounded stream of signed deliveries (a fixed
 * count at a fixed rate, only to 127.0.0.1), each retried with backoff after any answer but a 2xx,
 * as providers do, and a ledger of every try.
 */
export class DeliveryStream {
  readonly deliveries: Delivery[] = [];
  readonly done: Promise<void>;
  private readonly runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  private constructor(private readonly options: StreamOptions) {
    this.done = this.sendAll();
  }

  /** Starts sending at once; `done` settles when every delivery is accepted or given up. */
  static start(options: StreamOptions): DeliveryStream {
    return new DeliveryStream(options);
  }

  get accepted(): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.acceptedAt !== undefined);
  }

  /** Every try, with its delivery. */
  attempts(): (Attempt & { orderId: string })[] {
    return this.deliveries.flatMap((delivery) => delivery.copies.flat().map((attempt) => ({ ...attempt, orderId: delivery.orderId })));
  }

  private async sendAll(): Promise<void> {
    const { count, ratePerSecond } = this.options;
    const startedAt = Date.now();
    const sending: Promise<void>[] = [];
    for (let index = 0; index < count; index += 1) {
      const due = startedAt + (index * 1000) / ratePerSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sending.push(this.send(index));
    }
    await Promise.all(sending);
  }

  private async send(index: number): Promise<void> {
    const orderId = `ord_${this.runId}_${String(index).padStart(5, '0')}`;
    const body = JSON.stringify({ id: orderId, type: 'order.created', total: 100 + (index % 50), customer: `customer-${index % 17}` });
    const signature = await signHmac(SECRET, body);
    const copies = this.options.copies ?? 1;
    const delivery: Delivery = { orderId, firstSentAt: Date.now(), copies: Array.from({ length: copies }, () => []) };
    this.deliveries.push(delivery);
    await Promise.all(delivery.copies.map((tries, copy) => this.sendCopy(delivery, tries, body, signature, index + copy)));
  }

  private async sendCopy(delivery: Delivery, tries: Attempt[], body: string, signature: string, spread: number): Promise<void> {
    const deadline = Date.now() + (this.options.giveUpAfterMs ?? 90_000);
    let backoff = FIRST_BACKOFF_MS;
    while (Date.now() < deadline) {
      const targets = this.options.targets();
      const target = targets[(spread + tries.length) % targets.length] ?? '';
      const attempt = await this.post(target, body, signature);
      tries.push(attempt);
      if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) {
        delivery.acceptedAt ??= attempt.endedAt;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private async post(target: string, body: string, signature: string): Promise<Attempt> {
    const startedAt = Date.now();
    try {
      const response = await fetch(`${target}/hooks/${this.options.source}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-signature': signature },
        body,
        signal: AbortSignal.timeout(TRY_TIMEOUT_MS),
      });
      const text = await response.text();
      const answer = parseAnswer(text);
      return { target, startedAt, endedAt: Date.now(), status: response.status, ...answer };
    } catch (error) {
      return { target, startedAt, endedAt: Date.now(), error: errorCode(error) };
    }
  }
}

function parseAnswer(text: string): { eventId?: string; duplicate?: boolean } {
  try {
    const body = JSON.parse(text) as { eventId?: unknown; duplicate?: unknown };
    return {
      ...(typeof body.eventId === 'string' ? { eventId: body.eventId } : {}),
      ...(body.duplicate === true ? { duplicate: true } : {}),
    };
  } catch {
    return {};
  }
}

function errorCode(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
