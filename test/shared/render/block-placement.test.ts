/**
 * @module blockPlacement: per format, where markers may stand (checked on real file shapes: an
 * nginx http block, a Caddyfile with sites, nftables tables, ufw's before.rules) and the texts
 * every block carries.
 */
import { describe, expect, it } from 'vitest'
import {
  FORMAT_IDS,
  blockPlacement,
  findManagedBlocks,
  markerLines,
  renderFormat,
  type FormatId,
} from '../../../shared/src/index.ts'
import { DOC_INPUT, DOC_OPTIONS, inputFor } from './sample.ts'

const [BEGIN, END] = markerLines('hooks')
const MARK = `${BEGIN}\n${END}`

/** The check's verdict for the block between the markers of `file` (written with `MARK`). */
function verdict(format: FormatId, file: string, ports = true): string | undefined {
  const body = renderFormat(
    format,
    inputFor(format, DOC_INPUT),
    ports ? { name: 'hooks', ...DOC_OPTIONS } : { name: 'hooks' },
  )
    .split('\n')
    .slice(1, -2)
  const lines = file.split('\n')
  const [block] = findManagedBlocks(file)
  return blockPlacement(format, 'hooks', body).check(lines, block!)
}

describe('blockPlacement texts', () => {
  it.each(FORMAT_IDS)('%s says where it goes and what a reload does', (format) => {
    const p = blockPlacement(format, 'hooks', [])
    expect(p.where.length).toBeGreaterThan(10)
    expect(p.reload.length).toBeGreaterThan(10)

    expect(`${p.where}${p.reload}`).toMatch(/^[\x20-\x7e]+$/)
  })
})

describe('nginx', () => {
  it.each([
    ['inside a server', `http {\n  server {\n    listen 80;\n    ${MARK}\n  }\n}\n`],
    ['inside a location', `server {\n  location /hooks {\n${MARK}\n  }\n}\n`],
    ['inside limit_except', `location / {\n  limit_except GET {\n${MARK}\n  }\n}\n`],
    ['in a snippet file with no blocks', `# my snippet\nallow 10.0.0.0/8;\n${MARK}\n`],
    [
      'after a closed server with a brace in a string and a comment',
      `server { return 200 "{\\"{"; } # {\nserver\n{\n${MARK}\n}\n`,
    ],
  ])('accepts markers %s', (_label, file) => {
    expect(verdict('nginx', file)).toBeUndefined()
  })

  it.each([
    [
      'at http level',
      `http {\n${MARK}\n  server { listen 80; }\n}\n`,
      /inside 'http \{ ... \}' \(opened on line 1\): every server/,
    ],
    ['at main level', `${MARK}\nevents {}\n`, /top \(main\) level/],
    [
      'in an upstream',
      `upstream be {\n${MARK}\n}\n`,
      /inside 'upstream \{ ... \}'.*does not take allow\/deny/,
    ],
  ])('refuses markers %s', (_label, file, message) => {
    expect(verdict('nginx', file)).toMatch(message)
  })
})

describe('apache', () => {
  it.each([
    [
      'in a Location',
      `<VirtualHost *:80>\n  <Location "/">\n${MARK}\n  </Location>\n</VirtualHost>\n`,
    ],
    [
      'in an IfModule inside a Directory',
      `<Directory /srv>\n<IfModule mod_authz_host.c>\n${MARK}\n</IfModule>\n</Directory>\n`,
    ],
    ['in a file without sections (an Include or .htaccess)', `Options -Indexes\n${MARK}\n`],
    [
      'in a Location after a closed Directory',
      `<Directory /srv>\n  Require all granted\n</Directory>\n<Location />\n${MARK}\n</Location>\n`,
    ],
  ])('accepts markers %s', (_label, file) => {
    expect(verdict('apache', file)).toBeUndefined()
  })

  it.each([
    [
      'directly in a VirtualHost',
      `<VirtualHost *:80>\n${MARK}\n</VirtualHost>\n`,
      /directly inside <VirtualHost> \(line 1\)/,
    ],
    ['at server level', `${MARK}\n<Location />\n</Location>\n`, /at server level/],
    [
      'in an IfModule at server level',
      `<IfModule x>\n${MARK}\n</IfModule>\n<Location />\n</Location>\n`,
      /at server level/,
    ],
  ])('refuses markers %s', (_label, file, message) => {
    expect(verdict('apache', file)).toMatch(message)
  })
})

describe('caddy', () => {
  it.each([
    [
      'above the site that imports it',
      `{\n\tadmin off\n}\n${MARK}\nexample.com {\n\timport hooks\n\trespond "{path}"\n}\n`,
    ],
    [
      'after a site that does not import it',
      `a.example {\n\tredir https://b.example{uri}\n\theader X-A "}"\n}\n${MARK}\n`,
    ],
  ])('accepts markers %s', (_label, file) => {
    expect(verdict('caddy', file)).toBeUndefined()
  })

  it.each([
    ['inside a site', `example.com {\n${MARK}\n}\n`, /inside 'example\.com \{ ... \}'/],
    [
      'after the site that imports it',
      `example.com {\n\timport  hooks # ours\n}\n${MARK}\n`,
      /line 2 imports hooks before this snippet defines it/,
    ],
  ])('refuses markers %s', (_label, file, message) => {
    expect(verdict('caddy', file)).toMatch(message)
  })
})

