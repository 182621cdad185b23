/**
 * The longest stretch the event loop could not run, watched with node:perf_hooks' delay
 * histogram: the fault scenarios (load.ts) and the adversary harness (adversary.ts) judge it.
 * @module
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Starts watching at `resolutionMs`; `stop()` ends the watch and returns the longest stall, in ms. */
export function watchEventLoop(resolutionMs: number): { stop(): number } {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  return {
    stop() {
      h.disable();
      return h.max / 1e6;
    },
  };
}
