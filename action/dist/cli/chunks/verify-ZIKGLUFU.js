import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{A as j,B as k,C as A,D as M,E as N,F as U,b as x,f as S,p as v,s as O,t as R,v as b,w as T,y as F,z as L}from"./chunk-XWSNJIE7.js";import{f as P}from"./chunk-DPOKIOFY.js";import{a as I,c as $,d as r,e as w,g as h,i as C}from"./chunk-2CLMR2M4.js";import"./chunk-6THULLUP.js";var q="0.1.0",G=`Usage: allowlist-sync verify --policy PRESET|FILE --config FILE... [options]

Checks firewall configs against a port policy: which ports are reachable, from which sources
(exactly: first match, jumps and returns, default policies, connection state), against what
the policy requires, allows and forbids. Each config's format is detected from its content:
  ${F.join(", ")}
Configs are layered: a packet must pass every host firewall (nftables, iptables, ufw), Docker's
published ports bypass the host's INPUT rules (only DOCKER-USER restricts them), and a cloud
firewall (AWS security groups) applies on top. Feeds a policy names (feed:coolify/cloud) are
fetched (honouring UPSTREAM_MIRROR) unless --feed-file supplies them.

Options:
  --policy PRESET|FILE   a preset ('allowlist-sync policies' lists them) or a YAML/JSON policy file
  --config FILE          a firewall config, repeatable ('-' reads stdin)
  --config-format F      force the format: once for every config, or once per --config, in order
  --feed-file ID=FILE    a feed's CIDRs from FILE (one a line) instead of fetching it; repeatable
  --format FMT           text (default), json or sarif (SARIF 2.1.0 for GitHub code scanning)

Exit codes: 0 compliant (warnings and notes allowed), 1 violations, 2 usage or unreadable input.

Examples:
  allowlist-sync verify --policy oec --config /etc/ufw/user.rules --config /etc/ufw/user6.rules
  iptables-save | allowlist-sync verify --policy web-minimal --config -
  allowlist-sync verify --policy coolify-self-hosted --config rules.nft --config docker-compose.yml
  allowlist-sync verify --policy coolify-cloud --config sg.json --feed-file coolify/cloud=cloud.txt
  allowlist-sync verify --policy my-policy.yml --config rules.v4 --format sarif > policy.sarif
`,J={policy:{type:"string"},config:{type:"string",multiple:!0},"config-format":{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0},format:{type:"string"}};function _(i){if(i instanceof v){let t=i.message;throw new w([i.line!==void 0&&!t.includes(`:${i.line}:`)?`${i.file??""}:${i.line}: ${t}`:t],{cause:i})}throw i}async function H(i,t){if(O(t))return R(t);if(!/[./\\]/.test(t))throw new r(`'${t}' is neither a preset nor a file name; 'allowlist-sync policies' lists the presets`);let c=await h(i,t);try{return b(c,t)}catch(o){return _(o)}}async function K(i,t,c){let o=new Map;for(let e of c){let n=e.indexOf("=");if(n<=0)throw new r(`--feed-file '${e}': expected ID=FILE`);let u=e.slice(0,n),y=e.slice(n+1),a=P(await h(i,y));if(a.rejected.length>0)throw new w(a.rejected.map(g=>`${y}:${g.line}: ${g.reason}`));o.set(u,{ipv4:a.ipv4,ipv6:a.ipv6})}let d=T(t).filter(e=>!o.has(e));if(d.length===0)return o;let p=d.map(e=>{let n=x(e);if(n===void 0)throw new r(`the policy names feed '${e}', which is not in the catalogue: supply it with --feed-file ${e}=FILE`);return n}),{outcomes:f}=await S(p,{fetch:i.fetch,now:i.now,mirror:i.env.UPSTREAM_MIRROR||void 0,githubToken:i.env.GITHUB_TOKEN||void 0}),l=f.filter(e=>e.kind==="refused");if(l.length>0)throw new w(l.map(e=>`${e.feed}: cannot verify without this feed: refused (${e.kind==="refused"?`${e.guard}): ${e.reason}`:")"}`));for(let e of f){if(e.kind==="refused")continue;let n=[...e.snapshot.ipv4],u=[...e.snapshot.ipv6];o.set(e.feed,{ipv4:{toCidrs:()=>n},ipv6:{toCidrs:()=>u}})}return o}async function B(i,t){let c=C(i,J,G,t);if(c===void 0)return I;let{values:o,positionals:d}=c;if(d.length>0)throw new r(`unexpected '${d[0]}' (configs go after --config)`);if(o.policy===void 0)throw new r("--policy is required");let p=o.config??[];if(p.length===0)throw new r("name at least one --config FILE");let f=o.format??"text";if(f!=="text"&&f!=="json"&&f!=="sarif")throw new r(`--format '${f}': expected text, json or sarif`);let l=o["config-format"]??[];for(let s of l)if(!L(s))throw new r(`--config-format '${s}': expected one of ${F.join(", ")}`);if(l.length>1&&l.length!==p.length)throw new r("give --config-format once, or once per --config");let e=s=>l.length===1?l[0]:l[s],n=await H(t,o.policy),u=await Promise.all(p.map(async(s,D)=>{let E=e(D);return{file:s,text:await h(t,s),...E?{format:E}:{}}})),y;try{y=j(u)}catch(s){return _(s)}let a=await K(t,n,o["feed-file"]??[]),g;try{g=k(n,y,{feedSets:a})}catch(s){if(s instanceof v)return t.stderr(`allowlist-sync verify: ${s.message}
`),$;throw s}let{findings:m}=g;return f==="json"?t.stdout(`${JSON.stringify(M(m,n),null,2)}
`):f==="sarif"?t.stdout(`${JSON.stringify(U(m,{toolVersion:q,policy:n}),null,2)}
`):t.stdout(A(m,n)),N(m)}export{q as TOOL_VERSION,B as run};
