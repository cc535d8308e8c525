/**
 * @module `allowlist-sync probe`: an opt-in live check, the seeds' "test connectivity" step. TCP
 * connects to the TCP ports a policy names, a few at a time, each with a short timeout and all
 * within a total time budget; the outcomes are judged against the policy from where it runs.
 */
import { connect } from 'node:net'
import { formatPortRange, type PolicyRule } from '../../../../shared/src/index.ts'
import { EXIT, UsageError, parseCommandArgs, type CliIo } from '../io.ts'
import { durationOption } from '../duration.ts'
import { loadPolicy } from '../load-policy.ts'

const HELP = `Usage: allowlist-sync probe HOST --policy PRESET|FILE [options]

Tries a TCP connect to each inbound TCP port the policy names (single ports; ranges and UDP
are listed as not probed), at most --concurrency at a time, each within --timeout, all
within --total, and judges what it sees from this machine against the policy:
  require        open = ok; refused or timed out = error
  forbid-public  open = error when this machine counts as "the Internet" for HOST
  restrict       open = warning unless this machine is among the allowed sources
  allow          reported only
Only probe hosts you are responsible for.

Options:
  --policy PRESET|FILE   a preset or a policy file (as for verify)
  --timeout DURATION     per connect: 2s, 500ms; a bare number is seconds (default 2s,
                         100ms-30s; --timeout-ms N is the deprecated spelling)
  --total DURATION       for the whole probe, default 15s, 100ms-5m (ports not tried by then:
                         skipped; --total-ms N is the deprecated spelling)
  --max-ports N          probe at most N ports, default 32 (1-256)
  --concurrency N        connects at a time, default 4 (1-16)
  --json                 print JSON

Exit codes: 0 nothing wrong seen, 1 an error (a required port closed, a forbidden one open), 2 usage.

Examples:
  allowlist-sync probe 203.0.113.10 --policy oec
  allowlist-sync probe server.example.org --policy coolify-self-hosted --timeout 1s
`

const OPTIONS = {
  policy: { type: 'string' },
  timeout: { type: 'string' },
  'timeout-ms': { type: 'string' },
  total: { type: 'string' },
  'total-ms': { type: 'string' },
  'max-ports': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
} as const

/** What one connect saw. */
export type ProbeOutcome = 'open' | 'refused' | 'timeout' | 'error' | 'skipped'

interface ProbeRow {
  port: number
  outcome: ProbeOutcome
  verdict: 'ok' | 'error' | 'warning' | 'info'
  rules: string[]
  message: string
}

function intOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`--${name} '${value}': expected a whole number from ${min} to ${max}`)
  return Number(value)
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const done = (o: ProbeOutcome) => {
      socket.destroy()
      resolve(o)
    }
    socket.setTimeout(timeoutMs, () => done('timeout'))
    socket.once('connect', () => done('open'))
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ETIMEDOUT' ? 'timeout' : 'error'),
    )
  })
}

function judge(port: number, outcome: ProbeOutcome, rules: readonly PolicyRule[]): ProbeRow {
  const ids = rules.map((r) => r.id)
  const titles = [...new Set(rules.map((r) => r.title))].join('; ')
  const row = (verdict: ProbeRow['verdict'], message: string): ProbeRow => ({
    port,
    outcome,
    verdict,
    rules: ids,
    message,
  })
  if (outcome === 'skipped')
    return row('warning', `not tried: the total time budget ran out (${titles})`)
  const open = outcome === 'open'
  if (rules.some((r) => r.kind === 'forbid-public') && open)
    return row(
      'error',
      `open, and the policy forbids it from the public Internet (${titles}); if this machine is on a private network of HOST, re-run from outside`,
    )
  if (rules.some((r) => r.kind === 'require' && (r.sources ?? ['any']).includes('any')) && !open)
    return row(
      'error',
      `${outcome === 'refused' ? 'refused (nothing listens, or a firewall rejects)' : outcome === 'timeout' ? 'timed out (a firewall drops it)' : 'connect failed'}: the policy requires it (${titles})`,
    )
  if (rules.some((r) => r.kind === 'restrict') && open)
    return row(
      'warning',
      `open from this machine; the policy allows only ${rules.flatMap((r) => r.sources ?? []).join(', ')} (fine if this machine is one of them)`,
    )
  if (rules.some((r) => r.kind === 'require') && !open)
    return row(
      'warning',
      `${outcome} from this machine; the policy requires it from ${rules.flatMap((r) => r.sources ?? []).join(', ')} only, which may not include this machine`,
    )
  return row(open ? 'ok' : 'info', `${outcome} (${titles})`)
}

