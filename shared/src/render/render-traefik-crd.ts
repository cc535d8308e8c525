/**
 * @module Traefik v3 Kubernetes CRDs (YAML): a `traefik.io/v1alpha1` Middleware and a
 * MiddlewareTCP named NAME with `ipAllowList`, for IngressRoute and IngressRouteTCP.
 */
import { requireNonEmpty, type Prepared } from './prepare.ts'
import { checkK8sBytes, k8sMetadata, k8sName } from './render-k8s-networkpolicy.ts'
import { yamlIpStrategy } from './render-traefik.ts'

/**
 * Two documents: Middleware (with ipStrategy when given) and MiddlewareTCP. The name is
 * lower-cased with `_` turned into `-` (metadata.name is a DNS name); over limits.k8sMaxBytes
 * is ERR_RENDER_LIMIT, as for NetworkPolicy.
 */
export function renderTraefikCrd(p: Prepared): string {
  requireNonEmpty(p)
  const name = k8sName(p)
  const q = (s: string) => JSON.stringify(s)
  const meta = [
    ...k8sMetadata(p, name),
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
  checkK8sBytes(p, text)
  return text
}
