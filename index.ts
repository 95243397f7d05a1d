/**
 * faultline as a library: start a faultline server in-process (a Toxiproxy-compatible control
 * API over real TCP proxies) from a test suite, with no extra process.
 *
 *   import { startServer } from 'faultline';
 *   const server = await startServer({ port: 0 });   // server.url → http://127.0.0.1:<port>
 *   ...                                               // drive it with any Toxiproxy client
 *   await server.close();
 *
 * The harness is at `faultline/harness`.
 */
export { startServer, DEFAULT_API_PORT, type ServerOptions, type RunningServer } from './proxy/api/server.js';
export { Registry, DEFAULT_LINK_BOUND, type RegistryOptions, type ProxyInput, type ProxyPatch } from './proxy/registry.js';
export type { Proxy } from './proxy/proxy.js';
export type { Toxic, ToxicInput, ToxicPatch, Stream } from './proxy/toxic-set.js';
export { FaultlineError, isFaultlineError, type ErrorCode } from './proxy/errors.js';
export { EventBus, type FaultlineEvent, type EventBody } from './proxy/events.js';
export { toxicDefinitions } from './proxy/toxics/catalog.js';
export type { ToxicDefinition, Stage, StageContext, Chunk } from './proxy/toxics/toxic.js';
export { FAULTLINE_VERSION, TOXIPROXY_VERSION } from './proxy/version.js';
