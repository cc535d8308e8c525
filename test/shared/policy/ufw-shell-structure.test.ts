/**
 * @module The shell around a ufw script's commands (shell-script.ts, through read-ufw-commands.ts):
 * lists, `sh -c "…"`, `ssh HOST "…"` and here-documents. Before, a list was refused (`cannot read
 * '&&'`), the command string of `sh -c` and of ssh was skipped without a word (its ports read as
 * closed), and a here-document written to a file was read as if the script ran it. Proven on a
 * published script, and against the kernel: bash runs a script of each shape with real ufw in a
 * namespace, and each connection does what verify says (ssh, which needs a second host, is run as
 * the `sh -c` of its command string, which is what the remote shell does with it).
 */
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  readFirewallConfig,
  type FirewallConfig,
} from '../../../shared/src/index.ts'
import { briefUfwRule, written } from './rule-summary.ts'
import { predict } from '../../helpers/kernel-truth.ts'
import { warningTexts } from '../../helpers/reader-warnings.ts'
import { runUfwScript, UFW_HOST, ufwSkipReason, verifyAndKernel } from '../../helpers/ufw.ts'

const read = (text: string) =>
  readFirewallConfig(text, { file: 'setup.sh', format: 'ufw-commands' })

const incoming = (c: FirewallConfig) =>
  written(c.chains.find((ch) => ch.name === 'ufw incoming')!.rules).map(briefUfwRule)

/** The ports the script allows in, as `LINE:PORT/PROTO…`, IPv4 rules only. */
const allowed = (text: string) =>
  incoming(read(text))
    .filter((r) => r.family !== 6 && r.verdict === 'accept')
    .map((r) => `${r.line}:${r.ports!.map(([a]) => a).join(',')}/${r.protocols!.join('+')}`)

/**
 * github.com/DevOps-Sad-people/itu-minitwit `swarm/make-swarm-manager-cluster-manager.sh` @
 * 2db3a89f180d8050d6d160d9acca091a30c8cb09, read 2026-12-06: unedited. Every rule is in ssh's
 * command string, a list over continued lines; before, the file was refused ('no ufw commands').
 */
const MINITWIT = `#!/bin/bash

ssh root@$SWARM_MANAGER_IP "ufw allow 22/tcp && ufw allow 2376/tcp &&\\
ufw allow 2377/tcp && ufw allow 7946/tcp && ufw allow 7946/udp &&\\
ufw allow 4789/udp && ufw reload && ufw --force  enable &&\\
systemctl restart docker"`

