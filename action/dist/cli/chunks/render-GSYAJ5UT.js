import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as $}from"./chunk-FLBYI73P.js";import{a as C}from"./chunk-LRQXWQLN.js";import{b as L}from"./chunk-E7TBBAZE.js";import{l as v,m as F,n as x,o as T,p as N,q as b,r as M}from"./chunk-YQMDD5ZQ.js";import"./chunk-HAUC4HTP.js";import{g as m,h as k}from"./chunk-263REDIM.js";import{a as I,b as p,c as a,d as w,f as y,h as R}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";import O from"node:path";var P=`Usage: allowlist-sync render FEED... --format FORMAT [options]
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
`,S={format:{type:"string"},port:{type:"string",multiple:!0},name:{type:"string"},comment:{type:"string"},into:{type:"string"},force:{type:"boolean",default:!1},from:{type:"string"},removed:{type:"string"},"ip-strategy-depth":{type:"string"},"ip-strategy-exclude":{type:"string",multiple:!0},limit:{type:"string",multiple:!0},table:{type:"string"},"no-exempt-loopback":{type:"boolean"},"exempt-private":{type:"boolean"},timeout:{type:"string"},"timeout-ms":{type:"string"}},_={min:1,max:6e5};function D(n){let t=n["ip-strategy-depth"],r=n["ip-strategy-exclude"];if(!(t===void 0&&r===void 0)){if(t!==void 0&&!/^\d+$/.test(t))throw new a(`--ip-strategy-depth '${t}' is not a whole number`);return{...t===void 0?{}:{depth:Number(t)},...r===void 0?{}:{excludedIPs:r}}}}function U(n){if(n===void 0)return;let t={};for(let r of n){let e=/^(\w+)=(\d+)$/.exec(r);if(e===null||!(e[1]in b))throw new a(`--limit '${r}' is not NAME=N with NAME one of ${Object.keys(b).join(", ")}`);t[e[1]]=Number(e[2])}return t}async function A(n,t){let r=k(await y(n,t));if(r.rejected.length>0)throw new w(r.rejected.map(e=>`${t}:${e.line}: ${e.reason}`));return{ipv4:r.ipv4.toCidrs(),ipv6:r.ipv6.toCidrs()}}function j(n){return`file/${(n==="-"?"stdin":O.basename(n).replace(/[^A-Za-z0-9._-]/g,"_")).replace(/^[._-]+/,"")||"list"}`}async function X(n,t,r){let{refused:e,usable:l}=await $(n,t,{unknownFeed:i=>new a(`unknown feed '${i}'; 'allowlist-sync feeds' lists them`),timeoutMs:r});if(e.length>0)return e.map(i=>`${i.feed}: refused (${i.guard}): ${i.reason}`).join(`
`);let s=m.empty(4),d=m.empty(6),f=[];for(let{snapshot:i,held:u}of l)u&&n.stderr(C(u)),f.push({id:i.feed,sha256:i.sha256,source:i.source,...i.upstreamVersion===void 0?{}:{upstreamVersion:i.upstreamVersion}}),s=s.union(m.fromCidrs(4,i.ipv4)),d=d.union(m.fromCidrs(6,i.ipv6));return{feeds:f,ipv4:s.toCidrs(),ipv6:d.toCidrs()}}async function W(n,t){let r=R(n,S,P,t);if(r===void 0)return p.ok;let{values:e,positionals:l}=r,s=e.format;if(s===void 0)throw new a("--format is required");if(!v(s))throw new a(`unknown format '${s}'; 'allowlist-sync formats' lists them`);if(e.from===void 0&&l.length===0)throw new a("name at least one feed, or --from FILE");if(e.from!==void 0&&l.length>0)throw new a("give feeds or --from FILE, not both");if(e.into!==void 0&&!F(s).lineOriented)throw new a(`--into needs a line-oriented format; '${s}' is a whole file`);let d;try{d=(e.port??[]).map(N)}catch(o){throw new a(I(o),{cause:o})}let f=D(e),i=U(e.limit),u=L(e,_,t),g;if(e.from!==void 0){let o=await A(t,e.from);g={feeds:[{id:j(e.from),source:e.from}],...o}}else{let o=await X(t,l,u);if(typeof o=="string")return t.stderr(`${o}
`),p.refused;g=o}let E=e.removed===void 0?void 0:await A(t,e.removed),c=e.into===void 0?void 0:await q(t,e.into),h;try{h=M(s,g,{ports:d,...e.name===void 0?{}:{name:e.name},...e.comment===void 0?{}:{comment:e.comment},...E===void 0?{}:{removed:E},...f===void 0?{}:{ipStrategy:f},...i===void 0?{}:{limits:i},...c===void 0?{}:{previous:c},...e.table===void 0?{}:{table:e.table},...e["no-exempt-loopback"]===!0?{exemptLoopback:!1}:{},...e["exempt-private"]===!0?{exemptPrivate:!0}:{}}),c!==void 0&&(h=T(c,h,{format:s,force:e.force}))}catch(o){if(!(o instanceof x))throw o;if(o.code==="ERR_RENDER_LIMIT"||o.code==="ERR_RENDER_EMPTY")return t.stderr(`allowlist-sync render: ${o.message}
`),p.refused;throw e.into!==void 0&&(o.line!==void 0||o.code==="ERR_RENDER_NO_BLOCK")?new w(V(e.into,o),{cause:o}):new a(o.message,{cause:o})}return t.stdout(h),p.ok}async function q(n,t){try{return await n.readText(t)}catch(r){return r instanceof Error&&"code"in r&&r.code==="ENOENT"?"":y(n,t)}}function V(n,t){let[r="",...e]=t.message.replace(/^line \d+: /,"").split(`
`);return[`${n}${t.line===void 0?"":`:${t.line}`}: ${r}`,...e]}export{W as run};
