/**
 * @module Where each format's output must stand to work, and what reloading it does: the
 * `# place:` and `# reload:` lines of every managed block, the marker lines `--into` asks for, and
 * the check that markers a user placed stand where the tool can use the block (an nginx block at
 * `http` level answers 403 on every virtual host; a Caddy snippet after the site that imports it
 * is "File to import not found"; nftables sets outside a table do not parse).
 */
import { parseCidr } from '../ip/index.ts'
import type { FormatId } from './formats.ts'

/** A block's 1-based BEGIN and END lines in a file. */
export interface BlockLines {
  readonly beginLine: number
  readonly endLine: number
}

/** What a format's block needs from its surroundings. */
export interface BlockPlacement {
  /** Where the block must go, as a phrase that follows "place it ...". */
  readonly where: string
  /** What loading the file again does. */
  readonly reload: string
  /**
   * Why the block between `block`'s markers in `lines` (a file split on `\n`) cannot work where
   * it stands, or undefined when it can (or when nothing can be told from the file).
   */
  readonly check: (lines: readonly string[], block: BlockLines) => string | undefined
}

interface Opener {
  readonly keyword: string
  readonly line: number
}

const ok = () => undefined

/** Text before an unquoted `#`, with quoted parts blanked; `quotes` are the quote characters. */
function code(line: string, quotes: string): string {
  let out = ''
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote !== undefined) {
      if (ch === '\\') i++
      else if (ch === quote) quote = undefined
      out += ' '
    } else if (quotes.includes(ch)) {
      quote = ch
      out += '_'
    } else if (ch === '#') {
      break
    } else {
      out += ch
    }
  }
  return out
}

/**
 * The `{ }` blocks still open where line `upto` (1-based) starts, innermost last, each with the
 * first word of the statement that opened it. nginx and nftables statements end at `;`; in
 * nftables and Caddyfiles a line break ends one too. Caddy opens a block only with a `{` that
 * ends the line and closes it only with a `}` alone on a line (`{path}` is a placeholder).
 */
function openBraces(lines: readonly string[], upto: number, dialect: 'nginx' | 'nft' | 'caddy') {
  const stack: Opener[] = []
  let words = ''
  for (let i = 0; i < upto - 1; i++) {
    const text = code(lines[i]!, dialect === 'caddy' ? '"`' : dialect === 'nginx' ? `"'` : '"')
    if (dialect === 'caddy') {
      const t = text.trim()
      if (t === '}') stack.pop()
      else if (t === '{' || t.endsWith(' {') || t.endsWith('\t{'))
        stack.push({ keyword: t.split(/\s+/)[0]!, line: i + 1 })
      continue
    }
    for (const ch of text) {
      if (ch === '{') {
        stack.push({ keyword: words.trim().split(/\s+/)[0]!, line: i + 1 })
        words = ''
      } else if (ch === '}') {
        stack.pop()
        words = ''
      } else if (ch === ';') words = ''
      else words += ch
    }
    words = dialect === 'nft' ? '' : `${words} `
  }
  return stack
}

/** The lines of the file outside the block, with their 1-based numbers. */
function outside(lines: readonly string[], block: BlockLines): { text: string; line: number }[] {
  return lines
    .map((text, i) => ({ text: text.replace(/\r$/, ''), line: i + 1 }))
    .filter(({ line }) => line < block.beginLine || line > block.endLine)
}

const hasBraces = (lines: readonly string[], block: BlockLines, quotes: string) =>
  outside(lines, block).some(({ text }) => code(text, quotes).includes('{'))

function describe(o: Opener): string {
  return `inside '${o.keyword} { ... }' (opened on line ${o.line})`
}

function checkNginx(lines: readonly string[], block: BlockLines): string | undefined {
  const inner = openBraces(lines, block.beginLine, 'nginx').at(-1)
  if (inner === undefined) {
    return hasBraces(lines, block, `"'`)
      ? 'the block is at the top (main) level of an nginx configuration, where nginx refuses allow/deny: move the markers into the server { } or location { } it guards'
      : undefined
  }
  if (['server', 'location', 'limit_except'].includes(inner.keyword)) return undefined
  if (inner.keyword === 'http') {
    return `the block is ${describe(inner)}: every server of it would answer 403 to unlisted clients. Move the markers into the server { } or location { } it guards`
  }
  return `the block is ${describe(inner)}, where nginx does not take allow/deny: move the markers into the server { } or location { } it guards`
}

