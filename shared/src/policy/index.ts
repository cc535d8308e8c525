/** @module The public surface of shared/src/policy. */
export {}
