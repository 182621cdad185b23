/**
 * The Noise Protocol Framework (revision 34) on this package's primitives.
 * @module
 */
export * from './patterns.js';
export * from './cipher-state.js';
export * from './handshake-state.js';
