/**
 * @module The ufw application profiles (ufw-words.ts), one table for both ufw readers: each
 * profile reads to the same ports from a shell file of commands (`ufw allow 'NAME'`) and from
 * `ufw status`; and each agrees with the profile file Debian installs in
 * /etc/ufw/applications.d where the package is installed here (ufw's ufw-webserver, nginx-common's
 * nginx; openssh-server's, and Ubuntu apache2's apache2-utils.ufw.profile, are checked where
 * present: Debian's apache2 ships none, and CI installs no SSH server).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readFirewallConfig } from '../../../shared/src/index.ts'
import { ufwApp } from '../../../shared/src/policy/ufw-words.ts'
import { written } from './rule-summary.ts'

const NAMES = [
  'OpenSSH',
  'Nginx HTTP',
  'Nginx HTTPS',
  'Nginx Full',
  'Apache',
  'Apache Secure',
  'Apache Full',
  'WWW',
  'WWW Secure',
  'WWW Full',
  'WWW Cache',
]

/** `80,443/tcp` for the first rule of the incoming chain written (after ufw's before.rules). */
function portsOf(text: string, format: 'ufw-commands' | 'ufw-status'): string {
  const rule = written(
    readFirewallConfig(text, { file: 'f', format }).chains.find((c) => c.name === 'ufw incoming')!
      .rules,
  )[0]!
  return `${rule.dports!.ranges.map(([a, b]) => (a === b ? a : `${a}:${b}`)).join(',')}/${rule.protocols!.join(',')}`
}

const APPS_DIR = '/etc/ufw/applications.d'

/** Every `[Name]` → `ports=` of Debian's profile files installed here. */
function installedProfiles(): Map<string, string> {
  const out = new Map<string, string>()
  if (!existsSync(APPS_DIR)) return out
  for (const file of readdirSync(APPS_DIR)) {
    let name = ''
    for (const line of readFileSync(path.join(APPS_DIR, file), 'utf8').split('\n')) {
      const section = /^\[(.+)\]$/.exec(line)
      if (section) name = section[1]!
      else if (line.startsWith('ports=')) out.set(name, line.slice('ports='.length))
    }
  }
  return out
}

describe('ufw application profiles', () => {
  it.each(NAMES)('%s: the same ports from `ufw allow` and from `ufw status`', (name) => {
    const commands = portsOf(`ufw allow '${name}'\n`, 'ufw-commands')
    const status = portsOf(
      `Status: active\n\nTo                         Action      From\n--                         ------      ----\n${name.padEnd(27)}ALLOW       Anywhere\n`,
      'ufw-status',
    )
    expect(commands).toBe(status)
    expect(ufwApp(name.toUpperCase())).toEqual(ufwApp(name))
  })

  const installed = installedProfiles()
  for (const name of NAMES) {
    const spec = installed.get(name)
    it.skipIf(spec === undefined)(
      `${name} matches ${APPS_DIR}${spec === undefined ? ' (skipped: the package that ships it is not installed here)' : ''}`,
      () => {
        expect(portsOf(`ufw allow '${name}'\n`, 'ufw-commands')).toBe(spec)
      },
    )
  }

  it('at least the profiles of ufw itself are installed where ufw is', () => {
    if (!existsSync(APPS_DIR)) return
    expect(installed.get('WWW Full')).toBe('80,443/tcp')
  })
})
