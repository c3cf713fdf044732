export { UndoManager, type UndoKind, type UndoOptions, type UndoResult } from './manager.js';
export { text, type AnchoredSelection, type TextKind, type TextSelection, type TextStep } from './text.js';
export { fields, lwwRegister, mapOfRegisters, mvRegister, structRegisters, type FieldAccess, type FieldChange, type FieldStep } from './fields.js';
export { track, type Tracking, type UndoableReplica } from './replica.js';
