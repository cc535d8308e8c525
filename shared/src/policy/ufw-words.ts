/**
 * @module What both ufw readers read the same way: port lists (`80,443`, `1000:2000`) and the
 * application profiles (`ufw allow 'Nginx Full'`, and the `To` column of `ufw status`) as the
 * packages install them in /etc/ufw/applications.d: OpenSSH (openssh-server), Nginx
 * HTTP/HTTPS/Full (nginx-common 1.22.1), WWW, WWW Secure, WWW Full and WWW Cache (ufw 0.36.2,
 * ufw-webserver), and Apache, Apache Secure and Apache Full (Ubuntu's apache2,
 * apache2-utils.ufw.profile; Debian's ships none). Keys are lower case: ufw matches profile
 * names without regard to case.
 */
import type { PolicyError } from './policy-error.ts'
import { parsePortRange } from './rule-builder.ts'
import type { PortRange, TransportProtocol } from './types.ts'

/** A profile's ports; every profile here is TCP only. */
export interface UfwApp {
  ports: PortRange[]
  protocols: TransportProtocol[]
}

const tcp = (...ports: number[]): UfwApp => ({
  ports: ports.map((p): PortRange => [p, p]),
  protocols: ['tcp'],
})

const PROFILES: ReadonlyMap<string, UfwApp> = new Map([
  ['openssh', tcp(22)],
  ['nginx http', tcp(80)],
  ['nginx https', tcp(443)],
  ['nginx full', tcp(80, 443)],
  ['apache', tcp(80)],
  ['apache secure', tcp(443)],
  ['apache full', tcp(80, 443)],
  ['www', tcp(80)],
  ['www secure', tcp(443)],
  ['www full', tcp(80, 443)],
  ['www cache', tcp(8080)],
])

/** The profile named `name` (any case), a copy the caller may keep; or undefined. */
export function ufwApp(name: string): UfwApp | undefined {
  const app = PROFILES.get(name.toLowerCase())
  return app && { ports: [...app.ports], protocols: [...app.protocols] }
}

/** A ufw port list, `80,443` or `1000:2000,3000`; `err(reason)` for a part that is no port. */
export function ufwPorts(text: string, err: (reason: string) => PolicyError): PortRange[] {
  return text.split(',').map((p) => {
    const r = parsePortRange(p)
    if (!r) throw err(`'${p}' is not a port or port range`)
    return r
  })
}
