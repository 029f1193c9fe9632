/**
 * What survives of a Move when its ends are filtered (docs/lsyncd-compat.md#paths-moves-and-excludes, `Sync.delay`):
 *
 * | origin excluded | destination excluded | result             |
 * |-----------------|----------------------|--------------------|
 * | yes             | yes                  | drop               |
 * | no              | yes                  | Delete(origin)     |
 * | yes             | no                   | Create(destination)|
 * | no              | no                   | Move               |
 *
 * "Excluded" includes excluded ancestors (see rule_list.ts), e.g. moving a file out of an
 * excluded `tmp/` directory into the tree is a Create.
 */
import type { SyncPath } from '../paths/byte_path.js';
import type { RuleList } from './rule_list.js';

export type MoveFate = 'move' | 'delete-origin' | 'create-destination' | 'drop';

export function classifyMove(rules: RuleList, origin: SyncPath, destination: SyncPath): MoveFate {
  const o = rules.isExcluded(origin);
  const d = rules.isExcluded(destination);
  if (o && d) return 'drop';
  if (d) return 'delete-origin';
  if (o) return 'create-destination';
  return 'move';
}
