/**
 * @module Imperva (Incapsula) proxy ranges: what reaches an origin behind Imperva. Served only to
 * a POST, in an API envelope whose `res` is 0 when the answer is good.
 */
import type { CatalogueProvider } from '../types.ts'

/** Imperva: one list. */
export const imperva: CatalogueProvider = {
  id: 'imperva',
  name: 'Imperva',
  feeds: [
    {
      id: 'imperva/edge',
      title: 'Imperva (Incapsula) proxies',
      docsUrl:
        'https://docs.imperva.com/bundle/cloud-application-security/page/more/restricting-direct-access.htm',
      use: "Imperva's proxies fetching from your origin (restricting direct access)",
      sources: [
        {
          url: 'https://my.incapsula.com/api/integration/v1/ips?resp_format=json',
          method: 'POST',
          // An error answer has another `res` (and no lists): nothing is read from it.
          parser: {
            kind: 'records',
            path: '',
            address: ['ipRanges', 'ipv6Ranges'],
            where: { res: ['0'] },
          },
        },
      ],
    },
  ],
  patterns: [],
  resolve: () => undefined,
}
