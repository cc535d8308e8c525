/**
 * @module Large `iptables-save` dumps shaped like a busy Docker + fail2ban host, for the reader's
 * memory and time benchmark: nat and filter tables, Docker's chains (DOCKER, DOCKER-USER, the
 * isolation stages, published ports as DNAT and FORWARD accepts), fail2ban's `f2b-*` chains full
 * of bans, per-service allowlist chains with comments, `-m set` blocklists (the `ipset save` file
 * comes along), `-m recent` and `-m limit` rate limits, and multiport. Seeded: the same bytes on
 * every run.
 */
import { prng as rng } from '../shared/render/sample.ts'

const F2B_JAILS = ['sshd', 'nginx-http-auth', 'nginx-botsearch', 'postfix', 'dovecot', 'recidive']
const SERVICES = [5432, 6379, 3306, 9200, 27017, 8080, 8443, 9090, 3000, 5601]
const COMMENTS = ['office', 'vpn gateway', 'monitoring', 'backup host', 'ci runner', 'partner api']

/** The `ipset save` file whose sets the dump's `-m set` rules name. */
export function realisticIpsets(): string {
  const r = rng(5)
  const lines = ['create blocklist-v4 hash:net family inet hashsize 4096 maxelem 65536']
  for (let i = 0; i < 2000; i++) lines.push(`add blocklist-v4 ${publicIp(r)}/${24 + (i % 9)}`)
  lines.push('create allow-admin hash:ip family inet hashsize 1024 maxelem 65536')
  for (let i = 0; i < 200; i++) lines.push(`add allow-admin ${publicIp(r)}`)
  return `${lines.join('\n')}\n`
}

function publicIp(r: () => number): string {
  // first octets 11-99 and 101-180: public unicast, never 127/10/100.64/172.16/192.168
  const a = 11 + Math.floor(r() * 170)
  return `${a === 100 ? 101 : a}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`
}

/** The nat table: Docker's DNAT for every published port. */
function natTable(containers: number): string[] {
  const lines = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    '-A DOCKER -i docker0 -j RETURN',
  ]
  for (let c = 0; c < containers; c++)
    lines.push(
      `-A DOCKER ! -i br-${bridge(c)} -p tcp -m tcp --dport ${8000 + c} -j DNAT --to-destination ${container(c)}:80`,
    )
  lines.push('COMMIT')
  return lines
}

const bridge = (c: number) => (0x1a2b3c4d5e6f + Math.floor(c / 16)).toString(16).slice(0, 12)
const container = (c: number) =>
  `172.${18 + Math.floor(c / 250)}.${Math.floor(c / 16) % 250}.${2 + (c % 16)}`

/** The head of the filter table: policies, chains, the INPUT and FORWARD skeletons. */
function filterHead(userChains: number, containers: number): string[] {
  const lines = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
    ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
    ':DOCKER-USER - [0:0]',
    ...F2B_JAILS.map((j) => `:f2b-${j} - [0:0]`),
    ...Array.from({ length: userChains }, (_, k) => `:allow-svc${k} - [0:0]`),
    '-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd',
    '-A INPUT -p tcp -m multiport --dports 80,443 -j f2b-nginx-http-auth',
    '-A INPUT -p tcp -m multiport --dports 80,443 -j f2b-nginx-botsearch',
    '-A INPUT -p tcp -m multiport --dports 25,465,587 -j f2b-postfix',
    '-A INPUT -p tcp -m multiport --dports 110,143,993,995 -j f2b-dovecot',
    '-A INPUT -j f2b-recidive',
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -m conntrack --ctstate INVALID -j DROP',
    '-A INPUT -m set --match-set blocklist-v4 src -j DROP',
    '-A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH --mask 255.255.255.255 --rsource',
    '-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 4 --name SSH --mask 255.255.255.255 --rsource -j DROP',
    '-A INPUT -p tcp -m tcp --dport 22 -m set --match-set allow-admin src -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 25,465,587,110,143,993,995 -j ACCEPT',
    ...Array.from(
      { length: userChains },
      (_, k) =>
        `-A INPUT -p tcp -m tcp --dport ${SERVICES[k % SERVICES.length]! + Math.floor(k / SERVICES.length)} -j allow-svc${k}`,
    ),
    '-A INPUT -p tcp -m tcp --dport 8448 -m connlimit --connlimit-above 50 --connlimit-mask 32 -j REJECT --reject-with tcp-reset',
    '-A INPUT -p udp -m udp --dport 51820 -m hashlimit --hashlimit-upto 100/sec --hashlimit-burst 200 --hashlimit-mode srcip --hashlimit-name wg -j ACCEPT',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A FORWARD -o docker0 -j DOCKER',
    '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
    '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
    '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    '-A DOCKER-USER -m set --match-set blocklist-v4 src -j DROP',
    '-A DOCKER-USER -j RETURN',
  ]
  for (let c = 0; c < containers; c++)
    lines.push(
      `-A DOCKER -d ${container(c)}/32 ! -i br-${bridge(c)} -o br-${bridge(c)} -p tcp -m tcp --dport 80 -j ACCEPT`,
    )
  return lines
}

/**
 * An iptables-save dump of about `bytes` bytes (the bulk: fail2ban bans and allowlist entries,
 * about 100 bytes a rule), seeded by `seed`.
 */
export function realisticIptablesSave(bytes: number, seed = 1): string {
  const r = rng(seed)
  const userChains = 40
  const containers = 200
  const parts = [
    '# Generated by iptables-save v1.8.9 (nf_tables) on Sat Aug 22 10:00:00 2026',
    ...natTable(containers),
    ...filterHead(userChains, containers),
  ]
  let size = parts.reduce((n, l) => n + l.length + 1, 0)
  const tail: string[] = []
  for (const j of F2B_JAILS) tail.push(`-A f2b-${j} -j RETURN`)
  for (let k = 0; k < userChains; k++) tail.push(`-A allow-svc${k} -j DROP`)
  const tailSize = tail.reduce((n, l) => n + l.length + 1, 0) + 'COMMIT\n# Completed\n'.length
  while (size + tailSize < bytes) {
    const line =
      r() < 0.6
        ? `-A f2b-${F2B_JAILS[Math.floor(r() * F2B_JAILS.length)]!} -s ${publicIp(r)}/32 -j REJECT --reject-with icmp-port-unreachable`
        : `-A allow-svc${Math.floor(r() * userChains)} -s ${publicIp(r)}/${[32, 29, 24][Math.floor(r() * 3)]!} -p tcp -m tcp -m comment --comment "${COMMENTS[Math.floor(r() * COMMENTS.length)]!}" -j ACCEPT`
    parts.push(line)
    size += line.length + 1
  }
  // fail2ban inserts bans at the top and its RETURN stays last; iptables-save prints in order
  return `${[...parts, ...tail, 'COMMIT', '# Completed on Sat Aug 22 10:00:00 2026'].join('\n')}\n`
}
