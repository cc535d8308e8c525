/**
 * @module Inputs shared by the renderer tests: a small documentation-range feed and a seeded
 * generator of large random CIDR lists (deterministic, so failures reproduce).
 */
import { expect } from 'vitest'
import {
  formatInfo,
  RenderError,
  type FormatId,
  type RenderErrorCode,
  type RenderInput,
  type RenderLimits,
  type RenderOptions,
} from '../../../shared/src/index.ts'

/** Two feeds of documentation ranges, with overlaps the renderer must merge. */
export const DOC_INPUT: RenderInput = {
  feeds: [
    {
      id: 'github/hooks',
      version: '7',
      sha256: '5f'.repeat(32),
      source: 'https://api.github.com/meta',
    },
    { id: 'coolify/cloud', version: '2', source: 'https://coolify.io/ipv4.txt' },
  ],
  ipv4: ['192.0.2.0/25', '192.0.2.128/25', '198.51.100.7', '203.0.113.64/26', '203.0.113.70/32'],
  ipv6: ['2001:db8:1::/48', '2001:db8:1:2::/64', '2001:db8:ff::1'],
}

/** Ports and a comment, as a typical config would give. */
export const DOC_OPTIONS: RenderOptions = {
  ports: [
    { port: 443, protocol: 'tcp' },
    { port: [8000, 8100], protocol: 'tcp' },
    { port: 51820, protocol: 'udp' },
  ],
  comment: 'webhooks and Coolify Cloud',
}

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * `count` distinct, non-adjacent IPv4 /24../32 blocks (so the merged set has exactly `count`
 * CIDRs) and a tenth as many IPv6 /48../64 ones, seeded.
 */
export function randomInput(count: number, seed = 1): RenderInput {
  const rand = prng(seed)
  const ipv4: string[] = []
  // One block per 4096-address stride of 1.0.0.0 - 223.255.255.255, never touching the next.
  const strides = Math.floor((223 << 24) / 4096)
  const step = Math.max(1, Math.floor(strides / count))
  for (let i = 0; i < count; i++) {
    const prefix = 24 + Math.floor(rand() * 9)
    const base = (1 << 24) + i * step * 4096 + Math.floor(rand() * 8) * 256
    const size = 2 ** (32 - prefix)
    const addr = base - (base % size)
    ipv4.push(`${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}/${prefix}`)
  }
  const ipv6: string[] = []
  for (let i = 0; i < Math.ceil(count / 10); i++) {
    const prefix = 48 + Math.floor(rand() * 17)
    const h3 = prefix > 48 ? Math.floor(rand() * 0x10000) & (0xffff << (64 - prefix)) & 0xffff : 0
    ipv6.push(`2001:db8:${(i * 2).toString(16)}:${h3.toString(16)}::/${prefix}`)
  }
  return { feeds: [{ id: 'test/random', version: String(seed) }], ipv4, ipv6 }
}

/** Asserts that `fn` throws a RenderError with these fields and a message containing/matching `message`. */
export function expectRenderError(
  fn: () => unknown,
  fields: { code: RenderErrorCode; line?: number },
  message: string | RegExp,
  label?: string,
): void {
  let error: unknown
  try {
    fn()
  } catch (caught) {
    error = caught
  }
  expect(error, label).toBeInstanceOf(RenderError)
  expect(error, label).toMatchObject(fields)
  const text = (error as RenderError).message
  if (typeof message === 'string') expect(text, label).toContain(message)
  else expect(text, label).toMatch(message)
}

/**
 * The input a format can carry: Cloudflare IP lists hold IPv6 prefixes up to /64 only (and
 * terraform-cloudflare refuses longer ones, see render-terraform-cloudflare.test.ts), so they are
 * left out of its input; every other format gets `input` unchanged.
 */
export function inputFor(format: string, input: RenderInput): RenderInput {
  if (format !== 'terraform-cloudflare') return input
  const fits = (c: string) => (c.includes('/') ? Number(c.split('/')[1]) : 128) <= 64
  return { ...input, ipv6: input.ipv6.filter(fits) }
}

/** Every platform limit raised out of the way, for tests about something else. */
export const NO_LIMITS: RenderLimits = {
  awsRulesPerGroup: 1e9,
  k8sMaxBytes: 1e12,
  hcloudRulesPerFirewall: 1e9,
  hcloudEffectiveRules: 1e9,
  digitaloceanRulesPerFirewall: 1e9,
  awsPrefixListEntries: 1e9,
  azurePrefixesPerGroup: 1e9,
  azureRulesPerGroup: 1e9,
  cloudflareListItems: 1e9,
  ufwRules: 1e9,
}

/** The address families a format's output carries (iptables: IPv4 only, ...). */
export function familiesOf(format: FormatId): readonly (4 | 6)[] {
  return formatInfo(format).families
}
