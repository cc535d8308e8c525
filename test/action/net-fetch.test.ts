/** @module proxyFor follows undici's EnvHttpProxyAgent rules; maskProxy hides credentials. */
import { describe, expect, it } from 'vitest'
import { maskProxy, proxyFor } from '../../action/src/net-fetch.ts'

const P = 'http://proxy.example:3128'

describe('proxyFor', () => {
  it.each([
    ['https://api.github.com/x', { HTTPS_PROXY: P }, P],
    ['https://api.github.com/x', { https_proxy: P, HTTPS_PROXY: 'http://other:1' }, P],
    ['https://api.github.com/x', { HTTP_PROXY: P }, P],
    ['http://127.0.0.1:8080/x', { HTTPS_PROXY: P }, undefined],
    ['http://127.0.0.1:8080/x', { HTTP_PROXY: P }, P],
    ['https://api.github.com/x', { HTTPS_PROXY: P, NO_PROXY: 'github.com' }, undefined],
    ['https://api.github.com/x', { HTTPS_PROXY: P, NO_PROXY: '.github.com' }, undefined],
    ['https://api.github.com/x', { HTTPS_PROXY: P, NO_PROXY: '*.github.com' }, undefined],
    ['https://api.github.com/x', { HTTPS_PROXY: P, NO_PROXY: 'notgithub.com' }, P],
    ['https://api.github.com/x', { HTTPS_PROXY: P, NO_PROXY: '*' }, undefined],
    ['http://127.0.0.1:8080/x', { HTTP_PROXY: P, no_proxy: '127.0.0.1:8080' }, undefined],
    ['http://127.0.0.1:8081/x', { HTTP_PROXY: P, no_proxy: '127.0.0.1:8080' }, P],
    ['https://[::1]/x', { HTTPS_PROXY: P, no_proxy: '[::1]' }, undefined],
    ['https://api.github.com/x', {}, undefined],
  ])('%s with %j: %s', (url, env, want) => {
    expect(proxyFor(url, env)).toBe(want)
  })
})

describe('maskProxy', () => {
  it('masks user and password', () => {
    expect(maskProxy('http://alice:s3cret@proxy.example:3128')).toBe(
      'http://***@proxy.example:3128',
    )
    expect(maskProxy(P)).toBe(P)
    expect(maskProxy('not a url')).toBe('(an unparseable proxy URL)')
  })
})
