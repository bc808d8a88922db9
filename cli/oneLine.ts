/**
 * The project's one-line error style, on its own so that the binary's entry loads nothing else
 * for it (`stopcovid --version` loads no store, bus or schema).
 * @module
 */

/**
 * One line from an error message: oclif's parse errors span lines ("Parsing --x", the reason,
 * "See more help"), and a leading `Error: ` is dropped (the caller prints its own).
 */
export function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(See more help|Note:|Alternatively)/.test(l));
  let text = '';
  // oclif wraps long descriptions over lines; only "Parsing --flag" heads a separate reason
  for (const line of lines) text += text === '' ? line : /^Parsing --[\w-]+$/.test(text) ? `: ${line}` : ` ${line}`;
  return text
    .replace(/^Error: /, '')
    .replace(/^The following errors? occurred:\s*/, '')
    .replace(/^Missing required flag ([\w-]+)/, 'missing required flag --$1')
    .replace(/^Parsing (--[\w-]+)\s*:/, '$1:')
    .replace(/\s{2,}/g, ' ');
}
