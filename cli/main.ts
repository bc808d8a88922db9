/**
 * The entry of the `stopcovid` binary: oclif's `run` with the project's one error style. Errors
 * that no command catches (an unknown command, a plugin's own errors, `help` for a topic that does
 * not exist) are printed as one line `Error: <message>` on stderr (with `--json`, also as
 * `{"error": {...}}` on stdout), like the commands' own errors (see `BaseCommand.catch`), instead
 * of oclif's ` ›   Error:` block.
 * @module
 */
import { run } from '@oclif/core/run';
import { flush } from '@oclif/core/flush';
import { oneLine } from './oneLine.js';
import { writeReason } from './writeReason.js';

/**
 * Run the command line `argv` (without node and the script) with the package at `root` (a file
 * URL or path inside it), and return the exit code to use: the command's own
 * (`process.exitCode`), or the one of an error that escaped it (2 for an oclif usage error,
 * 1 otherwise). Never throws.
 */
export async function main(argv: string[], root: string): Promise<number> {
  try {
    stdoutErrors();
    await run(argv, root);
    await flushed();
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const e = error as Error & { code?: string; oclif?: { exit?: number }; skipOclifErrorHandling?: boolean };
    // `this.exit(n)` in a command or a hook: not an error to print
    if (e.code === 'EEXIT') return e.oclif?.exit ?? 0;
    if (e.code === 'EPIPE') return Number(process.exitCode ?? 0);
    const missing = /^Command (\S+) not found\.$/.exec(e.message ?? '');
    const exit = missing ? 2 : (e.oclif?.exit ?? 1);
    if (e.skipOclifErrorHandling) return exit;
    // `help nothere`, `nothere --help`: the same line as a mistyped command's
    const message = missing ? await helpAbout(missing[1]!, root) : oneLine(e.message || String(error));
    process.stderr.write(`Error: ${message}\n`);
    // as the commands do with --json (BaseCommand.catch): the error as JSON on stdout too
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { message, code: exit === 2 ? 'INPUT' : (e.code ?? e.name) } })}\n`);
    return exit;
  }
}

let stdoutGuarded = false;

/**
 * Make a failed write to stdout one line and exit code 1 (`> /dev/full`, a full disk, an I/O
 * error), where oclif's listener (added when its command module loads) rethrows it, a stack
 * trace; a reader that went away (EPIPE, `| head`) stays quiet, as with oclif. Installed once a
 * process, ahead of oclif's listener, which it never reaches: without loading oclif's commands
 * first, so that `--version` starts as fast as before.
 */
function stdoutErrors(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.prependListener('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    process.stderr.write(`Error: cannot write the output: ${writeReason(error)}\n`);
    process.exit(1);
  });
}

/**
 * The error line for help asked about `id`, which names no command: as the command_not_found
 * hook says it, with the nearest command (loads the configuration again; only on this path).
 */
async function helpAbout(id: string, root: string): Promise<string> {
  const [{ Config, toConfiguredId }, { closestCommand, notACommand }] = await Promise.all([import('@oclif/core'), import('./hooks/commandNotFound.js')]);
  const config = await Config.load(root);
  const suggestion = closestCommand(id, config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]));
  return notACommand(config.bin, toConfiguredId(id, config), suggestion && toConfiguredId(suggestion, config));
}

/**
 * Wait until stdout has written what it holds (oclif's `flush`), or until it is closed: a reader
 * that went away (`stopcovid --help | head -1`) never lets it drain, and waiting for it would end
 * the process with Node's code 13 for an unsettled top-level await.
 */
async function flushed(): Promise<void> {
  const stdout = process.stdout;
  if (stdout.destroyed) return;
  let onClose: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => stdout.once('close', (onClose = resolve)));
  try {
    await Promise.race([flush(), closed]);
  } finally {
    stdout.off('close', onClose); // one run of many in a process (tests, a host) leaves no listener behind
  }
}
