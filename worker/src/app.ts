/**
 * @module Builds the Hono app: security headers, the sub-apps of each resource, one error handler
 * that renders every error as RFC 9457 problem details, and a problem-details 404.
 */
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { HttpError, isHttpError, PROBLEM_MEDIA_TYPE, toProblem } from './errors.ts'
import { changes } from './routes/changes.ts'
import { feeds } from './routes/feeds.ts'
import { health } from './routes/health.ts'
import { status } from './routes/status.ts'
import { subscriptions } from './routes/subscriptions.ts'

/** The app's type parameters: bindings only. */
export type AppEnv = { Bindings: Env }

/** Builds the app (a fresh one per call; index.ts keeps one). */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    await next()
    c.header('x-content-type-options', 'nosniff')
  })
  app.route('/', health)
  app.route('/', status)
  app.route('/v1/feeds', feeds)
  app.route('/v1', changes)
  app.route('/v1/subscriptions', subscriptions)
  app.notFound((c) => {
    const error = new HttpError(
      404,
      'ERR_NOT_FOUND',
      'Not found',
      `no route for ${c.req.method} ${c.req.path}`,
    )
    return c.body(JSON.stringify(toProblem(error, c.req.path)), 404, {
      'content-type': PROBLEM_MEDIA_TYPE,
    })
  })
  app.onError((err, c) => {
    let error: HttpError
    if (isHttpError(err)) {
      error = err
    } else if (err instanceof HTTPException) {
      error = new HttpError(
        err.status === 413 ? 413 : err.status === 401 ? 401 : 400,
        err.status === 413
          ? 'ERR_BODY_TOO_LARGE'
          : err.status === 401
            ? 'ERR_UNAUTHORIZED'
            : 'ERR_VALIDATION',
        err.status === 413 ? 'Request body too large' : 'Invalid request',
        err.message,
      )
    } else {
      console.error(
        JSON.stringify({
          event: 'unhandled-error',
          method: c.req.method,
          path: c.req.path,
          error:
            err instanceof Error
              ? { name: err.name, message: err.message, stack: err.stack }
              : String(err),
        }),
      )
      error = new HttpError(
        500,
        'ERR_INTERNAL',
        'Internal error',
        'the request failed; the error was logged',
      )
    }
    const headers: Record<string, string> = { 'content-type': PROBLEM_MEDIA_TYPE }
    if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="allowlist-sync"'
    return c.body(JSON.stringify(toProblem(error, c.req.path)), error.status, headers)
  })
  return app
}
