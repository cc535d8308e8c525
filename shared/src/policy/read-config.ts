/**
 * @module Firewall configs into the normalised {@link FirewallConfig}: format detection and the
 * dispatch to one reader per format.
 */
import type { ConfigFormat, FirewallConfig } from './types.ts'

/** Every format {@link readFirewallConfig} reads, in the order help texts list them. */
export const CONFIG_FORMATS: readonly ConfigFormat[] = [
  'nftables',
  'nft-json',
  'iptables-save',
  'ufw-rules',
  'ufw-status',
  'docker-compose',
  'aws-sg',
]

/** Guesses a config's format from its content; undefined when nothing fits. */
export function detectConfigFormat(text: string): ConfigFormat | undefined {
  throw new Error(`not implemented ${text.length}`)
}

/**
 * Reads one config. `format` forces a format; otherwise it is detected. Unreadable input is an
 * ERR_POLICY_CONFIG (or ERR_POLICY_FORMAT) PolicyError naming the file and line.
 */
export function readFirewallConfig(
  text: string,
  options: { file: string; format?: ConfigFormat },
): FirewallConfig {
  throw new Error(`not implemented ${text.length} ${options.file}`)
}
