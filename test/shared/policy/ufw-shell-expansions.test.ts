/**
 * @module A ufw script whose rules name a shell expansion (read-ufw-commands.ts): `$PORT`,
 * `"${SSH_PORT}"`, a value read at the prompt. The script alone does not say what ufw was given,
 * so the reading stops at that line with an error that says so and what to give verify instead,
 * never a guess (`ufw default $POLICY` was read as deny). Proven on three published scripts.
 */
import { describe, expect, it } from 'vitest'
import { readFirewallConfig } from '../../../shared/src/index.ts'

/**
 * github.com/theaudaxproject/audaxnode `patches/patch-0.3.sh` @
 * 52be40cb639b1e9413691168e10b61d415865f79, read 2026-12-06: unedited.
 */
const AUDAXNODE = `# The anti-ddos script was not working properly so decided to remove it
cd
cd smartnode
rm anti-ddos.sh

# New security measures using ufw
_sshPortNumber=$(grep "^[#]\\{0,1\\}[ ]\\{0,1\\}Port [0-9]\\{2,\\}" /etc/ssh/sshd_config | awk '{print $2}')
apt install ufw -y
ufw disable
ufw allow 9678
ufw allow "$_sshPortNumber"/tcp
ufw limit "$_sshPortNumber"/tcp
ufw logging on
ufw default deny incoming
ufw default allow outgoing
ufw --force enable
`

/**
 * github.com/434a52/.dot `install/ufw.sh` @ 2bd8eb5ef678f38f3b2e3db72b187d897f893a7c, read
 * 2026-12-06: unedited (no final newline).
 */
const DOT = `#!/bin/bash
set -e

if [ -z "$(which ufw)" ]; then

  sudo apt install -y ufw
  sudo ufw allow "\${SSH_PORT}"
  sudo ufw allow http/tcp
  sudo ufw allow https
  sudo ufw enable
  #sudo ufw status

fi`

/**
 * github.com/maestroi/lynis-autofix `firewallsetup.sh` @ f9362c7ed9fe35c5e5712e06db5604c4d9093bea,
 * read 2026-12-06: unedited.
 */
const LYNIS_AUTOFIX = `echo ------------------------
echo setup firewall
echo ------------------------
sudo ufw allow ssh
echo port 22 SSH added
sudo ufw allow 1025
echo port 1025 new SSH added
sudo ufw allow 80/tcp
echo port 80 web added
sudo ufw allow 443/tcp
echo port 443 SSL added
echo Please, enter extra port
read port
ufw allow $port
echo $port added!
sudo ufw enable
echo ------------------------
echo setup firewall done!
echo ------------------------
sleep 2
clear
`

const read = (text: string) =>
  readFirewallConfig(text, { file: 'setup.sh', format: 'ufw-commands' })

const because = (v: string) =>
  `'${v}' is a shell expansion, whose value the script alone does not say: write the value out, or give verify what ufw holds on the host ('ufw status verbose', format ufw-status)`

describe('shell expansions in a ufw script', () => {
  it.each([
    ['audaxnode: the SSH port read from sshd_config', AUDAXNODE, 11, '$_sshPortNumber'],
    ['.dot: the SSH port from the environment', DOT, 7, '${SSH_PORT}'],
    ['lynis-autofix: a port read at the prompt', LYNIS_AUTOFIX, 14, '$port'],
  ])('%s: an error at its line', (_name, text, line, word) => {
    expect(() => read(text)).toThrow(`setup.sh:${line}: ${because(word)}`)
  })

  it.each([
    ['a source address', 'ufw allow from $ADMIN to any port 22', '$ADMIN'],
    ['an interface', 'ufw allow in on ${WAN} to any port 22', '${WAN}'],
    ['the action', 'ufw $ACTION 22/tcp', '$ACTION'],
    ['a default policy', 'ufw default $POLICY incoming', '$POLICY'],
    ['a default direction', 'ufw default deny $DIRECTION', '$DIRECTION'],
    ['a command substitution', 'ufw allow `cat /etc/ssh/port`/tcp', '`cat'],
  ])('%s', (_name, line, word) => {
    expect(() => read(`${line}\nufw --force enable\n`)).toThrow(`setup.sh:1: ${because(word)}`)
  })

  it('reads a comment that names a variable (ufw keeps it as text)', () => {
    const c = read('ufw allow 22/tcp comment "ssh for $USER"\nufw --force enable\n')
    expect(c.chains[0]!.rules.at(-1)!.dports?.ranges).toEqual([[22, 22]])
  })

  it.each([
    ['ufw default sideways', 'sideways'],
    ['ufw default', ''],
  ])('refuses %j: no default policy ufw knows', (line, given) => {
    expect(() => read(`${line}\nufw --force enable\n`)).toThrow(
      `setup.sh:1: 'ufw default ${given}': expected allow, deny or reject`,
    )
  })
})
