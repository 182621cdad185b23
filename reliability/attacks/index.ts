/**
 * Every attack `pnpm stress` runs for the adversary table (reliability/lib/adversary.ts). Each
 * area appends its own list here.
 * @module
 */
import type { Attack } from '../lib/adversary.js';
import { decoderAttacks } from './decoders.js';
import { integrityAttacks } from './integrity.js';
import { serverAttacks } from './server.js';
import { wsBatchAttacks } from './ws-batch.js';

/** All attacks, in table order. */
export const allAttacks: Attack[] = [...decoderAttacks, ...serverAttacks, ...wsBatchAttacks, ...integrityAttacks];
