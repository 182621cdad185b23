/**
 * `@m2m/core/logging`: log writers that keep an error's whole typed chain (pino, winston,
 * bunyan, OpenTelemetry). Structural types only, no logger dependency. An entry of its own so
 * that browser bundles, which rarely ship a server logger, do not carry them (bench/startup.ts).
 * `m2m errors decode` reads what they write.
 * @module
 */
export { errSerializer } from './errors/pino.js';
export { winstonErrorFormat, type WinstonErrorFormatOptions, type WinstonFormatLike, type WinstonInfo } from './errors/winston.js';
export { bunyanSerializers, type BunyanSerializer } from './errors/bunyan.js';
export { errorChainAttributes, recordErrorChain, type ErrorChainAttributes, type OtelAttributeValue, type OtelSpanLike, type OtelLogRecordLike, type OtelRecordObject } from './errors/otel.js';
