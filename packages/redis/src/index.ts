export { RedisStore } from './redis-store.js';
export { RedisFanout } from './redis-fanout.js';
export type { RedisOptions } from './connection.js';
