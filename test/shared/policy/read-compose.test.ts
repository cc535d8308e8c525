/**
 * @module readFirewallConfig on docker-compose files (read-compose.ts): every `ports:` form the
 * Compose specification shows, short and long, what publishes nothing (ephemeral host ports,
 * network_mode: host), and errors naming file and line.
 */
import { describe, expect, it } from 'vitest'
import { PolicyError, readFirewallConfig } from '../../../shared/src/index.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

const read = (text: string) =>
  readFirewallConfig(text, { file: 'compose.yml', format: 'docker-compose' })

const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1

/** The error readFirewallConfig throws for `text`. */
function failure(text: string): PolicyError {
  try {
    read(text)
  } catch (e) {
    if (e instanceof PolicyError) return e
    throw e
  }
  throw new Error('no error')
}

/** A compose file with one service publishing `ports` (short syntax items, quoted). */
const withPorts = (...ports: string[]) =>
  `services:\n  web:\n    image: nginx\n    ports:\n${ports.map((p) => `      - "${p}"\n`).join('')}`

describe('readFirewallConfig: docker-compose', () => {
  // the examples of the Compose specification (services.ports, short syntax)
  it.each([
    ['8000:8000', [8000, 8000], 8000, 'tcp', undefined],
    ['9090-9091:8080-8081', [9090, 9091], 8080, 'tcp', undefined],
    ['49100:22', [49100, 49100], 22, 'tcp', undefined],
    ['8000-9000:80', [8000, 9000], 80, 'tcp', undefined],
    ['127.0.0.1:8001:8001', [8001, 8001], 8001, 'tcp', '127.0.0.1'],
    ['127.0.0.1:5000-5010:5000-5010', [5000, 5010], 5000, 'tcp', '127.0.0.1'],
    ['::1:6000:6000', [6000, 6000], 6000, 'tcp', '::1'],
    ['[::1]:6001:6001', [6001, 6001], 6001, 'tcp', '::1'],
    ['6060:6060/udp', [6060, 6060], 6060, 'udp', undefined],
  ])(
    '%s publishes host ports %j to container port %s over %s (host address %s)',
    (spec, ports, target, protocol, hostIp) => {
      const c = read(withPorts(spec))
      expect(c.published).toEqual([
        { ports, protocol, target, ...(hostIp ? { hostIp } : {}), service: 'web', line: 5 },
      ])
      expect(c).toMatchObject({
        format: 'docker-compose',
        layer: 'docker',
        chains: [],
        warnings: [],
      })
    },
  )

  it.each(['3000', '3000-3005', '127.0.0.1::80'])(
    '%s publishes on an ephemeral host port: noted, not modelled',
    (spec) => {
      const c = read(withPorts(spec))
      expect(c.published).toEqual([])
      expect(warningTexts(c.warnings)).toEqual([
        `compose.yml:5: services.web.ports: '${spec}' publishes on an ephemeral host port`,
      ])
    },
  )

  it('an unquoted number is a container port too', () => {
    const c = read('services:\n  web:\n    ports:\n      - 8080\n')
    expect(c.published).toEqual([])
    expect(warningTexts(c.warnings)).toEqual([
      "compose.yml:4: services.web.ports: '8080' publishes on an ephemeral host port",
    ])
  })

  it('reads the long syntax', () => {
    const text = `services:
  proxy:
    image: traefik:v3.1
    ports:
      - target: 80
        published: 8080
        protocol: tcp
        mode: host
      - target: 53
        published: "5353"
        protocol: udp
        host_ip: 127.0.0.1
      - target: 9000
        published: 9000-9010
      - target: 3000
      - target: 3001
        published:
`
    const c = read(text)
    expect(c.published).toEqual([
      {
        ports: [8080, 8080],
        protocol: 'tcp',
        target: 80,
        service: 'proxy',
        line: lineOf(text, 'target: 80'),
      },
      {
        ports: [5353, 5353],
        protocol: 'udp',
        target: 53,
        hostIp: '127.0.0.1',
        service: 'proxy',
        line: lineOf(text, 'target: 53'),
      },
      // protocol defaults to TCP
      {
        ports: [9000, 9010],
        protocol: 'tcp',
        target: 9000,
        service: 'proxy',
        line: lineOf(text, 'target: 9000'),
      },
    ])
    expect(warningTexts(c.warnings)).toEqual(
      ['target: 3000', 'target: 3001'].map(
        (needle) =>
          `compose.yml:${lineOf(text, needle)}: services.proxy.ports: no 'published' port: Docker picks an ephemeral host port`,
      ),
    )
  })

  it('services on the host network, without ports or with no settings publish nothing', () => {
    const text = `services:
  agent:
    image: prom/node-exporter
    network_mode: host
  worker:
    image: app
  placeholder:
`
    const c = read(text)
    expect(c.published).toEqual([])
    expect(warningTexts(c.warnings)).toEqual([
      `compose.yml:${lineOf(text, 'image: prom')}: service 'agent' uses network_mode: host: its listening ports are not known here (the INPUT chain applies to them)`,
    ])
  })

  it.each([
    ['services:\n  web:\n    ports: [80:80\n', 4, /^not valid YAML \(/],
    ['- web\n- db\n', 1, "no 'services:' map (is this a compose file?)"],
    ['version: "3.8"\n', 1, "no 'services:' map (is this a compose file?)"],
    ['services:\n  - web\n', 1, "no 'services:' map (is this a compose file?)"],
    ['services:\n  web:\n    ports: "80:80"\n', 3, 'services.web.ports: expected a list'],
    [
      'services:\n  web:\n    ports:\n      - [80, 80]\n',
      4,
      'services.web.ports: expected "HOST:CONTAINER" or a map',
    ],
    ...[
      // Docker publishes SCTP too; the model has TCP and UDP only
      '80:80/sctp',
      // a host name is no host address
      'localhost:80:80',
      '1:2:80:80',
      '[::1]:1:80:80',
      'web',
      '80:web',
    ].map((spec) => [
      withPorts(spec),
      5,
      `services.web.ports: '${spec}' is not [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]`,
    ]),
    // A variable without a default comes from the host's .env, which verify does not read: named.
    ...(
      [
        ['${PORT}', 'PORT'],
        ['${PORT}:80', 'PORT'],
        ['80:${TARGET_PORT}', 'TARGET_PORT'],
      ] as const
    ).map(([spec, name]) => [
      withPorts(spec),
      5,
      new RegExp(
        `services\\.web\\.ports: '\\$\\{${name}\\}': variable '${name}' has no default here`,
      ),
    ]),
    [
      'services:\n  web:\n    ports:\n      - target: 80\n        published: ${PORT}\n',
      4,
      /services\.web\.ports: '\$\{PORT\}': variable 'PORT' has no default here/,
    ],
    [
      'services:\n  web:\n    ports:\n      - target: 80\n        published: web\n',
      4,
      "services.web.ports: 'web' is not a port",
    ],
    [
      'services:\n  web:\n    ports:\n      - target: 80\n        published: 80\n        protocol: sctp\n',
      4,
      "services.web.ports: protocol 'sctp' is not tcp or udp",
    ],
  ] as [string, number, string | RegExp][])(
    '%j is an error naming file and line',
    (text, line, message) => {
      const error = failure(text)
      expect([error.code, error.file, error.line]).toEqual([
        'ERR_POLICY_CONFIG',
        'compose.yml',
        line,
      ])
      const prefix = `compose.yml:${line}: `
      expect(error.message.startsWith(prefix)).toBe(true)
      if (typeof message === 'string') expect(error.message).toBe(prefix + message)
      else expect(error.message.slice(prefix.length)).toMatch(message)
    },
  )
})

describe('readFirewallConfig: docker-compose long syntax without a target', () => {
  it('publishes the port to the same container port', () => {
    const c = read('services:\n  web:\n    image: nginx\n    ports:\n      - published: 8080\n')
    expect(c.published).toEqual([{ ports: [8080, 8080], protocol: 'tcp', service: 'web', line: 5 }])
  })
})
