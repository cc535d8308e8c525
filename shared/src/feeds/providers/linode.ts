/** @module Linode's (Akamai Cloud's) address space, from its RFC 8805 geofeed. */
import type { CatalogueProvider } from '../types.ts'

/** Linode: one list. */
export const linode: CatalogueProvider = {
  id: 'linode',
  name: 'Linode (Akamai Cloud)',
  feeds: [
    {
      id: 'linode/all',
      title: 'Linode address space (geofeed)',
      docsUrl: 'https://www.linode.com/docs/guides/linode-network-ip-addresses/',
      use: "any Linode customer's servers: for egress rules or blocklists, not to trust",
      sources: [{ url: 'https://geoip.linode.com/', parser: { kind: 'geofeed' } }],
    },
  ],
  patterns: [],
  resolve: () => undefined,
}
