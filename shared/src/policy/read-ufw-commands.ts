/**
 * @module Shell files of `ufw` commands (what the `ufw` renderer writes, and what setup scripts
 * and the seeds show): `ufw allow 22/tcp`, `ufw allow from CIDR to any port P proto tcp`,
 * `ufw insert N ...`, `ufw delete ...`, `ufw default deny incoming`. Rules apply in ufw's order.
 * The shell around them (lists, `sudo`, `sh -c`, ssh, here-documents) is read by shell-script.ts.
 */
import { PolicyError } from './policy-error.ts'
import { DOCKER_DAEMON_JSON, daemonIptables, readDockerCommand } from './read-docker-commands.ts'
import { rateNote } from './rate-note.ts'
import { scriptCommands, withoutRedirections, withoutSudo } from './shell-script.ts'
import { splitWords } from './split-words.ts'
import { SERVICE_NAMES } from './service-names.ts'
import { ufwApp, ufwPorts } from './ufw-words.ts'
import {
  addressMatch,
  addressSets,
  finishRule,
  ufwBeforeRules,
  ufwIpv6Off,
  interfaceMatch,
  parsePortNumber,
  type RuleDraft,
} from './rule-builder.ts'
import type {
  FirewallConfig,
  FirewallRule,
  PortRange,
  PublishedPort,
  TransportProtocol,
  ReaderWarning,
} from './types.ts'

/**
 * The protocols of a port word: a service name's, as /etc/services lists it (`ufw allow ssh`
 * opens 22/tcp, `ufw allow domain` 53 over both, `ufw allow ntp` 123/udp); undefined for numbers.
 */
function serviceProtocols(port: string): TransportProtocol[] | undefined {
  const entry = SERVICE_NAMES.get(port)
  if (entry === undefined) return undefined
  return (['tcp', 'udp'] as const).filter((p) => entry[p] !== undefined)
}

/** Commands that change the kernel's filtering beside ufw (a ufw script does not only run ufw). */
const FILTER_TOOLS = /^(ip6?tables(-legacy|-nft)?(-restore)?|nft|ipset|ebtables|firewall-cmd)$/

/** ufw verbs that change no rule: nothing to read in them. */
const QUIET_VERBS = new Set(['reload', 'status', 'logging', 'app', 'version', 'show', 'help'])

interface Entry {
  /** The rule's identity for ufw: everything but the action. */
  key: string
  action: string
  rule: FirewallRule
}

/**
 * The ufw command of a line's words: the whole line, or in a pipeline (`echo y | ufw enable`,
 * `yes | sudo ufw enable`) its last command that is ufw; `sudo` and its options, and
 * redirections, dropped.
 */
function ufwCommand(words: string[]): string[] {
  const commands: string[][] = [[]]
  for (const w of words) {
    if (w === '|') commands.push([])
    else commands.at(-1)!.push(w)
  }
  const own = (c: string[]) => withoutSudo(withoutRedirections(c))
  const ufw = commands.map(own).filter((c) => c[0] === 'ufw')
  return ufw.at(-1) ?? own(commands[0]!)
}

/** The file ufw-init reads its IPv6 switch and default policies from. */
const UFW_DEFAULTS = '/etc/default/ufw'

/** A file ufw reads as it starts: /etc/default/ufw, its rules files, ufw.conf, its profiles. */
function isUfwFile(path: string): boolean {
  return (
    path === UFW_DEFAULTS ||
    /^\/etc\/ufw\/((before|after|user)6?\.rules|(ufw|sysctl)\.conf|applications\.d\/.+)$/.test(path)
  )
}

/**
 * The file a shell command writes, of those `isTarget` accepts: by `sed -i`, a redirection or `tee`
 * into it, or a `cp`, `mv` or `install` onto it (a `grep`, a `cat` or a `cp` of it only reads it);
 * undefined if none. Each command of a pipeline is judged alone (`grep -i X /etc/default/ufw |
 * tee f` writes f, not the file it greps); lists and `sh -c "…"` are split before it
 * (shell-script.ts).
 */
