/**
 * @module How large a body must be to be read in slices, how much one slice reads, and the pieces
 * it is stored in (jobs/sliced-sync.ts, slice-window.ts). Imports nothing, so the worker-cpu
 * bench measures the same sizes.
 */

/** A new body of more than this many bytes is read in slices when its feeds allow it. */
export const SLICE_OVER_BYTES = 512 * 1024

/** Bytes of whole values one slice reads (at least; it stops at the next element's end). */
export const SLICE_BYTES = 256 * 1024

/**
 * Bytes of one KV value of a stored body (the last piece holds the rest): a read step loads one
 * or two, at most 1 MiB, and a body is stored and deleted in few writes (AWS's in 6 of each; a
 * free account has 1,000 KV writes a day).
 */
export const PIECE_BYTES = 512 * 1024
