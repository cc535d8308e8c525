/**
 * @module Request validation: zod schemas through Hono's validator middleware, failures turned
 * into one problem-details 400 that lists every issue with the field it concerns.
 */
import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { ZodType } from 'zod'
import { HttpError } from './errors.ts'

/** `zValidator` whose failures throw an ERR_VALIDATION {@link HttpError}. */
export function validate<T extends ZodType, Target extends keyof ValidationTargets>(
  target: Target,
  schema: T,
) {
  return zValidator(target, schema, (result) => {
    if (result.success) return
    const issues = result.error.issues.map((issue) => ({
      field: issue.path.length === 0 ? target : `${target}.${issue.path.join('.')}`,
      message: issue.message,
    }))
    throw new HttpError(
      400,
      'ERR_VALIDATION',
      'Invalid request',
      issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      { extensions: { errors: issues } },
    )
  })
}
