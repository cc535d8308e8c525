/**
 * @module A server namespace with one peer namespace per interface, for probing a real firewall
 * file from several interfaces at once: the server end of each link carries the name the rules
 * use (`eth0`, `docker0`, ...), containers a DNAT sends to sit in the peer behind their bridge,
 * neighbours are static (a ruleset that drops ICMPv6 cannot cut the link off), and one process
 * per namespace listens on every port, or runs a whole batch of TCP/UDP probes concurrently.
 *
 * ```ts
 * const lab = createKernelLab('asr-kt', { interfaces: ['eth0', 'docker0'], local: ['192.0.2.1'],
 *   sources: ['198.51.100.10'], containers: [{ address: '203.0.113.2', bridge: 'docker0' }] })
 * try {
 *   lab.run('nft', ['-f', '-'], text)
 *   await lab.listen([22, 80], [53])
 *   const r = await lab.probe('eth0', [{ from: '198.51.100.10', to: '192.0.2.1', port: 22, protocol: 'tcp' }])
 * } finally {
 *   await lab.destroy()
 * }
 * ```
 * Documentation addresses only (the caller's); needs root.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** One probe: a TCP connect or a UDP exchange from a source address to this host's address. */
export interface LabProbe {
  readonly from: string
  readonly to: string
  readonly port: number
  readonly protocol: 'tcp' | 'udp'
}

/** What a probe ended in: connected (or answered), refused (RST / ICMP), timeout, error. */
export type LabResult = 'connected' | 'refused' | 'timeout' | 'error'

/** The namespaces and what runs in them. */
export interface KernelLab {
  readonly server: string
  /** Runs a command in the server namespace; throws with stderr on a non-zero exit. */
  readonly run: (command: string, args: string[], input?: string) => SpawnSyncReturns<string>
  readonly tryRun: (command: string, args: string[], input?: string) => SpawnSyncReturns<string>
  /**
   * Listens on the ports in the server namespace and in every container's; the server answers
   * UDP on `hosts` (default its `local` addresses; a link-local one with its zone, `fe80::1%eth0`).
   */
  readonly listen: (
    tcp: readonly number[],
    udp: readonly number[],
    hosts?: readonly string[],
  ) => Promise<void>
  /** The namespace of the probe client behind `iface` (to give it an address of its own). */
  readonly client: (iface: string) => string
  /**
   * Routes the sources' replies by `iface` and runs the probes from its peer, all at once; with
   * `sport`, from that source port (the client's own SNAT: a client picks its port, and a rule
   * on `--sport` lets in whoever picks the right one).
   */
  readonly probe: (
    iface: string,
    probes: readonly LabProbe[],
    timeoutMs: number,
    sport?: number,
  ) => Promise<LabResult[]>
  readonly destroy: () => Promise<void>
}

