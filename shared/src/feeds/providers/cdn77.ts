/** @module CDN77's edge prefixes: what reaches an origin behind CDN77. */
import type { CatalogueProvider } from '../types.ts'

/** CDN77: one list. */
export const cdn77: CatalogueProvider = {
  id: 'cdn77',
  name: 'CDN77',
  feeds: [
    {
      id: 'cdn77/edge',
      title: 'CDN77 edge servers',
      docsUrl:
        'https://client.cdn77.com/support/knowledgebase/cdn-resource/how-do-i-set-up-origin-protection',
      use: 'CDN77 fetching from your origin (origin protection)',
      sources: [
        {
          url: 'https://prefixlists.tools.cdn77.com/public_lmax_prefixes.json',
          parser: { kind: 'records', path: 'prefixes[*]', address: ['prefix'] },
          version: 'updated_at',
        },
      ],
    },
  ],
  patterns: [],
  resolve: () => undefined,
}
