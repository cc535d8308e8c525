import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as T}from"./chunk-GB4O5UKE.js";import{a as D}from"./chunk-LRQXWQLN.js";import{a as _,b as q}from"./chunk-BIDETVE2.js";import{b as M}from"./chunk-E7TBBAZE.js";import{B as P,D as I,E as S,F as $,G as k,H as A,I as O,J as N,K as L,s as R,z as j}from"./chunk-FF53N4HD.js";import{a as x}from"./chunk-HAUC4HTP.js";import{g as C}from"./chunk-VMOIXLFI.js";import{b as w,c as s,d as v,f as b,h as F}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";var H=`Usage: allowlist-sync verify --policy PRESET|FILE --config FILE... [options]

Checks firewall configs against a port policy: which ports are reachable, from which sources
(exactly: first match, jumps and returns, default policies, connection state), against what
the policy requires, allows and forbids. Each config's format is detected from its content:
  ${I.join(", ")}
Configs are layered: a packet must pass every host firewall (nftables, iptables, ufw), Docker's
published ports bypass the host's INPUT rules (only DOCKER-USER restricts them), and a cloud
firewall (AWS security groups) applies on top. A ufw config (status, commands, user.rules) is
read behind what ufw's stock before.rules accept ahead of it: replies, 68/udp from any sender of
source port 67 (the DHCP client's) and 546/udp between link-local addresses (DHCPv6); a ufw
script that writes IPV6=no into /etc/default/ufw is read as ufw then runs: all IPv6 dropped. Feeds
a policy names (feed:coolify/cloud) are fetched (honouring UPSTREAM_MIRROR) unless --feed-file
supplies them; a feed whose new list is held (a mass removal or addition) is used as published,
with a 'held: ...' line on stderr.

Reach is computed for traffic arriving on the interfaces taken as public. Internal by default:
lo, docker*, br-*, veth*, virbr*, lxcbr*, lxdbr*, incusbr*, cni*, flannel*, cali*, kube*,
tailscale*, wg*, tun*, tap*, zt*; every other name, and any interface no config names, is
public. The output says which were taken as public. A whole ruleset (nft list ruleset, a
complete iptables-save) without an input chain lets everything in; a file that decides nothing
(a fragment, a file that only includes others) exits 2.

Configs of 4 MiB or more together (a dump of a host with large ban lists) are verified in a
worker thread with a small young generation, which keeps its peak memory under 5x the input;
ALLOWLIST_SYNC_VERIFY_THREAD_FROM=BYTES moves that threshold (0: always). A verify that reads
standard input (--config -, --feed-file ID=-) stays in the main thread.

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
`,J={policy:{type:"string"},config:{type:"string",multiple:!0},"config-format":{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0},interface:{type:"string",multiple:!0},format:{type:"string"},json:{type:"boolean"},timeout:{type:"string"},"timeout-ms":{type:"string"}};function V(u){let o={};for(let l of u){let e=l.lastIndexOf("="),n=l.slice(0,e),r=l.slice(e+1);if(e<=0||!j(n)||r!=="public"&&r!=="internal")throw new s(`--interface '${l}': expected NAME=public or NAME=internal (NAME an interface, e.g. eth1 or wg*)`);o[n]=r}return o}async function Y(u,o,l,e){let n=new Map;for(let t of l){let p=t.indexOf("=");if(p<=0)throw new s(`--feed-file '${t}': expected ID=FILE`);let a=t.slice(0,p),m=t.slice(p+1),f=C(await b(u,m));if(f.rejected.length>0)throw new v(f.rejected.map(g=>`${m}:${g.line}: ${g.reason}`));n.set(a,{ipv4:f.ipv4,ipv6:f.ipv6})}let r=P(o).filter(t=>!n.has(t));if(r.length===0)return n;let{refused:c,usable:d}=await T(u,r,{unknownFeed:t=>new s(`the policy names feed '${t}', which is not in the catalogue: supply it with --feed-file ${t}=FILE`),timeoutMs:e});if(c.length>0)throw new v(c.map(t=>`${t.feed}: cannot verify without this feed: refused (${t.guard}): ${t.reason}`));for(let{outcome:t,snapshot:p,held:a}of d){a&&u.stderr(D(a));let m=[...p.ipv4],f=[...p.ipv6];n.set(t.feed,{ipv4:{toCidrs:()=>m},ipv6:{toCidrs:()=>f}})}return n}async function Q(u,o){let l=F(u,J,H,o);if(l===void 0)return w.ok;let{values:e,positionals:n}=l;if(n.length>0)throw new s(`unexpected '${n[0]}' (configs go after --config)`);if(e.policy===void 0)throw new s("--policy is required");let r=e.config??[];if(r.length===0)throw new s("name at least one --config FILE");if(e.json===!0&&e.format!==void 0&&e.format!=="json")throw new s(`--json and --format '${e.format}' disagree: give one`);let c=e.format??(e.json===!0?"json":"text");if(c!=="text"&&c!=="json"&&c!=="sarif")throw new s(`--format '${c}': expected text, json or sarif`);let d=e["config-format"]??[];for(let i of d)if(!S(i))throw new s(`--config-format '${i}': expected one of ${I.join(", ")}`);if(d.length>1&&d.length!==r.length)throw new s("give --config-format once, or once per --config");let t=i=>d.length===1?d[0]:d[i],p=V(e.interface??[]),a=await q(o,e.policy),m=await Promise.all(r.map(async(i,U)=>{let E=t(U);return{file:i,text:await b(o,i),...E?{format:E}:{}}})),f;try{f=$(m)}catch(i){return _(i)}let g=await Y(o,a,e["feed-file"]??[],M(e,{min:1,max:6e5},o)),h;try{h=k(a,f,{feedSets:g,interfaces:p})}catch(i){if(i instanceof R)return o.stderr(`allowlist-sync verify: ${i.message}
`),w.usage;throw i}let{findings:y}=h;return c==="json"?o.stdout(`${JSON.stringify(O(y,a,h),null,2)}
`):c==="sarif"?o.stdout(`${JSON.stringify(L(y,{toolVersion:x,policy:a,summary:h}),null,2)}
`):o.stdout(A(y,a,h)),N(y,h)}export{Q as run};
