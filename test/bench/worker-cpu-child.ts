/**
 * @module Child of worker-cpu.bench.ts: WebAssembly removed before shared/ loads (workerd refuses
 * to compile Wasm from bytes, so the readers take their JavaScript path there too), then the CPU
 * time of each sync-queue invocation's work (cpuSamples: on the isolate's thread, and for the
 * whole process): syncFeeds over one upstream source's feeds, bodies from the fixtures in memory.
 * Prints JSON on stdout. Arguments: RUNS [GROUP] (a source group's index in sourceGroups, or
 * `today`: the parent runs each in a child of its own, so the heap holds one source's data, as an
 * isolate does, not every fixture's).
 */
// Type-only: erased, so shared/ still loads after WebAssembly is gone.
import type { Calls, Cpu } from './worker-cpu.bench.ts'
import type { FeedDefinition } from '../../shared/src/feeds/index.ts'

delete (globalThis as { WebAssembly?: unknown }).WebAssembly

const { existsSync, readFileSync } = await import('node:fs')
const { createHash } = await import('node:crypto')
const path = await import('node:path')
const { BUILTIN_FEEDS } = await import('../../shared/src/feeds/index.ts')
const { sourceGroups } = await import('../../worker/src/jobs/source-groups.ts')
const { bySteps, collectPlanGarbage, planSteps } = await import('./worker-cpu-steps.ts')
const { VERSIONS } = await import('./feeds.bench.ts')
const { FIXTURES } = await import('./harness.ts')
const { fixtureMirrorLayout, LATEST_FIXTURES } = await import('../scripts/mirror-server.ts')

const runs = Number(process.argv[2] ?? '7')

/** Bytes a body arrives in, a chunk at a time (as workerd reads a socket: 64 KiB at most). */
const CHUNK = 64 * 1024

/**
 * Each response's body is a byte stream with its Content-Length, as a fetch body is in workerd:
 * a BYOB read (the fetcher's, into the isolate's kept memory) is filled in place, 64 KiB at most
 * a read, as a socket read into the caller's buffer; a default read gets fresh 64 KiB chunks, as
 * a socket read allocates them. (`new Response(bytes)` would copy the whole body twice in undici
 * before the first read, a cost and a garbage-collection pressure no Worker has.)
 */
function memoryFetch(bodies: Map<string, Uint8Array<ArrayBuffer>>) {
  return (url: string) => {
    // As the mirror does: by URL, or without its query string (Imperva, Azure's page).
    const body = bodies.get(url) ?? bodies.get(url.split('?', 1)[0]!)
    if (!body) throw new Error(`no fixture for ${url}`)
    let at = 0
    const stream = new ReadableStream({
      type: 'bytes',
      pull(controller) {
        if (at >= body.length) {
          controller.close()
          return controller.byobRequest?.respond(0)
        }
        const into = controller.byobRequest
        if (into?.view) {
          const view = into.view
          const n = Math.min(view.byteLength, CHUNK, body.length - at)
          new Uint8Array(view.buffer, view.byteOffset, n).set(body.subarray(at, at + n))
          at += n
          return into.respond(n)
        }
        controller.enqueue(body.slice(at, at + CHUNK))
        at += CHUNK
      },
    })
    const headers = { 'content-length': String(body.length) }
    return Promise.resolve(new Response(stream, { status: 200, headers }))
  }
}

/**
 * workerd's `crypto.subtle.digest` hashes synchronously, on the isolate's thread, without copying
 * its input (cloudflare/workerd src/workerd/api/crypto/crypto.c++, "NOTE(perf)"); Node's copies
 * the input first. The same SHA-256, as workerd runs it: node:crypto's, synchronous, no copy.
 */
function digestAsWorkerd(): void {
  const subtle = globalThis.crypto.subtle
  const native = subtle.digest.bind(subtle)
  subtle.digest = (algorithm: AlgorithmIdentifier, data: BufferSource) => {
    if (algorithm !== 'SHA-256') return native(algorithm, data)
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data)
    const digest = createHash('sha256').update(bytes).digest()
    return Promise.resolve(digest.buffer.slice(digest.byteOffset, digest.byteOffset + 32))
  }
}
digestAsWorkerd()

/** Calls before the first window: V8 has optimised the readers (a lukewarm isolate). */
const WARM_UP = 10

/**
 * Calls before the second window (a warm isolate): by then V8's young generation has grown to its
 * size and every page of it has been touched once. Measured on GitHub's meta: about 680 page
 * faults a call in calls 11 to 16 (the young generation's new pages, touched for the first time),
 * 37 a call from call 20 on, for 40 calls.
 */
const SETTLED_AFTER = 30

/** Linux's CPU time of each thread: the first field, nanoseconds on the CPU. */
const SCHEDSTAT = '/proc/thread-self/schedstat'
const HAVE_SCHEDSTAT = existsSync(SCHEDSTAT)
const nap = new Int32Array(new SharedArrayBuffer(4))

/**
 * This thread's CPU ms so far, after a 1 ms sleep: Linux brings a running thread's figure up to
 * date only when the thread leaves the CPU (read without one, it lags by up to a scheduler tick).
 */
function threadCpuMs(): number {
  Atomics.wait(nap, 0, 0, 1)
  return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ', 1)[0]) / 1e6
}

