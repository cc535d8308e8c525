/**
 * @module Issue 17, acceptance: the proxy formats proven where they are deployed. Real nginx (two
 * virtual hosts in one file), Apache (a `<Location>`), HAProxy (http and tcp mode) and Caddy (a
 * site of every shape: reverse_proxy, handle, handle_path, route, file_server, php_fastcgi) run on
 * loopback with the block written by the bundled CLI's `render --into` into the user's own config.
 * Clients bind to loopback source addresses (127.0.0.2 listed, 127.0.0.3 and ::1 not; loopback
 * because the traffic never leaves it): unlisted clients get 403 (or a closed connection) on every
 * path, listed ones reach the backend, the other site is unaffected, and after a feed change and a
 * reload the removed address is out and the added ones are in. Skips, printing why, where a
 * server binary is missing.
 */
import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { markerLines } from '../../../shared/src/index.ts'
import { cliPath } from '../../helpers/dist.ts'
import {
  eventually,
  freePort,
  httpGet,
  reloadGracefully,
  startFastCgiBackend,
  startHttpBackend,
  startServer,
  startTcpBackend,
  tcpRead,
  type Backend,
  type HttpOutcome,
  type ServerProcess,
} from '../../helpers/proxy-servers.ts'
import { IS_ROOT, missingTools } from '../../helpers/tools.ts'

const exec = promisify(execFile)
const dir = mkdtempSync(path.join(tmpdir(), 'asr-px-servers-'))
// Workers run as nobody where the test runs as root: they must read the static files.
chmodSync(dir, 0o755)
mkdirSync(path.join(dir, 'static'))
writeFileSync(path.join(dir, 'static/a.txt'), 'static-a')
writeFileSync(path.join(dir, 'index.html'), 'index-html')
writeFileSync(path.join(dir, 'index.php'), '<?php echo "never read: the FastCGI stand-in answers";')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Before the feed change: 127.0.0.2 listed; 127.0.0.3 and ::1 not. After: the reverse. */
const V1 = {
  list: '127.0.0.2\n2001:db8::/48\n',
  listed: ['127.0.0.2'],
  unlisted: ['127.0.0.3', '::1'],
}
const V2 = { list: '127.0.0.3\n::1\n', listed: ['127.0.0.3', '::1'], unlisted: ['127.0.0.2'] }
type Phase = typeof V1

/** Paths every guarded site is asked for, the odd ones included. */
const PATHS = [
  '/',
  '/api/users',
  '/static/a.txt',
  '/index.php',
  '/missing',
  '//api/users',
  '/api/%2e%2e/static/a.txt',
]
const MARKERS = markerLines('office')

let backend: Backend
beforeAll(async () => {
  backend = await startHttpBackend()
})
afterAll(() => backend?.close())

/** `allowlist-sync render --from LIST --format F --name office --into FILE`, written back. */
async function renderInto(format: string, file: string, list: string): Promise<string> {
  const listFile = path.join(dir, `${format}.list`)
  writeFileSync(listFile, list)
  const argv = [cliPath(), 'render', '--from', listFile, '--format', format, '--name', 'office']
  const { stdout } = await exec(process.execPath, [...argv, '--into', file])
  writeFileSync(file, stdout)
  return stdout
}

const denied = (r: HttpOutcome) => r === 'refused' || r === 'closed' || r.status === 403

/** A site to probe: its port, its Host header, and bodies expected for listed clients. */
interface Site {
  readonly port: number
  readonly host?: string
  readonly expect?: Readonly<Record<string, RegExp>>
}

/**
 * For each source of the phase: unlisted sources are denied on every path of every guarded site;
 * listed ones are not, and get `expect[path]` where given; the open site serves everyone.
 */
async function expectHolds(phase: Phase, guarded: readonly Site[], open?: Site) {
  for (const site of guarded) {
    for (const p of PATHS) {
      for (const from of phase.unlisted) {
        const r = await httpGet({ from, port: site.port, host: site.host, path: p })
        expect(denied(r), `${from} ${site.host ?? site.port} ${p}: ${JSON.stringify(r)}`).toBe(true)
      }
      for (const from of phase.listed) {
        const r = await httpGet({ from, port: site.port, host: site.host, path: p })
        expect(denied(r), `${from} ${site.host ?? site.port} ${p}: ${JSON.stringify(r)}`).toBe(
          false,
        )
        const want = site.expect?.[p]
        if (want !== undefined && r !== 'refused' && r !== 'closed')
          expect(r.body, `${from} ${p}`).toMatch(want)
      }
    }
  }
  if (open === undefined) return
  for (const from of [...phase.listed, ...phase.unlisted]) {
    const r = await httpGet({ from, port: open.port, host: open.host, path: '/api/users' })
    expect(r, `open site from ${from}`).toMatchObject({ status: 200, body: 'backend /api/users' })
  }
}

