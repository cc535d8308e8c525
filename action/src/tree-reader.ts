/**
 * @module The files of one commit, read through the API: one tree listing, then one blob per
 * file read (each blob once). It is the plan's FileReader and the config's RepoFiles.
 */
import type { RepoEntryKind, RepoFiles } from './config.ts'
import type { CommitInfo, GitHubClient, TreeEntry } from './github.ts'
import { gitBlobSha, type FileReader } from './plan.ts'

/** What a tree entry's mode makes it. */
function kindOf(mode: string | undefined): RepoEntryKind {
  return mode === '120000' ? 'link' : mode === '160000' ? 'submodule' : 'file'
}

/** Reads files of one commit. */
export class TreeReader implements FileReader, RepoFiles {
  readonly #client: GitHubClient
  readonly #blobs = new Map<string, Promise<string>>()
  readonly #shas: ReadonlySet<string>
  /** Path -> entry, for files, links and submodules. */
  readonly entries: ReadonlyMap<string, TreeEntry>
  /** The regular files' paths. */
  readonly paths: readonly string[]

  constructor(client: GitHubClient, entries: readonly TreeEntry[]) {
    this.#client = client
    this.entries = new Map(entries.map((e) => [e.path, e]))
    this.paths = entries.filter((e) => kindOf(e.mode) === 'file').map((e) => e.path)
    this.#shas = new Set(entries.map((e) => e.sha))
  }

  /** The reader of a commit's tree (one API call). */
  static async at(client: GitHubClient, commit: CommitInfo): Promise<TreeReader> {
    return new TreeReader(client, await client.getTree(commit.tree))
  }

  /** A file's content; undefined for a path that is not a regular file. */
  read = (path: string): Promise<string | undefined> => {
    const e = this.entries.get(path)
    if (e === undefined || kindOf(e.mode) !== 'file') return Promise.resolve(undefined)
    let p = this.#blobs.get(e.sha)
    if (!p) {
      p = this.#client.getBlob(e.sha)
      this.#blobs.set(e.sha, p)
    }
    return p
  }

  same = (path: string, content: string): Promise<boolean> => {
    const e = this.entries.get(path)
    return Promise.resolve(
      e !== undefined && kindOf(e.mode) === 'file' && e.sha === gitBlobSha(content),
    )
  }

  kind = (path: string): RepoEntryKind | undefined => {
    const e = this.entries.get(path)
    return e === undefined ? undefined : kindOf(e.mode)
  }

  /** Whether this tree holds a blob with this sha (so it need not be uploaded again). */
  hasBlob(sha: string): boolean {
    return this.#shas.has(sha)
  }
}
