// The benchmark's page: each function is called by run.mjs through playwright, most
// in a freshly loaded page, so that what it times is cold.
import * as RGA from '@convergent/rga';
import { deleteStore, openStore, restore } from '@convergent/indexeddb';

const DB = 'bench';
const DOC = 'paper';
/** Base64 in chunks: spreading 100 kB into one call overflows the stack. */
const toBase64 = (bytes) => {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(binary);
};
const estimate = async () => (await navigator.storage.estimate()).usage ?? 0;

window.bench = {
  /** Writes the trace through a persisted replica (one record per change), then compacts; sizes before and after. */
  async write(patches) {
    const store = await openStore(DB, { durability: 'relaxed' });
    const { replica, persistence } = await restore({ store, type: RGA, doc: DOC, gossipMs: 0, compactEvery: 0 });
    const t0 = performance.now();
    for (const [pos, del, ins] of patches) {
      if (del > 0) replica.update((s, id) => RGA.deleteText(s, id, pos, del));
      if (ins !== '') replica.update((s, id) => RGA.insertText(s, id, pos, ins));
    }
    await persistence.whenDurable();
    const writeMs = performance.now() - t0;
    const before = await store.usage(DOC);
    const t1 = performance.now();
    await persistence.compact();
    const compactMs = performance.now() - t1;
    const after = await store.usage(DOC);
    const bytes = RGA.encode(replica.state);
    const encoded = bytes.length;
    const text = RGA.text(replica.state);
    await persistence.close();
    store.close();
    return { writeMs, compactMs, before, after, encoded, text, base64: toBase64(bytes), estimate: await estimate() };
  },
  /** What the document takes now: records, bytes, and Chromium's own usage estimate for the origin. */
  async usage() {
    const store = await openStore(DB);
    const usage = await store.usage(DOC);
    store.close();
    return { ...usage, estimate: await estimate() };
  },
  /** A reload with no edit: the app restores the document, as on every page load. */
  async reload() {
    const store = await openStore(DB);
    const { persistence } = await restore({ store, type: RGA, doc: DOC, gossipMs: 0 });
    await persistence.close();
    store.close();
  },
  /**
   * Times a cold restore: open the database, read, check and decode the record
   * (`load`), and for `restore`/`restore-log` start a bound replica (full-state or delta-log sync).
   */
  async restoreOnce(how) {
    const t0 = performance.now();
    const store = await openStore(DB);
    const openMs = performance.now() - t0;
    const state =
      how === 'load' ? (await store.load(DOC, RGA)).state : (await restore({ store, type: RGA, doc: DOC, gossipMs: 0, deltaLog: how === 'restore-log' })).replica.state;
    const ms = performance.now() - t0;
    store.close();
    return { ms, openMs, length: RGA.length(state) };
  },
  /** Replays the trace into a state without storing anything; its encoding, in base64. */
  replay(patches) {
    let state = RGA.bottom;
    const me = 'bench';
    for (const [pos, del, ins] of patches) {
      if (del > 0) state = RGA.merge(state, RGA.deleteText(state, me, pos, del));
      if (ins !== '') state = RGA.merge(state, RGA.insertText(state, me, pos, ins));
    }
    return toBase64(RGA.encode(state));
  },
  /** A database that never held more than the document's one record: no deleted records left behind. */
  async seed() {
    await deleteStore(DB);
    const bytes = new Uint8Array(await (await fetch('/paper.bin')).arrayBuffer());
    const store = await openStore(DB);
    await store.append(DOC, [bytes]);
    store.close();
  },
  /** Times a cold decode of the encoded state (fetched first, not timed). */
  async decodeOnce() {
    const bytes = new Uint8Array(await (await fetch('/paper.bin')).arrayBuffer());
    const t0 = performance.now();
    const state = RGA.decode(bytes);
    const ms = performance.now() - t0;
    return { ms, length: RGA.length(state), bytes: bytes.length };
  },
};
document.body.dataset.ready = 'true';
