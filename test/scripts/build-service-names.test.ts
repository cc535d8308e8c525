/** The generated service-name table matches Debian's /etc/services it names (netbase). */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SERVICES_SHA256 } from '../../shared/src/policy/service-names.data.ts'
import { GENERATED, netbaseVersion, render, serviceLines } from './build-service-names.ts'

const ETC = '/etc/services'
const installed = existsSync(ETC) ? readFileSync(ETC, 'utf8') : undefined
const sameFile =
  installed !== undefined &&
  createHash('sha256').update(installed).digest('hex') === SERVICES_SHA256

describe('build-service-names.ts', () => {
  it('keeps TCP and UDP lines with their aliases; the first line of a name and protocol wins', () => {
    const text = [
      '# Network services, Internet style',
      'ftp\t\t21/tcp',
      'fsp\t\t21/udp\t\tfspd',
      'echo\t\t4/ddp\t\t\t# AppleTalk',
      'http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP',
      'www\t\t8080/tcp',
      'web\t\t81/tcp\t\twww\tweb2',
      '',
      'sctp-thing\t9/sctp',
    ].join('\n')
    expect(serviceLines(text)).toEqual([
      'ftp 21/tcp',
      'fsp 21/udp fspd',
      'http 80/tcp www',
      'web 81/tcp web2',
    ])
  })

  it.skipIf(!sameFile)(
    `${GENERATED} is what /etc/services (netbase ${netbaseVersion() ?? '?'}) gives`,
    () => {
      const origin = `Debian's netbase ${netbaseVersion() ?? '?'} /etc/services`
      expect(
        readFileSync(GENERATED, 'utf8'),
        'stale: run `node test/scripts/build-service-names.ts`',
      ).toBe(render(installed!, origin))
    },
  )
  if (!sameFile)
    console.log(
      `build-service-names.test.ts: skipped the comparison with ${ETC}: it is not the netbase file the table was generated from (sha256 ${SERVICES_SHA256})`,
    )
})
