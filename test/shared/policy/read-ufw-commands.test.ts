/**
 * @module readFirewallConfig on shell files of ufw commands (read-ufw-commands.ts): the rules and
 * their order are those ufw itself ends up with (checked against ufw 0.36.2's own rule list for the
 * same commands), the defaults, and errors naming file and line.
 */
import { describe, expect, it } from 'vitest'
import { PolicyError, readFirewallConfig, type FirewallConfig } from '../../../shared/src/index.ts'
import { briefUfwRule, written } from './rule-summary.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

const brief = briefUfwRule

const read = (text: string) =>
  readFirewallConfig(text, { file: 'setup.sh', format: 'ufw-commands' })

const chain = (c: FirewallConfig, name: 'ufw incoming' | 'ufw outgoing') =>
  c.chains.find((ch) => ch.name === name)!

/** The rules of a chain, in short; incoming without what ufw's before.rules accept. */
function rules(text: string, name: 'ufw incoming' | 'ufw outgoing' = 'ufw incoming') {
  return written(chain(read(text), name).rules).map(brief)
}

const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.endsWith(needle)) + 1

/** The error readFirewallConfig throws for `text`. */
function failure(text: string): PolicyError {
  try {
    read(text)
  } catch (e) {
    if (e instanceof PolicyError) return e
    throw e
  }
  throw new Error('no error')
}

const SCRIPT = `#!/bin/sh
set -e
sudo ufw default deny incoming
sudo ufw default allow outgoing
ufw allow ssh
sudo ufw allow in on lo
ufw allow in on eth0 to any port 8000
ufw allow log 80,443/tcp
ufw allow http/tcp
ufw allow domain
ufw allow ntp
ufw allow 'Nginx Full'
ufw allow OpenSSH
ufw allow proto tcp from 203.0.113.0/24 to any port 5432 comment 'db from the office'
ufw allow from 2001:db8::/32 to any port https
ufw allow from 198.51.100.7 port 1024:65535 to any port 8443 proto tcp
ufw allow to 192.0.2.10 port 8080 proto tcp
ufw allow from 203.0.113.0/24 to any app OpenSSH
ufw allow proto esp from 203.0.113.0/24
ufw allow proto udp from 198.51.100.0/24
ufw reject 25/tcp
ufw insert 1 deny from 198.51.100.66
ufw prepend deny from 2001:db8:bad::/48
ufw allow 1000:2000/udp
ufw delete allow 1000:2000/udp
ufw allow 3306/tcp
ufw deny 3306/tcp # ufw updates the rule in place
ufw allow 22/tcp
ufw allow out 53/udp
ufw deny out to 192.0.2.0/24 port 25 proto tcp
ufw limit 2222/tcp
ufw --force enable
`

