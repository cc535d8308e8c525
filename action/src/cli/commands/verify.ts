/**
 * @module `allowlist-sync verify`: firewall configs against a port policy (a preset or a file),
 * with the feeds the policy names fetched like everywhere else (UPSTREAM_MIRROR honoured) or
 * read from files; text, JSON or SARIF out; exit 0 compliant, 1 violations, 2 unreadable input.
 */
import {
  CONFIG_FORMATS,
  evaluatePolicy,
  exitCodeFor,
  formatFindingsText,
  isConfigFormat,
  isInterfacePattern,
  parseCidrList,
  PolicyError,
  readFirewallConfigs,
  requiredFeeds,
  toFindingsJson,
  toSarif,
  VERSION,
  type ConfigFormat,
  type FeedSets,
  type InterfaceRole,
  type Policy,
} from '../../../../shared/src/index.ts'
import { timeoutOption } from '../duration.ts'
import { fetchFeeds } from '../fetch-feeds.ts'
import { heldNotice } from '../held-notice.ts'
import { loadPolicy, policyInputError } from '../load-policy.ts'
import { EXIT, InputError, UsageError, parseCommandArgs, readInputFile, type CliIo } from '../io.ts'

const HELP = `Usage: allowlist-sync verify --policy PRESET|FILE --config FILE... [options]

Checks firewall configs against a port policy: which ports are reachable, from which sources
(exactly: first match, jumps and returns, default policies, connection state), against what
the policy requires, allows and forbids. Each config's format is detected from its content:
  ${CONFIG_FORMATS.join(', ')}
Configs are layered: a packet must pass every host firewall (nftables, iptables, ufw), Docker's
published ports bypass the host's INPUT rules (only DOCKER-USER restricts them), and a cloud
firewall (AWS security groups) applies on top. A ufw config (status, commands, user.rules) is
read behind what ufw's stock before.rules accept ahead of it: replies, 68/udp from any sender of
source port 67 (the DHCP client's) and 546/udp between link-local addresses (DHCPv6); what a ufw
script writes into /etc/default/ufw is read as ufw then runs (IPV6=no: all IPv6 dropped;
DEFAULT_INPUT_POLICY and DEFAULT_OUTPUT_POLICY: the defaults), and a warning names any other
setting, or edit of ufw's rules files, it does not read. A 'docker run -p' in a ufw script is
a port published past ufw (IPv4), unless the script wrote "iptables": false into
/etc/docker/daemon.json before it; compose, swarm and ufw-docker commands are warnings. Feeds
a policy names (feed:coolify/cloud) are fetched (honouring UPSTREAM_MIRROR) unless --feed-file
supplies them; a feed whose new list is held (a mass removal or addition) is used as published,
with a 'held: ...' line on stderr.

Reach is computed for traffic arriving on the interfaces taken as public. Internal by default:
lo, docker*, br-*, veth*, virbr*, lxcbr*, lxdbr*, incusbr*, cni*, flannel*, cali*, kube*,
tailscale*, wg*, tun*, tap*, zt*; every other name, and any interface no config names, is
public. The output says which were taken as public. A whole ruleset (nft list ruleset, a
complete iptables-save) without an input chain lets everything in; a file that decides nothing
(a fragment, a file that only includes others) exits 2.

Configs of 4 MiB or more together (a dump of a host with large ban lists) are verified in a
worker thread with a small young generation, which keeps its peak memory under 5x the input;
ALLOWLIST_SYNC_VERIFY_THREAD_FROM=BYTES moves that threshold (0: always). A verify that reads
standard input (--config -, --feed-file ID=-) stays in the main thread.

Options:
  --policy PRESET|FILE   a preset ('allowlist-sync policies' lists them) or a YAML/JSON policy file
  --config FILE          a firewall config, repeatable ('-' reads stdin)
  --config-format F      force the format: once for every config, or once per --config, in order
  --feed-file ID=FILE    a feed's CIDRs from FILE (one a line) instead of fetching it; repeatable
  --interface NAME=ROLE  take interface NAME as public or internal, over the policy file's
                         'interfaces' and the defaults; repeatable; NAME may end in * (wg*), and
                         '*' alone stands for every interface nothing else names
  --format FMT           text (default), json or sarif (SARIF 2.1.0 for GitHub code scanning)
  --json                 the same as --format json (the --json every command takes)
  --timeout DURATION     per feed request: 30s, 2m, 500ms; a bare number is seconds (default
                         10s; --timeout-ms N is the deprecated spelling)

Exit codes: 0 compliant (warnings and notes allowed), 1 violations, 2 usage, unreadable input,
or nothing checked (no config decides the traffic the policy is about).

Examples:
  allowlist-sync verify --policy oec --config /etc/ufw/user.rules --config /etc/ufw/user6.rules
  iptables-save | allowlist-sync verify --policy web-minimal --config -
  allowlist-sync verify --policy coolify-self-hosted --config rules.nft --config docker-compose.yml
  allowlist-sync verify --policy coolify-cloud --config sg.json --feed-file coolify/cloud=cloud.txt
  allowlist-sync verify --policy my-policy.yml --config rules.v4 --format sarif > policy.sarif
  allowlist-sync verify --policy oec --config rules.v4 --interface eth1=internal
`

