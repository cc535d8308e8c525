/**
 * @module The Docker commands of a ufw script (read-docker-commands.ts, through
 * read-ufw-commands.ts): `docker run -p` publishes a port past ufw (Docker's NAT sends it to the
 * container before ufw's input rules: docs.docker.com, "Packet filtering and firewalls", Docker
 * and ufw), read as a compose file's published port; `"iptables": false` written into
 * /etc/docker/daemon.json keeps later ones behind ufw; compose, swarm and ufw-docker are
 * reported. Proven on three published scripts; the kernel proof with a real dockerd is in
 * ufw-docker-kernel.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  compileConfigs,
  readFirewallConfig,
  type FirewallConfig,
} from '../../../shared/src/index.ts'
import { reachText } from '../../helpers/ufw.ts'

/**
 * github.com/prohohoho/aws-practice `script.sh` @ 308641672144638af6282126ee05ec78d34c0bb4, read
 * 2026-12-06: unedited (its trailing blanks kept).
 */
const AWS_PRACTICE = `#!/bin/bash 
  sudo ufw enable  
  sudo ufw allow from 203.173.222.36 to any port 22
  sudo ufw allow from 203.173.222.36 to any port 80
  sudo apt update
  sudo apt install -y apt-transport-https
  wget -qO - https://download.docker.com/linux/ubuntu/gpg | sudo gpg --dearmor -o /usr/share/keyrings/docker-archive-keyring.gpg
  echo "deb [arch=amd64 signed-by=/usr/share/keyrings/docker-archive-keyring.gpg] https://download.docker.com/linux/ubuntu $(lsb_release -sc) stable" | sudo tee /etc/apt/sources.list.d/docker.list
  sudo apt update
  sudo apt install -y docker-ce
  docker run -d -p 80:80 --name=ngjohnx --health-cmd ='curl --fail http://localhost:8080 || exit 1' --health-interval=30s --health-start-period=3m nginx:1.14 
  sudo apt update
  sudo apt install -y moreutils  `

/**
 * github.com/experius/SeoSnap `examples/firewall.sh` @ 92d1d79984056cfb4bdbaaf706a901b6ef5a41aa,
 * read 2026-12-06: unedited (`<myip>` is the post's placeholder).
 */
const SEOSNAP = `#!/bin/sh

sudo sh -c "echo '{ \\"iptables\\": false }' >> /etc/docker/daemon.json && systemctl restart docker"

sudo ufw default deny incoming
sudo ufw allow from <myip> to any port 22
sudo ufw allow from <myip> to any port 8080
sudo ufw allow from <myip> to any port 5000
sudo ufw allow out on docker0 from 172.17.0.0/16
sudo ufw enable`

/**
 * github.com/MarcRez33/auto-docker-ufw `discourse/ufwDiscourse.sh` @
 * c349a4404b31faa42facb013798616d863265ef8, read 2026-12-06: unedited.
 */
const UFW_DOCKER = `#!/bin/bash
sudo apt-get update -y
sudo apt-get install -y ufw
clear
sudo yes | ufw reset
sudo ufw allow ssh
sudo yes | sudo ufw enable
sudo wget -O /usr/local/bin/ufw-docker https://github.com/chaifeng/ufw-docker/raw/master/ufw-docker
sudo chmod +x /usr/local/bin/ufw-docker
ufw-docker install
sudo systemctl restart ufw
## Ubuntu needs this
ufw-docker allow app 80
ufw-docker allow app 443
## some OS' need these too, so just add them.
ufw allow https
ufw allow http
ufw reload
clear
ufw status numbered
echo All done, now secure your SSH port again. Make sure to delete the old SSH rules: ufw delete NUM
`

function read(text: string): FirewallConfig {
  return readFirewallConfig(text, { file: 'setup.sh', format: 'ufw-commands' })
}

/** Sources a port of this host's address in `family` lets in: `any`, `none`, or CIDRs. */
const reach = (c: FirewallConfig, port: number, family: 4 | 6, protocol?: 'tcp' | 'udp') =>
  reachText(compileConfigs([c]), port, family, protocol)

/** Each warning as its line and its message. */
const said = (c: FirewallConfig) => c.warnings.map((w) => [w.line, w.message])

