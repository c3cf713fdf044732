// One adapter per library. Each replays patches as an editor would (one edit per
// patch), encodes the final state, loads it, and merges it into an empty replica.
// Only public APIs of each library are used; no code is copied from any of them.

/** @typedef {{ create(): any, apply(h: any, pos: number, del: number, ins: string): void, applyAll?(h: any, patches: Array<[number, number, string]>): void, text(h: any): string, encode(h: any): Uint8Array, load(bytes: Uint8Array): any, merge?(bytes: Uint8Array): any, note?: string }} Adapter */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A chunked rope: an array of strings of at most MAX characters. The "fast plain JS" floor. */
class Rope {
  static MAX = 2048;
  constructor(text = '') {
    this.chunks = [];
    for (let i = 0; i < text.length; i += Rope.MAX / 2) this.chunks.push(text.slice(i, i + Rope.MAX / 2));
    if (this.chunks.length === 0) this.chunks.push('');
  }
  splice(pos, del, ins) {
    const chunks = this.chunks;
    let i = 0;
    while (i < chunks.length - 1 && pos > chunks[i].length) pos -= chunks[i++].length;
    while (del > 0) {
      const c = chunks[i];
      const take = Math.min(del, c.length - pos);
      chunks[i] = c.slice(0, pos) + c.slice(pos + take);
      del -= take;
      if (del > 0) {
        if (chunks[i].length === 0 && chunks.length > 1) chunks.splice(i, 1);
        else i++;
        pos = 0;
      }
    }
    if (ins.length > 0) {
      const c = chunks[i];
      const next = c.slice(0, pos) + ins + c.slice(pos);
      if (next.length > Rope.MAX) {
        const half = next.length >> 1;
        chunks.splice(i, 1, next.slice(0, half), next.slice(half));
      } else chunks[i] = next;
    } else if (chunks[i].length === 0 && chunks.length > 1) chunks.splice(i, 1);
  }
  toString() {
    return this.chunks.join('');
  }
}

