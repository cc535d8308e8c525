import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as C}from"./chunk-KD2MTDN6.js";import{b as $}from"./chunk-QZAUAZC5.js";import{a as A}from"./chunk-LRQXWQLN.js";import{Q as w,R as y,U as a,V as b,X as E,Z as L,b as p,c as R,i as k,q as F,r as v,s as x,t as T,u as N,v as g,w as M}from"./chunk-JDOWSJEP.js";import"./chunk-OB3JV4II.js";import _ from"node:path";var P=`Usage: allowlist-sync render FEED... --format FORMAT [options]
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
  --timeout DURATION   per feed request: 30s, 2m, 500ms; a bare number is seconds (default
                       10s; --timeout-ms N is the deprecated spelling)

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
`,S={format:{type:"string"},port:{type:"string",multiple:!0},name:{type:"string"},comment:{type:"string"},into:{type:"string"},force:{type:"boolean",default:!1},from:{type:"string"},removed:{type:"string"},"ip-strategy-depth":{type:"string"},"ip-strategy-exclude":{type:"string",multiple:!0},limit:{type:"string",multiple:!0},table:{type:"string"},"no-exempt-loopback":{type:"boolean"},"exempt-private":{type:"boolean"},timeout:{type:"string"},"timeout-ms":{type:"string"}},D={min:1,max:6e5};function U(n){let t=n["ip-strategy-depth"],r=n["ip-strategy-exclude"];if(!(t===void 0&&r===void 0)){if(t!==void 0&&!/^\d+$/.test(t))throw new a(`--ip-strategy-depth '${t}' is not a whole number`);return{...t===void 0?{}:{depth:Number(t)},...r===void 0?{}:{excludedIPs:r}}}}function j(n){if(n===void 0)return;let t={};for(let r of n){let e=/^(\w+)=(\d+)$/.exec(r);if(e===null||!(e[1]in g))throw new a(`--limit '${r}' is not NAME=N with NAME one of ${Object.keys(g).join(", ")}`);t[e[1]]=Number(e[2])}return t}async function O(n,t){let r=R(await E(n,t));if(r.rejected.length>0)throw new b(r.rejected.map(e=>`${t}:${e.line}: ${e.reason}`));return{ipv4:r.ipv4.toCidrs(),ipv6:r.ipv6.toCidrs()}}function X(n){return`file/${(n==="-"?"stdin":_.basename(n).replace(/[^A-Za-z0-9._-]/g,"_")).replace(/^[._-]+/,"")||"list"}`}async function q(n,t,r){let{refused:e,usable:l}=await C(n,t,{unknownFeed:i=>new a(`unknown feed '${i}'; 'allowlist-sync feeds' lists them`),timeoutMs:r});if(e.length>0)return e.map(i=>`${i.feed}: refused (${i.guard}): ${i.reason}`).join(`
`);let s=p.empty(4),d=p.empty(6),f=[];for(let{snapshot:i,held:m}of l)m&&n.stderr(A(m)),f.push({id:i.feed,sha256:i.sha256,source:i.source,...i.upstreamVersion===void 0?{}:{upstreamVersion:i.upstreamVersion}}),s=s.union(p.fromCidrs(4,i.ipv4)),d=d.union(p.fromCidrs(6,i.ipv6));return{feeds:f,ipv4:s.toCidrs(),ipv6:d.toCidrs()}}async function Z(n,t){let r=L(n,S,P,t);if(r===void 0)return w;let{values:e,positionals:l}=r,s=e.format;if(s===void 0)throw new a("--format is required");if(!F(s))throw new a(`unknown format '${s}'; 'allowlist-sync formats' lists them`);if(e.from===void 0&&l.length===0)throw new a("name at least one feed, or --from FILE");if(e.from!==void 0&&l.length>0)throw new a("give feeds or --from FILE, not both");if(e.into!==void 0&&!v(s).lineOriented)throw new a(`--into needs a line-oriented format; '${s}' is a whole file`);let d;try{d=(e.port??[]).map(N)}catch(o){throw new a(k(o),{cause:o})}let f=U(e),i=j(e.limit),m=$(e,D,t),h;if(e.from!==void 0){let o=await O(t,e.from);h={feeds:[{id:X(e.from),source:e.from}],...o}}else{let o=await q(t,l,m);if(typeof o=="string")return t.stderr(`${o}
`),y;h=o}let I=e.removed===void 0?void 0:await O(t,e.removed),u=e.into===void 0?void 0:await V(t,e.into),c;try{c=M(s,h,{ports:d,...e.name===void 0?{}:{name:e.name},...e.comment===void 0?{}:{comment:e.comment},...I===void 0?{}:{removed:I},...f===void 0?{}:{ipStrategy:f},...i===void 0?{}:{limits:i},...u===void 0?{}:{previous:u},...e.table===void 0?{}:{table:e.table},...e["no-exempt-loopback"]===!0?{exemptLoopback:!1}:{},...e["exempt-private"]===!0?{exemptPrivate:!0}:{}}),u!==void 0&&(c=T(u,c,{format:s,force:e.force}))}catch(o){if(!(o instanceof x))throw o;if(o.code==="ERR_RENDER_LIMIT"||o.code==="ERR_RENDER_EMPTY")return t.stderr(`allowlist-sync render: ${o.message}
`),y;throw e.into!==void 0&&(o.line!==void 0||o.code==="ERR_RENDER_NO_BLOCK")?new b(B(e.into,o),{cause:o}):new a(o.message,{cause:o})}return t.stdout(c),w}async function V(n,t){try{return await n.readText(t)}catch(r){return r instanceof Error&&"code"in r&&r.code==="ENOENT"?"":E(n,t)}}function B(n,t){let[r="",...e]=t.message.replace(/^line \d+: /,"").split(`
`);return[`${n}${t.line===void 0?"":`:${t.line}`}: ${r}`,...e]}export{Z as run};
