/**
 * Attacker review of the gateway's `POST /v1/chat/completions`: any web page can make its
 * visitor's browser send a *simple* cross-origin POST (content type `text/plain`, a form type, or
 * none; `fetch(url, { method: 'POST', mode: 'no-cors', body })`) without a preflight. The page
 * cannot read the answer, but the gateway parsed the JSON body and forwarded it with the
 * operator's upstream key (`M2M_UPSTREAM_API_KEY`): a gateway on a developer's machine or an
 * intranet, without `--api-key` (the default), spent its operator's credits for every visitor of
 * the page. Such a request is now refused before it is read (400 INVALID_REQUEST); clients
 * (the openai SDK, curl: no `Origin`) and pages of the gateway's own origin are served as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApp } from '../src/app.js';
import { httpForwarder } from '../src/gateway/forward.js';
import { startStubUpstream, type StubUpstream } from './stub-upstream.js';

let upstream: StubUpstream;
beforeAll(async () => {
  upstream = await startStubUpstream({ record: true });
});
afterAll(async () => {
  await upstream.close();
});

const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'write me a long story' }] });

function gateway() {
  return createServerApp({ security: false, upstream: httpForwarder({ baseUrl: upstream.url }), upstreamApiKey: 'sk-operator-secret' }).app;
}

async function post(app: ReturnType<typeof gateway>, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await app.fetch(new Request('http://127.0.0.1:8080/v1/chat/completions', { method: 'POST', headers, body }));
  return { status: res.status, text: await res.text() };
}

describe('gateway: a simple cross-origin POST reaches no upstream', () => {
  it('text/plain, form types or no content type from another origin: refused, nothing forwarded', async () => {
    const app = gateway();
    const before = upstream.requests.length;
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const headers: Record<string, string> = { origin: 'https://evil.example.test', host: '127.0.0.1:8080' };
      if (type) headers['content-type'] = type;
      const r = await post(app, headers);
      expect([type, r.status, r.text.includes('INVALID_REQUEST')]).toEqual([type, 400, true]);
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('serves clients without Origin, JSON requests (browsers preflight them) and the gateway\'s own origin', async () => {
    const app = gateway();
    const before = upstream.requests.length;
    expect((await post(app, { 'content-type': 'text/plain', host: '127.0.0.1:8080' })).status).toBe(200);
    expect((await post(app, { 'content-type': 'application/json', origin: 'https://evil.example.test', host: '127.0.0.1:8080' })).status).toBe(200);
    expect((await post(app, { 'content-type': 'text/plain', origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' })).status).toBe(200);
    expect(upstream.requests.length).toBe(before + 3);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-operator-secret');
  });
});
