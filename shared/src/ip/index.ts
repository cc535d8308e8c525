/** @module The public surface of shared/src/ip. */
export {}
