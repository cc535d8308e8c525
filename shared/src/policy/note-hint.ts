/**
 * @module The hint beside a reader's note (a `not-modelled` finding): what the evaluator took the
 * rule to do, read from the note itself, so that a rule taken not to match (past a rate, an
 * untranslated DNAT) never reads "taken to match".
 */

/** The hint for one reader note, by what the note says the evaluator took the rule to do. */
export function noteHint(message: string): string {
  if (message.includes('rate limit')) {
    const over = message.includes('which the rule does not match')
    return over
      ? 'The evaluator reads this rule for a first connection, which is not over the rate, so the rule is taken not to match; check by hand what it does to connections past the rate.'
      : 'The evaluator reads this rule for a first connection, which is under the rate, so the rule is taken to match; check by hand what happens to connections past the rate.'
  }
  if (/taken not to (match|translate)/.test(message))
    return 'The evaluator takes this rule not to match any packet; check it by hand.'
  if (message.includes('taken to match'))
    return 'The evaluator takes this rule to match every packet its other matches allow; check it by hand.'
  return 'The evaluator leaves this out; check it by hand.'
}
