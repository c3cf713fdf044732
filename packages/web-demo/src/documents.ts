// The demo's documents, by name: the page and the server (scripts/server.ts) both read this list.
import * as MVRegister from '@convergent/mv-register';
import * as ORMap from '@convergent/or-map';
import * as PNCounter from '@convergent/pn-counter';
import * as RGA from '@convergent/rga';

/** The cart: item → quantity. A remove resets only what the remover had seen. */
export const Cart = ORMap.of(ORMap.counter);

export const documents = {
  text: { type: RGA, deltaLog: true },
  notes: { type: RGA, deltaLog: true },
  cart: { type: Cart, deltaLog: true },
  likes: { type: PNCounter, deltaLog: false }, // tiny: full-state sync
  name: { type: MVRegister, deltaLog: true },
} as const;

export type DocumentName = keyof typeof documents;
