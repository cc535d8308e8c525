/** @module spliceManagedBlock / findManagedBlocks: the block is replaced, everything else kept. */
import { describe, expect, it } from 'vitest'
import {
  FORMATS,
  findManagedBlocks,
  renderFormat,
  spliceManagedBlock,
} from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError, inputFor } from './sample.ts'

const IDS = DOC_INPUT.feeds.map((f) => f.id)
const BLOCK = renderFormat('nginx', DOC_INPUT, DOC_OPTIONS)
const NEWER = renderFormat('nginx', { ...DOC_INPUT, ipv4: ['192.0.2.0/24'] }, DOC_OPTIONS)

const USER_FILE = `# my own nginx snippet
allow 10.0.0.0/8;

# BEGIN allowlist-sync other/feed
allow 203.0.113.1;
# END allowlist-sync
location /x { return 204; }
`

describe('spliceManagedBlock', () => {
  it('appends the block to a file without one, keeping every byte before it', () => {
    const out = spliceManagedBlock(USER_FILE, BLOCK, IDS)
    expect(out.startsWith(USER_FILE)).toBe(true)
    expect(out.slice(USER_FILE.length)).toBe(BLOCK)
    expect(spliceManagedBlock('no newline at end', BLOCK, IDS)).toBe(`no newline at end\n${BLOCK}`)
    expect(spliceManagedBlock('', BLOCK, IDS)).toBe(BLOCK)
  })

  it('replaces only its own block, leaving other feeds blocks and user lines untouched', () => {
    const once = spliceManagedBlock(USER_FILE, BLOCK, IDS)
    const updated = spliceManagedBlock(once, NEWER, IDS)
    expect(updated).toBe(`${USER_FILE}${NEWER}`)
    expect(findManagedBlocks(updated).map((b) => b.feedIds)).toEqual([['other/feed'], IDS])
  })

  it('marks a block of no feeds with the bare BEGIN marker, and finds it again', () => {
    const bare = renderFormat('nginx', { ...DOC_INPUT, feeds: [] }, DOC_OPTIONS)
    expect(bare.split('\n')[0]).toBe('# BEGIN allowlist-sync')
    const file = spliceManagedBlock(USER_FILE, bare, [])
    expect(findManagedBlocks(file).map((b) => b.feedIds)).toEqual([['other/feed'], []])
    expect(spliceManagedBlock(file, bare, [])).toBe(file)
  })

  it('is idempotent: splicing the same rendering twice gives identical bytes', () => {
    for (const info of FORMATS.filter((f) => f.lineOriented)) {
      const block = renderFormat(info.id, inputFor(info.id, DOC_INPUT), DOC_OPTIONS)
      const once = spliceManagedBlock(USER_FILE, block, IDS)
      expect(spliceManagedBlock(once, block, IDS), info.id).toBe(once)
    }
  })

  it('replaces a block in the middle of a file in place', () => {
    const middle = `head\n${BLOCK}tail\n`
    expect(spliceManagedBlock(middle, NEWER, IDS)).toBe(`head\n${NEWER}tail\n`)
  })

  it('keeps CRLF line ends of a Windows-edited file', () => {
    const crlf = 'a\r\nb\r\n'
    const once = spliceManagedBlock(crlf, BLOCK, IDS)
    expect(once).toBe(`a\r\nb\r\n${BLOCK.replaceAll('\n', '\r\n')}`)
    expect(spliceManagedBlock(once, NEWER, IDS)).toBe(`a\r\nb\r\n${NEWER.replaceAll('\n', '\r\n')}`)
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
      /a second .* block \(the first is on line 1\)/,
    ],
  ])('refuses %s, naming the line', (_label, file, line, message) => {
    expectRenderError(
      () => spliceManagedBlock(file, BLOCK, IDS),
      { code: 'ERR_RENDER_BLOCK', line },
      message,
    )
  })

  it('refuses a rendering that is not exactly one block for the feeds', () => {
    expect(() => spliceManagedBlock('', BLOCK, ['github/hooks'])).toThrow(/exactly one/)
    expect(() => spliceManagedBlock('', 'allow all;\n', IDS)).toThrow(/exactly one/)
  })
})
