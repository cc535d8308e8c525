/** @module The public surface of shared/src/render. */
export {}
