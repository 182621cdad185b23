/**
 * CORS in a real browser: a page served from one origin (a static server on one port) opens an
 * HTTP-transport session to `listen({ transport: 'http' })` on another port. With the page's
 * origin in `allowOrigins` the session works (preflights answered, `x-m2m-connection` and
 * `x-m2m-seq` readable); without the option Chromium blocks it and `connect` fails with
 * NETWORK_ERROR, as before (same origin only by default). Skips with a message without Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserPageBuild } from '../../../scripts/browser-page-build.js';
import { listen } from '../src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) console.warn(`[http-cors-browser] ${CHROMIUM} not found (apt-get install -y chromium): the cross-origin browser test is skipped, not passed.`);

describe.skipIf(!existsSync(CHROMIUM))('HTTP transport from a page of another origin (headless Chromium)', () => {
  it('works when the server allows the page origin, and fails with NETWORK_ERROR when it does not', async () => {
    const out = mkdtempSync(join(tmpdir(), 'm2m-cors-'));
    await build(browserPageBuild(resolve(import.meta.dirname, 'fixtures/cors-page.ts'), out));
    writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./cors-page.js"></script>');
    const pages = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      try {
        const body = readFileSync(join(out, path === '/' ? 'index.html' : path.replace(/^\/+/, '')));
        res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
    const pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    const echo = { onSession: async (s: import('../src/index.js').Session) => { for await (const m of s) await s.send(m.content); } };
    const allowed = await listen({ transport: 'http', allowOrigins: [pageOrigin], ...echo });
    const closed = await listen({ transport: 'http', ...echo });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${pageOrigin}/?allowed=${encodeURIComponent(allowed.url)}&default=${encodeURIComponent(closed.url)}`);
      await page.waitForFunction(() => (globalThis as { m2mCors?: unknown }).m2mCors !== undefined, null, { timeout: 60_000 });
      const result = (await page.evaluate(() => (globalThis as { m2mCors?: unknown }).m2mCors)) as Record<string, { ok: boolean; reply?: string; code?: string }>;
      expect(errors).toEqual([]);
      expect(result.allowed).toMatchObject({ ok: true });
      expect(JSON.parse(result.allowed.reply!)).toEqual({ from: 'page' });
      expect(result.default).toMatchObject({ ok: false, code: 'NETWORK_ERROR' });
      expect(closed.counters.accepted).toBe(0);
    } finally {
      await browser.close();
      await allowed.close();
      await closed.close();
      pages.closeAllConnections();
      await new Promise<void>((r) => pages.close(() => r()));
    }
  }, 120_000);
});