describe('Docker commands in a ufw script', () => {
  it('publishes on 0.0.0.0 in IPv4 alone, as without an address', () => {
    const c = read(
      'ufw allow 22/tcp\ndocker run -p 0.0.0.0:8082:82 -p 8084:84 img\nufw --force enable\n',
    )
    expect([8082, 8084].map((p) => reach(c, p, 6))).toEqual(['none', 'none'])
  })

  it('aws-practice: port 80, which ufw keeps to one address, is open to all IPv4 by docker run -p', () => {
    const c = read(AWS_PRACTICE)
    expect([22, 80, 443].map((p) => reach(c, p, 4))).toEqual(['203.173.222.36/32', 'any', 'none'])
    // IPv6 reaches docker-proxy, through ufw, which lets in only an IPv4 address
    expect([22, 80].map((p) => reach(c, p, 6))).toEqual(['none', 'none'])
    expect(c.published).toEqual([
      {
        families: [4],
        ports: [80, 80],
        protocol: 'tcp',
        target: 80,
        service: 'docker run (line 11)',
        line: 11,
      },
    ])
    expect(c.warnings.map((w) => [w.line, w.message])).toEqual([
      [
        11,
        `'docker run -d -p 80:80 --name=ngjohnx --health-cmd ='curl --fail http://localho…' publishes 80/tcp past ufw: Docker's NAT sends it to the container before ufw's rules, so only a DOCKER-USER chain or "iptables": false in /etc/docker/daemon.json keeps it closed (read so)`,
      ],
    ])
  })

  it('SeoSnap: as published, its placeholder is an error at its line, as it is to ufw', () => {
    expect(() => read(SEOSNAP)).toThrow("setup.sh:6: '<myip>' is not an address, CIDR or range")
  })

  it('SeoSnap with an address for its placeholder: "iptables": false keeps what Docker publishes behind ufw', () => {
    const c = read(
      `${SEOSNAP.replaceAll('<myip>', '198.51.100.7')}\ndocker run -d -p 8080:80 web\n`,
    )
    expect(c.published).toEqual([])
    expect([22, 8080, 80].map((p) => reach(c, p, 4))).toEqual([
      '198.51.100.7/32',
      '198.51.100.7/32',
      'none',
    ])
    expect(c.warnings.map((w) => [w.line, w.message])).toEqual([
      [
        3,
        `writes "iptables": false into /etc/docker/daemon.json: Docker adds no NAT rules, and the ports it publishes from then on stay behind ufw's rules (read so)`,
      ],
      [
        11,
        `'docker run -d -p 8080:80 web' publishes ports with dockerd's iptables off (line 3): no NAT sends them past ufw, whose rules decide (read so)`,
      ],
    ])
  })

  it('auto-docker-ufw: each ufw-docker command is reported at its line', () => {
    const c = read(UFW_DOCKER)
    expect(c.warnings.map((w) => w.line)).toEqual([10, 13, 14])
    expect(c.warnings[0]!.message).toBe(
      "'ufw-docker install' is not read: ufw-docker writes ufw's after.rules and its rules for published ports (DOCKER-USER); give verify this host's iptables-save for them",
    )
    expect([22, 80, 443].map((p) => reach(c, p, 4))).toEqual(['any', 'any', 'any'])
  })

  // After `ufw allow 22/tcp`: what each line publishes (IPv4 reach of the ports named) and says.
  it.each<[string, string, Record<number, string>, (string | number)[][]]>([
    [
      '-p HOST:CONTAINER',
      'docker run -d -p 8080:80 img',
      { 8080: 'any', 80: 'none' },
      [[2, 'publishes 8080/tcp past ufw']],
    ],
    [
      'glued, sudo',
      'sudo docker run -p8080:80 img',
      { 8080: 'any' },
      [[2, 'publishes 8080/tcp past ufw']],
    ],
    [
      '--publish=, udp',
      'docker run --publish=53:53/udp img',
      { 53: 'any' },
      [[2, 'publishes 53/udp past ufw']],
    ],
    [
      '--publish, a range',
      'docker container run --publish 9000-9001:9000-9001 img',
      { 9001: 'any' },
      [[2, 'publishes 9000-9001/tcp past ufw']],
    ],
    [
      '-dp, two ports',
      'docker create -dp 3000:3000 -p 3001:3001 img',
      { 3000: 'any', 3001: 'any' },
      [[2, 'publishes 3000/tcp, 3001/tcp past ufw']],
    ],
    [
      'a commented-out daemon.json write changes nothing',
      `# echo '{"iptables": false}' > /etc/docker/daemon.json\ndocker run -p 85:85 img`,
      { 85: 'any' },
      [[3, 'publishes 85/tcp past ufw']],
    ],
    [
      'on 0.0.0.0, and on one address',
      'docker run -p 0.0.0.0:8082:82 -p 192.0.2.1:8083:83 img',
      { 8082: 'any', 8083: 'any' },
      [[2, 'publishes 8082/tcp, 8083/tcp past ufw']],
    ],
    [
      'on loopback only',
      'docker run -p 127.0.0.1:8080:80 -p [::1]:8081:81 img',
      { 8080: 'none', 8081: 'none' },
      [
        [2, "publishes '127.0.0.1:8080:80' on 127.0.0.1 only: other hosts cannot reach it"],
        [2, "publishes '[::1]:8081:81' on ::1 only"],
      ],
    ],
    [
      '-P',
      'docker run -P img',
      {},
      [[2, 'publishes every port its image exposes (-P), past ufw, on ephemeral host ports']],
    ],
    [
      '--publish-all',
      'docker run --publish-all img',
      {},
      [[2, 'publishes every port its image exposes (-P), past ufw, on ephemeral host ports']],
    ],
    [
      'an ephemeral host port',
      'docker run -p 80 img',
      {},
      [[2, "publishes '80' on an ephemeral host port, past ufw"]],
    ],
    [
      "on the host's network: Docker discards -p, ufw decides",
      'docker run -d --network host -p 8080:80 img',
      { 8080: 'none', 80: 'none' },
      [[2, "runs on the host's network: Docker discards its published ports"]],
    ],
    [
      '--net=host',
      'docker run --net=host -p 8080:80 img',
      { 8080: 'none' },
      [[2, "runs on the host's network"]],
    ],
    [
      'a network of its own: published',
      'docker run --network=backend -p 8080:80 img',
      { 8080: 'any' },
      [[2, 'publishes 8080/tcp past ufw']],
    ],
    [
      "behind sudo's options",
      'sudo -u root -E docker run -p 8086:86 img',
      { 8086: 'any' },
      [[2, 'publishes 8086/tcp past ufw']],
    ],
    ['not a port', 'docker run -p web img', {}, [[2, "'web' is not [HOST_IP"]]],
    ['-p without its value', 'docker run img -p', {}, []],
    ['no publishing', 'docker run -d img', {}, []],
    ['another docker verb', 'docker exec -p web ls', {}, []],
    [
      'swarm',
      'docker service create --publish 8080:80 img',
      { 8080: 'none' },
      [[2, "publishes through the swarm's routing mesh, past ufw"]],
    ],
    [
      'compose up',
      'docker compose up -d',
      {},
      [[2, "starts containers whose published ports go past ufw (Docker's NAT comes first)"]],
    ],
    [
      'docker-compose up',
      'docker-compose -f prod.yml up -d',
      {},
      [[2, "starts containers whose published ports go past ufw (Docker's NAT comes first)"]],
    ],
    [
      'stack deploy',
      'docker stack deploy -c stack.yml app',
      {},
      [[2, "starts containers whose published ports go past ufw (Docker's NAT comes first)"]],
    ],
    ['compose ps', 'docker compose ps', {}, []],
    ['compose alone', 'docker compose', {}, []],
    [
      'daemon.json by tee, unknown content',
      'echo "$CONF" | sudo tee /etc/docker/daemon.json\ndocker run -p 81:81 img',
      { 81: 'any' },
      [
        [2, 'writes /etc/docker/daemon.json with what this reader cannot see'],
        [3, 'publishes 81/tcp past ufw'],
      ],
    ],
    [
      'daemon.json read, copied away',
      'cat /etc/docker/daemon.json\ncp /etc/docker/daemon.json /tmp/d.json\ndocker run -p 81:81 img',
      { 81: 'any' },
      [[4, 'publishes 81/tcp past ufw']],
    ],
    [
      'daemon.json by sed -i, then by a cp onto it (what it copies is not known: read as before)',
      `sed -i 's/"iptables": true/"iptables": false/' /etc/docker/daemon.json\ndocker run -p 82:82 img\ncp /tmp/on.json /etc/docker/daemon.json\ndocker run -p 83:83 img`,
      { 82: 'none', 83: 'none' },
      [
        [2, 'writes "iptables"'],
        [3, "publishes ports with dockerd's iptables off (line 2)"],
        [4, 'writes /etc/docker/daemon.json with what this reader cannot see'],
        [5, "publishes ports with dockerd's iptables off (line 2)"],
      ],
    ],
    [
      '"iptables": true again',
      `echo '{"iptables": false}' > /etc/docker/daemon.json\necho '{"iptables": true}' > /etc/docker/daemon.json\ndocker run -p 84:84 img`,
      { 84: 'any' },
      [
        [2, 'writes "iptables"'],
        [4, 'publishes 84/tcp past ufw'],
      ],
    ],
  ])('%s', (_name, lines, ports, notes) => {
    const c = read(`ufw allow 22/tcp\n${lines}\nufw --force enable\n`)
    for (const [port, r] of Object.entries(ports))
      expect(reach(c, Number(port), 4, lines.includes('/udp') ? 'udp' : 'tcp'), port).toBe(r)
    expect(said(c).map(([line]) => line)).toEqual(notes.map(([line]) => line))
    for (const [i, [, text]] of notes.entries()) expect(said(c)[i]![1]).toContain(text)
  })
})
