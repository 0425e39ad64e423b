export { computeCost, formatCost, parsePrice } from './cost.js';
export {
  baseModelName,
  createPriceBook,
  defaultPriceBook,
  loadPriceBookFile,
  priceRef,
} from './price-book.js';
export { validatePriceEntries } from './price-schema.js';
export type { PriceBook, PriceEntry, UsageForCost } from './types.js';
