/**
 * @module The Docker case: a host whose ufw denies 5432 while a compose file publishes 5432.
 * Docker DNATs published ports before the INPUT chain, so ufw's deny never sees the packets:
 * the evaluator must report 5432 as public, at the compose file's `ports:` line, and stop
 * reporting it once DOCKER-USER restricts it or the port is bound to loopback.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  evaluatePolicy,
  presetPolicy,
  reachOf,
  readFirewallConfigs,
} from '../../../shared/src/index.ts'

const DIR = path.resolve(import.meta.dirname, '../../fixtures/policy/docker')

function read(...names: string[]) {
  return readFirewallConfigs(
    names.map((n) => ({ file: `docker/${n}`, text: readFileSync(path.join(DIR, n), 'utf8') })),
  )
}

function lineOf(name: string, needle: string): number {
  return (
    readFileSync(path.join(DIR, name), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(needle)) + 1
  )
}

const oec = presetPolicy('oec')
const problems = (configs: ReturnType<typeof read>, policy = oec) =>
  evaluatePolicy(policy, configs, {}).findings.filter(
    (f) => f.severity !== 'note' && f.port === '5432',
  )

describe('published ports bypass ufw', () => {
  it.each(['ufw-status.txt', 'user.rules'])('ufw (%s) alone keeps 5432 closed', (ufw) => {
    const configs = read(ufw)
    expect(problems(configs)).toEqual([])
    const reach = reachOf(compileConfigs(configs), {
      direction: 'inbound',
      protocol: 'tcp',
      port: 5432,
      family: 4,
      state: 'new',
    })
    expect(reach?.isEmpty).toBe(true)
  })

  it.each(['ufw-status.txt', 'user.rules'])(
    'compose publishing 5432 on a host whose ufw (%s) denies it: 5432 is public',
    (ufw) => {
      const found = problems(read('docker-compose.yml', ufw))
      const line = lineOf('docker-compose.yml', "'5432:5432'")
      const families = ['IPv4', 'IPv6']
      expect(found.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual(
        families.map(() => ['forbid-public-5432-tcp', 'error', 'docker/docker-compose.yml', line]),
      )
      for (const f of found) {
        expect(f.message).toMatch(/reachable from the public Internet/)
        expect(f.message).toContain(
          "the ports: entry of service 'db' (5432/tcp; Docker's NAT skips INPUT)",
        )
        expect(f.hint).toMatch(/127\.0\.0\.1:5432:5432|DOCKER-USER/)
      }
      const reach = reachOf(compileConfigs(read('docker-compose.yml', ufw)), {
        direction: 'inbound',
        protocol: 'tcp',
        port: 5432,
        family: 4,
        state: 'new',
      })
      expect(reach?.isAll).toBe(true)
    },
  )

  it('a DOCKER-USER restriction closes 5432 over IPv4 (iptables), not over IPv6 (no ip6tables rules given)', () => {
    const configs = read('docker-compose.yml', 'ufw-status.txt', 'docker-user.rules')
    const cs = compileConfigs(configs)
    const v4 = reachOf(cs, {
      direction: 'inbound',
      protocol: 'tcp',
      port: 5432,
      family: 4,
      state: 'new',
    })
    expect(v4?.toCidrs()).toEqual(['198.51.100.7/32'])
    const found = problems(configs)
    expect(found.map((f) => f.message.includes('IPv6'))).toEqual([true])
    expect(found[0]?.line).toBe(lineOf('docker-compose.yml', "'5432:5432'"))
  })

  it('binding the published port to 127.0.0.1 leaves it to ufw, which denies it', () => {
    expect(problems(read('docker-compose.private.yml', 'ufw-status.txt'))).toEqual([])
  })

  it('under a deny-unlisted policy the published port is an unlisted public port', () => {
    const found = problems(read('docker-compose.yml', 'user.rules'), presetPolicy('web-minimal'))
    expect(found.map((f) => [f.rule, f.line])).toContainEqual([
      'unlisted-inbound',
      lineOf('docker-compose.yml', "'5432:5432'"),
    ])
  })
})
