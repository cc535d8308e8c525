/**
 * @module Real ufw in a network namespace without touching the host's: ufw writes global files
 * (/etc/ufw, /lib/ufw, /etc/default/ufw, /run/ufw.lock), so a script runs in a private mount
 * namespace (`unshare --mount`) with private copies bind-mounted over those paths.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

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
