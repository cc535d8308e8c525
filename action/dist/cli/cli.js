#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as l}from"./chunks/chunk-HAUC4HTP.js";import{a,b as i,c as d,d as p,e as f}from"./chunks/chunk-EOED3DB2.js";import{b as u}from"./chunks/chunk-ZX3QMWLZ.js";var $=u({"./commands/cidr.ts":()=>import("./chunks/cidr-F5WLOIKJ.js"),"./commands/feeds.ts":()=>import("./chunks/feeds-N4LHDH46.js"),"./commands/fetch.ts":()=>import("./chunks/fetch-2FYW4HBG.js"),"./commands/formats.ts":()=>import("./chunks/formats-FMTQK7SN.js"),"./commands/policies.ts":()=>import("./chunks/policies-2PGKNMUN.js"),"./commands/probe.ts":()=>import("./chunks/probe-4JSFFGNP.js"),"./commands/render.ts":()=>import("./chunks/render-GSYAJ5UT.js"),"./commands/sync.ts":()=>import("./chunks/sync-5KNYWAVP.js"),"./commands/verify.ts":()=>import("./chunks/verify-EH3ETYB3.js")});var g={cidr:"merge, diff and test CIDR lists",feeds:"list the feed catalogue",fetch:"fetch feeds, guard them, print snapshots",formats:"list the output formats",render:"render feeds into a firewall format",policies:"list the port-policy presets",verify:"check firewall configs against a port policy",probe:"try TCP connects to a policy's ports on a host",sync:"run the Action's plan locally (--dry-run)"},m=`allowlist-sync: keep firewall allowlists true to published IP feeds

Usage: allowlist-sync <command> [options]
       allowlist-sync --version

Commands:
${Object.entries(g).map(([n,r])=>`  ${n.padEnd(10)} ${r}`).join(`
`)}

Run 'allowlist-sync <command> --help' for a command's options and examples.
Exit codes: 0 success, 1 a refusal or a violation, 2 a usage error or unreadable input,
70 an unexpected crash (a bug: please report it).
`;async function w(n,r){let[e,...o]=n;if(e===void 0||e==="--help"||e==="-h"||e==="help")return r.stdout(m),e===void 0?i.usage:i.ok;if(e==="--version"||e==="-V")return r.stdout(`allowlist-sync ${l}
`),i.ok;if(!Object.hasOwn(g,e))return r.stderr(`allowlist-sync: unknown command '${e}'

${m}`),i.usage;try{return await(await $(`./commands/${e}.ts`)).run(o,r)}catch(t){return t instanceof d?(r.stderr(`allowlist-sync ${e}: ${t.message}
Run 'allowlist-sync ${e} --help'.
`),t.exitCode):t instanceof p?(r.stderr(`${t.lines.join(`
`)}
`),t.exitCode):R(e,t,r)}}function R(n,r,e){let o=a(r).split(`
`)[0];try{e.stderr(`allowlist-sync ${n}: unexpected error: ${o}
This is a bug in allowlist-sync ${l}; please report it with the command you ran.
`)}catch{}return i.software}var{statSync:x}=process.getBuiltinModule("node:fs"),{parseArgs:I}=process.getBuiltinModule("node:util"),b=4*1024*1024,E=1;function y(n,r){if(n[0]!=="verify")return!1;let e=/^\d+$/.test(r??"")?Number(r):b,{values:o}=I({args:n.slice(1),options:{config:{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0}},strict:!1,allowPositionals:!0});if((o["feed-file"]??[]).some(s=>typeof s=="string"&&s.endsWith("=-")))return!1;let t=0;for(let s of o.config??[]){if(s==="-")return!1;typeof s=="string"&&(t+=x(s,{throwIfNoEntry:!1})?.size??0)}return t>=e}function h(n,r){let{Worker:e}=process.getBuiltinModule("node:worker_threads");return process.getBuiltinModule("node:v8").setFlagsFromString("--no-allocation-site-pretenuring"),new Promise(o=>{let t=new e(n,{argv:[...r],resourceLimits:{maxYoungGenerationSizeMb:E}});t.on("error",s=>{process.stderr.write(`allowlist-sync ${r[0]}: unexpected error: ${a(s)}
`),o(70)}),t.on("exit",o)})}var{isMainThread:M}=process.getBuiltinModule("node:worker_threads"),c=process.argv.slice(2);process.exitCode=M&&y(c,process.env.ALLOWLIST_SYNC_VERIFY_THREAD_FROM)?await h(new URL(import.meta.url),c):await w(c,f());
