import { describe, expect, it } from 'vitest';
import { MemoryFanout, MemoryStore, StoreClosedError } from '../src/index.js';
import { storeContract } from './support/store-contract.js';

const bytes = (...values: number[]) => new Uint8Array(values);

storeContract('MemoryStore', async () => new MemoryStore());

describe('MemoryFanout', () => {
  it('delivers a delta to every other process, never back to its sender, until unsubscribed or closed', async () => {
    const hub = new MemoryFanout();
    const [a, b, c] = [hub.process(), hub.process(), hub.process()];
    const heard: string[] = [];
    await a.subscribe('doc', (d) => heard.push(`a${d[0]}`));
    const stopB = await b.subscribe('doc', (d) => heard.push(`b${d[0]}`));
    await c.subscribe('doc', (d) => heard.push(`c${d[0]}`));
    await c.subscribe('other', (d) => heard.push(`c-other${d[0]}`));
    await a.publish('doc', bytes(1));
    expect(heard.sort()).toEqual(['b1', 'c1']);
    heard.length = 0;
    await stopB();
    await c.close();
    await a.publish('doc', bytes(2));
    await a.publish('other', bytes(3));
    expect(heard).toEqual([]);
    await expect(c.publish('doc', bytes(4))).rejects.toBeInstanceOf(StoreClosedError);
  });
});