const OPTIONS = {
  policy: { type: 'string' },
  config: { type: 'string', multiple: true },
  'config-format': { type: 'string', multiple: true },
  'feed-file': { type: 'string', multiple: true },
  interface: { type: 'string', multiple: true },
  format: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const

/** `--interface NAME=public|internal`, repeatable, into roles. */
function interfaceRoles(specs: readonly string[]): Record<string, InterfaceRole> {
  const roles: Record<string, InterfaceRole> = {}
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=')
    const name = spec.slice(0, eq)
    const role = spec.slice(eq + 1)
    if (eq <= 0 || !isInterfacePattern(name) || (role !== 'public' && role !== 'internal'))
      throw new UsageError(
        `--interface '${spec}': expected NAME=public or NAME=internal (NAME an interface, e.g. eth1 or wg*)`,
      )
    roles[name] = role
  }
  return roles
}

async function loadFeeds(
  io: CliIo,
  policy: Policy,
  feedFiles: readonly string[],
  timeoutMs: number | undefined,
): Promise<FeedSets> {
  const sets = new Map<string, { ipv4: { toCidrs(): string[] }; ipv6: { toCidrs(): string[] } }>()
  for (const spec of feedFiles) {
    const eq = spec.indexOf('=')
    if (eq <= 0) throw new UsageError(`--feed-file '${spec}': expected ID=FILE`)
    const id = spec.slice(0, eq)
    const file = spec.slice(eq + 1)
    const list = parseCidrList(await readInputFile(io, file))
    if (list.rejected.length > 0)
      throw new InputError(list.rejected.map((r) => `${file}:${r.line}: ${r.reason}`))
    sets.set(id, { ipv4: list.ipv4, ipv6: list.ipv6 })
  }
  const missing = requiredFeeds(policy).filter((id) => !sets.has(id))
  if (missing.length === 0) return sets
  const { refused, usable } = await fetchFeeds(io, missing, {
    unknownFeed: (id) =>
      new UsageError(
        `the policy names feed '${id}', which is not in the catalogue: supply it with --feed-file ${id}=FILE`,
      ),
    timeoutMs,
  })
  if (refused.length > 0)
    throw new InputError(
      refused.map(
        (o) => `${o.feed}: cannot verify without this feed: refused (${o.guard}): ${o.reason}`,
      ),
    )
  for (const { outcome, snapshot: s, held } of usable) {
    if (held) io.stderr(heldNotice(held))
    const ipv4 = [...s.ipv4]
    const ipv6 = [...s.ipv6]
    sets.set(outcome.feed, { ipv4: { toCidrs: () => ipv4 }, ipv6: { toCidrs: () => ipv6 } })
  }
  return sets
}

/** Verifies configs against a policy and prints the findings. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(args, OPTIONS, HELP, io)
  if (parsed === undefined) return EXIT.ok
  const { values, positionals } = parsed
  if (positionals.length > 0)
    throw new UsageError(`unexpected '${positionals[0]}' (configs go after --config)`)
  if (values.policy === undefined) throw new UsageError('--policy is required')
  const configs = values.config ?? []
  if (configs.length === 0) throw new UsageError('name at least one --config FILE')
  if (values.json === true && values.format !== undefined && values.format !== 'json')
    throw new UsageError(`--json and --format '${values.format}' disagree: give one`)
  const format = values.format ?? (values.json === true ? 'json' : 'text')
  if (format !== 'text' && format !== 'json' && format !== 'sarif')
    throw new UsageError(`--format '${format}': expected text, json or sarif`)
  const forced = values['config-format'] ?? []
  for (const f of forced)
    if (!isConfigFormat(f))
      throw new UsageError(`--config-format '${f}': expected one of ${CONFIG_FORMATS.join(', ')}`)
  if (forced.length > 1 && forced.length !== configs.length)
    throw new UsageError('give --config-format once, or once per --config')
  const formatFor = (k: number): ConfigFormat | undefined =>
    (forced.length === 1 ? forced[0] : forced[k]) as ConfigFormat | undefined
  const interfaces = interfaceRoles(values.interface ?? [])
  const policy = await loadPolicy(io, values.policy)
  const inputs = await Promise.all(
    configs.map(async (file, k) => {
      const f = formatFor(k)
      return { file, text: await readInputFile(io, file), ...(f ? { format: f } : {}) }
    }),
  )
  let read
  try {
    read = readFirewallConfigs(inputs)
  } catch (error) {
    return policyInputError(error)
  }
  const feedSets = await loadFeeds(
    io,
    policy,
    values['feed-file'] ?? [],
    timeoutOption(values, { min: 1, max: 600_000 }, io),
  )
  let evaluation
  try {
    evaluation = evaluatePolicy(policy, read, { feedSets, interfaces })
  } catch (error) {
    if (error instanceof PolicyError) {
      io.stderr(`allowlist-sync verify: ${error.message}\n`)
      return EXIT.usage
    }
    throw error
  }
  const { findings } = evaluation
  if (format === 'json')
    io.stdout(`${JSON.stringify(toFindingsJson(findings, policy, evaluation), null, 2)}\n`)
  else if (format === 'sarif')
    io.stdout(
      `${JSON.stringify(toSarif(findings, { toolVersion: VERSION, policy, summary: evaluation }), null, 2)}\n`,
    )
  else io.stdout(formatFindingsText(findings, policy, evaluation))
  return exitCodeFor(findings, evaluation)
}
