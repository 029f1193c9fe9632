/**
 * Hole-preserving copy of a sparse regular file.
 *
 * Why: fs.copyFile streams every byte (copy_file_range / sendfile), so a file with a 100 MiB hole
 * lands on the target as 100 MiB of allocated zeros; `cp` (--sparse=auto) and `rsync -S` keep
 * the hole. A file is taken as sparse when it has fewer allocated blocks than its size needs
 * ({@link isSparse}: st_blocks * 512 < st_size), the same test as cp's --sparse=auto.
 *
 * Contract of {@link copySparse}: copies the open source descriptor into a NEW file `tmp`
 * (created O_EXCL with the source's permission bits less the umask, like copyFile) so that the
 * content is byte-identical and the holes stay holes:
 *  - the data extents are found with lseek SEEK_DATA / SEEK_HOLE (the addon's seekDataHole), so
 *    the holes themselves are never read; where that is unavailable (no addon, a file system
 *    that refuses it) the rest of the file is read instead;
 *  - what is read is written only in BLOCK-sized runs that hold a non-zero byte, at their own
 *    offsets, so all-zero blocks inside data extents become holes too (as cp does);
 *  - the result is ftruncated to the source's size, which keeps a trailing hole.
 * It never closes the source descriptor; it always closes the temp file's. Read errors come back
 * as `{ sourceError }` (the caller reports them as the source's), write errors are thrown.
 * Attributes are left to the caller (applyAttrs after this, as after copyFile).
 */
import { type BigIntStats, constants, fstatSync, read } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';

import { seekDataHole } from '../../system/system_calls.js';

/** Bytes read per call. */
const CHUNK = 1024 * 1024;
/** Granularity of the zero test: the usual file system block. */
const BLOCK = 4096;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const ENXIO = osConstants.errno.ENXIO;

/** True when the file has fewer allocated blocks than its size needs (it has holes). */
export function isSparse(st: BigIntStats): boolean {
  return st.blocks * 512n < st.size;
}

export type SparseCopyResult = { readonly bytes: number } | { readonly sourceError: unknown };

/** Copies the open `srcFd` to the new file `tmp`, keeping holes (see header). */
export async function copySparse(srcFd: number, tmp: string | Buffer, mode: number): Promise<SparseCopyResult> {
  const out: FileHandle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode & 0o777);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = 0;
    let size: number | undefined; // known once a read hit the end of the file
    for (;;) {
      const ext = dataExtent(srcFd, pos);
      if (ext === null) break;
      const r = await copyRange(srcFd, out, buf, ext.start, ext.end);
      if ('sourceError' in r) return r;
      pos = r.next;
      if (r.eof) {
        size = pos;
        break;
      }
    }
    size ??= Math.max(pos, fstatSync(srcFd).size); // the data ended in a hole that runs to the end
    await out.truncate(size);
    return { bytes: size };
  } finally {
    await out.close();
  }
}

/** The next data extent at or after `pos` ([start, end); end Infinity = read to EOF), or null when only a hole follows. */
function dataExtent(fd: number, pos: number): { start: number; end: number } | null {
  const start = seekDataHole(fd, pos, false);
  if (start === -ENXIO) return null;
  if (start === undefined || start < 0) return { start: pos, end: Infinity };
  const end = seekDataHole(fd, start, true);
  return { start, end: end !== undefined && end > start ? end : Infinity };
}

/** Copies [start, end) of `fd` (up to EOF) into `out`, skipping all-zero blocks. */
async function copyRange(
  fd: number,
  out: FileHandle,
  buf: Buffer,
  start: number,
  end: number,
): Promise<{ next: number; eof: boolean } | { sourceError: unknown }> {
  let p = start;
  while (p < end) {
    let n: number;
    try {
      n = await readAt(fd, buf, Math.min(buf.length, end - p), p);
    } catch (err) {
      return { sourceError: err };
    }
    if (n === 0) return { next: p, eof: true };
    await writeNonZeroRuns(out, buf.subarray(0, n), p);
    p += n;
  }
  return { next: p, eof: false };
}

function readAt(fd: number, buf: Buffer, length: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, length, pos, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}

/** Writes each maximal run of blocks of `data` that contain a non-zero byte, at `base` + offset. */
async function writeNonZeroRuns(out: FileHandle, data: Buffer, base: number): Promise<void> {
  let runStart = -1;
  for (let off = 0; off < data.length; off += BLOCK) {
    const end = Math.min(off + BLOCK, data.length);
    const zero = data.compare(ZERO_BLOCK, 0, end - off, off, end) === 0;
    if (!zero && runStart < 0) runStart = off;
    if (zero && runStart >= 0) {
      await writeAll(out, data.subarray(runStart, off), base + runStart);
      runStart = -1;
    }
  }
  if (runStart >= 0) await writeAll(out, data.subarray(runStart), base + runStart);
}

async function writeAll(out: FileHandle, data: Buffer, pos: number): Promise<void> {
  for (let off = 0; off < data.length; ) {
    const { bytesWritten } = await out.write(data, off, data.length - off, pos + off);
    off += bytesWritten;
  }
}
