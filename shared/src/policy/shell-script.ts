/**
 * @module The commands a shell script runs, as a reader of firewall scripts needs them: a line
 * ending in a backslash goes on with the next; a list (`ufw allow 22 && ufw allow 80`, `…; then
 * ufw allow 22; fi`) is its commands; the command string of `sh -c "…"` and of `ssh HOST "…"` is
 * read as commands of its own; a here-document is read as commands when a shell or ssh is given
 * it (`bash <<EOF`, `ssh HOST <<'EOF'`), and as text otherwise (`cat > FILE <<EOF`), kept beside
 * the command it is given to. What ssh runs runs on the host it reaches: each such reading is
 * reported, as is a here-document of commands read as text.
 */
import { splitWords } from './split-words.ts'

/** One command of a script: its text, its first line, and the here-document given to it. */
export interface ScriptCommand {
  readonly raw: string
  readonly line: number
  /** The text of a here-document the command is given (`cat > FILE <<EOF`), not run. */
  readonly hereDocument?: string
}

/**
 * A command's words without its redirections (`>/dev/null`, `2>&1`, `>> "$log"`): where its
 * output goes is no argument of the command's.
 */
export function withoutRedirections(command: readonly string[]): string[] {
  const out: string[] = []
  for (let k = 0; k < command.length; k++) {
    const redirection = /^(?:\d+|&)?(?:>>?|<)(&?)([^<>]*)$/.exec(command[k]!)
    if (redirection === null) out.push(command[k]!)
    // `>` alone: its target is the next word (`2>&1` and `>file` are whole). A placeholder such as
    // `<myip>` is no redirection here: it stays, and is refused as the value it stands for.
    else if (redirection[1] === '' && redirection[2] === '') k++
  }
  return out
}

/** sudo's options that take a value (`-u root`, `-uroot`, `--user=root`, `--user root`). */
const SUDO_VALUE_SHORT = 'CDghpRrTtUu'
const SUDO_VALUE_LONG = new Set([
  '--close-from',
  '--chdir',
  '--group',
  '--host',
  '--prompt',
  '--chroot',
  '--role',
  '--type',
  '--command-timeout',
  '--other-user',
  '--user',
])

/**
 * The command a `sudo` runs: `sudo`, its options (`-E`, `-u root`, `--preserve-env=PATH`, `--`)
 * and the variables it sets (`VAR=value`) dropped; any other command as it is.
 */
export function withoutSudo(command: readonly string[]): string[] {
  if (command[0]?.split('/').at(-1) !== 'sudo') return [...command]
  let k = 1
  for (; k < command.length; k++) {
    const w = command[k]!
    if (w === '--') return command.slice(k + 1)
    if (w.startsWith('--')) {
      if (SUDO_VALUE_LONG.has(w)) k++
    } else if (w.startsWith('-') && w.length > 1) {
      if (valueIsNextWord(w, SUDO_VALUE_SHORT)) k++
    } else if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) break
  }
  return command.slice(k)
}

/**
 * Whether a cluster of short options (`-nE`, `-4p`, `-uroot`) takes the next word as its value:
 * from the first of `letters` (the options that take one), the rest of the word is the value, or,
 * when it is the last letter, the next word is.
 */
function valueIsNextWord(cluster: string, letters: string): boolean {
  const at = [...cluster.slice(1)].findIndex((ch) => letters.includes(ch))
  return at >= 0 && at === cluster.length - 2
}

/** A shell's name: sh, bash, dash, zsh, ksh, with or without a path. */
function isShell(word: string | undefined): boolean {
  return /^(ba|da|z|k)?sh$/.test(word?.split('/').at(-1) ?? '')
}

/** `bash`, `sudo sh -e`, `bash -s`: a shell that runs what it reads (no `-c`, no script file). */
function shellReadsInput(words: readonly string[]): boolean {
  const shell = withoutSudo(words)
  return isShell(shell[0]) && shell.slice(1).every((w) => w.startsWith('-') && w !== '-c')
}

/** ssh's options that take a value (`-p 2222`, `-i key`, `-o Opt=v`). */
const SSH_VALUE_OPTIONS = 'BbcDEeFIiJLlmOoPpQRSWw'

/** The host and the remote command words of an `ssh` command; undefined for any other. */
function sshCommand(words: readonly string[]): { host: string; command: string[] } | undefined {
  if (words[0]?.split('/').at(-1) !== 'ssh') return undefined
  let k = 1
  for (; k < words.length; k++) {
    const w = words[k]!
    if (w === '--') {
      k++
      break
    }
    if (!w.startsWith('-') || w.length === 1) break
    if (valueIsNextWord(w, SSH_VALUE_OPTIONS)) k++
  }
  const host = words[k]
  return host === undefined ? undefined : { host, command: words.slice(k + 1) }
}

/**
 * The commands of a list, outside quotes: split at `&&`, `||`, `;` and `&` (not `2>&1` or `&>`),
 * up to an unquoted comment; a pipeline stays one command. Keywords before a command (`then`,
 * `do`, `else`, `!`, `{`) are dropped.
 */
