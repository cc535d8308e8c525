import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as M}from"./chunk-FLBYI73P.js";import{a as D}from"./chunk-LRQXWQLN.js";import{a as U,b as _}from"./chunk-B5ZGEBBB.js";import{b as N}from"./chunk-E7TBBAZE.js";import{B as k,D as I,E as A,F as O,G as j,H as L,I as S,J as T,K as $,s as P,z as R}from"./chunk-YQMDD5ZQ.js";import{a as C}from"./chunk-HAUC4HTP.js";import{h as x}from"./chunk-263REDIM.js";import{b as w,c as s,d as v,f as b,h as F}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";var Y=`Usage: allowlist-sync verify --policy PRESET|FILE --config FILE... [options]

Checks firewall configs against a port policy: which ports are reachable, from which sources
(exactly: first match, jumps and returns, default policies, connection state), against what
the policy requires, allows and forbids. Each config's format is detected from its content:
  ${I.join(", ")}
Configs are layered: a packet must pass every host firewall (nftables, iptables, ufw), Docker's
published ports bypass the host's INPUT rules (only DOCKER-USER restricts them), and a cloud
firewall (AWS security groups) applies on top. A ufw config (status, commands, user.rules) is
read behind what ufw's stock before.rules accept ahead of it: replies, 68/udp from any sender of
source port 67 (the DHCP client's) and 546/udp between link-local addresses (DHCPv6); what a ufw
script writes into /etc/default/ufw is read as ufw then runs (IPV6=no: all IPv6 dropped;
DEFAULT_INPUT_POLICY and DEFAULT_OUTPUT_POLICY: the defaults), and a warning names any other
setting, or edit of ufw's rules files, it does not read. A 'docker run -p' in a ufw script is
a port published past ufw (IPv4), unless the script wrote "iptables": false into
/etc/docker/daemon.json before it; compose, swarm and ufw-docker commands are warnings. Feeds
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
`,H={policy:{type:"string"},config:{type:"string",multiple:!0},"config-format":{type:"string",multiple:!0},"feed-file":{type:"string",multiple:!0},interface:{type:"string",multiple:!0},format:{type:"string"},json:{type:"boolean"},timeout:{type:"string"},"timeout-ms":{type:"string"}};function J(u){let o={};for(let l of u){let e=l.lastIndexOf("="),n=l.slice(0,e),r=l.slice(e+1);if(e<=0||!R(n)||r!=="public"&&r!=="internal")throw new s(`--interface '${l}': expected NAME=public or NAME=internal (NAME an interface, e.g. eth1 or wg*)`);o[n]=r}return o}async function V(u,o,l,e){let n=new Map;for(let t of l){let p=t.indexOf("=");if(p<=0)throw new s(`--feed-file '${t}': expected ID=FILE`);let a=t.slice(0,p),m=t.slice(p+1),f=x(await b(u,m));if(f.rejected.length>0)throw new v(f.rejected.map(g=>`${m}:${g.line}: ${g.reason}`));n.set(a,{ipv4:f.ipv4,ipv6:f.ipv6})}let r=k(o).filter(t=>!n.has(t));if(r.length===0)return n;let{refused:c,usable:d}=await M(u,r,{unknownFeed:t=>new s(`the policy names feed '${t}', which is not in the catalogue: supply it with --feed-file ${t}=FILE`),timeoutMs:e});if(c.length>0)throw new v(c.map(t=>`${t.feed}: cannot verify without this feed: refused (${t.guard}): ${t.reason}`));for(let{outcome:t,snapshot:p,held:a}of d){a&&u.stderr(D(a));let m=[...p.ipv4],f=[...p.ipv6];n.set(t.feed,{ipv4:{toCidrs:()=>m},ipv6:{toCidrs:()=>f}})}return n}async function Q(u,o){let l=F(u,H,Y,o);if(l===void 0)return w.ok;let{values:e,positionals:n}=l;if(n.length>0)throw new s(`unexpected '${n[0]}' (configs go after --config)`);if(e.policy===void 0)throw new s("--policy is required");let r=e.config??[];if(r.length===0)throw new s("name at least one --config FILE");if(e.json===!0&&e.format!==void 0&&e.format!=="json")throw new s(`--json and --format '${e.format}' disagree: give one`);let c=e.format??(e.json===!0?"json":"text");if(c!=="text"&&c!=="json"&&c!=="sarif")throw new s(`--format '${c}': expected text, json or sarif`);let d=e["config-format"]??[];for(let i of d)if(!A(i))throw new s(`--config-format '${i}': expected one of ${I.join(", ")}`);if(d.length>1&&d.length!==r.length)throw new s("give --config-format once, or once per --config");let t=i=>d.length===1?d[0]:d[i],p=J(e.interface??[]),a=await _(o,e.policy),m=await Promise.all(r.map(async(i,q)=>{let E=t(q);return{file:i,text:await b(o,i),...E?{format:E}:{}}})),f;try{f=O(m)}catch(i){return U(i)}let g=await V(o,a,e["feed-file"]??[],N(e,{min:1,max:6e5},o)),h;try{h=j(a,f,{feedSets:g,interfaces:p})}catch(i){if(i instanceof P)return o.stderr(`allowlist-sync verify: ${i.message}
`),w.usage;throw i}let{findings:y}=h;return c==="json"?o.stdout(`${JSON.stringify(S(y,a,h),null,2)}
`):c==="sarif"?o.stdout(`${JSON.stringify($(y,{toolVersion:C,policy:a,summary:h}),null,2)}
`):o.stdout(L(y,a,h)),T(y,h)}export{Q as run};
