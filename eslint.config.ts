/** @module Lint rules: type-aware typescript-eslint, and the folder boundaries of DESIGN.md. */
import js from '@eslint/js'
import { defineConfig, type Config } from 'eslint/config'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

const boundary = (from: string, banned: string[], message: string): Config => ({
  files: [`${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: banned.map((group) => ({ group: [group], message })) },
    ],
  },
})

export default defineConfig(
  {
    ignores: [
      'action/dist/**',
      'node_modules/**',
      '.wrangler/**',
      'test-results/**',
      'coverage/**',
      'worker/worker-configuration.d.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  boundary(
    'shared',
    ['node:*', '**/worker/**', '**/action/**', 'hono', 'hono/*', '@actions/*', '@octokit/*'],
    'shared/ is runtime-free: pass the network and clock in as parameters',
  ),
  boundary('worker/src', ['**/action/**', 'node:*'], 'worker/ never imports action/'),
  boundary('worker/scripts', ['**/action/**'], 'worker/ never imports action/'),
  boundary('action', ['**/worker/**'], 'action/ never imports worker/'),
  prettier,
)
