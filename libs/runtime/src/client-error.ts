import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Answers a request that could not be parsed as HTTP (Fastify's `clientErrorHandler`). Fastify's
 * own answer lacks `Connection: close` and then resets the socket, so a keep-alive client that
 * reuses the connection meets ECONNRESET; this one says the connection closes, as Node's default
 * does, and carries Hookflow's error body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({
    error: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'malformed_request',
    message:
      status === 431
        ? 'the request headers are too large'
        : status === 408
          ? 'the request took too long to arrive'
          : 'the request is not valid HTTP',
  });
  // An answer to HEAD has no body (a client would read it as the next answer); the parser keeps the bytes it got.
  const { rawPacket } = error as { rawPacket?: Buffer };
  const head = rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${head ? '' : body}`,
  );
}
