/**
 * @module Shell files of `ufw` commands (what the `ufw` renderer writes, and what setup scripts
 * and the seeds show): `ufw allow 22/tcp`, `ufw allow from CIDR to any port P proto tcp`,
 * `ufw insert N ...`, `ufw delete ...`, `ufw default deny incoming`. Rules apply in ufw's order.
 */
import { PolicyError } from './policy-error.ts'
import { splitWords } from './read-iptables.ts'
import {
  addressMatch,
  addressSets,
  finishRule,
  impliedEstablished,
  parsePortRange,
  type RuleDraft,
} from './rule-builder.ts'
import type { FirewallConfig, FirewallRule, PortRange, TransportProtocol } from './types.ts'

const APPS: Record<string, PortRange[]> = {
  openssh: [[22, 22]],
  'nginx full': [
    [80, 80],
    [443, 443],
  ],
  'nginx http': [[80, 80]],
  'nginx https': [[443, 443]],
  'apache full': [
    [80, 80],
    [443, 443],
  ],
  www: [[80, 80]],
  'www full': [
    [80, 80],
    [443, 443],
  ],
}

interface Parsed {
  key: string
  out: boolean
  rule: RuleDraft
}

function parsePorts(text: string, err: (r: string) => PolicyError): PortRange[] {
  return text.split(',').map((p) => {
    const r = parsePortRange(p)
    if (!r) throw err(`'${p}' is not a port or port range`)
    return r
  })
}