/** What to build. */
export interface LabSpec {
  /** Server-side interface names, each with a peer namespace behind it. */
  readonly interfaces: readonly string[]
  /** This host's addresses (on lo). */
  readonly local: readonly string[]
  /** Probe source addresses, held by every peer (only the routed one gets replies). */
  readonly sources: readonly string[]
  /** DNAT targets, each in the peer of its bridge (one of `interfaces`). */
  readonly containers: readonly { address: string; bridge: string }[]
}

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`
const v6 = (a: string) => a.includes(':')
const host = (a: string) => `${a}/${v6(a) ? 128 : 32}`

function sh(command: string, args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, PATH },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  })
}

function must(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0)
    throw new Error(`${what} exited ${r.status ?? r.signal}: ${r.stderr || r.error?.message || ''}`)
  return r
}

/** `ip -batch` in a namespace: one process for many commands. */
function ipBatch(ns: string, lines: readonly string[]) {
  if (lines.length > 0)
    must(
      sh('ip', ['-n', ns, '-force', '-batch', '-'], lines.join('\n') + '\n'),
      `ip -n ${ns} -batch`,
    )
}

const LISTENER = `
const net = require('node:net'), dgram = require('node:dgram')
const { tcp, udp, hosts } = JSON.parse(process.argv[1])
let pending = tcp.length + udp.length * hosts.length
const ready = () => { if (--pending === 0) process.stdout.write('ready\\n') }
if (pending === 0) process.stdout.write('ready\\n')
for (const port of tcp) {
  const s = net.createServer((c) => { c.on('error', () => {}); c.end('ok') })
  s.on('error', (e) => { process.stderr.write('tcp ' + port + ' ' + e.message + '\\n'); ready() })
  s.listen({ host: '::', port, ipv6Only: false }, ready)
}
// UDP per address: an answer must come from the address the probe was sent to
for (const h of hosts) for (const port of udp) {
  const s = dgram.createSocket(h.includes(':') ? 'udp6' : 'udp4')
  s.on('message', (m, r) => s.send('ok', r.port, r.address))
  s.on('error', (e) => { process.stderr.write('udp ' + h + ' ' + port + ' ' + e.message + '\\n'); ready() })
  s.bind({ address: h, port }, ready)
}
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
`

const PROBER = `
const net = require('node:net'), dgram = require('node:dgram')
let input = ''
process.stdin.on('data', (d) => (input += d))
process.stdin.on('end', async () => {
  const { probes, ms } = JSON.parse(input)
  // An error of the probe's own, not a RST or a timeout (seen in full test runs on a busy
  // machine; its code goes to stderr), is no verdict: such a probe is tried again after a pause,
  // four times at most.
  const one = async (p) => {
    let r = await once(p)
    for (let i = 0; i < 4 && r === 'error'; i++) {
      await new Promise((w) => setTimeout(w, 2000))
      r = await once(p)
    }
    return r
  }
  const once = (p) => new Promise((resolve) => {
    let done = false
    const finish = (r, close) => { if (done) return; done = true; clearTimeout(t); close(); resolve(r) }
    let close = () => {}
    const t = setTimeout(() => finish('timeout', close), ms)
    if (p.protocol === 'tcp') {
      const s = net.connect({ host: p.to, port: p.port, localAddress: p.from })
      close = () => s.destroy()
      s.on('connect', () => finish('connected', close))
      s.on('error', (e) => {
        if (e.code !== 'ECONNREFUSED') process.stderr.write(p.from + ' -> ' + p.port + ' ' + e.code + '\\n')
        finish(e.code === 'ECONNREFUSED' ? 'refused' : 'error', close)
      })
    } else {
      const s = dgram.createSocket(p.to.includes(':') ? 'udp6' : 'udp4')
      close = () => { try { s.close() } catch {} }
      s.on('error', (e) => finish(e.code === 'ECONNREFUSED' ? 'refused' : 'error', close))
      s.on('message', () => finish('connected', close))
      s.bind({ address: p.from, port: 0 }, () => s.connect(p.port, p.to, () => s.send('x')))
    }
  })
  const out = new Array(probes.length)
  let next = 0
  const worker = async () => { while (next < probes.length) { const k = next++; out[k] = await one(probes[k]) } }
  await Promise.all(Array.from({ length: 256 }, worker))
  process.stdout.write(JSON.stringify(out))
})
`

function nodeIn(ns: string, script: string, arg = ''): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, arg], {
    env: { ...process.env, PATH },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

function startListener(
  ns: string,
  tcp: readonly number[],
  udp: readonly number[],
  hosts: readonly string[],
) {
  return new Promise<ChildProcess>((resolve, reject) => {
    const child = nodeIn(ns, LISTENER, JSON.stringify({ tcp, udp, hosts }))
    let err = ''
    // a minute: node starts slowly on a loaded 2-core machine
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`listener in ${ns} did not start: ${err}`))
    }, 60_000)
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout!.on('data', (d: Buffer) => {
      if (!d.toString().includes('ready')) return
      clearTimeout(timer)
      if (err) reject(new Error(`listener in ${ns}: ${err}`))
      else resolve(child)
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`listener in ${ns} exited ${code}: ${err}`)))
  })
}

function runProber(ns: string, probes: readonly LabProbe[], ms: number): Promise<LabResult[]> {
  return new Promise((resolve, reject) => {
    const child = nodeIn(ns, PROBER)
    let out = ''
    let err = ''
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    child.once('error', reject)
    child.once('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exited ${code}`)
        const results = JSON.parse(out) as LabResult[]
        if (results.length !== probes.length) throw new Error(`${results.length} results`)
        // the codes of probes that failed on their own side (retried), for the log
        if (err !== '') console.warn(`prober in ${ns}, errors of its own:\n${err}`)
        resolve(results)
      } catch (error) {
        reject(new Error(`prober in ${ns}: ${String(error)}: ${err}`, { cause: error }))
      }
    })
    child.stdin!.end(JSON.stringify({ probes, ms }))
  })
}

