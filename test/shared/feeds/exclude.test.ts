/**
 * Excluded sources (google/services is goog.json minus cloud.json) through the one guard path,
 * a discovered source whose page cannot be fetched, and a user feed's version that is no path.
 */
import { describe, expect, it } from 'vitest'
import {
  AZURE_SERVICE_TAGS_PAGE,
  defineUserFeed,
  findFeed,
  syncFeeds,
  type FeedDefinition,
  type ResponseLike,
} from '../../../shared/src/feeds/index.ts'

const TWO: FeedDefinition = {
  id: 'acme/minus',
  title: 'acme minus',
  docsUrl: 'https://acme.example/',
  sources: [
    { url: 'https://acme.example/all', parser: { kind: 'lines' } },
    { url: 'https://acme.example/cut', parser: { kind: 'lines' }, exclude: true },
  ],
}

function serve(files: Record<string, string>) {
  return (url: string): Promise<ResponseLike> =>
    Promise.resolve(
      files[url] === undefined
        ? new Response('unavailable', { status: 503 })
        : new Response(files[url]),
    )
}

describe('excluded sources', () => {
  it('take their addresses out, counting only the kept entries as merged', async () => {
    const { outcomes } = await syncFeeds([TWO], {
      fetch: serve({
        'https://acme.example/all': '11.0.2.0/24\n2a0b:db8::/32\n',
        'https://acme.example/cut': '11.0.2.128/25\n',
      }),
      now: () => 0,
    })
    expect(outcomes[0]).toMatchObject({
      kind: 'changed',
      snapshot: { ipv4: ['11.0.2.0/25'], ipv6: ['2a0b:db8::/32'] },
    })
  })

  it.each([
    ['IPv6 only', '2a0b:db8::/32\n', '2a0b:db8::/31\n'],
    ['both families', '11.0.2.0/24\n2a0b:db8::/32\n', '11.0.0.0/16\n2a0b:db8::/31\n'],
  ])('refuse as empty when nothing is left (%s)', async (_, all, cut) => {
    const { outcomes } = await syncFeeds([TWO], {
      fetch: serve({ 'https://acme.example/all': all, 'https://acme.example/cut': cut }),
      now: () => 0,
    })
    expect(outcomes[0]).toMatchObject({
      kind: 'refused',
      guard: 'empty',
      reason: 'acme/minus: nothing is left once the excluded sources are taken out',
    })
  })
})

describe('a discovered source', () => {
  it("is refused with the page's own refusal when the page cannot be fetched", async () => {
    const { outcomes, fetches } = await syncFeeds([findFeed('azure/ActionGroup')!], {
      fetch: serve({}),
      now: () => 0,
    })
    expect(outcomes[0]).toMatchObject({ kind: 'refused', guard: 'http-error' })
    expect(outcomes[0]!.kind === 'refused' && outcomes[0]!.reason).toContain(
      AZURE_SERVICE_TAGS_PAGE,
    )
    expect(fetches).toHaveLength(1)
  })
})

describe('a user feed version', () => {
  it('must be a path string', () => {
    expect(() =>
      defineUserFeed({
        id: 'acme/list',
        url: 'https://acme.example/list',
        parser: { kind: 'prefixes' },
        version: 3 as unknown as string,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_FEED_VERSION',
        message: expect.stringMatching(/a path must be a string/) as string,
      }),
    )
  })
})
