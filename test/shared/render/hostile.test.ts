/**
 * @module Acceptance 5 of issue 5: names, comments and feed references from configuration cannot
 * inject anything. Hostile names are refused in every format; hostile comments are refused when
 * they could break a line, otherwise quoted so that the real tools (and a real shell, for ufw)
 * read them as inert text.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse as parseHcl } from '@cdktf/hcl2json'
import { parse as parseYaml } from 'yaml'
import { afterAll, describe, expect, it } from 'vitest'
import {
  END_MARKER,
  findManagedBlocks,
  markerLines,
  ipsetReferenceRules,
  spliceManagedBlock,
  FORMAT_IDS,
  FORMATS,
  READABLE_FORMATS,
  readRendered,
  renderFormat,
  type RenderInput,
} from '../../../shared/src/index.ts'
import { missingTools, IS_ROOT } from '../../helpers/tools.ts'
import { DOC_INPUT, DOC_OPTIONS, expectRenderError, inputFor } from './sample.ts'

const HOSTILE_NAMES = [
  'x; drop',
  '"',
  "'",
  'a\nb',
  'a}',
  '{',
  '$(reboot)',
  '`id`',
  '../etc/passwd',
  '-j ACCEPT',
  '',
  ' leading',
  'name with space',
  'ünïcode',
  'a'.repeat(25),
  '9starts-with-digit',
  'a\\b',
  'a#b',
]

const LINE_BREAKERS = ['a\nb', 'a\rb', 'a\u2028b', 'a\u0000b', 'tab\there', 'x'.repeat(201)]

/** Printable but dangerous in some syntax: must come out inert (or be refused, for aws-sg). */
const NASTY_COMMENTS = [
  `'; touch /tmp/asr-render-pwned; '`,
  '"; drop; "',
  '} deny all; {',
  '$(touch /tmp/asr-render-pwned) `touch /tmp/asr-render-pwned`',
  'ends with a backslash \\',
  'ünïcode and emoji 🔥',
  'END allowlist-sync',
  'BEGIN allowlist-sync evil/feed',
  '${file("/etc/passwd")} %{ if true }x%{ endif } <!-- --> & </description>',
]

/** Formats that carry the comment inside a quoted string (JSON, YAML, XML, HCL), not only in `#` lines. */
const QUOTED = new Set([
  'ufw',
  'json',
  'k8s-networkpolicy',
  'traefik-crd',
  'firewalld-ipset',
  'firewalld-ipset6',
  'firewalld-policy',
  'hcloud-rules',
  'terraform-hcloud',
  'terraform-google',
  'terraform-azurerm',
  'terraform-cloudflare',
])

/** Formats whose comment must fit EC2's Description alphabet (refused otherwise). */
const EC2 = new Set(['aws-sg', 'terraform-aws-prefix-list'])

describe('hostile names', () => {
  it.each(FORMAT_IDS)('%s refuses every hostile name with ERR_RENDER_NAME', (format) => {
    for (const name of HOSTILE_NAMES) {
      expectRenderError(
        () => renderFormat(format, DOC_INPUT, { ...DOC_OPTIONS, name }),
        { code: 'ERR_RENDER_NAME' },
        JSON.stringify(name),
        JSON.stringify(name),
      )
    }
  })
  it('ipsetReferenceRules refuses them too', () => {
    for (const name of HOSTILE_NAMES) {
      expectRenderError(
        () => ipsetReferenceRules(name, 4, []),
        { code: 'ERR_RENDER_NAME' },
        JSON.stringify(name),
      )
    }
    expectRenderError(
      () => ipsetReferenceRules('ok', 6, [{ port: 0, protocol: 'tcp' }]),
      { code: 'ERR_RENDER_PORT' },
      'bad port',
    )
  })
  it('k8s-networkpolicy refuses a name that is no DNS label even after lower-casing', () => {
    expect(() => renderFormat('k8s-networkpolicy', DOC_INPUT, { name: 'trailing-' })).toThrow(
      /DNS label/,
    )
    expect(renderFormat('k8s-networkpolicy', DOC_INPUT, { name: 'Web_Hooks' })).toContain(
      'name: "web-hooks"',
    )
  })
})

