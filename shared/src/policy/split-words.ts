/**
 * @module Words of a command line as iptables-save and ufw write them: blanks separate words,
 * double and single quotes hold a word with blanks (a `--comment`).
 */

/**
 * Splits a line into words, honouring double and single quotes (iptables-save quotes comments).
 * A double quote left open runs to the end of the line, as `iptables-restore` reads it (Oracle
 * Cloud's shipped rules.v4 has comments cut short by a `$`).
 */
export function splitWords(line: string): string[] {
  if (!line.includes('"') && !line.includes("'")) return line.split(/\s+/).filter((w) => w !== '')
  const out: string[] = []
  const re = /"((?:[^"\\]|\\.)*)(?:"|$)|'([^']*)'|(\S+)/g
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!)
  return out
}
