/**
 * Token counting: text and chat requests, per model or encoding.
 * @module
 */
export { countTokens, countChatTokens, countRequestTokens, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, REPLY_PRIMING_TOKENS, MAX_COUNT_CHARS, type CountTokensOptions, type CountableMessage } from './count.js';
export { modelEncoding, DEFAULT_ENCODING, type TokenEncoding } from './encoding.js';
