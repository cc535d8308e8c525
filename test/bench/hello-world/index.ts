/**
 * @module The peer of the worker benchmark: a hello-world Worker, run by the same `wrangler dev`
 * (same workerd, same proxy) as `npm start`, so the ratio measures our code, not the dev server.
 */
export default {
  fetch(): Response {
    return new Response('Hello World!', { headers: { 'content-type': 'text/plain' } })
  },
}
