/**
 * @module Standard Webhooks signing (https://www.standardwebhooks.com/, spec "Signature scheme"):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "${id}.${timestamp}.${body}">`, keyed with the
 * base64-decoded part of a `whsec_...` secret. Several signatures are space-separated.
 */

const SECRET_PREFIX = 'whsec_'

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function generateSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)))
}

/**
 * The `v1,<base64>` signature of one message. `timestamp` is in seconds since the epoch and must
 * be the `webhook-timestamp` header sent with it.
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret
  const key = await crypto.subtle.importKey(
    'raw',
    fromBase64(raw),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(`${id}.${timestamp}.${body}`),
  )
  return `v1,${toBase64(new Uint8Array(mac))}`
}

/**
 * The Standard Webhooks headers of one attempt: every secret in `secrets` signs (the current one
 * first, then a rotated-out one still in its overlap), so receivers on either secret verify it.
 */
export async function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  const signatures = await Promise.all(
    secrets.map((s) => signWebhook(s, id, timestampSeconds, body)),
  )
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  }
}
