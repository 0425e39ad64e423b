export type {
  BatchWriterOptions,
  DeadLetter,
  EventType,
  ExporterLogger,
  ExporterStats,
  ExportOutcome,
  PgSpanExporterOptions,
  SpanLike,
  SpanRow,
  TransformOptions,
  TransformOptionsInput,
  TransformResult,
  UsageSource,
  WriteErrorKind,
  WriteReport,
} from './postgres/index.js';
export {
  classifyWriteError,
  createStats,
  encodeCopyRow,
  PgSpanExporter,
  registerExporterMetrics,
  resolveTransformOptions,
  STAGING_COLUMNS,
  spanLikeFromReadable,
  transformSpan,
  WriteUnavailableError,
  writeRows,
} from './postgres/index.js';
export type { PriceBook, PriceEntry } from './pricing/index.js';
export {
  computeCost,
  createPriceBook,
  defaultPriceBook,
  loadPriceBookFile,
  priceRef,
} from './pricing/index.js';
