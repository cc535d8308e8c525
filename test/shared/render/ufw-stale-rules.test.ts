/**
 * @module ufw's closing of what left the feed: a re-render into the previous block deletes the
 * rules that block allowed and the new list does not want (CIDRs removed, ports no longer
 * guarded), keeps pending deletes until they are allowed again, and reads only rules it wrote.
 */
import { describe, expect, it } from 'vitest'
import { renderFormat, spliceManagedBlock, type RenderOptions } from '../../../shared/src/index.ts'
import { expectRenderError } from './sample.ts'

const FEEDS = [{ id: 'coolify/cloud' }]
const SSH: RenderOptions = { name: 'coolify', ports: [{ port: 22, protocol: 'tcp' }] }

function render(ipv4: string[], ipv6: string[], options: RenderOptions = SSH): string {
  return renderFormat('ufw', { feeds: FEEDS, ipv4, ipv6 }, options)
}
const deletes = (text: string) => text.split('\n').filter((l) => l.startsWith('ufw delete '))
const allows = (text: string) => text.split('\n').filter((l) => l.startsWith('ufw allow '))

describe('ufw re-render with options.previous', () => {
  const v1 = render(['192.0.2.0/24', '198.51.100.7/32'], ['2001:db8:1::/48'])

  it('deletes the rules of CIDRs that left the feed, without removed', () => {
    const v2 = render(['192.0.2.0/25'], ['2001:db8:1::/48'], { ...SSH, previous: v1 })
    expect(deletes(v2)).toEqual([
      'ufw delete allow from 192.0.2.0/24 to any port 22 proto tcp',
      'ufw delete allow from 198.51.100.7/32 to any port 22 proto tcp',
    ])
    expect(allows(v2)).toEqual([
      "ufw allow from 192.0.2.0/25 to any port 22 proto tcp comment 'allowlist-sync coolify/cloud'",
      "ufw allow from 2001:db8:1::/48 to any port 22 proto tcp comment 'allowlist-sync coolify/cloud'",
    ])
  })

  it('deletes the rules of ports no longer guarded, and an all-ports rule that became a port rule', () => {
    const wide = render(['192.0.2.0/24'], [], { name: 'coolify' })
    const two = render(['192.0.2.0/24'], [], {
      name: 'coolify',
      ports: [
        { port: 22, protocol: 'tcp' },
        { port: [8000, 8100], protocol: 'tcp' },
      ],
      previous: wide,
    })
    expect(deletes(two)).toEqual(['ufw delete allow from 192.0.2.0/24'])
    const one = render(['192.0.2.0/24'], [], { ...SSH, previous: two })
    expect(deletes(one)).toEqual([
      'ufw delete allow from 192.0.2.0/24',
      'ufw delete allow from 192.0.2.0/24 to any port 8000:8100 proto tcp',
    ])
  })

  it('keeps pending deletes on the next render (the script may not have run), until allowed again', () => {
    const v2 = render(['192.0.2.0/24'], [], { ...SSH, previous: v1 })
    const v3 = render(['192.0.2.0/24'], [], { ...SSH, previous: v2 })
    expect(v3).toBe(v2)
    const back = render(['192.0.2.0/24', '198.51.100.7/32'], [], { ...SSH, previous: v3 })
    expect(deletes(back)).toEqual([
      'ufw delete allow from 2001:db8:1::/48 to any port 22 proto tcp',
    ])
  })

  it('is idempotent through --into: the second splice gives the same bytes', () => {
    const file = `#!/bin/sh\n${v1}`
    const next = render(['192.0.2.0/24'], [], { ...SSH, previous: file })
    const once = spliceManagedBlock(file, next, { format: 'ufw' })
    const again = render(['192.0.2.0/24'], [], { ...SSH, previous: once })
    expect(spliceManagedBlock(once, again, { format: 'ufw' })).toBe(once)
  })

  it('adds removed, merges both sources and sorts IPv4 before IPv6, by address', () => {
    const v2 = render(['198.51.100.7/32'], [], {
      ...SSH,
      previous: v1,
      removed: { ipv4: ['10.0.0.0/8', '192.0.2.0/24'], ipv6: ['2001:db8::/32'] },
    })
    expect(deletes(v2).map((l) => l.split(' ')[4])).toEqual([
      '10.0.0.0/8',
      '192.0.2.0/24',
      '2001:db8::/32',
      '2001:db8:1::/48',
    ])
  })

  it('orders one address by prefix, then one CIDR by port', () => {
    const previous = `# BEGIN allowlist-sync name=coolify\nufw allow from 192.0.2.0/25 to any port 80 proto tcp\nufw allow from 192.0.2.0/25 to any port 22 proto tcp\n# END allowlist-sync\n`
    const v2 = render(['198.51.100.0/24'], [], {
      ...SSH,
      previous,
      removed: { ipv4: ['192.0.2.0/24'], ipv6: [] },
    })
    expect(deletes(v2)).toEqual([
      'ufw delete allow from 192.0.2.0/24 to any port 22 proto tcp',
      'ufw delete allow from 192.0.2.0/25 to any port 22 proto tcp',
      'ufw delete allow from 192.0.2.0/25 to any port 80 proto tcp',
    ])
  })

  it('reads the block of its own name, or an old unnamed block of its feeds, and no other', () => {
    const other = render(['203.0.113.0/24'], [], { ...SSH, name: 'office' })
    const v2 = render(['192.0.2.0/24'], [], { ...SSH, previous: `${other}${v1}` })
    expect(deletes(v2).map((l) => l.split(' ')[4])).toEqual(['198.51.100.7/32', '2001:db8:1::/48'])
    const old = `# BEGIN allowlist-sync coolify/cloud\nufw allow from 198.51.100.0/24 to any port 22 proto tcp comment 'x'\n# END allowlist-sync\n`
    expect(deletes(render(['192.0.2.0/24'], [], { ...SSH, previous: old }))).toEqual([
      'ufw delete allow from 198.51.100.0/24 to any port 22 proto tcp',
    ])
    expect(deletes(render(['192.0.2.0/24'], [], { ...SSH, previous: '# no block\n' }))).toEqual([])
  })

  it.each([
    ['a shell trick', "ufw allow from 192.0.2.0/24; rm -rf / comment 'x'"],
    ['a bad address', 'ufw allow from 192.0.2.300/24'],
    ['a port range backwards', 'ufw delete allow from 192.0.2.0/24 to any port 9:3 proto tcp'],
    ['port 0', 'ufw allow from 192.0.2.0/24 to any port 0 proto tcp'],
    ['another rule shape', 'ufw allow 22/tcp'],
  ])('refuses a previous rule line with %s, naming its line', (_label, line) => {
    const previous = `x\n# BEGIN allowlist-sync name=coolify\n${line}\n# END allowlist-sync\n`
    expectRenderError(
      () => render(['192.0.2.0/24'], [], { ...SSH, previous }),
      { code: 'ERR_RENDER_CIDR', line: 3 },
      'ufw: line 3 of the previous block',
    )
  })

  it('canonicalises what it reads back before it reaches the script', () => {
    const previous = `# BEGIN allowlist-sync name=coolify\nufw allow from 192.0.2.7/24 to any port 22:22 proto udp\n# END allowlist-sync\n`
    expect(deletes(render(['198.51.100.0/24'], [], { ...SSH, previous }))).toEqual([
      'ufw delete allow from 192.0.2.0/24 to any port 22:22 proto udp',
    ])
  })
})
