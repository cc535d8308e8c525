/**
 * @module readFirewallConfig on `ufw status` / `ufw status verbose` output (read-ufw-status.ts):
 * every kind of row ufw prints (app profiles, interfaces, (v6) rows, OUT and FWD rules, source
 * ports, comments), the Default: line, and errors naming file and line.
 */
import { describe, expect, it } from 'vitest'
import { PolicyError, readFirewallConfig, type FirewallConfig } from '../../../shared/src/index.ts'
import { briefUfwRule, written } from './rule-summary.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'

const brief = briefUfwRule

const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.startsWith(needle)) + 1

const read = (text: string) => readFirewallConfig(text, { file: 'status', format: 'ufw-status' })

const chain = (c: FirewallConfig, name: string) => c.chains.find((ch) => ch.name === name)!

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

// `ufw status verbose` as ufw 0.36.2 prints it after `ufw default deny outgoing`, `ufw allow 22/tcp`,
// `ufw allow in on lo`, `ufw allow OpenSSH`, `ufw allow "Nginx Full"`, `ufw limit 2222/tcp comment
// 'ssh alt'`, `ufw reject 25`, `ufw allow out 53/udp`, `ufw deny out to 198.51.100.0/24`,
// `ufw allow from 203.0.113.0/24 to 192.0.2.10 port 5432 proto tcp`, `ufw allow from 203.0.113.7
// port 1024:65535 proto udp`, `ufw allow proto udp from 2001:db8::/32 to any port 500,4500`,
// `ufw route allow in on eth0 out on eth1 to 10.0.0.0/8 port 80 proto tcp`, `ufw allow in on eth0
// to any port 8080`, `ufw allow out on eth0 to any port 443 proto tcp` (trailing blanks kept).
const VERBOSE = `Status: active
Logging: on (low)
Default: deny (incoming), deny (outgoing), disabled (routed)
New profiles: skip

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW IN    Anywhere                  
Anywhere on lo             ALLOW IN    Anywhere                  
22/tcp (OpenSSH)           ALLOW IN    Anywhere                  
80,443/tcp (Nginx Full)    ALLOW IN    Anywhere                  
2222/tcp                   LIMIT IN    Anywhere                   # ssh alt
25                         REJECT IN   Anywhere                  
192.0.2.10 5432/tcp        ALLOW IN    203.0.113.0/24            
Anywhere                   ALLOW IN    203.0.113.7 1024:65535/udp
8080 on eth0               ALLOW IN    Anywhere                  
22/tcp (v6)                ALLOW IN    Anywhere (v6)             
Anywhere (v6) on lo        ALLOW IN    Anywhere (v6)             
22/tcp (OpenSSH (v6))      ALLOW IN    Anywhere (v6)             
80,443/tcp (Nginx Full (v6)) ALLOW IN    Anywhere (v6)             
25 (v6)                    REJECT IN   Anywhere (v6)             
500,4500/udp               ALLOW IN    2001:db8::/32             
8080 (v6) on eth0          ALLOW IN    Anywhere (v6)             

53/udp                     ALLOW OUT   Anywhere                  
198.51.100.0/24            DENY OUT    Anywhere                  
443/tcp                    ALLOW OUT   Anywhere on eth0          
53/udp (v6)                ALLOW OUT   Anywhere (v6)             
443/tcp (v6)               ALLOW OUT   Anywhere (v6) on eth0     

10.0.0.0/8 80/tcp on eth1  ALLOW FWD   Anywhere on eth0          
`

// the same rules in plain `ufw status`: app profiles by name, no IN, no Default: line
const PLAIN = `Status: active

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW       Anywhere                  
Anywhere on lo             ALLOW       Anywhere                  
OpenSSH                    ALLOW       Anywhere                  
Nginx Full                 ALLOW       Anywhere                  
2222/tcp                   LIMIT       Anywhere                   # ssh alt
25                         REJECT      Anywhere                  
192.0.2.10 5432/tcp        ALLOW       203.0.113.0/24            
Anywhere                   ALLOW       203.0.113.7 1024:65535/udp
8080 on eth0               ALLOW       Anywhere                  
22/tcp (v6)                ALLOW       Anywhere (v6)             
Anywhere (v6) on lo        ALLOW       Anywhere (v6)             
OpenSSH (v6)               ALLOW       Anywhere (v6)             
Nginx Full (v6)            ALLOW       Anywhere (v6)             
25 (v6)                    REJECT      Anywhere (v6)             
500,4500/udp               ALLOW       2001:db8::/32             
8080 (v6) on eth0          ALLOW       Anywhere (v6)             

53/udp                     ALLOW OUT   Anywhere                  
198.51.100.0/24            DENY OUT    Anywhere                  
443/tcp                    ALLOW OUT   Anywhere on eth0          
53/udp (v6)                ALLOW OUT   Anywhere (v6)             
443/tcp (v6)               ALLOW OUT   Anywhere (v6) on eth0     

10.0.0.0/8 80/tcp on eth1  ALLOW FWD   Anywhere on eth0          
`

