import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryStream } from './delivery-stream';
import { FaultWorld, SOURCE } from './fault-world';

/** When the fault was injected and when it was lifted (the process restarted, the service back). */
export interface FaultWindow {
  startedAt: number;
  endedAt: number;
}

/** The three ledgers reconciled: what the sender got a 2xx for, what PostgreSQL holds, what the receiver saw. */
export interface Reconciliation {
  sent: number;
  accepted: number;
  processed: number;
  lost: number;
  duplicatedEffects: number;
  /** From the fault's start until every delivery first sent before it was lifted had been processed. */
  recoveredSeconds: number;
  events: number;
  runs: number;
  deadLetters: number;
  receiverCalls: number;
  receiverKeys: number;
  /** Upserts that found their row already there (retried writes the key absorbed). */
  dbRewrites: number;
  lostOrders: string[];
  duplicatedOrders: string[];
}

interface StoredOrder extends Record<string, unknown> {
  order_id: string;
  event_id: string;
  status: string;
  runs: number;
  succeeded: number;
  unfinished: number;
  finished_at: Date | null;
  row_event_id: string | null;
  writes: number | null;
}

const POLL_MS = 500;

/**
 * Waits for the sender to finish and the system to settle (every accepted delivery processed and
 * no run unfinished, or `timeoutMs`), then reconciles the ledgers.
 */
export async function settleAndReconcile(
  world: FaultWorld,
  stream: DeliveryStream,
  fault: FaultWindow,
  timeoutMs = 90_000,
): Promise<Reconciliation> {
  await stream.done;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const snapshot = await snapshotOrNull(world);
    if (snapshot && isSettled(snapshot, reconcile(world, stream, fault, snapshot))) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  // A moment more for late repeats (an execution handed back or recovered twice) to show.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return reconcile(world, stream, fault, await snapshotOrNull(world));
}

/**
 * Nothing will change any more: no run unfinished, and every delivery not processed yet is beyond
 * help (its event was dispatched or found unmatched, and its runs ended), so waiting longer is pointless.
 */
function isSettled(snapshot: Snapshot, result: Reconciliation): boolean {
  if (snapshot.orders.some((order) => order.unfinished > 0)) return false;
  const lost = new Set(result.lostOrders);
  const stored = new Set(snapshot.orders.map((order) => order.order_id));
  return (
    [...lost].every((order) => stored.has(order)) &&
    snapshot.orders.every((order) => !lost.has(order.order_id) || order.status !== 'received')
  );
}

interface Snapshot {
  orders: StoredOrder[];
  deadLetters: number;
}

async function snapshotOrNull(world: FaultWorld): Promise<Snapshot | null> {
  try {
    const orders = await world.query<StoredOrder>(
      `SELECT e.idempotency_key AS order_id, e.id::text AS event_id, e.status,
              count(r.id)::int AS runs,
              count(r.id) FILTER (WHERE r.status = 'succeeded')::int AS succeeded,
              count(r.id) FILTER (WHERE r.status NOT IN ('succeeded', 'failed'))::int AS unfinished,
              max(r.finished_at) AS finished_at,
              o.event_id AS row_event_id, o.writes
         FROM events e
         LEFT JOIN runs r ON r.event_id = e.id
         LEFT JOIN fault_orders o ON o.order_id = e.idempotency_key
        WHERE e.source_id = $1
        GROUP BY e.id, e.status, o.event_id, o.writes`,
      [SOURCE],
    );
    const [dead] = await world.query<{ count: number }>('SELECT count(*)::int AS count FROM dead_letters');
    return { orders, deadLetters: dead?.count ?? 0 };
  } catch {
    return null; // PostgreSQL still coming back
  }
}

function reconcile(world: FaultWorld, stream: DeliveryStream, fault: FaultWindow, snapshot: Snapshot | null): Reconciliation {
  const stored = new Map<string, StoredOrder[]>();
  for (const order of snapshot?.orders ?? []) stored.set(order.order_id, [...(stored.get(order.order_id) ?? []), order]);
  const keys = receiverKeysByOrder(world);
  const lostOrders: string[] = [];
  const duplicatedOrders: string[] = [];
  let processed = 0;
  let duplicatedEffects = 0;
  let lastFinished = fault.startedAt;
  for (const delivery of stream.deliveries) {
    const events = stored.get(delivery.orderId) ?? [];
    const orderKeys = keys.get(delivery.orderId)?.size ?? 0;
    const runs = events.reduce((sum, event) => sum + event.runs, 0);
    const rowMatches = events.some((event) => event.row_event_id !== null && event.row_event_id === event.event_id);
    const done = events.some((event) => event.succeeded > 0) && orderKeys > 0 && rowMatches;
    if (done) processed += 1;
    else if (delivery.acceptedAt !== undefined) lostOrders.push(delivery.orderId);
    const extra =
      Math.max(0, orderKeys - 1, events.length - 1, runs - 1) + (events.length > 0 && !rowMatches && events[0]?.row_event_id ? 1 : 0);
    if (extra > 0) duplicatedOrders.push(delivery.orderId);
    duplicatedEffects += extra;
    if (done && delivery.firstSentAt <= fault.endedAt) {
      for (const event of events) if (event.finished_at) lastFinished = Math.max(lastFinished, event.finished_at.getTime());
    }
  }
  const orders = snapshot?.orders ?? [];
  return {
    sent: stream.deliveries.length,
    accepted: stream.accepted.length,
    processed,
    lost: lostOrders.length,
    duplicatedEffects,
    recoveredSeconds: Math.max(0, lastFinished - fault.startedAt) / 1000,
    events: orders.length,
    runs: orders.reduce((sum, order) => sum + order.runs, 0),
    deadLetters: snapshot?.deadLetters ?? 0,
    receiverCalls: world.receiver.requests.length,
    receiverKeys: [...keys.values()].reduce((sum, set) => sum + set.size, 0),
    dbRewrites: orders.reduce((sum, order) => sum + Math.max(0, (order.writes ?? 1) - 1), 0),
    lostOrders,
    duplicatedOrders,
  };
}