/** Reads a file of ufw commands; other shell lines are ignored. */
export function readUfwCommands(text: string, file: string): FirewallConfig {
  const lines = text.split(/\r?\n/)
  const incoming: { p: Parsed; r: FirewallRule }[] = []
  const outgoing: { p: Parsed; r: FirewallRule }[] = []
  let defaults = {
    in: 'drop' as 'accept' | 'drop',
    out: 'accept' as 'accept' | 'drop',
    inLine: 1,
    outLine: 1,
  }
  let sawUfw = false
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    const where = { file, line: i + 1 }
    const err = (reason: string) =>
      new PolicyError('ERR_POLICY_CONFIG', `${file}:${i + 1}: ${reason}`, where)
    let words = splitWords(raw.replace(/\s#.*$/, ''))
    if (words[0] === 'sudo') words = words.slice(1)
    if (words[0] !== 'ufw') continue
    sawUfw = true
    words = words.slice(1).filter((w) => w !== '--force' && w !== '--dry-run')
    const verb = words[0]
    if (verb === 'default') {
      const pol = words[1] === 'allow' ? 'accept' : 'drop'
      const dir = words[2] ?? 'incoming'
      if (dir === 'incoming') defaults = { ...defaults, in: pol, inLine: i + 1 }
      else if (dir === 'outgoing') defaults = { ...defaults, out: pol, outLine: i + 1 }
      continue
    }
    let position: number | undefined
    let del = false
    if (verb === 'insert') {
      position = Number(words[1])
      if (!Number.isInteger(position) || position < 1)
        throw err(`'ufw insert ${words[1] ?? ''}': expected a rule number`)
      words = words.slice(2)
    } else if (verb === 'prepend') {
      position = 1
      words = words.slice(1)
    } else if (verb === 'delete') {
      del = true
      words = words.slice(1)
      if (/^\d+$/.test(words[0] ?? ''))
        throw err("'ufw delete NUM' depends on the live rule numbers; write the rule out instead")
    }
    const action = words[0]
    if (action !== 'allow' && action !== 'deny' && action !== 'reject' && action !== 'limit')
      continue
    let k = 1
    let out = false
    if (words[k] === 'in' || words[k] === 'out') out = words[k++] === 'out'
    const draft: RuleDraft = {
      verdict: action === 'allow' || action === 'limit' ? { kind: 'accept' } : { kind: 'drop' },
    }
    let from: string | undefined
    let to: string | undefined
    let ports: PortRange[] | undefined
    let protocols: TransportProtocol[] | undefined
    while (k < words.length) {
      const w = words[k++]!
      if (w === 'log' || w === 'log-all') continue
      if (w === 'on') {
        if (words[k++] === 'lo') draft.never = true
      } else if (w === 'comment') k++
      else if (w === 'proto') {
        const p = words[k++]
        if (p === 'tcp' || p === 'udp') protocols = [p]
        else protocols = []
      } else if (w === 'from') {
        from = words[k++]
        if (words[k] === 'port') k += 2
      } else if (w === 'to') {
        to = words[k++]
        if (words[k] === 'port') {
          ports = parsePorts(words[k + 1] ?? '', err)
          k += 2
        }
      } else if (w === 'port') {
        ports = parsePorts(words[k++] ?? '', err)
      } else if (w === 'app') {
        ports = APPS[(words[k++] ?? '').toLowerCase()]
        if (!ports) throw err(`unknown application profile '${words[k - 1] ?? ''}'`)
        protocols = ['tcp']
      } else {
        // simple syntax: 22, 22/tcp, 80,443/tcp, 1000:2000/udp, or an application profile
        const m = /^([\d,:]+)(?:\/(tcp|udp))?$/.exec(w)
        if (m) {
          ports = parsePorts(m[1]!, err)
          if (m[2]) protocols = [m[2] as TransportProtocol]
        } else {
          const app =
            APPS[
              [w, ...words.slice(k)]
                .join(' ')
                .replace(/ comment .*/, '')
                .toLowerCase()
            ] ?? APPS[w.toLowerCase()]
          if (!app)
            throw err(`cannot read '${w}' (an application profile this reader does not know?)`)
          ports = app
          protocols = ['tcp']
          break
        }
      }
    }
    if (ports) {
      draft.dports = { ranges: ports, negate: false }
      draft.protocols = protocols ?? ['tcp', 'udp']
    } else if (protocols) draft.protocols = protocols
    const remote = out ? to : from
    if (remote && remote !== 'any') {
      const sets = addressSets([remote], where)
      draft.family = sets.ipv4.isEmpty ? 6 : 4
      if (out) draft.daddr = addressMatch(sets)
      else draft.saddr = addressMatch(sets)
    }
    const local = out ? from : to
    if (local && local !== 'any') {
      const sets = addressSets([local], where)
      draft.family = sets.ipv4.isEmpty ? 6 : 4
    }
    const key = JSON.stringify([
      out,
      action,
      from ?? 'any',
      to ?? 'any',
      ports ?? null,
      protocols ?? null,
    ])
    const list = out ? outgoing : incoming
    if (del) {
      const idx = list.findIndex((e) => e.p.key === key)
      if (idx >= 0) list.splice(idx, 1)
      continue
    }
    if (list.some((e) => e.p.key === key)) continue // ufw skips an existing rule
    const entry = {
      p: { key, out, rule: draft },
      r: finishRule(draft, { file, line: i + 1, text: raw }),
    }
    if (position !== undefined) list.splice(position - 1, 0, entry)
    else list.push(entry)
  }
  if (!sawUfw)
    throw new PolicyError('ERR_POLICY_CONFIG', `${file}:1: no 'ufw' commands`, { file, line: 1 })
  return {
    file,
    format: 'ufw-commands',
    layer: 'host',
    families: [4, 6],
    chains: [
      {
        name: 'ufw incoming',
        rules: [
          impliedEstablished(file, defaults.inLine, 'ufw before.rules: ESTABLISHED,RELATED accept'),
          ...incoming.map((e) => e.r),
        ],
        hook: 'input',
        priority: 0,
        policy: defaults.in,
        policyLine: defaults.inLine,
      },
      {
        name: 'ufw outgoing',
        rules: outgoing.map((e) => e.r),
        hook: 'output',
        priority: 0,
        policy: defaults.out,
        policyLine: defaults.outLine,
      },
    ],
    published: [],
    warnings: [],
  }
}
