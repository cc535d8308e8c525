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

/** Guesses a config's format from its content; undefined when nothing fits. */
export function detectConfigFormat(text: string): ConfigFormat | undefined {
  const head = text.replace(/^\uFEFF/, '').trimStart()
  if (head.startsWith('{') || head.startsWith('[')) {
    if (/"nftables"\s*:/.test(head.slice(0, 2000))) return 'nft-json'
    if (/"(SecurityGroups|IpPermissions|IpProtocol)"\s*:/.test(head)) return 'aws-sg'
    return undefined
  }
  if (/^\*filter\b|^:(INPUT|OUTPUT|FORWARD|ufw6?-\S+) /m.test(text))
    return /^:ufw6?-user-input /m.test(text) ? 'ufw-rules' : 'iptables-save'
  if (/^Status: (active|inactive)|^To\s+Action\s+From/m.test(text)) return 'ufw-status'
  if (
    /^\s*(sudo\s+)?ufw\s+(--force\s+)?(allow|deny|reject|limit|insert|prepend|default|delete)\b/m.test(
      text,
    )
  )
    return 'ufw-commands'
  if (/^(create|add|-N|-A) \S+ (hash|bitmap|list):/m.test(text)) return 'ipset'
  if (
    /^\s*(table (ip6?|inet|arp|bridge|netdev) |table \S+ \{|(add|insert|create) (table|chain|rule|set|element) |flush ruleset|set \S+ \{)/m.test(
      text,
    )
  )
    return 'nftables'
  if (/^services\s*:/m.test(text)) return 'docker-compose'
  return undefined
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
