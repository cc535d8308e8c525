#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as i,c as n,d as m,e as l,f as d}from"./chunks/chunk-2CLMR2M4.js";import"./chunks/chunk-6THULLUP.js";var s={cidr:{summary:"merge, diff and test CIDR lists",load:()=>import("./chunks/cidr-AUHVCNWN.js")},feeds:{summary:"list the feed catalogue",load:()=>import("./chunks/feeds-IC2BXCU3.js")},fetch:{summary:"fetch feeds, guard them, print snapshots",load:()=>import("./chunks/fetch-PPM7Q7Z4.js")},formats:{summary:"list the output formats",load:()=>import("./chunks/formats-STJM2W3Q.js")},render:{summary:"render feeds into a firewall format",load:()=>import("./chunks/render-AZSMGWDJ.js")},policies:{summary:"list the port-policy presets",load:()=>import("./chunks/policies-3BEEFUWS.js")},verify:{summary:"check firewall configs against a port policy",load:()=>import("./chunks/verify-ZIKGLUFU.js")},probe:{summary:"try TCP connects to a policy's ports on a host",load:()=>import("./chunks/probe-WRQZWOA5.js")},sync:{summary:"run the Action's plan locally (--dry-run)",load:()=>import("./chunks/sync-W5CLYOSY.js")}},c=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]

Commands:
${Object.entries(s).map(([t,o])=>`  ${t.padEnd(10)} ${o.summary}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input.
`;async function p(t,o){let[r,...u]=t;if(r===void 0||r==="--help"||r==="-h"||r==="help")return o.stdout(c),r===void 0?n:i;let a=Object.hasOwn(s,r)?s[r]:void 0;if(!a)return o.stderr(`allowlist-sync: unknown command '${r}'

${c}`),n;try{return await(await a.load()).run(u,o)}catch(e){return e instanceof m?(o.stderr(`allowlist-sync ${r}: ${e.message}
Run 'allowlist-sync ${r} --help'.
`),e.exitCode):e instanceof l?(o.stderr(`${e.lines.join(`
`)}
`),e.exitCode):(o.stderr(`allowlist-sync ${r}: ${e instanceof Error?e.message:String(e)}
`),n)}}process.exitCode=await p(process.argv.slice(2),d());
