/**
 * @module The expected verdict and key findings of every real configuration in
 * test/fixtures/real-configs/ (sources in its SOURCES.md), each read by hand as the kernel reads
 * it (`reading`), not taken from the tool's output. Where the tool does not model what decides
 * the kernel's answer, `gap` says what the tool answers today and why, and the test holds both:
 * the kernel's reading for what the tool does decide, and the note the tool gives for the rest.
 */

/** Who reaches a port (inbound, a new connection), per family. */
export type Reach = 'all' | 'none' | 'unchecked' | readonly string[]

export interface RealConfigCase {
  /** Under test/fixtures/real-configs/. */
  readonly file: string
  /** Other files of the same host, read together with it. */
  readonly with?: readonly string[]
  /** A preset id, or a policy file under test/fixtures/real-configs/policies/. */
  readonly policy: string
  /** The verdict, or the error the file is refused with (exit 2), as `iptables-restore`/`nft` refuse it. */
  readonly verdict:
    | 'compliant'
    | 'not-compliant'
    | 'nothing-checked'
    | { readonly refused: RegExp; readonly line: number }
  /** Every error finding: `RULE PORT/PROTO vFAMILY :LINE` (the deciding line). */
  readonly errors?: readonly string[]
  /** Who reaches a port: `PORT/PROTO` to the sources per family. */
  readonly reach?: Readonly<Record<string, { readonly v4?: Reach; readonly v6?: Reach }>>
  /** The rules that decide it, as the kernel reads them. */
  readonly reading: string
  /** Notes the tool must give: what it assumed where the file does not say. */
  readonly notes?: readonly RegExp[]
  /** A known departure: the tool's verdict today and the notes that flag what it did not model. */
  readonly gap?: {
    readonly verdict: string
    readonly notes: readonly RegExp[]
    readonly why: string
  }
}

const UNLISTED_TCP = (fam: 4 | 6, line: number) =>
  ['1-21', '23-79', '81-442', '444-65535'].map((p) => `unlisted-inbound ${p}/tcp v${fam} :${line}`)