function macOf(ns: string, dev: string): string {
  const r = must(sh('ip', ['-n', ns, '-j', 'link', 'show', dev]), `link ${dev}`)
  return (JSON.parse(r.stdout) as { address: string }[])[0]!.address
}

/** Runs `ip link add A netns X type veth peer name B netns Y` under unique names, then renames. */
function veth(id: string, a: { ns: string; name: string }, b: { ns: string; name: string }) {
  const ta = `ktA${id}`
  const tb = `ktB${id}`
  must(
    sh('ip', ['link', 'add', ta, 'netns', a.ns, 'type', 'veth', 'peer', 'name', tb, 'netns', b.ns]),
    `veth ${a.name}`,
  )
  ipBatch(a.ns, [`link set ${ta} name ${a.name}`, `link set ${a.name} up`])
  ipBatch(b.ns, [`link set ${tb} name ${b.name}`, `link set ${b.name} up`])
}

/** A peer's static routes and neighbours: every other address is the server's, on `dev`. */
function peerSetup(
  ns: string,
  dev: string,
  own: readonly string[],
  remote: readonly string[],
  mac: string,
) {
  ipBatch(ns, [
    'link set lo up',
    ...own.map((a) => `addr add ${host(a)} dev ${dev}${v6(a) ? ' nodad' : ''}`),
    `route add default dev ${dev}`,
    `route add ::/0 dev ${dev}`,
    ...remote.map((a) => `neigh replace ${a} lladdr ${mac} dev ${dev} nud permanent`),
  ])
}

/**
 * Creates the namespaces `${prefix}-${id}-s` (server) and per interface k `-pk` (the probe
 * client); an interface with containers behind it gets a switch `-wk` (a bridge) joining the
 * client and a container namespace `-ck`, as docker0 joins containers. Throws after cleaning up.
 */
