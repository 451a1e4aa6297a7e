import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IngestRejection } from './hooks/ingest-rejection';
import { noteRefusal } from './metrics/delivery-metrics';
import { RejectionLog } from './rejections/rejection-log.service';

/** The route of deliveries; refusals of anything else (a GET, an unknown path) are not deliveries. */
const DELIVERY_ROUTE = '/hooks/:sourceId';

/** The error body of every Hookflow API: a stable code a sender can act on, and a sentence. */
export interface ErrorBody {
  error: string;
  message: string;
  /** Itemised reasons where there are several (a schema's errors). */
  details?: unknown[];
  requestId?: string;
}

/**
 * Turns every failure into the answers of DESIGN.md. A 500 means a bug: it is logged with its
 * stack, and the body carries only the request id. Every delivery refused with a 4xx is recorded
 * in the rejection log, after the answer is on its way and without waiting for the write.
 */
@Catch()
export class IngestExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(IngestExceptionFilter.name);

  constructor(private readonly rejectionLog: RejectionLog) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = this.answerFor(exception, request);
    noteRefusal(request, body.error); // its reason code, for the delivery counters
    void reply.status(status).headers(headers).send(body);
    const diagnostics = exception instanceof IngestRejection ? exception.diagnostics : undefined;
    if (status >= 400 && status < 500) this.recordRejection(request, status, body, diagnostics);
  }

  private recordRejection(request: FastifyRequest, status: number, body: ErrorBody, diagnostics?: Record<string, unknown>): void {
    const sourceId = (request.params as { sourceId?: unknown } | undefined)?.sourceId;
    if (request.method !== 'POST' || request.routeOptions.url !== DELIVERY_ROUTE || typeof sourceId !== 'string') return;
    this.rejectionLog.record({
      sourceId,
      reason: body.error,
      status,
      message: body.message,
      clientIp: request.ip,
      createdAt: new Date(),
      ...(diagnostics ? { diagnostics } : {}),
    });
  }

  private answerFor(exception: unknown, request: FastifyRequest): { status: number; body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof IngestRejection) {
      const body: ErrorBody = { error: exception.code, message: exception.message };
      if (exception.details) body.details = exception.details;
      return { status: exception.status, body, headers: exception.headers };
    }
    const frameworkAnswer = answerForFrameworkError(exception);
    if (frameworkAnswer) return { ...frameworkAnswer, headers: {} };
    this.logger.error({ err: exception, requestId: request.id }, 'unexpected error while handling a request');
    return {
      status: 500,
      body: { error: 'internal_error', message: 'an unexpected error occurred; it has been logged', requestId: String(request.id) },
      headers: {},
    };
  }
}

/** Errors raised by Nest routing or Fastify's body reading, as Hookflow reason codes. */
export function answerForFrameworkError(exception: unknown): { status: number; body: ErrorBody } | undefined {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 413)
      return { status, body: { error: 'body_too_large', message: 'request body is over the size limit (HOOKFLOW_BODY_LIMIT)' } };
    if (status === 404)
      return { status, body: { error: 'not_found', message: 'no such endpoint; deliveries go to POST /hooks/<source id>' } };
    if (status < 500) return { status, body: { error: 'bad_request', message: exception.message } };
    return undefined;
  }
  const code = (exception as { code?: unknown } | null)?.code;
  const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || statusCode === 413)
    return { status: 413, body: { error: 'body_too_large', message: 'request body is over the size limit (HOOKFLOW_BODY_LIMIT)' } };
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: 'bad_request', message: (exception as Error).message } };
  }
  return undefined;
}
