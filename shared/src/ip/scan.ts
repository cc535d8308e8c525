/**
 * @module The hand-written char-code scanner under every parser of this folder (internal): reads
 * one trimmed IPv4/IPv6 address or CIDR out of a string range without allocating on success.
 */
import type { IpErrorCode } from './errors.ts'

/**
 * The scanner's result registers, overwritten by every scan (no allocation per entry).
 * `v4` is the IPv4 address as an unsigned 32-bit number, `w` the IPv6 address as four unsigned
 * 32-bit words, most significant first; host bits are already cleared, `hostBits` says whether
 * any were set. `code`/`reason` describe the last failure.
 */
export const scanned = {
  family: 4 as 4 | 6,
  v4: 0,
  prefix: 32,
  hostBits: false,
  hasPrefix: false,
  code: 'ERR_IP_SYNTAX' as IpErrorCode,
  reason: '',
}
/** The IPv6 words of the last successful IPv6 scan. */
export const w = new Uint32Array(4)
const groups = new Uint16Array(8)

function fail(code: IpErrorCode, reason: string): false {
  scanned.code = code
  scanned.reason = reason
  return false
}

/** ASCII whitespace that surrounds entries: space, tab, LF, VT, FF, CR. */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102)
}

function unexpected(text: string, i: number, what: string): false {
  const c = text.charCodeAt(i)
  if (isSpace(c)) return fail('ERR_IP_WHITESPACE', `whitespace inside the ${what}`)
  if (c === 37) return fail('ERR_IP_ZONE_ID', 'IPv6 zone ids (%...) are not accepted')
  return fail('ERR_IP_SYNTAX', `unexpected ${JSON.stringify(text[i])} in the ${what}`)
}

let pos = 0

/** Reads a dotted-quad IPv4 address at text[i..end); sets `pos` after it. Returns the u32 or -1. */
function readIpv4(text: string, i: number, end: number): number {
  let value = 0
  let octet = 0
  let digits = 0
  let octets = 0
  for (; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) {
        fail('ERR_IP_LEADING_ZERO', 'IPv4 octet with a leading zero (octal or decimal?)')
        return -1
      }
      if (++digits > 3) {
        fail('ERR_IP_OCTET', 'IPv4 octet above 255')
        return -1
      }
      octet = octet * 10 + c - 48
    } else if (c === 46) {
      if (digits === 0 || octets === 3) {
        fail('ERR_IP_SYNTAX', 'an IPv4 address has four dotted decimal octets')
        return -1
      }
      if (octet > 255) {
        fail('ERR_IP_OCTET', 'IPv4 octet above 255')
        return -1
      }
      value = value * 256 + octet
      octets++
      octet = 0
      digits = 0
    } else break
  }
  pos = i
  if (digits === 0 || octets !== 3) {
    if (i < end && digits > 0 && text.charCodeAt(i) !== 47) unexpected(text, i, 'address')
    else fail('ERR_IP_SYNTAX', 'an IPv4 address has four dotted decimal octets')
    return -1
  }
  if (octet > 255) {
    fail('ERR_IP_OCTET', 'IPv4 octet above 255')
    return -1
  }
  return value * 256 + octet
}

/** Reads an IPv6 address at text[i..end) into `w`; sets `pos` after it. */
function readIpv6(text: string, i: number, end: number): boolean {
  let n = 0
  let gap = -1
  if (i < end && text.charCodeAt(i) === 58) {
    if (i + 1 >= end || text.charCodeAt(i + 1) !== 58)
      return fail('ERR_IP_SYNTAX', 'an IPv6 address cannot start with a single ":"')
    i += 2
    gap = 0
  }
  let done = gap === 0 && (i >= end || text.charCodeAt(i) === 47)
  while (!done) {
    const start = i
    let value = 0
    for (; i < end && i - start < 5; i++) {
      const c = text.charCodeAt(i)
      if (c >= 48 && c <= 57) value = value * 16 + c - 48
      else if ((c | 32) >= 97 && (c | 32) <= 102) value = value * 16 + (c | 32) - 87
      else break
    }
    if (i < end && text.charCodeAt(i) === 46) {
      // RFC 4291 2.2: the last 32 bits may be written as a dotted-quad IPv4 address.
      if (n > 6) return fail('ERR_IP_SYNTAX', 'an IPv6 address has at most eight groups')
      const v4 = readIpv4(text, start, end)
      if (v4 < 0) return false
      i = pos
      groups[n++] = v4 >>> 16
      groups[n++] = v4 & 0xffff
      if (i < end && text.charCodeAt(i) !== 47) return unexpected(text, i, 'address')
      break
    }
    if (i === start) {
      if (i >= end) return fail('ERR_IP_SYNTAX', 'an IPv6 address cannot end with a single ":"')
      return unexpected(text, i, 'address')
    }
    if (i - start > 4) return fail('ERR_IP_SYNTAX', 'an IPv6 group has at most four hex digits')
    if (n === 8) return fail('ERR_IP_SYNTAX', 'an IPv6 address has at most eight groups')
    groups[n++] = value
    if (i >= end) break
    const c = text.charCodeAt(i)
    if (c === 47) break
    if (c !== 58) return unexpected(text, i, 'address')
    i++
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return fail('ERR_IP_SYNTAX', 'an IPv6 address has at most one "::"')
      gap = n
      i++
      done = i >= end || text.charCodeAt(i) === 47
    }
  }
  if (gap < 0 && n !== 8) return fail('ERR_IP_SYNTAX', 'an IPv6 address has eight groups or a "::"')
  if (gap >= 0 && n > 7) return fail('ERR_IP_SYNTAX', 'an IPv6 address has at most eight groups')
  pos = i
  if (gap >= 0) {
    const tail = n - gap
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k]!
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0
  }
  for (let k = 0; k < 4; k++) w[k] = ((groups[2 * k]! << 16) | groups[2 * k + 1]!) >>> 0
  return true
}

