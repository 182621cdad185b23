/**
 * The NATS mapping of session messages (docs/PROTOCOL.md §6.1): NATS messages with a one-byte
 * kind prefix carrying one session message (FRAME), a piece of one (PART) or several (BATCH),
 * credit messages for flow control, unguessable session
 * subjects, and the checks a peer's subjects must pass. No NATS client code here: the runtime
 * part loads `@nats-io/transport-node` lazily (`nats-link.ts`).
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { Slab } from '#slab';

/** Kind byte of a NATS message on a session subject (or the listen subject). */
export const NatsKind = {
  /** A session message follows (HELLO, ACCEPT, DATA, …, in the session codec), or the last piece of one. */
  FRAME: 0,
  /** Flow control: `u32 window` then `f64 consumed` (little-endian); 13 bytes in all. */
  CREDIT: 1,
  /** The sender closed its end of the session transport. */
  BYE: 2,
  /** A piece of a session message larger than one NATS message; the last piece is a FRAME. */
  PART: 3,
  /** Liveness probe, ignored by a live peer: a gone peer's subject draws NATS's no-responders status. */
  PROBE: 4,
  /**
   * Several whole session messages one end queued in one event-loop turn: each is `u32 length`
   * (little-endian) then the message; at least two, none empty (see {@link encodeBatch}).
   */
  BATCH: 5,
} as const;

/** Bytes of the length prefix of each message in a BATCH. */
export const BATCH_LENGTH_BYTES = 4;

/** Default interval of liveness probes while a session is open. */
export const DEFAULT_PROBE_INTERVAL_MS = 1_000;

/**
 * Bytes of FRAME and PART messages a sender may have unconsumed at the receiver before the first
 * CREDIT (and the smallest window a CREDIT may announce). Also the largest single NATS message
 * of a session; larger session messages go as PARTs.
 */
export const INITIAL_WINDOW = 1 << 20;
/**
 * Least number of bytes one FRAME or PART message counts against the window, whatever its size:
 * a held message costs a JS object and a view besides its bytes (about 240 bytes on V8 for a small one), so
 * counting wire bytes alone let a window of 2 MiB hold two million empty FRAMEs (hundreds of
 * MB). Sender and receiver both count {@link natsMessageCost}.
 */
export const NATS_MESSAGE_COST = 512;

/** What one FRAME or PART message of `length` bytes (kind byte included) counts against the window. */
export function natsMessageCost(length: number): number {
  return length > NATS_MESSAGE_COST ? length : NATS_MESSAGE_COST;
}

/** Largest window a receiver may announce (bounds what a peer can make us buffer). */
export const MAX_WINDOW = 64 << 20;
/** Prefix of every session subject. */
export const SESSION_PREFIX = '_M2M';
const TOKEN = /^[A-Za-z0-9_-]{22}$/;
const SESSION_SUBJECT = /^_M2M\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;
const LISTEN_SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** A random 128-bit token, base64url without padding (22 characters, subject-safe). */
export function randomToken(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `_M2M.<connection token>.<session token>`: where one end of one session receives. */
export function sessionSubject(connectionToken: string, sessionToken: string): string {
  if (!TOKEN.test(connectionToken) || !TOKEN.test(sessionToken)) throw new M2MError('Internal', { reason: 'malformed NATS session token' });
  return `${SESSION_PREFIX}.${connectionToken}.${sessionToken}`;
}

/** True for a well-formed session subject (what a peer may name as its reply subject). */
export function isSessionSubject(subject: string | undefined): subject is string {
  return subject !== undefined && SESSION_SUBJECT.test(subject);
}

/**
 * Checks a listen subject: dot-separated tokens of `[A-Za-z0-9_-]`, no wildcards, not under
 * `_M2M.` (reserved for session subjects), at most 256 characters.
 * @throws M2MError of kind Config.
 */
export function checkListenSubject(subject: string): string {
  if (subject.length > 256 || !LISTEN_SUBJECT.test(subject) || subject === SESSION_PREFIX || subject.startsWith(`${SESSION_PREFIX}.`)) {
    throw new M2MError('Config', { reason: `invalid NATS subject ${JSON.stringify(subject.slice(0, 64))}: use dot-separated tokens of letters, digits, '_' and '-', not under _M2M.` });
  }
  return subject;
}

/**
 * The subject an agent listens on: `agent.<AgentId>` (AgentIds are 1 to 128 characters of
 * `[A-Za-z0-9_-]`, one subject token).
 * @throws M2MError of kind Config for an id that is not an AgentId.
 */
export function agentSubject(agentId: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(agentId)) throw new M2MError('Config', { reason: 'an AgentId is 1 to 128 characters of [A-Za-z0-9_-]' });
  return `agent.${agentId}`;
}

