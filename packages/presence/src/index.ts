export { DEFAULT_PRESENCE_LIMITS, type Anchor, type PresenceLimits, type PresenceState, type Selection } from './state.js';
export { anchorAt, offsetOf, selectionAt, selectionOffsets } from './anchor.js';
export {
  decodePresence,
  encodePresence,
  isPresenceMessage,
  PresenceVersionError,
  type PresenceLeave,
  type PresenceMessage,
  type PresenceUpdate,
} from './message.js';
export { Presence, type PresenceChange, type PresenceOptions, type PresenceStats } from './presence.js';
