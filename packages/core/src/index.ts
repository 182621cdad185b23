/**
 * `@m2m/core`: the M2M SDK's error model and wire codec (Node entry).
 * @module
 */
export * from './errors/index.js';
export * from './wire/index.js';
export * from './tokens/index.js';
export * from './models/index.js';
export * from './security/index.js';
