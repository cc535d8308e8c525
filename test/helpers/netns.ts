/**
 * @module A client/server pair of network namespaces joined by a veth link, with documentation
 * addresses only, for tests that load real firewall rules and prove who can connect.
 *
 * ```ts
 * const why = netnsSkipReason('nft')          // undefined when root and the tools are there
 * const pair = createNetnsPair('asr-render', {
 *   server: ['192.0.2.1', '2001:db8::1'],
 *   client: ['198.51.100.10', '203.0.113.10', '2001:db8:1::10', '2001:db8:2::10'],
 * })
 * try {
 *   pair.run('server', 'nft', ['-f', '-'], rulesetText)       // throws with stderr on failure
 *   const server = await pair.listen('192.0.2.1')             // a TCP echo-less listener, port 0
 *   await pair.connect({ from: '198.51.100.10', to: '192.0.2.1', port: server.port }) // 'connected'
 *   await server.stop()
 * } finally {
 *   pair.destroy()                                            // always: deletes both namespaces
 * }
 * ```
 *
 * `connectInNamespace(pair.names.server, …)` connects from the server side itself (its loopback);
 * `connectLoopInNamespace` keeps connecting until stopped, to prove reloads drop nothing.
 *
 * Every address is put on the veth with a host prefix (/32, /128, `nodad`) and the other side gets
 * a host route to it through the link, so any mix of documentation ranges routes directly.
 * Namespace names start with the given prefix (make it your area: `asr-render`, `asr-policy`).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { IS_ROOT, missingTools } from './tools.ts'

/** The two sides. */
export type Side = 'client' | 'server'

/** What a connect attempt ended in. */
export type ConnectResult = 'connected' | 'timeout' | 'refused' | 'error'

/** A listener started inside the server namespace. */
export interface NetnsServer {
  /** The ephemeral port it listens on. */
  readonly port: number
  /** How many connections it accepted so far (read from the child's output). */
  readonly accepted: () => number
  readonly stop: () => Promise<void>
}

