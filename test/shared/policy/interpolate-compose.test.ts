/**
 * @module interpolateCompose: compose's `${VAR:-default}` family read with nothing set, as
 * `docker compose config` reads it, and the variables with no default refused by name.
 */
import { describe, expect, it } from 'vitest'
import { interpolateCompose } from '../../../shared/src/policy/interpolate-compose.ts'

describe('interpolateCompose', () => {
  it.each([
    ['8000:80', '8000:80', []],
    ['${APP_PORT:-8000}:80', '8000:80', ['${APP_PORT:-8000}']],
    ['${EXPOSE_PORT-:2283:2283}', ':2283:2283', ['${EXPOSE_PORT-:2283:2283}']],
    ['${A:-${B:-8080}}:80', '8080:80', ['${B:-8080}', '${A:-8080}']],
    ['${TLS:+443}', '', []],
    ['${TLS+443}8443', '8443', []],
    ['$$HOME:$${X}', '$HOME:${X}', []],
  ])('%s reads as %s', (text, value, defaulted) => {
    expect(interpolateCompose(text)).toEqual({ value, defaulted })
  })

  it.each([
    ['${APP_PORT}:80', "'${APP_PORT}': variable 'APP_PORT' has no default"],
    ['${PORT:?set PORT}:80', "'${PORT:?set PORT}': variable 'PORT' has no default"],
    ['${PORT?}:80', "'${PORT?}': variable 'PORT' has no default"],
    ['$PORT:80', "'$PORT': variable 'PORT' has no default"],
  ])('%s is refused, naming the variable', (text, message) => {
    expect(() => interpolateCompose(text)).toThrow(message)
  })
})
