/**
 * @module worker-cpu.bench.ts in workerd itself: the runtime `wrangler dev` and Cloudflare run,
 * its V8 and its heap, workerd's fetch reading bodies from a mirror on loopback, its WebCrypto,
 * and Wasm refused as Workers refuse it (the readers' JavaScript path). Each source group runs in
 * a workerd process of its own (a fresh isolate holding one source's data), the steps of
 * worker-cpu-steps.ts one request each (workerd/entry.ts), and the CPU of each request
 * is read from outside, per thread, in Linux's /proc: the isolate's is workerd's main thread
 * (workerd runs its event loop and the isolate on one thread; V8's helpers are the others).
 *
 * Not in the figures: KV and D1 (a read step gets its pieces as fresh copies, as KV's get gives;
 * a judge step its parts as strings, as D1 gives), which run outside the isolate on Cloudflare,
 * and the D1 binding's own JavaScript. In them: workerd's handling of the request itself (the
 * `/noop` row: well under 1 ms), and the worker's own JavaScript around D1 in a sync (its
 * snapshots' lists parsed from their rows, its outcomes encoded for storing: workerd/store.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from 'esbuild'
import { BUILTIN_FEEDS } from '../../shared/src/feeds/index.ts'
import { sourceGroups } from '../../worker/src/jobs/source-groups.ts'
import { fixtureMirrorLayout, LATEST_FIXTURES, startMirror } from '../scripts/mirror-server.ts'
import { VERSIONS } from './feeds.bench.ts'
import { FIXTURES } from './harness.ts'
import type { Calls, Cpu } from './worker-cpu.bench.ts'
import { bySteps, type StepKind } from './worker-cpu-steps.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
const ENTRY = path.join(import.meta.dirname, 'workerd/entry.ts')

/** Calls before the lukewarm window, and before the warm one (as worker-cpu-child.ts). */
const WARM_UP = 10
const SETTLED_AFTER = 30

/** The worker's compatibility date (wrangler.toml), so workerd runs it as the worker runs. */
function compatibilityDate(): string {
  const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8')
  return /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(toml)![1]!
}

