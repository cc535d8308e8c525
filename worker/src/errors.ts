/**
 * @module The HTTP-facing error class and its RFC 9457 problem-details rendering. Routes throw
 * {@link HttpError}; the one `app.onError` in app.ts renders it.
 */
import type { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ConfigError } from './config.ts'

/** Stable machine-readable error codes; the `type` URI of each problem ends with one. */
export type ErrorCode =
  | 'ERR_VALIDATION'
  | 'ERR_NOT_FOUND'
  | 'ERR_NO_SNAPSHOT'
  | 'ERR_NOT_HELD'
  | 'ERR_HELD_CHANGED'
  | 'ERR_HELD_STALE'
  | 'ERR_HELD_RACE'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_ADMIN_DISABLED'
  | 'ERR_SECRETS_KEY_MISSING'
  | 'ERR_CONFIG'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_TARGET_REFUSED'
  | 'ERR_RENDER'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_INTERNAL'

/** An error with an HTTP status, a stable code, a short title and a specific detail. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode
  readonly code: ErrorCode
  readonly title: string
  /** Extension members added to the problem object (RFC 9457 section 3.2). */
  readonly extensions: Record<string, unknown>

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    title: string,
    detail: string,
    options: { cause?: unknown; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail, { cause: options.cause })
    this.name = 'HttpError'
    this.status = status
    this.code = code
    this.title = title
    this.extensions = options.extensions ?? {}
  }
}

/** Whether a thrown value is an {@link HttpError} (checked structurally, across realms). */
export function isHttpError(value: unknown): value is HttpError {
  return (
    value instanceof Error &&
    typeof (value as Partial<HttpError>).status === 'number' &&
    typeof (value as Partial<HttpError>).code === 'string' &&
    (value as Partial<HttpError>).code!.startsWith('ERR_')
  )
}

/** An RFC 9457 problem details object as this API sends it. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly instance?: string
  readonly code: ErrorCode
  readonly [extension: string]: unknown
}

/** The media type of problem details (RFC 9457 section 3). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json'

/** Builds the problem object for an error; `instance` is the request path. */
export function toProblem(error: HttpError, instance: string): Problem {
  return {
    ...error.extensions,
    type: `urn:allowlist-sync:problem:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    instance,
    code: error.code,
  }
}

/** A 404 naming what was looked for. */
export function notFound(what: string): HttpError {
  return new HttpError(404, 'ERR_NOT_FOUND', 'Not found', `${what} does not exist`)
}

/** The 503 for a bad configuration: every bad var, its value and what is wrong with it. */
export function configProblem(error: ConfigError): HttpError {
  return new HttpError(503, 'ERR_CONFIG', 'Bad configuration', error.message, {
    cause: error,
    extensions: {
      errors: error.problems.map((p) => ({ var: p.name, value: p.value, message: p.message })),
    },
  })
}

/** The code and title of each status Hono's middleware throws (HTTPException). */
const EXCEPTION_PROBLEMS: Readonly<Record<number, readonly [ErrorCode, string]>> = {
  400: ['ERR_VALIDATION', 'Invalid request'],
  401: ['ERR_UNAUTHORIZED', 'Unauthorized'],
  403: ['ERR_FORBIDDEN', 'Forbidden'],
  404: ['ERR_NOT_FOUND', 'Not found'],
  405: ['ERR_METHOD_NOT_ALLOWED', 'Method not allowed'],
  413: ['ERR_BODY_TOO_LARGE', 'Request body too large'],
  415: ['ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
}

/**
 * A middleware's HTTPException as a problem that keeps its status: the code and title come from
 * the table above; another 4xx is ERR_VALIDATION and anything else a 500 (ERR_INTERNAL).
 */
export function fromHttpException(err: HTTPException): HttpError {
  const known = EXCEPTION_PROBLEMS[err.status]
  if (known !== undefined) return new HttpError(err.status, known[0], known[1], err.message)
  const client = err.status >= 400 && err.status < 500
  return new HttpError(
    client ? err.status : 500,
    client ? 'ERR_VALIDATION' : 'ERR_INTERNAL',
    client ? 'Invalid request' : 'Internal error',
    client ? err.message : 'the request failed',
  )
}
