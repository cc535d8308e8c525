/**
 * @module Encryption at rest for webhook secrets and dispatch tokens: AES-256-GCM under keys from
 * the `SECRETS_KEY` Worker secret. A sealed value is `enc:v1:<key id>:<iv>:<ciphertext>` (base64url),
 * so the key id is stored beside the value; the additional data binds it to its row and field, so
 * a sealed token copied into another row does not open. `SECRETS_KEY` lists keys, the current one
 * first: older ones still open what they sealed until the cron has re-sealed it (rotation in
 * worker/README.md). Values stored before encryption existed have no prefix and open as they are.
 */

/** Prefix of every sealed value. */
export const SEALED_PREFIX = 'enc:v1:'

/** Why a value could not be opened. */
export class SecretBoxError extends Error {
  readonly code: 'ERR_SECRET_KEY_UNKNOWN' | 'ERR_SECRET_CORRUPT'

  constructor(code: SecretBoxError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SecretBoxError'
    this.code = code
  }
}

interface Key {
  readonly id: string
  readonly key: CryptoKey
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

const encoder = new TextEncoder()

/** Keyrings by SECRETS_KEY value: key import and hashing happen once per isolate. */
const keyrings = new Map<string, Promise<SecretBox>>()

/** Seals and opens secrets with the keys of one `SECRETS_KEY` value. */
export class SecretBox {
  private readonly keys: readonly Key[]

  private constructor(keys: readonly Key[]) {
    this.keys = keys
  }

  /**
   * The box for a `SECRETS_KEY` value (already validated by readConfig: base64 keys of 32 bytes,
   * separated by commas or whitespace, the current one first). A key's id is the first 8 hex
   * digits of its SHA-256, so ids cannot be mislabelled.
   */
  static fromSecretsKey(raw: string): Promise<SecretBox> {
    let box = keyrings.get(raw)
    if (box === undefined) {
      box = Promise.all(
        raw
          .split(/[\s,]+/)
          .filter((p) => p !== '')
          .map(async (part): Promise<Key> => {
            const bytes = fromBase64(part)
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
            const id = [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')
            const key = await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, [
              'encrypt',
              'decrypt',
            ])
            return { id, key }
          }),
      ).then((keys) => new SecretBox(keys))
      keyrings.set(raw, box)
    }
    return box
  }

  /** The id of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.keys[0]!.id
  }

  /** The key id of a sealed value, or undefined for a value stored before encryption. */
  static keyIdOf(value: string): string | undefined {
    if (!value.startsWith(SEALED_PREFIX)) return undefined
    return value.slice(SEALED_PREFIX.length).split(':')[0]
  }

  /** Whether `value` is sealed with the current key (nothing to re-seal). */
  isCurrent(value: string): boolean {
    return SecretBox.keyIdOf(value) === this.currentKeyId
  }

  /** Seals `plaintext` for `context` (e.g. `subscription:sub_…:token`) with the current key. */
  async seal(plaintext: string, context: string): Promise<string> {
    const { id, key } = this.keys[0]!
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
      key,
      encoder.encode(plaintext),
    )
    return `${SEALED_PREFIX}${id}:${toBase64Url(iv)}:${toBase64Url(new Uint8Array(sealed))}`
  }

  /**
   * Opens a value sealed for `context` by any key of the ring; a value stored before encryption
   * (no prefix) is returned as it is. Throws a {@link SecretBoxError} when the key id is not in
   * the ring or the value was altered or moved to another context.
   */
  async open(value: string, context: string): Promise<string> {
    if (!value.startsWith(SEALED_PREFIX)) return value
    const [id, iv, data] = value.slice(SEALED_PREFIX.length).split(':')
    const entry = this.keys.find((k) => k.id === id)
    if (entry === undefined) {
      throw new SecretBoxError(
        'ERR_SECRET_KEY_UNKNOWN',
        `sealed with key id "${id}", which SECRETS_KEY no longer lists (keys: ${this.keys.map((k) => k.id).join(', ')})`,
      )
    }
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64(iv ?? ''), additionalData: encoder.encode(context) },
        entry.key,
        fromBase64(data ?? ''),
      )
      return new TextDecoder().decode(plain)
    } catch (cause) {
      throw new SecretBoxError(
        'ERR_SECRET_CORRUPT',
        `a value sealed with key id "${id}" does not open for ${context}: altered or moved`,
        { cause },
      )
    }
  }
}