const APACHE_SECTIONS = new Set([
  'directory',
  'directorymatch',
  'location',
  'locationmatch',
  'files',
  'filesmatch',
  'proxy',
  'proxymatch',
  'if',
  'elseif',
  'else',
  'limit',
  'limitexcept',
  'requireall',
])

/** Conditional sections that neither allow nor forbid Require themselves: look through them. */
const APACHE_WRAPPERS = /^if(module|define|version|directive|file|section|env)$/i

function checkApache(lines: readonly string[], block: BlockLines): string | undefined {
  const stack: Opener[] = []
  let sections = false
  for (const { text, line } of outside(lines, block)) {
    const m = /^\s*<(\/?)([A-Za-z]+)/.exec(text)
    if (m === null) continue
    sections = true
    if (line > block.beginLine) continue
    if (m[1] === '/') stack.pop()
    else stack.push({ keyword: m[2]!, line })
  }
  const inner = stack.filter((o) => !APACHE_WRAPPERS.test(o.keyword)).at(-1)
  if (inner === undefined) {
    return sections
      ? "the block is at server level, where Apache refuses Require ('Require not allowed here'): move the markers into the <Location> or <Directory> it guards"
      : undefined
  }
  if (APACHE_SECTIONS.has(inner.keyword.toLowerCase())) return undefined
  return `the block is directly inside <${inner.keyword}> (line ${inner.line}), where Apache refuses Require: move the markers into a <Location> or <Directory> inside it`
}

function checkCaddy(name: string) {
  return (lines: readonly string[], block: BlockLines): string | undefined => {
    const inner = openBraces(lines, block.beginLine, 'caddy').at(-1)
    if (inner !== undefined) {
      return `the snippet is ${describe(inner)}: Caddy defines snippets only at the top level of a Caddyfile; move the markers above the sites`
    }
    const importer = outside(lines, block).find(
      ({ text, line }) =>
        line < block.beginLine &&
        code(text, '"`').trim().split(/\s+/).join(' ') === `import ${name}`,
    )
    return importer === undefined
      ? undefined
      : `line ${importer.line} imports ${name} before this snippet defines it, and Caddy reads a Caddyfile top to bottom ('File to import not found'): move the markers above line ${importer.line}`
  }
}

function checkNftTable(lines: readonly string[], block: BlockLines): string | undefined {
  const inner = openBraces(lines, block.beginLine, 'nft').at(-1)
  return inner === undefined
    ? undefined
    : `the block is ${describe(inner)}, but it declares a table of its own: move the markers to the top level, outside every table`
}

/** iptables-restore blocks carry their own `*filter ... COMMIT`: they may not open inside one. */
function checkRestore(lines: readonly string[], block: BlockLines): string | undefined {
  let open: { table: string; line: number } | undefined
  for (const { text, line } of outside(lines, block)) {
    if (line > block.beginLine) break
    const t = text.trim()
    if (/^\*[a-z]+$/.test(t)) open = { table: t, line }
    else if (t === 'COMMIT') open = undefined
  }
  return open === undefined
    ? undefined
    : `the block is inside the '${open.table}' section opened on line ${open.line}, and it carries its own '*filter ... COMMIT': move the markers below that section's COMMIT`
}

/** Shell and ipset blocks must not land in an iptables-restore file such as ufw's before.rules. */
function notRestoreFile(what: string) {
  return (lines: readonly string[], block: BlockLines): string | undefined => {
    const hit = outside(lines, block).find(({ text }) =>
      /^(\*[a-z]+|COMMIT|:\S+ \S+)\s*$/.test(text.trim()),
    )
    return hit === undefined
      ? undefined
      : `line ${hit.line} ('${hit.text.trim()}') shows an iptables-restore file (such as /etc/ufw/before.rules), where ${what} cannot run: render into a file of its own`
  }
}

