/**
 * `@m2m/server`: the m2m-protocol HTTP API (the Rust reference's routes), a typed client for it,
 * and the OpenAI-compatible gateway, as a web-standard app (`createServerApp(...).app.fetch`).
 * The Node listener, logging and shutdown are in `@m2m/server/node`.
 * @module
 */
export { createServerApp, serverCapabilities, SERVER_VERSION, type ServerApp, type ServerAppOptions } from './app.js';
export { SessionTable, type HttpSession, type SessionTableOptions } from './reference/session-table.js';
export { defaultScan, type Scanner, type ScanThreat, type ScanVerdict } from './scan.js';
export { ApiKeys, requestApiKey, type ApiKeySource } from './gateway/auth.js';
export { RateLimiter, parseRate, type RateLimitOptions, type RequestLimiter } from './gateway/rate-limit.js';
export { PoolRateLimiter, type PoolRateLimitOptions, type SharedRateLimitTarget } from './gateway/pool-rate-limit.js';
export { httpForwarder, type Forwarder, type HttpForwarderOptions, type UpstreamRequest } from './gateway/forward.js';
export { gatewayErrorBody, gatewayErrorResponse, gatewayErrorEvent, type GatewayErrorBody } from './gateway/errors.js';
export { gatewayRoutes, type GatewayRoutesOptions } from './gateway/routes.js';
export { BodyBudget, DEFAULT_MAX_BUFFERED_BODY_BYTES, type BodyAccount } from './gateway/body-budget.js';
export { peerForwarder, peerUrl, type PeerForwarder, type PeerLinkOptions } from './gateway/peer-link.js';
export { M2MHttpClient, type M2MHttpClientOptions, type HealthReply, type StatusReply, type CompressReply, type DecompressReply, type ScanReply, type SessionStatsReply } from './client.js';