/** After a reload: wait until the first unlisted source of `phase` is turned away. */
async function reloaded(phase: Phase, port: number, host?: string) {
  const from = phase.unlisted[0]!
  const r = await eventually(() => httpGet({ from, port, host, path: '/' }), denied)
  expect(denied(r), `after reload, ${from}: ${JSON.stringify(r)}`).toBe(true)
}

function describeWhen(reason: string | undefined, name: string, fn: () => void) {
  if (reason === undefined) describe(name, fn)
  else {
    console.warn(`${name}: ${reason}`)
    describe.skip(`${name} (${reason})`, fn)
  }
}

describeWhen(missingTools('nginx'), 'nginx: two virtual hosts in one file', () => {
  let server: ServerProcess | undefined
  let port = 0
  const sites = path.join(dir, 'nginx-sites.conf')
  afterAll(() => server?.stop())

  it('unlisted clients get 403 on every path of a.test; b.test is untouched; a reload applies a feed change', async () => {
    port = await freePort()
    const listen = `    listen 127.0.0.1:${port};\n    listen [::1]:${port};\n`
    const proxy = `proxy_pass http://127.0.0.1:${backend.port};`
    // The user's file: markers inside server a.test, as the refusal asks; b.test has none.
    writeFileSync(
      sites,
      `server {\n${listen}    server_name a.test;\n    ${MARKERS.join('\n    ')}\n    location / { ${proxy} }\n    location /static/ { alias ${dir}/static/; }\n    location = /healthz { return 200 "healthz"; }\n}\nserver {\n${listen}    server_name b.test;\n    location / { ${proxy} }\n}\n`,
    )
    const spliced = await renderInto('nginx', sites, V1.list)
    expect(spliced).toMatch(/^ {4}allow 127\.0\.0\.2\/32;$/m)
    const conf = path.join(dir, 'nginx.conf')
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `  ${t}_temp_path ${dir}/nginx-${t};`)
      .join('\n')
    writeFileSync(
      conf,
      `error_log ${dir}/nginx-error.log;\npid ${dir}/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n${temp}\n  include ${sites};\n}\n`,
    )
    server = await startServer('nginx', ['-c', conf, '-p', `${dir}/`, '-g', 'daemon off;'], [port])
    const a = {
      port,
      host: 'a.test',
      expect: {
        '/': /^backend \/$/,
        '/static/a.txt': /^static-a$/,
        '/api/users': /^backend \/api\/users$/,
      },
    }
    await expectHolds(V1, [a], { port, host: 'b.test' })
    // nginx's documented phase order: return (rewrite phase) answers before allow/deny (access).
    expect(
      await httpGet({ from: '127.0.0.3', port, host: 'a.test', path: '/healthz' }),
    ).toMatchObject({ status: 200, body: 'healthz' })

    await renderInto('nginx', sites, V2.list)
    await reloadGracefully(server, 'SIGHUP')
    await reloaded(V2, port, 'a.test')
    await expectHolds(V2, [a], { port, host: 'b.test' })
  })
})

describeWhen(missingTools('apache2'), 'apache: a <Location> in one of two virtual hosts', () => {
  let server: ServerProcess | undefined
  afterAll(() => server?.stop())

  it('unlisted clients get 403 on every path of a.test; b.test is untouched; a graceful reload applies a feed change', async () => {
    const port = await freePort()
    const mods = '/usr/lib/apache2/modules'
    const vhost = `<VirtualHost *:${port}>\n  ServerName a.test\n  ProxyPass "/" "http://127.0.0.1:${backend.port}/"\n  <Location "/">\n    ${MARKERS.join('\n    ')}\n  </Location>\n</VirtualHost>\n<VirtualHost *:${port}>\n  ServerName b.test\n  ProxyPass "/" "http://127.0.0.1:${backend.port}/"\n</VirtualHost>\n`
    const vhosts = path.join(dir, 'apache-sites.conf')
    writeFileSync(vhosts, vhost)
    const spliced = await renderInto('apache', vhosts, V1.list)
    expect(spliced).toMatch(/^ {4}<RequireAny>$/m)
    const conf = path.join(dir, 'httpd.conf')
    writeFileSync(
      conf,
      [
        `ServerRoot ${dir}`,
        'ServerName localhost',
        ...['mpm_event', 'authz_core', 'authz_host', 'proxy', 'proxy_http'].map(
          (m) => `LoadModule ${m}_module ${mods}/mod_${m}.so`,
        ),
        // Apache refuses to serve as root; its children run as nobody.
        ...(IS_ROOT ? ['User nobody', 'Group nogroup'] : []),
        `PidFile ${dir}/httpd.pid`,
        `ErrorLog ${dir}/httpd-error.log`,
        `Mutex file:${dir} default`,
        `Listen 127.0.0.1:${port}`,
        `Listen [::1]:${port}`,
        `Include ${vhosts}`,
        '',
      ].join('\n'),
    )
    server = await startServer('apache2', ['-f', conf, '-d', dir, '-DFOREGROUND'], [port])
    const a = { port, host: 'a.test', expect: { '/api/users': /^backend \/api\/users$/ } }
    await expectHolds(V1, [a], { port, host: 'b.test' })

    await renderInto('apache', vhosts, V2.list)
    await reloadGracefully(server, 'SIGUSR1')
    await reloaded(V2, port, 'a.test')
    await expectHolds(V2, [a], { port, host: 'b.test' })
  })
})

