export { of, type Element, type ORList, type ORListType } from './or-list.js';
export type { Slot } from './order.js';
