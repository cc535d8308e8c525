/**
 * @module The local GitHub server answers like GitHub: unknown routes, wrong methods, missing or
 * mistyped fields, bad credentials and missing permissions get GitHub's status codes and bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startGitHubServer, type GitHubServer } from '../helpers/github-server.ts'

let gh: GitHubServer
const REPO = 'acme/infra'

beforeAll(async () => {
  gh = await startGitHubServer({
    tokens: { good: { contents: 'write', 'pull-requests': 'write' }, readonly: {} },
  })
  gh.seedRepo(REPO, { 'README.md': 'hello\n' })
})
afterAll(() => gh.close())

async function call(method: string, path: string, body?: unknown, token = 'good') {
  const res = await fetch(`${gh.url}${path}`, {
    method,
    headers: {
      authorization: `token ${token}`,
      accept: 'application/vnd.github+json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return {
    status: res.status,
    body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
    headers: res.headers,
  }
}

describe('startGitHubServer', () => {
  it.each([
    ['GET', '/repos/acme/infra/no-such-thing'],
    ['GET', '/nothing'],
    ['GET', '/repos/acme/other'],
    ['DELETE', '/repos/acme/infra/pulls'],
    ['PUT', '/repos/acme/infra/git/blobs'],
    ['POST', '/repos/acme/infra/git/ref/heads/main'],
  ])('answers %s %s with 404 Not Found like GitHub', async (method, path) => {
    const r = await call(method, path, method === 'GET' ? undefined : {})
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({ message: 'Not Found', status: '404' })
    expect(r.body.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//)
  })

  it.each([
    ['POST', '/repos/acme/infra/git/refs', { ref: 'refs/heads/x' }, '"sha" wasn\'t supplied.'],
    ['POST', '/repos/acme/infra/git/refs', {}, '"ref", "sha" weren\'t supplied.'],
    ['POST', '/repos/acme/infra/git/blobs', { encoding: 'utf-8' }, '"content" wasn\'t supplied.'],
    ['POST', '/repos/acme/infra/git/trees', { base_tree: 'abc' }, '"tree" wasn\'t supplied.'],
    ['POST', '/repos/acme/infra/git/commits', { message: 'm' }, '"tree" wasn\'t supplied.'],
    ['POST', '/repos/acme/infra/pulls', { title: 't', head: 'x' }, '"base" wasn\'t supplied.'],
    [
      'POST',
      '/repos/acme/infra/git/blobs',
      { content: 5 },
      "For 'properties/content', 5 is not a string.",
    ],
    ['PATCH', '/repos/acme/infra/pulls/1', { state: 'merged' }, "For 'properties/state'"],
  ])('answers %s %s with a missing or bad field with 422', async (method, path, body, message) => {
    const r = await call(method, path, body)
    expect(r.status).toBe(422)
    expect(String(r.body.message)).toContain('Invalid request.')
    expect(String(r.body.message)).toContain(message)
    expect(r.body.status).toBe('422')
  })

  it('answers malformed JSON with 400 Problems parsing JSON', async () => {
    const r = await call('POST', '/repos/acme/infra/git/blobs', '{"content":')
    expect(r.status).toBe(400)
    expect(r.body.message).toBe('Problems parsing JSON')
  })

  it('answers no credentials and bad credentials with 401', async () => {
    const none = await fetch(`${gh.url}/repos/acme/infra`)
    expect(none.status).toBe(401)
    expect(((await none.json()) as { message: string }).message).toBe('Requires authentication')
    const bad = await call('GET', '/repos/acme/infra', undefined, 'wrong')
    expect(bad.status).toBe(401)
    expect(bad.body.message).toBe('Bad credentials')
  })

  it('answers a write without the permission with 403 and the accepted permission header', async () => {
    const r = await call('POST', '/repos/acme/infra/git/blobs', { content: 'x' }, 'readonly')
    expect(r.status).toBe(403)
    expect(r.body.message).toBe('Resource not accessible by integration')
    expect(r.headers.get('x-accepted-github-permissions')).toBe('contents=write')
    const check = await call('POST', '/repos/acme/infra/check-runs', { name: 'c', head_sha: 'a' })
    expect(check.status).toBe(403)
    expect(check.headers.get('x-accepted-github-permissions')).toBe('checks=write')
  })

  it('keeps git state: blob, tree, commit, ref, fast-forward rule, duplicate refs and PRs', async () => {
    const main = gh.branchSha(REPO, 'main')!
    const blob = await call('POST', '/repos/acme/infra/git/blobs', { content: 'new\n' })
    expect(blob.status).toBe(201)
    // the real git blob id of "new\n"
    expect(blob.body.sha).toBe('3e757656cf36eca53338e520d134963a44f793f8')
    const head = await call('GET', `/repos/acme/infra/git/commits/${main}`)
    const tree = await call('POST', '/repos/acme/infra/git/trees', {
      base_tree: (head.body.tree as { sha: string }).sha,
      tree: [{ path: 'a/b.txt', mode: '100644', type: 'blob', sha: blob.body.sha }],
    })
    expect(tree.status).toBe(201)
    const commit = await call('POST', '/repos/acme/infra/git/commits', {
      message: 'add',
      tree: tree.body.sha,
      parents: [main],
    })
    expect(commit.status).toBe(201)
    const ref = { ref: 'refs/heads/topic', sha: commit.body.sha }
    expect((await call('POST', '/repos/acme/infra/git/refs', ref)).status).toBe(201)
    const again = await call('POST', '/repos/acme/infra/git/refs', ref)
    expect(again.status).toBe(422)
    expect(again.body.message).toBe('Reference already exists')
    const back = await call('PATCH', '/repos/acme/infra/git/refs/heads/topic', { sha: main })
    expect(back.status).toBe(422)
    expect(back.body.message).toBe('Update is not a fast forward')
    expect(gh.readFiles(REPO, 'topic')).toEqual({ 'README.md': 'hello\n', 'a/b.txt': 'new\n' })

    const from = gh.calls.length
    const pr = { title: 't', head: 'topic', base: 'main' }
    expect((await call('POST', '/repos/acme/infra/pulls', pr)).status).toBe(201)
    const dup = await call('POST', '/repos/acme/infra/pulls', pr)
    expect(dup.status).toBe(422)
    expect(JSON.stringify(dup.body.errors)).toContain('A pull request already exists')
    expect(gh.callsSince(from).map((c) => [c.operationId, c.status])).toEqual([
      ['pulls/create', 201],
      ['pulls/create', 422],
    ])
  })
})
