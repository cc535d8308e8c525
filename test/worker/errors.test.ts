/**
 * @module A middleware's HTTPException keeps its status and gets a code from one table (issue 16,
 * item 7: a 403/404/405/415 from middleware used to become a 400).
 */
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { fromHttpException, toProblem } from '../../worker/src/errors.ts'

describe('fromHttpException', () => {
  it.each([
    [400, 'ERR_VALIDATION'],
    [401, 'ERR_UNAUTHORIZED'],
    [403, 'ERR_FORBIDDEN'],
    [404, 'ERR_NOT_FOUND'],
    [405, 'ERR_METHOD_NOT_ALLOWED'],
    [413, 'ERR_BODY_TOO_LARGE'],
    [415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
    [429, 'ERR_VALIDATION'],
  ] as const)('%i keeps its status as %s', (status, code) => {
    const error = fromHttpException(new HTTPException(status, { message: 'why' }))
    expect([error.status, error.code, error.message]).toEqual([status, code, 'why'])
    expect(toProblem(error, '/x')).toMatchObject({ status, code, detail: 'why' })
  })

  it('a server-side status is a 500 that does not echo the message', () => {
    const error = fromHttpException(new HTTPException(502, { message: 'upstream secret' }))
    expect([error.status, error.code]).toEqual([500, 'ERR_INTERNAL'])
    expect(error.message).not.toContain('secret')
  })
})
