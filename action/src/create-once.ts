/**
 * @module Creating, once, something that a blind retry could create twice (a pull request, a
 * comment, a check run, a batch of annotations): after a failure without an answer, look for
 * what the lost request may have made before trying again.
 */
import { isTransient } from './github-error.ts'

/**
 * Runs `create` (which must not retry by itself); after a transient failure, `find` looks for
 * what the lost request may have made and returns it if found; else waits
 * `(attempt + 1)² × waitBaseMs` and tries again, `retries` times.
 */
export async function createOnce<T>(
  create: () => Promise<T>,
  find: () => Promise<T | undefined>,
  retries: number,
  waitBaseMs: number,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await create()
    } catch (error) {
      if (!isTransient(error) || attempt >= retries) throw error
      const found = await find()
      if (found !== undefined) return found
      await new Promise((r) => setTimeout(r, (attempt + 1) ** 2 * waitBaseMs))
    }
  }
}
