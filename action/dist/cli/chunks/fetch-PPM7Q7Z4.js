import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{b as k,f as A}from"./chunk-XWSNJIE7.js";import{e as O}from"./chunk-DPOKIOFY.js";import{a as g,b as E,d as f,e as p,g as b,i as S}from"./chunk-2CLMR2M4.js";import"./chunk-6THULLUP.js";var I=`allowlist-sync fetch: fetch feeds, guard them, print snapshots

Usage: allowlist-sync fetch FEED... [--json] [--previous SNAPSHOT.json] [options]

Fetches each FEED (ids from 'allowlist-sync feeds'; each upstream URL once), runs the guards
(HTTP error, HTML instead of a list, unparseable body, schema drift, invalid entries, 0.0.0.0/0,
empty lists, removals beyond the limit) and prints the canonical snapshot. With --previous, the
snapshot is versioned after the previous one and the change (+ added, - removed) is printed too.
A refusal prints 'refused: <guard>: <feed>: <reason>' on stderr and exits 1; the previous
snapshot (if given) is then printed unchanged.

Options:
  --json                    print { outcomes, unknownKeys } as JSON (outcome: kind, snapshot,
                            change, guard, reason, notes)
  --previous FILE           earlier snapshot(s): one Snapshot, an array of them, or the output
                            of 'fetch --json'
  --allow-mass-removal      accept a change that removes more than the limit
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
`,F={json:{type:"boolean"},previous:{type:"string"},"allow-mass-removal":{type:"boolean"},"max-removal-share":{type:"string"},timeout:{type:"string"},"max-bytes":{type:"string"}};function v(s,e,o,n){if(e===void 0)return;let r=Number(e);if(e.trim()===""||!Number.isFinite(r)||r<o||r>n)throw new f(`--${s} ${JSON.stringify(e)}: expected a number from ${o} to ${n}`);return r}function N(s){if(typeof s!="object"||s===null)return!1;let e=s;return typeof e.feed=="string"&&Number.isInteger(e.version)&&typeof e.sha256=="string"&&typeof e.fetchedAt=="string"&&typeof e.changedAt=="string"&&typeof e.source=="string"&&Array.isArray(e.ipv4)&&e.ipv4.every(o=>typeof o=="string")&&Array.isArray(e.ipv6)&&e.ipv6.every(o=>typeof o=="string")}async function P(s,e){let o=await b(s,e),n;try{n=JSON.parse(o)}catch(a){throw new p([`${e}: not JSON (${a.message})`],{cause:a})}let r;if(Array.isArray(n))r=n;else if(typeof n=="object"&&n!==null&&"outcomes"in n){let a=n.outcomes;if(!Array.isArray(a))throw new p([`${e}: "outcomes" is not an array`]);r=a.map(u=>{let d=u;return d.snapshot??d.previous})}else r=[n];let i={};return r.forEach((a,u)=>{if(a!==void 0){if(!N(a))throw new p([`${e}: item ${u+1}: not a snapshot (needs feed, version, sha256, fetchedAt, changedAt, source, ipv4, ipv6)`]);for(let[d,l]of[[4,a.ipv4],[6,a.ipv6]])try{O.fromCidrs(d,l)}catch(c){throw new p([`${e}: item ${u+1} (${a.feed}): ipv${d}: ${c.message}`],{cause:c})}i[a.feed]=a}}),i}function M(s){let e=s.kind==="refused"?s.previous:s.snapshot,o=[];if(e){let n=s.kind==="refused"?"kept (refused)":s.kind==="unchanged"?`unchanged${s.notModified?" (304)":""}`:"changed";o.push(`# ${e.feed} version ${e.version} ${n}: ${e.ipv4.length} IPv4 + ${e.ipv6.length} IPv6 CIDRs`,`# sha256 ${e.sha256} changed ${e.changedAt} fetched ${e.fetchedAt}`,`# source ${e.source}`,...e.ipv4,...e.ipv6)}if(s.kind==="changed"&&s.change.previousVersion>0){let{added:n,removed:r}=s.change;o.push(`# change ${s.change.previousVersion} -> ${s.change.version}: +${n.ipv4.length+n.ipv6.length} -${r.ipv4.length+r.ipv6.length}`,...[...n.ipv4,...n.ipv6].map(i=>`+ ${i}`),...[...r.ipv4,...r.ipv6].map(i=>`- ${i}`))}for(let n of s.notes)o.push(`# note: ${n.message}`);return o.length>0?`${o.join(`
`)}
`:""}async function U(s,e){let o=S(s,F,I,e);if(!o)return g;let{values:n,positionals:r}=o;if(r.length===0)throw new f("name at least one FEED");let i=[];for(let t of r){let h=k(t);if(!h)throw new f(`unknown feed '${t}' (see 'allowlist-sync feeds')`);i.some(T=>T.id===h.id)||i.push(h)}let a=v("max-removal-share",n["max-removal-share"],0,1),u=v("timeout",n.timeout,1,6e5),d=v("max-bytes",n["max-bytes"],1,1<<30),l=n.previous?await P(e,n.previous):{},c=e.env.UPSTREAM_MIRROR||void 0,y=e.env.GITHUB_TOKEN||void 0,w;try{w=await A(i,{fetch:e.fetch,now:e.now,previous:l,...c?{mirror:c}:{},...y?{githubToken:y}:{},guards:{...a!==void 0?{maxRemovalShare:a}:{},...n["allow-mass-removal"]?{allowMassRemoval:!0}:{},...u!==void 0?{timeoutMs:u}:{},...d!==void 0?{maxBodyBytes:d}:{}}})}catch(t){throw t instanceof TypeError&&"code"in t&&t.code==="ERR_MIRROR"?new f(t.message,{cause:t}):t}let{outcomes:m,unknownKeys:$}=w;if(n.json)e.stdout(`${JSON.stringify({outcomes:m,unknownKeys:$},null,2)}
`);else for(let t of m)e.stdout(M(t));for(let{url:t,key:h}of $)e.stderr(`note: ${t} has a key the catalogue does not know: ${JSON.stringify(h)}
`);let R=!1;for(let t of m)t.kind==="refused"&&(R=!0,e.stderr(`refused: ${t.guard}: ${t.feed}: ${t.reason}
`));return R?E:g}export{U as run};
