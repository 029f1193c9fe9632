/**
 * Hole-preserving copy of a sparse regular file.
 *
 * Why: fs.copyFile streams every byte (copy_file_range / sendfile), so a file with a 100 MiB hole
 * lands on the target as 100 MiB of allocated zeros; `cp` (--sparse=auto) and `rsync -S` keep
 * the hole. A file is taken as sparse when it has fewer allocated blocks than its size needs
 * ({@link isSparse}: st_blocks * 512 < st_size), the same test as cp's --sparse=auto.
 *
 * Contract of {@link copySparse}: reads the open source descriptor from offset 0 to its end in
 * CHUNK-sized pieces, writes only the BLOCK-sized runs that hold a non-zero byte (at their own
 * offsets, so the skipped ranges stay holes) into a NEW file `tmp` (created O_EXCL with the
 * source's permission bits less the umask, like copyFile), and ftruncates it to the number of
 * bytes read, so a trailing hole is kept too and the content is byte-identical. It never closes
 * the source descriptor; it always closes the temp file's. Read errors surface as
 * `{ sourceError }` (the caller reports them as the source's), write errors are thrown. Attributes
 * are left to the caller (applyAttrs after this, as after copyFile).
 */
import { type BigIntStats, constants, read } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/** Bytes read per call. */
const CHUNK = 1024 * 1024;
/** Granularity of the zero test: the usual file system block. */
const BLOCK = 4096;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/** True when the file has fewer allocated blocks than its size needs (it has holes). */
export function isSparse(st: BigIntStats): boolean {
  return st.blocks * 512n < st.size;
}

export type SparseCopyResult = { readonly bytes: number } | { readonly sourceError: unknown };

/** Copies the open `srcFd` to the new file `tmp`, keeping zero blocks as holes (see header). */
export async function copySparse(srcFd: number, tmp: string | Buffer, mode: number): Promise<SparseCopyResult> {
  const out: FileHandle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode & 0o777);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = 0;
    for (;;) {
      let n: number;
      try {
        n = (await readAt(srcFd, buf, pos)).bytesRead;
      } catch (err) {
        return { sourceError: err };
      }
      if (n === 0) break;
      await writeNonZeroRuns(out, buf.subarray(0, n), pos);
      pos += n;
    }
    await out.truncate(pos);
    return { bytes: pos };
  } finally {
    await out.close();
  }
}

function readAt(fd: number, buf: Buffer, pos: number): Promise<{ bytesRead: number }> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, buf.length, pos, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead })));
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
