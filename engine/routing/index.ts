export { routeInbound, type InboundCall, type RouteDecision } from './route-inbound.js';
export { newCallSid, isCallSid } from './call-sid.js';
export { SourceAllowList } from './source-allow-list.js';
export { sipUriParts, type UriParts } from './sip-uri-parts.js';