/** A created pair; call destroy() in afterAll / finally. */
export interface NetnsPair {
  /** Namespace names, e.g. `asr-render-1a2b3c-s`. */
  readonly names: Readonly<Record<Side, string>>
  /** Runs a command inside a side's namespace, feeding `input` on stdin; throws on a non-zero exit. */
  readonly run: (
    side: Side,
    command: string,
    args: string[],
    input?: string,
  ) => SpawnSyncReturns<string>
  /** Like run, but returns the result whatever the exit status. */
  readonly tryRun: (
    side: Side,
    command: string,
    args: string[],
    input?: string,
  ) => SpawnSyncReturns<string>
  /** Starts a TCP listener on `host` (port 0) in the server namespace. */
  readonly listen: (host: string) => Promise<NetnsServer>
  /** One TCP connect from the client namespace, bound to `from`, within `timeoutMs` (default 1500). */
  readonly connect: (o: {
    from: string
    to: string
    port: number
    timeoutMs?: number
  }) => Promise<ConnectResult>
  /** Deletes both namespaces (and so the veth link). Safe to call twice. */
  readonly destroy: () => void
}

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`

/**
 * Why namespace tests cannot run here (not root, `ip` or another named tool missing), or
 * undefined when they can. Print it with the skip.
 */
export function netnsSkipReason(...tools: string[]): string | undefined {
  if (!IS_ROOT) return 'skipped: network namespaces need root (CI runs these as root)'
  return missingTools('ip', ...tools)
}

function sh(command: string, args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, PATH },
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  })
}

function must(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) {
    throw new Error(`${what} exited ${r.status ?? r.signal}: ${r.stderr || r.error?.message || ''}`)
  }
  return r
}

const isV6 = (address: string) => address.includes(':')

const LISTENER = `
const net = require('node:net')
let n = 0
const server = net.createServer((s) => {
  s.on('error', () => {})
  n++
  process.stdout.write('accepted ' + n + '\\n')
  s.end('ok')
})
server.listen({ host: process.argv[1], port: Number(process.argv[2]) }, () => process.stdout.write('port ' + server.address().port + '\\n'))
process.stdin.on('end', () => server.close(() => process.exit(0)))
process.stdin.resume()
`

/** One connect attempt: from a source address to a host and port, within a timeout. */
export interface ConnectOptions {
  readonly from: string
  readonly to: string
  readonly port: number
  /** Default 1500. */
  readonly timeoutMs?: number
}

const CONNECTOR = `
const net = require('node:net')
const [to, port, from, ms] = process.argv.slice(1)
const s = net.connect({ host: to, port: Number(port), localAddress: from })
const done = (r) => { process.stdout.write(r); s.destroy(); process.exit(0) }
s.setTimeout(Number(ms), () => done('timeout'))
s.on('connect', () => done('connected'))
s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error:' + e.code))
`

/** Runs a Node script (`-e`) with its arguments inside the namespace `ns`. */
function nodeInNamespace(ns: string, script: string, args: readonly (string | number)[]) {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, ...args.map(String)], {
    env: { ...process.env, PATH },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/**
 * Starts a TCP listener on `host` and `port` (default 0: an ephemeral one) inside the namespace
 * `ns` (any namespace, e.g. a third one a test adds behind the server); resolves once it listens.
 */
export function listenInNamespace(ns: string, host: string, port = 0): Promise<NetnsServer> {
  return new Promise<NetnsServer>((resolve, reject) => {
    const child = nodeInNamespace(ns, LISTENER, [host, port])
    let out = ''
    let err = ''
    let accepted = 0
    let started = false
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    const timer = setTimeout(() => {
      child.kill()
      reject(new Error(`listener on ${host} did not start: ${err}`))
    }, 10_000)
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      // Count complete lines only, and forget them: a busy listener prints thousands.
      out += d.toString()
      const cut = out.lastIndexOf('\n') + 1
      const lines = out.slice(0, cut)
      out = out.slice(cut)
      accepted += (lines.match(/^accepted /gm) ?? []).length
      const m = /^port (\d+)$/m.exec(lines)
      if (m?.[1] !== undefined && !started) {
        started = true
        clearTimeout(timer)
        resolve({
          port: Number(m[1]),
          accepted: () => accepted,
          stop: async () => {
            child.stdin.end()
            const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
            await exited
            clearTimeout(killer)
          },
        })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`listener on ${host} exited ${code}: ${err}`))
    })
  })
}

/**
 * One TCP connect from inside the namespace `ns` (e.g. the server side, to try its loopback),
 * bound to `from`, within `timeoutMs` (default 1500).
 */
export function connectInNamespace(
  ns: string,
  { from, to, port, timeoutMs = 1500 }: ConnectOptions,
): Promise<ConnectResult> {
  return new Promise<ConnectResult>((resolve) => {
    const child = nodeInNamespace(ns, CONNECTOR, [to, port, from, timeoutMs])
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000)
    // 'close', not 'exit': the child writes its result and exits, and its exit can be reaped (with
    // another child's SIGCHLD) before its output is read; on 'exit' that read as 'no result'
    child.once('close', (code, signal) => {
      clearTimeout(killer)
      if (out === 'connected' || out === 'timeout' || out === 'refused') return resolve(out)
      // the cause of an 'error' (EADDRNOTAVAIL, a start-up failure, the killer) for the log
      process.stderr.write(
        `connect ${from} -> [${to}]:${port} in ${ns}: ${out || 'no result'} (exit ${code ?? signal}) ${err.trim().slice(0, 300)}\n`,
      )
      resolve('error')
    })
  })
}

/** What a connection loop saw: how many exchanges succeeded, and how each other one ended. */
export interface LoopResult {
  readonly completed: number
  readonly failed: readonly string[]
}

/** A running connection loop; stop() ends it and resolves to what it saw. */
export interface ConnectLoop {
  readonly stop: () => Promise<LoopResult>
}

const LOOP = `
const net = require('node:net')
const [to, port, from, ms] = process.argv.slice(1)
let stopping = false
let completed = 0
const failed = []
process.stdin.on('end', () => { stopping = true })
process.stdin.resume()
const once = () => new Promise((resolve) => {
  const s = net.connect({ host: to, port: Number(port), localAddress: from })
  let data = ''
  const done = (r) => { s.destroy(); resolve(r) }
  s.setTimeout(Number(ms), () => done('timeout'))
  s.on('data', (d) => { data += d })
  s.on('end', () => done(data === 'ok' ? 'ok' : 'short reply ' + JSON.stringify(data)))
  s.on('error', (e) => done('error ' + e.code))
})
;(async () => {
  process.stdout.write('started\\n')
  while (!stopping) {
    const r = await once()
    if (r === 'ok') completed++
    else failed.push(r)
  }
  process.stdout.write(JSON.stringify({ completed, failed }) + '\\n')
})()
`

/**
 * Starts a loop in the namespace `ns` that connects from `from` to `to`:`port` again and again,
 * each time reading the listener's whole reply ('ok') within `timeoutMs` (default 2000), until
 * stop(). Resolves once the loop runs. For proving that reloads drop no allowed connection.
 */
export function connectLoopInNamespace(ns: string, o: ConnectOptions): Promise<ConnectLoop> {
  return new Promise<ConnectLoop>((resolve, reject) => {
    const child = nodeInNamespace(ns, LOOP, [o.to, o.port, o.from, o.timeoutMs ?? 2000])
    let out = ''
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    // 'close': stop() reads the result line, which may still be in the pipe at 'exit'
    const exited = new Promise<void>((r) => child.once('close', () => r()))
    let started = false
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (!started && out.startsWith('started\n')) {
        started = true
        resolve({
          stop: async () => {
            child.stdin.end()
            await exited
            const last = out.trim().split('\n').at(-1) ?? ''
            if (!last.startsWith('{'))
              throw new Error(`connection loop ended without a result: ${err}`)
            return JSON.parse(last) as LoopResult
          },
        })
      }
    })
    void exited.then(() => {
      if (!started) reject(new Error(`connection loop did not start: ${err}`))
    })
  })
}

/**
 * Creates the pair: namespaces `${prefix}-${random}-s` / `-c`, a veth link between them, loopback
 * up, the given addresses (documentation ranges only: the caller's responsibility) on each end
 * and host routes to the other end's addresses. Throws (after cleaning up) when any step fails.
 */
export function createNetnsPair(
  prefix: string,
  addresses: { server: readonly string[]; client: readonly string[] },
): NetnsPair {
  const id = randomBytes(3).toString('hex')
  const names = { server: `${prefix}-${id}-s`, client: `${prefix}-${id}-c` }
  // Interface names hold 15 characters.
  const dev = { server: `asv${id}`, client: `acv${id}` }
  let destroyed = false
  const destroy = () => {
    if (destroyed) return
    destroyed = true
    for (const ns of Object.values(names)) sh('ip', ['netns', 'del', ns])
  }
  const inNs = (side: Side, command: string, args: string[], input?: string) =>
    sh('ip', ['netns', 'exec', names[side], command, ...args], input)
  try {
    for (const ns of Object.values(names))
      must(sh('ip', ['netns', 'add', ns]), `ip netns add ${ns}`)
    must(
      sh('ip', [
        'link',
        'add',
        dev.server,
        'netns',
        names.server,
        'type',
        'veth',
        'peer',
        'name',
        dev.client,
        'netns',
        names.client,
      ]),
      'ip link add veth',
    )
    for (const side of ['server', 'client'] as const) {
      const other = side === 'server' ? 'client' : 'server'
      must(inNs(side, 'ip', ['link', 'set', 'lo', 'up']), `${side}: lo up`)
      must(inNs(side, 'ip', ['link', 'set', dev[side], 'up']), `${side}: ${dev[side]} up`)
      for (const a of addresses[side]) {
        const extra = isV6(a) ? ['nodad'] : []
        must(
          inNs(side, 'ip', [
            'addr',
            'add',
            `${a}/${isV6(a) ? 128 : 32}`,
            'dev',
            dev[side],
            ...extra,
          ]),
          `${side}: addr ${a}`,
        )
      }
      for (const a of addresses[other]) {
        must(
          inNs(side, 'ip', ['route', 'add', `${a}/${isV6(a) ? 128 : 32}`, 'dev', dev[side]]),
          `${side}: route ${a}`,
        )
      }
    }
  } catch (error) {
    destroy()
    throw error
  }

  const listen = (host: string) => listenInNamespace(names.server, host)

  const connect = (o: ConnectOptions) => connectInNamespace(names.client, o)

  return {
    names,
    run: (side, command, args, input) =>
      must(inNs(side, command, args, input), `${names[side]}: ${command} ${args.join(' ')}`),
    tryRun: inNs,
    listen,
    connect,
    destroy,
  }
}
