/** @module OpenAI's bots: the training crawler, the search indexer, and ChatGPT's own fetches. */
import type { CatalogueProvider, FeedDefinition } from '../types.ts'

function bot(list: string, title: string, use: string): FeedDefinition {
  return {
    id: `openai/${list}`,
    title,
    docsUrl: 'https://platform.openai.com/docs/bots',
    use,
    sources: [
      {
        url: `https://openai.com/${list}.json`,
        parser: { kind: 'prefixes' },
        version: 'creationTime',
      },
    ],
  }
}

/** OpenAI: GPTBot, OAI-SearchBot, ChatGPT-User. */
export const openai: CatalogueProvider = {
  id: 'openai',
  name: 'OpenAI',
  feeds: [
    bot('gptbot', 'OpenAI GPTBot', "OpenAI's crawler for training data"),
    bot('searchbot', 'OpenAI OAI-SearchBot', 'the crawler that indexes sites for ChatGPT search'),
    bot(
      'chatgpt-user',
      'OpenAI ChatGPT-User',
      'requests ChatGPT makes for a user: browsing, and custom GPT actions calling your API',
    ),
  ],
  patterns: [],
  resolve: () => undefined,
}
