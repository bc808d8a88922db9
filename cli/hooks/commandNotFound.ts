/**
 * "Did you mean ...?" for a mistyped command. On a terminal, @oclif/plugin-not-found's own hook
 * asks "Did you mean simulate?" and runs the suggestion when confirmed; elsewhere (a script, a
 * pipe, a test) the suggestion is part of the one-line error. Either way the messages follow the
 * project's style (`Error: <one line>`, exit 2) instead of oclif's ` ›   Warning:` lines.
 * @module
 */
import { toConfiguredId, type Hook } from '@oclif/core';
import { CLIError } from '@oclif/core/errors';
import notFound from '@oclif/plugin-not-found';
import levenshtein from 'fast-levenshtein';

/**
 * The visible command id nearest to `id` by Levenshtein distance (as @oclif/plugin-not-found
 * ranks them), or `undefined` when none is within half the length of `id` (at least 2 edits):
 * `zzzz` suggests nothing.
 */
export function closestCommand(id: string, ids: readonly string[]): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const candidate of ids) {
    const d = levenshtein.get(id, candidate, { useCollator: true });
    if (!best || d < best.d) best = { id: candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(id.length / 2)) ? best.id : undefined;
}

/** The one error line for `typed`, which names no command, with the nearest command if any and where the list is. */
export function notACommand(bin: string, typed: string, suggestion: string | undefined, help = `${bin} help`): string {
  return `'${typed}' is not a ${bin} command${suggestion ? `; did you mean '${suggestion}'?` : '.'} Run '${help}' for a list of commands.`;
}

const hook: Hook<'command_not_found'> = async function (options) {
  const { config } = options;
  // with a space as topic separator, oclif joins every word before the first flag into the id
  // (`tracee +336...` is `tracee:+336...`): keep the words that can name a command
  const words = options.id.split(':');
  // a command that takes no argument, given one (`simulate extra`): say so, not "not a command"
  const command = config.findCommand(words[0]!);
  if (command && !command.hidden && words.length > 1 && Object.keys(command.args ?? {}).length === 0)
    throw new CLIError(`'${config.bin} ${words[0]}' takes no argument, got '${words.slice(1).join(' ')}'. Run '${config.bin} help ${words[0]}' for its flags.`, { exit: 2 });
  const topic = config.findTopic(words[0]!) ? words[0] : undefined;
  const ids = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  // a mistyped topic (`polcy show`): its two words name the command, the first alone names nothing
  const pair = !topic && words.length > 1 ? words.slice(0, 2).join(':') : undefined;
  const pairSuggestion = pair === undefined ? undefined : closestCommand(pair, ids);
  const id = pairSuggestion ? pair! : words.slice(0, topic ? 2 : 1).join(':');
  const typed = toConfiguredId(id, config);
  const suggestion = pairSuggestion ?? closestCommand(id, ids);
  const help = `${config.bin} help${topic ? ` ${topic}` : ''}`;
  const refuse = (): never => {
    throw new CLIError(notACommand(config.bin, typed, suggestion && toConfiguredId(suggestion, config), help), { exit: 2 });
  };
  // the prompt reads stdin and draws on stdout: both must be a terminal
  if (!process.stdin.isTTY || !process.stdout.isTTY || !process.stderr.isTTY) return refuse();
  // a terminal: the plugin prompts, and runs the suggestion when the user confirms it
  return notFound.call(
    {
      ...this,
      warn: (message: string | Error) => process.stderr.write(`Warning: ${typeof message === 'string' ? message : message.message}\n`),
      error: refuse,
    } as Hook.Context,
    options,
  );
};

export default hook;