/** Probes the policy's TCP ports on HOST and reports. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, HELP, io)
  if (parsed === undefined) return EXIT.ok
  const { values, positionals } = parsed
  const host = positionals[0]
  if (host === undefined || positionals.length > 1) throw new UsageError('name exactly one HOST')
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host))
    throw new UsageError(`'${host}' is not a host name or address`)
  if (values.policy === undefined) throw new UsageError('--policy is required')
  const timeoutMs = durationOption(values, 'timeout', { min: 100, max: 30_000 }, io) ?? 2000
  const totalMs = durationOption(values, 'total', { min: 100, max: 300_000 }, io) ?? 15_000
  const maxPorts = intOption(values['max-ports'], 'max-ports', 32, 1, 256)
  const concurrency = intOption(values.concurrency, 'concurrency', 4, 1, 16)
  const policy = await loadPolicy(io, values.policy)
  const inbound = policy.rules.filter((r) => r.direction === 'inbound')
  const byPort = new Map<number, PolicyRule[]>()
  const notProbed: string[] = []
  for (const r of inbound) {
    if (r.protocol !== 'tcp' || r.ports[0] !== r.ports[1]) {
      notProbed.push(`${formatPortRange(r.ports)}/${r.protocol}`)
      continue
    }
    const list = byPort.get(r.ports[0]) ?? []
    list.push(r)
    byPort.set(r.ports[0], list)
  }
  const ports = [...byPort.keys()].sort((a, b) => a - b)
  const probed = ports.slice(0, maxPorts)
  const dropped = ports.slice(maxPorts)
  const host4 = host.replace(/^\[(.*)\]$/, '$1')
  const deadline = io.now() + totalMs
  const outcomes = new Map<number, ProbeOutcome>()
  let next = 0
  const worker = async () => {
    while (next < probed.length) {
      const port = probed[next++]!
      const left = deadline - io.now()
      if (left <= 0) {
        outcomes.set(port, 'skipped')
        continue
      }
      outcomes.set(port, await tryConnect(host4, port, Math.min(timeoutMs, left)))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, probed.length) }, worker))
  const rows = probed.map((port) => judge(port, outcomes.get(port) ?? 'skipped', byPort.get(port)!))
  const errors = rows.filter((r) => r.verdict === 'error').length
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ host, policy: policy.id, ok: errors === 0, ports: rows, notProbed: [...notProbed, ...dropped.map(String)] }, null, 2)}\n`,
    )
  } else {
    const lines = rows.map(
      (r) =>
        `${String(r.port).padStart(5)}/tcp  ${r.outcome.padEnd(7)}  ${r.verdict.padEnd(7)}  ${r.message}`,
    )
    if (notProbed.length > 0)
      lines.push(`not probed (UDP or ranges): ${[...new Set(notProbed)].join(', ')}`)
    if (dropped.length > 0)
      lines.push(`not probed (over --max-ports ${maxPorts}): ${dropped.join(', ')}`)
    lines.push(
      `probe ${host} against ${policy.id}: ${errors === 0 ? 'nothing wrong seen' : `${errors} error(s)`} (from this machine)`,
    )
    io.stdout(`${lines.join('\n')}\n`)
  }
  return errors === 0 ? EXIT.ok : EXIT.refused
}
