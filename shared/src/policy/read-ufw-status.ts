/**
 * @module `ufw status` / `ufw status verbose` output: the `Default:` line (verbose only; ufw's
 * defaults otherwise: deny incoming, allow outgoing) and the `To  Action  From` table, in order.
 */
import type { TransportProtocol } from '../ip/index.ts'
import { PolicyError } from './policy-error.ts'
import { rateNote } from './rate-note.ts'
import { ufwApp, ufwPorts, type UfwApp } from './ufw-words.ts'
import {
  addressMatch,
  addressSets,
  finishRule,
  interfaceMatch,
  ufwBeforeRules,
  type RuleDraft,
} from './rule-builder.ts'
import type { FirewallChain, FirewallConfig, FirewallRule, ReaderWarning } from './types.ts'

const ROW =
  /^(?<to>.+?)\s+(?<action>ALLOW|DENY|REJECT|LIMIT)(?:\s+(?<dir>IN|OUT|FWD))?\s+(?<from>.+?)\s*(?:#.*)?$/

/** Parses one side of a row: `Anywhere`, `22/tcp`, `80,443/tcp`, `203.0.113.0/24 22/tcp`, `OpenSSH`. */
function side(
  text: string,
  where: { file: string; line: number },
): Partial<UfwApp> & { addr?: string; v6: boolean; iface?: string } {
  let t = text.trim()
  // ufw prints the interface last: `Anywhere (v6) on lo`, `8080 (v6) on eth0`
  const on = / on (\S+)$/.exec(t)
  const iface = on?.[1]
  if (on) t = t.slice(0, on.index).trim()
  const onIface = iface === undefined ? {} : { iface }
  const v6 = / \(v6\)$/.test(t)
  if (v6) t = t.slice(0, -5).trim()
  const app = ufwApp(t)
  if (app) return { ports: app.ports, protocols: app.protocols, v6, ...onIface }
  // no port, but a protocol: `Anywhere/udp`, `203.0.113.0/24/esp`, `192.0.2.10/tcp`
  const bare = /^(\S+)\/([a-z]+)$/.exec(t)
  if (bare && !/^[\d,:]+$/.test(bare[1]!)) {
    const p = bare[2]
    return {
      ...(bare[1] !== 'Anywhere' ? { addr: bare[1]! } : {}),
      protocols: p === 'tcp' || p === 'udp' ? [p] : [],
      v6,
      ...onIface,
    }
  }
  const words = t.split(/\s+/)
  let addr: string | undefined
  if (words[0] === 'Anywhere') words.shift()
  else if (
    words[0] !== undefined &&
    /[.:]/.test(words[0]) &&
    !/^[\d,:]+(\/(tcp|udp))?$/.test(words[0])
  )
    addr = words.shift()
  const portWord = words.shift()
  if (portWord === undefined) return { ...(addr ? { addr } : {}), v6, ...onIface }
  const m = /^([\d,:]+)(?:\/(tcp|udp))?$/.exec(portWord)
  if (!m)
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${where.file}:${where.line}: cannot read '${text.trim()}' (an application profile this reader does not know?)`,
      where,
    )
  const ports = ufwPorts(
    m[1]!,
    (reason) =>
      new PolicyError('ERR_POLICY_CONFIG', `${where.file}:${where.line}: ${reason}`, where),
  )
  return {
    ...(addr ? { addr } : {}),
    ports,
    ...(m[2] ? { protocols: [m[2] as TransportProtocol] } : {}),
    v6,
    ...onIface,
  }
}

interface Row {
  to: string
  action: string
  dir?: string
  from: string
}

/** One table row as a rule of the incoming or outgoing chain; undefined for a routed rule. */
function readRow(
  row: Row,
  where: { file: string; line: number },
  raw: string,
  warnings: ReaderWarning[],
): { out: boolean; rule: FirewallRule } | undefined {
  const { to, action, dir, from } = row
  const out = dir === 'OUT'
  if (dir === 'FWD') {
    warnings.push({
      file: where.file,
      line: where.line,
      message: `routed rules ('ufw route', FWD) are not modelled: they filter forwarded traffic, not this host's`,
    })
    return undefined
  }
  const dst = side(to, where)
  const src = side(from, where)
  const draft: RuleDraft = { family: dst.v6 || src.v6 ? 6 : 4 }
  const remote = out ? dst : src
  const local = out ? src : dst
  const ports = dst.ports
  const protocols = dst.protocols ?? src.protocols
  if (protocols) draft.protocols = [...protocols]
  if (ports) {
    draft.dports = { ranges: ports, negate: false }
    if (!protocols) draft.protocols = ['tcp', 'udp']
  }
  if (remote.addr) {
    const s = addressSets([remote.addr], where)
    draft.family = s.ipv4.isEmpty ? 6 : 4
    const m2 = addressMatch(s)
    if (out) draft.daddr = m2
    else draft.saddr = m2
  }
  // `ufw allow in on tailscale0`: the rule holds for packets on that interface only
  const iface = local.iface ?? remote.iface
  if (iface !== undefined) draft[out ? 'oif' : 'iif'] = interfaceMatch([iface], false)
  // LIMIT lets a first connection in (ufw rate-limits repeats only)
  draft.verdict = action === 'ALLOW' || action === 'LIMIT' ? { kind: 'accept' } : { kind: 'drop' }
  if (action === 'LIMIT') warnings.push(rateNote(where.file, where.line, ['LIMIT'], false))
  return { out, rule: finishRule(draft, { ...where, text: raw }) }
}

