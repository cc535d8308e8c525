/**
 * @module The public surface of shared/: worker/ and action/ import only from here.
 */
export * from './ip/index.ts'
export * from './feeds/index.ts'
export * from './render/index.ts'
export * from './policy/index.ts'
export { VERSION } from './version.ts'
export { errorMessage } from './error-message.ts'
export { escapeMarkup } from './escape-markup.ts'
export { parseYamlDocument, type YamlDocument, type YamlProblem } from './parse-yaml-document.ts'
