export {
  Clock,
  ClockDriftError,
  compare,
  DEFAULT_MAX_DRIFT,
  MAX_LOGICAL,
  MAX_WALL,
  timestamp,
  type ClockOptions,
  type Timestamp,
} from './hlc.js';
export { decode, encode, fromJSON, read, toJSON, write, type TimestampJSON } from './codec.js';
