/**
 * @module spliceManagedBlock / findManagedBlocks: a block is known by its name, replaced in place
 * with everything else kept, never appended blindly, and never overwritten over a hand edit.
 */
import { describe, expect, it } from 'vitest'
import {
  FORMATS,
  blockSum,
  findManagedBlocks,
  markerLines,
  renderFormat,
  spliceManagedBlock,
  type FormatId,
} from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError, inputFor } from './sample.ts'

const OPTIONS = { ...DOC_OPTIONS, name: 'hooks' }
const BLOCK = renderFormat('nginx', DOC_INPUT, OPTIONS)
const NEWER = renderFormat('nginx', { ...DOC_INPUT, ipv4: ['192.0.2.0/24'] }, OPTIONS)
const [BEGIN, END] = markerLines('hooks')
const NGINX = { format: 'nginx' } as const

/** An nginx file with the two marker lines placed inside a server block, indented. */
const PLACED = `# my own site
server {
    listen 80;
    ${BEGIN}
    ${END}
    location / { return 204; }
}
`

const indented = (block: string, indent: string) =>
  block
    .split('\n')
    .map((l) => (l === '' ? l : `${indent}${l}`))
    .join('\n')

describe('findManagedBlocks', () => {
  it('reads name, feeds, sum, lines and indentation of each block', () => {
    const file = `a\n  ${BLOCK}b\n`
    const [block] = findManagedBlocks(file)
    expect(block).toEqual({
      name: 'hooks',
      feedIds: ['github/hooks', 'coolify/cloud'],
      sum: /sum=([0-9a-f]{16})/.exec(BLOCK)![1],
      beginLine: 2,
      endLine: 1 + BLOCK.split('\n').length - 1,
      indent: '  ',
    })
  })

  it('reads a block written before names (feed ids after the marker) as unnamed', () => {
    const old =
      '# BEGIN allowlist-sync github/hooks coolify/cloud\nallow 192.0.2.1;\n# END allowlist-sync\n'
    expect(findManagedBlocks(old)).toEqual([
      {
        name: undefined,
        feedIds: ['github/hooks', 'coolify/cloud'],
        sum: undefined,
        beginLine: 1,
        endLine: 3,
        indent: '',
      },
    ])
    expect(findManagedBlocks('# BEGIN allowlist-sync\n# END allowlist-sync')[0]?.feedIds).toEqual(
      [],
    )
  })

  it.each([
    ['a bad name', `${BEGIN.replace('hooks', '9x')}\n${END}\n`, /'name=9x' is not/],
    ['an unknown key', `${BEGIN} mode=x\n${END}\n`, /'mode=x' is not/],
    ['a repeated key', `${BEGIN} name=other\n${END}\n`, /'name=other' is not .* once/],
    ['a short sum', `${BEGIN} sum=abc\n${END}\n`, /'sum=abc' is not/],
    ['keys without a name', `# BEGIN allowlist-sync feeds=a/b\n${END}\n`, /has no name=NAME/],
    ['a mix of ids and keys', `# BEGIN allowlist-sync a/b name=x\n${END}\n`, /'a\/b' is not/],
  ])('refuses a BEGIN line with %s, naming line 1', (_label, file, message) => {
    expectRenderError(() => findManagedBlocks(file), { code: 'ERR_RENDER_BLOCK', line: 1 }, message)
  })
})