describe('readFirewallConfig: ufw commands', () => {
  it('ends with the rules ufw ends with, in its order', () => {
    const at = (needle: string) => lineOf(SCRIPT, needle)
    const tcp = (...ports: number[]) => ({ protocols: ['tcp'], ports: ports.map((p) => [p, p]) })
    // ufw's own list after these commands (`ufw status`): IPv4 rules, then IPv6 rules; here
    // one list (rules of the two families never meet), each family in ufw's order
    expect(rules(SCRIPT)).toEqual([
      {
        line: at('deny from 2001:db8:bad::/48'),
        family: 6,
        from: '2001:db8:bad::/48',
        verdict: 'drop',
      },
      { line: at('deny from 198.51.100.66'), family: 4, from: '198.51.100.66/32', verdict: 'drop' },
      // ssh is 22/tcp in /etc/services; `ufw allow 22/tcp` further down is the same rule
      { line: at('allow ssh'), ...tcp(22), verdict: 'accept' },
      { line: at('allow in on lo'), on: 'lo', verdict: 'accept' },
      // the interface narrows the rule
      {
        line: at('on eth0 to any port 8000'),
        protocols: ['tcp', 'udp'],
        ports: [[8000, 8000]],
        on: 'eth0',
        verdict: 'accept',
      },
      { line: at('allow log 80,443/tcp'), ...tcp(80, 443), verdict: 'accept' },
      { line: at('allow http/tcp'), ...tcp(80), verdict: 'accept' },
      // domain and https are TCP and UDP in /etc/services, ntp UDP only
      { line: at('allow domain'), protocols: ['tcp', 'udp'], ports: [[53, 53]], verdict: 'accept' },
      { line: at('allow ntp'), protocols: ['udp'], ports: [[123, 123]], verdict: 'accept' },
      // a profile's rule is its own rule to ufw, though 80,443/tcp is open already
      { line: at("allow 'Nginx Full'"), ...tcp(80, 443), verdict: 'accept' },
      { line: at('allow OpenSSH'), ...tcp(22), verdict: 'accept' },
      {
        line: at("comment 'db from the office'"),
        family: 4,
        ...tcp(5432),
        from: '203.0.113.0/24',
        verdict: 'accept',
      },
      {
        line: at('to any port https'),
        family: 6,
        protocols: ['tcp', 'udp'],
        ports: [[443, 443]],
        from: '2001:db8::/32',
        verdict: 'accept',
      },
      // the source port is not modelled
      {
        line: at('to any port 8443 proto tcp'),
        family: 4,
        ...tcp(8443),
        from: '198.51.100.7/32',
        verdict: 'accept',
      },
      // the local address only says which family
      { line: at('to 192.0.2.10 port 8080 proto tcp'), family: 4, ...tcp(8080), verdict: 'accept' },
      {
        line: at('to any app OpenSSH'),
        family: 4,
        ...tcp(22),
        from: '203.0.113.0/24',
        verdict: 'accept',
      },
      // ESP is neither TCP nor UDP: the rule opens no port
      {
        line: at('proto esp from 203.0.113.0/24'),
        family: 4,
        protocols: [],
        from: '203.0.113.0/24',
        verdict: 'accept',
      },
      {
        line: at('proto udp from 198.51.100.0/24'),
        family: 4,
        protocols: ['udp'],
        from: '198.51.100.0/24',
        verdict: 'accept',
      },
      { line: at('reject 25/tcp'), ...tcp(25), verdict: 'drop' },
      // 1000:2000/udp was deleted; 3306/tcp was allowed, then denied in its place
      { line: at('deny 3306/tcp # ufw updates the rule in place'), ...tcp(3306), verdict: 'drop' },
      { line: at('limit 2222/tcp'), ...tcp(2222), verdict: 'accept' },
    ])
    expect(rules(SCRIPT, 'ufw outgoing')).toEqual([
      { line: at('allow out 53/udp'), protocols: ['udp'], ports: [[53, 53]], verdict: 'accept' },
      {
        line: at('deny out to 192.0.2.0/24 port 25 proto tcp'),
        family: 4,
        ...tcp(25),
        to: '192.0.2.0/24',
        verdict: 'drop',
      },
    ])
  })

  it('takes the defaults from `ufw default`, at their lines; the direction defaults to incoming', () => {
    const c = read(SCRIPT)
    expect(chain(c, 'ufw incoming')).toMatchObject({
      policy: 'drop',
      policyLine: lineOf(SCRIPT, 'default deny incoming'),
    })
    expect(chain(c, 'ufw outgoing')).toMatchObject({
      policy: 'accept',
      policyLine: lineOf(SCRIPT, 'default allow outgoing'),
    })
    const open = read('ufw default allow\nufw default deny outgoing\nufw default allow routed\n')
    expect(chain(open, 'ufw incoming')).toMatchObject({ policy: 'accept', policyLine: 1 })
    expect(chain(open, 'ufw outgoing')).toMatchObject({ policy: 'drop', policyLine: 2 })
    // without `ufw default`: ufw's own defaults, at the first line
    const plain = read('ufw allow 22/tcp\n')
    expect(chain(plain, 'ufw incoming')).toMatchObject({ policy: 'drop', policyLine: 1 })
    expect(chain(plain, 'ufw outgoing')).toMatchObject({ policy: 'accept', policyLine: 1 })
  })

  it('keeps the rule ufw keeps when a command names an existing one', () => {
    // delete names the action too; insert skips an existing rule whatever its action
    const text = [
      'ufw allow 5432/tcp',
      'ufw delete deny 5432/tcp',
      'ufw insert 1 deny 5432/tcp',
      'ufw allow 5432/tcp',
    ].join('\n')
    expect(rules(text)).toEqual([
      { line: 1, protocols: ['tcp'], ports: [[5432, 5432]], verdict: 'accept' },
    ])
  })

  it('an outbound rule from a local address is of its family; the remote is the destination', () => {
    const text =
      'ufw allow out from 2001:db8::1 to any port 443 proto tcp\nufw deny out to 2001:db8:bad::/48\n'
    expect(rules(text, 'ufw outgoing')).toEqual([
      { line: 1, family: 6, protocols: ['tcp'], ports: [[443, 443]], verdict: 'accept' },
      { line: 2, family: 6, to: '2001:db8:bad::/48', verdict: 'drop' },
    ])
  })

  it("reads a ufw command behind sudo's options and variables", () => {
    const text = [
      'sudo -E ufw allow 8080/tcp',
      'sudo -u root ufw allow 8081/tcp',
      'sudo -uroot -- ufw allow 8082/tcp',
      'sudo --preserve-env=PATH -nE ufw allow 8083/tcp',
      'sudo --user admin DEBIAN_FRONTEND=noninteractive ufw allow 8084/tcp',
      '/usr/bin/sudo -g adm ufw allow 8085/tcp',
      'sudo -E apt-get install -y ufw',
    ].join('\n')
    expect(
      rules(text)
        .filter((r) => r.family !== 6)
        .map((r) => [r.line, r.ports]),
    ).toEqual([1, 2, 3, 4, 5, 6].map((line) => [line, [[8079 + line, 8079 + line]]]))
  })

  it('drops redirections: where a command writes its output is none of its arguments', () => {
    const text = [
      'ufw allow 8080/tcp >/dev/null',
      'ufw allow 8081/tcp > /dev/null 2>&1',
      'sudo ufw allow 8082/tcp >> "$logfile" 2>&1',
      'ufw allow 8083/tcp &>/dev/null',
      'ufw allow 8084/tcp 2> /tmp/err </dev/null',
    ].join('\n')
    expect(
      rules(text)
        .filter((r) => r.family !== 6)
        .map((r) => [r.line, r.ports]),
    ).toEqual([1, 2, 3, 4, 5].map((line) => [line, [[8079 + line, 8079 + line]]]))
  })

  /**
   * github.com/anrizald/palabatu `scripts/provision-vps.sh` @
   * 5ffb93b190a4fd6ce5b0859c654d66109c84bab9, read 2026-12-06: its firewall lines (67-73, run
   * over ssh), pasted unedited. Before, `sudo -E` hid every line ('no ufw commands'), then each
   * `>/dev/null` was read as an application profile.
   */
  it('a published provisioning script: sudo -E and >/dev/null on every line', () => {
    const PALABATU = `  sudo -E ufw default deny incoming >/dev/null
  sudo -E ufw default allow outgoing >/dev/null
  sudo -E ufw allow OpenSSH >/dev/null
  sudo -E ufw allow 80/tcp >/dev/null
  sudo -E ufw allow 443/tcp >/dev/null
  sudo -E ufw --force enable >/dev/null
  sudo -E ufw status
`
    const c = read(PALABATU)
    expect(chain(c, 'ufw incoming').policy).toBe('drop')
    expect(chain(c, 'ufw outgoing').policy).toBe('accept')
    expect(
      rules(PALABATU)
        .filter((r) => r.family !== 6)
        .map((r) => [r.line, r.ports]),
    ).toEqual([
      [3, [[22, 22]]],
      [4, [[80, 80]]],
      [5, [[443, 443]]],
    ])
    expect(warningTexts(c.warnings ?? [])).toEqual([])
  })

  it('ignores dry runs, other and incomplete ufw commands, and other shell lines', () => {
    const text = [
      'apt-get install -y ufw',
      'ufw --dry-run allow 3306/tcp',
      'ufw status verbose',
      'ufw logging on',
      // ufw itself refuses this: it changes nothing
      'ufw delete',
      'ufw allow 443/tcp',
    ].join('\n')
    expect(rules(text)).toEqual([
      { line: 6, protocols: ['tcp'], ports: [[443, 443]], verdict: 'accept' },
    ])
  })

  it.each([
    ['#!/bin/sh\nnft -f /etc/nftables.conf\n', 1, "no 'ufw' commands"],
    ['ufw allow 22/tcp\nufw insert 0 allow 80/tcp\n', 2, "'ufw insert 0': expected a rule number"],
    ['ufw insert allow 80/tcp\n', 1, "'ufw insert allow': expected a rule number"],
    ['ufw insert\n', 1, "'ufw insert ': expected a rule number"],
    [
      'ufw delete 3\n',
      1,
      "'ufw delete NUM' depends on the live rule numbers; write the rule out instead",
    ],
    ['ufw allow 70000/tcp\n', 1, "'70000' is not a port or port range"],
    [
      'ufw allow from 203.0.113.0/24 to any port 8000:7000\n',
      1,
      "'8000:7000' is not a port or port range",
    ],
    [
      'ufw allow Samba\n',
      1,
      "cannot read 'Samba' (an application profile this reader does not know?)",
    ],
    ['ufw allow from any to any app Samba\n', 1, "unknown application profile 'Samba'"],
    ['ufw allow from\n', 1, "'from' needs a value"],
    ['ufw allow\n', 1, "'ufw allow' needs a port, an address or an interface"],
    ['sudo ufw deny in\n', 1, "'ufw deny' needs a port, an address or an interface"],
    ['ufw allow from 203.0.113.300\n', 1, "'203.0.113.300' is not an address, CIDR or range"],
  ])('%j is an error naming file and line', (text, line, message) => {
    const error = failure(text)
    expect(error.code).toBe('ERR_POLICY_CONFIG')
    expect([error.file, error.line]).toEqual(['setup.sh', line])
    expect(error.message).toBe(`setup.sh:${line}: ${message}`)
  })
})

