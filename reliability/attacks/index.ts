/**
 * Every attack `pnpm stress` runs for the adversary table (reliability/lib/adversary.ts). Each
 * area appends its own list here.
 * @module
 */
import type { Attack } from '../lib/adversary.js';
import { decoderAttacks } from './decoders.js';
import { integrityAttacks } from './integrity.js';
import { serverAttacks } from './server.js';

/** All attacks, in table order: decoders, server limits, session integrity. */
export const allAttacks: Attack[] = [...decoderAttacks, ...serverAttacks, ...integrityAttacks];