describe('spliceManagedBlock', () => {
  it('fills markers placed by hand, keeping their indentation and every other byte', () => {
    const out = spliceManagedBlock(PLACED, BLOCK, NGINX)
    expect(out).toBe(PLACED.replace(`    ${BEGIN}\n    ${END}\n`, indented(BLOCK, '    ')))
    // A second splice of the same rendering, and of a newer one then the first again.
    expect(spliceManagedBlock(out, BLOCK, NGINX)).toBe(out)
    expect(spliceManagedBlock(spliceManagedBlock(out, NEWER, NGINX), BLOCK, NGINX)).toBe(out)
  })

  it('keeps the END marker at its own indentation when it differs from BEGIN', () => {
    const file = `server {\n\t${BEGIN}\n${END}\n}\n`
    const out = spliceManagedBlock(file, BLOCK, NGINX)
    const lines = out.split('\n')
    expect(lines[1]).toBe(`\t${BLOCK.split('\n')[0]!}`)
    expect(lines.at(-3)).toBe(END)
    expect(spliceManagedBlock(out, BLOCK, NGINX)).toBe(out)
  })

  it('gives an empty or blank file the block alone', () => {
    expect(spliceManagedBlock('', BLOCK, NGINX)).toBe(BLOCK)
    expect(spliceManagedBlock(' \n\n', BLOCK, NGINX)).toBe(BLOCK)
  })

  it.each(FORMATS.filter((f) => f.lineOriented).map((f) => f.id))(
    '%s: a non-empty file without the block is refused with the marker lines, never appended',
    (format: FormatId) => {
      const block = renderFormat(format, inputFor(format, DOC_INPUT), OPTIONS)
      expectRenderError(
        () => spliceManagedBlock('# my file\n', block, { format }),
        { code: 'ERR_RENDER_NO_BLOCK' },
        `never appends blindly. Place these two lines `,
      )
      try {
        spliceManagedBlock('# my file\n', block, { format })
      } catch (error) {
        const lines = (error as Error).message.split('\n')
        expect(lines.slice(1, 3)).toEqual([`  ${BEGIN}`, `  ${END}`])
        // The phrase says where, e.g. "inside the server { } or location { } it guards".
        expect(lines[0]).toMatch(/Place these two lines (in|inside|at) .{20,}, then run again:$/)
      }
    },
  )

  it('says where for nginx: inside the server or location, never at http level', () => {
    expectRenderError(
      () => spliceManagedBlock('http {\n}\n', BLOCK, NGINX),
      { code: 'ERR_RENDER_NO_BLOCK' },
      'inside the server { } or location { } it guards',
    )
  })

  it('names other blocks in the refusal, and how to adopt an old one', () => {
    const old = '# BEGIN allowlist-sync file/office.txt\nallow 192.0.2.1;\n# END allowlist-sync\n'
    const other = renderFormat('nginx', DOC_INPUT, { name: 'office' })
    expectRenderError(
      () => spliceManagedBlock(`${old}${other}`, BLOCK, NGINX),
      { code: 'ERR_RENDER_NO_BLOCK' },
      /line 1 holds an old block for file\/office\.txt \(rename it by replacing its BEGIN line with '# BEGIN allowlist-sync name=hooks' if it is this one\)\nline 4 holds the block name=office$/,
    )
    const bare = '# BEGIN allowlist-sync\n# END allowlist-sync\n'
    expectRenderError(
      () => spliceManagedBlock(bare, BLOCK, NGINX),
      { code: 'ERR_RENDER_NO_BLOCK' },
      'an old block for no feeds',
    )
  })

  it('replaces an old unnamed block of the same feeds once, without a hand-edit alarm', () => {
    const old = `server {\n# BEGIN allowlist-sync github/hooks coolify/cloud\n# Generated by allowlist-sync: do not edit by hand; this block is rewritten on every sync.\n# feed github/hooks version 1\nallow 192.0.2.0/24;\ndeny all;\n# END allowlist-sync\n}\n`
    const once = spliceManagedBlock(old, BLOCK, NGINX)
    expect(once).toBe(`server {\n${BLOCK}}\n`)
    expect(spliceManagedBlock(once, BLOCK, NGINX)).toBe(once)
  })

  it('knows a block by its name: other feeds (a renamed --from file) replace it in place', () => {
    const once = spliceManagedBlock(PLACED, BLOCK, NGINX)
    const renamed = renderFormat(
      'nginx',
      { ...DOC_INPUT, feeds: [{ id: 'file/office2.txt' }] },
      OPTIONS,
    )
    const out = spliceManagedBlock(once, renamed, NGINX)
    expect(findManagedBlocks(out).map((b) => [b.name, b.feedIds])).toEqual([
      ['hooks', ['file/office2.txt']],
    ])
  })

  it('leaves blocks of other names alone', () => {
    const other = renderFormat(
      'nginx',
      { ...DOC_INPUT, ipv4: ['198.51.100.0/24'] },
      { name: 'office' },
    )
    const file = `server {\n${other}${BEGIN}\n${END}\n}\n`
    const out = spliceManagedBlock(file, BLOCK, NGINX)
    expect(out).toBe(`server {\n${other}${BLOCK}}\n`)
  })

  describe('hand edits', () => {
    const once = spliceManagedBlock(PLACED, BLOCK, NGINX)
    const beginLine = 4

    it('refuses a block whose lines no longer match its sum, naming the line and --force', () => {
      const edited = once.replace('allow 198.51.100.7/32;', 'allow 198.51.100.0/24;')
      expectRenderError(
        () => spliceManagedBlock(edited, NEWER, NGINX),
        { code: 'ERR_RENDER_EDITED', line: beginLine },
        /^line 4: the block name=hooks \(lines 4-\d+\) was edited by hand .* --force/,
      )
      const added = once.replace('deny all;', 'allow 10.0.0.0/8;\n    deny all;')
      expectRenderError(
        () => spliceManagedBlock(added, NEWER, NGINX),
        {
          code: 'ERR_RENDER_EDITED',
          line: beginLine,
        },
        'edited by hand',
      )
    })

    it('with force, overwrites the edit', () => {
      const edited = once.replace('allow 198.51.100.7/32;', 'allow 0.0.0.0/0;')
      expect(spliceManagedBlock(edited, BLOCK, { ...NGINX, force: true })).toBe(once)
    })

    it('takes re-indentation, blank lines and CRLF for no edit', () => {
      const reindented = once
        .replace(/^ {4}(allow|deny)/gm, '\t\t$1')
        .replace('deny all;', 'deny all;\n')
      expect(spliceManagedBlock(reindented, BLOCK, NGINX)).toContain(BLOCK.split('\n')[0]!)
      const crlf = once.replaceAll('\n', '\r\n')
      expect(spliceManagedBlock(crlf, BLOCK, NGINX)).toBe(crlf)
    })

    it('the sum is the one of the block lines, so a reader can recompute it', () => {
      const lines = BLOCK.split('\n')
      expect(lines[0]).toContain(`sum=${blockSum(lines.slice(1, -2))}`)
    })
  })

  it('keeps CRLF line ends, and is idempotent on them', () => {
    const crlf = PLACED.replaceAll('\n', '\r\n')
    const once = spliceManagedBlock(crlf, BLOCK, NGINX)
    expect(once).toBe(
      crlf.replace(
        `    ${BEGIN}\r\n    ${END}\r\n`,
        indented(BLOCK, '    ').replaceAll('\n', '\r\n'),
      ),
    )
    expect(spliceManagedBlock(once, NEWER, NGINX)).not.toMatch(/[^\r]\n/)
    expect(spliceManagedBlock(once, BLOCK, NGINX)).toBe(once)
  })

  it('keeps an END marker that ends the file without a newline as it was', () => {
    const list = `192.0.2.9\r\n${BEGIN}\r\n${END}`
    const block = renderFormat('txt', DOC_INPUT, OPTIONS)
    const out = spliceManagedBlock(list, block, { format: 'txt' })
    expect(out.endsWith(`\r\n${END}`)).toBe(true)
    expect(spliceManagedBlock(out, block, { format: 'txt' })).toBe(out)
  })

  it('is idempotent for every line-oriented format', () => {
    for (const info of FORMATS.filter((f) => f.lineOriented)) {
      const block = renderFormat(info.id, inputFor(info.id, DOC_INPUT), OPTIONS)
      const once = spliceManagedBlock(`${BEGIN}\n${END}\n`, block, { format: info.id })
      expect(once, info.id).toBe(block)
      expect(spliceManagedBlock(once, block, { format: info.id }), info.id).toBe(once)
    }
  })

  it('refuses markers where the format cannot work, naming the BEGIN line', () => {
    const file = `http {\n  ${BEGIN}\n  ${END}\n  server { listen 80; }\n}\n`
    expectRenderError(
      () => spliceManagedBlock(file, BLOCK, NGINX),
      { code: 'ERR_RENDER_PLACEMENT', line: 2 },
      "line 2: the block is inside 'http { ... }' (opened on line 1): every server of it would answer 403",
    )
  })

  it.each([
    [
      'an unterminated block',
      `x\n# BEGIN allowlist-sync github/hooks coolify/cloud\nallow 1.2.3.4;\n`,
      2,
      /never closed/,
    ],
    ['an END without BEGIN', `x\ny\n# END allowlist-sync\n`, 3, /without a BEGIN/],
    [
      'a nested BEGIN',
      `# BEGIN allowlist-sync a/b\n# BEGIN allowlist-sync c/d\n# END allowlist-sync\n`,
      2,
      /inside the block opened on line 1/,
    ],
    ['a misspelt marker', `ok\n#BEGIN allowlist-sync github/hooks\n`, 2, /malformed marker/],
    ['a lower-case marker', `# begin allowlist-sync a/b\n`, 1, /malformed marker/],
    [
      'a duplicated block',
      `${BLOCK}between\n${BLOCK}`,
      BLOCK.split('\n').length + 1,
      /a second block for name=hooks \(the first is on line 1\)/,
    ],
    [
      'two old blocks of the same feeds',
      `# BEGIN allowlist-sync github/hooks coolify/cloud\n${END}\n# BEGIN allowlist-sync github/hooks coolify/cloud\n${END}\n`,
      3,
      /a second block for name=hooks/,
    ],
  ])('refuses %s, naming the line', (_label, file, line, message) => {
    expectRenderError(
      () => spliceManagedBlock(file, BLOCK, NGINX),
      { code: 'ERR_RENDER_BLOCK', line },
      message,
    )
  })

  it('refuses a rendering that is not exactly one named block', () => {
    for (const bad of [
      'allow all;\n',
      `${BLOCK}${BLOCK}`,
      `x\n${BLOCK}`,
      '# BEGIN allowlist-sync github/hooks\n# END allowlist-sync\n',
    ]) {
      expectRenderError(
        () => spliceManagedBlock('', bad, NGINX),
        { code: 'ERR_RENDER_BLOCK' },
        'exactly one named block',
      )
    }
  })
})
