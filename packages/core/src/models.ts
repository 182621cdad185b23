/**
 * `@m2m/core/models`: model cards (context window, max output, tokenizer, prices) and token
 * counting. An entry of its own so that browser bundles do not carry the model table: token
 * counting needs tokenizer rank tables, which browser builds do not load (`TOKENIZER_ERROR`),
 * and frames estimate their header cost without it (`estimateCost` in the main entry).
 * @module
 */
export { countTokens, countChatTokens, countRequestTokens, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, REPLY_PRIMING_TOKENS, MAX_COUNT_CHARS, type CountTokensOptions, type CountableMessage } from './tokens/count.js';
export { modelEncoding, DEFAULT_ENCODING, type TokenEncoding } from './tokens/encoding.js';
export { MODEL_CARDS, PRICES_AS_OF, PRICES_SOURCE, type ModelCard } from './models/cards.js';
export { getModel, findModelCard, searchModels, listModels, modelCost } from './models/registry.js';
