/**
 * @module ipset restore files: hash:net sets NAME-v4 / NAME-v6 refilled atomically (fill a
 * temporary set, swap, destroy), and the iptables rules that reference them.
 */
import { multiportMatches } from './render-iptables.ts'
import { checkName, checkPort, managedText, requireNonEmpty, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'
import type { PortSpec } from './types.ts'

/** Fixed creation parameters, so `create -exist` of an existing set always matches. */
const HASHSIZE = 1024

/** hash:net holds prefixes 1-32 / 1-128: a /0 becomes its two halves. */
function splitZero(cidrs: readonly string[], family: 4 | 6): string[] {
  if (cidrs.length === 1 && (cidrs[0] === '0.0.0.0/0' || cidrs[0] === '::/0')) {
    return family === 4 ? ['0.0.0.0/1', '128.0.0.0/1'] : ['::/1', '8000::/1']
  }
  return [...cidrs]
}

/**
 * The iptables-restore (family 4) or ip6tables-restore (family 6) `*filter` fragment that uses the
 * set `NAME-v4`/`NAME-v6`, for `--noflush`: with ports, `-I INPUT <ports> -m set ! --match-set SET
 * src -j DROP` (other sources are dropped on those ports); without ports, an
 * `-A INPUT -m set --match-set SET src -j ACCEPT` rule to place before your own default drop
 * (dropping every other source on every port would cut loopback and replies too). The name and
 * ports are validated as renderFormat does (RenderError ERR_RENDER_NAME / ERR_RENDER_PORT).
 */
export function ipsetReferenceRules(
  name: string,
  family: 4 | 6,
  ports: readonly PortSpec[],
): string {
  checkName('ipset', name)
  for (const spec of ports) checkPort('ipset', spec)
  const set = `${name}-v${family}`
  const rules =
    ports.length === 0
      ? [`-A INPUT -m set --match-set ${set} src -j ACCEPT`]
      : multiportMatches(ports).map((m) => `-I INPUT ${m} -m set ! --match-set ${set} src -j DROP`)
  return ['*filter', ...rules, 'COMMIT', ''].join('\n')
}

/**
 * For `ipset restore -exist < FILE`: for each family, create the set if missing, fill a fresh
 * `NAME-vN-new` set, swap it in and destroy the old contents, so the set is never half full.
 * `maxelem` is fixed at limits.ipsetMaxElements; a family with more entries is ERR_RENDER_LIMIT.
 */
export function renderIpset(p: Prepared): string {
  requireNonEmpty(p)
  const body: string[] = []
  const max = p.limits.ipsetMaxElements
  for (const family of [4, 6] as const) {
    const cidrs = splitZero(family === 4 ? p.ipv4 : p.ipv6, family)
    if (cidrs.length > max) {
      throw new RenderError(
        'ERR_RENDER_LIMIT',
        `ipset: ${cidrs.length} IPv${family} entries exceed the set's maxelem ${max} (limits.ipsetMaxElements)`,
        { format: 'ipset' },
      )
    }
    const set = `${p.name}-v${family}`
    const tmp = `${set}-new`
    const params = `hash:net family ${family === 4 ? 'inet' : 'inet6'} hashsize ${HASHSIZE} maxelem ${max}`
    body.push(`create ${set} ${params}`, `create ${tmp} ${params}`)
    for (const c of cidrs) body.push(`add ${tmp} ${c}`)
    body.push(`swap ${tmp} ${set}`, `destroy ${tmp}`)
  }
  const refs = [4, 6].flatMap((f) =>
    ipsetReferenceRules(p.name, f as 4 | 6, p.ports)
      .split('\n')
      .filter((l) => l.startsWith('-'))
      .map((l) => `#   ${f === 4 ? 'iptables' : 'ip6tables'} ${l}`),
  )
  return managedText(p, body, [
    '# load with: ipset restore -exist < FILE; reference the sets with:',
    ...refs,
  ])
}
