/**
 * @module The few Web-standard globals shared/ may use. Deliberately not `lib.dom`: no `fetch`,
 * `Response` or `process` type-check here, so the network and the clock must arrive as parameters.
 */
declare global {
  // WHATWG Encoding and Web Crypto exist in Node, workerd and browsers alike.
  class TextEncoder {
    encode(input?: string): Uint8Array
    encodeInto(source: string, destination: Uint8Array): { read: number; written: number }
  }
  class TextDecoder {
    constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean })
    decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string
  }
  const crypto: {
    subtle: {
      digest(algorithm: 'SHA-256', data: ArrayBufferView | ArrayBuffer): Promise<ArrayBuffer>
      importKey(
        format: 'raw',
        keyData: ArrayBufferView | ArrayBuffer,
        algorithm: { name: 'HMAC'; hash: 'SHA-256' },
        extractable: boolean,
        usages: ('sign' | 'verify')[],
      ): Promise<unknown>
      sign(
        algorithm: 'HMAC',
        key: unknown,
        data: ArrayBufferView | ArrayBuffer,
      ): Promise<ArrayBuffer>
    }
    getRandomValues<T extends ArrayBufferView>(array: T): T
  }
}
export {}
