/**
 * The Node side of the browser example: bundles `client.ts` for the browser (esbuild, with the
 * SDK's browser conditions), serves the page, and runs an encrypted WebSocket agent.
 * Run (from the repository root; the conditions read the TypeScript sources, so no build is needed):
 * npx tsx --conditions=@m2m/source --conditions=@m2m/platform-source examples/browser/server.ts, then open the printed URL.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { browserPageBuild } from '../../scripts/browser-page-build.js';
import { compress } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { listen } from '@m2m/session';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** A running example: the page URL (with the server's address and key) and a stop function. */
export interface BrowserExample {
  pageUrl: string;
  /** A Brotli text made by node:zlib, for the page to decode with brotli-wasm. */
  nodeText: string;
  received: string[];
  close(): Promise<void>;
}

/** Bundles the page and starts the agent and the static server on loopback. */
export async function startBrowserExample(): Promise<BrowserExample> {
  const out = mkdtempSync(join(tmpdir(), 'm2m-browser-'));
  await build(browserPageBuild(resolve(import.meta.dirname, 'client.ts'), out));
  copyFileSync(resolve(import.meta.dirname, 'index.html'), join(out, 'index.html'));

  const key = KeyPair.generate();
  const received: string[] = [];
  const agent = await listen({
    transport: 'ws',
    secure: { staticKey: key },
    onSession: async (s) => {
      for await (const m of s) {
        received.push(m.content);
        await s.send(JSON.stringify({ id: 'chatcmpl-browser', object: 'chat.completion', model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'Lisbon is sunny and mild today, with a light Atlantic breeze keeping the afternoon comfortable.' }, finish_reason: 'stop' }] }));
      }
    },
  });
  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(out, path === '/' ? 'index.html' : path.replace(/^\/+/, ''));
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const nodeText = compress('brotli from node:zlib '.repeat(20), 'brotli');
  const pageUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/?ws=${encodeURIComponent(agent.url)}&key=${Buffer.from(key.publicKey).toString('hex')}&nodeText=${encodeURIComponent(nodeText)}`;
  return {
    pageUrl,
    nodeText,
    received,
    close: async () => {
      await agent.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ex = await startBrowserExample();
  console.log(`open ${ex.pageUrl}`);
}
