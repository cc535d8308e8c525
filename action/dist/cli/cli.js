#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{I as i}from"./chunks/chunk-3DZQJGRA.js";import{a as s,c as a,d as c,e as d,f as u,g as p}from"./chunks/chunk-RXGGB43N.js";import"./chunks/chunk-6THULLUP.js";var l={cidr:{summary:"merge, diff and test CIDR lists",load:()=>import("./chunks/cidr-HLBXCCYG.js")},feeds:{summary:"list the feed catalogue",load:()=>import("./chunks/feeds-YOOFWRZ2.js")},fetch:{summary:"fetch feeds, guard them, print snapshots",load:()=>import("./chunks/fetch-B6DEQCZX.js")},formats:{summary:"list the output formats",load:()=>import("./chunks/formats-VGE2MIY6.js")},render:{summary:"render feeds into a firewall format",load:()=>import("./chunks/render-BU3JJYTQ.js")},policies:{summary:"list the port-policy presets",load:()=>import("./chunks/policies-ZQVJKGRW.js")},verify:{summary:"check firewall configs against a port policy",load:()=>import("./chunks/verify-IPHRJSBS.js")},probe:{summary:"try TCP connects to a policy's ports on a host",load:()=>import("./chunks/probe-PPUJKTQO.js")},sync:{summary:"run the Action's plan locally (--dry-run)",load:()=>import("./chunks/sync-JXTFRECT.js")}},y=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(l).map(([t,r])=>`  ${t.padEnd(10)} ${r.summary}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input,
70 an unexpected crash (a bug: please report it).
`;async function f(t,r){let[n,...o]=t;if(n===void 0||n==="--help"||n==="-h"||n==="help")return r.stdout(y),n===void 0?a:s;if(n==="--version"||n==="-V")return r.stdout(`allowlist-sync ${i}
`),s;let m=Object.hasOwn(l,n)?l[n]:void 0;if(!m)return r.stderr(`allowlist-sync: unknown command '${n}'

${y}`),a;try{return await(await m.load()).run(o,r)}catch(e){return e instanceof d?(r.stderr(`allowlist-sync ${n}: ${e.message}
Run 'allowlist-sync ${n} --help'.
`),e.exitCode):e instanceof u?(r.stderr(`${e.lines.join(`
`)}
`),e.exitCode):h(n,e,r)}}function h(t,r,n){let o=(r instanceof Error?r.message:String(r)).split(`
`)[0];try{n.stderr(`allowlist-sync ${t}: unexpected error: ${o}
This is a bug in allowlist-sync ${i}; please report it with the command you ran.
`)}catch{}return c}process.exitCode=await f(process.argv.slice(2),p());