function fileWritten(
  words: readonly string[],
  isTarget: (path: string) => boolean,
): string | undefined {
  const commands: string[][] = [[]]
  for (const w of words) {
    if (w === '|') commands.push([])
    else commands.at(-1)!.push(w)
  }
  for (const command of commands) {
    const written = commandWrites(command, isTarget)
    if (written !== undefined) return written
  }
  return undefined
}

/** The file one command writes (fileWritten). */
function commandWrites(
  words: readonly string[],
  isTarget: (path: string) => boolean,
): string | undefined {
  const inPlace = words.includes('sed') && words.some((w) => /^(-[a-zA-Z]*i|--in-place)/.test(w))
  for (let k = 0; k < words.length; k++) {
    const glued = /^\d?>>?(\/.*)$/.exec(words[k]!)?.[1]
    if (glued !== undefined && isTarget(glued)) return glued
    const path = words[k]!
    if (!isTarget(path)) continue
    const before = words.slice(0, k)
    if (/^\d?>>?$/.test(String(before.at(-1))) || before.includes('tee') || inPlace) return path
    if (k === words.length - 1 && ['cp', 'mv', 'install'].some((c) => before.includes(c)))
      return path
  }
  return undefined
}

/**
 * The settings a shell line writes, the last value it names for each (`sed -i
 * 's/IPV6=yes/IPV6=no/' /etc/default/ufw` writes IPV6=no); undefined for a value that is not a
 * literal word (`IPV6=$V6`, a `sed` that deletes the line). Empty for a line that names none
 * (`cp`, `sed -i "s/$FIND/$REPLACE/"`).
 */
