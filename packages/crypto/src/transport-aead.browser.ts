/**
 * The browser side of the `#transport-aead` seam (package.json `imports`): aead.ts's checked
 * functions themselves (a browser seals a few frames, on @noble; `transport-aead.ts` is Node's).
 * @module
 */
export { openInto as transportOpenInto, sealInPlace as transportSealInPlace } from './aead.js';
