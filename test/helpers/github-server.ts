/**
 * @module A local, stateful GitHub REST server for tests (node:http, port 0): repositories with
 * refs, git blobs/trees/commits, contents, pulls, labels, assignees, reviewers, comments, check
 * runs and statuses. Requests are checked against GitHub's published OpenAPI description
 * (@octokit/openapi) for the operations it serves, and answered with GitHub's status codes and
 * error bodies, so a lax client cannot pass. Every call is counted.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'

/** A permission of a GitHub token, as workflow `permissions:` name them. */
export type Permission = 'contents' | 'pull-requests' | 'issues' | 'checks' | 'statuses'

/** What a token may do; absent means `read`. */
export type TokenPermissions = Partial<Record<Permission, 'read' | 'write'>>

/** One API call as the server saw it. */
export interface ApiCall {
  readonly method: string
  /** The URL path, query excluded. */
  readonly path: string
  /** The OpenAPI operationId, or undefined for an unknown route. */
  readonly operationId: string | undefined
  readonly status: number
}

/** A file to seed: path -> UTF-8 content. */
export type FileMap = Readonly<Record<string, string>>

interface Commit {
  readonly sha: string
  readonly tree: string
  readonly parents: readonly string[]
  readonly message: string
  readonly author: { name: string; email: string; date: string }
  readonly committer: { name: string; email: string; date: string }
}

/** A tree here is flat (path -> blob sha); its sha is a digest of that listing. */
interface Tree {
  readonly sha: string
  readonly entries: ReadonlyMap<string, { mode: string; sha: string }>
}

interface Pull {
  readonly number: number
  state: 'open' | 'closed'
  merged: boolean
  title: string
  body: string | null
  draft: boolean
  readonly head: string
  base: string
  labels: string[]
  assignees: string[]
  reviewers: string[]
  teamReviewers: string[]
  mergeCommitSha: string | null
  readonly user: string
  headSha: string
  /** Logins that submitted a review. */
  reviews: string[]
}

interface Comment {
  readonly id: number
  readonly issue: number
  readonly body: string
  readonly user: string
}

/** One annotation of a check run, as the server stored it. */
export interface AnnotationRecord {
  readonly path: string
  readonly line: number
  readonly level: string
  readonly message: string
  readonly title: string | undefined
}

/** A check run or a commit status as the server stored it (check runs change with PATCH). */
export interface CheckRecord {
  readonly kind: 'check-run' | 'status'
  readonly id: number
  readonly sha: string
  readonly name: string
  status: string
  conclusion: string | null
  title: string | undefined
  summary: string | undefined
  externalId: string | undefined
  readonly annotations: AnnotationRecord[]
}

interface Repo {
  readonly owner: string
  readonly name: string
  readonly defaultBranch: string
  readonly refs: Map<string, string>
  readonly blobs: Map<string, Buffer>
  readonly trees: Map<string, Tree>
  readonly commits: Map<string, Commit>
  readonly pulls: Pull[]
  readonly comments: Comment[]
  readonly checks: CheckRecord[]
  readonly dispatches: { event_type: string; client_payload?: unknown }[]
  /** Permissions GitHub refuses for this repository whatever the token says (e.g. checks). */
  nextNumber: number
}

/** Options of {@link startGitHubServer}. */
export interface GitHubServerOptions {
  /** Valid tokens and their permissions; default `{ 'test-token': all write }`. */
  readonly tokens?: Readonly<Record<string, TokenPermissions>>
}

/** The running server and its test helpers. */
export interface GitHubServer {
  /** Base URL, for GITHUB_API_URL. */
  readonly url: string
  /** Every call, in order. */
  readonly calls: ApiCall[]
  /** Creates a repository whose default branch holds one commit with `files`. */
  seedRepo(fullName: string, files: FileMap, options?: { defaultBranch?: string }): void
  /** Puts one commit on `branch` changing `files` (null deletes); returns its sha. */
  commitFiles(
    fullName: string,
    branch: string,
    files: Readonly<Record<string, string | null>>,
    message?: string,
    author?: string,
  ): string
  /** Puts one commit on `branch` adding a symbolic link (mode 120000) at `path` to `target`. */
  commitSymlink(fullName: string, branch: string, path: string, target: string): string
  /** The files at a branch's head: path -> UTF-8 content. */
  readFiles(fullName: string, ref: string): Record<string, string>
  /** The sha a branch points at, or undefined. */
  branchSha(fullName: string, branch: string): string | undefined
  /** A commit's parents and message. */
  commit(fullName: string, sha: string): { parents: readonly string[]; message: string }
  /** The pull requests, newest last. */
  pulls(fullName: string): readonly PullView[]
  /** Merges a PR (a merge commit on the base with the head's tree) and deletes its branch. */
  mergePull(fullName: string, number: number): void
  /** Comments on an issue or PR. */
  comments(fullName: string, number: number): readonly string[]
  /** Check runs and statuses posted to the repository (copies). */
  checks(fullName: string): readonly CheckRecord[]
  /** Sets a PR's draft state, as a person clicking "Ready for review" or "Convert to draft". */
  setDraft(fullName: string, number: number, draft: boolean): void
  /** Records a submitted review by `login` (it leaves the requested reviewers, as on GitHub). */
  review(fullName: string, number: number, login: string): void
  /** Calls since `from` (an index into calls). */
  callsSince(from: number): ApiCall[]
  close(): Promise<void>
}

/** A pull request as tests read it. */
export interface PullView {
  readonly number: number
  readonly state: 'open' | 'closed'
  readonly merged: boolean
  readonly title: string
  readonly body: string
  readonly draft: boolean
  readonly head: string
  readonly base: string
  readonly labels: readonly string[]
  readonly assignees: readonly string[]
  readonly reviewers: readonly string[]
  readonly teamReviewers: readonly string[]
}

