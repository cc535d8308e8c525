import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as _}from"./chunk-LRBWFXOL.js";import{b as D}from"./chunk-UF4YFEB5.js";import{a as J}from"./chunk-LRQXWQLN.js";import{A as $,B as R,E as C,F as O,G as P,I as E,J as j,K as S,L as N,M as A,N as L,O as k,P as T,Q as M,S as U,U as s,V as w,X as v,Z as q,c as F,j as x,x as b}from"./chunk-3PJEU2V4.js";import"./chunk-OB3JV4II.js";var H=x,K=`Usage: allowlist-sync verify --policy PRESET|FILE --config FILE... [options]

Checks firewall configs against a port policy: which ports are reachable, from which sources
(exactly: first match, jumps and returns, default policies, connection state), against what
the policy requires, allows and forbids. Each config's format is detected from its content:
  ${E.join(", ")}
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
  --timeout DURATION     per feed request: 30s, 2m, 500ms; a bare number is seconds (default
                         10s; --timeout-ms N is the deprecated spelling)

Exit codes: 0 compliant (warnings and notes allowed), 1 violations, 2 usage, unreadable input,
or nothing checked (no config decides the traffic the policy is about).

Examples:
  allowlist-sync verify --policy oec --config /etc/ufw/user.rules --config /etc/ufw/user6.rules
  iptables-save | allowlist-sync verify --policy web-minimal --config -
  allowlist-sync verify --policy coolify-self-hosted --config rules.nft --config docker-compose.yml
  allowlist-sync verify --policy coolify-cloud --config sg.json --feed-file coolify/cloud=cloud.txt
  allowlist-sync verify --policy my-policy.yml --config rules.v4 --format sarif > policy.sarif
  allowlist-sync verify --policy oec --config rules.v4 --interface eth1=internal
`,X={policy:{type:"string"},config:{type:"string",multiple:!0},"config-format":{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0},interface:{type:"string",multiple:!0},format:{type:"string"},json:{type:"boolean"},timeout:{type:"string"},"timeout-ms":{type:"string"}};function z(i){let e={};for(let r of i){let t=r.lastIndexOf("="),a=r.slice(0,t),l=r.slice(t+1);if(t<=0||!C(a)||l!=="public"&&l!=="internal")throw new s(`--interface '${r}': expected NAME=public or NAME=internal (NAME an interface, e.g. eth1 or wg*)`);e[a]=l}return e}function G(i){if(i instanceof b){let e=i.message;throw new w([i.line!==void 0&&!e.includes(`:${i.line}:`)?`${i.file??""}:${i.line}: ${e}`:e],{cause:i})}throw i}async function W(i,e){if($(e))return R(e);if(!/[./\\]/.test(e))throw new s(`'${e}' is neither a preset nor a file name; 'allowlist-sync policies' lists the presets`);let r=await v(i,e);try{return O(r,e)}catch(t){return G(t)}}async function Y(i,e,r,t){let a=new Map;for(let n of r){let u=n.indexOf("=");if(u<=0)throw new s(`--feed-file '${n}': expected ID=FILE`);let c=n.slice(0,u),m=n.slice(u+1),d=F(await v(i,m));if(d.rejected.length>0)throw new w(d.rejected.map(g=>`${m}:${g.line}: ${g.reason}`));a.set(c,{ipv4:d.ipv4,ipv6:d.ipv6})}let l=P(e).filter(n=>!a.has(n));if(l.length===0)return a;let{refused:f,usable:p}=await _(i,l,{unknownFeed:n=>new s(`the policy names feed '${n}', which is not in the catalogue: supply it with --feed-file ${n}=FILE`),timeoutMs:t});if(f.length>0)throw new w(f.map(n=>`${n.feed}: cannot verify without this feed: refused (${n.guard}): ${n.reason}`));for(let{outcome:n,snapshot:u,held:c}of p){c&&i.stderr(J(c));let m=[...u.ipv4],d=[...u.ipv6];a.set(n.feed,{ipv4:{toCidrs:()=>m},ipv6:{toCidrs:()=>d}})}return a}async function ie(i,e){let r=q(i,X,K,e);if(r===void 0)return M;let{values:t,positionals:a}=r;if(a.length>0)throw new s(`unexpected '${a[0]}' (configs go after --config)`);if(t.policy===void 0)throw new s("--policy is required");let l=t.config??[];if(l.length===0)throw new s("name at least one --config FILE");if(t.json===!0&&t.format!==void 0&&t.format!=="json")throw new s(`--json and --format '${t.format}' disagree: give one`);let f=t.format??(t.json===!0?"json":"text");if(f!=="text"&&f!=="json"&&f!=="sarif")throw new s(`--format '${f}': expected text, json or sarif`);let p=t["config-format"]??[];for(let o of p)if(!j(o))throw new s(`--config-format '${o}': expected one of ${E.join(", ")}`);if(p.length>1&&p.length!==l.length)throw new s("give --config-format once, or once per --config");let n=o=>p.length===1?p[0]:p[o],u=z(t.interface??[]),c=await W(e,t.policy),m=await Promise.all(l.map(async(o,V)=>{let I=n(V);return{file:o,text:await v(e,o),...I?{format:I}:{}}})),d;try{d=S(m)}catch(o){return G(o)}let g=await Y(e,c,t["feed-file"]??[],D(t,{min:1,max:6e5},e)),y;try{y=N(c,d,{feedSets:g,interfaces:u})}catch(o){if(o instanceof b)return e.stderr(`allowlist-sync verify: ${o.message}
`),U;throw o}let{findings:h}=y;return f==="json"?e.stdout(`${JSON.stringify(L(h,c,y),null,2)}
`):f==="sarif"?e.stdout(`${JSON.stringify(T(h,{toolVersion:H,policy:c,summary:y}),null,2)}
`):e.stdout(A(h,c,y)),k(h,y)}export{H as TOOL_VERSION,ie as run};
