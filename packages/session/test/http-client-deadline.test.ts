/**
 * The HTTP client transport against a server that never answers: close() waits for the POST
 * under way only until it has gone unanswered for `sendTimeoutMs` from its start, and at most
 * `sendTimeoutMs` from the call (its DELETE included), so `connect` to a silent server fails at
 * the HELLO timeout instead of waiting another `sendTimeoutMs` in close().
 * `fetch` is a stub and every timer is fake: the assertions are on fake time, not wall time.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { isSdkError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { connect } from '../src/index.js';
import { httpTransport } from '../src/http.js';
import { HttpClientTransport } from '../src/transport/http-client.js';

const URL = 'http://127.0.0.1:9';

/** The requests the stub saw, by method. */
let calls: string[] = [];

/**
 * A `fetch` whose requests never get an answer (they reject only when their signal aborts), except
 * those `answer` returns a Response for.
 */
function stubFetch(answer: (method: string) => Response | undefined = () => undefined): void {
  vi.stubGlobal('fetch', (_url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    calls.push(method);
    const res = answer(method);
    if (res) return Promise.resolve(res);
    return new Promise<Response>((_, reject) => {
      init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
    });
  });
}

/** Settles `p` into a record that says when (in fake time) it settled and with what. */
function track<T>(p: Promise<T>): { settledAt?: number; value?: T; error?: unknown } {
  const t0 = Date.now();
  const r: { settledAt?: number; value?: T; error?: unknown } = {};
  p.then(
    (v) => Object.assign(r, { settledAt: Date.now() - t0, value: v }),
    (e: unknown) => Object.assign(r, { settledAt: Date.now() - t0, error: e }),
  );
  return r;
}

beforeEach(() => {
  calls = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

for (const secure of [false, true]) {
  it(`connect (${secure ? 'XX' : 'plaintext'}) to a silent HTTP server fails with TIMEOUT at the HELLO deadline, not HELLO + sendTimeoutMs`, async () => {
    stubFetch();
    const attempt = track(
      connect(URL, {
        transport: httpTransport,
        sendTimeoutMs: 1_000,
        timers: { helloTimeoutMs: 1_000 },
        ...(secure ? { secure: { staticKey: KeyPair.generate(), insecureSkipPeerVerification: true } } : {}),
      }),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(attempt.settledAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2);
    // Before the fix close() waited sendTimeoutMs more: nothing had settled until 2,000 ms.
    expect(attempt.settledAt).toBeLessThanOrEqual(1_001);
    expect(isSdkError(attempt.error) && attempt.error.code).toBe('TIMEOUT');
    expect(calls[0]).toBe('POST');
  });
}

it('close() after a POST went unanswered for sendTimeoutMs returns at once', async () => {
  stubFetch();
  const t = new HttpClientTransport(URL, { sendTimeoutMs: 500 });
  await t.send(new Uint8Array([1]));
  await vi.advanceTimersByTimeAsync(600);
  const closing = track(t.close());
  await vi.advanceTimersByTimeAsync(0);
  expect(closing.settledAt).toBe(0);
  expect(closing.error).toBeUndefined();
  // The transport ended: the reader is done and a send is refused with a typed error.
  expect((await t[Symbol.asyncIterator]().next()).done).toBe(true);
  const late = await t.send(new Uint8Array([2])).catch((e: unknown) => e);
  expect(isSdkError(late) && late.code).toBe('NETWORK_ERROR');
});

it('close() during an unanswered POST returns at that POST’s deadline, not sendTimeoutMs after the call', async () => {
  stubFetch();
  const t = new HttpClientTransport(URL, { sendTimeoutMs: 500 });
  await t.send(new Uint8Array([1]));
  await vi.advanceTimersByTimeAsync(400);
  const closing = track(t.close());
  await vi.advanceTimersByTimeAsync(99);
  expect(closing.settledAt).toBeUndefined();
  await vi.advanceTimersByTimeAsync(1);
  expect(closing.settledAt).toBe(100);
  expect(closing.error).toBeUndefined();
});

it('close() gives up on a DELETE the server never answers after sendTimeoutMs', async () => {
  // The POST is answered (it names the connection, so close() sends DELETE); the DELETE is not.
  stubFetch((method) => (method === 'POST' ? new Response(null, { status: 204, headers: { 'x-m2m-connection': 'c1' } }) : undefined));
  const t = new HttpClientTransport(URL, { sendTimeoutMs: 500 });
  await t.send(new Uint8Array([1]));
  await vi.advanceTimersByTimeAsync(0);
  const closing = track(t.close());
  await vi.advanceTimersByTimeAsync(499);
  expect(closing.settledAt).toBeUndefined();
  expect(calls).toContain('DELETE');
  await vi.advanceTimersByTimeAsync(1);
  expect(closing.settledAt).toBe(500);
});