describe('readFirewallConfig: ufw commands, nothing silent', () => {
  it('resolves /etc/services names over the protocols listed there', () => {
    const ports = (text: string) =>
      written(chain(read(text), 'ufw incoming').rules).map((r) => [r.dports?.ranges, r.protocols])
    expect(
      ports('ufw allow dhcpv6-client\nufw allow domain\nufw allow postgresql/tcp\nufw allow ntp\n'),
    ).toEqual([
      [[[546, 546]], ['udp']],
      [[[53, 53]], ['tcp', 'udp']],
      [[[5432, 5432]], ['tcp']],
      [[[123, 123]], ['udp']],
    ])
  })

  it('refuses a service over a protocol /etc/services does not list it for', () => {
    expect(failure('ufw allow 22/tcp\nufw allow dhcpv6-client/tcp\n').message).toBe(
      "setup.sh:2: 'dhcpv6-client' is no tcp service in /etc/services",
    )
  })

  it('notes `ufw limit`, `ufw route` and commands that are no rule; quiet verbs say nothing', () => {
    const c = read(
      'ufw --force reset\nufw limit ssh\nufw route allow in on eth0 out on docker0\nufw logging on\nufw app list\nufw status verbose\nufw frobnicate 22\nufw --force enable\n',
    )
    expect(warningTexts(c.warnings)).toEqual([
      "setup.sh:2: rate limit 'ufw limit' is not modelled: read for a first connection, under the rate, which the rule matches; connections past the rate are treated otherwise",
      "setup.sh:3: routed rules ('ufw route') are not modelled: they filter forwarded traffic, not this host's",
      "setup.sh:7: 'ufw frobnicate 22' is not read: not a ufw rule command",
    ])
  })

  it('refuses a script that leaves ufw disabled (by disable or reset)', () => {
    expect(failure('ufw allow 22/tcp\nufw disable\n').message).toBe(
      "setup.sh:2: 'ufw disable' and no 'ufw enable' after it: ufw filters nothing",
    )
    expect(failure('ufw allow 22/tcp\nufw --force reset\nufw allow 80/tcp\n').line).toBe(2)
    // re-enabled: the rules after the reset are what is left
    const c = read('ufw allow 22/tcp\nufw --force reset\nufw allow 80/tcp\nufw --force enable\n')
    // ufw's before.rules (three accepts) at the default policy's line, 2 once reset
    expect(chain(c, 'ufw incoming').rules.map((r) => r.line)).toEqual([2, 2, 2, 3])
  })
})

describe('readFirewallConfig: ufw commands on an interface', () => {
  it('`in on` binds the incoming rule to the interface, `out on` the outgoing one', () => {
    const text = 'ufw allow in on tailscale0 to any port 22\nufw deny out on eth0 to any port 25\n'
    expect(rules(text)).toEqual([
      {
        line: 1,
        protocols: ['tcp', 'udp'],
        ports: [[22, 22]],
        on: 'tailscale0',
        verdict: 'accept',
      },
    ])
    expect(rules(text, 'ufw outgoing')).toEqual([
      { line: 2, protocols: ['tcp', 'udp'], ports: [[25, 25]], out: 'eth0', verdict: 'drop' },
    ])
  })
})
