// The inotifyMode values (lsyncd settings key, docs/lsyncd-compat.md#watches-and-inotifymode): the
// one list. config/schema.ts validates configs against it; the Watcher hands the addon a mode's
// number by looking its name up in the addon's own list (watcherAbi.inotifyModes, built from
// native/core/inotify_mode.h), so the order here is free. test/watcher/abi.test.ts checks that
// both lists hold the same names.
export const InotifyModes = ['CloseWrite', 'Modify', 'CloseWrite or Modify', 'CloseWrite after Modify'] as const;
export type InotifyMode = (typeof InotifyModes)[number];
