// Merkle-tree anti-entropy over many documents: two replicas holding thousands of
// documents find the few that differ by comparing hashes of name ranges, descending
// only where they differ. The tree is a trie over a hash of the name (the same shape
// everywhere), and a node's hash is the XOR of its names' hashes, so one document's
// change updates one path of nodes, never a rebuild.
import { DecodeError, fnv1a64, Writer } from '@convergent/core';
import {
  decodeDigestMessage,
  DEFAULT_DIGEST_LIMITS,
  encodeDigestMessage,
  FANOUT_BITS,
  MAX_LEVEL,
  pathPrefix,
  utf8Path,
  type DigestChildren,
  type DigestEntries,
  type DigestLimits,
  type DigestNode,
} from './digest-message.js';
import { MAX_DOC_BYTES } from './message.js';

const FANOUT = 1 << FANOUT_BITS;
/** A stored leaf splits past this many names; a responder lists the names of a differing node holding at most this many. */
const LEAF_NAMES = 16;
const encoder = new TextEncoder();

interface Entry {
  readonly path: number;
  readonly hash: bigint;
}

/** A leaf holds `entries`; an inner node holds `children` (indexed by the next 4 bits of the path). */
interface Node {
  hash: bigint;
  count: number;
  entries: Map<string, Entry> | undefined;
  children: Array<Node | undefined> | undefined;
}

const leaf = (): Node => ({ hash: 0n, count: 0, entries: new Map(), children: undefined });
/** Which child of a node at `level` the path goes down to. */
const childIndex = (path: number, level: number): number => (path >>> (32 - FANOUT_BITS * (level + 1))) & (FANOUT - 1);

function add(node: Node, name: string, entry: Entry): void {
  node.hash ^= entry.hash;
  node.count++;
  node.entries!.set(name, entry);
}

/** Turns an overfull leaf at `level` into an inner node, and its overfull children likewise. */
function split(node: Node, level: number): void {
  const children: Array<Node | undefined> = new Array<Node | undefined>(FANOUT).fill(undefined);
  for (const [name, entry] of node.entries!) add((children[childIndex(entry.path, level)] ??= leaf()), name, entry);
  node.entries = undefined;
  node.children = children;
  for (const child of children) if (child && child.count > LEAF_NAMES && level + 1 < MAX_LEVEL) split(child, level + 1);
}

/** The names under a node, with their entries. */
function* entriesOf(node: Node | undefined): Generator<[string, Entry]> {
  if (node?.entries) yield* node.entries;
  else for (const child of node?.children ?? []) yield* entriesOf(child);
}

/** The 16 child hashes of a node at `level`. */
function childHashes(node: Node, level: number): bigint[] {
  const hashes = new Array<bigint>(FANOUT).fill(0n);
  if (node.children) node.children.forEach((child, i) => (hashes[i] = child?.hash ?? 0n));
  else for (const entry of node.entries!.values()) hashes[childIndex(entry.path, level)]! ^= entry.hash;
  return hashes;
}

/** Each tree's root, for its sessions (a WeakMap, not a static block: bundlers drop it when unused). */
const roots = new WeakMap<DigestTree, Node>();

/** The node `(level, prefix)` under `root`: stored, or the part of a stored leaf under it, or `undefined` when empty. */
function nodeAt(root: Node, level: number, prefix: number): Node | undefined {
  let node: Node | undefined = root;
  for (let l = 0; l < level && node; l++) {
    if (node.entries) {
      const part = leaf();
      for (const [name, entry] of node.entries) if (pathPrefix(entry.path, level) === prefix) add(part, name, entry);
      return part;
    }
    node = node.children![(prefix >>> (FANOUT_BITS * (level - l - 1))) & (FANOUT - 1)];
  }
  return node;
}