function listCommands(raw: string): string[] {
  const out: string[] = []
  let start = 0
  let quote: string | undefined
  let depth = 0
  const cut = (end: number, next: number) => {
    out.push(raw.slice(start, end))
    start = next
  }
  let k = 0
  for (; k < raw.length; k++) {
    const ch = raw[k]!
    if (quote !== undefined) {
      if (ch === '\\' && quote === '"') k++
      else if (ch === quote) quote = undefined
      continue
    }
    if (ch === '\\') k++
    else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '$' && raw[k + 1] === '(') depth++
    else if (ch === ')' && depth > 0) depth--
    else if (depth > 0) continue
    else if (ch === '#' && (k === 0 || /\s/.test(raw[k - 1]!))) break
    else if ((ch === '&' || ch === '|') && raw[k + 1] === ch) cut(k, ++k + 1)
    else if (ch === ';') cut(k, k + 1)
    else if (ch === '&' && !/[<>&]/.test(raw.charAt(k - 1)) && raw[k + 1] !== '>') cut(k, k + 1)
  }
  out.push(raw.slice(start, k))
  return out
    .map((c) => c.trim().replace(/^(?:(?:then|else|do|!|\{)\s+)+/, ''))
    .filter((c) => c !== '' && !/^(?:fi|done|\}|esac|;)$/.test(c))
}

/** `<<WORD`, `<<-'WORD'`, `<< "WORD"` (not a `<<<` here-string). */
const HERE_DOCUMENT = /(?<!<)<<(?!<)(-?)[ \t]*(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/

/**
 * The commands of `raw` at `line`: its list's commands, the command string of `sh -c` and of ssh
 * read in their place (ssh's reported through `note`).
 */
function expand(
  raw: string,
  line: number,
  note: (line: number, message: string) => void,
): string[] {
  const out: string[] = []
  for (const command of listCommands(raw)) {
    const words = withoutRedirections(withoutSudo(splitWords(command)))
    const ssh = sshCommand(words)
    if (isShell(words[0]) && words[1] === '-c' && words[2] !== undefined) {
      out.push(...expand(words[2], line, note))
    } else if (ssh !== undefined) {
      // ssh without a command logs in; a shell alone reads its input (a here-document)
      if (ssh.command.length === 0 || shellReadsInput(ssh.command)) continue
      const remote = ssh.command.join(' ')
      note(
        line,
        `'${remote.slice(0, 80)}' runs on ${ssh.host} over ssh: read as commands of the host this file describes`,
      )
      out.push(...expand(remote, line, note))
    } else out.push(command)
  }
  return out
}

/** Whether a here-document's text holds a command a firewall reader would read, were it run. */
function looksRun(text: string): boolean {
  return text
    .split('\n')
    .some((l) =>
      /^(ufw|docker|ip6?tables|nft|firewall-cmd)\b/.test(
        withoutSudo(splitWords(l.trim())).join(' '),
      ),
    )
}

/**
 * The commands a script runs, in order, each with the line it starts on (see the module). `note`
 * receives what is read on an assumption: commands ssh runs elsewhere, here-documents of commands
 * read as text, a here-document that never ends.
 */
export function scriptCommands(
  text: string,
  note: (line: number, message: string) => void,
): ScriptCommand[] {
  const lines = text.split(/\r?\n/)
  const out: ScriptCommand[] = []
  // the lines that end a here-document read as commands
  const ends = new Set<number>()
  for (let i = 0; i < lines.length; i++) {
    if (ends.has(i)) continue
    const line = i + 1
    let raw = lines[i]!.trim()
    while (!raw.startsWith('#') && /(^|[^\\])(\\\\)*\\$/.test(raw) && i + 1 < lines.length)
      raw = `${raw.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`
    const here = raw.startsWith('#') ? null : HERE_DOCUMENT.exec(raw)
    if (here === null) {
      out.push(...expand(raw, line, note).map((r) => ({ raw: r, line })))
      continue
    }
    const [, strip, , word] = here
    let end = i + 1
    while (end < lines.length && (strip ? lines[end]!.replace(/^\t+/, '') : lines[end]) !== word)
      end++
    const body = lines.slice(i + 1, end)
    const span = `lines ${i + 2}-${Math.min(end, lines.length)}`
    if (end === lines.length)
      note(line, `the here-document '${word!}' never ends: read to the end of the file, as sh does`)
    // the command, without the operator: it is no word of the command's
    const own = `${raw.slice(0, here.index)}${raw.slice(here.index + here[0].length)}`
    const given = listCommands(raw.slice(0, here.index)).at(-1) ?? ''
    const words = withoutRedirections(withoutSudo(splitWords(given)))
    const ssh = sshCommand(words)
    const runs =
      shellReadsInput(words) ||
      (ssh !== undefined && (ssh.command.length === 0 || shellReadsInput(ssh.command)))
    if (runs) {
      // the here-document's lines are read as the script's own, where they stand
      if (ssh !== undefined)
        note(
          line,
          `the here-document of ${span} runs on ${ssh.host} over ssh: read as commands of the host this file describes`,
        )
      out.push(...expand(own, line, note).map((r) => ({ raw: r, line })))
      ends.add(end)
      continue
    }
    const hereDocument = body.join('\n')
    if (looksRun(hereDocument))
      note(
        line,
        `${span} are a here-document given to ${words[0] === undefined ? 'no command' : `'${words[0]}'`}: text, not commands run here, so not read as commands`,
      )
    out.push(...expand(own, line, note).map((r) => ({ raw: r, line, hereDocument })))
    i = end
  }
  return out
}
