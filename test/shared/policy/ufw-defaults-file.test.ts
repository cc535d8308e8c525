/**
 * @module What a ufw script writes into ufw's own files (read-ufw-commands.ts): the default
 * policies in /etc/default/ufw (`DEFAULT_INPUT_POLICY="ACCEPT"` opens every port ufw has no rule
 * for), settings it does not model (the forward policy), values it cannot know (a variable), and
 * edits of /etc/ufw/*.rules, each reported at its line; and a command continued over lines with
 * a backslash, read as one. Proven on three published scripts, and against the kernel with real
 * ufw in a namespace: a DigitalOcean 1-Click script as it is published, and the input-policy line
 * of a published post in a script around it.
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
 * github.com/digitalocean/droplet-1-clicks `common/scripts/014-ufw-docker.sh`
 * @ a2e34784c1c64c671af07e508efe0fa05475f3d2, read 2026-12-06: unedited.
 */
const DO_1CLICK = `#!/bin/sh

sed -e 's|DEFAULT_FORWARD_POLICY=.*|DEFAULT_FORWARD_POLICY="ACCEPT"|g' \\
    -i /etc/default/ufw

ufw limit ssh
ufw allow 2375/tcp
ufw allow 2376/tcp

ufw --force enable
`

/**
 * github.com/jwd83/spinup `spin-docker.sh` @ 4a59b0f7af62ccfa4c30a49f9877b33ca18a4174, read
 * 2026-12-06: unedited.
 */
const SPINUP = `# This loosely follows the instructions found at
# http://docs.docker.io/en/latest/installation/ubuntulinux/#ubuntu-raring-saucy

# Add docker to apt
apt-key adv --keyserver keyserver.ubuntu.com --recv-keys 36A1D7869245C8950F966E92D8576A8BA88D21E9
sh -c "echo deb http://get.docker.io/ubuntu docker main > /etc/apt/sources.list.d/docker.list"

# Update system and install docker & screen
apt-get update -y && apt-get upgrade -y
apt-get install lxc-docker screen git -y 

# Update UFW settings for docker
cp /etc/default/ufw /etc/default/ufw.bak
SEDFIND="DEFAULT_FORWARD_POLICY=\\"DROP\\""
SEDREPLACE="DEFAULT_FORWARD_POLICY=\\"ACCEPT\\""
sed -i "s/$SEDFIND/$SEDREPLACE/g" /etc/default/ufw
ufw reload
ufw allow 4243/tcp
ufw allow 22
ufw --force enable

# Get a good base image to work from
docker pull phusion/baseimage
`

/**
 * github.com/svlentink/www `blog.lent.ink/scaleway.md` @ ec26fdd3d7c873c489c69b299ec590c66c41ffc0
 * (a post, 2015), read 2026-12-06: its bash block, unedited.
 */
const SCALEWAY = `sudo ufw default deny incoming
sudo ufw default allow outgoing
sudo ufw allow ssh # 22/tcp
sudo ufw allow www # 80/tcp
sudo ufw allow 443/tcp # https

echo going to change some config files, specific for scaleway #
echo creating backup of config files we change
sudo cp /etc/default/ufw /etc/default/ufw.bak
sudo cp /etc/ufw/after.rules /etc/ufw/after.rules.bak
echo changing them
sudo sed -i 's/IPV6=yes/IPV6=no/g' /etc/default/ufw
sudo sed -i 's/DEFAULT_INPUT_POLICY="DROP"/DEFAULT_INPUT_POLICY="ACCEPT"/g' /etc/default/ufw
sudo sed -i 's/COMMIT/-A\\ ufw-reject-input\\ -j\\ DROP\\nCOMMIT/g' /etc/ufw/after.rules

sudo ufw enable
sudo ufw status
`

/**
 * github.com/11philip22/scripts `docker-ufw-fix.sh` @ 66a865e61491cba5fe1f687c168e2f9cd4af3717,
 * read 2026-12-06: unedited.
 */
const DOCKER_UFW_FIX = `#!/bin/bash

echo "{\\"iptables\\": false}" > /etc/docker/daemon.json
sed -i -e 's/DEFAULT_FORWARD_POLICY="DROP"/DEFAULT_FORWARD_POLICY="ACCEPT"/g' /etc/default/ufw
ufw reload
iptables -t nat -A POSTROUTING ! -o docker0 -s 172.17.0.0/16 -j MASQUERADE
systemctl restart docker
`

/** The input-policy line of SCALEWAY, in a script of our own around it. */
const INPUT_ACCEPT = `sed -i 's/DEFAULT_INPUT_POLICY="DROP"/DEFAULT_INPUT_POLICY="ACCEPT"/g' /etc/default/ufw
ufw allow 22/tcp
ufw --force enable
`

