/**
 * @module The ufw rules a new rendering must delete: those of the previous block (read back from
 * the file it replaces) and those of `removed` that the new list no longer wants. ufw keeps its
 * rules in its own state, so a rule that is not deleted stays open after it left the feed.
 */
import { parseCidr, toAddressValue } from '../ip/index.ts'
import { findManagedBlocks, ownBlock } from './managed-block.ts'
import { portRange, type Prepared } from './prepare.ts'
import { RenderError } from './render-error.ts'

/** A rule spec as this renderer writes it: `from CIDR` or `from CIDR to any port P proto tcp`. */
const SPEC_RE = /^from (\S+?)(?: to any port (\d{1,5})(?::(\d{1,5}))? proto (tcp|udp))?$/
/** An allow or delete line of a previous block; the comment is ours (quoted, no `'` inside). */
const RULE_RE = /^ufw (?:delete )?allow (.+?)(?: comment '[^']*')?$/

/** `ufw allow`/`ufw delete allow` specs for one CIDR under the rendering's ports. */
export function ufwSpecs(p: Prepared, cidr: string): string[] {
  if (p.ports.length === 0) return [`from ${cidr}`]
  return p.ports.map((spec) => {
    const [from, to] = portRange(spec)
    return `from ${cidr} to any port ${from === to ? from : `${from}:${to}`} proto ${spec.protocol}`
  })
}

/** The canonical spec of one previous-block line, or undefined when it is not a rule line. */
function readRule(line: string, at: number): string | undefined {
  const rule = RULE_RE.exec(line.trim())
  if (rule === null) return undefined
  const m = SPEC_RE.exec(rule[1]!)
  let cidr: string | undefined
  try {
    cidr = m === null ? undefined : parseCidr(m[1]!).cidr
  } catch {
    cidr = undefined
  }
  const from = Number(m?.[2] ?? 1)
  const to = Number(m?.[3] ?? from)
  if (cidr === undefined || from < 1 || to > 65535 || from > to) {
    throw new RenderError(
      'ERR_RENDER_CIDR',
      `ufw: line ${at} of the previous block, ${JSON.stringify(line.trim())}, is not a rule allowlist-sync writes, so what it opened cannot be closed; fix or remove it`,
      { format: 'ufw', line: at },
    )
  }
  return m![2] === undefined
    ? `from ${cidr}`
    : `from ${cidr} to any port ${m![3] === undefined ? from : `${from}:${to}`} proto ${m![4]!}`
}

/** Orders specs by family, address, prefix, then text: the same set always prints the same. */
function sortKey(spec: string): [number, bigint, number] {
  const cidr = spec.split(' ')[1]!
  const [address, prefix] = cidr.split('/') as [string, string]
  const value = toAddressValue(address)!
  return [value.family, value.value, Number(prefix)]
}

function compare(a: string, b: string): number {
  const [fa, va, pa] = sortKey(a)
  const [fb, vb, pb] = sortKey(b)
  if (fa !== fb) return fa - fb
  if (va !== vb) return va < vb ? -1 : 1
  if (pa !== pb) return pa - pb
  // Same CIDR: by port text. Specs come from a Set, so two are never equal.
  return a < b ? -1 : 1
}

/**
 * The specs to `ufw delete allow`, sorted: every rule of `removed` (under the current ports) and
 * every allow or delete rule of the previous block (p.previous, the block of the same name, or an
 * old unnamed block of the same feeds) that `wanted` does not hold. Deletes of a previous block
 * are carried on until a rendering allows the rule again, so a run that was never applied still
 * gets closed by the next. Throws ERR_RENDER_CIDR, naming the line, for a rule line it cannot read.
 */
export function ufwStaleRules(p: Prepared, wanted: readonly string[]): string[] {
  const stale = new Set<string>()
  for (const cidr of [...p.removedV4, ...p.removedV6]) {
    for (const spec of ufwSpecs(p, cidr)) stale.add(spec)
  }
  if (p.previous !== undefined) {
    const block = ownBlock(findManagedBlocks(p.previous), p.name, p.feedIds)
    const lines = p.previous.split('\n')
    for (let at = block?.beginLine ?? 0; at < (block?.endLine ?? 0) - 1; at++) {
      const spec = readRule(lines[at]!, at + 1)
      if (spec !== undefined) stale.add(spec)
    }
  }
  for (const spec of wanted) stale.delete(spec)
  return [...stale].sort(compare)
}
