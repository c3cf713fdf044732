import { asReplicaId, canonicalKey, InvalidValueError, isJsonValue, type JsonObject } from '@convergent/core';
import type { ElementId } from '@convergent/rga';

/**
 * A caret position in a text, anchored to a character so that it stays on it while
 * others edit: the position just after the element `after` (an RGA element id), or
 * the start of the text when `null`. Text inserted at the caret by someone else
 * therefore goes after it, and text inserted before it moves it along; when the
 * character is deleted the caret sits where it was. {@link anchorAt} and
 * {@link offsetOf} convert from and to UTF-16 offsets.
 *
 * @example
 * ```ts
 * import { asReplicaId } from '@convergent/core';
 * import type { Anchor } from '@convergent/presence';
 *
 * const start: Anchor = null;
 * const afterFirst: Anchor = { replica: asReplicaId('alice'), counter: 1 };
 * afterFirst.counter; // => 1
 * ```
 */
export type Anchor = ElementId | null;

/**
 * A selection between two {@link Anchor}s: `anchor` stays put while `head` (the
 * caret) moves, as in CodeMirror and the DOM. A caret alone has `anchor` equal to `head`.
 *
 * @example
 * ```ts
 * import type { Selection } from '@convergent/presence';
 *
 * const caretAtStart: Selection = { anchor: null, head: null };
 * caretAtStart.head; // => null
 * ```
 */
export interface Selection {
  /** Where the selection started. */
  readonly anchor: Anchor;
  /** Where it ends: the caret. */
  readonly head: Anchor;
}

/**
 * What one replica tells its peers about itself: small and ephemeral, never stored.
 *
 * @example
 * ```ts
 * import type { PresenceState } from '@convergent/presence';
 *
 * const me: PresenceState = { name: 'Ada', colour: '#3b82f6', selection: null, fields: { typing: true } };
 * me.colour; // => '#3b82f6'
 * ```
 */
export interface PresenceState {
  /** A display name, at most `maxNameBytes` of UTF-8. */
  readonly name: string;
  /** A colour as `#rrggbb` (lower case); nothing else, so it is safe to put in a style. */
  readonly colour: string;
  /** The caret and selection in the document's text, or `null` (not in the text). */
  readonly selection: Selection | null;
  /** Application fields (a JSON object): at most `maxFieldsBytes` in canonical JSON. */
  readonly fields: JsonObject;
}

/**
 * Bounds on what a {@link Presence} accepts from peers and lets its own state hold.
 *
 * @example
 * ```ts
 * import { DEFAULT_PRESENCE_LIMITS, type PresenceLimits } from '@convergent/presence';
 *
 * const roomy: PresenceLimits = { ...DEFAULT_PRESENCE_LIMITS, maxFieldsBytes: 4096 };
 * roomy.maxFieldsBytes; // => 4096
 * ```
 */
export interface PresenceLimits {
  /** Longest name, in UTF-8 bytes. */
  readonly maxNameBytes: number;
  /** Longest application fields, in bytes of canonical JSON. */
  readonly maxFieldsBytes: number;
  /** Most peers remembered at once; states of further peers are ignored until some leave. */
  readonly maxPeers: number;
}

/**
 * The limits used when none are given: 128-byte names, 1 KiB of fields, 1,024 peers.
 *
 * @example
 * ```ts
 * import { DEFAULT_PRESENCE_LIMITS } from '@convergent/presence';
 *
 * DEFAULT_PRESENCE_LIMITS.maxFieldsBytes; // => 1024
 * ```
 */
export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = Object.freeze({ maxNameBytes: 128, maxFieldsBytes: 1024, maxPeers: 1024 });

const COLOUR = /^#[0-9a-f]{6}$/;
const encoder = new TextEncoder();

/** Bytes of a string in UTF-8. */
export const utf8Length = (text: string): number => encoder.encode(text).length;

/** @internal The canonical JSON of `fields`, checked against the limit. */
export function fieldsJson(fields: unknown, limits: PresenceLimits): string {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || !isJsonValue(fields))
    throw new InvalidValueError('presence fields must be a JSON object');
  const json = canonicalKey(fields as JsonObject);
  if (utf8Length(json) > limits.maxFieldsBytes) throw new RangeError(`presence fields past ${limits.maxFieldsBytes} bytes`);
  return json;
}

function checkAnchor(anchor: unknown): Anchor {
  if (anchor === null) return null;
  const { replica, counter } = (anchor ?? {}) as Partial<ElementId>;
  if (!Number.isSafeInteger(counter) || counter! < 1) throw new RangeError('an anchor counter must be a positive integer');
  return { replica: asReplicaId(replica as string), counter: counter! };
}

/**
 * @internal Validates a state built by the application, returning a normalized copy
 * (colour in lower case, fields frozen).
 * @throws RangeError, TypeError, InvalidValueError or InvalidReplicaIdError, naming the field
 */
export function checkState(state: PresenceState, limits: PresenceLimits): PresenceState {
  const { name, colour, selection, fields } = state;
  if (typeof name !== 'string' || !name.isWellFormed()) throw new TypeError('presence name must be a well-formed string');
  if (utf8Length(name) > limits.maxNameBytes) throw new RangeError(`presence name past ${limits.maxNameBytes} bytes`);
  if (typeof colour !== 'string' || !COLOUR.test(colour.toLowerCase())) throw new RangeError(`presence colour must be #rrggbb, not ${String(colour)}`);
  fieldsJson(fields, limits);
  const checked = selection === null ? null : { anchor: checkAnchor(selection?.anchor), head: checkAnchor(selection?.head) };
  return Object.freeze({ name, colour: colour.toLowerCase(), selection: checked, fields: JSON.parse(canonicalKey(fields)) as JsonObject });
}

/** @internal Whether two anchors name the same position. */
export const sameAnchor = (a: Anchor, b: Anchor): boolean => (a === null ? b === null : b !== null && a.replica === b.replica && a.counter === b.counter);

/** @internal Whether two checked states are equal. */
export function sameState(a: PresenceState, b: PresenceState): boolean {
  const sel = (x: Selection | null, y: Selection | null) => (x === null ? y === null : y !== null && sameAnchor(x.anchor, y.anchor) && sameAnchor(x.head, y.head));
  return a.name === b.name && a.colour === b.colour && sel(a.selection, b.selection) && canonicalKey(a.fields) === canonicalKey(b.fields);
}

