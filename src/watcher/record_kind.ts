// Record kinds and flags of watcher batches. Mirrors native/core/record.h exactly: the numbers
// are the ABI between the addon and TypeScript. test/watcher/abi.test.ts compares them with what
// the addon exports (watcherAbi.recordKinds / recordFlags).

export const RecordKind = {
  Create: 1,
  Modify: 2,
  Attrib: 3,
  Delete: 4,
  MoveFrom: 5,
  MoveTo: 6,
  Overflow: 7,
  RootGone: 8,
  Error: 9,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];
export type RecordKindName = keyof typeof RecordKind;

export const RecordFlag = {
  IsDir: 1,
  Synthetic: 2,
  NonUtf8: 4,
  Unpaired: 8,
} as const;

const names: Record<number, RecordKindName> = Object.fromEntries(
  Object.entries(RecordKind).map(([k, v]) => [v, k as RecordKindName]),
);

export function kindName(kind: number): RecordKindName {
  const n = names[kind];
  if (!n) throw new RangeError(`unknown watcher record kind ${kind}`);
  return n;
}
