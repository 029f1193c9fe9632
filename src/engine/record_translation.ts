// Watcher records -> delay-queue events for one sync (docs/lsyncd-compat.md#paths-moves-and-excludes).
//
//   - paths become the queue's form: root-relative with a leading '/', directories with a
//     trailing '/'; non-UTF-8 names stay bytes (Buffer);
//   - excluded paths are dropped with the same rule list the watcher and rsync use;
//   - a MoveFrom/MoveTo pair (adjacent, same cookie — the watcher guarantees it) becomes one
//     Move, or Delete(origin) / Create(destination) / nothing when one or both ends are excluded
//     (docs/lsyncd-compat.md#paths-moves-and-excludes's table, src/filters/move_filter.ts);
//   - Overflow, RootGone and Error are signals for the runner, not queue events.
import { RecordFlag, RecordKind } from '../watcher/record_kind.js';
import type { RuleList } from '../filters/rule_list.js';
import { classifyMove } from '../filters/move_filter.js';
import type { SyncPath } from '../paths/byte_path.js';
import type { QueueEvent } from '../queue/events.js';
import type { BatchView } from '../watcher/event_batch.js';

export interface TranslationSink {
  event(ev: QueueEvent): void;
  overflow(): void;
  rootGone(): void;
  /** A directory the watcher could not watch (errno), root-relative path. */
  watchError(path: SyncPath, errno: number): void;
}

const SLASH = Buffer.from('/');

function queuePath(batch: BatchView, i: number): SyncPath {
  const isDir = (batch.flags(i) & RecordFlag.IsDir) !== 0;
  const p = batch.path(i);
  if (typeof p === 'string') return isDir ? `/${p}/` : `/${p}`;
  return Buffer.concat(isDir ? [SLASH, p, SLASH] : [SLASH, p]);
}

/** Feeds the records of `rootId` in `batch` to `sink`, in order. */
export function translateBatch(batch: BatchView, rootId: number, rules: RuleList, sink: TranslationSink): void {
  const n = batch.length;
  for (let i = 0; i < n; i++) {
    if (batch.root(i) !== rootId) continue;
    const kind = batch.kind(i);
    switch (kind) {
      case RecordKind.Create:
      case RecordKind.Modify:
      case RecordKind.Attrib:
      case RecordKind.Delete: {
        const path = queuePath(batch, i);
        if (rules.isExcluded(path)) break;
        const name = kind === RecordKind.Create ? 'Create' : kind === RecordKind.Modify ? 'Modify' : kind === RecordKind.Attrib ? 'Attrib' : 'Delete';
        sink.event({ kind: name, path });
        break;
      }
      case RecordKind.MoveFrom: {
        // The addon emits the MoveTo immediately after its MoveFrom; a MoveTo of another root
        // (or none) means the thing left this root: a Delete here.
        const origin = queuePath(batch, i);
        const next = i + 1 < n && batch.kind(i + 1) === RecordKind.MoveTo && batch.cookie(i + 1) === batch.cookie(i) ? i + 1 : -1;
        if (next < 0 || batch.root(next) !== rootId) {
          if (!rules.isExcluded(origin)) sink.event({ kind: 'Delete', path: origin });
          if (next >= 0) i = next;
          break;
        }
        const destination = queuePath(batch, next);
        i = next;
        switch (classifyMove(rules, origin, destination)) {
          case 'move':
            sink.event({ kind: 'Move', path: origin, destination });
            break;
          case 'delete-origin':
            sink.event({ kind: 'Delete', path: origin });
            break;
          case 'create-destination':
            // Contents of a directory coming from an excluded origin are reported by the
            // watcher's scan as synthetic creates; this Create carries the directory itself.
            sink.event({ kind: 'Create', path: destination });
            break;
          case 'drop':
            break;
        }
        break;
      }
      case RecordKind.MoveTo: {
        // A MoveTo whose MoveFrom belongs to another root: it arrived here from outside.
        const path = queuePath(batch, i);
        if (!rules.isExcluded(path)) sink.event({ kind: 'Create', path });
        break;
      }
      case RecordKind.Overflow:
        sink.overflow();
        break;
      case RecordKind.RootGone:
        sink.rootGone();
        break;
      case RecordKind.Error:
        sink.watchError(queuePath(batch, i), batch.record(i).errno);
        break;
      default:
        break;
    }
  }
}