const ALL_WRITE: TokenPermissions = {
  contents: 'write',
  'pull-requests': 'write',
  issues: 'write',
  checks: 'write',
  statuses: 'write',
}

const DOCS = 'https://docs.github.com/rest'

class HttpError extends Error {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers: Record<string, string>
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(str(body.message))
    this.status = status
    this.body = {
      ...body,
      documentation_url: body.documentation_url ?? DOCS,
      status: String(status),
    }
    this.headers = headers
  }
}

const notFound = () => new HttpError(404, { message: 'Not Found' })
const unprocessable = (message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(422, { message, ...extra })

interface Request {
  readonly repo: Repo
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: Record<string, unknown>
  readonly base: string
}

type Handler = (req: Request) => {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

interface Route {
  readonly method: string
  readonly template: string
  readonly permission: { name: Permission; level: 'read' | 'write' } | undefined
  readonly handler: Handler
}

interface CompiledRoute extends Route {
  readonly regex: RegExp
  readonly names: readonly string[]
  readonly operationId: string
  readonly validate: ValidateFunction | undefined
}

interface OpenApiOperation {
  operationId: string
  requestBody?: { content?: Record<string, { schema?: unknown }> }
}
type OpenApiSpec = { paths: Record<string, Record<string, OpenApiOperation>> }

let specCache: OpenApiSpec | undefined
function loadSpec(): OpenApiSpec {
  if (specCache) return specCache
  const require = createRequire(import.meta.url)
  const dir = path.dirname(require.resolve('@octokit/openapi/package.json'))
  specCache = JSON.parse(
    readFileSync(path.join(dir, 'generated/api.github.com.json'), 'utf8'),
  ) as OpenApiSpec
  return specCache
}

// Path parameters that GitHub lets hold slashes.
const GREEDY = new Set(['ref', 'path', 'basehead'])

function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  const spec = loadSpec()
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, logger: false }))
  return routes.map((r) => {
    const op = spec.paths[r.template]?.[r.method.toLowerCase()]
    if (!op) throw new Error(`${r.method} ${r.template} is not in GitHub's OpenAPI description`)
    const schema = op.requestBody?.content?.['application/json']?.schema
    const names: string[] = []
    const pattern = r.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      names.push(name)
      return GREEDY.has(name) ? '(.+)' : '([^/]+)'
    })
    return {
      ...r,
      regex: new RegExp(`^${pattern}$`),
      names,
      operationId: op.operationId,
      validate: schema === undefined ? undefined : ajv.compile(schema as object),
    }
  })
}

/** GitHub's wording for a request that fails its schema ("Invalid request. ..."). */
function schemaMessage(errors: readonly ErrorObject[], body: unknown): string {
  const missing = errors
    .filter((e) => e.keyword === 'required' && e.instancePath === '')
    .map((e) => `"${String(e.params.missingProperty)}"`)
  if (missing.length > 0) {
    const verb = missing.length === 1 ? "wasn't" : "weren't"
    return `Invalid request.\n\n${missing.join(', ')} ${verb} supplied.`
  }
  const first = errors[0]
  if (!first) return 'Invalid request.'
  const where = first.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `items` : `properties/${p}`))
    .join('/')
  let value: unknown = body
  for (const part of first.instancePath.split('/').filter(Boolean)) {
    value = (value as Record<string, unknown> | undefined)?.[part]
  }
  const shown = value === null ? 'nil' : JSON.stringify(value)
  const reason =
    first.keyword === 'type'
      ? `is not a${/^[aeiou]/.test(String(first.params.type)) ? 'n' : ''} ${String(first.params.type)}`
      : first.keyword === 'required'
        ? `is missing "${String(first.params.missingProperty)}"`
        : (first.message ?? 'is invalid')
  return `Invalid request.\n\nFor '${where || 'body'}', ${shown} ${reason}.`
}

function gitSha(type: string, content: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]))
    .digest('hex')
}

/** A request field as text (the schema already checked its type). */
const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

