export { UndoManager, type UndoKind, type UndoOptions, type UndoResult } from './manager.js';
export { text, type AnchoredSelection, type TextKind, type TextSelection, type TextStep } from './text.js';
export {
  fields,
  lwwRegister,
  mapFields,
  mapOfRegisters,
  mvRegister,
  structFields,
  structRegisters,
  undoCounter,
  undoMap,
  undoRegister,
  undoSet,
  type FieldAccess,
  type FieldChange,
  type FieldStep,
  type StructUndo,
  type ValueUndo,
} from './fields.js';
export { track, type Tracking, type UndoableReplica } from './replica.js';