/** Reads `/N` at text[i..end) (i points at the slash); returns N or -1. */
function readPrefix(text: string, i: number, end: number, max: number): number {
  i++
  if (i >= end) {
    fail('ERR_IP_PREFIX_SYNTAX', 'missing prefix length after "/"')
    return -1
  }
  let value = 0
  const start = i
  for (; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) {
      if (isSpace(c)) fail('ERR_IP_WHITESPACE', 'whitespace inside the prefix length')
      else fail('ERR_IP_PREFIX_SYNTAX', 'the prefix length must be a decimal number')
      return -1
    }
    if (i > start && value === 0) {
      fail('ERR_IP_PREFIX_SYNTAX', 'prefix length with a leading zero')
      return -1
    }
    if (i - start >= 3) {
      fail('ERR_IP_PREFIX_RANGE', `prefix length out of range (0-${max})`)
      return -1
    }
    value = value * 10 + c - 48
  }
  if (value > max) {
    fail('ERR_IP_PREFIX_RANGE', `prefix length ${value} out of range (0-${max})`)
    return -1
  }
  return value
}

/**
 * Scans text[i..end) (already trimmed) as an address or CIDR. Returns true and fills `scanned`
 * (and `w` for IPv6), or false with `scanned.code`/`scanned.reason` set.
 */
export function scan(text: string, i: number, end: number): boolean {
  if (i >= end) return fail('ERR_IP_EMPTY', 'empty')
  const first = text.charCodeAt(i)
  let k = i
  while (k < end && isHex(text.charCodeAt(k))) k++
  const isV6 = k < end && text.charCodeAt(k) === 58
  if (!isV6 && first >= 48 && first <= 57) {
    const v4 = readIpv4(text, i, end)
    if (v4 < 0) return false
    scanned.family = 4
    let prefix = 32
    scanned.hasPrefix = false
    if (pos < end) {
      if (text.charCodeAt(pos) !== 47) return unexpected(text, pos, 'address')
      prefix = readPrefix(text, pos, end, 32)
      if (prefix < 0) return false
      scanned.hasPrefix = true
    }
    const size = 2 ** (32 - prefix)
    const host = v4 % size
    scanned.v4 = v4 - host
    scanned.hostBits = host !== 0
    scanned.prefix = prefix
    return true
  }
  if (first !== 58 && !isHex(first)) {
    if (first === 91) return fail('ERR_IP_SYNTAX', 'brackets around an IPv6 address')
    return fail('ERR_IP_SYNTAX', 'not an IP address or CIDR')
  }
  // A bare word such as "deadbeef" is junk, not a broken IPv6 address.
  if (!isV6) return fail('ERR_IP_SYNTAX', 'not an IP address or CIDR')
  if (!readIpv6(text, i, end)) return false
  scanned.family = 6
  let prefix = 128
  scanned.hasPrefix = false
  if (pos < end) {
    prefix = readPrefix(text, pos, end, 128)
    if (prefix < 0) return false
    scanned.hasPrefix = true
  }
  scanned.prefix = prefix
  let hostBits = false
  for (let k = 0; k < 4; k++) {
    const bits = prefix - 32 * k
    if (bits >= 32) continue
    const mask = bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
    const word = w[k]!
    const net = (word & mask) >>> 0
    if (net !== word) hostBits = true
    w[k] = net
  }
  scanned.hostBits = hostBits
  return true
}

/** Whether the last IPv6 scan lies in ::ffff:0:0/96 (IPv4-mapped, RFC 4291 2.5.5.2). */
export function isMappedScan(): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff && scanned.prefix >= 96
}
