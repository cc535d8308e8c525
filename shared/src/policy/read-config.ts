/**
 * @module Firewall configs into the normalised {@link FirewallConfig}: format detection and the
 * dispatch to one reader per format.
 */
import { PolicyError } from './policy-error.ts'
import { readAwsSecurityGroups } from './read-aws-sg.ts'
import { readCompose } from './read-compose.ts'
import { readIpsetSave, readIptablesSave, type NamedSets } from './read-iptables.ts'
import { readNftJson } from './read-nft-json.ts'
import { readNftables } from './read-nftables.ts'
import { readUfwCommands } from './read-ufw-commands.ts'
import { readUfwStatus } from './read-ufw-status.ts'
import type { ConfigFormat, FirewallConfig } from './types.ts'

/** Every format {@link readFirewallConfig} reads, in the order help texts list them. */
export const CONFIG_FORMATS: readonly ConfigFormat[] = [
  'nftables',
  'nft-json',
  'iptables-save',
  'ipset',
  'ufw-rules',
  'ufw-status',
  'ufw-commands',
  'docker-compose',
  'aws-sg',
]

/** Whether `text` is one of the {@link CONFIG_FORMATS}. */
export function isConfigFormat(text: string): text is ConfigFormat {
  return (CONFIG_FORMATS as readonly string[]).includes(text)
}

/**
 * What one line of text says about the format, tested on the line alone (start-anchored, no
 * pattern that can span lines): one pass over the lines keeps detection linear on any input.
 */
const LINE_TESTS: readonly (readonly [ConfigFormat, RegExp])[] = [
  ['ufw-rules', /^:ufw6?-user-input /],
  ['iptables-save', /^\*filter\b|^:(INPUT|OUTPUT|FORWARD|ufw6?-\S+) /],
  ['ufw-status', /^Status: (active|inactive)|^To[ \t]+Action[ \t]+From/],
  [
    'ufw-commands',
    /^[ \t]*(sudo[ \t]+)?ufw[ \t]+(--force[ \t]+)?(allow|deny|reject|limit|insert|prepend|default|delete)\b/,
  ],
  ['ipset', /^(create|add|-N|-A) \S+ (hash|bitmap|list):/],
  [
    'nftables',
    /^[ \t]*(table (ip6?|inet|arp|bridge|netdev) |table \S+ \{|(add|insert|create) (table|chain|rule|set|element) |flush ruleset|set \S+ \{|include[ \t]+"|#!\S*\/nft\b)/,
  ],
  ['docker-compose', /^services[ \t]*:/],
]

/** Guesses a config's format from its content; undefined when nothing fits. Linear time. */
export function detectConfigFormat(text: string): ConfigFormat | undefined {
  // the first character that is neither a byte order mark nor blank (JSON starts there)
  const start = text.search(/[^\s\uFEFF]/)
  if (text[start] === '{' || text[start] === '[') {
    if (/"nftables"\s*:/.test(text.slice(start, start + 2000))) return 'nft-json'
    if (/"(SecurityGroups|SecurityGroupRules|IpPermissions|IpProtocol)"\s*:/.test(text))
      return 'aws-sg'
    return undefined
  }
  // the first test (in LINE_TESTS order) that any line passes names the format
  let best = LINE_TESTS.length
  for (let at = 0; at <= text.length && best > 0;) {
    const end = text.indexOf('\n', at)
    // a line of one character or none passes no test: skipped unread (blank lines are common)
    if (end - at > 1 || (end < 0 && at < text.length)) {
      const line = text.slice(at, end < 0 ? text.length : end)
      for (let k = 0; k < best; k++) if (LINE_TESTS[k]![1].test(line)) best = k
    }
    if (end < 0) break
    at = end + 1
  }
  return LINE_TESTS[best]?.[0]
}

/**
 * Reads one config. `format` forces a format; otherwise it is detected. `sets` supplies the
 * ipsets an iptables-save file's `-m set` rules name (see {@link readFirewallConfigs}). Unreadable
 * input is an ERR_POLICY_CONFIG (or ERR_POLICY_FORMAT) PolicyError naming the file and line.
 */
export function readFirewallConfig(
  text: string,
  options: { file: string; format?: ConfigFormat; sets?: NamedSets },
): FirewallConfig {
  const { file } = options
  const format = options.format ?? detectConfigFormat(text)
  if (format === undefined)
    throw new PolicyError(
      'ERR_POLICY_FORMAT',
      `${file}: cannot tell the format (known: ${CONFIG_FORMATS.join(', ')}); name it with --config-format`,
      { file },
    )
  switch (format) {
    case 'nftables':
      return readNftables(text, file)
    case 'nft-json':
      return readNftJson(text, file)
    case 'iptables-save':
    case 'ufw-rules':
      return readIptablesSave(text, {
        file,
        ufw: format === 'ufw-rules',
        ...(options.sets ? { sets: options.sets } : {}),
      })
    case 'ufw-status':
      return readUfwStatus(text, file)
    case 'ufw-commands':
      return readUfwCommands(text, file)
    case 'docker-compose':
      return readCompose(text, file)
    case 'aws-sg':
      return readAwsSecurityGroups(text, file)
    case 'ipset':
      readIpsetSave(text, file)
      return { file, format, layer: 'host', families: [], chains: [], published: [], warnings: [] }
  }
}

/**
 * Reads several configs together: `ipset save` files first, so that the iptables-save files'
 * `-m set --match-set` rules find their sets, whichever order the files come in.
 */
export function readFirewallConfigs(
  inputs: readonly { text: string; file: string; format?: ConfigFormat }[],
): FirewallConfig[] {
  const formats = inputs.map((i) => i.format ?? detectConfigFormat(i.text))
  const sets = new Map<
    string,
    ReturnType<typeof readIpsetSave> extends Map<string, infer V> ? V : never
  >()
  inputs.forEach((input, k) => {
    if (formats[k] === 'ipset')
      for (const [name, s] of readIpsetSave(input.text, input.file)) sets.set(name, s)
  })
  return inputs.map((input, k) => {
    const format = formats[k]
    return readFirewallConfig(input.text, { file: input.file, ...(format ? { format } : {}), sets })
  })
}
