#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{Q as s,R as d,S as p,T as m,i as a,j as l}from"./chunks/chunk-DVPSKKTL.js";import{b as u}from"./chunks/chunk-ZX3QMWLZ.js";var $=u({"./commands/cidr.ts":()=>import("./chunks/cidr-TEOQ6UNJ.js"),"./commands/feeds.ts":()=>import("./chunks/feeds-PSQBWYQG.js"),"./commands/fetch.ts":()=>import("./chunks/fetch-MXYV6T5J.js"),"./commands/formats.ts":()=>import("./chunks/formats-3MF5LPK4.js"),"./commands/policies.ts":()=>import("./chunks/policies-RMBZ6JZ5.js"),"./commands/probe.ts":()=>import("./chunks/probe-VPHUYB7M.js"),"./commands/render.ts":()=>import("./chunks/render-W2TYDCZ3.js"),"./commands/sync.ts":()=>import("./chunks/sync-EKHSW5XX.js"),"./commands/verify.ts":()=>import("./chunks/verify-RSM5XI3B.js")});var g={cidr:"merge, diff and test CIDR lists",feeds:"list the feed catalogue",fetch:"fetch feeds, guard them, print snapshots",formats:"list the output formats",render:"render feeds into a firewall format",policies:"list the port-policy presets",verify:"check firewall configs against a port policy",probe:"try TCP connects to a policy's ports on a host",sync:"run the Action's plan locally (--dry-run)"},f=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(g).map(([t,n])=>`  ${t.padEnd(10)} ${n}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input,
70 an unexpected crash (a bug: please report it).
`;async function w(t,n){let[e,...o]=t;if(e===void 0||e==="--help"||e==="-h"||e==="help")return n.stdout(f),e===void 0?s.usage:s.ok;if(e==="--version"||e==="-V")return n.stdout(`allowlist-sync ${l}
`),s.ok;if(!Object.hasOwn(g,e))return n.stderr(`allowlist-sync: unknown command '${e}'

${f}`),s.usage;try{return await(await $(`./commands/${e}.ts`)).run(o,n)}catch(r){return r instanceof d?(n.stderr(`allowlist-sync ${e}: ${r.message}
Run 'allowlist-sync ${e} --help'.
`),r.exitCode):r instanceof p?(n.stderr(`${r.lines.join(`
`)}
`),r.exitCode):R(e,r,n)}}function R(t,n,e){let o=a(n).split(`
`)[0];try{e.stderr(`allowlist-sync ${t}: unexpected error: ${o}
This is a bug in allowlist-sync ${l}; please report it with the command you ran.
`)}catch{}return s.software}var{statSync:x}=process.getBuiltinModule("node:fs"),{parseArgs:I}=process.getBuiltinModule("node:util"),b=4*1024*1024,E=1;function y(t,n){if(t[0]!=="verify")return!1;let e=/^\d+$/.test(n??"")?Number(n):b,{values:o}=I({args:t.slice(1),options:{config:{type:"string",multiple:!0}},strict:!1,allowPositionals:!0}),r=0;for(let i of o.config??[]){if(i==="-")return!1;typeof i=="string"&&(r+=x(i,{throwIfNoEntry:!1})?.size??0)}return r>=e}function h(t,n){let{Worker:e}=process.getBuiltinModule("node:worker_threads");return process.getBuiltinModule("node:v8").setFlagsFromString("--no-allocation-site-pretenuring"),new Promise(o=>{let r=new e(t,{argv:[...n],resourceLimits:{maxYoungGenerationSizeMb:E}});r.on("error",i=>{process.stderr.write(`allowlist-sync ${n[0]}: unexpected error: ${a(i)}
`),o(70)}),r.on("exit",o)})}var{isMainThread:M}=process.getBuiltinModule("node:worker_threads"),c=process.argv.slice(2);process.exitCode=M&&y(c,process.env.ALLOWLIST_SYNC_VERIFY_THREAD_FROM)?await h(new URL(import.meta.url),c):await w(c,m());
