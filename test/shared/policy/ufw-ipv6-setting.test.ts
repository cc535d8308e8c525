/**
 * @module A ufw script's IPV6 setting and its pipelines (read-ufw-commands.ts). Setup scripts
 * switch ufw's IPv6 off with `sed -i 's/IPV6=yes/IPV6=no/' /etc/default/ufw`, and ufw then drops
 * every IPv6 packet but on lo (ufw-init-functions: ip6tables policies DROP), whatever its rules
 * say; they enable ufw through a pipe (`echo "y" | ufw enable`). Proven on two real scripts and
 * against the kernel: the first one run as it is published, with real ufw in a namespace.
 */
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  readFirewallConfig,
  type CompiledConfigs,
} from '../../../shared/src/index.ts'
import { predict } from '../../helpers/kernel-truth.ts'
import {
  reachText,
  runUfwScript,
  UFW_HOST,
  ufwSkipReason,
  verifyAndKernel,
} from '../../helpers/ufw.ts'

/**
 * github.com/ucrm-plugins/ucrm-plugins `vagrant/provisioning/base/firewall.sh`
 * @ 67a29c6a4f0206c1c9c2d3943d4ee3027735e2db, read 2026-12-06: unedited.
 */
const UCRM = `#!/bin/bash

# Disable IPv6 Rules
sed -i "s/IPV6=yes/IPV6=no/g" /etc/default/ufw

# Restart UFW
ufw disable
echo "y" | ufw enable

# Set defaults...
ufw default deny incoming
ufw default allow outgoing

# Allow SSH
ufw allow ssh

# Allow HTTP
ufw allow http

# Allow HTTPS
ufw allow https

# Allow NetFlow
ufw allow 2055/udp
`

/**
 * github.com/rossharper/raspberrypi-config `ufw/configure_ufw.sh`
 * @ 0579bc5a616a312f31c0a558b683259dd0da518c, read 2026-12-06: unedited.
 */
const ROSSHARPER = `#!/bin/bash

# Enable IPv6 (to be sure)
sudo sed -i.bak -e 's/^#\\?IPV6=.*/IPV6=yes/' /etc/default/ufw

sudo ufw allow ssh

sudo ufw --force enable
`

const local = UFW_HOST

/** Sources a TCP or UDP port of this host's address in `family` lets in: `any`, `none`, or CIDRs. */
const reach = (cs: CompiledConfigs, protocol: 'tcp' | 'udp', port: number, family: 4 | 6) =>
  reachText(cs, port, family, protocol)

function read(text: string) {
  return readFirewallConfig(text, { file: 'setup.sh', format: 'ufw-commands' })
}

describe('a ufw script: IPV6 in /etc/default/ufw, and pipelines', () => {
  it('ucrm-plugins: IPV6=no, so no IPv6 gets in; `echo "y" | ufw enable` enables ufw', () => {
    const config = read(UCRM)
    const cs = compileConfigs([config])
    expect([22, 80, 443].map((p) => reach(cs, 'tcp', p, 4))).toEqual(['any', 'any', 'any'])
    expect(reach(cs, 'udp', 2055, 4)).toBe('any')
    expect([22, 80, 443].map((p) => reach(cs, 'tcp', p, 6))).toEqual(['none', 'none', 'none'])
    expect(reach(cs, 'udp', 2055, 6)).toBe('none')
    expect(config.warnings.map((w) => [w.line, w.message.split(':')[0]])).toEqual([
      [4, 'IPV6=no in /etc/default/ufw'],
    ])
  })

  it('rossharper: IPV6=yes, so its rules hold for IPv6 too, and nothing is said of it', () => {
    const config = read(ROSSHARPER)
    const cs = compileConfigs([config])
    expect([reach(cs, 'tcp', 22, 4), reach(cs, 'tcp', 22, 6)]).toEqual(['any', 'any'])
    expect(config.warnings).toEqual([])
  })

  it.each([
    [
      'the last write wins',
      "sed -i 's/IPV6=yes/IPV6=no/' /etc/default/ufw\necho IPV6=yes >> /etc/default/ufw",
      'any',
    ],
    ['a write by tee', "echo 'IPV6=no' | sudo tee -a /etc/default/ufw", 'none'],
    ['a grep writes nothing', "grep -q '^IPV6=no' /etc/default/ufw && echo off", 'any'],
    ['another file', "sed -i 's/IPV6=yes/IPV6=no/' /etc/default/other", 'any'],
  ])('%s', (_, line, v6) => {
    const cs = compileConfigs([read(`${line}\nufw allow 22/tcp\nyes | sudo ufw enable\n`)])
    expect([reach(cs, 'tcp', 22, 4), reach(cs, 'tcp', 22, 6)]).toEqual(['any', v6])
  })

  it('reads the ufw command of a pipeline, not what it pipes into', () => {
    const cs = compileConfigs([
      read(
        'ufw reset\nufw allow 22/tcp | tee -a setup.log\nyes | sudo ufw enable\nufw status | grep 22\n',
      ),
    ])
    expect(reach(cs, 'tcp', 22, 4)).toBe('any')
  })
})

const why = ufwSkipReason()
if (why) console.warn(`ufw IPV6 kernel test: ${why}`)

describe.skipIf(why !== undefined)(
  'the ucrm-plugins script as published, real ufw in a namespace',
  () => {
    it('lets in what verify says: its ports over IPv4, nothing over IPv6', async () => {
      const { probes, open } = await runUfwScript('asr-ufw6', UCRM, {
        local,
        sources: ['198.51.100.7', '2001:db8:5::7'],
        tcp: [22, 80, 443, 8080],
        udp: [2055],
      })
      const verify = predict(compileConfigs([read(UCRM)]), probes, 'eth0')
      const expected = probes.map((p) => !p.from.includes(':') && p.port !== 8080)
      expect(verifyAndKernel(probes, verify, open)).toEqual(
        verifyAndKernel(probes, expected, expected),
      )
    }, 60_000)
  },
)
