import { DecodeError } from '@convergent/core';
import { checkBinding, checkThrough, StoreClosedError, type DocumentStore, type StoredDelta, type StoredDocument } from '@convergent/server';
import { command, connect, script, type Client, type RedisOptions } from './connection.js';

// Per document, under the prefix (no key of one document can equal a key of another:
// the suffixes are distinct and none ends another):
//   doc:<name>:meta   hash { last: the last sequence number given, through: the state's (absent: no state) }
//   doc:<name>:log    hash { <seq>: delta }
//   doc:<name>:state  the compacted state
// and `documents`, the set of names, and `replica:<id>`, the identity a replica id is
// bound to. Each operation is one Lua script, so it is atomic against every other
// process's operations on the same Redis.

const APPEND = script(`
local seq = redis.call('HINCRBY', KEYS[1], 'last', 1)
redis.call('HSET', KEYS[2], seq, ARGV[1])
redis.call('SADD', KEYS[4], ARGV[2])
return seq`);

// A late compaction (lower `through` than the stored state's) is dropped: its state may
// lack deltas an earlier, newer compaction already removed.
const COMPACT = script(`
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local stored = tonumber(redis.call('HGET', KEYS[1], 'through') or '-1')
local through = math.min(tonumber(ARGV[2]), last)
if through < stored then return 0 end
for _, seq in ipairs(redis.call('HKEYS', KEYS[2])) do
  if tonumber(seq) <= through then redis.call('HDEL', KEYS[2], seq) end
end
redis.call('SET', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[1], 'last', last, 'through', through)
redis.call('SADD', KEYS[4], ARGV[3])
return 1`);

const LOAD = script(`
local state = redis.call('GET', KEYS[3])
return { state and 1 or 0, state or '', redis.call('HGETALL', KEYS[2]) }`);

const DELETE = script(`
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('SREM', KEYS[4], ARGV[1])
return 1`);

// The first identity to bind a replica id keeps it: concurrent binds from any process agree.
const BIND = script(`
local owner = redis.call('GET', KEYS[1])
if owner then return owner end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`);

const damaged = (what: string): DecodeError => new DecodeError(`RedisStore: unexpected reply, ${what}`, { offset: 0 });

const seqOf = (field: unknown): number => {
  const seq = Number(String(field));
  if (!Number.isSafeInteger(seq) || seq < 1) throw damaged('bad sequence number');
  return seq;
};

const bytesOf = (value: unknown): Uint8Array => {
  if (!(value instanceof Uint8Array)) throw damaged('a value is not bytes');
  return new Uint8Array(value); // a copy, and a plain Uint8Array rather than a Buffer
};

/**
 * A {@link DocumentStore} in Redis, for several server processes sharing documents
 * (with {@link RedisFanout}). Every operation is one Lua script, atomic against every
 * other process; two processes compacting one document at once keep the newest state
 * (a `compact` whose `through` is lower than the stored one is ignored).
 *
 * Durability is Redis's: run it with `appendonly yes` and `appendfsync always`, and an
 * append resolves only after Redis has written and fsynced it to its append-only file,
 * so an acknowledged delta survives a crash of Redis or of its machine. With the
 * default `appendfsync everysec`, a crash of Redis's machine (not of Redis alone) can
 * lose up to the last second of acknowledged deltas.
 *
 * @example
 * ```ts
 * import { RedisStore } from '@convergent/redis';
 *
 * async function remember(url: string): Promise<number> {
 *   const store = await RedisStore.connect({ url });
 *   const seq = await store.append('notes', new Uint8Array([1])); // durable once resolved
 *   await store.bind('laptop-1', 'alice'); // 'alice', or whoever bound 'laptop-1' first, in any process
 *   await store.close();
 *   return seq;
 * }
 * typeof remember; // => 'function'
 * ```
 */
export class RedisStore implements DocumentStore {
  readonly #client: Client;
  readonly #prefix: string;
  #closed = false;

  private constructor(client: Client, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  /**
   * Connects to Redis.
   *
   * @example
   * ```ts
   * import { RedisStore } from '@convergent/redis';
   *
   * const open = (url: string) => RedisStore.connect({ url, prefix: 'my-app:' });
   * typeof open; // => 'function'
   * ```
   */
  static async connect(options: RedisOptions): Promise<RedisStore> {
    return new RedisStore(await connect(options), options.prefix ?? 'convergent:');
  }

  async load(doc: string): Promise<StoredDocument> {
    const reply = await LOAD(this.#open(), this.#keys(doc), []);
    if (!Array.isArray(reply) || reply.length !== 3 || !Array.isArray(reply[2])) throw damaged('load');
    const [hasState, state, log] = reply as [unknown, unknown, unknown[]];
    const deltas: StoredDelta[] = [];
    for (let i = 0; i + 1 < log.length; i += 2) deltas.push({ seq: seqOf(log[i]), bytes: bytesOf(log[i + 1]) });
    deltas.sort((a, b) => a.seq - b.seq);
    return { state: hasState === 1 ? bytesOf(state) : undefined, deltas };
  }

  async append(doc: string, delta: Uint8Array): Promise<number> {
    return seqOf(await APPEND(this.#open(), this.#keys(doc), [Buffer.from(delta), doc]));
  }

  async compact(doc: string, state: Uint8Array, through: number): Promise<void> {
    const client = this.#open();
    checkThrough(through);
    await COMPACT(client, this.#keys(doc), [Buffer.from(state), String(through), doc]);
  }

  async delete(doc: string): Promise<void> {
    await DELETE(this.#open(), this.#keys(doc), [doc]);
  }

  async bind(replica: string, identity: string): Promise<string> {
    const client = this.#open();
    checkBinding(replica, identity);
    const owner = await BIND(client, [`${this.#prefix}replica:${replica}`], [identity]);
    if (!(owner instanceof Uint8Array)) throw damaged('bind');
    return Buffer.from(owner).toString('utf8');
  }

  async *documents(): AsyncIterable<string> {
    const client = this.#open();
    let cursor = '0';
    do {
      const reply = await command(client, ['SSCAN', `${this.#prefix}documents`, cursor, 'COUNT', '500']);
      if (!Array.isArray(reply) || !Array.isArray(reply[1])) throw damaged('sscan');
      cursor = String(reply[0]);
      for (const name of reply[1] as unknown[]) yield String(name);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.close();
  }

  #open(): Client {
    if (this.#closed) throw new StoreClosedError('the store is closed');
    return this.#client;
  }

  #keys(doc: string): string[] {
    const at = `${this.#prefix}doc:${doc}`;
    return [`${at}:meta`, `${at}:log`, `${at}:state`, `${this.#prefix}documents`];
  }
}