describe('hostile comments', () => {
  it.each(FORMAT_IDS)('%s refuses comments that could end a line', (format) => {
    for (const comment of LINE_BREAKERS) {
      expect(
        () => renderFormat(format, DOC_INPUT, { ...DOC_OPTIONS, comment }),
        JSON.stringify(comment),
      ).toThrow(expect.objectContaining({ code: 'ERR_RENDER_COMMENT' }))
    }
  })

  it.each(FORMAT_IDS.filter((f) => !EC2.has(f)))(
    '%s renders printable hostile comments inertly: same sets, no new statement lines',
    (format) => {
      const input = inputFor(format, DOC_INPUT)
      const plain = renderFormat(format, input, { ...DOC_OPTIONS, comment: 'plain' })
      for (const comment of NASTY_COMMENTS) {
        if (format === 'ufw' && comment.includes("'")) continue
        const text = renderFormat(format, input, { ...DOC_OPTIONS, comment })
        if ((READABLE_FORMATS as readonly string[]).includes(format))
          expect(readRendered(format as 'txt', text)).toEqual(readRendered(format as 'txt', plain))
        expect(text.split('\n')).toHaveLength(plain.split('\n').length)
        // Outside the quoted strings of QUOTED formats, the comment only appears in `#` lines,
        // with non-ASCII and backslashes spelled as <U+XXXX>.
        for (const line of text.split('\n')) {
          if (line.includes('touch') && !QUOTED.has(format)) {
            expect(line.trimStart().startsWith('#'), line).toBe(true)
          }
          if (line.startsWith('#')) expect(line).not.toMatch(/[\\\u0080-\uffff]/)
        }
      }
    },
  )

  it("ufw refuses a comment with ' (ufw itself answers 'Invalid syntax')", () => {
    expectRenderError(
      () => renderFormat('ufw', DOC_INPUT, { comment: "it's" }),
      { code: 'ERR_RENDER_COMMENT' },
      'ufw refuses',
    )
  })

  const ufwSkip = !IS_ROOT ? 'skipped: ufw --dry-run needs root' : missingTools('ufw', 'ip')
  it.skipIf(ufwSkip !== undefined)(
    'ufw --dry-run (in a namespace) stores each hostile comment verbatim',
    () => {
      const ns = `asr-render-ufw-${process.pid}`
      spawnSync('ip', ['netns', 'add', ns])
      try {
        for (const comment of NASTY_COMMENTS.filter((c) => !c.includes("'"))) {
          const text = renderFormat('ufw', DOC_INPUT, { ...DOC_OPTIONS, comment })
          const line = text.split('\n').find((l) => l.startsWith('ufw allow '))!
          const script = line.replace(/^ufw /, 'ufw --dry-run ')
          const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { encoding: 'utf8' })
          expect(r.status, r.stdout + r.stderr).toBe(0)
          const hex = /comment=([0-9a-f]+)/.exec(r.stdout)?.[1] ?? ''
          expect(Buffer.from(hex, 'hex').toString('utf8')).toBe(comment)
        }
      } finally {
        spawnSync('ip', ['netns', 'del', ns])
      }
    },
  )
  if (ufwSkip !== undefined) console.warn(`ufw --dry-run check: ${ufwSkip}`)

  it('aws-sg refuses a Description outside the EC2 alphabet and accepts one inside it', () => {
    expectRenderError(
      () => renderFormat('aws-sg', DOC_INPUT, { comment: `it's` }),
      { code: 'ERR_RENDER_COMMENT' },
      'EC2',
    )
    const ok = renderFormat('aws-sg', DOC_INPUT, { comment: 'hooks (GitHub) #1: a-b_c/d' })
    expect(ok).toContain('"Description": "hooks (GitHub) #1: a-b_c/d"')
  })

  it('HCL, XML and hcloud JSON carry the comment as a string their parsers give back unchanged', async () => {
    const unXml = (t: string) =>
      t
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&quot;', '"')
        .replaceAll('&#39;', "'")
        .replaceAll('&amp;', '&')
    for (const comment of NASTY_COMMENTS) {
      const opts = { ...DOC_OPTIONS, comment }
      // hcl2json answers in Terraform's JSON syntax, whose strings are templates too: a literal
      // '${' or '%{' is spelled '$${' / '%%{' there, exactly as in the HCL we wrote.
      const json = (t: string) => t.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{')
      for (const [format, type] of [
        ['terraform-google', 'google_compute_firewall'],
        ['terraform-azurerm', 'azurerm_network_security_rule'],
        ['terraform-cloudflare', 'cloudflare_list'],
      ] as const) {
        const doc = (await parseHcl(
          'x.tf',
          renderFormat(format, inputFor(format, DOC_INPUT), opts),
        )) as {
          resource: Record<string, Record<string, { description: string }[]>>
        }
        for (const r of Object.values(doc.resource[type]!))
          expect(r[0]!.description, format).toBe(json(`allowlist-sync ${comment}`))
      }
      const hc = (await parseHcl('x.tf', renderFormat('terraform-hcloud', DOC_INPUT, opts))) as {
        resource: { hcloud_firewall: Record<string, { rule: { description: string }[] }[]> }
      }
      const rules = Object.values(hc.resource.hcloud_firewall)[0]![0]!.rule
      for (const r of rules)
        expect(r.description.startsWith(json(`allowlist-sync ${comment} `))).toBe(true)
      const api = JSON.parse(renderFormat('hcloud-rules', DOC_INPUT, opts)) as {
        description: string
      }[]
      expect(api.map((r) => json(r.description))).toEqual(rules.map((r) => r.description))
      for (const format of ['firewalld-ipset', 'firewalld-ipset6', 'firewalld-policy'] as const) {
        const text = renderFormat(format, DOC_INPUT, opts)
        const description = unXml(/<description>(.*)<\/description>/.exec(text)![1]!)
        expect(description.startsWith(`allowlist-sync: ${comment}`), format).toBe(true)
        // The XML comment holding the header never contains '--' before its end.
        expect(text.slice(text.indexOf('<!--') + 4, text.indexOf('-->'))).not.toContain('--')
      }
      const crd = parseYaml(renderFormat('traefik-crd', DOC_INPUT, opts).split('---')[0]!) as {
        metadata: { annotations: Record<string, string> }
      }
      expect(crd.metadata.annotations['allowlist-sync/comment']).toBe(comment)
    }
  })

  it('terraform-aws-prefix-list refuses a Description outside the EC2 alphabet, like aws-sg', () => {
    expectRenderError(
      () => renderFormat('terraform-aws-prefix-list', DOC_INPUT, { comment: "it's" }),
      { code: 'ERR_RENDER_COMMENT' },
      'EC2',
    )
  })

  it('json, traefik and k8s carry the comment as a string the parser gives back unchanged', () => {
    for (const comment of NASTY_COMMENTS) {
      const json = JSON.parse(renderFormat('json', DOC_INPUT, { comment })) as { comment: string }
      expect(json.comment).toBe(comment)
      const k8s = parseYaml(renderFormat('k8s-networkpolicy', DOC_INPUT, { comment })) as {
        metadata: { annotations: Record<string, string> }
      }
      expect(k8s.metadata.annotations['allowlist-sync/comment']).toBe(comment)
    }
  })

  it.skipIf(missingTools('sh'))('ufw: a real shell sees each comment as one inert argument', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'asr-render-ufw-'))
    try {
      for (const comment of NASTY_COMMENTS.filter((c) => !c.includes("'"))) {
        const text = renderFormat('ufw', DOC_INPUT, { ...DOC_OPTIONS, comment })
        // Replace the ufw command with one that prints its arguments, one a line, NUL-separated rules.
        const script = text.replaceAll(/^ufw /gm, `printf '%s\\n' `).concat(`printf '\\0'\n`)
        const file = path.join(dir, 'rules.sh')
        writeFileSync(file, script)
        const r = spawnSync('sh', [file], { encoding: 'utf8', cwd: dir })
        expect(r.status).toBe(0)
        const args = r.stdout.split('\n')
        const comments = args.filter((_, i) => args[i - 1] === 'comment')
        expect(comments.length).toBeGreaterThan(0)
        for (const c of comments) expect(c).toBe(comment)
        expect(existsSync('/tmp/asr-render-pwned')).toBe(false)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('marker look-alikes', () => {
  it.each(FORMATS.filter((f) => f.lineOriented).map((f) => f.id))(
    '%s: a comment that reads like a marker still splices as one block',
    (format) => {
      for (const comment of ['END allowlist-sync', 'BEGIN allowlist-sync evil/feed']) {
        const text = renderFormat(format, inputFor(format, DOC_INPUT), { ...DOC_OPTIONS, comment })
        expect(findManagedBlocks(text)).toEqual([
          expect.objectContaining({
            name: 'allowlist-sync',
            feedIds: DOC_INPUT.feeds.map((f) => f.id),
            beginLine: 1,
            endLine: text.split('\n').length - 1,
          }),
        ])
        const placed = `${markerLines('allowlist-sync').join('\n')}\n`
        const once = spliceManagedBlock(placed, text, { format })
        expect(spliceManagedBlock(once, text, { format })).toBe(text)
      }
    },
  )
})

describe('hostile feed references and entries', () => {
  it.each(FORMAT_IDS)('%s refuses a feed id that is not provider/list', (format) => {
    for (const id of [
      'github/hooks\n-A INPUT -j ACCEPT',
      'a b',
      'x;y',
      '',
      '/abs',
      'END allowlist-sync',
    ]) {
      const input: RenderInput = { ...DOC_INPUT, feeds: [{ id }] }
      expect(() => renderFormat(format, input, DOC_OPTIONS), JSON.stringify(id)).toThrow(
        expect.objectContaining({ code: 'ERR_RENDER_FEED' }),
      )
    }
  })

  it.each(FORMATS.filter((f) => f.lineOriented).map((f) => f.id))(
    '%s keeps a hostile version or source inside one header line',
    (format) => {
      const input: RenderInput = {
        ...inputFor(format, DOC_INPUT),
        feeds: [
          {
            id: 'user/x',
            version: '1\n# END allowlist-sync\n-A INPUT -j ACCEPT',
            source: 'https://e.example/\r\nallow all;\\',
          },
        ],
      }
      const text = renderFormat(format, input, DOC_OPTIONS)
      const plain = renderFormat(
        format,
        { ...input, feeds: [{ id: 'user/x', version: '1', source: 's' }] },
        DOC_OPTIONS,
      )
      expect(text.split('\n')).toHaveLength(plain.split('\n').length)
      expect(text.split('\n').filter((l) => l.trim() === END_MARKER)).toHaveLength(1)
      expect(text).toContain('<U+000A>')
      expect(text).not.toMatch(/^-A INPUT -j ACCEPT/m)
      expect(text).not.toMatch(/^allow all;/m)
    },
  )

  it.each(FORMAT_IDS)('%s refuses an entry that is not a CIDR, naming it', (format) => {
    for (const bad of ['192.0.2.0/24; drop', '192.0.2.0/24\n0.0.0.0/0', '} ', 'example.com']) {
      expectRenderError(
        () => renderFormat(format, { ...DOC_INPUT, ipv4: [bad] }, DOC_OPTIONS),
        { code: 'ERR_RENDER_CIDR' },
        JSON.stringify(bad),
      )
    }
  })
})

afterAll(() => {
  // A failed injection must not leave a trace on the machine either way.
  if (IS_ROOT) rmSync('/tmp/asr-render-pwned', { force: true })
})
