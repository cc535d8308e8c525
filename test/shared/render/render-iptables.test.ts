/**
 * @module iptables multiport matches hold at most 15 ports (a range counts as two): more ports
 * are split over several rules, and iptables-restore accepts the result.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { renderFormat, type PortSpec } from '../../../shared/src/index.ts'
import { IS_ROOT, missingTools } from '../../helpers/tools.ts'
import { DOC_INPUT } from './sample.ts'

/** Ten TCP port ranges (20 multiport slots) and three single UDP ports. */
const PORTS: PortSpec[] = [
  ...Array.from({ length: 10 }, (_, k): PortSpec => ({
    port: [1000 + 10 * k, 1005 + 10 * k],
    protocol: 'tcp',
  })),
  ...[53, 123, 51820].map((port): PortSpec => ({ port, protocol: 'udp' })),
]

/** The `--dports` lists of each multiport rule, by protocol. */
function multiports(text: string): [string, string[]][] {
  return [...text.matchAll(/-p (tcp|udp) -m multiport --dports (\S+)/g)].map((m) => [
    m[1]!,
    m[2]!.split(','),
  ])
}

const slots = (ports: string[]) => ports.reduce((n, p) => n + (p.includes(':') ? 2 : 1), 0)

describe('iptables multiport', () => {
  it('splits ports over rules of at most 15 slots, keeping every port once, in order', () => {
    const rules = multiports(renderFormat('iptables', DOC_INPUT, { ports: PORTS }))
    for (const [, ports] of rules) expect(slots(ports)).toBeLessThanOrEqual(15)
    expect(rules.map(([proto]) => proto)).toEqual(['tcp', 'tcp', 'udp'])
    expect(rules.flatMap(([, ports]) => ports)).toEqual(
      PORTS.map((s) => (typeof s.port === 'number' ? String(s.port) : s.port.join(':'))),
    )
  })

  const skip = missingTools('iptables-restore') ?? (IS_ROOT ? undefined : 'needs root')
  it.skipIf(skip !== undefined)('gives a file iptables-restore --test accepts', () => {
    const text = renderFormat('iptables', DOC_INPUT, { ports: PORTS })
    const r = spawnSync('iptables-restore', ['--test', '--noflush'], {
      input: text,
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
  if (skip !== undefined) console.log(`skipping iptables-restore --test: ${skip}`)
})
