#!/usr/bin/env node
/**
 * `m2m`: the command-line tool. This release has `errors list|explain`, `frame inspect|decode`
 * and `frame encode`; the rest of the CLI is tracked in the project's CLI issue.
 * @module
 */
import { catalogEntry, decodeFrame, encodeFrame, errorCatalog, formatErrorChain, fromHex, inspectFrame, isSdkError, toHex, frameTextToBytes } from '@m2m/core';

function frameBytes(input: string): Uint8Array {
  return input.startsWith('#M2M|1|') ? frameTextToBytes(input) : fromHex(input.trim());
}

/** Runs the CLI with arguments; returns the exit code. */
export function main(argv: string[], out: (s: string) => void = console.log): number {
  const [group, cmd, arg] = argv;
  try {
    if (group === 'errors' && cmd === 'list') {
      for (const e of errorCatalog) out(`${e.id}\t${e.code}\t${e.title}`);
      return 0;
    }
    if (group === 'errors' && cmd === 'explain' && arg) {
      const e = catalogEntry(arg.toUpperCase()) ?? errorCatalog.find((x) => String(x.id) === arg);
      if (!e) {
        out(`unknown code ${arg}`);
        return 1;
      }
      out(`${e.code} (${e.id}) ${e.errorClass}/${e.kind}${e.reason ? '/' + e.reason : ''}\n${e.description}\nRetryable: ${e.retryable ? 'yes' : 'no'}; HTTP ${e.httpStatus}\nRemedy: ${e.remedy}`);
      return 0;
    }
    if (group === 'frame' && cmd === 'inspect' && arg) {
      out(JSON.stringify(inspectFrame(frameBytes(arg)), (_k, v) => (v instanceof Uint8Array ? toHex(v) : v), 2));
      return 0;
    }
    if (group === 'frame' && cmd === 'decode' && arg) {
      out(decodeFrame(frameBytes(arg)).payload);
      return 0;
    }
    if (group === 'frame' && cmd === 'encode' && arg) {
      out(toHex(encodeFrame(arg)));
      return 0;
    }
    out('usage: m2m errors list | errors explain CODE | frame inspect|decode HEX|TEXT | frame encode JSON');
    return group ? 2 : 0;
  } catch (e) {
    out(formatErrorChain(e));
    return isSdkError(e) ? 1 : 70;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/m2m') || process.argv[1]?.endsWith('main.ts')) {
  process.exitCode = main(process.argv.slice(2));
}