/**
 * A digest tree: an index from document name to a hash of what this replica holds of
 * that document (its {@link Replica.version}), which answers "which of my documents
 * differ from yours?" in O(d × log n) bytes for d differences among n documents, in
 * about log₁₆ n round trips.
 *
 * Names are placed by a 32-bit hash ({@link namePath}): node `(level, prefix)` holds
 * the names whose path begins with `prefix` (4 bits per level, 16 children per node,
 * 8 levels at most), so every tree has the same shape. A node's hash is the XOR of the
 * 64-bit FNV-1a hashes of its (name, version) pairs: {@link DigestTree.set} updates the
 * one path from the root to the name, in O(log n). The tree stores a node only where it
 * holds more than 16 names.
 *
 * A {@link DigestSession} (the side that asks) and {@link DigestTree.answer} (the side
 * that answers, e.g. a server) run the exchange; {@link findDifferences} drives it over
 * any request-response channel.
 *
 * @example
 * ```ts
 * import { DigestTree, findDifferences } from '@convergent/sync';
 *
 * const v = (n: number) => new Uint8Array([n]);
 * const server = new DigestTree();
 * const client = new DigestTree();
 * for (let i = 0; i < 1000; i++) {
 *   server.set(`doc-${i}`, v(1));
 *   client.set(`doc-${i}`, v(1));
 * }
 * server.set('doc-7', v(2)); // changed on the server
 * client.set('draft', v(1)); // only on the client
 * server.root === client.root; // => false
 * const found = await findDifferences(client, (request) => server.answer(request));
 * [...found].sort(); // => ['doc-7', 'draft']
 * ```
 */
export class DigestTree {
  readonly #index = new Map<string, Entry>();
  readonly #root: Node = leaf();