/** What each row above means, keyed by how the row starts in either listing. */
function expected(text: string) {
  const plain = text === PLAIN
  const at = (needle: string) => lineOf(text, needle)
  const rule = (needle: string, family: 4 | 6, rest: object = {}) => ({
    line: at(needle),
    family,
    ...rest,
    verdict: 'verdict' in rest ? rest.verdict : 'accept',
  })
  const tcp = (...ports: number[]) => ({
    protocols: ['tcp'],
    ports: ports.map((p) => [p, p]),
  })
  const incoming = [
    rule('22/tcp   ', 4, tcp(22)),
    rule('Anywhere on lo', 4, { on: 'lo' }),
    rule(plain ? 'OpenSSH  ' : '22/tcp (OpenSSH)', 4, tcp(22)),
    rule(plain ? 'Nginx Full  ' : '80,443/tcp (Nginx Full)', 4, tcp(80, 443)),
    // LIMIT lets a first connection in
    rule('2222/tcp', 4, tcp(2222)),
    rule('25   ', 4, { protocols: ['tcp', 'udp'], ports: [[25, 25]], verdict: 'drop' }),
    // the local address 192.0.2.10 is this host's own: only the source narrows the rule
    rule('192.0.2.10 5432/tcp', 4, { ...tcp(5432), from: '203.0.113.0/24' }),
    // source ports are not modelled; the protocol comes from the From side
    rule('Anywhere   ', 4, { protocols: ['udp'], from: '203.0.113.7/32' }),
    // the interface narrows the rule
    rule('8080 on eth0', 4, { protocols: ['tcp', 'udp'], ports: [[8080, 8080]], on: 'eth0' }),
    rule('22/tcp (v6)', 6, tcp(22)),
    rule('Anywhere (v6) on lo', 6, { on: 'lo' }),
    rule(plain ? 'OpenSSH (v6)' : '22/tcp (OpenSSH (v6))', 6, tcp(22)),
    rule(plain ? 'Nginx Full (v6)' : '80,443/tcp (Nginx Full (v6))', 6, tcp(80, 443)),
    rule('25 (v6)', 6, { protocols: ['tcp', 'udp'], ports: [[25, 25]], verdict: 'drop' }),
    rule('500,4500/udp', 6, {
      protocols: ['udp'],
      ports: [
        [500, 500],
        [4500, 4500],
      ],
      from: '2001:db8::/32',
    }),
    rule('8080 (v6) on eth0', 6, { protocols: ['tcp', 'udp'], ports: [[8080, 8080]], on: 'eth0' }),
  ]
  const outgoing = [
    rule('53/udp   ', 4, { protocols: ['udp'], ports: [[53, 53]] }),
    rule('198.51.100.0/24', 4, { to: '198.51.100.0/24', verdict: 'drop' }),
    rule('443/tcp   ', 4, { ...tcp(443), out: 'eth0' }),
    rule('53/udp (v6)', 6, { protocols: ['udp'], ports: [[53, 53]] }),
    rule('443/tcp (v6)', 6, { ...tcp(443), out: 'eth0' }),
  ]
  return { incoming, outgoing }
}

