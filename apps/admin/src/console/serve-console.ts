import fastifyStatic from '@fastify/static';
import { HookflowConfig } from '@hookflow/config';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONSOLE_SECURITY_HEADERS } from './console-security-headers';

/** Where the console lives on the admin app: the same origin as the API, so no CORS and no token in a URL. */
export const CONSOLE_PREFIX = '/console';

/**
 * Serves the console's build (apps/console, built by `npm run build` into dist/console) at
 * /console: hashed assets under /console/assets/ cached for good, and index.html for every other
 * path below /console so that deep links (a run's URL pasted into a chat) open the right view.
 * Every answer carries a strict Content-Security-Policy. The files are public: they hold no data,
 * and every call they make needs an API key.
 */
export function serveConsole(app: NestFastifyApplication, config: HookflowConfig): void {
  const dir = config.admin.consoleDir ?? builtConsoleDir();
  const fastify = app.getHttpAdapter().getInstance();
  const index = dir === undefined ? undefined : readIndex(dir);
  if (dir === undefined || index === undefined) {
    new Logger('Console').warn(
      `the console is not built (no index.html in ${dir ?? 'dist/console'}): /console answers 503 until \`npm run build\` makes it`,
    );
  }
  void fastify.register(
    async (scope) => {
      scope.addHook('onSend', async (_request, reply) => {
        for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) void reply.header(name, value);
      });
      const page = (_request: unknown, reply: FastifyReply): FastifyReply =>
        index === undefined
          ? reply
              .status(503)
              .type('text/plain; charset=utf-8')
              .send('The Hookflow console is not built. Run `npm run build` (it writes dist/console), then restart the admin app.')
          : reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
      scope.get('/', page);
      scope.get('/*', page);
      if (dir !== undefined && index !== undefined) {
        // File names carry a content hash: an asset never changes, so browsers may keep it for good.
        await scope.register(fastifyStatic, {
          root: join(dir, 'assets'),
          prefix: '/assets/',
          decorateReply: false,
          index: false,
          immutable: true,
          maxAge: '365d',
        });
      }
    },
    { prefix: CONSOLE_PREFIX },
  );
}

/** dist/console beside the compiled apps (dist/apps/admin/src/console), or, when run from source, the repository's dist/console. */
function builtConsoleDir(): string | undefined {
  const candidates = [resolve(__dirname, '../../../../console'), resolve(__dirname, '../../../../dist/console')];
  return candidates.find((candidate) => existsSync(join(candidate, 'index.html')));
}

function readIndex(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
}
