/**
 * @module How the catalogue splits into sync-queue messages (jobs/sync-queue.ts): one group per
 * upstream source. Imports nothing at run time, so the worker-cpu bench measures the same split.
 */
import type { FeedDefinition } from '../../../shared/src/index.ts'

/**
 * The feeds grouped by upstream source: feeds that share any URL are in one group (the 13
 * GitHub feeds share api.github.com/meta; coolify reads two files), in catalogue order.
 */
export function sourceGroups(feeds: readonly FeedDefinition[]): string[][] {
  const groupOfUrl = new Map<string, string[]>()
  const groups: string[][] = []
  for (const feed of feeds) {
    const joined = [...new Set(feed.sources.map((s) => groupOfUrl.get(s.url)))].filter(
      (g): g is string[] => g !== undefined,
    )
    const group = joined[0] ?? []
    if (joined.length === 0) groups.push(group)
    for (const other of joined.slice(1)) {
      group.push(...other)
      groups.splice(groups.indexOf(other), 1)
      for (const [url, g] of groupOfUrl) if (g === other) groupOfUrl.set(url, group)
    }
    group.push(feed.id)
    for (const s of feed.sources) groupOfUrl.set(s.url, group)
  }
  return groups
}
