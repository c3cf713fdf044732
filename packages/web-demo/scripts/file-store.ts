// A DocumentStore in files, one per document, for the demo server until the package's
// embedded store lands: each change rewrites the document's file (a temporary file renamed
// over it, after an fsync), so a crash leaves the old version or the new one. Fine for a
// demo's small documents; a real deployment uses the server's own stores.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { StoreClosedError, type DocumentStore, type StoredDelta, type StoredDocument } from '@convergent/server';

interface Entry {
  state: Uint8Array | undefined;
  through: number;
  deltas: StoredDelta[];
  next: number;
}

const toJson = (e: Entry) =>
  JSON.stringify({
    state: e.state && Buffer.from(e.state).toString('base64'),
    through: e.through,
    next: e.next,
    deltas: e.deltas.map((d) => [d.seq, Buffer.from(d.bytes).toString('base64')]),
  });
function fromJson(text: string): Entry {
  const j = JSON.parse(text) as { state?: string; through: number; next: number; deltas: Array<[number, string]> };
  const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
  return { state: j.state === undefined ? undefined : bytes(j.state), through: j.through, next: j.next, deltas: j.deltas.map(([seq, b]) => ({ seq, bytes: bytes(b) })) };
}

export class FileStore implements DocumentStore {
  readonly #docs = new Map<string, Entry>();
  /** The last write of each document: writes of one document go in order. */
  readonly #writes = new Map<string, Promise<void>>();
  #closed = false;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')))
      this.#docs.set(decodeURIComponent(file.slice(0, -'.json'.length)), fromJson(readFileSync(path.join(dir, file), 'utf8')));
  }

  async load(doc: string): Promise<StoredDocument> {
    this.#check();
    const e = this.#docs.get(doc); // a load creates nothing
    return { state: e?.state?.slice(), deltas: e?.deltas.map((d) => ({ seq: d.seq, bytes: d.bytes.slice() })) ?? [] };
  }

  async append(doc: string, delta: Uint8Array): Promise<number> {
    const e = this.#open(doc);
    const seq = e.next++;
    e.deltas.push({ seq, bytes: delta.slice() });
    await this.#save(doc);
    return seq;
  }

  async compact(doc: string, state: Uint8Array, through: number): Promise<void> {
    const e = this.#open(doc);
    if (!Number.isSafeInteger(through) || through < 0) throw new RangeError(`compact: through must be a non-negative integer, got ${through}`);
    if (through < e.through) return;
    Object.assign(e, { state: state.slice(), through, deltas: e.deltas.filter((d) => d.seq > through), next: Math.max(e.next, through + 1) });
    await this.#save(doc);
  }

  async delete(doc: string): Promise<void> {
    this.#check();
    this.#docs.delete(doc);
    await this.#save(doc);
  }

  async *documents(): AsyncIterable<string> {
    this.#check();
    yield* [...this.#docs.keys()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#writes.values());
  }

  #check(): void {
    if (this.#closed) throw new StoreClosedError('the store is closed');
  }

  /** The document's entry, made if new (for writes only). */
  #open(doc: string): Entry {
    this.#check();
    let e = this.#docs.get(doc);
    if (e === undefined) this.#docs.set(doc, (e = { state: undefined, through: 0, deltas: [], next: 1 }));
    return e;
  }

  /** Writes the document as it is now, after its earlier writes. */
  #save(doc: string): Promise<void> {
    const file = path.join(this.dir, `${encodeURIComponent(doc)}.json`);
    const write = (this.#writes.get(doc) ?? Promise.resolve()).then(async () => {
      const e = this.#docs.get(doc);
      if (e === undefined) return rm(file, { force: true });
      const tmp = `${file}.tmp`;
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(toJson(e));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    });
    this.#writes.set(doc, write.catch(() => {}));
    return write;
  }
}