/** The workerd binary wrangler and miniflare run, or why there is none. */
function workerdBinary(): string | { skip: string } {
  if (!existsSync('/proc/thread-self/schedstat'))
    return { skip: "no per-thread CPU clock here (Linux's /proc)" }
  try {
    const { default: bin } = createRequire(import.meta.url)('workerd') as { default: string }
    return existsSync(bin) ? bin : { skip: `workerd's binary is not at ${bin}` }
  } catch (error) {
    return { skip: `workerd is not installed (${String(error)})` }
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** One workerd process serving the bundled entry; its threads' CPU and its page faults. */
class Workerd {
  readonly #child: ChildProcess
  readonly #base: string
  private constructor(child: ChildProcess, port: number) {
    this.#child = child
    this.#base = `http://127.0.0.1:${port}`
  }

  static async start(bin: string, config: string): Promise<Workerd> {
    const port = await freePort()
    const child = spawn(bin, ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const w = new Workerd(child, port)
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) break
      if (
        await w.get('/noop').then(
          (r) => r.ok,
          () => false,
        )
      ) {
        w.#mainThreadIsWorkerd()
        return w
      }
      await sleep(50)
    }
    w.stop()
    throw new Error(`workerd did not start: ${stderr.slice(0, 2000)}`)
  }

  /**
   * The isolate runs on workerd's main thread, the only one it names `workerd` (the others are
   * V8's platform threads): else the figures would be some other thread's.
   */
  #mainThreadIsWorkerd(): void {
    const dir = `/proc/${this.#child.pid}/task`
    const named = readdirSync(dir).filter(
      (tid) => readFileSync(`${dir}/${tid}/comm`, 'utf8').trim() === 'workerd',
    )
    if (named.length !== 1 || named[0] !== String(this.#child.pid))
      throw new Error(
        `workerd's threads named workerd are ${named.join(', ')}, not its main thread`,
      )
  }

  get(pathAndQuery: string): Promise<Response> {
    return fetch(this.#base + pathAndQuery)
  }

  /**
   * Each thread's CPU ms so far (Linux's schedstat: nanoseconds on the CPU, first field), by
   * thread id.
   */
  #threads(): Map<number, number> {
    const dir = `/proc/${this.#child.pid}/task`
    const cpu = new Map<number, number>()
    for (const tid of readdirSync(dir)) {
      try {
        const ns = readFileSync(`${dir}/${tid}/schedstat`, 'utf8').split(' ', 1)[0]
        cpu.set(Number(tid), Number(ns) / 1e6)
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    return cpu
  }

  /** Minor page faults so far (/proc/.../stat, field 10): of the isolate's thread. */
  #faults(): number {
    const stat = readFileSync(`/proc/${this.#child.pid}/task/${this.#child.pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7])
  }

  /**
   * CPU of one request: on the isolate's thread, in the whole process, and the isolate thread's
   * page faults. The isolate's thread is workerd's main thread (its event loop runs the isolate;
   * checked as workerd starts): what a Worker's CPU limit counts. V8's platform threads (`V8
   * DefaultWorke`: concurrent marking, sweeping, background compiles) are in the whole
   * process's figure only: on Cloudflare they serve every isolate of the machine, and a busy one
   * says nothing of this request (measured here: up to 8 ms of a helper in a call whose isolate
   * thread ran 2.9).
   */
  async call(pathAndQuery: string) {
    const isolate = this.#child.pid!
    const before = this.#threads()
    const faults = this.#faults()
    const response = await this.get(pathAndQuery)
    if (!response.ok) throw new Error(`${pathAndQuery}: HTTP ${response.status}`)
    await response.arrayBuffer()
    // Linux brings a thread's figure up to date when it leaves the CPU: after the response, let
    // it finish what follows and sleep.
    await sleep(2)
    let whole = 0
    const after = this.#threads()
    for (const [tid, ms] of after) whole += ms - (before.get(tid) ?? 0)
    const thread = after.get(isolate)! - before.get(isolate)!
    return { thread, process: whole, faults: this.#faults() - faults }
  }

  stop(): void {
    this.#child.kill('SIGKILL')
  }
}

/** `runs` calls of `path`, as one window. */
async function window(w: Workerd, pathAndQuery: string, runs: number): Promise<Calls> {
  const calls: Calls = { thread: [], process: [], faults: [] }
  for (let i = 0; i < runs; i++) {
    const c = await w.call(pathAndQuery)
    calls.thread.push(c.thread)
    calls.process.push(c.process)
    calls.faults.push(c.faults)
  }
  return calls
}

/** A step's windows, as worker-cpu-child.ts's cpuSamples takes them. */
async function samples(w: Workerd, pathAndQuery: string, runs: number): Promise<Cpu> {
  for (let i = 0; i < WARM_UP; i++) await w.call(pathAndQuery)
  const lukewarm = await window(w, pathAndQuery, runs)
  for (let i = WARM_UP + runs; i < SETTLED_AFTER; i++) await w.call(pathAndQuery)
  return { ...lukewarm, warm: await window(w, pathAndQuery, runs) }
}

/**
 * Every source group's steps in workerd, and a request that does nothing; or why it cannot run
 * here (then the bench says so and goes on with the Node child's figures).
 */
export async function measureInWorkerd(runs: number) {
  const bin = workerdBinary()
  if (typeof bin !== 'string') return bin
  const dir = mkdtempSync(path.join(tmpdir(), 'worker-cpu-workerd-'))
  const latest = fixtureMirrorLayout(LATEST_FIXTURES)
  const version = (i: 0 | 1) => ({
    ...latest,
    ...Object.fromEntries(
      Object.entries(VERSIONS).map(([url, pair]) => [
        url.replace(/^https:\/\//, ''),
        new Uint8Array(readFileSync(path.join(FIXTURES, 'feeds', pair[i]))),
      ]),
    ),
  })
  const [older, newer] = await Promise.all([startMirror(version(0)), startMirror(version(1))])
  try {
    await build({
      entryPoints: [ENTRY],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      outfile: path.join(dir, 'entry.js'),
      logLevel: 'error',
    })
    // Outbound fetches reach the mirrors on loopback only. `gc` is exposed for the entry to
    // collect what planning left (collectPlanGarbage), nothing else.
    writeFileSync(
      path.join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .bench),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
  v8Flags = ["--expose-gc"],
);
const bench :Workerd.Worker = (
  modules = [(name = "entry.js", esModule = embed "entry.js")],
  compatibilityDate = "${compatibilityDate()}",
  globalOutbound = "loopback",
);
`,
    )
    const config = path.join(dir, 'config.capnp')
    const perSource = []
    let noop: Cpu | undefined
    for (const [i, ids] of sourceGroups(BUILTIN_FEEDS).entries()) {
      const feeds = ids.map((id) => BUILTIN_FEEDS.find((f) => f.id === id)!)
      const urls = [...new Set(feeds.flatMap((f) => f.sources.map((s) => s.url)))]
      const paired = urls.some((u) => VERSIONS[u] !== undefined)
      // WORKER_CPU_ONLY=TEXT: only the sources whose URL contains TEXT (as the Node child).
      const only = process.env.WORKER_CPU_ONLY
      if (only && !urls.some((u) => u.includes(only))) continue
      const w = await Workerd.start(bin, config)
      try {
        noop ??= await samples(w, '/noop', runs)
        const query = `group=${i}&newer=${newer.url}${paired ? `&older=${older.url}` : ''}`
        const planned = await w.get(`/plan?${query}`)
        if (!planned.ok) throw new Error(`plan of group ${i}: ${await planned.text()}`)
        const plan = (await planned.json()) as {
          bytes: number
          first: boolean
          steps: { kind: StepKind; feed?: string }[]
        }
        const cpus: Cpu[] = []
        for (const k of plan.steps.keys()) cpus.push(await samples(w, `/run?step=${k}`, runs))
        const label = urls.map((u) => u.replace(/^https:\/\//, '')).join(' + ')
        perSource.push({
          label: `${label} (${ids.length} feeds)`,
          ...bySteps(plan, cpus),
        })
      } finally {
        w.stop()
      }
    }
    // The cron's invocation, in a workerd of its own: it enqueues, it holds no body.
    const w = await Workerd.start(bin, config)
    let cron: Cpu
    try {
      cron = await samples(w, '/cron', runs)
    } finally {
      w.stop()
    }
    return { noop: noop!, perSource, cron }
  } finally {
    await Promise.all([older.close(), newer.close()])
    rmSync(dir, { recursive: true, force: true })
  }
}
