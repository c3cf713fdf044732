import { asReplicaId, DecodeError, InvalidValueError, Writer, type JsonValue, type ReplicaId } from '@convergent/core';
import { describe, expect, test } from 'vitest';
import * as GSet from '../src/index.js';

const [A, B] = ['A', 'B'].map(asReplicaId) as [ReplicaId, ReplicaId];
const add = (s: GSet.GSet, r: ReplicaId, v: JsonValue) => GSet.merge(s, GSet.add(s, r, v));

describe('seed examples', () => {
  test('{apple, banana} merged with {apple, cherry} is {apple, banana, cherry}', () => {
    const a = add(add(GSet.bottom, A, 'apple'), A, 'banana');
    const b = add(add(GSet.bottom, B, 'apple'), B, 'cherry');
    expect(GSet.elements(GSet.merge(a, b))).toEqual(['apple', 'banana', 'cherry']);
    expect(GSet.equals(GSet.merge(a, b), GSet.merge(b, a))).toBe(true);
  });

  test('order does not matter: {apple} + {banana} = {banana} + {apple}', () => {
    const a = add(GSet.bottom, A, 'apple');
    const b = add(GSet.bottom, B, 'banana');
    expect(GSet.equals(GSet.merge(a, b), GSet.merge(b, a))).toBe(true);
  });
});

describe('semantics', () => {
  test('elements are identified by canonical key: {a: 1, b: 2} and {b: 2, a: 1} are one element', () => {
    const s = add(add(GSet.bottom, A, { a: 1, b: 2 }), B, { b: 2, a: 1 });
    expect(GSet.size(s)).toBe(1);
    expect(GSet.has(s, { b: 2, a: 1 })).toBe(true);
  });

  test('adding a present element is the bottom delta', () => {
    const s = add(GSet.bottom, A, 'x');
    expect(GSet.add(s, A, 'x')).toBe(GSet.bottom);
  });

  test('values of different JSON types are different elements', () => {
    const s = [1, '1', [1], { '1': 1 }, true, 'true', null, 'null'].reduce<GSet.GSet>((acc, v) => add(acc, A, v as JsonValue), GSet.bottom);
    expect(GSet.size(s)).toBe(8);
  });

  test('keys never become object properties: "__proto__" and {"__proto__": 1} are ordinary elements', () => {
    const s = add(add(GSet.bottom, A, '__proto__'), A, JSON.parse('{"__proto__": 1}') as JsonValue);
    expect(GSet.size(s)).toBe(2);
    expect(GSet.has(s, 'constructor')).toBe(false);
    expect(GSet.equals(GSet.decode(GSet.encode(s)), s)).toBe(true);
    expect(GSet.equals(GSet.fromJSON(JSON.parse(JSON.stringify(GSet.toJSON(s)))), s)).toBe(true);
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['a function', () => 1],
    ['a Set', new Set()],
    ['a nested undefined', [undefined]],
  ])('rejects %s with InvalidValueError', (_name, bad) => {
    expect(() => GSet.add(GSet.bottom, A, bad as JsonValue)).toThrow(InvalidValueError);
    expect(() => GSet.has(GSet.bottom, bad as JsonValue)).toThrow(InvalidValueError);
  });

  test('elements returns fresh copies; the caller\'s objects are not kept', () => {
    const item = { list: [1] };
    const s = add(GSet.bottom, A, item);
    item.list.push(2);
    (GSet.elements(s)[0] as { list: number[] }).list.push(3);
    expect(GSet.elements(s)).toEqual([{ list: [1] }]);
  });

  test('merge and add leave their inputs untouched; states are frozen', () => {
    const a = add(GSet.bottom, A, 'x');
    const b = add(GSet.bottom, B, 'y');
    const before = [GSet.encode(a), GSet.encode(b)];
    GSet.merge(a, b);
    GSet.add(a, A, 'z');
    expect([GSet.encode(a), GSet.encode(b)]).toEqual(before);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const utf8 = (s: string) => Buffer.from(s).toString('hex');

// Checked-in bytes: a format change that breaks stored data fails here.
const golden: Array<{ name: string; state: () => GSet.GSet; hex: string }> = [
  { name: 'bottom', state: () => GSet.bottom, hex: '0100' },
  { name: '{"x"}', state: () => add(GSet.bottom, A, 'x'), hex: '0101' + '03227822' },
  {
    name: '{apple, 3, {a: 1, b: 2}}',
    state: () => add(add(add(GSet.bottom, B, { b: 2, a: 1 }), A, 'apple'), A, 3),
    hex: '0103' + '07' + utf8('"apple"') + '01' + utf8('3') + '0d' + utf8('{"a":1,"b":2}'),
  },
];

describe('golden vectors', () => {
  test.each(golden)('$name', ({ state, hex: expected }) => {
    expect(hex(GSet.encode(state()))).toBe(expected);
    expect(GSet.equals(GSet.decode(unhex(expected)), state())).toBe(true);
  });
});

describe('decode rejects bad input with DecodeError', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty input', new Uint8Array()],
    ['unknown version', unhex('0200')],
    ['truncated', unhex('0101' + '032278')],
    ['count past the bytes left', unhex('01ff01')],
    ['trailing bytes', unhex('010000')],
    ['out of order', unhex('0102' + '0132' + '0131')],
    ['repeated', unhex('0102' + '0131' + '0131')],
    ['not JSON', unhex('0101' + '0178')],
    ['non-canonical JSON (unsorted keys)', unhex('0101' + '0d' + utf8('{"b":2,"a":1}'))],
    ['non-canonical JSON (whitespace)', unhex('0101' + '03' + utf8('[ ]'))],
    ['invalid UTF-8', unhex('0101' + '01ff')],
    ['huge string length', new Writer().byte(1).uint(1).uint(2 ** 40).finish()],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => GSet.decode(bytes)).toThrow(DecodeError);
  });

  test('not a Uint8Array', () => {
    expect(() => GSet.decode([1, 0] as unknown as Uint8Array)).toThrow(DecodeError);
  });
});

describe('fromJSON rejects bad input with DecodeError', () => {
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['array', []],
    ['missing elements', {}],
    ['inherited elements', Object.create({ elements: [] })],
    ['elements not an array', { elements: 'x' }],
    ['out of order', { elements: ['b', 'a'] }],
    ['repeated', { elements: ['a', 'a'] }],
    ['the same element spelled twice', { elements: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }],
    ['nested too deep', { elements: [JSON.parse('['.repeat(70) + ']'.repeat(70))] }],
  ];
  test.each(cases)('%s', (_name, json) => {
    expect(() => GSet.fromJSON(json)).toThrow(DecodeError);
  });

  test('errors carry the JSON path', () => {
    expect(() => GSet.fromJSON({ elements: ['b', 'a'] })).toThrow(/\$\.elements\[1\]/);
  });
});
