import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as k}from"./chunk-FLBYI73P.js";import{a as S}from"./chunk-LRQXWQLN.js";import{b}from"./chunk-E7TBBAZE.js";import{i as $}from"./chunk-YQMDD5ZQ.js";import"./chunk-HAUC4HTP.js";import{g as w}from"./chunk-263REDIM.js";import{a as g,b as f,c as m,d as u,f as v,h as y}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";var A=`allowlist-sync fetch: fetch feeds, guard them, print snapshots

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
  --timeout DURATION        per request: 30s, 2m, 500ms; a bare number is seconds
                            (default 10s; --timeout-ms N is the deprecated spelling)
  --max-bytes N             largest body accepted (default 8388608)

Environment:
  UPSTREAM_MIRROR   fetch https://HOST/PATH from $UPSTREAM_MIRROR/HOST/PATH instead
  GITHUB_TOKEN      sent as a bearer token to https://api.github.com only

Examples:
  allowlist-sync fetch github/hooks coolify/cloud
  allowlist-sync fetch github/actions --json > actions.json
  allowlist-sync fetch github/actions --previous actions.json
  UPSTREAM_MIRROR=http://127.0.0.1:8080 allowlist-sync fetch aws/CLOUDFRONT aws/EC2@us-east-1
`,E={json:{type:"boolean"},previous:{type:"string"},"allow-mass-removal":{type:"boolean"},"allow-mass-addition":{type:"boolean"},"max-removal-share":{type:"string"},timeout:{type:"string"},"timeout-ms":{type:"string"},"max-bytes":{type:"string"}};function O(n,e,a,s){if(e===void 0)return;let t=Number(e);if(e.trim()===""||!Number.isFinite(t)||t<a||t>s)throw new m(`--${n} ${JSON.stringify(e)}: expected a number from ${a} to ${s}`);return t}async function I(n,e){let a=await v(n,e),s;try{s=JSON.parse(a)}catch(r){throw new u([`${e}: not JSON (${g(r)})`],{cause:r})}let t;if(Array.isArray(s))t=s;else if(typeof s=="object"&&s!==null&&"outcomes"in s){let r=s.outcomes;if(!Array.isArray(r))throw new u([`${e}: "outcomes" is not an array`]);t=r.map(l=>{let h=l;return h.snapshot??h.candidate??h.previous})}else t=[s];let d={};return t.forEach((r,l)=>{if(r===void 0)return;let h=$.safeParse(r);if(!h.success)throw new u([`${e}: item ${l+1}: not a snapshot (needs feed, version, sha256, fetchedAt, changedAt, source, ipv4, ipv6)`]);let i=h.data;for(let[p,c]of[[4,i.ipv4],[6,i.ipv6]])try{w.fromCidrs(p,c)}catch(o){throw new u([`${e}: item ${l+1} (${i.feed}): ipv${p}: ${g(o)}`],{cause:o})}d[i.feed]=i}),d}function N(n){return n.kind==="refused"?n.previous:n.kind==="held"?n.candidate:n.snapshot}function P(n){let e=N(n),a=[];if(e){let s=n.kind==="refused"?"kept (refused)":n.kind==="held"?`held (${n.guard}), applied`:n.kind==="unchanged"?`unchanged${n.notModified?" (304)":""}`:"changed";a.push(`# ${e.feed} version ${e.version} ${s}: ${e.ipv4.length} IPv4 + ${e.ipv6.length} IPv6 CIDRs`,`# sha256 ${e.sha256} changed ${e.changedAt} fetched ${e.fetchedAt}`,`# source ${e.source}`,...[e.ipv4,e.ipv6].filter(t=>t.length>0).map(t=>t.join(`
`)))}if((n.kind==="changed"||n.kind==="held")&&n.change.previousVersion>0){let{added:s,removed:t}=n.change;a.push(`# change ${n.change.previousVersion} -> ${n.change.version}: +${s.ipv4.length+s.ipv6.length} -${t.ipv4.length+t.ipv6.length}`,...[s.ipv4,s.ipv6,t.ipv4,t.ipv6].flatMap((d,r)=>d.length>0?[`${r<2?"+":"-"} ${d.join(`
${r<2?"+":"-"} `)}`]:[]))}for(let s of n.notes)a.push(`# note: ${s.message}`);return a.length>0?`${a.join(`
`)}
`:""}async function H(n,e){let a=y(n,E,A,e);if(!a)return f.ok;let{values:s,positionals:t}=a;if(t.length===0)throw new m("name at least one FEED");let d=O("max-removal-share",s["max-removal-share"],0,1),r=b(s,{min:1,max:6e5},e),l=O("max-bytes",s["max-bytes"],1,1<<30),h=s.previous?await I(e,s.previous):{},{outcomes:i,unknownKeys:p}=await k(e,t,{unknownFeed:o=>new m(`unknown feed '${o}' (see 'allowlist-sync feeds')`),timeoutMs:r,previous:h,guards:{...d!==void 0?{maxRemovalShare:d}:{},...s["allow-mass-removal"]?{allowMassRemoval:!0}:{},...s["allow-mass-addition"]?{allowMassAddition:!0}:{},...l!==void 0?{maxBodyBytes:l}:{}}});if(s.json)e.stdout(`${JSON.stringify({outcomes:i,unknownKeys:p},null,2)}
`);else for(let o of i)e.stdout(P(o));for(let{url:o,key:R}of p)e.stderr(`note: ${o} has a key the catalogue does not know: ${JSON.stringify(R)}
`);let c=!1;for(let o of i)o.kind==="refused"?(c=!0,e.stderr(`refused: ${o.guard}: ${o.feed}: ${o.reason}
`)):o.kind==="held"&&e.stderr(S(o));return c?f.refused:f.ok}export{H as run};
