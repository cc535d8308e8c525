/**
 * @module The public surface of shared/src/policy: port policies (presets from the seeds and
 * user files), readers for firewall configs, the evaluator, and findings as text, JSON and SARIF.
 *
 * Typical use (what `allowlist-sync verify` and the Action do):
 * ```ts
 * const policy = isPresetId(arg) ? presetPolicy(arg) : parsePolicy(text, file)
 * // readFirewallConfigs, not one readFirewallConfig per file: `ipset save` files given
 * // alongside supply the sets that iptables-save files' `-m set` rules name
 * const configs = readFirewallConfigs(files.map(([file, text]) => ({ file, text })))
 * const feedSets = new Map() // fetch every id in requiredFeeds(policy)
 * const { findings } = evaluatePolicy(policy, configs, { feedSets })
 * ```
 */
export type {
  TransportProtocol,
  TrafficDirection,
  PortRange,
  PolicySource,
  PolicyRuleKind,
  PolicyRule,
  UnlistedStance,
  Policy,
  ConfigFormat,
  ConfigLayer,
  RuleVerdict,
  AddressMatch,
  FirewallRule,
  FirewallChain,
  PublishedPort,
  FirewallConfig,
  ReaderWarning,
  FindingSeverity,
  Finding,
  ReachEntry,
  FeedSets,
  CidrSource,
  EvaluateOptions,
  Evaluation,
  ChainHook,
  InterfaceMatch,
  InterfaceRole,
  InterfaceRoles,
  InterfacesTaken,
  Unchecked,
} from './types.ts'
export { PolicyError, type PolicyErrorCode } from './policy-error.ts'
export { PRESETS, PRESET_IDS, isPresetId, presetPolicy, type PresetId } from './presets.ts'
export { parsePolicy, requiredFeeds, formatPortRange } from './parse-policy.ts'
export { policyJsonSchema, policySchema } from './policy-schema.ts'
export {
  CONFIG_FORMATS,
  isConfigFormat,
  detectConfigFormat,
  readFirewallConfig,
  readFirewallConfigs,
} from './read-config.ts'
export { evaluatePolicy } from './evaluate.ts'
export { reachOf } from './reach-of.ts'
export { traceAddress, type TraceStep } from './trace-address.ts'
export { compileConfigs, type CompiledConfigs } from './compile-configs.ts'
export type { PacketShape, PacketState } from './run-chain.ts'
export {
  DEFAULT_INTERNAL_INTERFACES,
  OTHER_INTERFACE,
  interfaceRole,
  isInterfacePattern,
  matchesInterface,
} from './interfaces.ts'
export { PUBLIC_THRESHOLD } from './public-space.ts'
export {
  formatFindingsText,
  toFindingsJson,
  exitCodeFor,
  type EvaluationSummary,
  type FindingsJson,
} from './format-findings.ts'
export {
  toSarif,
  SARIF_MAX_RESULTS,
  SARIF_MAX_BYTES,
  type SarifLog,
  type SarifRun,
  type SarifResult,
  type SarifRule,
} from './sarif.ts'