describe('nftables', () => {
  const chain =
    '\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport { 22, 80 } accept\n\t}\n'
  const table = `table inet filter {\n${chain}}\n`
  it('a complete table (with ports) belongs at the top level', () => {
    expect(verdict('nftables', `${table}${MARK}\n`)).toBeUndefined()
    expect(verdict('nftables', `table inet filter {\n${MARK}\n}\n`)).toMatch(
      /inside 'table \{ ... \}'.*declares a table of its own/,
    )
  })
  it('sets (without ports) declare their table too: top level, never inside a table or chain', () => {
    expect(verdict('nftables', `${table}${MARK}\n`, false)).toBeUndefined()
    expect(verdict('nftables', `${MARK}\n`, false)).toBeUndefined()
    expect(verdict('nftables', `table inet filter {\n${MARK}\n${chain}}\n`, false)).toMatch(
      /declares a table of its own/,
    )
    expect(verdict('nftables', `table t {\n\tchain c {\n${MARK}\n\t}\n}\n`, false)).toMatch(
      /inside 'chain \{ ... \}'/,
    )
  })
})

describe('iptables-restore formats', () => {
  it.each(['iptables', 'ip6tables'] as const)('%s: not inside another *table section', (format) => {
    expect(verdict(format, `*nat\n:X - [0:0]\nCOMMIT\n${MARK}\n`)).toBeUndefined()
    expect(verdict(format, `*filter\n:INPUT ACCEPT [0:0]\n${MARK}\nCOMMIT\n`)).toMatch(
      /inside the '\*filter' section opened on line 1/,
    )
  })
})

describe('ufw, ipset and the docker-user script', () => {
  // The first lines of Debian's /etc/ufw/before.rules (ufw 0.36.2), as a file a user might pick.
  const beforeRules = '#\n# rules.before\n#\n*filter\n:ufw-before-input - [0:0]\n'
  it.each(['ufw', 'ipset', 'docker-user'] as const)(
    '%s: not in an iptables-restore file',
    (format) => {
      expect(verdict(format, `#!/bin/sh\n${MARK}\n`)).toBeUndefined()
      expect(verdict(format, `${beforeRules}${MARK}\nCOMMIT\n`)).toMatch(
        /line 4 \('\*filter'\) shows an iptables-restore file/,
      )
    },
  )
})

describe('pattern and list files', () => {
  it.each(['haproxy', 'txt'] as const)(
    '%s: only addresses and comments around the block',
    (format) => {
      expect(verdict(format, `# mine\n192.0.2.1\n\n2001:db8::/32\n${MARK}\n`)).toBeUndefined()
      expect(verdict(format, `global\n  daemon\n${MARK}\n`)).toMatch(
        /line 1 \('global'\) is not an address/,
      )
    },
  )
})

describe('formats without an entry', () => {
  it('check nothing and say so (a format added later still needs its markers placed by hand)', () => {
    const p = blockPlacement('some-new-format' as FormatId, 'hooks', [])
    expect(p.where).toMatch(/where the tool that reads this format expects it/)
    expect(p.check(['x'], { beginLine: 1, endLine: 1 })).toBeUndefined()
  })
})

describe('nftables reload texts', () => {
  it('follow the body: a table re-created whole, or sets flushed and refilled', () => {
    const table = ['table inet x {}', 'delete table inet x', 'table inet x {']
    const sets = ['table inet filter {', 'flush set inet filter hooks_v4']
    expect(blockPlacement('nftables', 'x', table).reload).toMatch(/re-creates the table/)
    expect(blockPlacement('nftables', 'x', sets).reload).toMatch(/replaces the sets' contents/)
  })
})

describe('whole-file formats', () => {
  it.each(['traefik', 'k8s-networkpolicy', 'terraform', 'aws-sg', 'json'] as const)(
    '%s has nothing to check',
    (format) => {
      expect(
        blockPlacement(format, 'hooks', []).check(['x'], { beginLine: 1, endLine: 1 }),
      ).toBeUndefined()
    },
  )
})

describe('traefik-labels', () => {
  it('accepts markers among labels and comments', () => {
    expect(
      verdict('traefik-labels', `# web\ntraefik.enable=true\n\n${MARK}\ncom.example.team=ops\n`),
    ).toBeUndefined()
  })

  it('refuses a file with a line that is not a label, naming it', () => {
    expect(verdict('traefik-labels', `services:\n  web:\n${MARK}\n`)).toMatch(
      /^line 1 \('services:'\) is not a key=value label/,
    )
  })
})

describe('Terraform blocks', () => {
  it.each(FORMAT_IDS.filter((f) => f.startsWith('terraform-')))(
    '%s: accepts markers at the top level after a closed block, refuses them inside one',
    (format) => {
      expect(verdict(format, `variable "x" {\n  type = string # {\n}\n${MARK}\n`)).toBeUndefined()
      expect(verdict(format, `module "edge" {\n  source = "./edge"\n${MARK}\n}\n`)).toMatch(
        /inside 'module \{ \.\.\. \}' \(opened on line 1\).*top level of the \.tf file/,
      )
    },
  )
})
