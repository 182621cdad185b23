/**
 * Replays every request of the reference's observed transcript (`../shared/reference/http-api.md`)
 * against our server, shaped exactly as the reference's own clients send them, and compares the
 * status and the body's shape (JSON keys and value types, or plain text) with what the reference
 * answered. The reference's session ids are mapped to ours as they are issued. Where the
 * reference is broken, the test expects the documented fix (docs/PROTOCOL.md §8).
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/node.js';
import { HTTP_API_MD } from './rust-server.js';

interface Exchange {
  method: string;
  path: string;
  contentType: boolean;
  body?: string;
  status: number;
  reply: string;
  line: string;
}

/** The `$ curl` entries of the main transcript block. */
function parseTranscript(md: string): Exchange[] {
  const start = md.indexOf('## Transcript (main binary');
  const block = md.slice(md.indexOf('```', start) + 3, md.indexOf('```', md.indexOf('```', start) + 3));
  const entries = block.split(/\n(?=\$ curl)/).filter((e) => e.startsWith('$ curl'));
  return entries.map((e) => {
    const [cmd, ...rest] = e.split('\n');
    const m = /-X (\w+) '?([^\s']+)'?/.exec(cmd!)!;
    const body = /-d '(.*)'(?:\s|$)/.exec(cmd!)?.[1];
    const statusLine = rest.find((l) => /^HTTP \d+$/.test(l))!;
    const reply = rest.filter((l) => l !== statusLine && l.trim() !== '').join('\n');
    return { method: m[1]!, path: m[2]!, contentType: cmd!.includes("content-type: application/json"), ...(body !== undefined ? { body } : {}), status: Number(statusLine.slice(5)), reply, line: cmd! };
  });
}

type Shape = string | Shape[] | { [k: string]: Shape };
/** A JSON value's shape: object keys with their shapes, array element shape, or the type name. */
function shape(v: unknown): Shape {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v === null) return 'null';
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}
/** Where two shapes differ (`''` when compatible): an empty array fits any array, null fits a string (optional fields). */
function mismatch(got: Shape, exp: Shape, path = '$'): string {
  if (Array.isArray(exp)) {
    if (!Array.isArray(got)) return path;
    return exp.length && got.length ? mismatch(got[0]!, exp[0]!, `${path}[0]`) : '';
  }
  if (typeof exp === 'object') {
    if (typeof got !== 'object' || Array.isArray(got)) return path;
    const keys = [...new Set([...Object.keys(exp), ...Object.keys(got)])];
    for (const k of keys) {
      if (!(k in got) || !(k in exp)) return `${path}.${k}`;
      const m = mismatch(got[k]!, exp[k]!, `${path}.${k}`);
      if (m) return m;
    }
    return '';
  }
  if (got === exp || (exp === 'null' && got === 'string') || (exp === 'string' && got === 'null')) return '';
  return path;
}
const parse = (t: string): unknown => {
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
};

const md = existsSync(HTTP_API_MD) ? readFileSync(HTTP_API_MD, 'utf8') : undefined;
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(() => server?.close(100));

describe('the reference transcript, replayed against our server', () => {
  it('answers each request with the reference status and body shape (or the documented fix)', async (ctx) => {
    if (!md) return ctx.skip(`${HTTP_API_MD} not found`);
    const exchanges = parseTranscript(md);
    expect(exchanges.length).toBeGreaterThan(40);
    const ids = new Map<string, string>();
    const mapIds = (s: string) => s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => ids.get(id) ?? id);
    let checked = 0;
    for (const x of exchanges) {
      const headers: Record<string, string> = x.contentType ? { 'content-type': 'application/json' } : {};
      const res = await fetch(server.url + mapIds(x.path), { method: x.method, headers, ...(x.body !== undefined ? { body: mapIds(x.body) } : {}) });
      const text = await res.text();
      const expected = parse(x.reply) as Record<string, unknown> | undefined;
      const got = parse(text) as Record<string, unknown> | undefined;
      // Learn the session ids the reference issued, to address ours the same way later.
      const refId = (expected?.session_id as string | undefined) ?? undefined;
      if (refId && typeof got?.session_id === 'string' && /^[0-9a-f-]{36}$/.test(refId)) ids.set(refId, got.session_id);

      const where = `${x.line}\n→ ${res.status} ${text}`;
      if (/\/session\/(?!%7B)[0-9a-f-]{36}$/.test(x.path)) {
        // Reference: 404 (its route never matches under axum 0.7). Ours: the session's stats, and 204 on DELETE.
        if (x.method === 'GET') {
          expect(res.status, where).toBe(200);
          expect(Object.keys(got!).sort(), where).toEqual(['bytes_compressed', 'bytes_saved', 'compression_ratio', 'messages_received', 'messages_sent', 'session_id', 'state']);
        } else expect(res.status, where).toBe(204);
      } else if (/\/session\/(\{id\}|%7Bid%7D)$/.test(x.path)) {
        // Reference: 404/500 from its unmatched route. Ours: a session named "{id}" does not exist.
        expect(res.status, where).toBe(x.method === 'DELETE' ? 204 : 404);
      } else if (x.body?.includes('"version":"2.0"')) {
        // Reference: ACCEPT (it checks the version against itself). Ours: REJECT VERSION_MISMATCH.
        expect(res.status, where).toBe(200);
        expect(got, where).toMatchObject({ type: 'REJECT', payload: { code: 'VERSION_MISMATCH' } });
      } else {
        expect(res.status, where).toBe(x.status);
        if (expected === undefined) {
          // Plain text or empty: ours is not JSON either, and an axum text keeps its first words.
          expect(got, where).toBeUndefined();
          if (x.reply) expect(text.split(':')[0], where).toBe(x.reply.split(':')[0]);
          else expect(text, where).toBe('');
        } else {
          expect(mismatch(shape(got), shape(expected)), where).toBe('');
          if (expected.type === 'REJECT') expect(got!.payload, where).toEqual(expected.payload);
          if (expected.type === 'ACCEPT') expect(got!.payload, where).not.toEqual(parse(mapIds(x.body!))!);
          if (expected.type === 'PONG' || expected.type === 'CLOSE') expect(got!.session_id, where).toBe(mapIds(String(expected.session_id)));
          if (x.path === '/compress' && expected.algorithm) expect(got!.algorithm, where).toBe(expected.algorithm);
        }
      }
      checked++;
    }
    expect(checked).toBe(exchanges.length);
  });
});
