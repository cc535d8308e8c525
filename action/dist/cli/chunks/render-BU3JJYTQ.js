import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as $}from"./chunk-LRQXWQLN.js";import{d as k,f as v,j as F,k as x,l as T,m as N,n as L,o as b,p as M}from"./chunk-3DZQJGRA.js";import{a as h,b as g,e as d,f as w,h as y,j as R,o as u,p as I}from"./chunk-RXGGB43N.js";import"./chunk-6THULLUP.js";import A from"node:path";var O=`Usage: allowlist-sync render FEED... --format FORMAT [options]
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
  --table 'FAMILY NAME'  nftables without ports: the table of your own that holds the sets
                       (default 'inet filter')
  --no-exempt-loopback packet filters: guard loopback (lo) too; by default it is exempt
  --exempt-private     docker-user: also let private sources through (10/8, 172.16/12,
                       192.168/16, fc00::/7); by default only the allowlist

A feed whose new list is held (it removes more than half a family, or more than doubles one) is
rendered as published, with a 'held: ...' line on stderr: review the output before you apply it.

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
`,P={format:{type:"string"},port:{type:"string",multiple:!0},name:{type:"string"},comment:{type:"string"},into:{type:"string"},force:{type:"boolean",default:!1},from:{type:"string"},removed:{type:"string"},"ip-strategy-depth":{type:"string"},"ip-strategy-exclude":{type:"string",multiple:!0},limit:{type:"string",multiple:!0},table:{type:"string"},"no-exempt-loopback":{type:"boolean"},"exempt-private":{type:"boolean"}};function _(n){let t=n["ip-strategy-depth"],r=n["ip-strategy-exclude"];if(!(t===void 0&&r===void 0)){if(t!==void 0&&!/^\d+$/.test(t))throw new d(`--ip-strategy-depth '${t}' is not a whole number`);return{...t===void 0?{}:{depth:Number(t)},...r===void 0?{}:{excludedIPs:r}}}}function S(n){if(n===void 0)return;let t={};for(let r of n){let e=/^(\w+)=(\d+)$/.exec(r);if(e===null||!(e[1]in b))throw new d(`--limit '${r}' is not NAME=N with NAME one of ${Object.keys(b).join(", ")}`);t[e[1]]=Number(e[2])}return t}async function C(n,t){let r=I(await y(n,t));if(r.rejected.length>0)throw new w(r.rejected.map(e=>`${t}:${e.line}: ${e.reason}`));return{ipv4:r.ipv4.toCidrs(),ipv6:r.ipv6.toCidrs()}}function D(n){return`file/${(n==="-"?"stdin":A.basename(n).replace(/[^A-Za-z0-9._-]/g,"_")).replace(/^[._-]+/,"")||"list"}`}async function U(n,t){let r=t.map(i=>{let s=k(i);if(s===void 0)throw new d(`unknown feed '${i}'; 'allowlist-sync feeds' lists them`);return s}),{outcomes:e}=await v(r,{fetch:n.fetch,now:n.now,mirror:n.env.UPSTREAM_MIRROR||void 0,githubToken:n.env.GITHUB_TOKEN||void 0}),f=e.filter(i=>i.kind==="refused");if(f.length>0)return f.map(i=>`${i.feed}: refused (${i.guard}): ${i.reason}`).join(`
`);let a=u.empty(4),l=u.empty(6),p=[];for(let i of e){if(i.kind==="refused")continue;i.kind==="held"&&n.stderr($(i));let s=i.kind==="held"?i.candidate:i.snapshot;p.push({id:s.feed,sha256:s.sha256,source:s.source,...s.upstreamVersion===void 0?{}:{upstreamVersion:s.upstreamVersion}}),a=a.union(u.fromCidrs(4,s.ipv4)),l=l.union(u.fromCidrs(6,s.ipv6))}return{feeds:p,ipv4:a.toCidrs(),ipv6:l.toCidrs()}}async function G(n,t){let r=R(n,P,O,t);if(r===void 0)return h;let{values:e,positionals:f}=r,a=e.format;if(a===void 0)throw new d("--format is required");if(!F(a))throw new d(`unknown format '${a}'; 'allowlist-sync formats' lists them`);if(e.from===void 0&&f.length===0)throw new d("name at least one feed, or --from FILE");if(e.from!==void 0&&f.length>0)throw new d("give feeds or --from FILE, not both");if(e.into!==void 0&&!x(a).lineOriented)throw new d(`--into needs a line-oriented format; '${a}' is a whole file`);let l;try{l=(e.port??[]).map(L)}catch(o){throw new d(o.message,{cause:o})}let p=_(e),i=S(e.limit),s;if(e.from!==void 0){let o=await C(t,e.from);s={feeds:[{id:D(e.from),source:e.from}],...o}}else{let o=await U(t,f);if(typeof o=="string")return t.stderr(`${o}
`),g;s=o}let E=e.removed===void 0?void 0:await C(t,e.removed),c=e.into===void 0?void 0:await j(t,e.into),m;try{m=M(a,s,{ports:l,...e.name===void 0?{}:{name:e.name},...e.comment===void 0?{}:{comment:e.comment},...E===void 0?{}:{removed:E},...p===void 0?{}:{ipStrategy:p},...i===void 0?{}:{limits:i},...c===void 0?{}:{previous:c},...e.table===void 0?{}:{table:e.table},...e["no-exempt-loopback"]===!0?{exemptLoopback:!1}:{},...e["exempt-private"]===!0?{exemptPrivate:!0}:{}}),c!==void 0&&(m=N(c,m,{format:a,force:e.force}))}catch(o){if(!(o instanceof T))throw o;if(o.code==="ERR_RENDER_LIMIT"||o.code==="ERR_RENDER_EMPTY")return t.stderr(`allowlist-sync render: ${o.message}
`),g;throw e.into!==void 0&&(o.line!==void 0||o.code==="ERR_RENDER_NO_BLOCK")?new w(X(e.into,o),{cause:o}):new d(o.message,{cause:o})}return t.stdout(m),h}async function j(n,t){try{return await n.readText(t)}catch(r){return r instanceof Error&&"code"in r&&r.code==="ENOENT"?"":y(n,t)}}function X(n,t){let[r="",...e]=t.message.replace(/^line \d+: /,"").split(`
`);return[`${n}${t.line===void 0?"":`:${t.line}`}: ${r}`,...e]}export{G as run};
