/**
 * @module Kubernetes: a networking.k8s.io/v1 NetworkPolicy (YAML) allowing ingress from the
 * `ipBlock`s to the given ports, for every pod of the namespace it is applied in.
 */
import { requireNonEmpty, portRange, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'

/** RFC 1123 label: what metadata.name of a NetworkPolicy must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/**
 * metadata.name: NAME lower-cased with `_` turned into `-`; ERR_RENDER_NAME unless that is a DNS
 * label.
 */
export function k8sName(p: Prepared): string {
  const name = p.name.toLowerCase().replaceAll('_', '-')
  if (!DNS_LABEL.test(name)) {
    throw new RenderError(
      'ERR_RENDER_NAME',
      `${p.format}: name ${JSON.stringify(name)} is not a DNS label (lower-case letters, digits, '-', not at either end)`,
      { format: p.format },
    )
  }
  return name
}

/** `metadata:` lines: the name and the feeds (and comment) as annotations, JSON-quoted. */
export function k8sMetadata(p: Prepared, name: string): string[] {
  const q = (s: string) => JSON.stringify(s)
  return [
    'metadata:',
    `  name: ${q(name)}`,
    '  annotations:',
    `    allowlist-sync/feeds: ${q(p.feedIds.join(' '))}`,
    ...(p.comment === undefined ? [] : [`    allowlist-sync/comment: ${q(p.comment)}`]),
  ]
}

/** ERR_RENDER_LIMIT when a manifest passes limits.k8sMaxBytes (what the API server stores). */
export function checkK8sBytes(p: Prepared, text: string): void {
  const bytes = new TextEncoder().encode(text).length
  if (bytes > p.limits.k8sMaxBytes) {
    throw new RenderError(
      'ERR_RENDER_LIMIT',
      `${p.format}: the manifest is ${bytes} bytes; the API server stores objects up to about ${p.limits.k8sMaxBytes} (etcd --max-request-bytes, 1.5 MiB by default). Split the feeds, or raise limits.k8sMaxBytes.`,
      { format: p.format },
    )
  }
}

/**
 * The name is lower-cased with `_` turned into `-` (a DNS label); one that still is not a label
 * is ERR_RENDER_NAME. Ingress rules are additive across policies, and a policy selecting a pod
 * isolates it, so only the listed sources reach those ports. `from` is never empty (an empty
 * `from` would mean every source): an empty set is refused. Over limits.k8sMaxBytes (the API
 * server's object size) is ERR_RENDER_LIMIT.
 */
export function renderK8sNetworkPolicy(p: Prepared): string {
  requireNonEmpty(p)
  const name = k8sName(p)
  const q = (s: string) => JSON.stringify(s)
  const lines = [
    ...p.header,
    '# Selects every pod of the namespace it is applied in: ingress that neither this nor another',
    '# policy allows (pod-to-pod traffic included) is then denied. Add policies for the rest.',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    ...k8sMetadata(p, name),
    'spec:',
    '  podSelector: {}',
    '  policyTypes:',
    '    - Ingress',
    '  ingress:',
    '    - from:',
    ...[...p.ipv4, ...p.ipv6].flatMap((c) => ['        - ipBlock:', `            cidr: ${q(c)}`]),
  ]
  if (p.ports.length > 0) {
    lines.push('      ports:')
    for (const spec of p.ports) {
      const [from, to] = portRange(spec)
      lines.push(`        - protocol: ${spec.protocol.toUpperCase()}`, `          port: ${from}`)
      if (to !== from) lines.push(`          endPort: ${to}`)
    }
  }
  const text = `${lines.join('\n')}\n`
  checkK8sBytes(p, text)
  return text
}