const local = UFW_HOST

function read(text: string) {
  return readFirewallConfig(text, { file: 'setup.sh', format: 'ufw-commands' })
}

const reach = (cs: CompiledConfigs, port: number, family: 4 | 6) => reachText(cs, port, family)

/** Each warning as its line and its message up to the first colon. */
const said = (text: string) =>
  read(text).warnings.map((w) => [w.line, w.message.split(':')[0]] as const)

describe("a ufw script that writes ufw's own files", () => {
  it('DigitalOcean 1-Click: the forward policy is reported, the host reads as its rules say', () => {
    const cs = compileConfigs([read(DO_1CLICK)])
    for (const family of [4, 6] as const)
      expect([22, 2375, 2376, 8080].map((p) => reach(cs, p, family))).toEqual([
        'any',
        'any',
        'any',
        'none',
      ])
    // one command over lines 3 and 4: its `-i /etc/default/ufw` is not read alone
    expect(said(DO_1CLICK)).toEqual([
      [3, 'DEFAULT_FORWARD_POLICY in /etc/default/ufw is not modelled'],
      [6, "rate limit 'ufw limit' is not modelled"],
    ])
  })

  it('spinup: a sed of variables on /etc/default/ufw is reported; a cp of it is no write', () => {
    const cs = compileConfigs([read(SPINUP)])
    expect([22, 4243, 8080].map((p) => reach(cs, p, 4))).toEqual(['any', 'any', 'none'])
    expect(said(SPINUP)).toEqual([[16, 'writes /etc/default/ufw with what this reader cannot see']])
  })

  it('the Scaleway post: DEFAULT_INPUT_POLICY="ACCEPT" lets every port in; after.rules is reported', () => {
    const cs = compileConfigs([read(SCALEWAY)])
    expect([22, 80, 443, 8080].map((p) => reach(cs, p, 4))).toEqual(['any', 'any', 'any', 'any'])
    expect([22, 8080].map((p) => reach(cs, p, 6))).toEqual(['none', 'none'])
    // the .bak copies are no files of ufw's; the after.rules edit is, and is not read
    expect(said(SCALEWAY)).toEqual([
      [12, 'IPV6=no in /etc/default/ufw'],
      [14, 'writes /etc/ufw/after.rules, which this reader does not read'],
    ])
  })

  it("docker-ufw-fix: the forward policy, Docker's iptables off and an iptables command beside ufw are reported", () => {
    expect(said(DOCKER_UFW_FIX)).toEqual([
      [3, 'writes "iptables"'],
      [4, 'DEFAULT_FORWARD_POLICY in /etc/default/ufw is not modelled'],
      [
        6,
        "'iptables -t nat -A POSTROUTING ! -o docker0 -s 172.17.0.0/16 -j MASQUERADE' is not read",
      ],
    ])
  })

  it.each([
    ['a sed to ACCEPT', INPUT_ACCEPT, 'any', []],
    [
      'quotes escaped outside quotes, the last write winning',
      `${INPUT_ACCEPT}sed -i s/DEFAULT_INPUT_POLICY=\\"ACCEPT\\"/DEFAULT_INPUT_POLICY=\\"REJECT\\"/ /etc/default/ufw\n`,
      'none',
      [],
    ],
    [
      'an echo appended',
      `echo 'DEFAULT_INPUT_POLICY="ACCEPT"' | sudo tee -a /etc/default/ufw\nufw allow 22/tcp\n`,
      'any',
      [],
    ],
    ['a later `ufw default`', `${INPUT_ACCEPT}ufw default deny incoming\n`, 'none', []],
    ['a commented-out sed', `# ${INPUT_ACCEPT}`, 'none', []],
    [
      "a write inside sh -c, after a list's empty command",
      `true; ; sudo sh -c "echo 'DEFAULT_INPUT_POLICY=\\"ACCEPT\\"' >> /etc/default/ufw"\nufw allow 22/tcp\n`,
      'any',
      [],
    ],
    [
      'a write inside bash -c',
      `/bin/bash -c "sed -i 's/DEFAULT_INPUT_POLICY=.*/DEFAULT_INPUT_POLICY=ACCEPT/' /etc/default/ufw"\nufw allow 22/tcp\n`,
      'any',
      [],
    ],
    [
      'a value this reader cannot know',
      `sed -i "s/^DEFAULT_INPUT_POLICY=.*/DEFAULT_INPUT_POLICY=$POLICY/" /etc/default/ufw\nufw allow 22/tcp\n`,
      'none',
      [[1, 'DEFAULT_INPUT_POLICY in /etc/default/ufw is set to what this reader cannot know']],
    ],
    [
      'a setting not modelled',
      `sed -i 's/MANAGE_BUILTINS=no/MANAGE_BUILTINS=yes/' /etc/default/ufw\nufw allow 22/tcp\n`,
      'none',
      [[1, 'MANAGE_BUILTINS in /etc/default/ufw is not modelled']],
    ],
    [
      'a grep only reads it',
      `grep -q 'DEFAULT_INPUT_POLICY="ACCEPT"' /etc/default/ufw || echo closed\nufw allow 22/tcp\n`,
      'none',
      [],
    ],
    [
      'lines appended to before.rules, reported once',
      `echo '*nat' >> /etc/ufw/before.rules\necho 'COMMIT' >>/etc/ufw/before.rules\necho x >> /etc/ufw/before.rules\nufw allow 22/tcp\n`,
      'none',
      [[1, 'writes /etc/ufw/before.rules (3 lines), which this reader does not read']],
    ],
    [
      'a grep -i of it before a sed -i of another file writes nothing of it',
      `grep -i 'DEFAULT_INPUT_POLICY="ACCEPT"' /etc/default/ufw && sed -i 's/a/b/' /etc/hosts; echo DEFAULT_INPUT_POLICY=ACCEPT\nufw allow 22/tcp\n`,
      'none',
      [],
    ],
    [
      'an iptables rule beside ufw, by its path and through sudo',
      'sudo /usr/sbin/iptables -I INPUT -p tcp --dport 8080 -j ACCEPT\nufw allow 22/tcp\n',
      'none',
      [[1, "'sudo /usr/sbin/iptables -I INPUT -p tcp --dport 8080 -j ACCEPT' is not read"]],
    ],
    [
      'a comment ending in a backslash goes on with no line',
      '# open the web port \\\nufw allow 8080/tcp\n',
      'any',
      [],
    ],
  ])('%s', (_, text, port8080, warnings) => {
    expect(reach(compileConfigs([read(text)]), 8080, 4)).toBe(port8080)
    expect(said(text)).toEqual(warnings)
  })

  it('DEFAULT_OUTPUT_POLICY sets the outgoing policy; a file copied over it is reported', () => {
    const text = `sed -i 's/DEFAULT_OUTPUT_POLICY="ACCEPT"/DEFAULT_OUTPUT_POLICY="DROP"/' /etc/default/ufw\nufw allow 22/tcp\n`
    const outgoing = read(text).chains.find((c) => c.name === 'ufw outgoing')!
    expect([outgoing.policy, outgoing.policyLine]).toEqual(['drop', 1])
    const copied = 'sudo cp ./ufw.defaults /etc/default/ufw\nufw allow 22/tcp\n'
    expect(said(copied)).toEqual([[1, 'writes /etc/default/ufw with what this reader cannot see']])
  })

  it('reads a ufw command continued over lines as one, at its first line', () => {
    const text = 'ufw allow from 198.51.100.0/24 \\\n  to any port 8080 proto tcp\n'
    expect(reach(compileConfigs([read(text)]), 8080, 4)).toBe('198.51.100.0/24')
    expect(reach(compileConfigs([read(text)]), 22, 4)).toBe('none')
    const rule = read(text).chains[0]!.rules.find((r) => r.text.includes('198.51.100.0/24'))
    expect([rule?.line, rule?.text]).toEqual([1, text.trim().replace(' \\\n ', '')])
  })
})

const why = ufwSkipReason()
if (why) console.warn(`ufw defaults-file kernel test: ${why}`)

describe.skipIf(why !== undefined)('real ufw in a namespace, each script run as it is', () => {
  const host = { local, sources: ['198.51.100.7', '2001:db8:5::7'], tcp: [22, 2375, 2376, 8080] }

  it.each([
    ['the DigitalOcean 1-Click script', DO_1CLICK, false],
    ['the Scaleway input-policy line', INPUT_ACCEPT, true],
  ])(
    '%s: the kernel lets in what verify says',
    async (_, script, open8080) => {
      const { probes, open } = await runUfwScript('asr-ufwdf', script, host)
      const verify = predict(compileConfigs([read(script)]), probes, 'eth0')
      expect(verifyAndKernel(probes, verify, open)).toEqual(verifyAndKernel(probes, verify, verify))
      // a port no rule names: open to both families under DEFAULT_INPUT_POLICY="ACCEPT" only
      expect(probes.flatMap((p, k) => (p.port === 8080 ? [verify[k]] : []))).toEqual([
        open8080,
        open8080,
      ])
    },
    60_000,
  )
})
