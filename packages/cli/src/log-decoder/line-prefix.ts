/**
 * Prefixes that log collectors put before every line a program wrote, so that the lines of one
 * multi-line error block still line up: an ISO timestamp (`kubectl logs --timestamps`,
 * `docker logs -t`), with containerd's `stdout F` / `stderr P` after it (CRI format), and the
 * syslog/journald form `Dec  1 02:00:00 host app[123]: `. Each pattern is anchored and its
 * repeated parts are followed by a character they cannot contain, so a match costs one pass.
 * @module
 */

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)) (?:(?:stdout|stderr) [FP] )?/;
const SYSLOG = /^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) [^\s]{1,255} [^\s:]{1,255}: /;

/** A line without its collector prefix, and the time the prefix gave. */
export interface StrippedLine {
  body: string;
  time?: Date;
}

/** Removes a collector prefix from a line; the line comes back unchanged when it has none. */
export function stripLinePrefix(line: string): StrippedLine {
  const c = line.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const m = ISO.exec(line);
    if (m) {
      const d = new Date(m[1].replace(',', '.'));
      return { body: line.slice(m[0].length), ...(Number.isNaN(d.getTime()) ? {} : { time: d }) };
    }
  } else if (c >= 65 && c <= 90) {
    const m = SYSLOG.exec(line);
    if (m) return { body: line.slice(m[0].length) };
  }
  return { body: line };
}
