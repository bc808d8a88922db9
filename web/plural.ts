/**
 * Counts in English prose ("1 tick", "2 ticks"), by the CLDR plural rules built into `Intl`:
 * the CLI's lines and the HTML report's sentences say them the same way.
 * @module
 */

const rules = new Intl.PluralRules('en-US');

/** `n` and `one` or `other` as English wants it for `n`: `counted(1, 'tick')` is "1 tick", `counted(2, 'tick')` "2 ticks". */
export function counted(n: number, one: string, other = `${one}s`): string {
  return `${n} ${rules.select(n) === 'one' ? one : other}`;
}
