/**
 * @module Issue 17, packet filters proven where they are deployed (deploy-proof.ts): nftables
 * (its own table, and sets under the operator's table), iptables + ip6tables, ipset + iptables and
 * ufw, each loaded into a pair of network namespaces as its header says, IPv4 and IPv6. Runs as
 * root (CI); elsewhere each block skips with its reason printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { renderFormat } from '../../../shared/src/index.ts'
import { createNetnsPair, netnsSkipReason, type NetnsPair } from '../../helpers/netns.ts'
import { isolatedUfw } from '../../helpers/ufw.ts'
import {
  CLIENTS,
  DENIED,
  FEED,
  headerCommands,
  proveDeployment,
  writeText,
  type Deployer,
} from './deploy-proof.ts'

const SERVER = { 4: '192.0.2.1', 6: '2001:db8::1' }
const LOCAL = (port: number) => [
  { from: '127.0.0.1', to: '127.0.0.1', port },
  { from: '::1', to: '::1', port },
]
/** A test's run time: 200 reloads of a ruleset take 20-60 s on a busy 2-core machine. */
const SLOW = 300_000

const dir = mkdtempSync(path.join(tmpdir(), 'asr-pf-deploy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let pair: NetnsPair | undefined
afterEach(() => {
  pair?.destroy()
  pair = undefined
})

/** A fresh pair, dual-stack listeners on a guarded and an unguarded port, then the proof. */
async function prove(
  d: Deployer,
  optionsFor?: Parameters<typeof proveDeployment>[1]['optionsFor'],
) {
  const p = createNetnsPair('asr-pf', { server: [SERVER[4], SERVER[6]], client: CLIENTS })
  pair = p
  const guarded = await p.listen('::')
  const open = await p.listen('::')
  try {
    await proveDeployment(d, {
      pair: p,
      server: SERVER,
      guarded: guarded.port,
      open: open.port,
      local: LOCAL(guarded.port),
      dir,
      ...(optionsFor ? { optionsFor } : {}),
    })
  } finally {
    await guarded.stop()
    await open.stop()
  }
}

/** The skip reason for a block, printed so a skipped run says why. */
function skip(...tools: string[]): string | false {
  const reason = netnsSkipReason(...tools)
  if (reason !== undefined) console.warn(`packet-filter deploy tests: ${reason}`)
  return reason ?? false
}

describe.skipIf(skip('nft'))('nftables deployed', () => {
  it(
    'with ports: its own table guards the port, re-created atomically by nft -f',
    async () => {
      await prove({
        format: 'nftables',
        ports: true,
        loopbackOption: true,
        reloads: 200,
        write: (file, text) => `nft -f ${writeText(file, text)}`,
      })
    },
    SLOW,
  )

  it(
    'without ports: the sets, flushed and refilled in one transaction, serve the operator table',
    async () => {
      await prove({
        format: 'nftables',
        ports: false,
        loopbackOption: false,
        reloads: 200,
        write: (file, text) => `nft -f ${writeText(file, text)}`,
        // The operator's own rules in table inet filter, written as the header suggests.
        once: (shell, _text, port) =>
          shell(
            `nft -f - <<'EOF'\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tiif "lo" return\n\t\ttcp dport ${port} ip saddr != @allowlist_sync_v4 drop\n\t\ttcp dport ${port} ip6 saddr != @allowlist_sync_v6 drop\n\t}\n}\nEOF`,
          ),
      })
    },
    SLOW,
  )
})

describe.skipIf(skip('iptables-restore', 'ip6tables-restore'))(
  'iptables + ip6tables deployed',
  () => {
    it(
      'chains hooked into INPUT once (the header line), reloaded with --noflush',
      async () => {
        await prove({
          format: 'iptables',
          ports: true,
          loopbackOption: true,
          reloads: 200,
          write: (file, text) => {
            const [v4, v6] = text.split('\u0000')
            writeText(`${file}.v4`, v4!)
            writeText(`${file}.v6`, v6!)
            return `iptables-restore --noflush ${file}.v4 && ip6tables-restore --noflush ${file}.v6`
          },
          once: (shell, text) => {
            const hooks = headerCommands(text, /^# hook it in once: (.*)$/)
            expect(hooks).toHaveLength(2)
            for (const h of hooks) shell(h)
          },
        })
      },
      SLOW,
    )
  },
)

describe.skipIf(skip('ipset', 'iptables', 'ip6tables'))('ipset + iptables deployed', () => {
  it(
    'sets swapped under the rules its header lists, added once',
    async () => {
      await prove({
        format: 'ipset',
        ports: true,
        loopbackOption: true,
        reloads: 200,
        write: (file, text) => `ipset restore -exist < ${writeText(file, text)}`,
        once: (shell, text) => {
          const rules = headerCommands(text, /^#\s+(ip6?tables -I INPUT .*)$/)
          expect(rules).toHaveLength(2)
          for (const r of rules) shell(r)
        },
      })
    },
    SLOW,
  )

  it('a leftover temporary set from an interrupted run is emptied, not swapped in', () => {
    const p = createNetnsPair('asr-pf', { server: [SERVER[4]], client: [DENIED[4]] })
    pair = p
    p.run(
      'server',
      'ipset',
      ['restore', '-exist'],
      'create allowlist-sync-v4-new hash:net family inet hashsize 1024 maxelem 16777216\nadd allowlist-sync-v4-new 203.0.113.0/24\n',
    )
    p.run('server', 'ipset', ['restore', '-exist'], renderFormat('ipset', FEED))
    expect(p.tryRun('server', 'ipset', ['test', 'allowlist-sync-v4', DENIED[4]]).status).not.toBe(0)
    expect(p.run('server', 'ipset', ['list', '-n']).stdout.split('\n').sort()).toEqual([
      '',
      'allowlist-sync-v4',
      'allowlist-sync-v6',
    ])
  })
})

describe.skipIf(skip('ufw', 'unshare', 'mount'))('ufw deployed (private /etc/ufw)', () => {
  it(
    "allow lines over ufw's default deny; the removed list closes what left the feed",
    async () => {
      const ufw = isolatedUfw()
      const shell = (p: NetnsPair, script: string) => {
        const c = ufw.command(script)
        p.run('server', c.command, c.args, c.input)
      }
      const before = readFileSync('/etc/ufw/user.rules', 'utf8')
      try {
        await prove(
          {
            format: 'ufw',
            ports: true,
            loopbackOption: false,
            // Each ufw command is a process of ~0.25 s: 20 reloads of 3-5 commands take ~25 s.
            reloads: 20,
            batch: 2,
            write: (file, text) => `sh ${writeText(file, text)}`,
            shell,
            // The operator's ufw: reset, deny incoming by default, their own rule for `open`.
            setup: (shell, open) =>
              shell(
                `ufw --force reset >/dev/null\nufw default deny incoming >/dev/null\nufw allow ${open}/tcp >/dev/null\nufw --force enable >/dev/null`,
              ),
          },
          (previous) => ({ removed: { ipv4: previous.ipv4, ipv6: previous.ipv6 } }),
        )
      } finally {
        ufw.dispose()
      }
      expect(readFileSync('/etc/ufw/user.rules', 'utf8')).toBe(before)
    },
    SLOW,
  )
})
