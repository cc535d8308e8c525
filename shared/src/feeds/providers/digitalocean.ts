/** @module DigitalOcean's address space, from its RFC 8805 geofeed. */
import type { CatalogueProvider } from '../types.ts'

/** DigitalOcean: one list. */
export const digitalocean: CatalogueProvider = {
  id: 'digitalocean',
  name: 'DigitalOcean',
  feeds: [
    {
      id: 'digitalocean/all',
      title: 'DigitalOcean address space (geofeed)',
      docsUrl: 'https://docs.digitalocean.com/platform/',
      use: "any DigitalOcean customer's droplets: for egress rules or blocklists, not to trust",
      sources: [
        { url: 'https://www.digitalocean.com/geo/google.csv', parser: { kind: 'geofeed' } },
      ],
    },
  ],
  patterns: [],
  resolve: () => undefined,
}
