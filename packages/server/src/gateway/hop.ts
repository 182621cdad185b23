/**
 * The gateway hop: how one HTTP exchange travels between two gateways inside an encrypted M2M
 * session (docs/PROTOCOL.md §9). One exchange at a time per session, each message one DATA:
 *
 * ```
 * A → B  {"m2m_gateway":"request","method":"POST","path":"/chat/completions","headers":{…}}
 * A → B  the request body, the client's JSON text unchanged (POST only)
 * B → A  {"m2m_gateway":"response","status":200,"headers":{"content-type":"text/event-stream"}}
 * B → A  the body: one DATA (JSON as it is), or one DATA per SSE event (its data when that is
 *        a JSON object, else {"m2m_gateway":"event","event"?,"id"?,"data"})
 * B → A  {"m2m_gateway":"end"} | {"m2m_gateway":"error","error":{…seed 000 body…}}
 * B → A  {"m2m_gateway":"failure","status":504,"error":{…}} instead of a response (B's own failure)
 * ```
 *
 * Payload JSON goes unchanged, so its M2M frame keeps a readable routing header (model, message
 * count, roles) or response header, while the AEAD protects everything after the headers.
 * Control messages start with `{"m2m_gateway":`, which an upstream payload sent as it is never
 * does (such a payload is wrapped instead).
 * @module
 */
import { M2MError } from '@m2m/core';
import type { GatewayErrorBody } from './errors.js';

/** The prefix of every hop control message. */
export const HOP_MARK = '{"m2m_gateway":';

/** Hop control messages. */
export type HopControl =
  | { m2m_gateway: 'request'; method: 'GET' | 'POST'; path: string; headers: Record<string, string> }
  | { m2m_gateway: 'response'; status: number; headers: Record<string, string> }
  | { m2m_gateway: 'event'; event?: string; id?: string; data: string }
  | { m2m_gateway: 'body'; text: string }
  | { m2m_gateway: 'end' }
  | { m2m_gateway: 'error'; error: GatewayErrorBody['error'] }
  | { m2m_gateway: 'failure'; status: number; error: GatewayErrorBody['error'] };

/** Serializes a control message (key `m2m_gateway` first). */
export function hopControl(m: HopControl): string {
  return JSON.stringify(m);
}

/** A control message, or `undefined` for payload text. @throws M2MError InvalidMessage for a malformed control message. */
export function readHop(text: string): HopControl | undefined {
  if (!text.startsWith(HOP_MARK)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new M2MError('InvalidMessage', { reason: 'gateway hop message is not JSON' }, { cause: e });
  }
  const kind = (v as { m2m_gateway?: unknown }).m2m_gateway;
  if (typeof kind !== 'string' || !['request', 'response', 'event', 'body', 'end', 'error', 'failure'].includes(kind)) throw new M2MError('InvalidMessage', { reason: `unknown gateway hop message ${String(kind)}` });
  return v as HopControl;
}

/** True when `text` can travel as it is: a JSON object that does not look like a control message. */
export function isPlainJsonObject(text: string): boolean {
  const t = text.trimStart();
  if (!t.startsWith('{') || t.startsWith(HOP_MARK)) return false;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** A string record from untrusted JSON (other values dropped). */
export function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k.toLowerCase()] = x;
  return out;
}
