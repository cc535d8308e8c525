/**
 * @module The one way YAML (and JSON, which YAML reads) files are parsed: the compose, AWS and
 * nft JSON readers, policy files and the Action's config all call it. Syntax errors come back as
 * `FILE:LINE:COL: message` problems; a file of more than one document is refused the same way
 * everywhere (each reader reads one document, and would silently drop the rest).
 */
import { LineCounter, parseDocument, type Document } from 'yaml'

/** One problem of a YAML text, 1-based line and column. */
export interface YamlProblem {
  readonly line: number
  readonly col: number
  readonly message: string
  /** `FILE:LINE:COL: message`. */
  readonly text: string
}

/** A parsed document and where its nodes are; or the problems that stopped it. */
export type YamlDocument =
  | {
      readonly ok: true
      readonly doc: Document.Parsed
      /** The 1-based line and column of a text offset (a node's `range[0]`). */
      readonly position: (offset: number) => { line: number; col: number }
    }
  | { readonly ok: false; readonly problems: readonly YamlProblem[] }

/** What every caller says about a second document. */
const MULTIPLE_DOCS = "more than one YAML document (a '---' line starts another); give one per file"

/**
 * Parses `text` (named `file` in problems) as one YAML document. `uniqueKeys: false` keeps a
 * repeated key (nft's JSON repeats none, but a reader may ask); the default refuses it.
 */
export function parseYamlDocument(
  text: string,
  file: string,
  options: { readonly uniqueKeys?: boolean } = {},
): YamlDocument {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: options.uniqueKeys ?? true,
  })
  const position = (offset: number) => lineCounter.linePos(offset)
  if (doc.errors.length === 0) return { ok: true, doc, position }
  return {
    ok: false,
    problems: doc.errors.map((e) => {
      const { line, col } = position(e.pos[0])
      const message = e.code === 'MULTIPLE_DOCS' ? MULTIPLE_DOCS : e.message.split('\n')[0]!
      return { line, col, message, text: `${file}:${line}:${col}: ${message}` }
    }),
  }
}