  /** An empty tree. */
  constructor() {
    roots.set(this, this.#root);
  }

  /** How many names the tree holds. */
  get size(): number {
    return this.#index.size;
  }

  /** The root's hash: two trees with equal roots hold the same (name, version) pairs, up to a 2⁻⁶⁴ chance. */
  get root(): bigint {
    return this.#root.hash;
  }

  /**
   * Whether the tree holds `name`.
   * @param name - a document name
   * @returns `true` if it was {@link DigestTree.set} and not deleted since
   */
  has(name: string): boolean {
    return this.#index.has(name);
  }

  /**
   * The names the tree holds, in insertion order.
   * @returns an iterator over the names
   */
  names(): IterableIterator<string> {
    return this.#index.keys();
  }

  /**
   * Records what this replica holds of document `name`: any bytes that two replicas
   * hold alike exactly when they hold the same document ({@link Replica.version}).
   * O(log n): updates the nodes on one path.
   *
   * @param name - the document name (at most 256 UTF-8 bytes, as in sync messages)
   * @param version - the document's version bytes
   * @throws RangeError for a name that is too long or not well-formed
   */
  set(name: string, version: Uint8Array): void {
    const bytes = typeof name === 'string' && name.isWellFormed() ? encoder.encode(name) : undefined;
    if (!bytes || bytes.length > MAX_DOC_BYTES) throw new RangeError('a document name is a well-formed string of at most 256 UTF-8 bytes');
    if (!(version instanceof Uint8Array)) throw new TypeError('version must be a Uint8Array');
    // Length-prefixed name, then the version: no two pairs hash the same bytes.
    const hash = fnv1a64(new Writer().uint(bytes.length).raw(bytes).raw(version).finish());
    const old = this.#index.get(name);
    if (old?.hash === hash) return;
    const entry = { path: old?.path ?? utf8Path(bytes), hash };
    this.#index.set(name, entry);
    this.#update(name, entry, old);
  }

  /**
   * Forgets document `name`. O(log n).
   * @param name - the document name
   * @returns whether the tree held it
   */
  delete(name: string): boolean {
    const old = this.#index.get(name);
    if (!old) return false;
    this.#index.delete(name);
    this.#update(name, undefined, old);
    return true;
  }

  /**
   * A new tree holding the names of this one that `keep` accepts, with their versions:
   * a narrower view to answer some peers from (a server answering each identity about
   * the documents it may know of). O(n), without the versions being asked again; the
   * copy does not follow later changes of this tree.
   *
   * @param keep - whether a name goes into the copy
   * @returns the new tree
   *
   * @example
   * ```ts
   * import { DigestTree } from '@convergent/sync';
   *
   * const all = new DigestTree();
   * for (const name of ['team-a/plan', 'team-a/notes', 'team-b/secret']) all.set(name, new Uint8Array([1]));
   * const teamA = all.filter((name) => name.startsWith('team-a/'));
   * [...teamA.names()].sort(); // => ['team-a/notes', 'team-a/plan']
   * const same = new DigestTree();
   * same.set('team-a/plan', new Uint8Array([1]));
   * same.set('team-a/notes', new Uint8Array([1]));
   * teamA.root === same.root; // => true
   * ```
   */
  filter(keep: (name: string) => boolean): DigestTree {
    const copy = new DigestTree();
    for (const [name, entry] of this.#index) {
      if (!keep(name)) continue;
      copy.#index.set(name, entry);
      copy.#update(name, entry, undefined);
    }
    return copy;
  }

  /**
   * Answers a {@link DigestRequest} from a peer's {@link DigestSession}: for each node it
   * names whose hash differs from this tree's, the node's 16 child hashes, or its names
   * if it holds at most 16 (or is at the deepest level). Stateless: any number of
   * sessions can ask at once.
   *
   * @param request - the request's bytes, untrusted
   * @param limits - size limits (default {@link DEFAULT_DIGEST_LIMITS})
   * @returns the response's bytes
   * @throws DecodeError if the request is malformed, oversized, or not a request
   */
  answer(request: Uint8Array, limits: DigestLimits = DEFAULT_DIGEST_LIMITS): Uint8Array {
    const message = decodeDigestMessage(request, limits);
    if (message.kind !== 'digest-request') throw new DecodeError('a digest response where a request was expected', { offset: 1 });
    const items: Array<DigestChildren | DigestEntries> = [];
    for (const { level, prefix, hash } of message.nodes) {
      const node = nodeAt(this.#root, level, prefix);
      if ((node?.hash ?? 0n) === hash) continue;
      if (node && node.count > LEAF_NAMES && level < MAX_LEVEL) items.push({ kind: 'children', level, prefix, hashes: childHashes(node, level) });
      else {
        const entries = [...entriesOf(node)].map(([name, entry]) => [name, entry.hash] as const).sort(([x], [y]) => (x < y ? -1 : 1));
        // Only a level-8 node (names sharing all 32 bits of path) can hold more.
        items.push({ kind: 'entries', level, prefix, entries: entries.slice(0, limits.maxEntries) });
      }
    }
    return encodeDigestMessage({ kind: 'digest-response', items });
  }

  // Walks the one path from the root to the leaf holding `name`: O(depth).
  #update(name: string, entry: Entry | undefined, old: Entry | undefined): void {
    const path = (entry ?? old)!.path;
    const delta = (entry?.hash ?? 0n) ^ (old?.hash ?? 0n);
    const added = (entry ? 1 : 0) - (old ? 1 : 0);
    let node = this.#root;
    for (let level = 0; ; level++) {
      node.hash ^= delta;
      node.count += added;
      if (node.entries) {
        if (entry) node.entries.set(name, entry);
        else node.entries.delete(name);
        if (node.count > LEAF_NAMES && level < MAX_LEVEL) split(node, level);
        return;
      }
      if (node.count <= LEAF_NAMES / 2) {
        // Few names left under an inner node (only after a delete): it becomes a leaf again.
        node.entries = new Map([...entriesOf(node)].filter(([other]) => other !== name));
        node.children = undefined;
        return;
      }
      node = node.children![childIndex(path, level)] ??= leaf();
    }
  }
}

/**
 * The asking side of a digest-tree exchange: it sends its root, and each answer's
 * differing children back, one level deeper per round, until the answers list names;
 * then {@link DigestSession.differences} holds every name whose version differs or that
 * only one side holds. Each round sends one request per {@link DigestLimits.maxNodes}
 * differing nodes, so a round with d differences costs at most ⌈d / maxNodes⌉ requests,
 * and there are at most 9 rounds (about log₁₆ n).
 *
 * Answers are compared with the tree as it is when they arrive; a document that changes
 * during the exchange may be reported or missed, as its own sync will catch it anyway.
 * {@link findDifferences} runs a session for you.
 *
 * @example
 * ```ts
 * import { DigestSession, DigestTree } from '@convergent/sync';
 *
 * const mine = new DigestTree();
 * const theirs = new DigestTree();
 * mine.set('notes', new Uint8Array([1]));
 * theirs.set('notes', new Uint8Array([2]));
 * const session = new DigestSession(mine);
 * let requests = session.start();
 * while (requests.length) requests = requests.flatMap((request) => session.receive(theirs.answer(request)));
 * session.done; // => true
 * [...session.differences]; // => ['notes']
 * ```
 */
export class DigestSession {
  readonly #tree: DigestTree;
  readonly #root: Node;
  readonly #limits: DigestLimits;
  /** Nodes asked about and not answered yet, as `level:prefix`. */
  readonly #asked = new Set<string>();
  readonly #differences = new Set<string>();
  #pending = 0;
  #started = false;