export function createKernelLab(prefix: string, spec: LabSpec): KernelLab {
  const id = randomBytes(3).toString('hex')
  const server = `${prefix}-${id}-s`
  const spaces = [server]
  const children: ChildProcess[] = []
  let destroyed = false
  const destroy = async () => {
    if (destroyed) return
    destroyed = true
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null) return r()
            c.once('exit', () => r())
            c.stdin?.end()
            setTimeout(() => c.kill('SIGKILL'), 3000).unref()
          }),
      ),
    )
    for (const ns of spaces) sh('ip', ['netns', 'del', ns])
  }
  const links: { name: string; client: string; clientMac: string; containers?: string }[] = []
  const add = (ns: string) => {
    must(sh('ip', ['netns', 'add', ns]), `netns add ${ns}`)
    spaces.push(ns)
    return ns
  }
  try {
    must(sh('ip', ['netns', 'add', server]), `netns add ${server}`)
    ipBatch(server, [
      'link set lo up',
      // this host's addresses on lo: no dummy module here, and an address is local wherever it is
      ...spec.local.map((a) => `addr add ${host(a)} dev lo${v6(a) ? ' nodad' : ''}`),
    ])
    for (const [k, v] of Object.entries({
      'net.ipv4.ip_forward': '1',
      'net.ipv6.conf.all.forwarding': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.default.rp_filter': '0',
    }))
      must(sh('ip', ['netns', 'exec', server, 'sysctl', '-qw', `${k}=${v}`]), k)
    const all = [...spec.local, ...spec.sources, ...spec.containers.map((c) => c.address)]
    spec.interfaces.forEach((name, k) => {
      const client = add(`${prefix}-${id}-p${k}`)
      const mine = spec.containers.filter((c) => c.bridge === name).map((c) => c.address)
      let containers: string | undefined
      if (mine.length === 0) veth(`${id}${k}`, { ns: server, name }, { ns: client, name: 'p0' })
      else {
        const sw = add(`${prefix}-${id}-w${k}`)
        containers = add(`${prefix}-${id}-c${k}`)
        ipBatch(sw, ['link set lo up', 'link add b0 type bridge', 'link set b0 up'])
        veth(`${id}${k}a`, { ns: server, name }, { ns: sw, name: 's0' })
        veth(`${id}${k}b`, { ns: client, name: 'p0' }, { ns: sw, name: 's1' })
        veth(`${id}${k}c`, { ns: containers, name: 'p0' }, { ns: sw, name: 's2' })
        ipBatch(
          sw,
          ['s0', 's1', 's2'].map((d) => `link set ${d} master b0`),
        )
      }
      const serverMac = macOf(server, name)
      const clientMac = macOf(client, 'p0')
      const notOwn = (own: readonly string[]) => all.filter((a) => !own.includes(a))
      peerSetup(client, 'p0', spec.sources, notOwn(spec.sources), serverMac)
      if (containers) {
        peerSetup(containers, 'p0', mine, notOwn(mine), serverMac)
        const cMac = macOf(containers, 'p0')
        ipBatch(
          server,
          mine.flatMap((a) => [
            `route replace ${host(a)} dev ${name}`,
            `neigh replace ${a} lladdr ${cMac} dev ${name} nud permanent`,
          ]),
        )
      }
      links.push({ name, client, clientMac, ...(containers ? { containers } : {}) })
    })
  } catch (error) {
    void destroy()
    throw error
  }
  const link = (iface: string) => {
    const l = links.find((x) => x.name === iface)
    if (!l) throw new Error(`no interface ${iface} in the lab`)
    return l
  }
  const inServer = (command: string, args: string[], input?: string) =>
    sh('ip', ['netns', 'exec', server, command, ...args], input)
  return {
    server,
    run: (command, args, input) => must(inServer(command, args, input), `${server}: ${command}`),
    tryRun: inServer,
    listen: async (tcp, udp, hosts = spec.local) => {
      children.push(await startListener(server, tcp, udp, hosts))
      for (const l of links) {
        const mine = spec.containers.filter((c) => c.bridge === l.name).map((c) => c.address)
        if (l.containers) children.push(await startListener(l.containers, tcp, udp, mine))
      }
    },
    client: (iface) => link(iface).client,
    probe: async (iface, probes, timeoutMs, sport) => {
      const l = link(iface)
      // Each round starts with no connection state: a UDP exchange an earlier round's interface
      // accepted stays ESTABLISHED, and a probe whose random source port repeats its tuple would
      // ride it in past a rule that drops new traffic on this interface.
      must(inServer('conntrack', ['-F']), `${server}: conntrack -F`)
      ipBatch(
        server,
        spec.sources.flatMap((a) => [
          `route replace ${host(a)} dev ${iface}`,
          `neigh replace ${a} lladdr ${l.clientMac} dev ${iface} nud permanent`,
        ]),
      )
      if (sport === undefined) return runProber(l.client, probes, timeoutMs)
      const inClient = (cmd: string, args: string[]) =>
        must(sh('ip', ['netns', 'exec', l.client, cmd, ...args]), `${l.client}: ${cmd}`)
      for (const tool of ['iptables', 'ip6tables'])
        for (const p of ['tcp', 'udp'])
          inClient(tool, [
            '-t',
            'nat',
            '-A',
            'POSTROUTING',
            '-p',
            p,
            '-j',
            'SNAT',
            '--to-source',
            `:${sport}`,
          ])
      try {
        return await runProber(l.client, probes, timeoutMs)
      } finally {
        for (const tool of ['iptables', 'ip6tables'])
          inClient(tool, ['-t', 'nat', '-F', 'POSTROUTING'])
      }
    },
    destroy,
  }
}
