/**
 * @module The feed catalogue: built-in feeds, `aws/<SERVICE>[@region,...]` ids resolved on
 * demand, and validation of user-defined feeds.
 */
import type { FeedDefinition, UserParserSpec } from './types.ts'

/** Every built-in feed, in the order `allowlist-sync feeds` lists them. */
export const BUILTIN_FEEDS: readonly FeedDefinition[] = []

/**
 * Finds a feed by id: a built-in one, an `aws/<SERVICE>[@REGION[,REGION...]]` id (service as
 * AWS spells it, e.g. `aws/CLOUDFRONT`, `aws/EC2@us-east-1,eu-west-1`), or one of `userFeeds`.
 * Returns undefined for an unknown id.
 */
export function findFeed(
  id: string,
  userFeeds: readonly FeedDefinition[] = [],
): FeedDefinition | undefined {
  void id
  void userFeeds
  return undefined
}

/** What a user writes to define a feed. */
export interface UserFeedInput {
  /** `provider/list`, lower-case `[a-z0-9._-]` parts; must not shadow a built-in id or `aws/`. */
  readonly id: string
  /** `https://` URL. */
  readonly url: string
  readonly parser: UserParserSpec
  readonly title?: string
  readonly docsUrl?: string
}

/**
 * Validates a user-defined feed and returns its definition. Throws a TypeError with a `code`
 * (`ERR_FEED_ID`, `ERR_FEED_URL`, `ERR_FEED_PARSER`) naming the bad field and value.
 */
export function defineUserFeed(input: UserFeedInput): FeedDefinition {
  void input
  throw new TypeError('not implemented')
}
