import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as I}from"./chunk-LRQXWQLN.js";import{d as A,f as O}from"./chunk-3DZQJGRA.js";import{a as g,b as k,e as f,f as p,h as R,j as E,o as S}from"./chunk-RXGGB43N.js";import"./chunk-6THULLUP.js";var F=`allowlist-sync fetch: fetch feeds, guard them, print snapshots

Usage: allowlist-sync fetch FEED... [--json] [--previous SNAPSHOT.json] [options]

Fetches each FEED (ids from 'allowlist-sync feeds'; each upstream URL once), runs the guards
(HTTP error, HTML instead of a list, unparseable body, schema drift, invalid entries, 0.0.0.0/0,
empty lists, special-purpose space, prefixes broader than the feed's limit) and prints the
canonical snapshot. With --previous, the snapshot is versioned after the previous one and the
change (+ added, - removed) is printed too.
A refusal prints 'refused: <guard>: <feed>: <reason>' on stderr and exits 1; the previous
snapshot (if given) is then printed unchanged.
A well-formed list that removes more than the limit, or more than doubles a family (by more
than a /16 of IPv4 or a /40 of IPv6), is held, not refused: it is printed as the new snapshot
('held (<guard>), applied'; in --json an outcome of kind "held" with its "candidate"), exit 0,
and 'held: <guard>: <feed>: <reason>' on stderr says to review it before you apply it.

Options:
  --json                    print { outcomes, unknownKeys } as JSON (outcome: kind, snapshot
                            or candidate, change, guard, reason, notes)
  --previous FILE           earlier snapshot(s): one Snapshot, an array of them, or the output
                            of 'fetch --json'
  --allow-mass-removal      a change that removes more than the limit is a plain change
  --allow-mass-addition     a change that more than doubles a family is a plain change
  --max-removal-share N     the removal limit, 0..1 of one family's addresses (default 0.5)
  --timeout MS              per request (default 10000)
  --max-bytes N             largest body accepted (default 8388608)

Environment:
  UPSTREAM_MIRROR   fetch https://HOST/PATH from $UPSTREAM_MIRROR/HOST/PATH instead
  GITHUB_TOKEN      sent as a bearer token to https://api.github.com only

Examples:
  allowlist-sync fetch github/hooks coolify/cloud
  allowlist-sync fetch github/actions --json > actions.json
  allowlist-sync fetch github/actions --previous actions.json
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync fetch aws/CLOUDFRONT aws/EC2@us-east-1
`,N={json:{type:"boolean"},previous:{type:"string"},"allow-mass-removal":{type:"boolean"},"allow-mass-addition":{type:"boolean"},"max-removal-share":{type:"string"},timeout:{type:"string"},"max-bytes":{type:"string"}};function y(n,e,a,t){if(e===void 0)return;let s=Number(e);if(e.trim()===""||!Number.isFinite(s)||s<a||s>t)throw new f(`--${n} ${JSON.stringify(e)}: expected a number from ${a} to ${t}`);return s}function P(n){if(typeof n!="object"||n===null)return!1;let e=n;return typeof e.feed=="string"&&Number.isInteger(e.version)&&typeof e.sha256=="string"&&typeof e.fetchedAt=="string"&&typeof e.changedAt=="string"&&typeof e.source=="string"&&Array.isArray(e.ipv4)&&e.ipv4.every(a=>typeof a=="string")&&Array.isArray(e.ipv6)&&e.ipv6.every(a=>typeof a=="string")}async function M(n,e){let a=await R(n,e),t;try{t=JSON.parse(a)}catch(r){throw new p([`${e}: not JSON (${r.message})`],{cause:r})}let s;if(Array.isArray(t))s=t;else if(typeof t=="object"&&t!==null&&"outcomes"in t){let r=t.outcomes;if(!Array.isArray(r))throw new p([`${e}: "outcomes" is not an array`]);s=r.map(h=>{let d=h;return d.snapshot??d.candidate??d.previous})}else s=[t];let i={};return s.forEach((r,h)=>{if(r!==void 0){if(!P(r))throw new p([`${e}: item ${h+1}: not a snapshot (needs feed, version, sha256, fetchedAt, changedAt, source, ipv4, ipv6)`]);for(let[d,c]of[[4,r.ipv4],[6,r.ipv6]])try{S.fromCidrs(d,c)}catch(l){throw new p([`${e}: item ${h+1} (${r.feed}): ipv${d}: ${l.message}`],{cause:l})}i[r.feed]=r}}),i}function j(n){return n.kind==="refused"?n.previous:n.kind==="held"?n.candidate:n.snapshot}function x(n){let e=j(n),a=[];if(e){let t=n.kind==="refused"?"kept (refused)":n.kind==="held"?`held (${n.guard}), applied`:n.kind==="unchanged"?`unchanged${n.notModified?" (304)":""}`:"changed";a.push(`# ${e.feed} version ${e.version} ${t}: ${e.ipv4.length} IPv4 + ${e.ipv6.length} IPv6 CIDRs`,`# sha256 ${e.sha256} changed ${e.changedAt} fetched ${e.fetchedAt}`,`# source ${e.source}`,...[e.ipv4,e.ipv6].filter(s=>s.length>0).map(s=>s.join(`
`)))}if((n.kind==="changed"||n.kind==="held")&&n.change.previousVersion>0){let{added:t,removed:s}=n.change;a.push(`# change ${n.change.previousVersion} -> ${n.change.version}: +${t.ipv4.length+t.ipv6.length} -${s.ipv4.length+s.ipv6.length}`,...[t.ipv4,t.ipv6,s.ipv4,s.ipv6].flatMap((i,r)=>i.length>0?[`${r<2?"+":"-"} ${i.join(`
${r<2?"+":"-"} `)}`]:[]))}for(let t of n.notes)a.push(`# note: ${t.message}`);return a.length>0?`${a.join(`
`)}
`:""}async function C(n,e){let a=E(n,N,F,e);if(!a)return g;let{values:t,positionals:s}=a;if(s.length===0)throw new f("name at least one FEED");let i=[];for(let o of s){let u=A(o);if(!u)throw new f(`unknown feed '${o}' (see 'allowlist-sync feeds')`);i.some(T=>T.id===u.id)||i.push(u)}let r=y("max-removal-share",t["max-removal-share"],0,1),h=y("timeout",t.timeout,1,6e5),d=y("max-bytes",t["max-bytes"],1,1<<30),c=t.previous?await M(e,t.previous):{},l=e.env.UPSTREAM_MIRROR||void 0,v=e.env.GITHUB_TOKEN||void 0,w;try{w=await O(i,{fetch:e.fetch,now:e.now,previous:c,...l?{mirror:l}:{},...v?{githubToken:v}:{},guards:{...r!==void 0?{maxRemovalShare:r}:{},...t["allow-mass-removal"]?{allowMassRemoval:!0}:{},...t["allow-mass-addition"]?{allowMassAddition:!0}:{},...h!==void 0?{timeoutMs:h}:{},...d!==void 0?{maxBodyBytes:d}:{}}})}catch(o){throw o instanceof TypeError&&"code"in o&&o.code==="ERR_MIRROR"?new f(o.message,{cause:o}):o}let{outcomes:m,unknownKeys:$}=w;if(t.json)e.stdout(`${JSON.stringify({outcomes:m,unknownKeys:$},null,2)}
`);else for(let o of m)e.stdout(x(o));for(let{url:o,key:u}of $)e.stderr(`note: ${o} has a key the catalogue does not know: ${JSON.stringify(u)}
`);let b=!1;for(let o of m)o.kind==="refused"?(b=!0,e.stderr(`refused: ${o.guard}: ${o.feed}: ${o.reason}
`)):o.kind==="held"&&e.stderr(I(o));return b?k:g}export{C as run};