/** @type {Record<string, () => Promise<Adapter>>} */
export const libraries = {
  async rga() {
    const RGA = await import('@convergent/rga');
    const { asReplicaId } = await import('@convergent/core');
    const me = asReplicaId('bench');
    return {
      create: () => ({ doc: RGA.bottom }),
      apply(h, pos, del, ins) {
        if (del > 0) h.doc = RGA.merge(h.doc, RGA.deleteText(h.doc, me, pos, del));
        if (ins !== '') h.doc = RGA.merge(h.doc, RGA.insertText(h.doc, me, pos, ins));
      },
      text: (h) => RGA.text(h.doc),
      encode: (h) => RGA.encode(h.doc),
      load: (bytes) => ({ doc: RGA.decode(bytes) }),
      merge: (bytes) => ({ doc: RGA.merge(RGA.bottom, RGA.decode(bytes)) }),
    };
  },
  /** @convergent/rga with the whole trace in one RGA.edit batch: the state and one delta at the end. */
  async 'rga-batch'() {
    const rga = await libraries.rga();
    const RGA = await import('@convergent/rga');
    const { asReplicaId } = await import('@convergent/core');
    const me = asReplicaId('bench');
    return {
      ...rga,
      applyAll(h, patches) {
        const { state, delta } = RGA.edit(h.doc, me, (e) => {
          for (let i = 0; i < patches.length; i++) {
            const p = patches[i];
            if (p[1] > 0) e.deleteText(p[0], p[1]);
            if (p[2] !== '') e.insertText(p[0], p[2]);
          }
        });
        h.doc = state;
        // The delta is made (and timed) but not kept: the heap measure is of the document.
        if (RGA.length(delta) !== RGA.length(state)) throw new Error('rga-batch: the delta lost edits');
      },
    };
  },
  async yjs() {
    const Y = await import('yjs');
    return {
      create() {
        const doc = new Y.Doc();
        return { doc, text: doc.getText('t') };
      },
      apply(h, pos, del, ins) {
        if (del > 0) h.text.delete(pos, del);
        if (ins !== '') h.text.insert(pos, ins);
      },
      text: (h) => h.text.toString(),
      encode: (h) => Y.encodeStateAsUpdateV2(h.doc),
      load(bytes) {
        const doc = new Y.Doc();
        Y.applyUpdateV2(doc, bytes);
        return { doc, text: doc.getText('t') };
      },
      merge(bytes) {
        const doc = new Y.Doc();
        Y.applyUpdateV2(doc, bytes);
        return { doc, text: doc.getText('t') };
      },
      note: 'encoding: update format v2; load and merge are both applyUpdateV2 into a new Y.Doc',
    };
  },
  async automerge() {
    const A = await import('@automerge/automerge');
    return {
      create: () => ({ doc: A.from({ text: '' }) }),
      apply(h, pos, del, ins) {
        h.doc = A.change(h.doc, (d) => A.splice(d, ['text'], pos, del, ins));
      },
      text: (h) => h.doc.text,
      encode: (h) => A.save(h.doc),
      load: (bytes) => ({ doc: A.load(bytes) }),
      merge: (bytes) => ({ doc: A.loadIncremental(A.init(), bytes) }),
      note: 'one change per patch; merge is loadIncremental into A.init()',
    };
  },
  async loro() {
    const { LoroDoc } = await import('loro-crdt');
    return {
      create() {
        const doc = new LoroDoc();
        return { doc, text: doc.getText('t') };
      },
      apply(h, pos, del, ins) {
        if (del > 0) h.text.delete(pos, del);
        if (ins !== '') h.text.insert(pos, ins);
      },
      text: (h) => h.text.toString(),
      encode: (h) => h.doc.export({ mode: 'snapshot' }),
      load(bytes) {
        const doc = new LoroDoc();
        doc.import(bytes);
        return { doc, text: doc.getText('t') };
      },
      merge(bytes) {
        const doc = new LoroDoc();
        doc.import(bytes);
        return { doc, text: doc.getText('t') };
      },
      note: 'snapshot export; load and merge are both import into a new LoroDoc',
    };
  },
  async 'json-joy'() {
    const { Model } = await import('json-joy/lib/json-crdt/index.js');
    return {
      create() {
        const model = Model.create();
        model.api.root({ text: '' });
        return { model, str: model.api.str(['text']) };
      },
      apply(h, pos, del, ins) {
        if (del > 0) h.str.del(pos, del);
        if (ins !== '') h.str.ins(pos, ins);
      },
      text: (h) => h.model.view().text,
      encode: (h) => h.model.toBinary(),
      load: (bytes) => ({ model: Model.fromBinary(bytes) }),
      merge(bytes) {
        const model = Model.create();
        model.reset(Model.fromBinary(bytes));
        return { model };
      },
      note: 'json-joy has no state-merge API: merge is fromBinary then reset() of an empty model',
    };
  },
  async string() {
    return {
      create: () => ({ s: '' }),
      apply(h, pos, del, ins) {
        h.s = h.s.slice(0, pos) + ins + h.s.slice(pos + del);
      },
      text: (h) => h.s,
      encode: (h) => encoder.encode(h.s),
      load: (bytes) => ({ s: decoder.decode(bytes) }),
      note: 'plain JS string, slice and concatenate; encoded = UTF-8 text',
    };
  },
  async rope() {
    return {
      create: () => ({ rope: new Rope() }),
      apply(h, pos, del, ins) {
        h.rope.splice(pos, del, ins);
      },
      text: (h) => h.rope.toString(),
      encode: (h) => encoder.encode(h.rope.toString()),
      load: (bytes) => ({ rope: new Rope(decoder.decode(bytes)) }),
      note: 'array of strings of at most 2048 characters, linear chunk search; encoded = UTF-8 text',
    };
  },
};
