/**
 * @module Issue 18 through the bundled Action: a config naming the new format ids (with
 * ip-strategy and a raised limit) opens one PR whose files are those formats, rendered from the
 * fixture feeds served by the local mirror; a firewalld policy sits next to its ipsets.
 */
import { parse as parseHcl } from '@cdktf/hcl2json'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRendered } from '../../shared/src/index.ts'
import { actionPath } from '../helpers/dist.ts'
import { HAVE_FIXTURES } from '../helpers/fixtures.ts'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'
import { checkTerraform } from '../helpers/terraform-schema.ts'
import { fixtureMirrorLayout, startMirror, type MirrorServer } from '../scripts/mirror-server.ts'
import { runAction } from './run-action.ts'

const REPO = 'acme/cloud'
const CONFIG = `version: 1
targets:
  - path: proxy/dynamic/coolify.yml
    format: traefik
    feeds: [coolify/cloud]
    name: coolify
    ip-strategy: { depth: 1 }
  - path: proxy/coolify.labels
    format: traefik-labels
    feeds: [coolify/cloud]
    name: coolify
  - path: firewalld/ipsets/hooks-v4.xml
    format: firewalld-ipset
    feeds: [github/hooks]
    name: hooks
  - path: firewalld/ipsets/hooks-v6.xml
    format: firewalld-ipset6
    feeds: [github/hooks]
    name: hooks
  - path: firewalld/policies/hooks.xml
    format: firewalld-policy
    feeds: [github/hooks]
    ports: [443/tcp]
    name: hooks
  - path: hetzner/rules.json
    format: hcloud-rules
    feeds: [coolify/cloud]
    ports: [22/tcp, 8000/tcp]
  - path: terraform/firewall.tf
    format: terraform-hcloud
    feeds: [coolify/cloud, github/hooks]
    ports: [22/tcp]
    limits: { hcloudEffectiveRules: 1000 }
`

describe.skipIf(!HAVE_FIXTURES)('the bundled Action with the issue 18 formats', () => {
  let gh: GitHubServer
  let mirror: MirrorServer

  beforeAll(async () => {
    gh = await startGitHubServer()
    gh.seedRepo(REPO, {
      '.github/allowlist-sync.yml': CONFIG,
      'terraform/firewall.tf':
        'terraform {\n  required_version = ">= 1.5"\n}\n\n# BEGIN allowlist-sync name=allowlist-sync\n# END allowlist-sync\n',
    })
    mirror = await startMirror(
      fixtureMirrorLayout({
        'coolify.io/ipv4.txt': 'coolify/ipv4.2024-04-30T1019.txt',
        'coolify.io/ipv6.txt': 'coolify/ipv6.2024-04-30T1019.txt',
        'api.github.com/meta': 'github/meta.2026-02-05.json',
      }),
    )
  })
  afterAll(async () => {
    await gh?.close()
    await mirror?.close()
  })

  it('opens one PR holding every target in its format', async () => {
    const r = await runAction({
      script: actionPath(),
      repository: REPO,
      apiUrl: gh.url,
      mirror: mirror.url,
      inputs: { token: 'test-token', config: '.github/allowlist-sync.yml', 'dry-run': 'false' },
    })
    expect(r.stdout).not.toContain('::error::')
    expect(r.stdout).not.toContain('left as it is')
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs['pull-request-operation']).toBe('created')
    const files = gh.readFiles(REPO, 'allowlist-sync/update')

    const coolify = readRendered('traefik', files['proxy/dynamic/coolify.yml']!)
    expect(coolify.ipv4).toContain('49.12.221.172/32')
    expect(files['proxy/dynamic/coolify.yml']).toContain('ipStrategy:\n          depth: 1')
    expect(readRendered('traefik-labels', files['proxy/coolify.labels']!)).toEqual(coolify)

    expect(readRendered('firewalld-ipset', files['firewalld/ipsets/hooks-v4.xml']!).ipv4).toContain(
      '192.30.252.0/22',
    )
    expect(files['firewalld/policies/hooks.xml']).toContain(
      '<source ipset="hooks-v6" invert="True"/>',
    )

    const rules = JSON.parse(files['hetzner/rules.json']!) as { port: string }[]
    expect(rules.map((x) => x.port)).toEqual(['22', '8000'])

    const tf = files['terraform/firewall.tf']!
    expect(
      tf.startsWith(
        'terraform {\n  required_version = ">= 1.5"\n}\n\n# BEGIN allowlist-sync name=allowlist-sync feeds=coolify/cloud,github/hooks sum=',
      ),
    ).toBe(true)
    expect(await checkTerraform(tf)).toEqual([])
    expect(await parseHcl('firewall.tf', tf)).toHaveProperty('resource.hcloud_firewall')
  })
})
