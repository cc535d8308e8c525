/**
 * @module How large a body must be to be read in slices, and how much one slice reads
 * (jobs/sliced-sync.ts). Imports nothing, so the worker-cpu bench measures the same sizes.
 */

/** A new body of more than this many bytes is read in slices when its feeds allow it. */
export const SLICE_OVER_BYTES = 512 * 1024

/** Bytes of whole values one slice reads (at least; it stops at the next element's end). */
export const SLICE_BYTES = 256 * 1024
