/**
 * @module Acceptance 1 of issue 5: every rendered format is accepted by its real tool (nft,
 * iptables-restore, ip6tables-restore, ipset, nginx, haproxy, apache2, caddy) or validated against
 * the documented JSON Schema shape (Traefik, NetworkPolicy, Terraform, AWS). Kernel-facing checks
 * run inside a throwaway network namespace; each check skips with a printed reason when its tool
 * or root is missing.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Ajv } from 'ajv'
import { parse as parseYaml } from 'yaml'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ipsetReferenceRules,
  renderFormat,
  type FormatId,
  type RenderInput,
  type RenderOptions,
} from '../../../shared/src/index.ts'
import { missingTools, IS_ROOT } from '../../helpers/tools.ts'
import { DOC_INPUT, DOC_OPTIONS, randomInput } from './sample.ts'

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`
const dir = mkdtempSync(path.join(tmpdir(), 'asr-render-tools-'))
const NS = `asr-render-tools-${process.pid}`
// Created at collection time, so the skip decisions below know whether it exists.
const haveNs =
  IS_ROOT &&
  missingTools('ip') === undefined &&
  spawnSync('ip', ['netns', 'add', NS], { env: { ...process.env, PATH } }).status === 0

afterAll(() => {
  if (haveNs) spawnSync('ip', ['netns', 'del', NS], { env: { ...process.env, PATH } })
  rmSync(dir, { recursive: true, force: true })
})

/** Runs a tool (inside the namespace when `inNs`), returning status and all output. */
function tool(
  command: string,
  args: string[],
  { inNs = false, input }: { inNs?: boolean; input?: string } = {},
) {
  const argv = inNs ? ['ip', 'netns', 'exec', NS, command, ...args] : [command, ...args]
  const r = spawnSync(argv[0]!, argv.slice(1), {
    input,
    encoding: 'utf8',
    env: { ...process.env, PATH },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

function write(name: string, text: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, text)
  return file
}

/** Why a kernel-facing check cannot run, or undefined. */
function nsSkip(...tools: string[]): string | undefined {
  if (!IS_ROOT) return 'skipped: needs root for a network namespace (CI runs as root)'
  return (
    missingTools('ip', ...tools) ?? (haveNs ? undefined : 'skipped: could not create a namespace')
  )
}

/** it() that prints the reason and passes vacuously when `reason` is set. */
function itWhen(reason: string | undefined, name: string, fn: () => void | Promise<void>) {
  if (reason === undefined) it(name, fn)
  else it.skip(`${name} (${reason})`, () => {})
  if (reason !== undefined) console.warn(`${name}: ${reason}`)
}

const CASES: { label: string; input: RenderInput; options: RenderOptions }[] = [
  { label: 'documentation feeds with ports', input: DOC_INPUT, options: DOC_OPTIONS },
  {
    label: 'documentation feeds, no ports',
    input: DOC_INPUT,
    options: {
      name: 'hooks_v2',
      removed: { ipv4: ['192.0.2.0/26'], ipv6: ['2001:db8:dead::/48'] },
    },
  },
  {
    label: '2,000 random CIDRs with ports, longest name',
    input: randomInput(2000, 7),
    options: { ...DOC_OPTIONS, name: 'a23456789_123456789-1234' },
  },
]

const render = (f: FormatId, c: (typeof CASES)[number]) => renderFormat(f, c.input, c.options)

describe.each(CASES)('real tools accept the output: $label', (c) => {
  const tag = c.label.replace(/\W+/g, '-')

  itWhen(
    nsSkip('nft'),
    'nft -c -f accepts the complete table, or the sets and rules using them',
    () => {
      const text = render('nftables', c)
      const file = write(`${tag}.nft`, text)
      // Without ports the output declares and refills sets in `table inet filter`, included at the
      // top level before the table block whose rules use them.
      const main =
        c.options.ports === undefined
          ? write(
              `${tag}-main.nft`,
              `include "${file}"\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tip saddr @hooks_v2_v4 accept\n\t\tip6 saddr @hooks_v2_v6 accept\n\t}\n}\n`,
            )
          : file
      const r = tool('nft', ['-c', '-f', main], { inNs: true })
      expect(r.output).toBe('')
      expect(r.status).toBe(0)
    },
  )

  itWhen(nsSkip('iptables-restore'), 'iptables-restore --test accepts the IPv4 chain', () => {
    const r = tool('iptables-restore', ['--test'], { inNs: true, input: render('iptables', c) })
    expect(r.output).toBe('')
    expect(r.status).toBe(0)
  })

  itWhen(nsSkip('ip6tables-restore'), 'ip6tables-restore --test accepts the IPv6 chain', () => {
    const r = tool('ip6tables-restore', ['--test'], { inNs: true, input: render('ip6tables', c) })
    expect(r.output).toBe('')
    expect(r.status).toBe(0)
  })

  itWhen(
    nsSkip('iptables-restore', 'ip6tables-restore', 'sh'),
    "sh runs the docker-user script, twice, beside Docker's chains: one jump per family",
    () => {
      const name = c.options.name ?? 'allowlist-sync'
      const script = write(`${tag}-docker-user.sh`, render('docker-user', c))
      // The chains a Docker 23+ daemon with ip6tables leaves (DOCKER-USER ends in RETURN).
      const docker =
        '*filter\n:DOCKER - [0:0]\n:DOCKER-USER - [0:0]\n-A DOCKER-USER -j RETURN\nCOMMIT\n'
      for (const restore of ['iptables-restore', 'ip6tables-restore'])
        expect(tool(restore, [], { inNs: true, input: docker }).status).toBe(0)
      for (let i = 0; i < 2; i++) {
        const r = tool('sh', [script], { inNs: true })
        expect(r.output).toBe('')
        expect(r.status).toBe(0)
      }
      for (const cmd of ['iptables', 'ip6tables']) {
        const rules = tool(cmd, ['-S', 'DOCKER-USER'], { inNs: true }).output
        expect(rules).toBe(`-N DOCKER-USER\n-A DOCKER-USER -j ${name}\n-A DOCKER-USER -j RETURN\n`)
        tool(cmd, ['-F'], { inNs: true })
        tool(cmd, ['-X'], { inNs: true })
      }
    },
  )

  itWhen(
    nsSkip('ipset', 'iptables-restore'),
    'ipset restore loads the sets, twice, and the rules reference them',
    () => {
      const text = render('ipset', c)
      for (let i = 0; i < 2; i++) {
        const r = tool('ipset', ['restore', '-exist'], { inNs: true, input: text })
        expect(r.output).toBe('')
        expect(r.status).toBe(0)
      }
      const name = c.options.name ?? 'allowlist-sync'
      const listed = tool('ipset', ['list', '-t'], { inNs: true }).output
      expect(listed).not.toContain(`${name}-v4-new`)
      for (const f of [4, 6]) {
        const added = text.split('\n').filter((l) => l.startsWith(`add ${name}-v${f}-new `)).length
        expect(added).toBeGreaterThan(0)
        const entries = new RegExp(`Name: ${name}-v${f}\\n[^]*?Number of entries: (\\d+)`).exec(
          listed,
        )
        expect(Number(entries?.[1])).toBe(added)
      }
      const rules4 = ipsetReferenceRules(name, 4, c.options.ports ?? [])
      const rules6 = ipsetReferenceRules(name, 6, c.options.ports ?? [])
      expect(tool('iptables-restore', ['--test'], { inNs: true, input: rules4 }).status).toBe(0)
      expect(tool('ip6tables-restore', ['--test'], { inNs: true, input: rules6 }).status).toBe(0)
      tool('ipset', ['destroy'], { inNs: true })
    },
  )

  itWhen(
    c.input.ipv4.length > 100
      ? 'skipped: one ufw process a rule is too slow for 6,000 rules'
      : nsSkip('ufw'),
    'ufw --dry-run accepts every allow and delete line',
    () => {
      const text = render('ufw', c)
      const lines = text.split('\n').filter((l) => l.startsWith('ufw '))
      expect(lines.length).toBeGreaterThan(0)
      const script = ['set -e', ...lines.map((l) => l.replace(/^ufw /, 'ufw --dry-run '))].join(
        '\n',
      )
      const r = tool('sh', ['-c', script], { inNs: true })
      expect(r.output).not.toContain('ERROR')
      expect(r.status).toBe(0)
      // One `### tuple ###` per allow line: ufw understood each rule, ports and protocol included.
      const allows = lines.filter((l) => l.startsWith('ufw allow ')).length
      expect(r.output.match(/^### tuple ### allow /gm)).toHaveLength(allows)
    },
  )

  itWhen(missingTools('nginx'), 'nginx -t accepts the snippet included in a location', () => {
    const snippet = write(`${tag}-nginx.conf`, render('nginx', c))
    const prefix = path.join(dir, `${tag}-nginx`)
    const conf = write(
      `${tag}-nginx-main.conf`,
      `error_log ${prefix}-error.log;\npid ${prefix}.pid;\nevents {}\nhttp {\n  access_log off;\n  server {\n    listen 127.0.0.1:8080;\n    location / { include ${snippet}; }\n  }\n}\n`,
    )
    const r = tool('nginx', ['-t', '-q', '-c', conf, '-p', `${dir}/`])
    expect(r.output).toBe('')
    expect(r.status).toBe(0)
  })

  itWhen(missingTools('haproxy'), 'haproxy -c accepts an ACL referencing the file', () => {
    const acl = write(`${tag}.acl`, render('haproxy', c))
    const name = c.options.name ?? 'allowlist-sync'
    const cfg = write(
      `${tag}-haproxy.cfg`,
      `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend fe\n  bind 127.0.0.1:8443\n  acl ${name} src -f ${acl}\n  http-request deny unless ${name}\n  default_backend be\nbackend be\n  server s1 127.0.0.1:9\n`,
    )
    const r = tool('haproxy', ['-c', '-q', '-f', cfg])
    expect(r.status, r.output).toBe(0)
  })

  itWhen(missingTools('apache2'), 'apache2 -t accepts the Require block in a Location', () => {
    const snippet = write(`${tag}-apache.conf`, render('apache', c))
    const mods = '/usr/lib/apache2/modules'
    const conf = write(
      `${tag}-httpd.conf`,
      [
        `ServerRoot ${dir}`,
        'ServerName localhost',
        `LoadModule mpm_event_module ${mods}/mod_mpm_event.so`,
        `LoadModule authz_core_module ${mods}/mod_authz_core.so`,
        `LoadModule authz_host_module ${mods}/mod_authz_host.so`,
        'Listen 127.0.0.1:8081',
        `PidFile ${dir}/${tag}-httpd.pid`,
        `ErrorLog ${dir}/${tag}-httpd-error.log`,
        '<Location "/">',
        `  Include ${snippet}`,
        '</Location>',
        '',
      ].join('\n'),
    )
    const r = tool('apache2', ['-t', '-f', conf, '-d', dir])
    expect(r.output.trim()).toBe('Syntax OK')
    expect(r.status).toBe(0)
  })

  itWhen(missingTools('caddy'), 'caddy validate accepts the snippet imported into a site', () => {
    const snippet = write(`${tag}.caddy`, render('caddy', c))
    const name = c.options.name ?? 'allowlist-sync'
    const caddyfile = write(
      `${tag}.Caddyfile`,
      `import ${snippet}\n\n:8082 {\n\timport ${name}\n\trespond "ok"\n}\n`,
    )
    const r = tool('caddy', ['validate', '--config', caddyfile, '--adapter', 'caddyfile'])
    expect(r.output).toContain('Valid configuration')
    expect(r.status).toBe(0)
    // The adapted JSON carries every range under a `not` matcher in front of a static response
    // whose status is the variable the snippet sets to 403 (real-servers.test.ts proves it).
    const adapted = tool('caddy', ['adapt', '--config', caddyfile, '--adapter', 'caddyfile'])
    expect(adapted.status).toBe(0)
    const json = JSON.stringify(JSON.parse(adapted.output.slice(adapted.output.indexOf('{'))))
    const base = name.replaceAll('-', '_')
    expect(json).toContain('"not"')
    expect(json).toContain(`"${base}_status":403`)
    expect(json).toContain(`"status_code":"{http.vars.${base}_status}"`)
    expect(json).toContain('"2001:db8:')
  })
})

describe('documented shapes (JSON Schema, validated with ajv)', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false })
  const schema = (name: string) => {
    const file = path.join(import.meta.dirname, '../../fixtures/schemas', `${name}.schema.json`)
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { $id: string }
    return ajv.getSchema(doc.$id) ?? ajv.compile(doc)
  }
  const checks: { format: FormatId; schema: string; parse: (t: string) => unknown }[] = [
    // The HTTP section; the whole document (TCP too) is checked against SchemaStore's schema in
    // traefik.test.ts.
    {
      format: 'traefik',
      schema: 'traefik-v3-ipallowlist',
      parse: (t): unknown => ({ http: (parseYaml(t) as { http: unknown }).http }),
    },
    {
      format: 'k8s-networkpolicy',
      schema: 'k8s-networkpolicy-v1',
      parse: (t): unknown => parseYaml(t),
    },
    { format: 'terraform', schema: 'terraform-tfvars-json', parse: (t): unknown => JSON.parse(t) },
    { format: 'aws-sg', schema: 'aws-ec2-ip-permissions', parse: (t): unknown => JSON.parse(t) },
  ]
  it.each(checks)('$format output matches $schema', ({ format, schema: name, parse }) => {
    const validate = schema(name)
    for (const c of CASES.slice(0, 2)) {
      const doc = parse(render(format, c))
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true)
    }
  })
  it('the schemas reject what the platforms reject (they are not vacuous)', () => {
    expect(
      schema('k8s-networkpolicy-v1')({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'Bad_Name' },
        spec: { podSelector: {} },
      }),
    ).toBe(false)
    expect(
      schema('aws-ec2-ip-permissions')([
        { IpProtocol: 'tcp', IpRanges: [{ CidrIp: '192.0.2.0/24' }] },
      ]),
    ).toBe(false)
    expect(
      schema('aws-ec2-ip-permissions')([
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '192.0.2.0/24', Description: "it's" }] },
      ]),
    ).toBe(false)
    expect(
      schema('traefik-v3-ipallowlist')({
        http: { middlewares: { m: { ipWhiteList: { sourceRange: ['192.0.2.0/24'] } } } },
      }),
    ).toBe(false)
    expect(schema('terraform-tfvars-json')({ '1bad': ['192.0.2.0/24'] })).toBe(false)
  })
})