/**
 * A FRAME (or PART) message: the kind byte, then the session message (or a piece of it), in
 * `slab` (the sending session end's: a typed array of its own costs microseconds, codec/slab.ts)
 * or, without one, in an array of its own (a link's, shared by many sessions, must not carve).
 */
export function encodeFrame(message: Uint8Array, kind: number = NatsKind.FRAME, slab?: Slab): Uint8Array {
  const out = slab ? slab.allocate(message.length + 1) : new Uint8Array(message.length + 1);
  out[0] = kind;
  out.set(message, 1);
  return out;
}

/**
 * A BATCH message of `messages` (whole session messages, without a kind byte): `5`, then for
 * each `u32 length` (little-endian) and the message. `bytes` is the total (1 plus
 * {@link batchedLength} of each); the caller keeps it within one NATS message. `out` (of
 * `bytes` bytes; default a new zeroed array) is written whole, so it may come uninitialised.
 * @throws M2MError of kind Internal when `bytes` or `out` does not match the messages (nothing
 *   of an uninitialised `out` may be sent).
 */
export function encodeBatch(messages: readonly Uint8Array[], bytes: number, out: Uint8Array = new Uint8Array(bytes)): Uint8Array {
  if (out.length !== bytes) throw new M2MError('Internal', { reason: 'NATS batch buffer of the wrong size' });
  out[0] = NatsKind.BATCH;
  let at = 1;
  for (const message of messages) {
    const n = message.length;
    if (at + BATCH_LENGTH_BYTES + n > bytes) throw new M2MError('Internal', { reason: 'NATS batch larger than counted' });
    out[at] = n;
    out[at + 1] = n >>> 8;
    out[at + 2] = n >>> 16;
    out[at + 3] = n >>> 24;
    out.set(message, at + BATCH_LENGTH_BYTES);
    at += BATCH_LENGTH_BYTES + n;
  }
  if (at !== bytes) throw new M2MError('Internal', { reason: 'NATS batch smaller than counted' });
  return out;
}

/** Bytes a session message of `messageLength` bytes adds to a BATCH. */
export function batchedLength(messageLength: number): number {
  return messageLength + BATCH_LENGTH_BYTES;
}

/**
 * Checks a BATCH message before anything of it is held, allocating nothing: no length is
 * trusted (each must be non-zero and fit in what remains). Returns what its messages count
 * against the flow-control window, each as the FRAME it replaces ({@link natsMessageCost} of
 * its length plus the kind byte).
 * @throws M2MError of kind InvalidMessage for a batch of fewer than two messages, an empty
 *   message, a truncated length or a length past the end; LimitExceeded for a message longer
 *   than `maxMessageBytes`.
 */
