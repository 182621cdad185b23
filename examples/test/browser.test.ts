import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { decompress } from '@m2m/core';
import { startBrowserExample } from '../browser/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) console.warn(`[browser] ${CHROMIUM} not found (apt-get install -y chromium): the browser example is skipped, not passed.`);

describe.skipIf(!existsSync(CHROMIUM))('browser example under headless Chromium', () => {
  it('opens an encrypted session from a page, and brotli-wasm and node:zlib read each other', async () => {
    const ex = await startBrowserExample();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(ex.pageUrl);
      await page.waitForFunction(() => window.m2mResult !== undefined, null, { timeout: 60_000 });
      const result = (await page.evaluate(() => window.m2mResult)) as Record<string, unknown>;
      expect(errors).toEqual([]);
      expect(result).toMatchObject({ ok: true, encrypted: true, frameSecurity: '#M2M|1|', wasmRoundTrip: true, nodeText: 'brotli from node:zlib '.repeat(20) });
      expect(JSON.parse(result.reply as string).id).toBe('chatcmpl-browser');
      // The page's request (≥ 100 bytes: a brotli-wasm payload inside the frame) arrived intact.
      expect(JSON.parse(ex.received[0]).messages[0].content).toContain('Hello from a browser tab');
      expect(decompress(result.wasmText as string)).toBe('brotli from the browser '.repeat(20));
    } finally {
      await browser.close();
      await ex.close();
    }
  }, 120_000);
});
