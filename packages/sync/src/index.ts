export type { SyncAdapter } from './adapter.js';
export type { Sender, SendOptions, Transport, TransportHandlers } from './transport.js';
export {
  decodeMessage,
  DEFAULT_SYNC_LIMITS,
  encodeMessage,
  type AckMessage,
  type StateMessage,
  type SyncLimits,
  type SyncMessage,
  type SyncRequest,
} from './message.js';
export {
  decodeDigestMessage,
  DEFAULT_DIGEST_LIMITS,
  encodeDigestMessage,
  namePath,
  pathPrefix,
  type DigestChildren,
  type DigestEntries,
  type DigestLimits,
  type DigestMessage,
  type DigestNode,
  type DigestRequest,
  type DigestResponse,
} from './digest-message.js';
export { DigestSession, DigestTree, findDifferences } from './digest-tree.js';
export { Replica, type Change, type ReplicaOptions, type ReplicaStats } from './replica.js';
export { isCompanionMessage } from './companion.js';
export { ProtocolVersionError, ReplicaIdReuseError, UnauthorizedError } from './errors.js';
export { MemoryNetwork, type MemoryNetworkOptions, type MemoryNetworkStats } from './memory.js';
export { BroadcastChannelTransport } from './broadcast-channel.js';
export { WebSocketTransport, type WebSocketConstructor, type WebSocketEnd, type WebSocketLike, type WebSocketTransportOptions } from './websocket.js';
export { decodeFrame, encodeDataFrame, PING_FRAME, PONG_FRAME, type RelayFrame } from './relay-frame.js';
export { startRelay, type Relay, type RelayOptions, type RelayStats } from './relay.js';
