// Builds the console (a Preact SPA) into dist/console, which the admin app serves at /console.
// `npm run console:dev` serves it with hot reload on :5173 and sends API calls to an admin app on
// :3001 (HOOKFLOW_ADMIN_URL to change it), so the browser still sees one origin.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = dirname(fileURLToPath(import.meta.url));
const admin = process.env.HOOKFLOW_ADMIN_URL ?? 'http://127.0.0.1:3001';
const API_PREFIXES = ['/api-keys', '/sources', '/rules', '/events', '/runs', '/dead-letters', '/openapi.json'];

export default defineConfig({
  root,
  base: '/console/',
  // Every asset is served by Hookflow: no CDN, no remote font, nothing inlined that a strict CSP would refuse.
  build: {
    outDir: resolve(root, '../../dist/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  server: { proxy: Object.fromEntries(API_PREFIXES.map((prefix) => [prefix, admin])) },
  clearScreen: false,
  logLevel: 'warn',
});
