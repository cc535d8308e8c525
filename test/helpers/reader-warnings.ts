/**
 * @module Reader warnings as the text the CLI's notes carry (`FILE:LINE: message`), so that the
 * reader tests compare whole notes in one line each.
 */
import type { ReaderWarning } from '../../shared/src/index.ts'

/** Each warning as `FILE:LINE: message` (`FILE: message` without a line). */
export function warningTexts(warnings: readonly ReaderWarning[]): string[] {
  return warnings.map((w) =>
    w.line === undefined ? `${w.file}: ${w.message}` : `${w.file}:${w.line}: ${w.message}`,
  )
}
