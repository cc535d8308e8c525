#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as i,b as s,c as l,d as m,e as d}from"./chunks/chunk-6FZGRS2S.js";var t={cidr:{summary:"merge, diff and test CIDR lists",load:()=>import("./chunks/cidr-QF6FRAA3.js")}},c=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]

Commands:
${Object.entries(t).map(([o,r])=>`  ${o.padEnd(10)} ${r.summary}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input.
`;async function u(o,r){let[n,...p]=o;if(n===void 0||n==="--help"||n==="-h"||n==="help")return r.stdout(c),n===void 0?s:i;let a=Object.hasOwn(t,n)?t[n]:void 0;if(!a)return r.stderr(`allowlist-sync: unknown command '${n}'

${c}`),s;try{return await(await a.load()).run(p,r)}catch(e){return e instanceof l?(r.stderr(`allowlist-sync ${n}: ${e.message}
Run 'allowlist-sync ${n} --help'.
`),e.exitCode):e instanceof m?(r.stderr(`${e.lines.join(`
`)}
`),e.exitCode):(r.stderr(`allowlist-sync ${n}: ${e instanceof Error?e.message:String(e)}
`),s)}}process.exitCode=await u(process.argv.slice(2),d());