describe('readFirewallConfig: ufw status', () => {
  it.each([
    ['ufw status verbose', VERBOSE],
    ['ufw status', PLAIN],
  ])('reads every row of `%s`, in order; FWD (route) rows do not filter INPUT', (_, text) => {
    const c = read(text)
    const { incoming, outgoing } = expected(text)
    const inRules = chain(c, 'ufw incoming').rules
    // first, what ufw's before.rules accept (test/shared/policy/ufw-before-rules.test.ts)
    expect(inRules[0]).toMatchObject({ states: { new: false, established: true } })
    expect(written(inRules).map(brief)).toEqual(incoming)
    expect(chain(c, 'ufw outgoing').rules.map(brief)).toEqual(outgoing)
    const fwd = lineOf(text, '10.0.0.0/8')
    expect(c.chains.flatMap((ch) => ch.rules).some((r) => r.line === fwd)).toBe(false)
  })

  it('takes the policies from the Default: line, at its line; ufw defaults without one', () => {
    const verbose = read(VERBOSE)
    const defaults = lineOf(VERBOSE, 'Default:')
    expect(chain(verbose, 'ufw incoming')).toMatchObject({ policy: 'drop', policyLine: defaults })
    expect(chain(verbose, 'ufw outgoing')).toMatchObject({ policy: 'drop', policyLine: defaults })
    const open = read(
      VERBOSE.replace(
        'Default: deny (incoming), deny (outgoing)',
        'Default: allow (incoming), allow (outgoing)',
      ),
    )
    expect(chain(open, 'ufw incoming').policy).toBe('accept')
    expect(chain(open, 'ufw outgoing').policy).toBe('accept')
    const plain = read(PLAIN)
    expect(chain(plain, 'ufw incoming')).toMatchObject({ policy: 'drop', policyLine: 1 })
    expect(chain(plain, 'ufw outgoing')).toMatchObject({ policy: 'accept', policyLine: 1 })
  })

  it('reads the other application profiles of Debian packages', () => {
    const text = [
      'Status: active',
      'To                         Action      From',
      '--                         ------      ----',
      'Apache                     ALLOW       Anywhere',
      'Apache Secure              ALLOW       Anywhere',
      'Apache Full                ALLOW       Anywhere',
      'Nginx HTTP                 ALLOW       Anywhere',
      'Nginx HTTPS                ALLOW       Anywhere',
      'WWW                        ALLOW       Anywhere',
      'WWW Secure                 ALLOW       Anywhere',
      'WWW Full                   ALLOW       Anywhere',
    ].join('\n')
    const ports = written(chain(read(text), 'ufw incoming').rules).map((r) =>
      r.dports?.ranges.map(([a]) => a).join(','),
    )
    expect(ports).toEqual(['80', '443', '80,443', '80', '443', '80', '443', '80,443'])
  })

  it('rows of a protocol without ports: TCP or UDP only, or (ESP, GRE, ...) no port at all', () => {
    // `ufw status` after `ufw allow proto udp from any to any`, `ufw allow proto esp from
    // 203.0.113.0/24`, `ufw allow proto udp from 198.51.100.0/24`, `ufw deny proto tcp to
    // 192.0.2.10`, `ufw allow proto gre from 2001:db8::/32`
    const text = `Status: active

To                         Action      From
--                         ------      ----
Anywhere/udp               ALLOW       Anywhere/udp              
Anywhere                   ALLOW       203.0.113.0/24/esp        
Anywhere                   ALLOW       198.51.100.0/24/udp       
192.0.2.10/tcp             DENY        Anywhere                  
Anywhere/udp (v6)          ALLOW       Anywhere/udp (v6)         
Anywhere (v6)              ALLOW       2001:db8::/32/gre         
`
    expect(written(chain(read(text), 'ufw incoming').rules).map(brief)).toEqual([
      { line: 5, family: 4, protocols: ['udp'], verdict: 'accept' },
      { line: 6, family: 4, protocols: [], from: '203.0.113.0/24', verdict: 'accept' },
      { line: 7, family: 4, protocols: ['udp'], from: '198.51.100.0/24', verdict: 'accept' },
      // 192.0.2.10 is this host's own address
      { line: 8, family: 4, protocols: ['tcp'], verdict: 'drop' },
      { line: 9, family: 6, protocols: ['udp'], verdict: 'accept' },
      { line: 10, family: 6, protocols: [], from: '2001:db8::/32', verdict: 'accept' },
    ])
  })

  it('a `Status: active` line alone is a firewall with ufw defaults and no rules', () => {
    const c = read('Status: active\n')
    expect(written(chain(c, 'ufw incoming').rules)).toEqual([])
    expect(chain(c, 'ufw outgoing').rules).toEqual([])
  })

  it.each([
    ['Status: inactive\n', 1, 'ufw is inactive: it filters nothing'],
    [
      'Firewall not enabled (skipping reload)\n',
      1,
      "not 'ufw status' output (no 'Status: active' line and no rule rows)",
    ],
    [
      'Status: active\n\nTo Action From\n-- ------ ----\nSamba                      ALLOW       Anywhere\n',
      5,
      "cannot read 'Samba' (an application profile this reader does not know?)",
    ],
    [
      'Status: active\n\nTo Action From\n-- ------ ----\n70000/tcp                  ALLOW       Anywhere\n',
      5,
      "'70000' is not a port or port range",
    ],
    [
      'Status: active\n\nTo Action From\n-- ------ ----\n22/tcp                     ACCEPT      Anywhere\n',
      5,
      "cannot read the ufw rule '22/tcp                     ACCEPT      Anywhere'",
    ],
  ])('%j is an error naming file and line', (text, line, message) => {
    const error = failure(text)
    expect(error.code).toBe('ERR_POLICY_CONFIG')
    expect([error.file, error.line]).toEqual(['status', line])
    expect(error.message).toBe(`status:${line}: ${message}`)
  })
})

