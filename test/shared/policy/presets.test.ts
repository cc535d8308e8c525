/**
 * @module Every preset against every config format, table-driven: a compliant config (the
 * preset's required ports open from their sources, nothing else) has no errors or warnings; a
 * violating one (the first required port dropped, a forbidden or unlisted port opened to
 * everyone) has exactly the expected findings, at the lines the builders wrote those rules on.
 */
import { describe, expect, it } from 'vitest'
import {
  IpSet,
  evaluatePolicy,
  isPresetId,
  PolicyError,
  presetPolicy,
  PRESET_IDS,
  PRESETS,
  readFirewallConfig,
  requiredFeeds,
  type FeedSets,
  type Policy,
} from '../../../shared/src/index.ts'
import { BUILDERS, compose, nftables, type Built, type Entry } from './config-builders.ts'

/** Documentation-range stand-ins for the feeds the presets name. */
const FEEDS: Record<string, string[]> = {
  'coolify/cloud': ['198.51.100.0/25', '2001:db8:c::/48'],
  'github/hooks': ['192.0.2.0/26', '2001:db8:9::/48'],
  'firezone/portal': ['203.0.113.8/29', '2001:db8:f::/48'],
  'firezone/relays': ['203.0.113.64/26', '2001:db8:e::/48'],
}

const feedSets: FeedSets = new Map(
  Object.entries(FEEDS).map(([id, cidrs]) => [
    id,
    {
      ipv4: IpSet.fromCidrs(
        4,
        cidrs.filter((c) => !c.includes(':')),
      ),
      ipv6: IpSet.fromCidrs(
        6,
        cidrs.filter((c) => c.includes(':')),
      ),
    },
  ]),
)

function sourcesOf(rule: Policy['rules'][number]): Entry['sources'] {
  const s = rule.sources ?? ['any']
  if (s.includes('any')) return 'any'
  return s.flatMap((x) => (x.startsWith('feed:') ? FEEDS[x.slice(5)]! : [x]))
}

function compliantEntries(policy: Policy): Entry[] {
  return policy.rules
    .filter((r) => r.kind === 'require')
    .map((r) => ({
      dir: r.direction === 'inbound' ? 'in' : 'out',
      proto: r.protocol,
      ports: r.ports,
      sources: sourcesOf(r),
      verdict: 'accept',
    }))
}

interface Violation {
  readonly entries: Entry[]
  /** What to expect: a policy rule id, and the mark (or policy line) that decides it. */
  readonly expect: { rule: string; mark: string; dir: 'in' | 'out' }[]
}

function violation(policy: Policy): Violation {
  const first = policy.rules.find((r) => r.kind === 'require')!
  const dir = first.direction === 'inbound' ? 'in' : 'out'
  const blocked: Entry = {
    dir,
    proto: first.protocol,
    ports: first.ports,
    sources: 'any',
    verdict: 'drop',
    mark: 'blocked',
  }
  const forbid = policy.rules.find((r) => r.kind === 'forbid-public')
  const exposed: Entry = forbid
    ? {
        dir: 'in',
        proto: forbid.protocol,
        ports: forbid.ports,
        sources: 'any',
        verdict: 'accept',
        mark: 'exposed',
      }
    : {
        dir: 'in',
        proto: 'tcp',
        ports: [3306, 3306],
        sources: 'any',
        verdict: 'accept',
        mark: 'exposed',
      }
  return {
    entries: [blocked, ...compliantEntries(policy), exposed],
    expect: [
      { rule: first.id, mark: 'blocked', dir },
      { rule: forbid ? forbid.id : 'unlisted-inbound', mark: 'exposed', dir: 'in' },
    ],
  }
}

function problems(policy: Policy, built: readonly Built[]): string[] {
  const configs = built.map((b) => readFirewallConfig(b.text, { file: b.file }))
  built.forEach((b, k) => expect(configs[k]!.format).toBe(b.format))
  const { findings } = evaluatePolicy(policy, configs, { feedSets })
  return [
    ...new Set(
      findings
        .filter((f) => f.severity !== 'note')
        .map((f) => `${f.rule} ${f.severity} @ ${f.file}:${f.line}`),
    ),
  ].sort()
}

