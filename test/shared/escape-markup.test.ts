/** Tests shared/src/escape-markup.ts: markup characters, bidi and other controls made visible. */
import { describe, expect, it } from 'vitest'
import { escapeMarkup } from '../../shared/src/index.ts'

describe('escapeMarkup', () => {
  it.each([
    ['<script>&"\'', '&lt;script&gt;&amp;&quot;&#39;'],
    ['user/\u202Egnp.exe', 'user/[U+202E]gnp.exe'],
    ['\u2066isolate\u2069 \u200E\u200F', '[U+2066]isolate[U+2069] [U+200E][U+200F]'],
    [
      'nul\u0000 bell\u0007 esc\u001b del\u007f',
      'nul[U+0000] bell[U+0007] esc[U+001B] del[U+007F]',
    ],
    ['line\u2028sep', 'line[U+2028]sep'],
    ['tab\tnewline\n', 'tab\tnewline\n'],
    ['203.0.113.0/24 — ünïcode', '203.0.113.0/24 — ünïcode'],
  ])('%j', (text, escaped) => {
    expect(escapeMarkup(text)).toBe(escaped)
  })
})