/** Pattern and list files: every line around the block is an address, a CIDR, a comment or blank. */
function onlyAddresses(what: string) {
  return (lines: readonly string[], block: BlockLines): string | undefined => {
    const hit = outside(lines, block).find(({ text }) => {
      const t = text.trim()
      if (t === '' || t.startsWith('#')) return false
      try {
        parseCidr(t)
        return false
      } catch {
        return true
      }
    })
    return hit === undefined
      ? undefined
      : `line ${hit.line} ('${hit.text.trim().slice(0, 60)}') is not an address or a comment, so this is not ${what}: render into a file of its own`
  }
}

/** A label file: every line around the block is a `key=value` label, a comment or blank. */
function onlyLabels(lines: readonly string[], block: BlockLines): string | undefined {
  const hit = outside(lines, block).find(({ text }) => {
    const t = text.trim()
    return t !== '' && !t.startsWith('#') && !/^[A-Za-z0-9][A-Za-z0-9._/-]*=/.test(t)
  })
  return hit === undefined
    ? undefined
    : `line ${hit.line} ('${hit.text.trim().slice(0, 60)}') is not a key=value label or a comment, so this is not a label file: render into a file of its own`
}

/** Terraform blocks declare resources and variables: they stand at the top level of a .tf file. */
function checkTopLevelHcl(lines: readonly string[], block: BlockLines): string | undefined {
  const inner = openBraces(lines, block.beginLine, 'nft').at(-1)
  return inner === undefined
    ? undefined
    : `the block is ${describe(inner)}, but it declares resources and variables of its own: move the markers to the top level of the .tf file`
}

const terraformBlock = (): BlockPlacement => ({
  where:
    'at the top level of a .tf file (outside every block), in the module that sets its variables',
  reload:
    'terraform plan shows the rules that change; terraform apply makes them (rules are numbered from 1, so a longer list adds rules instead of renaming them)',
  check: checkTopLevelHcl,
})

const IPTABLES_WHERE =
  'in an iptables-restore file outside any *table ... COMMIT section (the block carries its own *filter ... COMMIT), or in a file of its own'

/** For a format without an entry below: markers are still required, their place is not checked. */
const ANYWHERE: BlockPlacement = {
  where: "where the tool that reads this format expects it (see 'allowlist-sync formats')",
  reload: "see the format's description ('allowlist-sync formats')",
  check: ok,
}

const PLACEMENTS: Partial<
  Record<FormatId, (name: string, body: readonly string[]) => BlockPlacement>
