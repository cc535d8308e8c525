/** @module The transport-protocol type shared by the renderers and the port-policy engine. */

/** A transport protocol with ports: what allowlists open and port policies check. */
export type TransportProtocol = 'tcp' | 'udp'
