/**
 * @module Real ufw in a network namespace without touching the host's: ufw writes global files
 * (/etc/ufw, /lib/ufw, /etc/default/ufw, /run/ufw.lock), so a script runs in a private mount
 * namespace (`unshare --mount`) with private copies bind-mounted over those paths.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { reachOf, toAddressValue, type CompiledConfigs } from '../../shared/src/index.ts'
import { createKernelLab, type LabProbe } from './kernel-lab.ts'
import { netnsSkipReason } from './netns.ts'

/** A command that runs a shell script against the private copies, and their removal. */
export interface IsolatedUfw {
  /** What to run in the namespace (e.g. with `ip netns exec NS`): the script is its input. */
  readonly command: (script: string) => { command: string; args: string[]; input: string }
  readonly dispose: () => void
}

export function isolatedUfw(): IsolatedUfw {
  const root = mkdtempSync(path.join(tmpdir(), 'asr-ufw-'))
  cpSync('/etc/ufw', path.join(root, 'etc-ufw'), { recursive: true })
  cpSync('/lib/ufw', path.join(root, 'lib-ufw'), { recursive: true })
  // The whole of /etc/default, so that a script's `sed -i` on /etc/default/ufw can rename its
  // new copy into place (no rename onto a file that is a mount point). No sysctl writes from
  // ufw-init: the namespace keeps its defaults.
  cpSync('/etc/default', path.join(root, 'etc-default'), { recursive: true })
  const defaults = path.join(root, 'etc-default', 'ufw')
  writeFileSync(defaults, readFileSync(defaults, 'utf8').replace(/^IPT_SYSCTL=.*$/m, 'IPT_SYSCTL='))
  const mounts = [
    `mount --bind ${root}/etc-ufw /etc/ufw`,
    `mount --bind ${root}/lib-ufw /lib/ufw`,
    `mount --bind ${root}/etc-default /etc/default`,
    'mount -t tmpfs tmpfs /run',
  ].join(' && ')
  return {
    command: (script) => ({
      command: 'unshare',
      args: ['--mount', '--propagation', 'private', 'sh', '-c', `${mounts} && exec sh -s`],
      input: script,
    }),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  }
}

/** Why real ufw cannot run in a namespace here (not root, a tool or the ufw package missing). */
export function ufwSkipReason(): string | undefined {
  return (
    netnsSkipReason('ufw', 'unshare', 'mount', 'conntrack', 'iptables', 'ip6tables') ??
    (existsSync('/etc/default/ufw') ? undefined : '/etc/default/ufw is absent (the ufw package)')
  )
}

/** The host of a ufw script run: its address per family, the senders beyond it, its ports. */
export interface UfwScriptHost {
  readonly local: { readonly 4: string; readonly 6: string }
  readonly sources: readonly string[]
  readonly tcp: readonly number[]
  readonly udp?: readonly number[]
}

/**
 * Runs `script` with real ufw in a namespace of its own (ufw that finds its chains loaded does not
 * load them again), listens on the host's ports, and connects from each source to each port of
 * the host's address of its family on eth0: the probes and whether each connected.
 */
export async function runUfwScript(
  prefix: string,
  script: string,
  host: UfwScriptHost,
): Promise<{ probes: LabProbe[]; open: boolean[] }> {
  const lab = createKernelLab(prefix, {
    interfaces: ['eth0'],
    local: [host.local[4], host.local[6]],
    sources: [...host.sources],
    containers: [],
  })
  const ufw = isolatedUfw()
  try {
    const c = ufw.command(`bash -s <<'SCRIPT' >/dev/null\n${script}SCRIPT\n`)
    lab.run(c.command, c.args, c.input)
    await lab.listen([...host.tcp], [...(host.udp ?? [])])
    const probes: LabProbe[] = host.sources.flatMap((from) => {
      const to = host.local[from.includes(':') ? 6 : 4]
      return [
        ...host.tcp.map((port) => ({ from, to, port, protocol: 'tcp' as const })),
        ...(host.udp ?? []).map((port) => ({ from, to, port, protocol: 'udp' as const })),
      ]
    })
    const kernel = await lab.probe('eth0', probes, 1500)
    return { probes, open: kernel.map((k) => k === 'connected') }
  } finally {
    await lab.destroy()
    ufw.dispose()
  }
}

/** Each probe as `proto from -> port: verify V, kernel K`, to compare verify with the kernel. */
export function verifyAndKernel(
  probes: readonly LabProbe[],
  verify: readonly boolean[],
  kernel: readonly boolean[],
): string[] {
  const word = (open: boolean | undefined) => (open ? 'open' : 'closed')
  return probes.map(
    (p, k) =>
      `${p.protocol} ${p.from} -> ${p.port}: verify ${word(verify[k])}, kernel ${word(kernel[k])}`,
  )
}

/** The host's addresses the ufw tests evaluate at (documentation ranges). */
export const UFW_HOST = { 4: '192.0.2.1', 6: '2001:db8::1' } as const

/** Sources a port of UFW_HOST in `family` lets in, as verify reads it: `any`, `none`, or CIDRs. */
export function reachText(
  cs: CompiledConfigs,
  port: number,
  family: 4 | 6,
  protocol: 'tcp' | 'udp' = 'tcp',
): string {
  const r = reachOf(cs, {
    direction: 'inbound',
    protocol,
    port,
    family,
    state: 'new',
    local: toAddressValue(UFW_HOST[family])!.value,
  })!
  return r.isAll ? 'any' : r.isEmpty ? 'none' : r.toCidrs().join(' ')
}
