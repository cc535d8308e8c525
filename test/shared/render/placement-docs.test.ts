/**
 * @module The table "where each block goes, and what a reload does" in action/CLI.md says what
 * blockPlacement says, for every format (so a new format needs its row, and a changed text its
 * update). `UPDATE_DOCS=1 npx vitest run test/shared/render/placement-docs` rewrites the table
 * between its markers; run prettier on CLI.md afterwards.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FORMAT_IDS, blockPlacement, renderFormat } from '../../../shared/src/index.ts'

const CLI_MD = path.resolve(import.meta.dirname, '../../../action/CLI.md')
const START = '<!-- placement-table:start -->'
const END = '<!-- placement-table:end -->'

/** Markdown for a plain text: `*`, `<` and `>` escaped. */
const md = (text: string) =>
  text.replaceAll('*', '\\*').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** Rows: [label, where, reload]; nftables has two shapes, decided by the rendered body. */
function rows(): [string, string, string][] {
  const out: [string, string, string][] = []
  const input = { feeds: [], ipv4: ['192.0.2.0/24'], ipv6: [] }
  for (const id of FORMAT_IDS) {
    const shapes: [string, boolean][] =
      id === 'nftables'
        ? [
            ['`nftables` with ports', true],
            ['`nftables` without ports', false],
          ]
        : [[`\`${id}\``, false]]
    for (const [label, ports] of shapes) {
      const body = ports
        ? renderFormat(id, input, { name: 'NAME', ports: [{ port: 22, protocol: 'tcp' }] }).split(
            '\n',
          )
        : []
      const p = blockPlacement(id, 'NAME', body)
      out.push([label, p.where, p.reload])
    }
  }
  return out
}

function table(): string {
  return [
    '| format | where the block (or file) goes | what a reload does |',
    '| --- | --- | --- |',
    ...rows().map(([label, where, reload]) => `| ${label} | ${md(where)} | ${md(reload)} |`),
  ].join('\n')
}

describe('action/CLI.md placement table', () => {
  it('has one row per format shape, saying what blockPlacement says', () => {
    let text = readFileSync(CLI_MD, 'utf8')
    const at = text.indexOf(START)
    const end = text.indexOf(END)
    expect(at, `${START} in action/CLI.md`).toBeGreaterThan(0)
    if (process.env.UPDATE_DOCS === '1') {
      text = `${text.slice(0, at + START.length)}\n\n${table()}\n\n${text.slice(end)}`
      writeFileSync(CLI_MD, text)
    }
    const cells = text
      .slice(text.indexOf(START), text.indexOf(END))
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| -'))
      .slice(1)
      .map((l) =>
        l
          .slice(1, -1)
          .split(' | ')
          .map((c) => c.trim()),
      )
    expect(cells).toEqual(rows().map((r) => [r[0], md(r[1]), md(r[2])]))
  })
})
