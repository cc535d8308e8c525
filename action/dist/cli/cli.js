#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{Q as i,R as d,S as p,T as f,i as a,j as l}from"./chunks/chunk-ULDHKVPO.js";import{b as u}from"./chunks/chunk-ZX3QMWLZ.js";var $=u({"./commands/cidr.ts":()=>import("./chunks/cidr-ABF6ADUD.js"),"./commands/feeds.ts":()=>import("./chunks/feeds-SAL77VKT.js"),"./commands/fetch.ts":()=>import("./chunks/fetch-T7CS2VWN.js"),"./commands/formats.ts":()=>import("./chunks/formats-TFII6OXW.js"),"./commands/policies.ts":()=>import("./chunks/policies-5B7PAASA.js"),"./commands/probe.ts":()=>import("./chunks/probe-NLRZ62D6.js"),"./commands/render.ts":()=>import("./chunks/render-2B6WVZBG.js"),"./commands/sync.ts":()=>import("./chunks/sync-E37ETQIL.js"),"./commands/verify.ts":()=>import("./chunks/verify-4EOYL47F.js")});var g={cidr:"merge, diff and test CIDR lists",feeds:"list the feed catalogue",fetch:"fetch feeds, guard them, print snapshots",formats:"list the output formats",render:"render feeds into a firewall format",policies:"list the port-policy presets",verify:"check firewall configs against a port policy",probe:"try TCP connects to a policy's ports on a host",sync:"run the Action's plan locally (--dry-run)"},m=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(g).map(([r,t])=>`  ${r.padEnd(10)} ${t}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input,
70 an unexpected crash (a bug: please report it).
`;async function w(r,t){let[e,...s]=r;if(e===void 0||e==="--help"||e==="-h"||e==="help")return t.stdout(m),e===void 0?i.usage:i.ok;if(e==="--version"||e==="-V")return t.stdout(`allowlist-sync ${l}
`),i.ok;if(!Object.hasOwn(g,e))return t.stderr(`allowlist-sync: unknown command '${e}'

${m}`),i.usage;try{return await(await $(`./commands/${e}.ts`)).run(s,t)}catch(n){return n instanceof d?(t.stderr(`allowlist-sync ${e}: ${n.message}
Run 'allowlist-sync ${e} --help'.
`),n.exitCode):n instanceof p?(t.stderr(`${n.lines.join(`
`)}
`),n.exitCode):R(e,n,t)}}function R(r,t,e){let s=a(t).split(`
`)[0];try{e.stderr(`allowlist-sync ${r}: unexpected error: ${s}
This is a bug in allowlist-sync ${l}; please report it with the command you ran.
`)}catch{}return i.software}var{statSync:x}=process.getBuiltinModule("node:fs"),{parseArgs:I}=process.getBuiltinModule("node:util"),b=4*1024*1024,E=1;function y(r,t){if(r[0]!=="verify")return!1;let e=/^\d+$/.test(t??"")?Number(t):b,{values:s}=I({args:r.slice(1),options:{config:{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0}},strict:!1,allowPositionals:!0});if((s["feed-file"]??[]).some(o=>typeof o=="string"&&o.endsWith("=-")))return!1;let n=0;for(let o of s.config??[]){if(o==="-")return!1;typeof o=="string"&&(n+=x(o,{throwIfNoEntry:!1})?.size??0)}return n>=e}function h(r,t){let{Worker:e}=process.getBuiltinModule("node:worker_threads");return process.getBuiltinModule("node:v8").setFlagsFromString("--no-allocation-site-pretenuring"),new Promise(s=>{let n=new e(r,{argv:[...t],resourceLimits:{maxYoungGenerationSizeMb:E}});n.on("error",o=>{process.stderr.write(`allowlist-sync ${t[0]}: unexpected error: ${a(o)}
`),s(70)}),n.on("exit",s)})}var{isMainThread:M}=process.getBuiltinModule("node:worker_threads"),c=process.argv.slice(2);process.exitCode=M&&y(c,process.env.ALLOWLIST_SYNC_VERIFY_THREAD_FROM)?await h(new URL(import.meta.url),c):await w(c,f());
