export {
  of,
  type FieldKind,
  type FieldSnapshot,
  type FieldStores,
  type FieldValue,
  type Schema,
  type Struct,
  type StructSnapshot,
  type StructType,
} from './struct.js';