export function checkBatch(data: Uint8Array, maxMessageBytes: number): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let cost = 0;
  let count = 0;
  let at = 1;
  while (at < data.length) {
    if (data.length - at < BATCH_LENGTH_BYTES) throw new M2MError('InvalidMessage', { reason: 'NATS batch message truncated in a length' });
    const length = view.getUint32(at, true);
    at += BATCH_LENGTH_BYTES;
    if (length === 0) throw new M2MError('InvalidMessage', { reason: 'NATS batch message holds an empty message' });
    if (length > data.length - at) throw new M2MError('InvalidMessage', { reason: `NATS batch message length ${length} past its end (${data.length - at} bytes left)` });
    if (length > maxMessageBytes) throw new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: length, max: maxMessageBytes });
    cost += natsMessageCost(length + 1);
    count++;
    at += length;
  }
  if (count < 2) throw new M2MError('InvalidMessage', { reason: 'NATS batch message of fewer than two messages' });
  return cost;
}

/** A CREDIT message. */
export function encodeCredit(window: number, consumed: number): Uint8Array {
  const out = new Uint8Array(13);
  const view = new DataView(out.buffer);
  out[0] = NatsKind.CREDIT;
  view.setUint32(1, window, true);
  view.setFloat64(5, consumed, true);
  return out;
}

/**
 * Reads a CREDIT message.
 * @throws M2MError of kind InvalidMessage for a wrong length, a window outside
 *   [INITIAL_WINDOW, MAX_WINDOW] or a consumed count that is not a non-negative safe integer.
 */
export function decodeCredit(data: Uint8Array): { window: number; consumed: number } {
  if (data.length !== 13) throw new M2MError('InvalidMessage', { reason: `NATS credit message of ${data.length} bytes (expected 13)` });
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const window = view.getUint32(1, true);
  const consumed = view.getFloat64(5, true);
  if (window < INITIAL_WINDOW || window > MAX_WINDOW || !Number.isSafeInteger(consumed) || consumed < 0) {
    throw new M2MError('InvalidMessage', { reason: 'NATS credit message out of range' });
  }
  return { window, consumed };
}

/** The BYE message. */
export const BYE = new Uint8Array([NatsKind.BYE]);
/** The PROBE message. */
export const PROBE = new Uint8Array([NatsKind.PROBE]);

/**
 * Splits `nats://host:port/<subject>` (or `nats://h1:p1,h2:p2/<subject>`: a list of servers of one
 * cluster, tried in turn) into the servers and the subject.
 * @throws M2MError of kind Config for another scheme, a missing or malformed host, or an invalid subject.
 */
export function parseNatsUrl(url: string): { servers: string[]; subject: string } {
  const m = /^nats:\/\/([^/?#]+)\/([^?#]*)$/.exec(String(url));
  if (!m) throw new M2MError('Config', { reason: `NATS URL must be nats://host:port/<subject>: ${String(url).slice(0, 200)}` });
  const servers = m[1].split(',').map((hostPort) => {
    const hp = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(hostPort);
    const port = Number(hp?.[2] ?? 4222);
    if (!hp || port < 1 || port > 65535) throw new M2MError('Config', { reason: `bad NATS server ${JSON.stringify(hostPort.slice(0, 100))} in ${String(url).slice(0, 200)}` });
    return `${hp[1]}:${port}`;
  });
  let subject: string;
  try {
    subject = decodeURIComponent(m[2]);
  } catch (e) {
    throw new M2MError('Config', { reason: `bad NATS subject in ${String(url).slice(0, 200)}` }, { cause: e });
  }
  return { servers, subject: checkListenSubject(subject) };
}

/**
 * The session messages a FRAME or BATCH message carries (views of `data`), for tools and tests
 * that watch a session subject; none for other kinds.
 * @throws M2MError of kind InvalidMessage for a malformed BATCH (as {@link checkBatch}).
 */
export function sessionMessagesOf(data: Uint8Array): Uint8Array[] {
  if (data[0] === NatsKind.FRAME) return [data.subarray(1)];
  if (data[0] !== NatsKind.BATCH) return [];
  checkBatch(data, data.length);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 1; at < data.length; ) {
    const length = view.getUint32(at, true);
    out.push(data.subarray(at + BATCH_LENGTH_BYTES, at + BATCH_LENGTH_BYTES + length));
    at += BATCH_LENGTH_BYTES + length;
  }
  return out;
}
