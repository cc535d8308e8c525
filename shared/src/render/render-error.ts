/** @module The one error type of the renderers, with a stable code for callers to branch on. */
import type { FormatId } from './formats.ts'

/** Why a render or a splice was refused. */
export type RenderErrorCode =
  /** An id that is not in FORMAT_IDS. */
  | 'ERR_RENDER_FORMAT'
  /** A set, chain, list or middleware name that the format cannot carry safely. */
  | 'ERR_RENDER_NAME'
  /** A comment with control characters, too long, or with characters the format cannot escape. */
  | 'ERR_RENDER_COMMENT'
  /** A feed reference (id, version, sha256, source) that cannot go into a header. */
  | 'ERR_RENDER_FEED'
  /** A bad port or port range (`0`, `65536`, `9-3`, `443/icmp`). */
  | 'ERR_RENDER_PORT'
  /** An input CIDR that the IP engine rejects, or one of the wrong family. */
  | 'ERR_RENDER_CIDR'
  /** Nothing to allow: a firewall rendered from an empty set would lock everyone out. */
  | 'ERR_RENDER_EMPTY'
  /** The output would pass a platform limit (AWS rules per group, Kubernetes object size, ...). */
  | 'ERR_RENDER_LIMIT'
  /** An option the format cannot honour (Traefik's ipStrategy elsewhere, exemptLoopback false for ufw, ...). */
  | 'ERR_RENDER_OPTION'
  /** A malformed, unterminated or duplicated managed-block marker. */
  | 'ERR_RENDER_BLOCK'
  /** A file to splice into has no block of this name: the message says which markers to place. */
  | 'ERR_RENDER_NO_BLOCK'
  /** The block's markers stand where the format cannot work (e.g. nginx at `http` level). */
  | 'ERR_RENDER_PLACEMENT'
  /** The block was edited by hand since it was rendered (its lines no longer match `sum=`). */
  | 'ERR_RENDER_EDITED'

/** Where a {@link RenderError} is: the format, and the 1-based line, when known. */
type RenderErrorOptions = ErrorOptions & { format?: FormatId; line?: number }

/**
 * Thrown by renderFormat, parsePort and spliceManagedBlock. The message names the bad value in
 * quotes and, for ERR_RENDER_LIMIT, the limit and how to raise it; `line` is set (1-based) for
 * ERR_RENDER_BLOCK, ERR_RENDER_PLACEMENT and ERR_RENDER_EDITED.
 */
export class RenderError extends RangeError {
  override readonly name = 'RenderError'
  readonly code: RenderErrorCode
  readonly format: FormatId | undefined
  readonly line: number | undefined
  constructor(code: RenderErrorCode, message: string, options?: RenderErrorOptions) {
    super(message, options)
    this.code = code
    this.format = options?.format
    this.line = options?.line
  }
}
