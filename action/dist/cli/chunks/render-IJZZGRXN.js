import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{b,f as F,i as k,j as v,k as T,l as $,m as N,n as w,o as x}from"./chunk-3V7IRQQ6.js";import{f as I}from"./chunk-DPOKIOFY.js";import{a as m,b as p,d as a,e as h,g,i as R}from"./chunk-2CLMR2M4.js";import"./chunk-6THULLUP.js";import M from"node:path";var O=`Usage: allowlist-sync render FEED... --format FORMAT [options]
       allowlist-sync render --from FILE --format FORMAT [options]

Fetches the feeds (honouring UPSTREAM_MIRROR), merges them, and prints them in FORMAT
('allowlist-sync formats' lists the formats). With --from, reads a CIDR list file instead
(one address or CIDR a line, '#' comments): no network needed.

Options:
  --format FORMAT      output format (required)
  --port N[/tcp|/udp]  a port to guard, repeatable; also ranges: 8000-8100/tcp
  --name NAME          set, chain, list or middleware name (default allowlist-sync)
  --comment TEXT       a comment for the header (ufw: the rule comment; aws-sg: Description)
  --into FILE          print FILE with its managed block (the one named --name) replaced;
                       a FILE without that block is refused with the two marker lines to
                       place and where they go (an empty or missing FILE gets the block alone)
  --force              with --into: overwrite a block that was edited by hand
  --from FILE          read CIDRs from FILE ('-' for stdin) instead of fetching feeds
  --removed FILE       CIDRs a change removed (ufw renders 'ufw delete allow' lines for them;
                       with --into, ufw also deletes what the previous block allowed and the
                       new list does not)
  --ip-strategy-depth N        Traefik behind another proxy: the client address is the N-th
                               from the right of X-Forwarded-For
  --ip-strategy-exclude CIDR   Traefik behind another proxy: skip these proxies' addresses in
                               X-Forwarded-For (repeatable; not with --ip-strategy-depth)
  --limit NAME=N       raise a platform limit after raising it with the provider, e.g.
                       --limit awsRulesPerGroup=200 (repeatable; a wrong NAME lists the names)

Exit codes: 0 printed, 1 refused (a feed guard said no, or a platform limit), 2 usage or input
(including --into refusals: no block, misplaced markers, a hand-edited block).

Examples:
  allowlist-sync render github/hooks --format nftables --port 443/tcp
  allowlist-sync render coolify/cloud --format ufw --port 22 --port 8000/tcp
  allowlist-sync render github/hooks --format nginx --into /etc/nginx/snippets/hooks.conf
  allowlist-sync render --from office.txt --format caddy --name office
  allowlist-sync render coolify/cloud --format traefik-labels --ip-strategy-depth 1
  allowlist-sync render github/hooks --format terraform-hcloud --port 443/tcp > hooks.tf
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync render github/hooks --format json
`,_={format:{type:"string"},port:{type:"string",multiple:!0},name:{type:"string"},comment:{type:"string"},into:{type:"string"},force:{type:"boolean",default:!1},from:{type:"string"},removed:{type:"string"},"ip-strategy-depth":{type:"string"},"ip-strategy-exclude":{type:"string",multiple:!0},limit:{type:"string",multiple:!0}};function P(n){let t=n["ip-strategy-depth"],r=n["ip-strategy-exclude"];if(!(t===void 0&&r===void 0)){if(t!==void 0&&!/^\d+$/.test(t))throw new a(`--ip-strategy-depth '${t}' is not a whole number`);return{...t===void 0?{}:{depth:Number(t)},...r===void 0?{}:{excludedIPs:r}}}}function S(n){if(n===void 0)return;let t={};for(let r of n){let e=/^(\w+)=(\d+)$/.exec(r);if(e===null||!(e[1]in w))throw new a(`--limit '${r}' is not NAME=N with NAME one of ${Object.keys(w).join(", ")}`);t[e[1]]=Number(e[2])}return t}async function L(n,t){let r=I(await g(n,t));if(r.rejected.length>0)throw new h(r.rejected.map(e=>`${t}:${e.line}: ${e.reason}`));return{ipv4:r.ipv4.toCidrs(),ipv6:r.ipv6.toCidrs()}}function A(n){return`file/${(n==="-"?"stdin":M.basename(n).replace(/[^A-Za-z0-9._-]/g,"_")).replace(/^[._-]+/,"")||"list"}`}async function C(n,t){let r=t.map(o=>{let s=b(o);if(s===void 0)throw new a(`unknown feed '${o}'; 'allowlist-sync feeds' lists them`);return s}),{outcomes:e}=await F(r,{fetch:n.fetch,now:n.now,mirror:n.env.UPSTREAM_MIRROR||void 0,githubToken:n.env.GITHUB_TOKEN||void 0}),f=e.filter(o=>o.kind==="refused");if(f.length>0)return f.map(o=>`${o.feed}: refused (${o.guard}): ${o.reason}`).join(`
`);let d={feeds:[],ipv4:[],ipv6:[]};for(let o of e){if(o.kind==="refused")continue;let s=o.snapshot;d.feeds.push({id:s.feed,sha256:s.sha256,source:s.source,...s.upstreamVersion===void 0?{}:{upstreamVersion:s.upstreamVersion}}),d.ipv4.push(...s.ipv4),d.ipv6.push(...s.ipv6)}return d}async function K(n,t){let r=R(n,_,O,t);if(r===void 0)return m;let{values:e,positionals:f}=r,d=e.format;if(d===void 0)throw new a("--format is required");if(!k(d))throw new a(`unknown format '${d}'; 'allowlist-sync formats' lists them`);if(e.from===void 0&&f.length===0)throw new a("name at least one feed, or --from FILE");if(e.from!==void 0&&f.length>0)throw new a("give feeds or --from FILE, not both");if(e.into!==void 0&&!v(d).lineOriented)throw new a(`--into needs a line-oriented format; '${d}' is a whole file`);let o;try{o=(e.port??[]).map(N)}catch(i){throw new a(i.message,{cause:i})}let s=P(e),y=S(e.limit),u;if(e.from!==void 0){let i=await L(t,e.from);u={feeds:[{id:A(e.from),source:e.from}],...i}}else{let i=await C(t,f);if(typeof i=="string")return t.stderr(`${i}
`),p;u=i}let E=e.removed===void 0?void 0:await L(t,e.removed),l=e.into===void 0?void 0:await D(t,e.into),c;try{c=x(d,u,{ports:o,...e.name===void 0?{}:{name:e.name},...e.comment===void 0?{}:{comment:e.comment},...E===void 0?{}:{removed:E},...s===void 0?{}:{ipStrategy:s},...y===void 0?{}:{limits:y},...l===void 0?{}:{previous:l}}),l!==void 0&&(c=$(l,c,{format:d,force:e.force}))}catch(i){if(!(i instanceof T))throw i;if(i.code==="ERR_RENDER_LIMIT"||i.code==="ERR_RENDER_EMPTY")return t.stderr(`allowlist-sync render: ${i.message}
`),p;throw e.into!==void 0&&(i.line!==void 0||i.code==="ERR_RENDER_NO_BLOCK")?new h(U(e.into,i),{cause:i}):new a(i.message,{cause:i})}return t.stdout(c),m}async function D(n,t){try{return await n.readText(t)}catch(r){return r instanceof Error&&"code"in r&&r.code==="ENOENT"?"":g(n,t)}}function U(n,t){let[r="",...e]=t.message.replace(/^line \d+: /,"").split(`
`);return[`${n}${t.line===void 0?"":`:${t.line}`}: ${r}`,...e]}export{K as run};
