/**
 * @module A real dockerd of a test's own in a namespace of a NetnsPair (its own root, socket,
 * cgroup parent and a private /etc/docker), and a busybox image to run in it without a registry.
 */
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { netnsSkipReason, type NetnsPair } from './netns.ts'

const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`

/** Runs a command on the host; its stdout, or an error with its stderr. */
export function host(argv: readonly string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, PATH } })
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** Why a real dockerd cannot be used here (not root, a tool or busybox-static missing), or undefined. */
export function dockerdSkipReason(): string | undefined {
  return (
    netnsSkipReason('dockerd', 'docker', 'containerd', 'runc', 'unshare', 'nsenter', 'tar') ??
    (existsSync('/bin/busybox') ? undefined : 'busybox-static (/bin/busybox) not installed')
  )
}

/** A running dockerd: its CLI, its socket, and how to stop it and remove what it made. */
export interface Dockerd {
  readonly docker: (...args: string[]) => string
  readonly sock: string
  readonly stop: () => Promise<void>
}

/**
 * Starts dockerd in `p`'s server namespace with its state under `root` and `flags`; the dockerd,
 * or its log's tail when it does not answer within a minute (it is stopped then).
 */
export async function startDockerd(
  p: NetnsPair,
  root: string,
  flags: readonly string[],
): Promise<Dockerd | { failed: string }> {
  mkdirSync(root, { recursive: true })
  writeFileSync(path.join(root, 'daemon.json'), '{}\n')
  const sock = `unix://${root}/docker.sock`
  const cgroup = path.basename(root)
  // A private mount namespace: /etc/docker (dockerd writes key.json there) is a tmpfs of its own.
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `if [ -d /etc/docker ]; then mount -t tmpfs tmpfs /etc/docker; fi; exec nsenter --net=/run/netns/${p.names.server} dockerd --config-file ${root}/daemon.json --data-root ${root}/data --exec-root ${root}/exec --pidfile ${root}/docker.pid -H ${sock} --cgroup-parent /${cgroup} ${flags.join(' ')}`,
    ],
    { env: { ...process.env, PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let log = ''
  child.stdout.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr.on('data', (d: Buffer) => (log += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const docker = (...args: string[]) => host(['docker', '-H', sock, ...args])
  const stop = async () => {
    const ids = spawnSync('docker', ['-H', sock, 'ps', '-aq'], {
      encoding: 'utf8',
      env: { ...process.env, PATH },
    }).stdout
    for (const id of (ids ?? '').split('\n').filter(Boolean))
      spawnSync('docker', ['-H', sock, 'rm', '-f', id], { env: { ...process.env, PATH } })
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(killer)
    // The containers' cgroups went under --cgroup-parent: remove it (cgroup v1: in every
    // hierarchy; v2: /sys/fs/cgroup/NAME itself).
    for (const h of ['', ...readdirSync('/sys/fs/cgroup')])
      spawnSync('rmdir', [path.join('/sys/fs/cgroup', h, cgroup)])
    rmSync(root, { recursive: true, force: true })
  }
  for (let i = 0; i < 120; i++) {
    if (
      spawnSync('docker', ['-H', sock, 'version'], { env: { ...process.env, PATH } }).status === 0
    )
      return { docker, sock, stop }
    if (child.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 500))
  }
  await stop()
  return { failed: log.split('\n').slice(-15).join('\n') }
}

/**
 * Imports an image named `name` of busybox alone (no registry here), with `/bin/ok` printing
 * "ok": `busybox nc -ll -p PORT -e /bin/ok` answers every connection and closes it.
 */
export function importBusybox(d: Dockerd, dir: string, name: string): void {
  const rootfs = path.join(dir, `${name}-rootfs`)
  mkdirSync(path.join(rootfs, 'bin'), { recursive: true })
  copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'))
  writeFileSync(path.join(rootfs, 'bin/ok'), '#!/bin/busybox sh\nprintf ok\n')
  chmodSync(path.join(rootfs, 'bin/ok'), 0o755)
  host(['sh', '-c', `tar -C ${rootfs} -c . | docker -H ${d.sock} import - ${name}`])
}