function expected(policy: Policy, b: Built, v: Violation): string[] {
  const out = new Set<string>()
  for (const e of v.expect) {
    const rule = policy.rules.find((r) => r.id === e.rule)
    const severity =
      rule?.severity ??
      (e.rule === 'unlisted-inbound'
        ? policy.unlisted.inbound === 'deny'
          ? 'error'
          : 'warning'
        : 'error')
    for (const fam of b.families) {
      const line = b.marks.get(e.mark)?.[fam] ?? b.policyLines[e.dir]
      out.add(`${e.rule} ${severity} @ ${b.file}:${line}`)
    }
  }
  return [...out].sort()
}

const FORMATS = Object.keys(BUILDERS)

/**
 * What any ufw config lets in besides its own rules: ufw's stock before.rules accept the DHCP
 * client's port (68/udp, from any sender that picks source port 67) ahead of every ufw rule,
 * attributed to the default incoming policy's line; unlisted unless the policy names the port.
 */
function ufwOwn(policy: Policy, b: Built): string[] {
  const listed = policy.rules.some(
    (r) =>
      r.direction === 'inbound' && r.protocol === 'udp' && r.ports[0] <= 68 && r.ports[1] >= 68,
  )
  if (!b.format.startsWith('ufw') || listed || policy.unlisted.inbound === 'ignore') return []
  const severity = policy.unlisted.inbound === 'deny' ? 'error' : 'warning'
  return [`unlisted-inbound ${severity} @ ${b.file}:${b.policyLines.in}`]
}

describe.each(PRESET_IDS.map((id) => [id, PRESETS[id]] as const))('preset %s', (_id, policy) => {
  it('names only feeds the test supplies', () => {
    for (const id of requiredFeeds(policy)) expect(Object.keys(FEEDS)).toContain(id)
  })

  it.each(FORMATS)(
    "a compliant %s config has no errors or warnings (but ufw's own DHCP client port)",
    (format) => {
      const b = BUILDERS[format]!(compliantEntries(policy))
      expect(problems(policy, [b])).toEqual(ufwOwn(policy, b))
    },
  )

  it.each(FORMATS)(
    'a violating %s config has exactly the expected findings at the expected lines',
    (format) => {
      const v = violation(policy)
      const blocked = v.entries[0]!
      // security groups only allow: the port is "blocked" by leaving its rule out
      const entries =
        format === 'aws-sg'
          ? v.entries.filter(
              (e) =>
                e.verdict === 'drop' ||
                e.dir !== blocked.dir ||
                e.proto !== blocked.proto ||
                e.ports[0] !== blocked.ports[0],
            )
          : v.entries
      const b = BUILDERS[format]!(entries)
      expect(problems(policy, [b])).toEqual(
        [...expected(policy, b, v), ...ufwOwn(policy, b)].sort(),
      )
    },
  )

  it('docker-compose: publishing only what the policy needs is compliant; publishing more is found at the ports: line', () => {
    const needed = compliantEntries(policy)
    const published = needed.filter((e) => e.dir === 'in' && e.sources === 'any')
    const host = nftables(needed.filter((e) => !published.includes(e)))
    const ok = compose(published, [5432])
    expect(problems(policy, [host, ok])).toEqual([])
    const v = violation(policy)
    const exposed = v.entries.find((e) => e.mark === 'exposed')!
    const bad = compose([...published, exposed], [5432])
    const rule = v.expect[1]!.rule
    const severity =
      rule === 'unlisted-inbound'
        ? policy.unlisted.inbound === 'deny'
          ? 'error'
          : 'warning'
        : (policy.rules.find((r) => r.id === rule)?.severity ?? 'error')
    expect(problems(policy, [host, bad])).toEqual([
      `${rule} ${severity} @ docker-compose.yml:${bad.marks.get('exposed')![4]}`,
    ])
  })
})

describe('presetPolicy', () => {
  it('gives each preset by id, and refuses an unknown id listing the known ones', () => {
    for (const id of PRESET_IDS) {
      expect(isPresetId(id)).toBe(true)
      expect(presetPolicy(id)).toBe(PRESETS[id])
    }
    expect(isPresetId('github-hook')).toBe(false)
    expect(() => presetPolicy('github-hook')).toThrow(PolicyError)
    expect(() => presetPolicy('github-hook')).toThrow(
      `no preset 'github-hook' (known: ${PRESET_IDS.join(', ')})`,
    )
  })
})
