/**
 * Model cards and their lookup.
 * @module
 */
export { MODEL_CARDS, PRICES_AS_OF, PRICES_SOURCE, type ModelCard } from './cards.js';
export { getModel, findModelCard, searchModels, listModels, modelCost } from './registry.js';
