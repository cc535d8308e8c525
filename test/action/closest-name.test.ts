/** @module closestName: the "did you mean" of config errors. */
import { describe, expect, it } from 'vitest'
import { closestName, editDistance } from '../../action/src/closest-name.ts'
import { FORMAT_IDS, PRESET_IDS } from '../../shared/src/index.ts'

describe('closestName', () => {
  it.each([
    ['coolify-selfhosted', PRESET_IDS, 'coolify-self-hosted'],
    ['Coolify-Cloud', PRESET_IDS, 'coolify-cloud'],
    ['nft', FORMAT_IDS, 'nftables'],
    ['ip6table', FORMAT_IDS, 'ip6tables'],
    ['ngnix', FORMAT_IDS, 'nginx'],
    ['terraform-json', FORMAT_IDS, 'terraform'],
    ['wireguard', FORMAT_IDS, undefined],
    ['github/hook', ['github/hooks', 'github/web'], 'github/hooks'],
  ])('%s -> %s', (name, candidates, want) => {
    expect(closestName(name, candidates)).toBe(want)
  })

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('ngnix', 'nginx')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
  })
})
