import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as G}from"./chunk-LRQXWQLN.js";import{A as I,B as T,C as A,D as L,E as M,F as U,G as _,H as q,I as D,d as C,f as P,q as E,t as O,u as j,w as S,x as k,y as N}from"./chunk-3DZQJGRA.js";import{a as F,c as R,e as s,f as w,h as v,j as $,p as x}from"./chunk-RXGGB43N.js";import"./chunk-6THULLUP.js";var K=D,V=`Usage: allowlist-sync verify --policy PRESET|FILE --config FILE... [options]

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
lo, docker*, br-*, veth*, virbr*, lxcbr*, lxdbr*, incusbr*, cni*, flannel*, cali*, kube*,
tailscale*, wg*, tun*, tap*, zt*; every other name, and any interface no config names, is
public. The output says which were taken as public. A whole ruleset (nft list ruleset, a
complete iptables-save) without an input chain lets everything in; a file that decides nothing
(a fragment, a file that only includes others) exits 2.

Options:
  --policy PRESET|FILE   a preset ('allowlist-sync policies' lists them) or a YAML/JSON policy file
  --config FILE          a firewall config, repeatable ('-' reads stdin)
  --config-format F      force the format: once for every config, or once per --config, in order
  --feed-file ID=FILE    a feed's CIDRs from FILE (one a line) instead of fetching it; repeatable
  --interface NAME=ROLE  take interface NAME as public or internal, over the policy file's
                         'interfaces' and the defaults; repeatable; NAME may end in * (wg*), and
                         '*' alone stands for every interface nothing else names
  --format FMT           text (default), json or sarif (SARIF 2.1.0 for GitHub code scanning)
  --json                 the same as --format json (the --json every command takes)

Exit codes: 0 compliant (warnings and notes allowed), 1 violations, 2 usage, unreadable input,
or nothing checked (no config decides the traffic the policy is about).

Examples:
  allowlist-sync verify --policy oec --config /etc/ufw/user.rules --config /etc/ufw/user6.rules
  iptables-save | allowlist-sync verify --policy web-minimal --config -
  allowlist-sync verify --policy coolify-self-hosted --config rules.nft --config docker-compose.yml
  allowlist-sync verify --policy coolify-cloud --config sg.json --feed-file coolify/cloud=cloud.txt
  allowlist-sync verify --policy my-policy.yml --config rules.v4 --format sarif > policy.sarif
  allowlist-sync verify --policy oec --config rules.v4 --interface eth1=internal
`,X={policy:{type:"string"},config:{type:"string",multiple:!0},"config-format":{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0},interface:{type:"string",multiple:!0},format:{type:"string"},json:{type:"boolean"}};function z(i){let t={};for(let r of i){let n=r.lastIndexOf("="),u=r.slice(0,n),l=r.slice(n+1);if(n<=0||!S(u)||l!=="public"&&l!=="internal")throw new s(`--interface '${r}': expected NAME=public or NAME=internal (NAME an interface, e.g. eth1 or wg*)`);t[u]=l}return t}function J(i){if(i instanceof E){let t=i.message;throw new w([i.line!==void 0&&!t.includes(`:${i.line}:`)?`${i.file??""}:${i.line}: ${t}`:t],{cause:i})}throw i}async function B(i,t){if(O(t))return j(t);if(!/[./\\]/.test(t))throw new s(`'${t}' is neither a preset nor a file name; 'allowlist-sync policies' lists the presets`);let r=await v(i,t);try{return k(r,t)}catch(n){return J(n)}}async function W(i,t,r){let n=new Map;for(let e of r){let a=e.indexOf("=");if(a<=0)throw new s(`--feed-file '${e}': expected ID=FILE`);let d=e.slice(0,a),y=e.slice(a+1),p=x(await v(i,y));if(p.rejected.length>0)throw new w(p.rejected.map(g=>`${y}:${g.line}: ${g.reason}`));n.set(d,{ipv4:p.ipv4,ipv6:p.ipv6})}let u=N(t).filter(e=>!n.has(e));if(u.length===0)return n;let l=u.map(e=>{let a=C(e);if(a===void 0)throw new s(`the policy names feed '${e}', which is not in the catalogue: supply it with --feed-file ${e}=FILE`);return a}),{outcomes:c}=await P(l,{fetch:i.fetch,now:i.now,mirror:i.env.UPSTREAM_MIRROR||void 0,githubToken:i.env.GITHUB_TOKEN||void 0}),f=c.filter(e=>e.kind==="refused");if(f.length>0)throw new w(f.map(e=>`${e.feed}: cannot verify without this feed: refused (${e.kind==="refused"?`${e.guard}): ${e.reason}`:")"}`));for(let e of c){if(e.kind==="refused")continue;e.kind==="held"&&i.stderr(G(e));let a=e.kind==="held"?e.candidate:e.snapshot,d=[...a.ipv4],y=[...a.ipv6];n.set(e.feed,{ipv4:{toCidrs:()=>d},ipv6:{toCidrs:()=>y}})}return n}async function ee(i,t){let r=$(i,X,V,t);if(r===void 0)return F;let{values:n,positionals:u}=r;if(u.length>0)throw new s(`unexpected '${u[0]}' (configs go after --config)`);if(n.policy===void 0)throw new s("--policy is required");let l=n.config??[];if(l.length===0)throw new s("name at least one --config FILE");if(n.json===!0&&n.format!==void 0&&n.format!=="json")throw new s(`--json and --format '${n.format}' disagree: give one`);let c=n.format??(n.json===!0?"json":"text");if(c!=="text"&&c!=="json"&&c!=="sarif")throw new s(`--format '${c}': expected text, json or sarif`);let f=n["config-format"]??[];for(let o of f)if(!T(o))throw new s(`--config-format '${o}': expected one of ${I.join(", ")}`);if(f.length>1&&f.length!==l.length)throw new s("give --config-format once, or once per --config");let e=o=>f.length===1?f[0]:f[o],a=z(n.interface??[]),d=await B(t,n.policy),y=await Promise.all(l.map(async(o,H)=>{let b=e(H);return{file:o,text:await v(t,o),...b?{format:b}:{}}})),p;try{p=A(y)}catch(o){return J(o)}let g=await W(t,d,n["feed-file"]??[]),h;try{h=L(d,p,{feedSets:g,interfaces:a})}catch(o){if(o instanceof E)return t.stderr(`allowlist-sync verify: ${o.message}
`),R;throw o}let{findings:m}=h;return c==="json"?t.stdout(`${JSON.stringify(U(m,d,h),null,2)}
`):c==="sarif"?t.stdout(`${JSON.stringify(q(m,{toolVersion:K,policy:d,summary:h}),null,2)}
`):t.stdout(M(m,d,h)),_(m,h)}export{K as TOOL_VERSION,ee as run};
