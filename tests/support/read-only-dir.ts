import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ReadOnlyDir {
  dir: string;
  /** How the directory was made read-only, for the test's messages. */
  mechanism: 'read-only tmpfs mount' | 'immutable attribute (chattr +i)' | 'chmod 0555';
  /** Makes it writable again and removes it. */
  release(): void;
}

/**
 * A directory filled by `populate` and then made truly read-only. Root ignores permission bits,
 * so as root this remounts a small tmpfs read-only (writes fail with EROFS, as on a disk the
 * kernel remounted read-only), or else sets the immutable attribute (EPERM). Throws, never skips,
 * when neither works.
 */
export function readOnlyDir(populate: (dir: string) => void): ReadOnlyDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickwatch-ro-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  if (process.getuid?.() !== 0) {
    populate(dir);
    fs.chmodSync(dir, 0o555);
    return {
      dir,
      mechanism: 'chmod 0555',
      release: () => {
        fs.chmodSync(dir, 0o755);
        remove();
      },
    };
  }
  const failures: string[] = [];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0755', 'tmpfs', dir], { stdio: 'pipe' });
    try {
      populate(dir);
      execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
    } catch (error) {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      throw error;
    }
    return {
      dir,
      mechanism: 'read-only tmpfs mount',
      release: () => {
        execFileSync('umount', [dir], { stdio: 'pipe' });
        remove();
      },
    };
  } catch (error) {
    failures.push(`mount: ${String((error as Error).message).split('\n')[0]}`);
  }
  try {
    populate(dir);
    execFileSync('chattr', ['+i', dir], { stdio: 'pipe' });
    return {
      dir,
      mechanism: 'immutable attribute (chattr +i)',
      release: () => {
        execFileSync('chattr', ['-i', dir], { stdio: 'pipe' });
        remove();
      },
    };
  } catch (error) {
    failures.push(`chattr: ${String((error as Error).message).split('\n')[0]}`);
  }
  remove();
  throw new Error(`cannot make a read-only directory as root here (${failures.join('; ')})`);
}