/** The lines of `ufw status verbose` around the table that hold no rule. */
const HEADER_LINE = /^(Logging|New profiles):|^To\s+Action\s+From\b|^--[\s-]*$/

/**
 * What may be (part of) a rule row: an action or verdict word, `Anywhere`, or a word that starts
 * with a digit (a port, an address). A shell prompt or one of ufw's notices has none of these.
 */
const RULE_LIKE = /\b(allow|deny|reject|limit|accept|drop|anywhere)\b|(^|\s)\d/i

/**
 * Reads `ufw status [verbose|numbered]` output, with or without its header: every row is read
 * wherever it stands (an abbreviated paste without the `To  Action  From` line included). A line
 * that may be a rule (an action word, `Anywhere`, a port or address) but is no row this reader
 * can read is an error, all of them named: it may be the rule that decides. Other lines (a shell
 * prompt pasted along, ufw's own notices) hold no rule; they become warnings in the output, each
 * named, and the verdict stands.
 */
export function readUfwStatus(text: string, file: string): FirewallConfig {
  const lines = text.split(/\r?\n/)
  let incoming: 'accept' | 'drop' = 'drop'
  let outgoing: 'accept' | 'drop' = 'accept'
  let defaultLine = 1
  const input: FirewallRule[] = []
  const output: FirewallRule[] = []
  const warnings: ReaderWarning[] = []
  const unread: number[] = []
  let active = false
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim()
    const where = { file, line: i + 1 }
    if (/^Status:\s*inactive/.test(raw))
      throw new PolicyError(
        'ERR_POLICY_CONFIG',
        `${file}:${i + 1}: ufw is inactive: it filters nothing`,
        where,
      )
    const d = /^Default:\s*(\w+) \(incoming\),\s*(\w+) \(outgoing\)/.exec(raw)
    if (d) {
      incoming = d[1] === 'allow' ? 'accept' : 'drop'
      outgoing = d[2] === 'allow' ? 'accept' : 'drop'
      defaultLine = i + 1
      continue
    }
    if (/^Status:\s*active\s*$/.test(raw)) active = true
    if (raw === '' || active || HEADER_LINE.test(raw)) {
      active = false
      continue
    }
    // `ufw status numbered` puts `[ 1]` before each row
    const m = ROW.exec(raw.replace(/^\[\s*\d+\]\s*/, ''))
    if (!m?.groups) {
      if (RULE_LIKE.test(raw)) unread.push(i + 1)
      else
        warnings.push({
          file,
          line: i + 1,
          message: `'${raw.slice(0, 80)}' is not read: it is no ufw rule row (no action, address or port)`,
        })
      continue
    }
    const rule = readRow(m.groups as unknown as Row, where, raw, warnings)
    if (rule) (rule.out ? output : input).push(rule.rule)
  }
  if (unread.length > 0) {
    const quote = (n: number) => `'${lines[n - 1]!.trim().slice(0, 80)}'`
    const what =
      unread.length === 1
        ? `the ufw rule ${quote(unread[0]!)}`
        : `${unread.length} ufw rules: ${unread.map((n) => `line ${n} ${quote(n)}`).join(', ')}`
    throw new PolicyError('ERR_POLICY_CONFIG', `${file}:${unread[0]!}: cannot read ${what}`, {
      file,
      line: unread[0]!,
    })
  }
  if (input.length + output.length === 0 && !lines.some((l) => /^Status:\s*active/.test(l.trim())))
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}:1: not 'ufw status' output (no 'Status: active' line and no rule rows)`,
      { file, line: 1 },
    )
  const chains: FirewallChain[] = [
    {
      name: 'ufw incoming',
      rules: [...ufwBeforeRules(file, defaultLine, [4, 6]), ...input],
      hook: 'input',
      priority: 0,
      policy: incoming,
      policyLine: defaultLine,
    },
    {
      name: 'ufw outgoing',
      rules: output,
      hook: 'output',
      priority: 0,
      policy: outgoing,
      policyLine: defaultLine,
    },
  ]
  return {
    file,
    format: 'ufw-status',
    layer: 'host',
    families: [4, 6],
    chains,
    published: [],
    warnings,
  }
}
