/**
 * @module JSON values too large for one D1 value (D1 refuses a string or blob over 2 MB with
 * SQLITE_TOOBIG): stored gzip-compressed, in parts of at most {@link PART_BYTES}, in the `bodies`
 * table, content-addressed by the SHA-256 of the JSON. Smaller values stay inline in their row,
 * as before migration 0002, so reading the usual feed costs no decompression.
 */

/** JSON up to this many UTF-16 code units stays inline in its row. */
export const INLINE_MAX = 512 * 1024

/** Largest part of a compressed body, in bytes (under D1's 2,000,000-byte value limit). */
export const PART_BYTES = 1_000_000

/** A value ready to store: the inline text for its column, or '' and the body's key. */
export interface PreparedJson {
  /** The column's text: the JSON, or '' when the value is in `bodies`. */
  readonly text: string
  /** The `bodies.sha256` key, or null when inline. */
  readonly body: string | null
  /** INSERT OR IGNORE statements for the parts (none when inline); run them in the same batch. */
  readonly statements: D1PreparedStatement[]
}

async function hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream))
  return new Uint8Array(await out.arrayBuffer())
}

/** JSON-encodes `value` and prepares where it goes: inline, or compressed parts in `bodies`. */
export function prepareJson(db: D1Database, value: unknown): Promise<PreparedJson> {
  return prepareText(db, JSON.stringify(value))
}

/** Two values stored together: each one's own column, or one body of both. */
export interface PreparedPair extends PreparedJson {
  /** Each value's JSON when the pair is inline (its own column), else '' and ''. */
  readonly columns: readonly [string, string]
}

/**
 * `{ [names[0]]: values[0], [names[1]]: values[1] }` prepared as {@link prepareJson} prepares
 * it, each value encoded once: its JSON is its column when the pair is inline, and part of the
 * pair's text otherwise (a snapshot's lists, a change's additions and removals).
 */
export async function preparePair(
  db: D1Database,
  names: readonly [string, string],
  values: readonly [unknown, unknown],
): Promise<PreparedPair> {
  const first = JSON.stringify(values[0])
  const second = JSON.stringify(values[1])
  const pair = `{${JSON.stringify(names[0])}:${first},${JSON.stringify(names[1])}:${second}}`
  const prepared = await prepareText(db, pair)
  return { ...prepared, columns: prepared.body === null ? [first, second] : ['', ''] }
}

/** Prepares where JSON text `json` goes: inline, or compressed parts in `bodies`. */
async function prepareText(db: D1Database, json: string): Promise<PreparedJson> {
  if (json.length <= INLINE_MAX) return { text: json, body: null, statements: [] }
  const raw = new TextEncoder().encode(json)
  const [key, packed] = await Promise.all([hex(raw), pipe(raw, new CompressionStream('gzip'))])
  const parts = Math.ceil(packed.byteLength / PART_BYTES)
  const insert = db.prepare(
    'INSERT OR IGNORE INTO bodies (sha256, part, parts, data) VALUES (?, ?, ?, ?)',
  )
  const statements: D1PreparedStatement[] = []
  for (let part = 0; part < parts; part++)
    statements.push(
      insert.bind(
        key,
        part,
        parts,
        packed.slice(part * PART_BYTES, (part + 1) * PART_BYTES).buffer,
      ),
    )
  return { text: '', body: key, statements }
}

/**
 * Reads a stored value: `text` parsed when `body` is null, else the body's parts joined,
 * decompressed and parsed. Throws when parts are missing (the rows are written in one batch, so
 * that is corruption, not a state to serve around).
 */
export async function readJson<T>(db: D1Database, text: string, body: string | null): Promise<T> {
  if (body === null) return JSON.parse(text) as T
  const { results } = await db
    .prepare('SELECT part, parts, data FROM bodies WHERE sha256 = ? ORDER BY part')
    .bind(body)
    .all<{ part: number; parts: number; data: ArrayBuffer | number[] }>()
  if (results.length === 0 || results.length !== results[0]!.parts)
    throw new Error(`body ${body}: ${results.length} of ${results[0]?.parts ?? '?'} parts stored`)
  // D1 returns a BLOB as an ArrayBuffer (workerd) or, through some APIs, an array of bytes.
  const chunks = results.map((r) =>
    r.data instanceof ArrayBuffer ? new Uint8Array(r.data) : Uint8Array.from(r.data),
  )
  const packed = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const c of chunks) {
    packed.set(c, at)
    at += c.byteLength
  }
  const raw = await pipe(packed, new DecompressionStream('gzip'))
  return JSON.parse(new TextDecoder().decode(raw)) as T
}