describeWhen(missingTools('haproxy'), 'haproxy: http mode and tcp mode', () => {
  let server: ServerProcess | undefined
  let tcp: Backend | undefined
  afterAll(async () => {
    await server?.stop()
    await tcp?.close()
  })

  it('http: unlisted get 403 on every path, the other frontend serves all; tcp: unlisted are cut; a reload applies a feed change', async () => {
    tcp = await startTcpBackend()
    const [web, other, tcpPort] = [await freePort(), await freePort(), await freePort()]
    const acl = path.join(dir, 'office.acl')
    writeFileSync(acl, `# office, kept by allowlist-sync\n${MARKERS.join('\n')}\n`)
    await renderInto('haproxy', acl, V1.list)
    const bind = (p: number) => `  bind 127.0.0.1:${p}\n  bind [::1]:${p}\n`
    const cfg = path.join(dir, 'haproxy.cfg')
    writeFileSync(
      cfg,
      `global\n  pidfile ${dir}/haproxy.pid\ndefaults\n  timeout client 5s\n  timeout server 5s\n  timeout connect 2s\n` +
        `frontend web\n  mode http\n${bind(web)}  acl office src -f ${acl}\n  http-request deny unless office\n  default_backend be\n` +
        `frontend other\n  mode http\n${bind(other)}  default_backend be\n` +
        `frontend raw\n  mode tcp\n${bind(tcpPort)}  acl office src -f ${acl}\n  tcp-request connection reject unless office\n  default_backend tcpbe\n` +
        `backend be\n  mode http\n  server s1 127.0.0.1:${backend.port}\n` +
        `backend tcpbe\n  mode tcp\n  server t1 127.0.0.1:${tcp.port}\n`,
    )
    server = await startServer('haproxy', ['-W', '-db', '-f', cfg], [web, other, tcpPort])
    const site = { port: web, expect: { '/api/users': /^backend \/api\/users$/ } }
    const checkTcp = async (phase: Phase) => {
      for (const from of phase.unlisted)
        expect(await tcpRead({ from, port: tcpPort }), from).toBe('closed')
      for (const from of phase.listed)
        expect(await tcpRead({ from, port: tcpPort }), from).toBe('tcp-ok')
    }
    await expectHolds(V1, [site], { port: other })
    await checkTcp(V1)

    await renderInto('haproxy', acl, V2.list)
    await reloadGracefully(server, 'SIGUSR2')
    await reloaded(V2, web)
    await expectHolds(V2, [site], { port: other })
    await checkTcp(V2)
  })
})

