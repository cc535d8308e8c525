/** @module The public surface of shared/src/feeds. */
export {}
