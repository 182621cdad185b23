/**
 * The browser side of the `#transport-aead` seam (package.json `imports`): aead.ts's checked
 * functions themselves (a browser seals a few frames, on @noble; `transport-aead.ts` is Node's).
 * @module
 */
export { openInto as transportOpenInto, sealInPlace as transportSealInPlace } from './aead.js';

/** No kept plaintext buffer in browsers: `aeadProtection` frames open through `open` (an empty body, so bundlers drop the call; transport-aead.ts has Node's). */
export function keptOpener(_k: Uint8Array, _open: (aad: Uint8Array, sealed: Uint8Array) => Uint8Array): ((aad: Uint8Array, sealed: Uint8Array) => Uint8Array) | undefined {
  return undefined;
}
