import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as D}from"./chunk-LRQXWQLN.js";import{A as N,B as L,C as M,D as j,E as U,F as _,G as q,c as C,e as P,p as E,s as O,t as S,v as k,w as T,x as A,z as I}from"./chunk-UL4VLGIT.js";import{f as x}from"./chunk-DPOKIOFY.js";import{a as F,c as R,d as a,e as w,g as v,i as $}from"./chunk-2CLMR2M4.js";import"./chunk-6THULLUP.js";var H="0.1.0",K=`Usage: allowlist-sync verify --policy PRESET|FILE --config FILE... [options]

Checks firewall configs against a port policy: which ports are reachable, from which sources
(exactly: first match, jumps and returns, default policies, connection state), against what
the policy requires, allows and forbids. Each config's format is detected from its content:
  ${I.join(", ")}
Configs are layered: a packet must pass every host firewall (nftables, iptables, ufw), Docker's
published ports bypass the host's INPUT rules (only DOCKER-USER restricts them), and a cloud
firewall (AWS security groups) applies on top. Feeds a policy names (feed:coolify/cloud) are
fetched (honouring UPSTREAM_MIRROR) unless --feed-file supplies them; a feed whose new list is
held (a mass removal or addition) is used as published, with a 'held: ...' line on stderr.

Reach is computed for traffic arriving on the interfaces taken as public. Internal by default:
lo, docker*, br-*, veth*, virbr*, lxdbr*, incusbr*, cni*, flannel*, cali*, kube*, tailscale*,
wg*, tun*, tap*, zt*; every other name, and any interface no config names, is public. The
output says which were taken as public. A whole ruleset (nft list ruleset, a complete
iptables-save) without an input chain lets everything in; a file that decides nothing (a
fragment, a file that only includes others) exits 2.

Options:
  --policy PRESET|FILE   a preset ('allowlist-sync policies' lists them) or a YAML/JSON policy file
  --config FILE          a firewall config, repeatable ('-' reads stdin)
  --config-format F      force the format: once for every config, or once per --config, in order
  --feed-file ID=FILE    a feed's CIDRs from FILE (one a line) instead of fetching it; repeatable
  --interface NAME=ROLE  take interface NAME as public or internal, over the policy file's
                         'interfaces' and the defaults; repeatable; NAME may end in * (wg*), and
                         '*' alone stands for every interface nothing else names
  --format FMT           text (default), json or sarif (SARIF 2.1.0 for GitHub code scanning)

Exit codes: 0 compliant (warnings and notes allowed), 1 violations, 2 usage, unreadable input,
or nothing checked (no config decides the traffic the policy is about).

Examples:
  allowlist-sync verify --policy oec --config /etc/ufw/user.rules --config /etc/ufw/user6.rules
  iptables-save | allowlist-sync verify --policy web-minimal --config -
  allowlist-sync verify --policy coolify-self-hosted --config rules.nft --config docker-compose.yml
  allowlist-sync verify --policy coolify-cloud --config sg.json --feed-file coolify/cloud=cloud.txt
  allowlist-sync verify --policy my-policy.yml --config rules.v4 --format sarif > policy.sarif
  allowlist-sync verify --policy oec --config rules.v4 --interface eth1=internal
`,V={policy:{type:"string"},config:{type:"string",multiple:!0},"config-format":{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0},interface:{type:"string",multiple:!0},format:{type:"string"}};function X(n){let t={};for(let s of n){let i=s.lastIndexOf("="),u=s.slice(0,i),l=s.slice(i+1);if(i<=0||!k(u)||l!=="public"&&l!=="internal")throw new a(`--interface '${s}': expected NAME=public or NAME=internal (NAME an interface, e.g. eth1 or wg*)`);t[u]=l}return t}function G(n){if(n instanceof E){let t=n.message;throw new w([n.line!==void 0&&!t.includes(`:${n.line}:`)?`${n.file??""}:${n.line}: ${t}`:t],{cause:n})}throw n}async function z(n,t){if(O(t))return S(t);if(!/[./\\]/.test(t))throw new a(`'${t}' is neither a preset nor a file name; 'allowlist-sync policies' lists the presets`);let s=await v(n,t);try{return T(s,t)}catch(i){return G(i)}}async function B(n,t,s){let i=new Map;for(let e of s){let r=e.indexOf("=");if(r<=0)throw new a(`--feed-file '${e}': expected ID=FILE`);let d=e.slice(0,r),y=e.slice(r+1),p=x(await v(n,y));if(p.rejected.length>0)throw new w(p.rejected.map(h=>`${y}:${h.line}: ${h.reason}`));i.set(d,{ipv4:p.ipv4,ipv6:p.ipv6})}let u=A(t).filter(e=>!i.has(e));if(u.length===0)return i;let l=u.map(e=>{let r=C(e);if(r===void 0)throw new a(`the policy names feed '${e}', which is not in the catalogue: supply it with --feed-file ${e}=FILE`);return r}),{outcomes:c}=await P(l,{fetch:n.fetch,now:n.now,mirror:n.env.UPSTREAM_MIRROR||void 0,githubToken:n.env.GITHUB_TOKEN||void 0}),f=c.filter(e=>e.kind==="refused");if(f.length>0)throw new w(f.map(e=>`${e.feed}: cannot verify without this feed: refused (${e.kind==="refused"?`${e.guard}): ${e.reason}`:")"}`));for(let e of c){if(e.kind==="refused")continue;e.kind==="held"&&n.stderr(D(e));let r=e.kind==="held"?e.candidate:e.snapshot,d=[...r.ipv4],y=[...r.ipv6];i.set(e.feed,{ipv4:{toCidrs:()=>d},ipv6:{toCidrs:()=>y}})}return i}async function Z(n,t){let s=$(n,V,K,t);if(s===void 0)return F;let{values:i,positionals:u}=s;if(u.length>0)throw new a(`unexpected '${u[0]}' (configs go after --config)`);if(i.policy===void 0)throw new a("--policy is required");let l=i.config??[];if(l.length===0)throw new a("name at least one --config FILE");let c=i.format??"text";if(c!=="text"&&c!=="json"&&c!=="sarif")throw new a(`--format '${c}': expected text, json or sarif`);let f=i["config-format"]??[];for(let o of f)if(!N(o))throw new a(`--config-format '${o}': expected one of ${I.join(", ")}`);if(f.length>1&&f.length!==l.length)throw new a("give --config-format once, or once per --config");let e=o=>f.length===1?f[0]:f[o],r=X(i.interface??[]),d=await z(t,i.policy),y=await Promise.all(l.map(async(o,J)=>{let b=e(J);return{file:o,text:await v(t,o),...b?{format:b}:{}}})),p;try{p=L(y)}catch(o){return G(o)}let h=await B(t,d,i["feed-file"]??[]),g;try{g=M(d,p,{feedSets:h,interfaces:r})}catch(o){if(o instanceof E)return t.stderr(`allowlist-sync verify: ${o.message}
`),R;throw o}let{findings:m}=g;return c==="json"?t.stdout(`${JSON.stringify(U(m,d,g),null,2)}
`):c==="sarif"?t.stdout(`${JSON.stringify(q(m,{toolVersion:H,policy:d,summary:g}),null,2)}
`):t.stdout(j(m,d,g)),_(m,g)}export{H as TOOL_VERSION,Z as run};
