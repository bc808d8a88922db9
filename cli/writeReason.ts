/**
 * Why a write failed, in words, on its own so that the binary's entry can say it without loading
 * oclif's commands (see `stdoutErrors` in main.ts).
 * @module
 */

/** Readable reasons for the system's error codes when writing a file. */
const WRITE_REASONS: Record<string, string> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/**
 * The reason a write failed, in words (`no space left on the device`), never Node's raw text.
 * @example writeReason({ code: 'ENOSPC' }) // 'no space left on the device'
 */
export function writeReason(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return (e.code && WRITE_REASONS[e.code]) ?? (e.message ?? String(error)).replace(/^[A-Z]+: /, '').replace(/, \w+ '[^']*'$/, '');
}
