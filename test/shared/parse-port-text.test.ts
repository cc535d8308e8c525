/** @module parsePortText: the one port grammar, with each caller's options. */
import { describe, expect, it } from 'vitest'
import { parsePortText } from '../../shared/src/parse-port-text.ts'

const names: Record<string, number> = { ssh: 22, 'http-alt': 8080, 'dhcpv6-client': 546 }
const resolve = (w: string) => names[w]

describe('parsePortText', () => {
  it.each([
    ['22', {}, { ok: true, ports: [22, 22] }],
    ['1000-2000', {}, { ok: true, ports: [1000, 2000] }],
    ['1000:2000', {}, { ok: true, ports: [1000, 2000] }],
    ['53/udp', { suffix: true }, { ok: true, ports: [53, 53], protocol: 'udp' }],
    ['8000-8100/tcp', { suffix: true }, { ok: true, ports: [8000, 8100], protocol: 'tcp' }],
    ['0', { min: 0 }, { ok: true, ports: [0, 0] }],
    ['ssh', { resolve }, { ok: true, ports: [22, 22] }],
    ['dhcpv6-client', { resolve }, { ok: true, ports: [546, 546] }],
    ['http-alt:8090', { resolve }, { ok: true, ports: [8080, 8090] }],
    ['ssh-http-alt', { resolve }, { ok: true, ports: [22, 8080] }],
  ] as const)('reads %j with %j', (text, grammar, want) => {
    expect(parsePortText(text, grammar)).toEqual(want)
  })

  it.each([
    ['53/udp', {}, 'syntax'],
    ['53/UDP', { suffix: true }, 'syntax'],
    ['ssh', {}, 'syntax'],
    ['', { resolve }, 'syntax'],
    ['-1', {}, 'syntax'],
    ['1-2-3', {}, 'syntax'],
    ['123456', {}, 'syntax'],
    ['0', {}, 'bounds'],
    ['0-5', {}, 'bounds'],
    ['65536', {}, 'bounds'],
    ['1-65536', { min: 0 }, 'bounds'],
    ['9-3', {}, 'reversed'],
    ['http-alt-ssh', { resolve }, 'reversed'],
  ] as const)('refuses %j with %j: %s', (text, grammar, reason) => {
    expect(parsePortText(text, grammar)).toEqual({ ok: false, reason })
  })
})