> = {
  nftables: (_name, body) => ({
    where:
      'at the top level of an nftables file, outside every table block (the block declares its own table)',
    reload: body.some((l) => l.startsWith('flush set '))
      ? "nft -f FILE declares the table and its sets where missing, then replaces the sets' contents in one transaction"
      : 'nft -f FILE declares, deletes and re-creates the table in one transaction: its sets and chain are replaced whole, other tables untouched',
    check: checkNftTable,
  }),
  iptables: () => ({
    where: IPTABLES_WHERE,
    reload:
      'iptables-restore --noflush FILE flushes and refills only the chains it declares; INPUT is never touched, so the one-time hook is not duplicated',
    check: checkRestore,
  }),
  ip6tables: () => ({
    where: IPTABLES_WHERE,
    reload:
      'ip6tables-restore --noflush FILE flushes and refills only the chains it declares; INPUT is never touched, so the one-time hook is not duplicated',
    check: checkRestore,
  }),
  ipset: () => ({
    where:
      'in an ipset restore file (ipset restore -exist < FILE), not in an iptables-restore file',
    reload:
      'ipset restore -exist < FILE fills a temporary set per family, swaps it in whole and destroys it; rules referencing the sets keep working',
    check: notRestoreFile('ipset commands'),
  }),
  ufw: () => ({
    where:
      'in a shell script of its own, run as root with sh FILE; never inside /etc/ufw/*.rules (iptables-restore files)',
    reload:
      'sh FILE first deletes the rules of the previous block that are no longer wanted (CIDRs that left the list, ports no longer guarded), then adds the current ones (ufw skips existing rules)',
    check: notRestoreFile('ufw commands'),
  }),
  'docker-user': () => ({
    where:
      'in a shell script of its own, run as root with sh FILE after dockerd starts (e.g. ExecStartPost= of docker.service); never inside an iptables-restore file',
    reload:
      'sh FILE replaces its own chains in one iptables-restore --noflush commit per family and jumps to them from DOCKER-USER once, never flushing DOCKER-USER; run it again after creating a Docker network',
    check: notRestoreFile('the docker-user script'),
  }),
  nginx: () => ({
    where:
      'inside the server { } or location { } it guards, or in a file included there (include FILE;); never at http level, where every server would answer 403 to unlisted clients',
    reload:
      'nginx -t && nginx -s reload: new workers apply the new list; requests in flight finish under the old one',
    check: checkNginx,
  }),
  apache: () => ({
    where:
      'inside the <Location> or <Directory> it guards, or in a file included there (Include FILE); not at server or <VirtualHost> level, where Apache refuses Require',
    reload:
      'apachectl -t && apachectl graceful: children restart onto the new list as their requests finish; a section merged later with its own Require replaces it (see AuthMerging)',
    check: checkApache,
  }),
  caddy: (name) => ({
    where: `at the top level of the Caddyfile, above the sites that import it (or in a file imported at the top); then 'import ${name}' at the top level of each site`,
    reload:
      'caddy reload swaps the config in gracefully; Caddy orders redir before handle, handle_path, route, respond, reverse_proxy, php_fastcgi and file_server, so unlisted clients get 403 before any of them',
    check: checkCaddy(name),
  }),
  traefik: () => ({
    where:
      "the whole file, where Traefik v3's file provider reads (providers.file.directory or filename)",
    reload: 'with providers.file.watch, Traefik swaps the middleware in when the file changes',
    check: ok,
  }),
  'traefik-labels': (name) => ({
    where: `in a label file of its own (docker run --label-file FILE), or as container labels of the service whose router uses ${name}@docker (Coolify: the service's labels)`,
    reload:
      "labels are read when a container is created: recreate it (docker compose up -d, a Coolify redeploy); Traefik's Docker provider then swaps the middleware in",
    check: onlyLabels,
  }),
  haproxy: (name) => ({
    where: `in a pattern file of its own (only addresses and # comments around the block), read by acl ${name} src -f FILE in a frontend or listen section`,
    reload:
      'haproxy -c -f CFG && systemctl reload haproxy: the new process reads the file; open connections finish on the old one',
    check: onlyAddresses('an HAProxy pattern file'),
  }),
  'k8s-networkpolicy': () => ({
    where: 'the whole file: kubectl apply -n NAMESPACE -f FILE',
    reload: 'kubectl apply replaces the policy; the network plugin enforces it on new connections',
    check: ok,
  }),
  terraform: () => ({
    where: 'the whole file, beside the module that declares the variables',
    reload: 'terraform plan shows the rules that change; terraform apply makes them',
    check: ok,
  }),
  'terraform-hcloud': terraformBlock,
  'terraform-digitalocean': terraformBlock,
  'terraform-aws-prefix-list': terraformBlock,
  'terraform-google': terraformBlock,
  'terraform-azurerm': terraformBlock,
  'terraform-cloudflare': terraformBlock,
  'aws-sg': () => ({
    where: 'the whole file: aws ec2 authorize-security-group-ingress --ip-permissions file://FILE',
    reload:
      'authorize adds rules and fails on ones that exist; revoke rules of CIDRs that left the list (revoke-security-group-ingress)',
    check: ok,
  }),
  txt: () => ({
    where: 'in a list file of its own (only addresses, CIDRs and # comments around the block)',
    reload: 'nothing to reload: whatever reads the list reads it again',
    check: onlyAddresses('a list file'),
  }),
  json: () => ({
    where: 'the whole file',
    reload: 'nothing to reload: whatever reads the file reads it again',
    check: ok,
  }),
}

/**
 * Where a block of `format` must stand and what reloading it does. `body` is the block's inner
 * lines: nftables output that declares a table goes at the top level, set definitions inside a
 * table. A format without an entry (a new one) gets a placement that checks nothing: its block
 * still needs markers placed by hand, never an append.
 */
export function blockPlacement(
  format: FormatId,
  name: string,
  body: readonly string[],
): BlockPlacement {
  return PLACEMENTS[format]?.(name, body) ?? ANYWHERE
}
