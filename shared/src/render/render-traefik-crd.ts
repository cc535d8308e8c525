/**
 * @module Traefik v3 Kubernetes CRDs (YAML): a `traefik.io/v1alpha1` Middleware and a
 * MiddlewareTCP named NAME with `ipAllowList`, for IngressRoute and IngressRouteTCP.
 */
import { requireNonEmpty, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'
import { yamlIpStrategy } from './render-traefik.ts'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/**
 * Two documents: Middleware (with ipStrategy when given) and MiddlewareTCP. The name is
 * lower-cased with `_` turned into `-` (metadata.name is a DNS name); over limits.k8sMaxBytes
 * is ERR_RENDER_LIMIT, as for NetworkPolicy.
 */
export function renderTraefikCrd(p: Prepared): string {
  requireNonEmpty(p)
  const name = p.name.toLowerCase().replaceAll('_', '-')
  if (!DNS_LABEL.test(name)) {
    throw new RenderError(
      'ERR_RENDER_NAME',
      `traefik-crd: name ${JSON.stringify(name)} is not a DNS label (lower-case letters, digits, '-', not at either end)`,
      { format: 'traefik-crd' },
    )
  }
  const q = (s: string) => JSON.stringify(s)
  const meta = [
    'metadata:',
    `  name: ${q(name)}`,
    '  annotations:',
    `    allowlist-sync/feeds: ${q(p.feedIds.join(' '))}`,
    ...(p.comment === undefined ? [] : [`    allowlist-sync/comment: ${q(p.comment)}`]),
    'spec:',
    '  ipAllowList:',
    '    sourceRange:',
    ...[...p.ipv4, ...p.ipv6].map((c) => `      - ${q(c)}`),
  ]
  const text = [
    ...p.header,
    `# Reference it from an IngressRoute (middlewares: [{name: ${name}}]) or an IngressRouteTCP.`,
    '# Traefik v2 CRDs (traefik.containo.us) call it ipWhiteList.',
    'apiVersion: traefik.io/v1alpha1',
    'kind: Middleware',
    ...meta,
    ...yamlIpStrategy(p, '    '),
    '---',
    'apiVersion: traefik.io/v1alpha1',
    'kind: MiddlewareTCP',
    ...meta,
    '',
  ].join('\n')
  const bytes = new TextEncoder().encode(text).length
  if (bytes > p.limits.k8sMaxBytes) {
    throw new RenderError(
      'ERR_RENDER_LIMIT',
      `traefik-crd: the manifest is ${bytes} bytes; the API server stores objects up to about ${p.limits.k8sMaxBytes} (etcd --max-request-bytes, 1.5 MiB by default). Split the feeds, or raise limits.k8sMaxBytes.`,
      { format: 'traefik-crd' },
    )
  }
  return text
}
