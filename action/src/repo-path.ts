/**
 * @module Which repository paths the Action and `sync --write` may write: relative, normalised,
 * inside the repository, never under `.git/`, and under `.github/workflows/` only when the
 * workflow says so (a PR changing workflows needs the `workflows` permission, and it is how a
 * poisoned feed would become code that runs).
 */

/** Where workflows live; writing there needs `allow-workflow-files: true`. */
export const WORKFLOWS_DIR = '.github/workflows/'

/**
 * Why `path` may not be written, or undefined when it may. `allowWorkflows` lets it lie under
 * `.github/workflows/`.
 */
export function repoPathProblem(path: string, allowWorkflows = false): string | undefined {
  if (path === '') return 'is empty'
  if ([...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return 'holds a control character'
  if (path.includes('\\')) return "holds a backslash (use '/')"
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path))
    return 'is absolute; give a path relative to the repository root'
  const parts = path.split('/')
  if (parts.some((p) => p === '..')) return "leaves the repository ('..')"
  if (parts.some((p) => p === '.' || p === ''))
    return `is not normalised (write '${parts.filter((p) => p !== '.' && p !== '').join('/')}')`
  if (parts.some((p) => p.toLowerCase() === '.git')) return "is inside '.git', which git owns"
  if (!allowWorkflows && path.toLowerCase().startsWith(WORKFLOWS_DIR))
    return `is under ${WORKFLOWS_DIR}: a PR there changes what your CI runs (and needs the \`workflows\` permission); set the input 'allow-workflow-files: true' to allow it`
  return undefined
}

/** Every proper prefix folder of a path, shortest first: `a/b/c` -> `a`, `a/b`. */
export function parentFolders(path: string): string[] {
  const parts = path.split('/')
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'))
}