export const REAL_CONFIGS: readonly RealConfigCase[] = [
  // ---- iptables-save / rules.v4 ------------------------------------------------------------
  {
    file: 'iptables/alivenets-docker-8080.iptables-save',
    policy: 'docker-host.yml',
    verdict: 'not-compliant',
    errors: ['forbid-public-8080-tcp 8080/tcp v4 :15'],
    reach: { '22/tcp': { v4: 'all', v6: 'unchecked' }, '8080/tcp': { v4: 'all' } },
    reading:
      'INPUT policy ACCEPT with no rule: every port of the host is open. nat DOCKER DNATs 8080 from any interface but docker0 to 172.17.0.2:8080; FORWARD policy ACCEPT, DOCKER-USER returns, DOCKER accepts it: 8080 is public twice over. lxcbr0 is LXC’s bridge (internal).',
  },
  {
    file: 'iptables/laduke-zt.rules.v4',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: UNLISTED_TCP(4, 16),
    reach: { '22/tcp': { v4: 'all' }, '5432/tcp': { v4: 'all' }, '5432/udp': { v4: 'none' } },
    reading:
      '`-A INPUT -p tcp -m tcp --sport 443 -j ACCEPT` has no state match: any TCP packet from source port 443 is accepted, to every port (a scanner picks its source port). UDP is let in only from source port 53 when ESTABLISHED; a new UDP packet meets `-j REJECT`.',
  },
  {
    file: 'iptables/hank-boringtun-wg.rules.v4',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      'require-80-tcp 80/tcp v4 :19',
      'require-443-tcp 443/tcp v4 :19',
      'unlisted-inbound 13200/udp v4 :22',
    ],
    reach: { '22/tcp': { v4: 'all' }, '13200/udp': { v4: 'all' }, '80/tcp': { v4: 'none' } },
    reading:
      'INPUT policy DROP; accepted: 13200/udp (the WireGuard port, first rule), lo, established, 22/tcp, ICMP to 10.1.1.1. Nothing for 80/443.',
  },
  {
    file: 'iptables/oracle-cloud-truncated.rules.v4',
    policy: 'web-minimal',
    verdict: { refused: /'-j \$': no chain '\$'/, line: 25 },
    reading:
      "Lines 22-23 end in an open quote, which iptables-restore reads to the end of the line; line 25 jumps to '$' (its target cut off by the terminal): iptables-restore fails (\"Chain '$' does not exist\"), so nothing of the file is applied.",
  },
  {
    file: 'iptables/eriq-pi-router.rules.v4',
    policy: 'eriq-router.yml',
    verdict: 'compliant',
    reach: { '22/tcp': { v4: 'none' }, '53/udp': { v4: 'none' } },
    reading:
      'INPUT policy DROP; lo and the LAN (`-i lan`, internal here) accepted; from eth0 only RELATED,ESTABLISHED. A new connection from the WAN reaches nothing.',
  },
  {
    file: 'iptables/pays0n-home-ipset.iptables-save',
    policy: 'web-minimal',
    verdict: { refused: /ipset 'allowed_internet' is not defined/, line: 9 },
    reading:
      '`-m set --match-set allowed_internet` names a set the file does not create: iptables-restore fails ("Set allowed_internet doesn\'t exist", line 9) unless the set exists; its `ipset save` is not published.',
  },
  {
    file: 'iptables/hcl-debian-web.iptables-save',
    policy: 'web-minimal',
    verdict: 'compliant',
    reach: {
      '22/tcp': { v4: 'all', v6: 'unchecked' },
      '80/tcp': { v4: 'all' },
      '443/tcp': { v4: 'all' },
      '25/tcp': { v4: 'none' },
    },
    reading:
      'INPUT accepts lo, established, 22 (NEW), 80, 443 and ping, then logs (rate-limited, decides nothing) and REJECTs the rest.',
  },
  {
    file: 'iptables/edenreich-web.rules.v4',
    policy: 'web-minimal',
    verdict: 'compliant',
    reach: { '22/tcp': { v4: 'all' }, '443/tcp': { v4: 'all' }, '3306/tcp': { v4: 'none' } },
    reading: 'INPUT accepts lo, established, 22, 80, 443; `-A INPUT -j DROP` ends it.',
  },
  {
    file: 'iptables/ds82-vm-host-fail2ban.rules.v4',
    policy: 'ds82-vm-host.yml',
    verdict: 'compliant',
    reach: {
      '443/tcp': { v4: 'all', v6: 'unchecked' },
      '22/tcp': { v4: 'all' },
      '80/tcp': { v4: 'all' },
      '9987/udp': { v4: 'all' },
      '3306/tcp': { v4: 'none' },
    },
    notes: [/a DNAT forwards to 10\.0\.0\.12, and no config says which interface/],
    reading:
      "INPUT policy DROP: established, lo, br0 (the VMs' bridge) and tun0 (the VPN), ICMP, then 22 through fail2ban-ssh-ddos and fail2ban-ssh (which drop 41.41.237.138 and 41.32.68.214) and 443, 25, 143, 993. The nat table DNATs the public addresses' 80, 443, 11022, 4416, 25, 143, 993 (TCP) and 9987, 5269, 5222 (UDP) to VMs, and 136.243.241.162:22 to GitLab's 10.0.0.20:11022; FORWARD accepts anything out to br0. So 22 reaches GitLab from everywhere, the fail2ban bans included (they guard only the host's own sshd). The dump holds no routes: the tool notes each DNAT to a VM and lets FORWARD's rules out of any interface decide, so `-o br0 -j ACCEPT` counts (the kernel-truth lab puts the VMs on br0).",
  },
  {
    file: 'iptables/burianvlastimil-long-options.rules.v4',
    policy: 'lan-ssh.yml',
    verdict: 'compliant',
    reach: { '22/tcp': { v4: ['192.168.0.0/24'] }, '80/tcp': { v4: 'none' } },
    reading:
      'Long options throughout (`--append INPUT ... --jump ACCEPT`), which iptables-restore takes. INPUT policy DROP: lo; INVALID dropped; `NEW ! --syn` rejected, which a first packet (a SYN) never matches; 22 from 192.168.0.0/24; ping (rate-limited); established.',
  },
  // ---- nftables ------------------------------------------------------------------------------
  {
    file: 'nftables/moby-docker-bridges-portmap.nft',
    policy: 'docker-host.yml',
    verdict: 'not-compliant',
    errors: ['forbid-public-8080-tcp 8080/tcp v4 :49', 'forbid-public-8080-tcp 8080/tcp v6 :1'],
    reach: { '22/tcp': { v4: 'all', v6: 'all' }, '8080/tcp': { v4: 'all', v6: 'all' } },
    reading:
      "Docker's own table is the whole ruleset: no chain on the input hook, so the kernel accepts every packet to the host (IPv4 and IPv6). 8080 is DNATed to 192.0.2.2:80 from any interface but bridge1; raw-PREROUTING's DROP sees the host's address (raw runs before DNAT), and the forward chain accepts it. bridge1 is the network the test's `docker network create` names (internal in the policy); arriving on it, 8080 is not DNATed and reaches the host itself, with no input chain.",
  },
  {
    file: 'nftables/b-data-swarm-ipv6.nftables.conf',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: ['unlisted-inbound 546/udp v6 :83'],
    reach: { '22/tcp': { v4: 'all', v6: 'all' }, '546/udp': { v4: 'none', v6: 'all' } },
    reading:
      'ip and ip6 tables, input policy drop: established, lo, ICMP (rate-limited), 22, 80 and 443 in both; IPv6 also accepts 546/udp (DHCPv6 client) from anywhere.',
  },
  {
    file: 'nftables/dfinity-http-gateway.nftables.conf',
    policy: 'web-minimal',
    verdict: { refused: /'\$monitoring_saddr' is not defined/, line: 100 },
    reading:
      'The file includes /mnt/nftables/defs.ruleset (not published), which defines $monitoring_saddr: `nft -f` fails without it (File not found, then unknown identifier at line 100).',
  },
  {
    file: 'nftables/boldsuck-tor-relay.nftables.conf',
    policy: 'web-minimal',
    verdict: 'compliant',
    reach: { '443/tcp': { v4: 'all', v6: 'all' }, '9001/tcp': { v4: 'none', v6: 'none' } },
    reading:
      'inet table, input policy drop: established/related (vmap), lo, ICMP chains by protocol (vmap), then 22, 80, 443.',
  },
  {
    file: 'nftables/martijnvds-debian-router.nftables.conf',
    policy: 'martijnvds-router.yml',
    verdict: 'compliant',
    reach: { '51820/udp': { v4: 'all' } },
    reading:
      'From wan, the input chain: `jump global` accepts only established/related (vmap), DNATed connections (`ct status dnat`: the only DNAT sends 80/443 to 10.240.2.100, which is forwarded, never input) and ICMP; DHCP excludes wan; DHCPv6 only between link-local addresses (fe80::/10, source port 547); `ip protocol . th dport vmap { udp . 51820 : accept }` opens WireGuard over IPv4; SSH only from vlan_trusted. So from the Internet: 51820/udp over IPv4, nothing else.',
  },
  {
    file: 'nftables/pageboard-proxy.nftables.conf',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [...UNLISTED_TCP(4, 6), ...UNLISTED_TCP(6, 6)].concat([
      'unlisted-inbound 1-65535/udp v4 :6',
      'unlisted-inbound 1-65535/udp v6 :6',
    ]),
    reach: { '5432/tcp': { v4: 'all', v6: 'all' } },
    reading:
      'The input chain `type filter hook input priority filter` gives no policy: accept. Its rules accept 80/443 to two addresses and nothing drops: every port is open, IPv4 and IPv6.',
  },
  {
    file: 'nftables/catatsuy-web-mail.nftables.conf',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      'unlisted-inbound 443/udp v4 :14',
      'unlisted-inbound 11111/tcp v4 :17',
      'unlisted-inbound 25/tcp v4 :18',
      'unlisted-inbound 587/tcp v4 :19',
      'unlisted-inbound 443/udp v6 :49',
      'unlisted-inbound 11111/tcp v6 :51',
      'unlisted-inbound 25/tcp v6 :53',
      'unlisted-inbound 587/tcp v6 :54',
    ],
    reach: { '22/tcp': { v4: 'all', v6: 'all' }, '3306/tcp': { v4: 'none', v6: 'none' } },
    reading:
      'ip and ip6 tables, input policy drop, `counter drop` last: 80, 443 (TCP and UDP), 11111 (SSH), 25, 587 and 22 open in both.',
  },
  {
    file: 'nftables/myl7-closed.nftables.conf',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: ['22', '80', '443'].flatMap((p) => [
      `require-${p}-tcp ${p}/tcp v4 :12`,
      `require-${p}-tcp ${p}/tcp v6 :12`,
    ]),
    reach: { '22/tcp': { v4: 'none', v6: 'none' } },
    reading:
      'inet table, input policy drop: established/related, lo, ICMP (and ND) by protocol. No port is open; "Put custom rules here." was left empty.',
  },
  {
    file: 'nftables/dfw-705-debian12.nftables.conf',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: ['80', '443'].flatMap((p) => [
      `require-${p}-tcp ${p}/tcp v4 :7`,
      `require-${p}-tcp ${p}/tcp v6 :7`,
    ]),
    reach: { '22/tcp': { v4: 'all', v6: 'all' }, '9443/tcp': { v4: 'none', v6: 'none' } },
    reading:
      'The Debian 12 default shape with only `tcp dport 22 accept` in an inet input chain with policy drop (the issue then asks why Portainer on 9443, published by Docker, is unreachable: that is the forward chain, not in this check).',
  },
  // ---- ufw -------------------------------------------------------------------------------------
  {
    file: 'ufw/ricardosanper-homelab.user.rules',
    policy: 'web-minimal',
    verdict: { refused: /carriage return/, line: 1 },
    reading:
      'The stored copy has CRLF line endings: iptables-restore (which ufw runs) reads `*filter\\r` and fails ("table name \'filter\' invalid"), so ufw would load none of it.',
  },
  {
    file: 'ufw/oviron-vps.user.rules',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      // ufw's stock before.rules: the DHCP client's port, from any sender of source port 67
      'unlisted-inbound 68/udp v4 :2',
      'require-80-tcp 80/tcp v4 :2',
      'require-443-tcp 443/tcp v4 :2',
      'unlisted-inbound 1194/udp v4 :21',
      'unlisted-inbound 22022/tcp v4 :27',
      'unlisted-inbound 22022/udp v4 :28',
      'unlisted-inbound 1095/tcp v4 :31',
      'unlisted-inbound 1095/udp v4 :32',
    ],
    reach: { '22/tcp': { v4: 'all', v6: 'unchecked' }, '80/tcp': { v4: 'none' } },
    reading:
      'ufw-user-input (default deny): 1194/udp (OpenVPN), 22/tcp, 22022 and 1095 (tcp and udp) allowed from anywhere.',
  },
  {
    file: 'ufw/sochy01-nginx.user.rules',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      // ufw's stock before.rules: the DHCP client's port, from any sender of source port 67
      'unlisted-inbound 68/udp v4 :2',
      'unlisted-inbound 443/udp v4 :28',
    ],
    reach: { '22/tcp': { v4: 'all', v6: 'unchecked' }, '443/udp': { v4: 'all' } },
    reading: 'ufw allows 22/tcp, 80/tcp and 443 (tcp and udp: `ufw allow 443`).',
  },
  {
    file: 'ufw/sochy01-nginx.user6.rules',
    with: ['ufw/sochy01-nginx.user.rules'],
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      // ufw's stock before.rules: the DHCP client's port, from any sender of source port 67
      'unlisted-inbound 68/udp v4 :2',
      'unlisted-inbound 443/udp v4 :28',
      'unlisted-inbound 443/udp v6 :28',
    ],
    reach: { '22/tcp': { v4: 'all', v6: 'all' }, '443/udp': { v4: 'all', v6: 'all' } },
    reading:
      'The same rules for IPv6 (ufw6-user-input): with user.rules both families are decided.',
  },
  {
    file: 'ufw/jajusu-salt.user.rules',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      // ufw's stock before.rules: the DHCP client's port, from any sender of source port 67
      'unlisted-inbound 68/udp v4 :2',
      'require-443-tcp 443/tcp v4 :2',
      'unlisted-inbound 4505-4506/tcp v4 :21',
      'unlisted-inbound 2222/tcp v4 :30',
      'unlisted-inbound 81/tcp v4 :36',
    ],
    reach: { '4505/tcp': { v4: 'all' }, '443/tcp': { v4: 'none' } },
    reading: 'ufw allows 4505-4506 (Salt), 22, 2222, 80 and 81 from anywhere; no 443.',
  },
  {
    file: 'ufw/ufw-docker-21.ufw-status-verbose.txt',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      ...['80', '443'].flatMap((p) => [
        `require-${p}-tcp ${p}/tcp v4 :3`,
        `require-${p}-tcp ${p}/tcp v6 :3`,
      ]),
      // ufw's stock before.rules: the DHCP client's port, from any sender of source port 67
      'unlisted-inbound 68/udp v4 :3',
    ],
    reach: { '22/tcp': { v4: 'all', v6: 'all' }, '80/tcp': { v4: 'none', v6: 'none' } },
    reading:
      'Default deny (incoming); 22/tcp allowed in (v4 and v6); 80 and 443 are ALLOW FWD (`ufw route`, to containers through ufw-docker), which opens nothing on the host itself.',
  },
  {
    file: 'ufw/apeeqq-fileserver.user.rules',
    policy: 'web-minimal',
    verdict: { refused: /carriage return/, line: 1 },
    reading:
      'CRLF line endings in the stored copy (1,510 characters for 40 lines, no final newline): iptables-restore refuses it, as for ricardosanper-homelab.',
  },
  // ---- docker-compose ----------------------------------------------------------------------------
  {
    file: 'compose/coolify-prod.docker-compose.yml',
    policy: 'coolify-self-hosted',
    verdict: 'nothing-checked',
    reach: {
      '8000/tcp': { v4: 'all', v6: 'all' },
      '6001/tcp': { v4: 'all', v6: 'all' },
      '22/tcp': { v4: 'unchecked', v6: 'unchecked' },
    },
    reading:
      "`${APP_PORT:-8000}:80` and `${SOKETI_PORT:-6001}:6001` publish 8000 and 6001 on every address (compose's defaults with nothing set); postgres and redis publish nothing. A compose file alone does not decide the host's own ports (22, 80, 443): nothing checked.",
  },
  {
    file: 'compose/plausible-ce.compose.yml',
    policy: 'no-public-databases.yml',
    verdict: 'nothing-checked',
    reach: { '5432/tcp': { v4: 'unchecked' } },
    reading: 'No service has `ports:`: nothing is published; the host firewall is not given.',
  },
  {
    file: 'compose/immich.docker-compose.yml',
    policy: 'no-public-databases.yml',
    verdict: 'nothing-checked',
    reach: { '2283/tcp': { v4: 'all', v6: 'all' }, '5432/tcp': { v4: 'unchecked' } },
    reading:
      '`${EXPOSE_PORT-:2283:2283}` is `:2283:2283` with nothing set: an empty host IP, so 2283 on every address. The database publishes nothing.',
  },
  {
    file: 'compose/cristaloleg-mariadb.docker-compose.yml',
    policy: 'no-public-databases.yml',
    verdict: 'not-compliant',
    errors: ['forbid-public-3306-tcp 3306/tcp v4 :6', 'forbid-public-3306-tcp 3306/tcp v6 :6'],
    reach: { '3306/tcp': { v4: 'all', v6: 'all' }, '8080/tcp': { v4: 'all', v6: 'all' } },
    reading: '"3306:3306" and "8080:80" (phpMyAdmin) published on every address, past INPUT.',
  },
  {
    file: 'compose/cristaloleg-postgres.docker-compose.yml',
    policy: 'no-public-databases.yml',
    verdict: 'not-compliant',
    errors: ['forbid-public-5432-tcp 5432/tcp v4 :8', 'forbid-public-5432-tcp 5432/tcp v6 :8'],
    reach: { '5432/tcp': { v4: 'all', v6: 'all' } },
    reading: '"5432:5432" published on every address, past INPUT.',
  },
  {
    file: 'compose/quadeare-traefik-app.docker-compose.yml',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: ['unlisted-inbound 8080/tcp v4 :31', 'unlisted-inbound 8080/tcp v6 :31'],
    reach: { '80/tcp': { v4: 'all', v6: 'all' }, '8080/tcp': { v4: 'all', v6: 'all' } },
    reading:
      'The app publishes "80:3000" and "8080:4000" on every address (Traefik labels do not change what Docker publishes); the database publishes nothing.',
  },
  // ---- AWS security groups -------------------------------------------------------------------------
  {
    file: 'aws/mohamed-aws-lab.json',
    policy: 'aws-bastion-lab.yml',
    verdict: 'not-compliant',
    errors: ['require-22-tcp 22/tcp v6 :1'],
    reach: {
      '22/tcp': { v4: 'all', v6: 'none' },
      '3306/tcp': { v4: ['10.0.0.0/16', '172.16.0.0/16', '192.168.0.0/16'], v6: 'none' },
    },
    reading:
      "Three groups read as attached together (the tool notes that they are of three VPCs): bastion-sg opens 22 to 0.0.0.0/0; 3306 only from 172.16.0.0/16 (db-sg) and, through app-sg's all-TCP rule, 10.0.0.0/16 and 192.168.0.0/16. No IPv6 range anywhere, so SSH, required from anywhere, is closed over IPv6.",
  },
  {
    file: 'aws/aws-cli-docs-classic.json',
    policy: 'web-minimal',
    verdict: 'not-compliant',
    errors: [
      'require-22-tcp 22/tcp v4 :1',
      'require-22-tcp 22/tcp v6 :1',
      ...['80', '443'].flatMap((p) => [
        `require-${p}-tcp ${p}/tcp v4 :1`,
        `require-${p}-tcp ${p}/tcp v6 :1`,
      ]),
    ],
    reach: { '22/tcp': { v4: ['203.0.113.0/24'], v6: 'none' } },
    reading: 'One group: 22/tcp from 203.0.113.0/24 only; everything else denied.',
  },
  {
    file: 'aws/aws-cli-docs-names-query.json',
    policy: 'web-minimal',
    verdict: { refused: /cannot tell the format/, line: 0 },
    reading:
      "`--query 'SecurityGroups[*].{Name:GroupName}'` keeps only names: no rule to judge; refused, not read as 'no rules'.",
  },
]
