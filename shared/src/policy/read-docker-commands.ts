/**
 * @module The Docker commands of a shell script beside ufw (read-ufw-commands.ts). Docker's NAT
 * rules send a published port to its container before ufw's input rules see the packet, so
 * `docker run -p 80:80` opens port 80 whatever ufw allows (docs.docker.com, "Docker and ufw"),
 * unless dockerd runs with `"iptables": false` in /etc/docker/daemon.json. The ports a
 * `docker run` or `docker create` publishes are read as a compose file's are (the evaluator's
 * published-port path); what other Docker commands publish is reported, not read.
 */
import { parseShortSyntax } from './read-compose.ts'
import type { PublishedPort } from './types.ts'

/** The file dockerd reads its settings from, `"iptables"` among them. */
export const DOCKER_DAEMON_JSON = '/etc/docker/daemon.json'

/** What one Docker command of a script publishes, and what is said about it. */
export interface DockerReading {
  readonly published: readonly PublishedPort[]
  readonly notes: readonly string[]
}

/** `docker compose` and `docker stack` verbs that start containers. */
const STARTS = new Set(['up', 'create', 'start', 'restart', 'run', 'deploy'])

/**
 * Reads one command (`sudo` dropped) at `line` when it is Docker's; undefined when it is not.
 * `iptablesOff`: the line that wrote `"iptables": false` into daemon.json, if one did: published
 * ports then stay behind ufw's rules.
 */
export function readDockerCommand(
  words: readonly string[],
  line: number,
  iptablesOff: number | undefined,
): DockerReading | undefined {
  const tool = words[0]?.split('/').at(-1)
  const text = words.join(' ')
  const shown = `'${text.length > 80 ? `${text.slice(0, 79)}…` : text}'`
  if (tool === 'ufw-docker')
    return said(
      `${shown} is not read: ufw-docker writes ufw's after.rules and its rules for published ports (DOCKER-USER); give verify this host's iptables-save for them`,
    )
  if (
    tool === 'docker-compose' ||
    (tool === 'docker' && ['compose', 'stack'].includes(words[1]!))
  ) {
    if (!words.slice(tool === 'docker' ? 2 : 1).some((w) => STARTS.has(w))) return said()
    return said(
      `${shown} starts containers whose published ports go past ufw (Docker's NAT comes first): give verify the compose file too (format docker-compose)`,
    )
  }
  if (tool !== 'docker') return undefined
  const sub = words[1] === 'container' || words[1] === 'service' ? 2 : 1
  const verb = `${sub === 2 ? `${words[1]} ` : ''}${words[sub]}`
  const specs = publishFlags(words.slice(sub + 1))
  if (specs.length === 0) return said()
  if (words[1] === 'service')
    return said(
      `${shown} publishes through the swarm's routing mesh, past ufw: not modelled; give verify this host's iptables-save`,
    )
  if (
    verb !== 'run' &&
    verb !== 'create' &&
    verb !== 'container run' &&
    verb !== 'container create'
  )
    return said()
  const network = networkMode(words.slice(sub + 1))
  if (network === 'host')
    return said(
      `${shown} runs on the host's network: Docker discards its published ports, and the ports the container listens on are the host's, behind ufw's rules (read so)`,
    )
  if (iptablesOff !== undefined)
    return said(
      `${shown} publishes ports with dockerd's iptables off (line ${iptablesOff}): no NAT sends them past ufw, whose rules decide (read so)`,
    )
  const published: PublishedPort[] = []
  const notes: string[] = []
  for (const spec of specs) {
    const p = spec === 'all' ? 'all' : parseShortSyntax(spec)
    if (p === 'all')
      notes.push(
        `${shown} publishes every port its image exposes (-P), past ufw, on ephemeral host ports: not known here`,
      )
    else if (p === 'ephemeral')
      notes.push(`${shown} publishes '${spec}' on an ephemeral host port, past ufw: not known here`)
    else if (p === undefined)
      notes.push(`${shown}: '${spec}' is not [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]`)
    else if (p.hostIp?.startsWith('127.') || p.hostIp === '::1')
      notes.push(`${shown} publishes '${spec}' on ${p.hostIp} only: other hosts cannot reach it`)
    // Without a host address, or on 0.0.0.0: IPv4 only. On Docker's default bridge (no IPv6) an
    // IPv6 client reaches docker-proxy, a socket of the host's, through ufw's rules.
    else
      published.push({
        ...(p.hostIp === undefined || p.hostIp === '0.0.0.0' ? { families: [4] } : {}),
        ...p,
        service: `docker ${verb} (line ${line})`,
        line,
      })
  }
  if (published.length > 0)
    notes.push(
      `${shown} publishes ${published.map((p) => `${p.ports[0] === p.ports[1] ? p.ports[0] : p.ports.join('-')}/${p.protocol}`).join(', ')} past ufw: Docker's NAT sends ${published.length === 1 ? 'it' : 'them'} to the container before ufw's rules, so only a DOCKER-USER chain or "iptables": false in ${DOCKER_DAEMON_JSON} keeps ${published.length === 1 ? 'it' : 'them'} closed (read so)`,
    )
  return { published, notes }
}

function said(...notes: string[]): DockerReading {
  return { published: [], notes }
}

/** The values of `-p`/`--publish` (glued or not, `-dp 80:80`), and `all` for `-P`. */
function publishFlags(args: readonly string[]): string[] {
  const specs: string[] = []
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!
    const long = /^--publish(?:=(.*))?$/.exec(a)
    const short = /^-[a-zA-Z]*p(.*)$/.exec(a)
    if (long || (short && !a.startsWith('--'))) {
      const glued = long ? long[1] : short![1]
      const value = glued !== undefined && glued !== '' ? glued : args[++k]
      if (value !== undefined) specs.push(value)
    } else if (a === '--publish-all' || /^-[a-zA-Z]*P[a-zA-Z]*$/.test(a)) specs.push('all')
  }
  return specs
}

/** The last `--network`/`--net` value (`host`: the host's own network), or undefined. */
function networkMode(args: readonly string[]): string | undefined {
  let mode: string | undefined
  for (let k = 0; k < args.length; k++) {
    const flag = /^--(?:network|net)(?:=(.*))?$/.exec(args[k]!)
    if (flag) mode = flag[1] ?? args[++k]
  }
  return mode
}

/**
 * What a shell line that writes daemon.json (read-ufw-commands.ts tells) sets `"iptables"` to:
 * `off` for false, `on` for true, `unknown` when it names neither; the last value it names
 * (`sed -i 's/"iptables": true/"iptables": false/'` writes false).
 */
export function daemonIptables(raw: string): 'off' | 'on' | 'unknown' {
  const value = [...raw.matchAll(/\\?"iptables\\?"\s*:\s*(true|false)/g)].at(-1)?.[1]
  return value === 'false' ? 'off' : value === 'true' ? 'on' : 'unknown'
}
