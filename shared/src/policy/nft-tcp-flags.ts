/**
 * @module nftables `tcp flags` expressions judged on a connection's first packet, a bare SYN:
 * `tcp flags & (fin|syn|rst|ack) != syn drop` (the nftables wiki's and NixOS's guard) never
 * drops one, `tcp flags == 0x0 drop` (a NULL scan) neither, `tcp flags syn` matches it.
 */

/** The flags by name, as nft spells them. */
const FLAG_BITS: Record<string, number> = {
  fin: 0x01,
  syn: 0x02,
  rst: 0x04,
  psh: 0x08,
  ack: 0x10,
  urg: 0x20,
  ecn: 0x40,
  cwr: 0x80,
}

const SYN = FLAG_BITS.syn!

/** `(fin|syn)`, `fin,syn`, `syn`, `0x12` as a bit mask; undefined for anything else. */
function bitsOf(text: string): number | undefined {
  const inner = text.replace(/^\((.*)\)$/, '$1')
  if (/^0x[0-9a-f]+$/i.test(inner)) return Number.parseInt(inner, 16)
  let bits = 0
  for (const name of inner.split(/[|,]/)) {
    const bit = FLAG_BITS[name]
    if (bit === undefined) return undefined
    bits |= bit
  }
  return bits
}

/**
 * Whether the `tcp flags` expression (the words after `tcp flags`, joined) matches a bare SYN:
 * `& MASK ==|!= VALUE`, `VALUE / MASK` (with an optional `==`/`!=`), `== VALUE`, or `VALUE` alone
 * (any of its flags set). Undefined for a form not read here.
 */
export function nftTcpFlagsMatchSyn(expr: string): boolean | undefined {
  const s = expr.replace(/\s+/g, '')
  const masked = /^&(\(?[\w|,]+\)?)(==|!=)?(\(?[\w|,]+\)?)$/.exec(s)
  const slashed = /^(==|!=)?(\(?[\w|,]+\)?)\/(\(?[\w|,]+\)?)$/.exec(s)
  const plain = /^(==)?(\(?[\w|,]+\)?)$/.exec(s)
  let mask: number | undefined
  let value: number | undefined
  let op: string | undefined
  if (masked) [mask, op, value] = [bitsOf(masked[1]!), masked[2], bitsOf(masked[3]!)]
  else if (slashed) [op, value, mask] = [slashed[1], bitsOf(slashed[2]!), bitsOf(slashed[3]!)]
  else if (plain) [op, value] = [plain[1], bitsOf(plain[2]!)]
  else return undefined
  if (value === undefined) return undefined
  // `== VALUE` compares every flag; a bare VALUE is a flag test: any of its flags set
  if (plain) return op === '==' ? value === SYN : (SYN & value) !== 0
  if (mask === undefined) return undefined
  const equal = (SYN & mask) === value
  return op === '!=' ? !equal : equal
}