describe('readFirewallConfig: ufw status pasted in part', () => {
  // the rows of test/fixtures/policy/docker/ufw-status.txt as an abbreviated paste: no Status,
  // Default or `To  Action  From` lines (issue 12: three ALLOW rows were dropped, 22/80/443 closed)
  const ABBREVIATED = `22/tcp                     ALLOW IN    Anywhere                   # SSH
80/tcp                     ALLOW IN    Anywhere                   # HTTP
443/tcp                    ALLOW IN    Anywhere                   # HTTPS
5432/tcp                   DENY IN     Anywhere                   # no database from outside
`
  const ports = (c: FirewallConfig) =>
    written(chain(c, 'ufw incoming').rules).map((r) => [
      r.line,
      r.dports?.ranges[0]?.[0],
      r.verdict.kind,
    ])

  it('reads every row without the header', () => {
    const c = read(ABBREVIATED)
    expect(ports(c)).toEqual([
      [1, 22, 'accept'],
      [2, 80, 'accept'],
      [3, 443, 'accept'],
      [4, 5432, 'drop'],
    ])
    expect(warningTexts(c.warnings)).toEqual([])
  })

  it('names lines that hold no rule (a prompt, a notice) as warnings; the rows still count', () => {
    const c = read(
      `root@web-1:~# sudo ufw status numbered\nStatus: active\n\n     To                         Action      From\n     --                         ------      ----\n[ 1] 22/tcp                     ALLOW IN    Anywhere\n[ 2] 80,443/tcp                 ALLOW IN    Anywhere\n[ 3] 2222/tcp                   LIMIT IN    Anywhere\n[ 4] 10.0.0.0/8 80/tcp on eth1  ALLOW FWD   Anywhere on eth0\n\nroot@web-1:~#\n`,
    )
    expect(ports(c)).toEqual([
      [6, 22, 'accept'],
      [7, 80, 'accept'],
      [8, 2222, 'accept'],
    ])
    expect(warningTexts(c.warnings)).toEqual([
      "status:1: 'root@web-1:~# sudo ufw status numbered' is not read: it is no ufw rule row (no action, address or port)",
      "status:8: rate limit 'LIMIT' is not modelled: read for a first connection, under the rate, which the rule matches; connections past the rate are treated otherwise",
      "status:9: routed rules ('ufw route', FWD) are not modelled: they filter forwarded traffic, not this host's",
      "status:11: 'root@web-1:~#' is not read: it is no ufw rule row (no action, address or port)",
    ])
  })

  it('refuses lines that may be rules it cannot read, naming every one', () => {
    const error = failure(
      `${ABBREVIATED}22/tcp    ALLOWED    Anywhere\n8080      PERMIT IN  10.0.0.0/8\n`,
    )
    expect(error.line).toBe(5)
    expect(error.message).toBe(
      "status:5: cannot read 2 ufw rules: line 5 '22/tcp    ALLOWED    Anywhere', line 6 '8080      PERMIT IN  10.0.0.0/8'",
    )
  })
})