function settingsWritten(raw: string): Map<string, string | undefined> {
  const settings = new Map<string, string | undefined>()
  for (const m of raw.matchAll(/\b([A-Z][A-Z0-9_]*)=(?:\\?["'])?([A-Za-z]*)(?:\\?["'])?(.?)/g)) {
    const literal = m[2] !== '' && !/[$*.[{+?\w\\]/.test(m[3]!)
    settings.set(m[1]!, literal ? m[2]!.toLowerCase() : undefined)
  }
  return settings
}

/**
 * Reads a file of ufw commands. Of other shell lines, one that writes /etc/default/ufw is read as
 * ufw-init reads the file (`IPV6=no` drops all IPv6: ufwIpv6Off; the default input and output
 * policies); a Docker command as read-docker-commands.ts reads it (`docker run -p` publishes past
 * ufw, unless daemon.json's `"iptables": false` came first); one that writes another file of
 * ufw's or runs another packet filter's command is reported at its line; the rest are no business
 * of ufw's.
 */
export function readUfwCommands(text: string, file: string): FirewallConfig {
  const incoming: Entry[] = []
  const outgoing: Entry[] = []
  let defaults = {
    in: 'drop' as 'accept' | 'drop',
    out: 'accept' as 'accept' | 'drop',
    inLine: 1,
    outLine: 1,
  }
  let sawUfw = false
  const warnings: ReaderWarning[] = []
  // the line of a `ufw disable` not followed by `ufw enable`
  let disabled: number | undefined
  // the line that last wrote `IPV6=no` into /etc/default/ufw (none since, or `IPV6=yes` after it)
  let ipv6Off: number | undefined
  const note = (line: number, message: string) => warnings.push({ file, line, message })
  // the other files of ufw's the script writes: the first line that does, and how many do
  const otherFiles = new Map<string, { line: number; count: number }>()
  // the ports `docker run -p` publishes past ufw, and the line that turned Docker's NAT off
  const published: PublishedPort[] = []
  let dockerIptablesOff: number | undefined
  for (const { raw, line, hereDocument } of scriptCommands(text, note)) {
    // what the command writes into a file: its words, and the here-document it is given
    const content = hereDocument === undefined ? raw : `${raw}\n${hereDocument}`
    const where = { file, line }
    const err = (reason: string) =>
      new PolicyError('ERR_POLICY_CONFIG', `${file}:${line}: ${reason}`, where)
    // a shell expansion (`$PORT`, `${ip}`, a command's output) has no value this reader knows
    const literal = (v: string) => {
      if (/[$`]/.test(v))
        throw err(
          `'${v}' is a shell expansion, whose value the script alone does not say: write the value out, or give verify what ufw holds on the host ('ufw status verbose', format ufw-status)`,
        )
      return v
    }
    const writesDaemon =
      raw.includes(DOCKER_DAEMON_JSON) &&
      fileWritten(splitWords(raw), (path) => path === DOCKER_DAEMON_JSON) !== undefined
    const daemon = writesDaemon ? daemonIptables(content) : undefined
    if (daemon !== undefined) {
      dockerIptablesOff = daemon === 'off' ? line : daemon === 'on' ? undefined : dockerIptablesOff
      if (daemon === 'off')
        note(
          line,
          `writes "iptables": false into ${DOCKER_DAEMON_JSON}: Docker adds no NAT rules, and the ports it publishes from then on stay behind ufw's rules (read so)`,
        )
      else if (daemon === 'unknown')
        note(
          line,
          `writes ${DOCKER_DAEMON_JSON} with what this reader cannot see: its "iptables" setting decides whether published ports go past ufw, and is read as before this line`,
        )
      continue
    }
    const written = raw.includes('/etc/') ? fileWritten(splitWords(raw), isUfwFile) : undefined
    if (written !== undefined && written !== UFW_DEFAULTS) {
      const seen = otherFiles.get(written)
      if (seen) seen.count++
      else otherFiles.set(written, { line, count: 1 })
      continue
    }
    if (written !== undefined) {
      const settings = settingsWritten(content)
      if (settings.size === 0)
        note(
          line,
          `writes ${UFW_DEFAULTS} with what this reader cannot see: its IPV6 and default policies are read as before this line`,
        )
      for (const [key, value] of settings) {
        const policy =
          value === 'accept'
            ? 'accept'
            : value === 'drop' || value === 'reject'
              ? 'drop'
              : undefined
        if (key === 'IPV6' && (value === 'yes' || value === 'no'))
          ipv6Off = value === 'no' ? line : undefined
        else if (key === 'DEFAULT_INPUT_POLICY' && policy !== undefined)
          defaults = { ...defaults, in: policy, inLine: line }
        else if (key === 'DEFAULT_OUTPUT_POLICY' && policy !== undefined)
          defaults = { ...defaults, out: policy, outLine: line }
        else if (key === 'DEFAULT_FORWARD_POLICY')
          note(
            line,
            `${key} in ${UFW_DEFAULTS} is not modelled: it filters forwarded traffic, not this host's`,
          )
        else if (['IPV6', 'DEFAULT_INPUT_POLICY', 'DEFAULT_OUTPUT_POLICY'].includes(key))
          note(
            line,
            `${key} in ${UFW_DEFAULTS} is set to what this reader cannot know: read as before this line`,
          )
        else note(line, `${key} in ${UFW_DEFAULTS} is not modelled`)
      }
      continue
    }
    let words = ufwCommand(splitWords(raw))
    if (words[0] !== 'ufw') {
      const tool = words[0]?.split('/').at(-1) ?? ''
      if (FILTER_TOOLS.test(tool))
        note(
          line,
          `'${raw.slice(0, 80)}' is not read: ${tool} changes the kernel's filtering beside ufw; give its rules to verify as a config of their own`,
        )
      const docker = readDockerCommand(words, line, dockerIptablesOff)
      published.push(...(docker?.published ?? []))
      for (const n of docker?.notes ?? []) note(line, n)
      continue
    }
    sawUfw = true
    // `--dry-run` only prints what ufw would do
    if (words.includes('--dry-run')) continue
    words = words.slice(1).filter((w) => w !== '--force')
    const verb = words[0]
    if (verb === undefined || QUIET_VERBS.has(verb)) continue
    if (verb === 'disable' || verb === 'enable') {
      disabled = verb === 'disable' ? line : undefined
      continue
    }
    if (verb === 'reset') {
      // ufw reset: back to no rules and ufw's defaults, disabled until enabled again
      incoming.length = 0
      outgoing.length = 0
      defaults = { in: 'drop', out: 'accept', inLine: line, outLine: line }
      disabled = line
      continue
    }
    if (verb === 'route') {
      note(
        line,
        `routed rules ('ufw route') are not modelled: they filter forwarded traffic, not this host's`,
      )
      continue
    }
    if (verb === 'default') {
      const given = literal(words[1] ?? '')
      if (!['allow', 'deny', 'reject'].includes(given))
        throw err(`'ufw default ${given}': expected allow, deny or reject`)
      const pol = given === 'allow' ? 'accept' : 'drop'
      const dir = literal(words[2] ?? 'incoming')
      if (dir === 'incoming') defaults = { ...defaults, in: pol, inLine: line }
      else if (dir === 'outgoing') defaults = { ...defaults, out: pol, outLine: line }
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
    const action = literal(words[0] ?? '')
    if (action !== 'allow' && action !== 'deny' && action !== 'reject' && action !== 'limit') {
      note(line, `'${raw.slice(0, 80)}' is not read: not a ufw rule command`)
      continue
    }
    let k = 1
    let out = false
    if (words[k] === 'in' || words[k] === 'out') out = words[k++] === 'out'
    // ufw refuses a bare `ufw allow`; read as a rule it would let everything in
    if (k === words.length) throw err(`'ufw ${action}' needs a port, an address or an interface`)
    const draft: RuleDraft = {
      verdict: action === 'allow' || action === 'limit' ? { kind: 'accept' } : { kind: 'drop' },
    }
    let from: string | undefined
    let to: string | undefined
    let iface: string | undefined
    let ports: PortRange[] | undefined
    let protocols: TransportProtocol[] | undefined
    // the protocols of a service name given as the port (`ssh` is 22/tcp)
    let named: TransportProtocol[] | undefined
    // ufw tells a profile's rule from the same ports written out
    let app: string | undefined
    while (k < words.length) {
      const w = literal(words[k++]!)
      const next = () => {
        const v = words[k++]
        if (v === undefined) throw err(`'${w}' needs a value`)
        return w === 'comment' ? v : literal(v)
      }
      if (w === 'log' || w === 'log-all') continue
      if (w === 'on') iface = next()
      else if (w === 'comment') next()
      else if (w === 'proto') {
        const p = next()
        protocols = p === 'tcp' || p === 'udp' ? [p] : []
      } else if (w === 'from') {
        from = next()
        // source ports are not modelled: the rule is taken to match
        if (words[k] === 'port') k += 2
      } else if (w === 'to') to = next()
      else if (w === 'port') {
        const p = next()
        ports = ufwPorts(p, err)
        named = serviceProtocols(p)
      } else if (w === 'app') {
        app = next()
        const profile = ufwApp(app)
        if (!profile) throw err(`unknown application profile '${app}'`)
        ;({ ports, protocols } = profile)
      } else {
        // simple syntax: 22, 22/tcp, 80,443/tcp, 1000:2000/udp, ssh, http/tcp, or an application
        // profile (ufw takes a name in /etc/services as the service, not as a profile)
        const m = /^([\d,:]+|[A-Za-z][\w-]*)(?:\/(tcp|udp))?$/.exec(w)
        const proto = m?.[2] as TransportProtocol | undefined
        if (m && (/^\d/.test(m[1]!) || parsePortNumber(m[1]!) !== undefined)) {
          // ufw looks a name up over the protocol it is given: `dhcpv6-client/tcp` is no service
          if (proto && !/^\d/.test(m[1]!) && parsePortNumber(m[1]!, proto) === undefined)
            throw err(`'${m[1]!}' is no ${proto} service in /etc/services`)
          ports = ufwPorts(m[1]!, err)
          if (proto) protocols = [proto]
          else named = serviceProtocols(m[1]!)
        } else {
          // a profile name with a space is one quoted word: ufw rejects `ufw allow Nginx Full`
          const profile = ufwApp(w)
          if (!profile)
            throw err(`cannot read '${w}' (an application profile this reader does not know?)`)
          ;({ ports, protocols } = profile)
          app = w
        }
      }
    }
    // `ufw allow in on tailscale0`: the rule holds for packets on that interface only
    if (iface !== undefined) draft[out ? 'oif' : 'iif'] = interfaceMatch([iface], false)
    if (ports) {
      draft.dports = { ranges: ports, negate: false }
      draft.protocols = protocols ?? named ?? ['tcp', 'udp']
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
    // `ssh` and `22/tcp` are the same rule to ufw
    const key = JSON.stringify([
      out,
      from ?? 'any',
      to ?? 'any',
      draft.dports ?? null,
      draft.protocols ?? null,
      iface ?? null,
      app ?? null,
    ])
    const list = out ? outgoing : incoming
    const idx = list.findIndex((e) => e.key === key)
    const same = list[idx]
    // what ufw's set_rule does: delete removes the rule with the same action only; adding a rule
    // that exists skips it, or with another action updates it in place; insert skips it either way
    if (del) {
      if (same?.action === action) list.splice(idx, 1)
      continue
    }
    if (action === 'limit') warnings.push(rateNote(file, line, [`ufw limit`], false))
    const entry = { key, action, rule: finishRule(draft, { file, line, text: raw }) }
    if (same) {
      if (same.action !== action && position === undefined) list[idx] = entry
    } else if (position !== undefined) list.splice(position - 1, 0, entry)
    else list.push(entry)
  }
  for (const [path, { line, count }] of otherFiles)
    note(
      line,
      `writes ${path}${count > 1 ? ` (${count} lines)` : ''}, which this reader does not read: what it adds to ufw's rules is not in this reading`,
    )
  if (!sawUfw)
    throw new PolicyError('ERR_POLICY_CONFIG', `${file}:1: no 'ufw' commands`, { file, line: 1 })
  if (disabled !== undefined)
    throw new PolicyError(
      'ERR_POLICY_CONFIG',
      `${file}:${disabled}: 'ufw disable' and no 'ufw enable' after it: ufw filters nothing`,
      { file, line: disabled },
    )
  if (ipv6Off !== undefined)
    warnings.push({
      file,
      line: ipv6Off,
      message: `IPV6=no in /etc/default/ufw: ufw then drops every IPv6 packet to and from this host but on lo, whatever its rules say; read as such (set IPV6=yes and run 'ufw reload' for its rules to hold for IPv6)`,
    })
  const off = (hook: 'input' | 'output') =>
    ipv6Off === undefined ? [] : [ufwIpv6Off(file, ipv6Off, hook)]
  return {
    file,
    format: 'ufw-commands',
    layer: 'host',
    families: [4, 6],
    chains: [
      {
        name: 'ufw incoming',
        rules: [
          ...off('input'),
          ...ufwBeforeRules(file, defaults.inLine, ipv6Off === undefined ? [4, 6] : [4]),
          ...incoming.map((e) => e.rule),
        ],
        hook: 'input',
        priority: 0,
        policy: defaults.in,
        policyLine: defaults.inLine,
      },
      {
        name: 'ufw outgoing',
        rules: [...off('output'), ...outgoing.map((e) => e.rule)],
        hook: 'output',
        priority: 0,
        policy: defaults.out,
        policyLine: defaults.outLine,
      },
    ],
    published,
    warnings: warnings.sort((a, b) => a.line! - b.line!),
  }
}
