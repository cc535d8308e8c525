/** @module The address family type shared by the whole IP engine. */

/** 4 for IPv4, 6 for IPv6. */
export type Family = 4 | 6
