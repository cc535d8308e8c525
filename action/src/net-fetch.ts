/**
 * @module The network of the Action and the CLI: one `fetch` for feed downloads and GitHub API
 * calls alike, through undici's EnvHttpProxyAgent, so `HTTPS_PROXY` / `https_proxy`,
 * `HTTP_PROXY` / `http_proxy` and `NO_PROXY` / `no_proxy` apply the same way to both. A failure
 * reached through a proxy names the proxy (its credentials masked).
 */
import { EnvHttpProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici'

type UndiciInit = NonNullable<Parameters<typeof undiciFetch>[1]>

/** Proxy variables as the environment has them. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

/**
 * The proxy that applies to `url` under `env`, with the same rules as undici's
 * EnvHttpProxyAgent: lower-case names first; `NO_PROXY` entries are `*`, a host (which also
 * covers its subdomains; a leading `.` or `*.` is ignored), or `host:port`.
 */
export function proxyFor(url: string, env: ProxyEnv): string | undefined {
  const u = new URL(url)
  const http = env.http_proxy ?? env.HTTP_PROXY
  const proxy = u.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY ?? http) : http
  if (!proxy) return undefined
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? ''
  if (noProxy.trim() === '*') return undefined
  // As undici compares: IPv6 hosts keep their brackets (`no_proxy=[::1]`).
  const host = u.hostname.toLowerCase()
  const port = Number(u.port) || DEFAULT_PORTS[u.protocol]
  for (const entry of noProxy.split(/[,\s]/)) {
    if (entry === '') continue
    const m = /^(.+):(\d+)$/.exec(entry)
    const name = (m ? m[1]! : entry).replace(/^\*?\./, '').toLowerCase()
    if (m && Number(m[2]) !== port) continue
    if (host === name || host.endsWith(`.${name}`)) return undefined
  }
  return proxy
}

/** A proxy URL fit to print: user and password masked. */
export function maskProxy(proxy: string): string {
  try {
    const u = new URL(proxy)
    if (u.username || u.password) {
      u.username = '***'
      u.password = ''
    }
    return u.href.replace(/\/$/, '')
  } catch {
    return '(an unparseable proxy URL)'
  }
}

/** The messages of an error and its causes, each once, outermost first. */
function detailOf(error: Error): string {
  const messages: string[] = []
  for (let e: unknown = error; e instanceof Error; e = e.cause)
    if (!messages.includes(e.message)) messages.push(e.message)
  return messages.join(': ')
}

/**
 * A `fetch` through the proxies `env` names. Aborts and timeouts are passed on as they are (their
 * names matter to callers); other failures through a proxy become an Error whose message ends
 * with `(through the proxy URL)`.
 */
export function createNetFetch(env: ProxyEnv): typeof fetch {
  let dispatcher: Dispatcher | undefined
  const agent = () =>
    (dispatcher ??= new EnvHttpProxyAgent({
      httpProxy: env.http_proxy ?? env.HTTP_PROXY ?? '',
      httpsProxy: env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY ?? '',
      noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
    }))
  const netFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    try {
      // undici's Response and Request are the same classes Node's globals are built from.
      const options = { ...(init as UndiciInit), dispatcher: agent() }
      const res: unknown = await undiciFetch(url, options)
      return res as Response
    } catch (error) {
      const proxy = proxyFor(url, env)
      if (!(error instanceof Error) || proxy === undefined) throw error
      if (error.name === 'AbortError' || error.name === 'TimeoutError') throw error
      const detail = `${detailOf(error)} (through the proxy ${maskProxy(proxy)})`
      // Not a TypeError: Octokit would report the cause's message instead of this one.
      throw new Error(detail, { cause: error })
    }
  }
  return netFetch
}
