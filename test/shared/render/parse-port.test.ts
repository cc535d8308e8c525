/** @module parsePort / formatPort. */
import { describe, expect, it } from 'vitest'
import { formatPort, parsePort } from '../../../shared/src/index.ts'
import { expectRenderError } from './sample.ts'

describe('parsePort', () => {
  it.each([
    ['443', { port: 443, protocol: 'tcp' }],
    ['443/tcp', { port: 443, protocol: 'tcp' }],
    ['53/UDP', { port: 53, protocol: 'udp' }],
    ['8000-8100/tcp', { port: [8000, 8100], protocol: 'tcp' }],
    ['8000:8100', { port: [8000, 8100], protocol: 'tcp' }],
    ['1', { port: 1, protocol: 'tcp' }],
    ['65535/udp', { port: 65535, protocol: 'udp' }],
    ['7-7', { port: 7, protocol: 'tcp' }],
  ])('reads %j', (text, want) => {
    expect(parsePort(text)).toEqual(want)
    expect(parsePort(formatPort(parsePort(text)))).toEqual(want)
  })

  it.each([
    '0',
    '65536',
    '9-3',
    '443/icmp',
    '',
    'http',
    '443/',
    '-1',
    '1e3',
    '443 /tcp',
    '443/tcp;x',
  ])('refuses %j naming it', (text) => {
    expectRenderError(() => parsePort(text), { code: 'ERR_RENDER_PORT' }, `'${text}'`)
  })
})