/**
 * CPU ms of each of `runs` calls of `fn`, twice: after WARM_UP calls (lukewarm), and after
 * SETTLED_AFTER calls (warm, in `warm`). On this thread, the isolate's (what workerd's CPU limit
 * counts: its crypto runs synchronously there because a request using several cores "would
 * greatly complicate our implementation of request CPU limits", crypto.c++), and for the whole
 * process, V8's helper threads too (concurrent marking and sweeping, parallel scavenges,
 * optimising compilers): an upper bound. Without Linux's per-thread figure, both are the
 * process's. And the minor page faults of each call: fresh memory mapped on first touch (about
 * 12 µs each on this VM): V8's young generation as it grows, and objects in V8's large-object space
 * (over 128 KiB, mapped afresh each time). Bodies read into fresh memory faulted too (1,270 for a
 * 2.6 MB body and its chunks), until the worker kept its body memory (BodyMemory).
 */
async function cpuSamples(fn: () => Promise<unknown>): Promise<Cpu> {
  for (let i = 0; i < WARM_UP; i++) await fn()
  const lukewarm = await window(fn)
  for (let i = WARM_UP + runs; i < SETTLED_AFTER; i++) await fn()
  return { ...lukewarm, warm: await window(fn) }
}

async function window(fn: () => Promise<unknown>): Promise<Calls> {
  const cpu = { thread: [] as number[], process: [] as number[], faults: [] as number[] }
  for (let i = 0; i < runs; i++) {
    const thread = HAVE_SCHEDSTAT ? threadCpuMs() : 0
    const start = process.cpuUsage()
    const faults = process.resourceUsage().minorPageFault
    await fn()
    cpu.faults.push(process.resourceUsage().minorPageFault - faults)
    const d = process.cpuUsage(start)
    const whole = (d.user + d.system) / 1000
    cpu.process.push(whole)
    cpu.thread.push(HAVE_SCHEDSTAT ? threadCpuMs() - thread : whole)
  }
  return cpu
}

/** Every newest fixture by URL, Azure's discovered file included. */
const latest = Object.entries(fixtureMirrorLayout(LATEST_FIXTURES)).map(
  ([key, body]) => [`https://${key}`, new Uint8Array(body as Uint8Array)] as const,
)

/**
 * What one fresh page costs this thread: 16 MB of memory never touched (mmapped by the
 * allocator), touched a byte a page, CPU µs per minor fault. Each row's slowest call is read
 * against it: on this kind of VM a fault costs tens of times what it does on bare metal.
 */
function faultMicros(): number {
  const before = process.resourceUsage().minorPageFault
  const start = threadCpuMs()
  const fresh = Buffer.allocUnsafeSlow(16 << 20)
  for (let i = 0; i < fresh.length; i += 4096) fresh[i] = 1
  const ms = threadCpuMs() - start
  return (ms * 1000) / Math.max(1, process.resourceUsage().minorPageFault - before)
}
const faultUs = faultMicros()

/**
 * Each step of the source's sync (worker-cpu-steps.ts), measured in this process. In a run of
 * several sources (today's one invocation) the older versions are stored already.
 */
async function measure(feeds: readonly FeedDefinition[]) {
  const urls = [...new Set(feeds.flatMap((f) => f.sources.map((s) => s.url)))]
  const paired = urls.some((u) => VERSIONS[u] !== undefined)
  const load = (i: 0 | 1) =>
    new Map([
      ...latest,
      ...urls
        .filter((u) => VERSIONS[u] !== undefined)
        .map(
          (u) =>
            [
              u,
              new Uint8Array(readFileSync(path.join(FIXTURES, 'feeds', VERSIONS[u]![i]))),
            ] as const,
        ),
    ])
  const plan = await planSteps(
    feeds,
    { fetch: memoryFetch(load(1)) },
    paired ? { fetch: memoryFetch(load(0)) } : undefined,
  )
  collectPlanGarbage()
  const cpus: Cpu[] = []
  for (const step of plan.steps) cpus.push(await cpuSamples(step.run))
  return bySteps(plan, cpus)
}

const groups = sourceGroups(BUILTIN_FEEDS)
const byId = new Map(BUILTIN_FEEDS.map((f) => [f.id, f]))
const perSource = []
// GROUP (the second argument): one source group by its index, or `today`; without it, every
// group then today. WORKER_CPU_ONLY=TEXT: only the sources whose URL contains TEXT (--cpu-prof).
const group = process.argv[3]
const only = process.env.WORKER_CPU_ONLY
for (const [i, ids] of groups.entries()) {
  const feeds = ids.map((id) => byId.get(id)!)
  if (group !== undefined && group !== String(i)) continue
  if (only && !feeds.some((f) => f.sources.some((s) => s.url.includes(only)))) continue
  const label = [
    ...new Set(feeds.flatMap((f) => f.sources.map((s) => s.url.replace(/^https:\/\//, '')))),
  ]
  perSource.push({ label: `${label.join(' + ')} (${ids.length} feeds)`, ...(await measure(feeds)) })
}
const wasm = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly
const measureToday = (group === undefined && !only) || group === 'today'
const today = measureToday ? await measure(BUILTIN_FEEDS) : undefined
process.stdout.write(
  JSON.stringify({ wasm, clock: HAVE_SCHEDSTAT ? 'thread' : 'process', faultUs, perSource, today }),
)
