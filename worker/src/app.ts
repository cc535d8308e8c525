/**
 * @module Builds the Hono app: security headers, /healthz, then a configuration check that turns
 * a bad var into a 503 problem naming it on every other route, the sub-apps of each resource,
 * one error handler that renders every error as RFC 9457 problem details, and a problem-details
 * 404.
 */
import { Hono } from 'hono'
import type { AppDeps, AppEnv } from './app-env.ts'
import { HTTPException } from 'hono/http-exception'
import { ConfigError, readConfig } from './config.ts'
import { devCounters } from './dev-counters.ts'
import {
  configProblem,
  fromHttpException,
  HttpError,
  isHttpError,
  PROBLEM_MEDIA_TYPE,
  toProblem,
} from './errors.ts'
import { logEvent } from './log-event.ts'
import { READ_CACHE } from './read-cache/read-cache.ts'
import { changes } from './routes/changes.ts'
import { feeds } from './routes/feeds.ts'
import { health } from './routes/health.ts'
import { status } from './routes/status.ts'
import { subscriptions } from './routes/subscriptions.ts'

/** Builds the app (a fresh one per call; index.ts keeps one). */
export function createApp(deps: Partial<AppDeps> = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const now = deps.now ?? (() => Date.now())
  const readCache = deps.readCache ?? READ_CACHE
  app.use(async (c, next) => {
    c.set('now', now)
    c.set('readCache', readCache)
    await next()
    c.header('x-content-type-options', 'nosniff')
  })
  app.route('/', health)
  app.use(async (c, next) => {
    try {
      readConfig(c.env)
    } catch (error) {
      if (error instanceof ConfigError) throw configProblem(error)
      throw error
    }
    await next()
  })
  app.get('/__dev/counters', (c) =>
    readConfig(c.env).devCounters ? c.json(devCounters) : c.notFound(),
  )
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
      error = fromHttpException(err)
    } else {
      logEvent('error', {
        event: 'unhandled-error',
        method: c.req.method,
        path: c.req.path,
        error:
          err instanceof Error
            ? { name: err.name, message: err.message, stack: err.stack }
            : String(err),
      })
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
