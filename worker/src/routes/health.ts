/** @module GET /healthz: liveness (the isolate answers); no bindings touched. */
import { Hono } from 'hono'
import type { AppEnv } from '../app.ts'

/** The health sub-app. */
export const health = new Hono<AppEnv>().get('/healthz', (c) => c.json({ ok: true }))