const NOW = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Starts the server on 127.0.0.1, port 0. */
export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const tokens = options.tokens ?? { 'test-token': ALL_WRITE }
  const repos = new Map<string, Repo>()
  const calls: ApiCall[] = []
  let nextId = 1000
  let base = ''

  const putBlob = (repo: Repo, content: Buffer): string => {
    const sha = gitSha('blob', content)
    repo.blobs.set(sha, content)
    return sha
  }
  const putTree = (repo: Repo, entries: Map<string, { mode: string; sha: string }>): Tree => {
    const listing = [...entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([p, e]) => `${e.mode} ${p}\0${e.sha}`)
      .join('\n')
    const tree: Tree = { sha: gitSha('tree', Buffer.from(listing)), entries }
    repo.trees.set(tree.sha, tree)
    return tree
  }
  const putCommit = (repo: Repo, c: Omit<Commit, 'sha'>): Commit => {
    const text = [
      `tree ${c.tree}`,
      ...c.parents.map((p) => `parent ${p}`),
      `author ${c.author.name} <${c.author.email}> ${c.author.date}`,
      `committer ${c.committer.name} <${c.committer.email}> ${c.committer.date}`,
      '',
      c.message,
    ].join('\n')
    const commit: Commit = { ...c, sha: gitSha('commit', Buffer.from(text)) }
    repo.commits.set(commit.sha, commit)
    return commit
  }
  const getRepo = (fullName: string): Repo => {
    const repo = repos.get(fullName.toLowerCase())
    if (!repo) throw new Error(`no repository ${fullName}`)
    return repo
  }
  const resolveCommit = (repo: Repo, refOrSha: string): Commit | undefined => {
    const bySha = repo.commits.get(refOrSha)
    if (bySha) return bySha
    const name = refOrSha.startsWith('refs/') ? refOrSha : `refs/heads/${refOrSha}`
    const sha = repo.refs.get(name)
    return sha === undefined ? undefined : repo.commits.get(sha)
  }
  const treeOf = (repo: Repo, sha: string): Tree => repo.trees.get(repo.commits.get(sha)!.tree)!
  const person = (name: string) => ({ name, email: `${name}@example.com`, date: NOW() })

  const repoJson = (repo: Repo) => ({
    id: 1,
    node_id: 'R_1',
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: { login: repo.owner, id: 1, type: 'Organization' },
    private: false,
    html_url: `https://github.example/${repo.owner}/${repo.name}`,
    default_branch: repo.defaultBranch,
    url: `${base}/repos/${repo.owner}/${repo.name}`,
  })
  const refJson = (repo: Repo, ref: string) => ({
    ref,
    node_id: `REF_${ref}`,
    url: `${base}/repos/${repo.owner}/${repo.name}/git/${ref}`,
    object: { sha: repo.refs.get(ref)!, type: 'commit', url: '' },
  })
  const commitJson = (repo: Repo, c: Commit) => ({
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: `${base}/repos/${repo.owner}/${repo.name}/git/commits/${c.sha}`,
    html_url: `https://github.example/${repo.owner}/${repo.name}/commit/${c.sha}`,
    author: c.author,
    committer: c.committer,
    message: c.message,
    tree: { sha: c.tree, url: '' },
    parents: c.parents.map((p) => ({ sha: p, url: '', html_url: '' })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  })
  const pullJson = (repo: Repo, p: Pull) => ({
    url: `${base}/repos/${repo.owner}/${repo.name}/pulls/${p.number}`,
    id: p.number * 10,
    node_id: `PR_${repo.owner}_${repo.name}_${p.number}`,
    html_url: `https://github.example/${repo.owner}/${repo.name}/pull/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: { login: p.user, id: 2, type: 'Bot' },
    body: p.body,
    labels: p.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
    assignees: p.assignees.map((login) => ({ login })),
    requested_reviewers: p.reviewers.map((login) => ({ login })),
    requested_teams: p.teamReviewers.map((slug) => ({ slug, name: slug })),
    draft: p.draft,
    merged: p.merged,
    merged_at: p.merged ? NOW() : null,
    merge_commit_sha: p.mergeCommitSha,
    head: {
      label: `${repo.owner}:${p.head}`,
      ref: p.head,
      sha: repo.refs.get(`refs/heads/${p.head}`) ?? p.headSha,
    },
    base: {
      label: `${repo.owner}:${p.base}`,
      ref: p.base,
      sha: repo.refs.get(`refs/heads/${p.base}`) ?? '',
    },
  })
  const checkRunJson = (c: CheckRecord) => ({
    id: c.id,
    head_sha: c.sha,
    name: c.name,
    status: c.status,
    conclusion: c.conclusion,
    external_id: c.externalId ?? '',
    html_url: '',
    output: {
      title: c.title ?? null,
      summary: c.summary ?? null,
      annotations_count: c.annotations.length,
    },
  })
  const statusJson = (c: CheckRecord) => ({
    id: c.id,
    state: c.conclusion,
    context: c.name,
    description: c.title ?? null,
  })
  /** GitHub's rules for a check run's body: 50 annotations a request, a summary under 64 KiB. */
  const applyCheckRun = (record: CheckRecord, body: Record<string, unknown>): void => {
    const output = body.output as
      { title?: string; summary?: string; annotations?: Record<string, unknown>[] } | undefined
    const annotations = output?.annotations ?? []
    if (annotations.length > 50) throw unprocessable('Only 50 annotations can be sent at a time.')
    if ((output?.summary?.length ?? 0) > 65_535)
      throw unprocessable(
        'Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.',
      )
    const status =
      body.conclusion !== undefined
        ? 'completed'
        : typeof body.status === 'string'
          ? body.status
          : undefined
    if (status === 'completed' && body.conclusion === undefined)
      throw unprocessable('Invalid request.\n\n"conclusion" wasn\'t supplied.')
    if (status !== undefined) record.status = status
    if (typeof body.conclusion === 'string') record.conclusion = body.conclusion
    if (typeof body.external_id === 'string') record.externalId = body.external_id
    if (output?.title !== undefined) record.title = output.title
    if (output?.summary !== undefined) record.summary = output.summary
    for (const a of annotations)
      record.annotations.push({
        path: str(a.path),
        line: Number(a.start_line),
        level: str(a.annotation_level),
        message: str(a.message),
        title: typeof a.title === 'string' ? a.title : undefined,
      })
  }
  const findPull = (repo: Repo, n: string): Pull => {
    const p = repo.pulls.find((x) => x.number === Number(n))
    if (!p) throw notFound()
    return p
  }
  const isAncestor = (repo: Repo, ancestor: string, sha: string): boolean => {
    const seen = new Set<string>()
    const stack = [sha]
    while (stack.length > 0) {
      const s = stack.pop()!
      if (s === ancestor) return true
      if (seen.has(s)) continue
      seen.add(s)
      stack.push(...(repo.commits.get(s)?.parents ?? []))
    }
    return false
  }
  const W = (name: Permission) => ({ name, level: 'write' as const })
  const R = (name: Permission) => ({ name, level: 'read' as const })
  const P = '/repos/{owner}/{repo}'

  const routes: Route[] = [
    {
      method: 'GET',
      template: P,
      permission: R('contents'),
      handler: ({ repo }) => ({ status: 200, body: repoJson(repo) }),
    },
    {
      method: 'GET',
      template: `${P}/git/ref/{ref}`,
      permission: R('contents'),
      handler: ({ repo, params }) => {
        const ref = `refs/${params.ref!}`
        if (!repo.refs.has(ref)) throw notFound()
        return { status: 200, body: refJson(repo, ref) }
      },
    },
    {
      method: 'POST',
      template: `${P}/git/refs`,
      permission: W('contents'),
      handler: ({ repo, body }) => {
        const ref = str(body.ref)
        const sha = str(body.sha)
        if (!/^refs\/[^/]+\/.+/.test(ref)) throw unprocessable(`${ref} is not a valid ref name.`)
        if (repo.refs.has(ref)) throw unprocessable('Reference already exists')
        if (!repo.commits.has(sha)) throw unprocessable('Object does not exist')
        repo.refs.set(ref, sha)
        return { status: 201, body: refJson(repo, ref) }
      },
    },
    {
      method: 'PATCH',
      template: `${P}/git/refs/{ref}`,
      permission: W('contents'),
      handler: ({ repo, params, body }) => {
        const ref = `refs/${params.ref!}`
        const current = repo.refs.get(ref)
        if (current === undefined) throw unprocessable('Reference does not exist')
        const sha = str(body.sha)
        if (!repo.commits.has(sha)) throw unprocessable('Object does not exist')
        if (body.force !== true && !isAncestor(repo, current, sha))
          throw unprocessable('Update is not a fast forward')
        repo.refs.set(ref, sha)
        return { status: 200, body: refJson(repo, ref) }
      },
    },
    {
      method: 'DELETE',
      template: `${P}/git/refs/{ref}`,
      permission: W('contents'),
      handler: ({ repo, params }) => {
        const ref = `refs/${params.ref!}`
        if (!repo.refs.delete(ref)) throw unprocessable('Reference does not exist')
        return { status: 204 }
      },
    },
    {
      method: 'POST',
      template: `${P}/git/blobs`,
      permission: W('contents'),
      handler: ({ repo, body }) => {
        const encoding = body.encoding === undefined ? 'utf-8' : str(body.encoding)
        if (encoding !== 'utf-8' && encoding !== 'base64')
          throw unprocessable(`encoding must be "utf-8" or "base64"`)
        const content = Buffer.from(str(body.content), encoding === 'base64' ? 'base64' : 'utf8')
        const sha = putBlob(repo, content)
        return {
          status: 201,
          body: { sha, url: `${base}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}` },
        }
      },
    },
    {
      method: 'GET',
      template: `${P}/git/blobs/{file_sha}`,
      permission: R('contents'),
      handler: ({ repo, params }) => {
        const content = repo.blobs.get(params.file_sha!)
        if (!content) throw notFound()
        return {
          status: 200,
          body: {
            sha: params.file_sha,
            node_id: `B_${params.file_sha!}`,
            size: content.length,
            url: '',
            content: content.toString('base64'),
            encoding: 'base64',
          },
        }
      },
    },
    {
      method: 'POST',
      template: `${P}/git/trees`,
      permission: W('contents'),
      handler: ({ repo, body }) => {
        const entries = new Map<string, { mode: string; sha: string }>()
        if (body.base_tree !== undefined) {
          const baseTree =
            repo.trees.get(str(body.base_tree)) ??
            (repo.commits.has(str(body.base_tree)) ? treeOf(repo, str(body.base_tree)) : undefined)
          if (!baseTree) throw unprocessable('Invalid tree info')
          for (const [p, e] of baseTree.entries) entries.set(p, e)
        }
        for (const raw of body.tree as Record<string, unknown>[]) {
          const p = String(raw.path)
          if ('sha' in raw && 'content' in raw)
            throw unprocessable('Invalid tree info', {
              errors: ['Only one of sha or content may be given'],
            })
          if (raw.type !== 'blob' || (raw.mode !== '100644' && raw.mode !== '100755'))
            throw unprocessable('Invalid tree info')
          if (raw.sha === null) {
            entries.delete(p)
          } else if (typeof raw.sha === 'string') {
            if (!repo.blobs.has(raw.sha))
              throw unprocessable('Invalid tree info', { errors: [`${raw.sha} is not a blob`] })
            entries.set(p, { mode: raw.mode, sha: raw.sha })
          } else if (typeof raw.content === 'string') {
            entries.set(p, { mode: raw.mode, sha: putBlob(repo, Buffer.from(raw.content)) })
          } else {
            throw unprocessable('Invalid tree info')
          }
        }
        const tree = putTree(repo, entries)
        return { status: 201, body: treeJson(repo, tree) }
      },
    },
    {
      method: 'GET',
      template: `${P}/git/trees/{tree_sha}`,
      permission: R('contents'),
      handler: ({ repo, params }) => {
        const tree =
          repo.trees.get(params.tree_sha!) ??
          (() => {
            const c = resolveCommit(repo, params.tree_sha!)
            return c ? repo.trees.get(c.tree) : undefined
          })()
        if (!tree) throw notFound()
        return { status: 200, body: treeJson(repo, tree) }
      },
    },
    {
      method: 'POST',
      template: `${P}/git/commits`,
      permission: W('contents'),
      handler: ({ repo, body }) => {
        const tree = str(body.tree)
        if (!repo.trees.has(tree)) throw unprocessable('Tree SHA does not exist')
        const parents = (body.parents as string[] | undefined) ?? []
        for (const p of parents)
          if (!repo.commits.has(p))
            throw unprocessable('Parent SHA does not exist or is not a commit object')
        const who = (body.author as { name?: string } | undefined)?.name ?? 'github-actions[bot]'
        const c = putCommit(repo, {
          tree,
          parents,
          message: str(body.message),
          author: person(who),
          committer: person(who),
        })
        return { status: 201, body: commitJson(repo, c) }
      },
    },
    {
      method: 'GET',
      template: `${P}/git/commits/{commit_sha}`,
      permission: R('contents'),
      handler: ({ repo, params }) => {
        const c = repo.commits.get(params.commit_sha!)
        if (!c) throw notFound()
        return { status: 200, body: commitJson(repo, c) }
      },
    },
    {
      method: 'GET',
      template: `${P}/contents/{path}`,
      permission: R('contents'),
      handler: ({ repo, params, query }) => {
        const c = resolveCommit(repo, query.get('ref') ?? repo.defaultBranch)
        if (!c) throw notFound()
        const entry = repo.trees.get(c.tree)!.entries.get(params.path!)
        if (!entry) throw notFound()
        const content = repo.blobs.get(entry.sha)!
        return {
          status: 200,
          body: {
            type: 'file',
            encoding: 'base64',
            size: content.length,
            name: path.posix.basename(params.path!),
            path: params.path,
            content: content.toString('base64'),
            sha: entry.sha,
            url: '',
            git_url: null,
            html_url: null,
            download_url: null,
            _links: { self: '', git: null, html: null },
          },
        }
      },
    },
    {
      method: 'GET',
      template: `${P}/pulls`,
      permission: R('pull-requests'),
      handler: ({ repo, query }) => {
        const state = query.get('state') ?? 'open'
        const head = query.get('head')
        const baseRef = query.get('base')
        const list = repo.pulls
          .filter((p) => state === 'all' || p.state === state)
          .filter((p) => head === null || `${repo.owner}:${p.head}` === head)
          .filter((p) => baseRef === null || p.base === baseRef)
          .sort((a, b) => b.number - a.number)
        const perPage = Number(query.get('per_page') ?? 30)
        const page = Number(query.get('page') ?? 1)
        return {
          status: 200,
          body: list.slice((page - 1) * perPage, page * perPage).map((p) => pullJson(repo, p)),
        }
      },
    },
    {
      method: 'POST',
      template: `${P}/pulls`,
      permission: W('pull-requests'),
      handler: ({ repo, body }) => {
        if (typeof body.title !== 'string' && body.issue === undefined)
          throw unprocessable('Validation Failed', {
            errors: [{ resource: 'PullRequest', code: 'missing_field', field: 'title' }],
          })
        const head = str(body.head).replace(`${repo.owner}:`, '')
        const baseRef = str(body.base)
        const headSha = repo.refs.get(`refs/heads/${head}`)
        const baseSha = repo.refs.get(`refs/heads/${baseRef}`)
        const invalid = (field: string) =>
          unprocessable('Validation Failed', {
            errors: [{ resource: 'PullRequest', field, code: 'invalid' }],
          })
        if (headSha === undefined) throw invalid('head')
        if (baseSha === undefined) throw invalid('base')
        if (repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === baseRef))
          throw unprocessable('Validation Failed', {
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${repo.owner}:${head}.`,
              },
            ],
          })
        if (isAncestor(repo, headSha, baseSha))
          throw unprocessable('Validation Failed', {
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `No commits between ${baseRef} and ${head}`,
              },
            ],
          })
        const pull: Pull = {
          number: repo.nextNumber++,
          state: 'open',
          merged: false,
          title: str(body.title),
          body: typeof body.body === 'string' ? body.body : null,
          draft: body.draft === true,
          head,
          base: baseRef,
          labels: [],
          assignees: [],
          reviewers: [],
          teamReviewers: [],
          mergeCommitSha: null,
          user: 'github-actions[bot]',
          headSha,
          reviews: [],
        }
        repo.pulls.push(pull)
        return { status: 201, body: pullJson(repo, pull) }
      },
    },
    {
      method: 'GET',
      template: `${P}/pulls/{pull_number}`,
      permission: R('pull-requests'),
      handler: ({ repo, params }) => ({
        status: 200,
        body: pullJson(repo, findPull(repo, params.pull_number!)),
      }),
    },
    {
      method: 'PATCH',
      template: `${P}/pulls/{pull_number}`,
      permission: W('pull-requests'),
      handler: ({ repo, params, body }) => {
        const p = findPull(repo, params.pull_number!)
        if (typeof body.title === 'string') p.title = body.title
        if (typeof body.body === 'string') p.body = body.body
        if (body.state === 'closed' || body.state === 'open') {
          if (p.merged)
            throw unprocessable('Validation Failed', {
              errors: [
                {
                  resource: 'PullRequest',
                  code: 'custom',
                  message: 'Cannot change the state of a merged pull request.',
                },
              ],
            })
          p.state = body.state
        }
        if (typeof body.base === 'string') p.base = body.base
        return { status: 200, body: pullJson(repo, p) }
      },
    },
    {
      method: 'POST',
      template: `${P}/issues/{issue_number}/labels`,
      permission: W('issues'),
      handler: ({ repo, params, body }) => {
        const p = findPull(repo, params.issue_number!)
        const raw: unknown[] = Array.isArray(body)
          ? body
          : ((body.labels as unknown[] | undefined) ?? [])
        for (const l of raw) {
          const name = typeof l === 'string' ? l : String((l as { name: unknown }).name)
          if (!p.labels.includes(name)) p.labels.push(name)
        }
        return {
          status: 200,
          body: p.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
        }
      },
    },
    {
      method: 'POST',
      template: `${P}/issues/{issue_number}/assignees`,
      permission: W('issues'),
      handler: ({ repo, params, body }) => {
        const p = findPull(repo, params.issue_number!)
        for (const a of (body.assignees as string[] | undefined) ?? [])
          if (!p.assignees.includes(a)) p.assignees.push(a)
        return {
          status: 201,
          body: { number: p.number, assignees: p.assignees.map((login) => ({ login })) },
        }
      },
    },
    {
      method: 'GET',
      template: `${P}/issues/{issue_number}/comments`,
      permission: R('issues'),
      handler: ({ repo, params, query }) => {
        // Paged as GitHub pages (per_page at most 100, a Link header to the next page).
        const all = repo.comments.filter((c) => c.issue === Number(params.issue_number))
        const perPage = Math.min(100, Number(query.get('per_page') ?? 30))
        const page = Number(query.get('page') ?? 1)
        const url = `${base}/repos/${repo.owner}/${repo.name}/issues/${params.issue_number!}/comments`
        const next = page * perPage < all.length
        return {
          status: 200,
          body: all
            .slice((page - 1) * perPage, page * perPage)
            .map((c) => ({ id: c.id, body: c.body, user: { login: c.user } })),
          ...(next
            ? { headers: { link: `<${url}?per_page=${perPage}&page=${page + 1}>; rel="next"` } }
            : {}),
        }
      },
    },
    {
      method: 'POST',
      template: `${P}/issues/{issue_number}/comments`,
      permission: W('issues'),
      handler: ({ repo, params, body }) => {
        findPull(repo, params.issue_number!)
        const c: Comment = {
          id: nextId++,
          issue: Number(params.issue_number),
          body: str(body.body),
          user: 'github-actions[bot]',
        }
        repo.comments.push(c)
        return {
          status: 201,
          body: { id: c.id, body: c.body, user: { login: c.user }, html_url: '' },
        }
      },
    },
    {
      method: 'POST',
      template: `${P}/pulls/{pull_number}/requested_reviewers`,
      permission: W('pull-requests'),
      handler: ({ repo, params, body }) => {
        const p = findPull(repo, params.pull_number!)
        const reviewers = (body.reviewers as string[] | undefined) ?? []
        const teams = (body.team_reviewers as string[] | undefined) ?? []
        if (reviewers.length === 0 && teams.length === 0)
          throw unprocessable(
            'Invalid request.\n\n"reviewers" or "team_reviewers" wasn\'t supplied.',
          )
        if (reviewers.includes(p.user))
          throw unprocessable('Review cannot be requested from pull request author.')
        for (const r of reviewers) if (!p.reviewers.includes(r)) p.reviewers.push(r)
        for (const t of teams) if (!p.teamReviewers.includes(t)) p.teamReviewers.push(t)
        return { status: 201, body: pullJson(repo, p) }
      },
    },
    {
      method: 'POST',
      template: `${P}/check-runs`,
      permission: W('checks'),
      handler: ({ repo, body }) => {
        if (!repo.commits.has(str(body.head_sha)))
          throw unprocessable('No commit found for SHA: ' + str(body.head_sha))
        const record: CheckRecord = {
          kind: 'check-run',
          id: nextId++,
          sha: str(body.head_sha),
          name: str(body.name),
          status: 'queued',
          conclusion: null,
          title: undefined,
          summary: undefined,
          externalId: undefined,
          annotations: [],
        }
        applyCheckRun(record, body)
        repo.checks.push(record)
        return { status: 201, body: checkRunJson(record) }
      },
    },
    {
      method: 'PATCH',
      template: `${P}/check-runs/{check_run_id}`,
      permission: W('checks'),
      handler: ({ repo, params, body }) => {
        const record = repo.checks.find(
          (c) => c.kind === 'check-run' && c.id === Number(params.check_run_id),
        )
        if (!record) throw notFound()
        applyCheckRun(record, body)
        return { status: 200, body: checkRunJson(record) }
      },
    },
    {
      method: 'GET',
      template: `${P}/check-runs/{check_run_id}`,
      permission: R('checks'),
      handler: ({ repo, params }) => {
        const record = repo.checks.find(
          (c) => c.kind === 'check-run' && c.id === Number(params.check_run_id),
        )
        if (!record) throw notFound()
        return { status: 200, body: checkRunJson(record) }
      },
    },
    {
      method: 'GET',
      template: `${P}/commits/{ref}/check-runs`,
      permission: R('checks'),
      handler: ({ repo, params, query }) => {
        const sha = resolveCommit(repo, params.ref!)?.sha ?? params.ref!
        const name = query.get('check_name')
        // GitHub lists the newest first.
        const runs = repo.checks
          .filter((c) => c.kind === 'check-run' && c.sha === sha)
          .filter((c) => name === null || c.name === name)
          .sort((a, b) => b.id - a.id)
        return {
          status: 200,
          body: { total_count: runs.length, check_runs: runs.map(checkRunJson) },
        }
      },
    },
    {
      method: 'POST',
      template: `${P}/statuses/{sha}`,
      permission: W('statuses'),
      handler: ({ repo, params, body }) => {
        const record: CheckRecord = {
          kind: 'status',
          id: nextId++,
          sha: params.sha!,
          name: String((body.context as string | undefined) ?? 'default'),
          status: 'completed',
          conclusion: str(body.state),
          title: typeof body.description === 'string' ? body.description : undefined,
          summary: undefined,
          externalId: undefined,
          annotations: [],
        }
        repo.checks.push(record)
        return { status: 201, body: statusJson(record) }
      },
    },
    {
      method: 'GET',
      template: `${P}/commits/{ref}/statuses`,
      permission: R('statuses'),
      handler: ({ repo, params }) => {
        const sha = resolveCommit(repo, params.ref!)?.sha ?? params.ref!
        return {
          status: 200,
          body: repo.checks
            .filter((c) => c.kind === 'status' && c.sha === sha)
            .sort((a, b) => b.id - a.id)
            .map(statusJson),
        }
      },
    },
    {
      method: 'DELETE',
      template: `${P}/issues/{issue_number}/labels/{name}`,
      permission: W('issues'),
      handler: ({ repo, params }) => {
        const p = findPull(repo, params.issue_number!)
        if (!p.labels.includes(params.name!))
          throw new HttpError(404, { message: 'Label does not exist' })
        p.labels = p.labels.filter((l) => l !== params.name)
        return {
          status: 200,
          body: p.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
        }
      },
    },
    {
      method: 'GET',
      template: `${P}/pulls/{pull_number}/reviews`,
      permission: R('pull-requests'),
      handler: ({ repo, params }) => {
        const p = findPull(repo, params.pull_number!)
        return {
          status: 200,
          body: p.reviews.map((login, i) => ({
            id: i + 1,
            user: { login },
            body: '',
            state: 'COMMENTED',
          })),
        }
      },
    },
    {
      method: 'POST',
      template: `${P}/dispatches`,
      permission: W('contents'),
      handler: ({ repo, body }) => {
        repo.dispatches.push({
          event_type: str(body.event_type),
          client_payload: body.client_payload,
        })
        return { status: 204 }
      },
    },
  ]

  function treeJson(repo: Repo, tree: Tree) {
    return {
      sha: tree.sha,
      url: `${base}/repos/${repo.owner}/${repo.name}/git/trees/${tree.sha}`,
      truncated: false,
      tree: [...tree.entries.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([p, e]) => ({
          path: p,
          mode: e.mode,
          type: 'blob',
          sha: e.sha,
          size: repo.blobs.get(e.sha)!.length,
          url: '',
        })),
    }
  }

  const compiled = compileRoutes(routes)

  function tokenPermissions(req: IncomingMessage): TokenPermissions {
    const auth = req.headers.authorization
    if (auth === undefined) throw new HttpError(401, { message: 'Requires authentication' })
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1]
    const perms = token === undefined ? undefined : tokens[token]
    if (!perms) throw new HttpError(401, { message: 'Bad credentials' })
    return perms
  }

  /**
   * The two GraphQL mutations REST lacks (a PR's draft state): `convertPullRequestToDraft` and
   * `markPullRequestReadyForReview`, by the PR's node id. Errors come back as GitHub sends them:
   * HTTP 200 with an `errors` array.
   */
  function graphql(perms: TokenPermissions, text: string): { status: number; body: unknown } {
    const fail = (message: string, type = 'UNPROCESSABLE') => ({
      status: 200,
      body: { data: null, errors: [{ type, message }] },
    })
    let request: { query?: unknown; variables?: Record<string, unknown> }
    try {
      request = JSON.parse(text) as typeof request
    } catch {
      throw new HttpError(400, { message: 'Problems parsing JSON' })
    }
    const query = typeof request.query === 'string' ? request.query : ''
    const mutation = /\b(convertPullRequestToDraft|markPullRequestReadyForReview)\s*\(/.exec(
      query,
    )?.[1]
    if (!mutation) return fail(`unsupported query: ${query.slice(0, 80)}`)
    if (perms['pull-requests'] !== 'write')
      return fail('Resource not accessible by integration', 'FORBIDDEN')
    const id = str(request.variables?.id)
    const m = /^PR_(.+)_(.+)_(\d+)$/.exec(id)
    const repo = m ? repos.get(`${m[1]!}/${m[2]!}`.toLowerCase()) : undefined
    const pull = repo?.pulls.find((p) => p.number === Number(m![3]))
    if (!repo || !pull)
      return fail(`Could not resolve to a node with the global id of '${id}'`, 'NOT_FOUND')
    const draft = mutation === 'convertPullRequestToDraft'
    if (pull.state !== 'open') return fail('Pull request is closed')
    pull.draft = draft
    return {
      status: 200,
      body: { data: { [mutation]: { pullRequest: { number: pull.number, isDraft: draft } } } },
    }
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }

  async function handle(
    req: IncomingMessage,
    seen: { operationId?: string },
  ): Promise<{
    status: number
    body?: unknown
    headers?: Record<string, string>
    operationId?: string
  }> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    if (url.pathname === '/graphql' && method === 'POST') {
      seen.operationId = 'graphql'
      return { ...graphql(tokenPermissions(req), await readBody(req)), operationId: 'graphql' }
    }
    const candidates = compiled.filter((r) => r.regex.test(url.pathname))
    const route = candidates.find((r) => r.method === method)
    // GitHub answers 404, not 405, for a method a REST path does not serve.
    if (!route) throw notFound()
    seen.operationId = route.operationId
    const perms = tokenPermissions(req)
    const match = route.regex.exec(url.pathname)!
    const params: Record<string, string> = {}
    route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1]!)))
    const repo = repos.get(`${params.owner}/${params.repo}`.toLowerCase())
    if (!repo) throw notFound()
    if (route.permission) {
      const have = perms[route.permission.name] ?? 'read'
      const okPerm = route.permission.level === 'read' || have === 'write'
      // On PRs, GitHub accepts pull-requests: write where issues: write is asked.
      const viaPulls = route.permission.name === 'issues' && perms['pull-requests'] === 'write'
      if (!okPerm && !viaPulls)
        throw new HttpError(
          403,
          { message: 'Resource not accessible by integration' },
          { 'x-accepted-github-permissions': `${route.permission.name.replace('-', '_')}=write` },
        )
    }
    let body: Record<string, unknown> = {}
    if (route.validate) {
      const text = await readBody(req)
      let parsed: unknown
      try {
        parsed = text === '' ? {} : JSON.parse(text)
      } catch {
        throw new HttpError(400, { message: 'Problems parsing JSON' })
      }
      if (!route.validate(parsed))
        throw unprocessable(schemaMessage(route.validate.errors ?? [], parsed))
      body = parsed as Record<string, unknown>
    }
    const result = route.handler({ repo, params, query: url.searchParams, body, base })
    return { ...result, operationId: route.operationId }
  }

  const server = createServer((req, res: ServerResponse) => {
    const seen: { operationId?: string } = {}
    handle(req, seen).then(
      (r) => send(req, res, r.status, r.body, r.headers, r.operationId),
      (error: unknown) => {
        if (error instanceof HttpError)
          send(req, res, error.status, error.body, error.headers, seen.operationId)
        else send(req, res, 500, { message: String(error) }, {}, seen.operationId)
      },
    )
  })
  function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    operationId: string | undefined,
  ): void {
    const url = new URL(req.url ?? '/', 'http://localhost')
    calls.push({ method: req.method ?? 'GET', path: url.pathname, operationId, status })
    const text = body === undefined ? '' : JSON.stringify(body)
    res.writeHead(status, {
      ...headers,
      ...(text === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    })
    res.end(text)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const commitFiles = (
    fullName: string,
    branch: string,
    files: Readonly<Record<string, string | null>>,
    message = 'Edit files',
    author = 'octocat',
    mode = '100644',
  ): string => {
    const repo = getRepo(fullName)
    const parent = repo.refs.get(`refs/heads/${branch}`)
    const entries = new Map(parent === undefined ? [] : treeOf(repo, parent).entries)
    for (const [p, content] of Object.entries(files)) {
      if (content === null) entries.delete(p)
      else entries.set(p, { mode, sha: putBlob(repo, Buffer.from(content)) })
    }
    const tree = putTree(repo, entries)
    const c = putCommit(repo, {
      tree: tree.sha,
      parents: parent === undefined ? [] : [parent],
      message,
      author: person(author),
      committer: person(author),
    })
    repo.refs.set(`refs/heads/${branch}`, c.sha)
    return c.sha
  }

  return {
    url: base,
    calls,
    seedRepo(fullName, files, { defaultBranch = 'main' } = {}) {
      const [owner, name] = fullName.split('/') as [string, string]
      repos.set(fullName.toLowerCase(), {
        owner,
        name,
        defaultBranch,
        refs: new Map(),
        blobs: new Map(),
        trees: new Map(),
        commits: new Map(),
        pulls: [],
        comments: [],
        checks: [],
        dispatches: [],
        nextNumber: 1,
      })
      commitFiles(fullName, defaultBranch, files, 'Initial commit')
    },
    commitFiles: (fullName, branch, files, message, author) =>
      commitFiles(fullName, branch, files, message, author),
    commitSymlink: (fullName, branch, p, target) =>
      commitFiles(fullName, branch, { [p]: target }, `Link ${p}`, 'octocat', '120000'),
    readFiles(fullName, ref) {
      const repo = getRepo(fullName)
      const c = resolveCommit(repo, ref)
      if (!c) throw new Error(`no ref ${ref}`)
      const out: Record<string, string> = {}
      for (const [p, e] of repo.trees.get(c.tree)!.entries)
        out[p] = repo.blobs.get(e.sha)!.toString('utf8')
      return out
    },
    branchSha: (fullName, branch) => getRepo(fullName).refs.get(`refs/heads/${branch}`),
    commit(fullName, sha) {
      const c = getRepo(fullName).commits.get(sha)
      if (!c) throw new Error(`no commit ${sha}`)
      return { parents: c.parents, message: c.message }
    },
    pulls: (fullName) =>
      getRepo(fullName).pulls.map((p) => ({
        number: p.number,
        state: p.state,
        merged: p.merged,
        title: p.title,
        body: p.body ?? '',
        draft: p.draft,
        head: p.head,
        base: p.base,
        labels: [...p.labels],
        assignees: [...p.assignees],
        reviewers: [...p.reviewers],
        teamReviewers: [...p.teamReviewers],
      })),
    mergePull(fullName, number) {
      const repo = getRepo(fullName)
      const p = repo.pulls.find((x) => x.number === number)
      if (!p || p.state !== 'open') throw new Error(`PR #${number} is not open`)
      const headSha = repo.refs.get(`refs/heads/${p.head}`)!
      const baseSha = repo.refs.get(`refs/heads/${p.base}`)!
      const head = repo.commits.get(headSha)!
      const c = putCommit(repo, {
        tree: head.tree,
        parents: [baseSha, headSha],
        message: `Merge pull request #${number}`,
        author: person('octocat'),
        committer: person('octocat'),
      })
      repo.refs.set(`refs/heads/${p.base}`, c.sha)
      repo.refs.delete(`refs/heads/${p.head}`)
      p.state = 'closed'
      p.merged = true
      p.mergeCommitSha = c.sha
      p.headSha = headSha
    },
    comments: (fullName, number) =>
      getRepo(fullName)
        .comments.filter((c) => c.issue === number)
        .map((c) => c.body),
    checks: (fullName) =>
      getRepo(fullName).checks.map((c) => ({ ...c, annotations: [...c.annotations] })),
    setDraft(fullName, number, draft) {
      const p = getRepo(fullName).pulls.find((x) => x.number === number)
      if (!p || p.state !== 'open') throw new Error(`PR #${number} is not open`)
      p.draft = draft
    },
    review(fullName, number, login) {
      const p = getRepo(fullName).pulls.find((x) => x.number === number)
      if (!p) throw new Error(`no PR #${number}`)
      p.reviews.push(login)
      p.reviewers = p.reviewers.filter((r) => r !== login)
    },
    callsSince: (from) => calls.slice(from),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((e) => (e ? reject(e) : resolve()))
      }),
  }
}
