/**
 * @module Which real tools and privileges this machine has, for tests that skip with a printed
 * reason where one is missing (CI installs them all and runs as root).
 */
import { spawnSync } from 'node:child_process'

/** Whether a command is on PATH (including /usr/sbin, where Debian puts nft and iptables). */
export function hasCommand(command: string): boolean {
  const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` }
  return spawnSync('sh', ['-c', 'command -v "$0"', command], { stdio: 'ignore', env }).status === 0
}

/** Whether this process is root (needed for network namespaces). */
export const IS_ROOT = process.getuid?.() === 0

/**
 * Returns undefined when every command is present, else a reason to print and skip with.
 */
export function missingTools(...commands: string[]): string | undefined {
  const missing = commands.filter((c) => !hasCommand(c))
  return missing.length === 0 ? undefined : `skipped: ${missing.join(', ')} not installed`
}