describe('the shell around ufw commands', () => {
  it("a published script: every rule in ssh's command string, a list over continued lines", () => {
    const c = read(MINITWIT)
    expect(allowed(MINITWIT)).toEqual([
      '3:22/tcp',
      '3:2376/tcp',
      '3:2377/tcp',
      '3:7946/tcp',
      '3:7946/udp',
      '3:4789/udp',
    ])
    expect(warningTexts(c.warnings ?? [])).toEqual([
      "setup.sh:3: 'ufw allow 22/tcp && ufw allow 2376/tcp && ufw allow 2377/tcp && ufw allow 7946/t' runs on root@$SWARM_MANAGER_IP over ssh: read as commands of the host this file describes",
    ])
  })

  it.each([
    [
      'a list',
      'ufw allow 22/tcp && ufw allow 80/tcp || true; ufw allow 443/tcp & wait',
      ['1:22/tcp', '1:80/tcp', '1:443/tcp'],
    ],
    [
      'an if on one line',
      'if command -v ufw; then sudo ufw allow 22/tcp; else exit 1; fi',
      ['1:22/tcp'],
    ],
    [
      'a loop on one line, values written out',
      'for p in a; do ufw allow 8080/tcp; done',
      ['1:8080/tcp'],
    ],
    [
      'a redirection is no separator',
      'ufw allow 22/tcp >/dev/null 2>&1 && ufw allow 80/tcp &>/dev/null',
      ['1:22/tcp', '1:80/tcp'],
    ],
    [
      'separators in quotes and in $( ) stay',
      `ufw allow 22/tcp comment 'a; b && c' ; ufw allow 80/tcp comment "x \\" ; y" ; echo $(date; date) \\; done`,
      ['1:22/tcp', '1:80/tcp'],
    ],
    ['a comment ends the line', 'ufw allow 22/tcp # later; ufw allow 3306/tcp', ['1:22/tcp']],
    [
      'a pipeline is one command',
      'echo y | sudo ufw enable && yes | ufw allow 80/tcp',
      ['1:80/tcp'],
    ],
    [
      'sh -c, through sudo',
      `sudo bash -c "ufw allow 22/tcp; ufw allow 80/tcp"\nsh -c 'ufw allow 443/tcp'`,
      ['1:22/tcp', '1:80/tcp', '2:443/tcp'],
    ],
  ])('%s', (_, text, ports) => {
    expect(allowed(text)).toEqual(ports)
    expect(warningTexts(read(text).warnings ?? [])).toEqual([])
  })

  it("reads ssh's command string, whatever ssh's options, and reports the host it runs on", () => {
    const text = [
      "ssh -p 2222 -i ~/.ssh/key -tt -o StrictHostKeyChecking=no admin@203.0.113.5 'ufw allow 8443/tcp'",
      'ssh -p2222 -- deploy@host sudo ufw allow 80/tcp',
      'ssh admin@203.0.113.5',
      'ssh -p 2222',
      'ssh host bash -s < local.sh',
      'sudo -v',
      'ufw allow 22/tcp',
    ].join('\n')
    expect(allowed(text)).toEqual(['1:8443/tcp', '2:80/tcp', '7:22/tcp'])
    expect(warningTexts(read(text).warnings ?? [])).toEqual([
      "setup.sh:1: 'ufw allow 8443/tcp' runs on admin@203.0.113.5 over ssh: read as commands of the host this file describes",
      "setup.sh:2: 'sudo ufw allow 80/tcp' runs on deploy@host over ssh: read as commands of the host this file describes",
    ])
  })

  it('reads a here-document given to a shell or to ssh as commands, where its lines stand', () => {
    const text = [
      "ssh -T root@203.0.113.5 <<'EOF'",
      '  ufw allow 22/tcp',
      'EOF',
      'sudo bash -s <<-END',
      '\tufw allow 80/tcp && ufw allow 443/tcp',
      '\tEND',
      'ssh host sudo sh << "X"',
      'ufw allow 8080/tcp',
      'X',
      'ufw --force enable',
    ].join('\n')
    expect(allowed(text)).toEqual(['2:22/tcp', '5:80/tcp', '5:443/tcp', '8:8080/tcp'])
    expect(warningTexts(read(text).warnings ?? [])).toEqual([
      'setup.sh:1: the here-document of lines 2-2 runs on root@203.0.113.5 over ssh: read as commands of the host this file describes',
      'setup.sh:7: the here-document of lines 8-8 runs on host over ssh: read as commands of the host this file describes',
    ])
  })

  it('reads a here-document given to anything else as text: not run, and said so when it holds commands', () => {
    const text = [
      'ufw allow 22/tcp',
      'cat > /root/later.sh <<EOF',
      'ufw allow 3306/tcp',
      'EOF',
      ": <<'COMMENT'",
      'sudo ufw allow 6379/tcp',
      'COMMENT',
      'cat <<EOF > /etc/nginx/conf.d/x.conf',
      'server { listen 80; }',
      'EOF',
      'grep -c x <<< "ufw allow 9000/tcp"',
      '<<X',
      'ufw allow 5432/tcp',
      'X',
    ].join('\n')
    expect(allowed(text)).toEqual(['1:22/tcp'])
    expect(warningTexts(read(text).warnings ?? [])).toEqual([
      "setup.sh:2: lines 3-3 are a here-document given to 'cat': text, not commands run here, so not read as commands",
      "setup.sh:5: lines 6-6 are a here-document given to ':': text, not commands run here, so not read as commands",
      'setup.sh:12: lines 13-13 are a here-document given to no command: text, not commands run here, so not read as commands',
    ])
  })

  it("reads what a here-document writes into Docker's daemon.json and /etc/default/ufw", () => {
    const text = [
      'cat <<EOF | sudo tee /etc/docker/daemon.json',
      '{ "iptables": false }',
      'EOF',
      'sudo tee /etc/default/ufw > /dev/null <<EOF',
      'IPV6=no',
      'DEFAULT_INPUT_POLICY="DROP"',
      'EOF',
      'docker run -d -p 8080:80 nginx',
      'ufw allow 22/tcp',
    ].join('\n')
    const c = read(text)
    // "iptables": false keeps the published port behind ufw: not past it
    expect(c.published).toEqual([])
    expect(warningTexts(c.warnings ?? [])).toEqual([
      `setup.sh:1: writes "iptables": false into /etc/docker/daemon.json: Docker adds no NAT rules, and the ports it publishes from then on stay behind ufw's rules (read so)`,
      "setup.sh:4: IPV6=no in /etc/default/ufw: ufw then drops every IPv6 packet to and from this host but on lo, whatever its rules say; read as such (set IPV6=yes and run 'ufw reload' for its rules to hold for IPv6)",
      "setup.sh:8: 'docker run -d -p 8080:80 nginx' publishes ports with dockerd's iptables off (line 1): no NAT sends them past ufw, whose rules decide (read so)",
    ])
  })

  it('reads a here-document that never ends to the end of the file, as sh does, and says so', () => {
    const text = ['ufw allow 22/tcp', 'cat > /tmp/x <<EOF', 'ufw allow 3306/tcp'].join('\n')
    expect(allowed(text)).toEqual(['1:22/tcp'])
    expect(warningTexts(read(text).warnings ?? [])).toEqual([
      "setup.sh:2: the here-document 'EOF' never ends: read to the end of the file, as sh does",
      "setup.sh:2: lines 3-3 are a here-document given to 'cat': text, not commands run here, so not read as commands",
    ])
  })
})

