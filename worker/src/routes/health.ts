/**
 * @module GET /healthz: 200 `{ ok: true }` when the configuration is valid (with `notes` naming a
 * missing secret), else 503 problem details with `ok: false` and every bad var. No binding is
 * touched.
 */
import { Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { ConfigError, readConfig } from '../config.ts'
import { configProblem, PROBLEM_MEDIA_TYPE, toProblem } from '../errors.ts'

/** The health sub-app; mounted before the config check so it can answer for itself. */
export const health = new Hono<AppEnv>().get('/healthz', (c) => {
  try {
    const config = readConfig(c.env)
    const notes = [
      ...(config.adminToken === undefined
        ? ['ADMIN_TOKEN is not set: the subscription API answers 503']
        : []),
      ...(config.secretsKey === undefined
        ? [
            'SECRETS_KEY is not set: subscriptions cannot be created and sealed secrets cannot be opened',
          ]
        : []),
    ]
    return c.json(notes.length === 0 ? { ok: true } : { ok: true, notes })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return c.body(
      JSON.stringify({ ...toProblem(configProblem(error), c.req.path), ok: false }),
      503,
      {
        'content-type': PROBLEM_MEDIA_TYPE,
      },
    )
  }
})
