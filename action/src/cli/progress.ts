/**
 * @module A progress line on stderr for work that takes a while: shown only when stderr is a
 * terminal and only once the work has run for more than a second, redrawn in place (`\r`), and
 * erased when the work ends, so pipes, files and quick runs see nothing of it.
 */
import type { CliIo } from './io.ts'

/** Work shorter than this shows no progress line. */
export const PROGRESS_AFTER_MS = 1000
/** How often the line is redrawn while nothing else happens. */
export const PROGRESS_EVERY_MS = 250

/** A running progress line. */
export interface Progress {
  /** Sets the text after the elapsed time (e.g. `3 of 7 requests answered`) and redraws. */
  update(text: string): void
  /** Erases the line, if one was drawn; further updates draw nothing. */
  stop(): void
}

/** Starts a progress line `LABEL: TEXT (1.4 s)`; a no-op unless stderr is a terminal. */
export function startProgress(io: CliIo, label: string): Progress {
  if (io.stderrIsTTY !== true || io.every === undefined)
    return { update: () => undefined, stop: () => undefined }
  const start = io.now()
  let text = ''
  let drawn = false
  let stopped = false
  const draw = () => {
    const elapsed = io.now() - start
    if (stopped || elapsed <= PROGRESS_AFTER_MS) return
    io.stderr(`\r\x1b[K${label}${text ? `: ${text}` : ''} (${(elapsed / 1000).toFixed(1)} s)`)
    drawn = true
  }
  const cancel = io.every(PROGRESS_EVERY_MS, draw)
  return {
    update(next) {
      text = next
      draw()
    },
    stop() {
      if (stopped) return
      stopped = true
      cancel()
      if (drawn) io.stderr('\r\x1b[K')
    },
  }
}
