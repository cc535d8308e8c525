/**
 * @module Bundles the Action (one file, action/dist/index.js) and the CLI (action/dist/cli/, split
 * so each command loads only what it needs). Deterministic: CI rebuilds and fails on any diff.
 * Run with `npm run build`; `--check` rebuilds into a temporary folder and compares.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { build, type BuildOptions } from 'esbuild'

const root = path.resolve(import.meta.dirname, '..')
const check = process.argv.includes('--check')

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  legalComments: 'none',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);",
  },
} satisfies BuildOptions

/** Bundles the CLI into `out/cli/` and the Action into `out/index.js`. */
export async function bundle(out: string): Promise<void> {
  await build({
    ...common,
    entryPoints: [path.join(root, 'action/src/cli/cli.ts')],
    outdir: path.join(out, 'cli'),
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
  })
  const actionEntry = path.join(root, 'action/src/index.ts')
  const hasAction = await readFile(actionEntry).then(
    () => true,
    () => false,
  )
  if (hasAction)
    await build({ ...common, entryPoints: [actionEntry], outfile: path.join(out, 'index.js') })
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

if (!import.meta.main) {
  // imported by the test set-up: bundle() only
} else if (check) {
  const tmp = await mkdtemp(path.join(tmpdir(), 'allowlist-sync-dist-'))
  await bundle(tmp)
  const dist = path.join(root, 'action/dist')
  const [want, have] = await Promise.all([listFiles(tmp), listFiles(dist)])
  const stale = [...new Set([...want, ...have])].filter(
    (f) => !want.includes(f) || !have.includes(f),
  )
  for (const f of want.filter((f) => have.includes(f))) {
    const [a, b] = await Promise.all([readFile(path.join(tmp, f)), readFile(path.join(dist, f))])
    if (!a.equals(b)) stale.push(f)
  }
  await rm(tmp, { recursive: true })
  if (stale.length > 0) {
    console.error(`action/dist is stale (${stale.join(', ')}): run 'npm run build' and commit it.`)
    process.exit(1)
  }
  console.log('action/dist is up to date.')
} else {
  await rm(path.join(root, 'action/dist'), { recursive: true, force: true })
  await bundle(path.join(root, 'action/dist'))
}
