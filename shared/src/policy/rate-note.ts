/**
 * @module The note every reader gives a rate-limited rule (`-m limit`, `hashlimit`, `connlimit`,
 * `recent`, nft `limit rate`, `meter`, `ct count`, `quota`, ufw `LIMIT`): rates are not modelled;
 * the rule is read for a first connection, which is under every rate.
 */
import type { ReaderWarning } from './types.ts'

/**
 * The note for the rule at `file:line`: `rates` are its rate matches as written; `over` when one
 * of them matches only past its rate (`--connlimit-above`, `limit rate over`, `recent --update`),
 * so that the rule is taken not to match.
 */
export function rateNote(
  file: string,
  line: number,
  rates: readonly string[],
  over: boolean,
): ReaderWarning {
  const message = `rate limit '${rates.join("', '")}' is not modelled: read for a first connection, under the rate, which the rule ${over ? 'does not match' : 'matches'}; connections past the rate are treated otherwise`
  return { file, line, message }
}
