import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

describe('GET /healthz', () => {
  it('answers ok from inside workerd', async () => {
    const res = await SELF.fetch('https://worker.test/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
  })
})
