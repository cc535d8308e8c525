/** @module errorMessage: the text of any caught value. */
import { describe, expect, it } from 'vitest'
import { errorMessage } from '../../shared/src/index.ts'

describe('errorMessage', () => {
  it.each([
    [new Error('boom'), 'boom'],
    [new TypeError('bad type'), 'bad type'],
    ['a thrown string', 'a thrown string'],
    [42, '42'],
    [undefined, 'undefined'],
    [null, 'null'],
    [{ toString: () => 'custom' }, 'custom'],
  ])('reads %j as its text', (value, text) => {
    expect(errorMessage(value)).toBe(text)
  })
})