/** The receiver's ledger: per order, the distinct Idempotency-Keys it was called with (its effects, once deduplicated). */
function receiverKeysByOrder(world: FaultWorld): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const request of world.receiver.requests) {
    const key = request.headers['idempotency-key'];
    const order = (request.json() as { order?: unknown }).order;
    if (typeof key !== 'string' || typeof order !== 'string') continue;
    keys.set(order, (keys.get(order) ?? new Set()).add(key));
  }
  return keys;
}

/** The scenario's one line: `sent N, accepted A, processed P, lost L, duplicated effects D, recovered in T s`, then details. */
export function resultLine(scenario: string, result: Reconciliation, notes: string[] = []): string {
  const details = [
    `${result.events} events`,
    `${result.runs} runs`,
    `${result.receiverCalls} receiver calls for ${result.receiverKeys} keys`,
    `${result.dbRewrites} db re-writes absorbed`,
    `${result.deadLetters} dead letters`,
    ...notes,
  ];
  return (
    `${scenario}: sent ${result.sent}, accepted ${result.accepted}, processed ${result.processed}, lost ${result.lost}, ` +
    `duplicated effects ${result.duplicatedEffects}, recovered in ${result.recoveredSeconds.toFixed(1)} s (${details.join(', ')})`
  );
}

/**
 * Prints the line (outside Jest's console decoration) and fails the scenario unless nothing was lost or doubled.
 * With HOOKFLOW_FAULTS_LOG_DIR set, also writes every app's output and every try there.
 */
export async function report(
  world: FaultWorld,
  stream: DeliveryStream,
  scenario: string,
  result: Reconciliation,
  notes: string[] = [],
): Promise<void> {
  process.stdout.write(`\n[faults] ${resultLine(scenario, result, notes)}\n`);
  const logDir = process.env.HOOKFLOW_FAULTS_LOG_DIR;
  if (logDir) {
    const name = scenario.replace(/[^a-z0-9]+/gi, '-');
    writeFileSync(join(logDir, `${name}.log`), world.logs(Infinity));
    writeFileSync(join(logDir, `${name}.tries.json`), JSON.stringify(stream.attempts()));
  }
  if (result.lost === 0 && result.duplicatedEffects === 0 && result.accepted === result.sent) return;
  throw new Error(
    `${scenario}: lost ${result.lost} (${result.lostOrders.slice(0, 5).join(', ')}), duplicated ${result.duplicatedEffects} ` +
      `(${result.duplicatedOrders.slice(0, 5).join(', ')}), accepted ${result.accepted} of ${result.sent}\n` +
      `${await describeOrders(world, [...result.lostOrders, ...result.duplicatedOrders].slice(0, 5))}\n${world.logs()}`,
  );
}

/** What PostgreSQL and the queues hold for some orders: for the report of a failed scenario. */
async function describeOrders(world: FaultWorld, orders: string[]): Promise<string> {
  if (orders.length === 0) return '';
  try {
    const events = await world.query<{
      id: string;
      order: string;
      type: string | null;
      status: string;
      received_at: Date;
      dispatched_at: Date | null;
    }>(`SELECT id::text, idempotency_key AS order, type, status, received_at, dispatched_at FROM events WHERE idempotency_key = ANY($1)`, [
      orders,
    ]);
    const runs = await world.query(
      `SELECT r.id::text, r.event_id::text, r.status, r.executions, r.error, r.updated_at FROM runs r JOIN events e ON e.id = r.event_id
        WHERE e.idempotency_key = ANY($1)`,
      [orders],
    );
    const jobs = await Promise.all(events.map(async (event) => ({ event: event.id, job: await world.jobOf('events', event.id) })));
    return JSON.stringify({ events, runs, jobs }, null, 1);
  } catch (error) {
    return `(could not describe the orders: ${(error as Error).message})`;
  }
}
