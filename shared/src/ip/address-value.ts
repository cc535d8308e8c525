/**
 * @module Addresses as numbers, for code that does its own range arithmetic (the policy
 * evaluator): the same strict scanner and canonical printer as every other parser of this folder,
 * so no second address grammar exists anywhere in the project.
 */
import type { Family } from './family.ts'
import { formatIpv4, formatIpv6 } from './format.ts'
import { scan, scanned, w } from './scan.ts'
import { bounds, trimBounds } from './trim.ts'

/**
 * A bare address (no prefix) as an unsigned integer: 32 bits for IPv4, 128 for IPv6. Same strict
 * rules as parseAddress (no leading zeros, no zone ids, surrounding whitespace trimmed); returns
 * undefined instead of throwing, for readers that try several interpretations of a token.
 */
export function toAddressValue(text: string): { family: Family; value: bigint } | undefined {
  trimBounds(text, 0, text.length)
  if (!scan(text, bounds.start, bounds.end) || scanned.hasPrefix) return undefined
  if (scanned.family === 4) return { family: 4, value: BigInt(scanned.v4) }
  const value =
    (BigInt(w[0]!) << 96n) | (BigInt(w[1]!) << 64n) | (BigInt(w[2]!) << 32n) | BigInt(w[3]!)
  return { family: 6, value }
}

/** Canonical text of an address given as an unsigned integer: dotted quad, or RFC 5952. */
export function formatAddressValue(family: Family, value: bigint): string {
  return family === 4 ? formatIpv4(Number(value)) : formatIpv6(value)
}
