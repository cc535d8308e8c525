/**
 * @module ipset restore files: hash:net sets NAME-v4 / NAME-v6 refilled atomically (flush and fill
 * a temporary set, swap, destroy), and the iptables rules that reference them.
 */
import type { Family } from '../ip/index.ts'
import { filterHeader } from './filter-header.ts'
import { multiportMatches } from './render-iptables.ts'
import { checkName, checkPort, managedText, requireNonEmpty, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'
import type { PortSpec } from './types.ts'

/** Fixed creation parameters, so `create -exist` of an existing set always matches. */
const HASHSIZE = 1024

/** hash:net holds prefixes 1-32 / 1-128: a /0 becomes its two halves. */
function splitZero(cidrs: readonly string[], family: Family): string[] {
  if (cidrs.length === 1 && (cidrs[0] === '0.0.0.0/0' || cidrs[0] === '::/0')) {
    return family === 4 ? ['0.0.0.0/1', '128.0.0.0/1'] : ['::/1', '8000::/1']
  }
  return [...cidrs]
}

/**
 * The iptables-restore (family 4) or ip6tables-restore (family 6) `*filter` fragment that uses the
 * set `NAME-v4`/`NAME-v6`, for `--noflush`, to load once (the sets reload under it): rules that
 * restrict and never open. With ports, `-I INPUT ! -i lo <ports> -m set ! --match-set SET src
 * -j DROP`: other sources are dropped on those ports. Without ports the same for new connections
 * on every port (`-m conntrack --ctstate NEW`, so replies to the host's own connections pass).
 * `! -i lo` exempts loopback unless options.exemptLoopback is false. The name and ports are
 * validated as renderFormat does (RenderError ERR_RENDER_NAME / ERR_RENDER_PORT).
 */
export function ipsetReferenceRules(
  name: string,
  family: Family,
  ports: readonly PortSpec[],
  options: { readonly exemptLoopback?: boolean } = {},
): string {
  checkName('ipset', name)
  for (const spec of ports) checkPort('ipset', spec)
  const set = `${name}-v${family}`
  const lo = options.exemptLoopback === false ? '' : '! -i lo '
  const matches = ports.length === 0 ? ['-m conntrack --ctstate NEW'] : multiportMatches(ports)
  const rules = matches.map((m) => `-I INPUT ${lo}${m} -m set ! --match-set ${set} src -j DROP`)
  return ['*filter', ...rules, 'COMMIT', ''].join('\n')
}

/**
 * For `ipset restore -exist < FILE`: for each family, create the set if missing, create and
 * flush `NAME-vN-new` (a leftover from an interrupted run may hold stale entries), fill it, swap
 * it in and destroy it, so the live set changes in one step and is never half full. `maxelem` is
 * fixed at limits.ipsetMaxElements; a family with more entries is ERR_RENDER_LIMIT.
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
    body.push(`create ${set} ${params}`, `create ${tmp} ${params}`, `flush ${tmp}`)
    for (const c of cidrs) body.push(`add ${tmp} ${c}`)
    body.push(`swap ${tmp} ${set}`, `destroy ${tmp}`)
  }
  const refs = [4, 6].flatMap((f) =>
    ipsetReferenceRules(p.name, f as Family, p.ports, { exemptLoopback: p.exemptLoopback })
      .split('\n')
      .filter((l) => l.startsWith('-'))
      .map((l) => `#   ${f === 4 ? 'iptables' : 'ip6tables'} ${l}`),
  )
  return managedText(p, body, [
    ...filterHeader(p, [4, 6]),
    '# the rules that use the sets, to add once (they stay as the sets reload):',
    ...refs,
  ])
}
