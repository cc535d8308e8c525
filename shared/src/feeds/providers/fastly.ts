/** @module Fastly's edge and shield POPs: what reaches an origin behind Fastly. */
import type { CatalogueProvider } from '../types.ts'

/** Fastly: one list. */
export const fastly: CatalogueProvider = {
  id: 'fastly',
  name: 'Fastly',
  feeds: [
    {
      id: 'fastly/edge',
      title: 'Fastly edge and shield POPs',
      docsUrl: 'https://www.fastly.com/documentation/reference/api/utils/public-ip-list/',
      use: 'Fastly fetching from your origin (origin allowlist behind Fastly)',
      sources: [
        {
          url: 'https://api.fastly.com/public-ip-list',
          parser: { kind: 'records', path: '', address: ['addresses', 'ipv6_addresses'] },
        },
      ],
    },
  ],
  patterns: [],
  resolve: () => undefined,
}
