#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{Q as a,S as i,T as c,U as u,V as p,W as y,i as d,j as s}from"./chunks/chunk-JDOWSJEP.js";import"./chunks/chunk-OB3JV4II.js";var l={cidr:{summary:"merge, diff and test CIDR lists",load:()=>import("./chunks/cidr-MXORQT7J.js")},feeds:{summary:"list the feed catalogue",load:()=>import("./chunks/feeds-LGUA5GH7.js")},fetch:{summary:"fetch feeds, guard them, print snapshots",load:()=>import("./chunks/fetch-OP4UQSSZ.js")},formats:{summary:"list the output formats",load:()=>import("./chunks/formats-BPFEKPSS.js")},render:{summary:"render feeds into a firewall format",load:()=>import("./chunks/render-CYDTS7UJ.js")},policies:{summary:"list the port-policy presets",load:()=>import("./chunks/policies-NXRQ5P7U.js")},verify:{summary:"check firewall configs against a port policy",load:()=>import("./chunks/verify-JC7IAPQX.js")},probe:{summary:"try TCP connects to a policy's ports on a host",load:()=>import("./chunks/probe-E4HV2WF5.js")},sync:{summary:"run the Action's plan locally (--dry-run)",load:()=>import("./chunks/sync-SOXRC6IG.js")}},f=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(l).map(([t,e])=>`  ${t.padEnd(10)} ${e.summary}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input,
70 an unexpected crash (a bug: please report it).
`;async function h(t,e){let[r,...o]=t;if(r===void 0||r==="--help"||r==="-h"||r==="help")return e.stdout(f),r===void 0?i:a;if(r==="--version"||r==="-V")return e.stdout(`allowlist-sync ${s}
`),a;let m=Object.hasOwn(l,r)?l[r]:void 0;if(!m)return e.stderr(`allowlist-sync: unknown command '${r}'

${f}`),i;try{return await(await m.load()).run(o,e)}catch(n){return n instanceof u?(e.stderr(`allowlist-sync ${r}: ${n.message}
Run 'allowlist-sync ${r} --help'.
`),n.exitCode):n instanceof p?(e.stderr(`${n.lines.join(`
`)}
`),n.exitCode):w(r,n,e)}}function w(t,e,r){let o=d(e).split(`
`)[0];try{r.stderr(`allowlist-sync ${t}: unexpected error: ${o}
This is a bug in allowlist-sync ${s}; please report it with the command you ran.
`)}catch{}return c}process.exitCode=await h(process.argv.slice(2),y());
