/**
 * Tests worker/scripts/start.ts's precedence rules (the end-to-end check, `npm start` with a
 * `.dev.vars` file, is in worker-dev.test.ts): which names it reads from wrangler.toml, and the
 * `wrangler dev` arguments that let the environment win over `.dev.vars`, an empty value included.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { declaredNames, devArgs } from '../../worker/scripts/start.ts'

const TOML = readFileSync(path.resolve(import.meta.dirname, '../../wrangler.toml'), 'utf8')

describe('declaredNames', () => {
  it('lists the [vars] and the required secrets of wrangler.toml, nothing else', () => {
    const names = declaredNames(TOML)
    expect(names).toContain('UPSTREAM_MIRROR')
    expect(names).toContain('DEV_COUNTERS')
    expect(names.slice(-2)).toEqual(['ADMIN_TOKEN', 'SECRETS_KEY'])
    expect(names).not.toContain('GITHUB_TOKEN')
    expect(names).not.toContain('DB')
    expect(
      declaredNames('[vars]\nA = "1"\n[other]\nB = "2"\n[secrets]\nrequired = ["C", "D"]\n'),
    ).toEqual(['A', 'C', 'D'])
  })
})

describe('devArgs', () => {
  it('passes the files, an empty environment value as --var, and DEV_COUNTERS on by default', () => {
    expect(
      devArgs(['A', 'B', 'C'], { A: 'x', B: '', PATH: '/bin' }, ['.env', '.dev.vars']),
    ).toEqual({
      args: [
        '--env-file',
        '.env',
        '--env-file',
        '.dev.vars',
        '--var',
        'B:',
        '--var',
        'DEV_COUNTERS:true',
      ],
      fromEnvironment: ['A', 'B'],
    })
    expect(devArgs(['DEV_COUNTERS'], { DEV_COUNTERS: 'false' }, [])).toEqual({
      args: [],
      fromEnvironment: ['DEV_COUNTERS'],
    })
  })
})
