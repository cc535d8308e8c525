#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{Q as r,R as c,S as d,T as u,i as l,j as a}from"./chunks/chunk-OMYD6NWX.js";import{b as i}from"./chunks/chunk-ZX3QMWLZ.js";var y=i({"./commands/cidr.ts":()=>import("./chunks/cidr-O7LOWGLM.js"),"./commands/feeds.ts":()=>import("./chunks/feeds-FQDGDDTN.js"),"./commands/fetch.ts":()=>import("./chunks/fetch-AUNE2J7G.js"),"./commands/formats.ts":()=>import("./chunks/formats-YYESTGHK.js"),"./commands/policies.ts":()=>import("./chunks/policies-5ZUEYW6B.js"),"./commands/probe.ts":()=>import("./chunks/probe-WRVFGKNI.js"),"./commands/render.ts":()=>import("./chunks/render-X5H3MCBZ.js"),"./commands/sync.ts":()=>import("./chunks/sync-4PUKCAJL.js"),"./commands/verify.ts":()=>import("./chunks/verify-6Y7C7HEQ.js")});var m={cidr:"merge, diff and test CIDR lists",feeds:"list the feed catalogue",fetch:"fetch feeds, guard them, print snapshots",formats:"list the output formats",render:"render feeds into a firewall format",policies:"list the port-policy presets",verify:"check firewall configs against a port policy",probe:"try TCP connects to a policy's ports on a host",sync:"run the Action's plan locally (--dry-run)"},p=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(m).map(([s,n])=>`  ${s.padEnd(10)} ${n}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input,
70 an unexpected crash (a bug: please report it).
`;async function f(s,n){let[e,...o]=s;if(e===void 0||e==="--help"||e==="-h"||e==="help")return n.stdout(p),e===void 0?r.usage:r.ok;if(e==="--version"||e==="-V")return n.stdout(`allowlist-sync ${a}
`),r.ok;if(!Object.hasOwn(m,e))return n.stderr(`allowlist-sync: unknown command '${e}'

${p}`),r.usage;try{return await(await y(`./commands/${e}.ts`)).run(o,n)}catch(t){return t instanceof c?(n.stderr(`allowlist-sync ${e}: ${t.message}
Run 'allowlist-sync ${e} --help'.
`),t.exitCode):t instanceof d?(n.stderr(`${t.lines.join(`
`)}
`),t.exitCode):h(e,t,n)}}function h(s,n,e){let o=l(n).split(`
`)[0];try{e.stderr(`allowlist-sync ${s}: unexpected error: ${o}
This is a bug in allowlist-sync ${a}; please report it with the command you ran.
`)}catch{}return r.software}process.exitCode=await f(process.argv.slice(2),u());
