// The page the Chromium test drives: a text restored from IndexedDB on every load,
// with the package's durability events shown as "saved".
import * as RGA from '@convergent/rga';
import { openStore, restore, type Restored, type StorageError } from '@convergent/indexeddb';

export interface Harness {
  readonly restored: Restored<RGA.RGA>;
  readonly storageErrors: string[];
  type(text: string): Promise<void>;
  text(): string;
}

const store = await openStore('browser-test');
const restored = await restore({ store, type: RGA, doc: 'notes', deltaLog: true });
const storageErrors: string[] = [];
const area = document.querySelector<HTMLTextAreaElement>('#text')!;
const saved = document.querySelector<HTMLOutputElement>('#saved')!;
area.value = RGA.text(restored.replica.state);
restored.replica.subscribe((state) => (area.value = RGA.text(state)));
restored.persistence.on('durable', ({ pending }) => (saved.value = pending === 0 ? 'saved' : 'saving'));
restored.persistence.on('error', (error: StorageError) => storageErrors.push(error.name));

const harness: Harness = {
  restored,
  storageErrors,
  async type(text) {
    restored.replica.update((state, id) => RGA.insertText(state, id, RGA.length(state), text));
    await restored.persistence.whenDurable();
  },
  text: () => RGA.text(restored.replica.state),
};
(window as unknown as { harness: Harness }).harness = harness;
document.body.dataset['ready'] = 'true';
