/** @module The one error the IP engine throws: IpParseError, with a stable `ERR_IP_*` code. */

/**
 * Stable codes of IpParseError (and of rejected lines in parseCidrList):
 * - `ERR_IP_EMPTY`: nothing left after trimming surrounding whitespace.
 * - `ERR_IP_SYNTAX`: not an IPv4/IPv6 address or CIDR (junk, `1.2.3`, `::ffff:zz`, `<html>`).
 * - `ERR_IP_OCTET`: an IPv4 octet above 255 (`300.1.1.1`).
 * - `ERR_IP_LEADING_ZERO`: an IPv4 octet with a leading zero (`010.1.1.1`): octal or decimal is
 *   ambiguous (inet_aton reads it as octal), so it is refused rather than guessed.
 * - `ERR_IP_PREFIX_SYNTAX`: a `/` not followed by a plain decimal prefix length (`/`, `/x`, `/08`).
 * - `ERR_IP_PREFIX_RANGE`: a prefix length above 32 (IPv4) or 128 (IPv6).
 * - `ERR_IP_ZONE_ID`: an IPv6 zone id (`fe80::1%eth0`): link-local scope has no meaning in an
 *   allowlist.
 * - `ERR_IP_WHITESPACE`: whitespace inside the entry (surrounding whitespace is trimmed).
 * - `ERR_IP_FAMILY`: a valid entry of the other family where one family is required.
 */
export type IpErrorCode =
  | 'ERR_IP_EMPTY'
  | 'ERR_IP_SYNTAX'
  | 'ERR_IP_OCTET'
  | 'ERR_IP_LEADING_ZERO'
  | 'ERR_IP_PREFIX_SYNTAX'
  | 'ERR_IP_PREFIX_RANGE'
  | 'ERR_IP_ZONE_ID'
  | 'ERR_IP_WHITESPACE'
  | 'ERR_IP_FAMILY'

/**
 * A string that is not a valid IP address or CIDR. `code` is stable (see IpErrorCode), `reason`
 * says what is wrong in words, `input` is the offending text, and the message quotes it.
 */
export class IpParseError extends TypeError {
  readonly code: IpErrorCode
  readonly input: string
  readonly reason: string
  constructor(code: IpErrorCode, input: string, reason: string, options?: ErrorOptions) {
    super(`invalid IP address or CIDR ${JSON.stringify(input)}: ${reason}`, options)
    this.name = 'IpParseError'
    this.code = code
    this.input = input
    this.reason = reason
  }
}
