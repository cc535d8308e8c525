import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{b as R,f as y,h as I,i as v,j as F,k as T,l as _,m as $}from"./chunk-WLKP6R65.js";import{e as E}from"./chunk-XSMHKCMA.js";import{d as l,e as c,g as d,h as p,j as u,l as g}from"./chunk-FQEBFRMC.js";import O from"node:path";var C=`Usage: allowlist-sync render FEED... --format FORMAT [options]
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

Exit codes: 0 printed, 1 refused (a feed guard said no, or a platform limit), 2 usage or input.

Examples:
  allowlist-sync render github/hooks --format nftables --port 443/tcp
  allowlist-sync render coolify/cloud --format ufw --port 22 --port 8000/tcp
  allowlist-sync render github/hooks --format nginx --into /etc/nginx/snippets/hooks.conf
  allowlist-sync render --from office.txt --format caddy --name office
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync render github/hooks --format json
`,L={format:{type:"string"},port:{type:"string",multiple:!0},name:{type:"string"},comment:{type:"string"},into:{type:"string"},from:{type:"string"},removed:{type:"string"}};async function M(s,n){let a=E(await u(s,n));if(a.rejected.length>0)throw new p(a.rejected.map(e=>`${n}:${e.line}: ${e.reason}`));return{ipv4:a.ipv4.toCidrs(),ipv6:a.ipv6.toCidrs()}}function b(s){return`file/${(s==="-"?"stdin":O.basename(s).replace(/[^A-Za-z0-9._-]/g,"_")).replace(/^[._-]+/,"")||"list"}`}async function k(s,n){let a=n.map(r=>{let o=R(r);if(o===void 0)throw new d(`unknown feed '${r}'; 'allowlist-sync feeds' lists them`);return o}),{outcomes:e}=await y(a,{fetch:s.fetch,now:s.now,mirror:s.env.UPSTREAM_MIRROR||void 0,githubToken:s.env.GITHUB_TOKEN||void 0}),f=e.filter(r=>r.kind==="refused");if(f.length>0)return f.map(r=>`${r.feed}: refused (${r.guard}): ${r.reason}`).join(`
`);let i={feeds:[],ipv4:[],ipv6:[]};for(let r of e){if(r.kind==="refused")continue;let o=r.snapshot;i.feeds.push({id:o.feed,version:String(o.version),sha256:o.sha256,source:o.source}),i.ipv4.push(...o.ipv4),i.ipv6.push(...o.ipv6)}return i}async function D(s,n){let a=g(s,L,C,n);if(a===void 0)return l;let{values:e,positionals:f}=a,i=e.format;if(i===void 0)throw new d("--format is required");if(!I(i))throw new d(`unknown format '${i}'; 'allowlist-sync formats' lists them`);if(e.from===void 0&&f.length===0)throw new d("name at least one feed, or --from FILE");if(e.from!==void 0&&f.length>0)throw new d("give feeds or --from FILE, not both");if(e.into!==void 0&&!v(i).lineOriented)throw new d(`--into needs a line-oriented format; '${i}' is a whole file`);let r;try{r=(e.port??[]).map(_)}catch(t){throw new d(t.message,{cause:t})}let o;if(e.from!==void 0){let t=await M(n,e.from);o={feeds:[{id:b(e.from),source:e.from}],...t}}else{let t=await k(n,f);if(typeof t=="string")return n.stderr(`${t}
`),c;o=t}let h=e.removed===void 0?void 0:await M(n,e.removed),w=e.into===void 0?void 0:await u(n,e.into),m;try{m=$(i,o,{ports:r,...e.name===void 0?{}:{name:e.name},...e.comment===void 0?{}:{comment:e.comment},...h===void 0?{}:{removed:h}}),w!==void 0&&(m=T(w,m,o.feeds.map(t=>t.id)))}catch(t){if(!(t instanceof F))throw t;if(t.code==="ERR_RENDER_LIMIT"||t.code==="ERR_RENDER_EMPTY")return n.stderr(`allowlist-sync render: ${t.message}
`),c;throw t.code==="ERR_RENDER_BLOCK"&&e.into!==void 0?new p([`${e.into}:${t.line??0}: ${t.message.replace(/^line \d+: /,"")}`],{cause:t}):new d(t.message,{cause:t})}return n.stdout(m),l}export{D as run};