const why = ufwSkipReason()
if (why) console.warn(`ufw shell-structure kernel test: ${why}`)

describe.skipIf(why !== undefined)('real ufw in a namespace, the script run by bash', () => {
  const SHAPES = [
    'ufw allow 22/tcp && ufw allow 2376/tcp || true; ufw allow 7946/udp',
    'sh -c "ufw allow 2377/tcp && ufw allow 4789/udp"',
    "bash <<'EOF'",
    'ufw allow 8080/tcp',
    'EOF',
    'cat > /dev/null <<EOF',
    'ufw allow 3306/tcp',
    'EOF',
    ": <<'COMMENT'",
    'ufw allow 6379/tcp',
    'COMMENT',
    'ufw --force enable',
    '',
  ].join('\n')

  it('lets in what verify says: lists, sh -c and a here-document run; here-documents of text not', async () => {
    const host = {
      local: UFW_HOST,
      sources: ['198.51.100.7', '2001:db8:5::7'],
      tcp: [22, 2376, 2377, 8080, 3306, 6379],
      udp: [7946, 4789],
    }
    const { probes, open } = await runUfwScript('asr-ufwsh', SHAPES, host)
    const verify = predict(compileConfigs([read(SHAPES)]), probes, 'eth0')
    expect(verifyAndKernel(probes, verify, open)).toEqual(verifyAndKernel(probes, verify, verify))
    // what the text here-documents name stays closed; the rest is open, to both families
    const openPorts = probes.filter((_, k) => open[k]).map((p) => p.port)
    expect([...new Set(openPorts)].sort((a, b) => a - b)).toEqual([
      22, 2376, 2377, 4789, 7946, 8080,
    ])
    expect(openPorts).toHaveLength(12)
  }, 60_000)
})