describeWhen(missingTools('caddy'), 'caddy: every site shape', () => {
  let server: ServerProcess | undefined
  let fcgi: Backend | undefined
  afterAll(async () => {
    await server?.stop()
    await fcgi?.close()
  })

  it('unlisted clients get 403 on every path of every shape; the site without the import is untouched; a reload applies a feed change', async () => {
    fcgi = await startFastCgiBackend()
    const names = [
      'proxy',
      'handle',
      'handlePath',
      'route',
      'files',
      'php',
      'open',
      'oldSnippet',
      'handleSnippet',
      'routeSnippet',
      'userRedir',
    ] as const
    const ports = Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await freePort()])),
    ) as Record<(typeof names)[number], number>
    const admin = await freePort()
    const be = `127.0.0.1:${backend.port}`
    const site = (port: number, body: string, imported = 'office') =>
      `http://:${port} {\n\tbind 127.0.0.1 ::1\n${imported === '' ? '' : `\timport ${imported}\n`}${body}}\n`
    const caddyfile = path.join(dir, 'Caddyfile')
    writeFileSync(
      caddyfile,
      [
        `{\n\tadmin 127.0.0.1:${admin}\n\tauto_https off\n}\n`,
        `${MARKERS.join('\n')}\n`,
        // Controls, each a construct that Caddy's directive order lets an unlisted client past:
        // the one this project used to render (respond runs after handle), a handle with a
        // negated matcher (sorted by order of appearance among handles with matchers), and a
        // route (sorted after handle and handle_path).
        `(old) {\n\t@old_denied not remote_ip 127.0.0.2/32\n\trespond @old_denied 403\n}\n`,
        `(hnd) {\n\t@hnd_denied not remote_ip 127.0.0.2/32\n\thandle @hnd_denied {\n\t\trespond 403\n\t}\n}\n`,
        `(rte) {\n\troute {\n\t\t@rte_denied not remote_ip 127.0.0.2/32\n\t\trespond @rte_denied 403\n\t}\n}\n`,
        site(ports.proxy, `\treverse_proxy ${be}\n`),
        site(
          ports.handle,
          `\thandle /api/* {\n\t\treverse_proxy ${be}\n\t}\n\thandle {\n\t\trespond "fallback"\n\t}\n`,
        ),
        site(
          ports.handlePath,
          `\thandle_path /static/* {\n\t\troot * ${dir}/static\n\t\tfile_server\n\t}\n\thandle {\n\t\treverse_proxy ${be}\n\t}\n`,
        ),
        site(
          ports.route,
          `\troute {\n\t\treverse_proxy /api/* ${be}\n\t\trespond "route-fallback"\n\t}\n`,
        ),
        site(ports.files, `\troot * ${dir}\n\tfile_server\n`),
        site(ports.php, `\troot * ${dir}\n\tphp_fastcgi 127.0.0.1:${fcgi.port}\n`),
        site(ports.open, `\treverse_proxy ${be}\n`, ''),
        site(
          ports.oldSnippet,
          `\thandle /api/* {\n\t\treverse_proxy ${be}\n\t}\n\thandle {\n\t\trespond "fallback"\n\t}\n`,
          'old',
        ),
        `http://:${ports.handleSnippet} {\n\tbind 127.0.0.1 ::1\n\thandle /api/* {\n\t\treverse_proxy ${be}\n\t}\n\timport hnd\n}\n`,
        site(ports.routeSnippet, `\thandle /api/* {\n\t\treverse_proxy ${be}\n\t}\n`, 'rte'),
        // A site's own redir written above the import answers first (a redirect, never content).
        `http://:${ports.userRedir} {\n\tbind 127.0.0.1 ::1\n\tredir /old /new\n\timport office\n\treverse_proxy ${be}\n}\n`,
      ].join('\n'),
    )
    await renderInto('caddy', caddyfile, V1.list)
    const env = {
      XDG_DATA_HOME: path.join(dir, 'caddy-data'),
      XDG_CONFIG_HOME: path.join(dir, 'caddy-config'),
    }
    server = await startServer(
      'caddy',
      ['run', '--config', caddyfile, '--adapter', 'caddyfile'],
      Object.values(ports),
      env,
    )
    const guarded: Site[] = [
      { port: ports.proxy, expect: { '/api/users': /^backend \/api\/users$/ } },
      { port: ports.handle, expect: { '/api/users': /^backend \/api\/users$/, '/': /^fallback$/ } },
      { port: ports.handlePath, expect: { '/static/a.txt': /^static-a$/, '/': /^backend \/$/ } },
      {
        port: ports.route,
        expect: { '/api/users': /^backend \/api\/users$/, '/': /^route-fallback$/ },
      },
      { port: ports.files, expect: { '/static/a.txt': /^static-a$/, '/': /^index-html$/ } },
      {
        port: ports.php,
        expect: { '/index.php': /^php \/index\.php$/, '/api/users': /^php \/index\.php$/ },
      },
    ]
    await expectHolds(V1, guarded, { port: ports.open })
    // The controls: each lets an unlisted client through a handle block to the backend.
    for (const port of [ports.oldSnippet, ports.handleSnippet, ports.routeSnippet]) {
      expect(await httpGet({ from: '127.0.0.3', port, path: '/api/users' })).toMatchObject({
        status: 200,
        body: 'backend /api/users',
      })
    }
    expect(await httpGet({ from: '127.0.0.3', port: ports.userRedir, path: '/old' })).toEqual({
      status: 302,
      body: '',
      location: undefined,
    })
    await expectHolds(V1, [{ port: ports.userRedir }])
    // The 403 carries no Location (the snippet's redir adds one; its header line drops it).
    const r = await httpGet({ from: '127.0.0.3', port: ports.handle, path: '/api/users' })
    expect(r).toEqual({ status: 403, body: '', location: undefined })

    await renderInto('caddy', caddyfile, V2.list)
    const reload = [
      'reload',
      '--config',
      caddyfile,
      '--adapter',
      'caddyfile',
      '--address',
      `127.0.0.1:${admin}`,
    ]
    await exec('caddy', reload, { env: { ...process.env, ...env } })
    await reloaded(V2, ports.handle)
    await expectHolds(V2, guarded, { port: ports.open })
    expect(readFileSync(caddyfile, 'utf8')).toContain('remote_ip 127.0.0.3/32 ::1/128')
  })
})
