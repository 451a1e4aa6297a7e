import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { noteRefusal } from '../metrics/delivery-metrics';

/** The server counts as drained once no delivery has been in progress, or arrived, for this long. */
const QUIET_MS = 500;
const POLL_MS = 25;

/**
 * The first step of stopping ingest (its hook runs before every other provider's: it belongs to
 * the app's root module): deliveries already being handled finish and get their answer, while new
 * ones are answered at once with 503 `shutting_down`, Retry-After and `Connection: close`, so that
 * senders retry elsewhere and keep-alive connections end. It returns once no delivery has been in
 * progress or arrived for a moment (the load balancer has caught up; requests sent but not yet read
 * get read, and answered, meanwhile), or after HOOKFLOW_SHUTDOWN_GRACE; then the batching and
 * relaying services drain and the server closes. Without it Node closes at once the keep-alive
 * connections it deems idle, among them those whose next request is sent but not yet read: the
 * sender sees a reset instead of an answer.
 */
export class HttpDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(HttpDrain.name);
  private readonly inProgress = new Set<FastifyRequest>();
  private draining = false;
  private lastActivity = 0;

  constructor(private readonly graceMs: number) {}

  /** Counts deliveries in progress; call before the server listens. */
  attach(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!request.url.startsWith('/hooks/')) return done();
      if (this.draining) {
        this.lastActivity = Date.now(); // senders still come: stay, and answer them, rather than reset their connections
        noteRefusal(request, 'shutting_down');
        void reply
          .code(503)
          .header('retry-after', '1')
          .header('connection', 'close')
          .send({ error: 'shutting_down', message: 'this ingest process is stopping; retry' });
        return;
      }
      this.inProgress.add(request);
      this.lastActivity = Date.now();
      done();
    });
    const settle = (request: FastifyRequest): void => {
      if (this.inProgress.delete(request)) this.lastActivity = Date.now();
    };
    fastify.addHook('onResponse', (request, _reply, done) => {
      settle(request);
      done();
    });
    fastify.addHook('onRequestAbort', (request, done) => {
      settle(request);
      done();
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const startedAt = Date.now();
    const atSignal = this.inProgress.size;
    const deadline = startedAt + this.graceMs;
    while (Date.now() < deadline && (this.inProgress.size > 0 || Date.now() - this.lastActivity < QUIET_MS)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    if (this.inProgress.size > 0) {
      this.logger.warn(`stopping with ${this.inProgress.size} deliveries still in progress after the shutdown grace`);
    } else {
      this.logger.log(`stopped taking deliveries; the ${atSignal} in progress were answered within ${Date.now() - startedAt} ms`);
    }
  }
}
