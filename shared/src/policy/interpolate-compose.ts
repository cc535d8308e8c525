/**
 * @module Compose variable interpolation (`${VAR:-default}`, `${VAR-default}`, `$$`), read as
 * `docker compose` reads a file with nothing set: the default where there is one. A variable
 * with no default (`${VAR}`, `$VAR`, `${VAR:?err}`) has a value only the host's `.env` or
 * environment knows: an error naming it, never a guess.
 */

/** `${NAME}`, `${NAME:-x}`, `${NAME-x}`, `${NAME:?x}`, `${NAME?x}`, `${NAME:+x}`, `${NAME+x}` */
const BRACED = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^{}$]*))?\}/
/** `$NAME` */
const BARE = /\$([A-Za-z_][A-Za-z0-9_]*)/

/**
 * The text with every variable replaced by its default; `defaulted` lists the expressions read
 * so (for a note: a value set on the host changes them). Throws a plain Error naming the first
 * variable that has no default, for the caller to wrap with its file and line.
 */
export function interpolateCompose(text: string): { value: string; defaulted: string[] } {
  const defaulted: string[] = []
  // `$$` is a literal `$`: set aside, so that `$$VAR` is not read as a variable
  let value = text.replaceAll('$$', '\u0000')
  // innermost first: a default may itself hold a variable (`${A:-${B:-80}}`)
  for (let m = BRACED.exec(value); m !== null; m = BRACED.exec(value)) {
    const [whole, name, op, word] = m
    // unset: `-` and `:-` give the default, `+` and `:+` give nothing
    if (op === '-' || op === ':-') defaulted.push(whole)
    else if (op !== '+' && op !== ':+') throw new Error(`'${whole}': ${noDefault(name!)}`)
    value = value.replace(whole, op === '-' || op === ':-' ? word! : '')
  }
  const bare = BARE.exec(value)
  if (bare) throw new Error(`'${bare[0]}': ${noDefault(bare[1]!)}`)
  return { value: value.replaceAll('\u0000', '$'), defaulted }
}

function noDefault(name: string): string {
  return `variable '${name}' has no default here; its value comes from the host's .env or environment, which this check does not read (write the port itself, or give the variable a default)`
}
