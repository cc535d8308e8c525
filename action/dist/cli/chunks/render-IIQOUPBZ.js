import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{b as F,f as v,h as b,i as T,j as k,k as $,l as M,m as g,n as x}from"./chunk-SUBHT2DM.js";import{e as I}from"./chunk-XSMHKCMA.js";import{d as m,e as c,g as a,h as u,j as h,l as R}from"./chunk-FQEBFRMC.js";import N from"node:path";var S=`Usage: allowlist-sync render FEED... --format FORMAT [options]
       allowlist-sync render --from FILE --format FORMAT [options]

Fetches the feeds (honouring UPSTREAM_MIRROR), merges them, and prints them in FORMAT
('allowlist-sync formats' lists the formats). With --from, reads a CIDR list file instead
(one address or CIDR a line, '#' comments): no network needed.

Options:
  --format FORMAT      output format (required)
  --port N[/tcp|/udp]  a port to guard, repeatable; also ranges: 8000-8100/tcp
  --name NAME          set, chain, list or middleware name (default allowlist-sync)
  --comment TEXT       a comment for the header (ufw: the rule comment; aws-sg: Description)
  --into FILE          print FILE with its managed block for these feeds replaced (or appended)
  --from FILE          read CIDRs from FILE ('-' for stdin) instead of fetching feeds
  --removed FILE       CIDRs a change removed (ufw renders 'ufw delete allow' lines for them)
  --ip-strategy-depth N        Traefik behind another proxy: the client address is the N-th
                               from the right of X-Forwarded-For
  --ip-strategy-exclude CIDR   Traefik behind another proxy: skip these proxies' addresses in
                               X-Forwarded-For (repeatable; not with --ip-strategy-depth)
  --limit NAME=N       raise a platform limit after raising it with the provider, e.g.
                       --limit awsRulesPerGroup=200 (repeatable; a wrong NAME lists the names)

Exit codes: 0 printed, 1 refused (a feed guard said no, or a platform limit), 2 usage or input.

Examples:
  allowlist-sync render github/hooks --format nftables --port 443/tcp
  allowlist-sync render coolify/cloud --format ufw --port 22 --port 8000/tcp
  allowlist-sync render github/hooks --format nginx --into /etc/nginx/snippets/hooks.conf
  allowlist-sync render --from office.txt --format caddy --name office
  allowlist-sync render coolify/cloud --format traefik-labels --ip-strategy-depth 1
  allowlist-sync render github/hooks --format terraform-hcloud --port 443/tcp > hooks.tf
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync render github/hooks --format json
`,_={format:{type:"string"},port:{type:"string",multiple:!0},name:{type:"string"},comment:{type:"string"},into:{type:"string"},from:{type:"string"},removed:{type:"string"},"ip-strategy-depth":{type:"string"},"ip-strategy-exclude":{type:"string",multiple:!0},limit:{type:"string",multiple:!0}};function A(r){let t=r["ip-strategy-depth"],i=r["ip-strategy-exclude"];if(!(t===void 0&&i===void 0)){if(t!==void 0&&!/^\d+$/.test(t))throw new a(`--ip-strategy-depth '${t}' is not a whole number`);return{...t===void 0?{}:{depth:Number(t)},...i===void 0?{}:{excludedIPs:i}}}}function O(r){if(r===void 0)return;let t={};for(let i of r){let e=/^(\w+)=(\d+)$/.exec(i);if(e===null||!(e[1]in g))throw new a(`--limit '${i}' is not NAME=N with NAME one of ${Object.keys(g).join(", ")}`);t[e[1]]=Number(e[2])}return t}async function L(r,t){let i=I(await h(r,t));if(i.rejected.length>0)throw new u(i.rejected.map(e=>`${t}:${e.line}: ${e.reason}`));return{ipv4:i.ipv4.toCidrs(),ipv6:i.ipv6.toCidrs()}}function C(r){return`file/${(r==="-"?"stdin":N.basename(r).replace(/[^A-Za-z0-9._-]/g,"_")).replace(/^[._-]+/,"")||"list"}`}async function P(r,t){let i=t.map(s=>{let o=F(s);if(o===void 0)throw new a(`unknown feed '${s}'; 'allowlist-sync feeds' lists them`);return o}),{outcomes:e}=await v(i,{fetch:r.fetch,now:r.now,mirror:r.env.UPSTREAM_MIRROR||void 0,githubToken:r.env.GITHUB_TOKEN||void 0}),f=e.filter(s=>s.kind==="refused");if(f.length>0)return f.map(s=>`${s.feed}: refused (${s.guard}): ${s.reason}`).join(`
`);let d={feeds:[],ipv4:[],ipv6:[]};for(let s of e){if(s.kind==="refused")continue;let o=s.snapshot;d.feeds.push({id:o.feed,version:String(o.version),sha256:o.sha256,source:o.source}),d.ipv4.push(...o.ipv4),d.ipv6.push(...o.ipv6)}return d}async function X(r,t){let i=R(r,_,S,t);if(i===void 0)return m;let{values:e,positionals:f}=i,d=e.format;if(d===void 0)throw new a("--format is required");if(!b(d))throw new a(`unknown format '${d}'; 'allowlist-sync formats' lists them`);if(e.from===void 0&&f.length===0)throw new a("name at least one feed, or --from FILE");if(e.from!==void 0&&f.length>0)throw new a("give feeds or --from FILE, not both");if(e.into!==void 0&&!T(d).lineOriented)throw new a(`--into needs a line-oriented format; '${d}' is a whole file`);let s;try{s=(e.port??[]).map(M)}catch(n){throw new a(n.message,{cause:n})}let o=A(e),w=O(e.limit),l;if(e.from!==void 0){let n=await L(t,e.from);l={feeds:[{id:C(e.from),source:e.from}],...n}}else{let n=await P(t,f);if(typeof n=="string")return t.stderr(`${n}
`),c;l=n}let y=e.removed===void 0?void 0:await L(t,e.removed),E=e.into===void 0?void 0:await h(t,e.into),p;try{p=x(d,l,{ports:s,...e.name===void 0?{}:{name:e.name},...e.comment===void 0?{}:{comment:e.comment},...y===void 0?{}:{removed:y},...o===void 0?{}:{ipStrategy:o},...w===void 0?{}:{limits:w}}),E!==void 0&&(p=$(E,p,l.feeds.map(n=>n.id)))}catch(n){if(!(n instanceof k))throw n;if(n.code==="ERR_RENDER_LIMIT"||n.code==="ERR_RENDER_EMPTY")return t.stderr(`allowlist-sync render: ${n.message}
`),c;throw n.code==="ERR_RENDER_BLOCK"&&e.into!==void 0?new u([`${e.into}:${n.line??0}: ${n.message.replace(/^line \d+: /,"")}`],{cause:n}):new a(n.message,{cause:n})}return t.stdout(p),m}export{X as run};
