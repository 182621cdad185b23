/**
 * `m2m errors explain` for the names a log line shows beside SDK codes that are not codes of the
 * catalog: CLOSE reasons (`Session closed: SERVER_SHUTDOWN`), REJECT codes, threat types, the
 * reference's compression error names, and the system error codes of a Node.js cause
 * (`Caused by: [ECONNREFUSED] …` in `m2m errors decode` output). Each is looked up where the
 * SDK and Node keep it (`@m2m/core/explain`, `util.getSystemErrorMap`, `node:dns`), never in a
 * copied table.
 * @module
 */
import * as dns from 'node:dns';
import { getSystemErrorMap } from 'node:util';
import { closeReasonInfo, compressionErrorCodes, rejectionCodeInfo, threatTypeInfo } from '@m2m/core/explain';

/** What {@link explainOtherName} found: the kind of name, and lines to print. */
export interface OtherName {
  /** `close-reason`, `reject-code`, `threat-type`, `reference-name` or `system-error`. */
  kind: string;
  /** The name as it is spelled where it was found. */
  name: string;
  /** For a reference compression error name: the SDK code it maps to. */
  code?: string;
  lines: string[];
}

const has = <T extends object>(table: T, key: string): key is Extract<keyof T, string> => Object.prototype.hasOwnProperty.call(table, key);

/** The system error name's text from Node (libuv's map, then `node:dns`'s codes), or undefined. */
function systemErrorText(name: string): string | undefined {
  for (const [, [n, text]] of getSystemErrorMap()) if (n === name) return text;
  const dnsCodes = Object.values(dns as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && /^E[A-Z]+$/.test(v));
  return dnsCodes.includes(name) ? 'DNS lookup failed' : undefined;
}

/**
 * Explains `arg` when it is a CLOSE reason, REJECT code, threat type, reference compression error
 * name or Node.js system error code (matched as written, then upper-cased); undefined otherwise.
 * Never throws.
 */
export function explainOtherName(arg: string): OtherName | undefined {
  const upper = arg.toUpperCase();
  if (has(closeReasonInfo, upper)) {
    const r = closeReasonInfo[upper];
    return { kind: 'close-reason', name: upper, lines: [`${upper}: a CLOSE reason (docs/ERRORS.md, "CLOSE reasons"), not an error code: ${r.description}.`, `A session that ends with it throws SESSION_CLOSED (\`Session closed: ${upper}\`); reconnecting ${r.retryable ? 'may succeed' : 'is not advised'}.`] };
  }
  if (has(rejectionCodeInfo, upper)) {
    const r = rejectionCodeInfo[upper];
    return { kind: 'reject-code', name: upper, lines: [`${upper}: a REJECT code (docs/ERRORS.md, "REJECT codes"): ${r.description}.`, `A refused connect throws REJECTED (\`Session rejected: ${upper}: …\`). Recovery: ${r.recovery}; retryable: ${r.retryable ? 'yes' : 'no'}.`] };
  }
  if (has(threatTypeInfo, upper)) {
    const t = threatTypeInfo[upper];
    return { kind: 'threat-type', name: upper, lines: [`${upper}: a threat type of the security scanner (docs/ERRORS.md, "Threat types"), severity ${t.severity}: ${t.description}.`, 'It appears as `threatType` in the details of SECURITY_THREAT and SECURITY_VIOLATION errors.'] };
  }
  const refName = Object.keys(compressionErrorCodes).find((k) => k.toLowerCase() === arg.toLowerCase());
  if (refName && has(compressionErrorCodes, refName)) {
    const code = compressionErrorCodes[refName];
    return { kind: 'reference-name', name: refName, code, lines: [`${refName}: a compression error name of the M2M reference; this SDK throws ${code} for it.`] };
  }
  const text = systemErrorText(upper);
  if (text !== undefined) {
    return { kind: 'system-error', name: upper, lines: [`${upper}: a system error code from Node.js (${text}), not an SDK code.`, 'It is the cause of the SDK error above it in the chain (e.g. NETWORK_ERROR, UPSTREAM_ERROR): check the address, port and that the peer is running.'] };
  }
  return undefined;
}