  /**
   * @param tree - this side's tree
   * @param limits - size limits for the answers it decodes and the requests it sends
   */
  constructor(tree: DigestTree, limits: DigestLimits = DEFAULT_DIGEST_LIMITS) {
    this.#tree = tree;
    const root = roots.get(tree);
    if (!root) throw new TypeError('not a DigestTree');
    this.#root = root;
    this.#limits = limits;
  }

  /** The names found to differ so far. */
  get differences(): ReadonlySet<string> {
    return this.#differences;
  }

  /** Whether the session has started and every request it sent has been answered. */
  get done(): boolean {
    return this.#started && this.#pending === 0;
  }

  /**
   * The first request: the root's hash.
   * @returns the requests to send (one)
   */
  start(): Uint8Array[] {
    this.#started = true;
    return this.#ask([{ level: 0, prefix: 0, hash: this.#tree.root }]);
  }

  /**
   * Takes one answer: records the names that differ, and returns the next requests
   * (none when this answer leaves nothing more to ask). Items for nodes not asked
   * about, or already answered, are ignored.
   *
   * @param response - the response's bytes, untrusted
   * @returns the requests to send next
   * @throws DecodeError if the response is malformed, oversized, or not a response
   */
  receive(response: Uint8Array): Uint8Array[] {
    const message = decodeDigestMessage(response, this.#limits);
    if (message.kind !== 'digest-response') throw new DecodeError('a digest request where a response was expected', { offset: 1 });
    if (this.#pending === 0) return [];
    this.#pending--;
    const next: DigestNode[] = [];
    for (const item of message.items) {
      if (!this.#asked.delete(`${item.level}:${item.prefix}`)) continue;
      if (item.kind === 'children') {
        item.hashes.forEach((theirs, i) => {
          const [level, prefix] = [item.level + 1, item.prefix * FANOUT + i];
          const mine = nodeAt(this.#root, level, prefix);
          if ((mine?.hash ?? 0n) === theirs) return;
          // The peer holds nothing there: every name of ours under it differs, no need to ask.
          if (theirs === 0n) for (const [name] of entriesOf(mine)) this.#differences.add(name);
          else next.push({ level, prefix, hash: mine?.hash ?? 0n });
        });
      } else {
        const mine = new Map(entriesOf(nodeAt(this.#root, item.level, item.prefix)));
        for (const [name, hash] of item.entries) {
          if (mine.get(name)?.hash !== hash) this.#differences.add(name);
          mine.delete(name);
        }
        for (const name of mine.keys()) this.#differences.add(name);
      }
    }
    return this.#ask(next);
  }

  #ask(nodes: DigestNode[]): Uint8Array[] {
    const requests: Uint8Array[] = [];
    for (let i = 0; i < nodes.length; i += this.#limits.maxNodes) {
      const chunk = nodes.slice(i, i + this.#limits.maxNodes);
      for (const { level, prefix } of chunk) this.#asked.add(`${level}:${prefix}`);
      requests.push(encodeDigestMessage({ kind: 'digest-request', nodes: chunk }));
    }
    this.#pending += requests.length;
    return requests;
  }
}

/**
 * Runs a {@link DigestSession} to the end over any request-response channel: each
 * round's requests are sent at once, and the next round starts when all are answered.
 *
 * @param tree - this side's tree
 * @param ask - sends one request to the peer and resolves with its answer (the peer calls {@link DigestTree.answer})
 * @param limits - size limits (default {@link DEFAULT_DIGEST_LIMITS})
 * @returns the names whose versions differ, or that only one side holds
 * @throws DecodeError if an answer is malformed; whatever `ask` throws
 *
 * @example
 * ```ts
 * import { DigestTree, findDifferences } from '@convergent/sync';
 *
 * const mine = new DigestTree();
 * const theirs = new DigestTree();
 * theirs.set('shared', new Uint8Array([1]));
 * const found = await findDifferences(mine, async (request) => theirs.answer(request));
 * [...found]; // => ['shared']
 * ```
 */
export async function findDifferences(
  tree: DigestTree,
  ask: (request: Uint8Array) => Uint8Array | Promise<Uint8Array>,
  limits: DigestLimits = DEFAULT_DIGEST_LIMITS,
): Promise<ReadonlySet<string>> {
  const session = new DigestSession(tree, limits);
  for (let requests = session.start(); requests.length; ) {
    const answers = await Promise.all(requests.map(async (request) => ask(request)));
    requests = answers.flatMap((answer) => session.receive(answer));
  }
  return session.differences;
}
