import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{b as N}from"./chunk-B5ZGEBBB.js";import{a as P}from"./chunk-E7TBBAZE.js";import{C as x}from"./chunk-YQMDD5ZQ.js";import"./chunk-HAUC4HTP.js";import"./chunk-263REDIM.js";import{b as y,c as m,h as k}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";import{connect as U}from"node:net";var q=`Usage: allowlist-sync probe HOST --policy PRESET|FILE [options]

Tries a TCP connect to each inbound TCP port the policy names (single ports; ranges and UDP
are listed as not probed), at most --concurrency at a time, each within --timeout, all
within --total, and judges what it sees from this machine against the policy:
  require        open = ok; refused or timed out = error
  forbid-public  open = error when this machine counts as "the Internet" for HOST
  restrict       open = warning unless this machine is among the allowed sources
  allow          reported only
Only probe hosts you are responsible for.

Options:
  --policy PRESET|FILE   a preset or a policy file (as for verify)
  --timeout DURATION     per connect: 2s, 500ms; a bare number is seconds (default 2s,
                         100ms-30s; --timeout-ms N is the deprecated spelling)
  --total DURATION       for the whole probe, default 15s, 100ms-5m (ports not tried by then:
                         skipped; --total-ms N is the deprecated spelling)
  --max-ports N          probe at most N ports, default 32 (1-256)
  --concurrency N        connects at a time, default 4 (1-16)
  --json                 print JSON

Exit codes: 0 nothing wrong seen, 1 an error (a required port closed, a forbidden one open), 2 usage.

Examples:
  allowlist-sync probe 203.0.113.10 --policy oec
  allowlist-sync probe server.example.org --policy coolify-self-hosted --timeout 1s
`,C={policy:{type:"string"},timeout:{type:"string"},"timeout-ms":{type:"string"},total:{type:"string"},"total-ms":{type:"string"},"max-ports":{type:"string"},concurrency:{type:"string"},json:{type:"boolean"}};function S(c,o,r,s,i){if(c===void 0)return r;if(!/^\d+$/.test(c)||Number(c)<s||Number(c)>i)throw new m(`--${o} '${c}': expected a whole number from ${s} to ${i}`);return Number(c)}function D(c,o,r){return new Promise(s=>{let i=U({host:c,port:o}),n=a=>{i.destroy(),s(a)};i.setTimeout(r,()=>n("timeout")),i.once("connect",()=>n("open")),i.once("error",a=>n(a.code==="ECONNREFUSED"?"refused":a.code==="ETIMEDOUT"?"timeout":"error"))})}function A(c,o,r){let s=r.map(t=>t.id),i=[...new Set(r.map(t=>t.title))].join("; "),n=(t,l)=>({port:c,outcome:o,verdict:t,rules:s,message:l});if(o==="skipped")return n("warning",`not tried: the total time budget ran out (${i})`);let a=o==="open";return r.some(t=>t.kind==="forbid-public")&&a?n("error",`open, and the policy forbids it from the public Internet (${i}); if this machine is on a private network of HOST, re-run from outside`):r.some(t=>t.kind==="require"&&(t.sources??["any"]).includes("any"))&&!a?n("error",`${o==="refused"?"refused (nothing listens, or a firewall rejects)":o==="timeout"?"timed out (a firewall drops it)":"connect failed"}: the policy requires it (${i})`):r.some(t=>t.kind==="restrict")&&a?n("warning",`open from this machine; the policy allows only ${r.flatMap(t=>t.sources??[]).join(", ")} (fine if this machine is one of them)`):r.some(t=>t.kind==="require")&&!a?n("warning",`${o} from this machine; the policy requires it from ${r.flatMap(t=>t.sources??[]).join(", ")} only, which may not include this machine`):n(a?"ok":"info",`${o} (${i})`)}async function _(c,o){let r=k(c,C,q,o);if(r===void 0)return y.ok;let{values:s,positionals:i}=r,n=i[0];if(n===void 0||i.length>1)throw new m("name exactly one HOST");if(!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(n))throw new m(`'${n}' is not a host name or address`);if(s.policy===void 0)throw new m("--policy is required");let a=P(s,"timeout",{min:100,max:3e4},o)??2e3,t=P(s,"total",{min:100,max:3e5},o)??15e3,l=S(s["max-ports"],"max-ports",32,1,256),T=S(s.concurrency,"concurrency",4,1,16),g=await N(o,s.policy),R=g.rules.filter(e=>e.direction==="inbound"),u=new Map,d=[];for(let e of R){if(e.protocol!=="tcp"||e.ports[0]!==e.ports[1]){d.push(`${x(e.ports)}/${e.protocol}`);continue}let p=u.get(e.ports[0])??[];p.push(e),u.set(e.ports[0],p)}let O=[...u.keys()].sort((e,p)=>e-p),f=O.slice(0,l),b=O.slice(l),j=n.replace(/^\[(.*)\]$/,"$1"),I=o.now()+t,w=new Map,E=0,M=async()=>{for(;E<f.length;){let e=f[E++],p=I-o.now();if(p<=0){w.set(e,"skipped");continue}w.set(e,await D(j,e,Math.min(a,p)))}};await Promise.all(Array.from({length:Math.min(T,f.length)},M));let $=f.map(e=>A(e,w.get(e)??"skipped",u.get(e))),h=$.filter(e=>e.verdict==="error").length;if(s.json)o.stdout(`${JSON.stringify({host:n,policy:g.id,ok:h===0,ports:$,notProbed:[...d,...b.map(String)]},null,2)}
`);else{let e=$.map(p=>`${String(p.port).padStart(5)}/tcp  ${p.outcome.padEnd(7)}  ${p.verdict.padEnd(7)}  ${p.message}`);d.length>0&&e.push(`not probed (UDP or ranges): ${[...new Set(d)].join(", ")}`),b.length>0&&e.push(`not probed (over --max-ports ${l}): ${b.join(", ")}`),e.push(`probe ${n} against ${g.id}: ${h===0?"nothing wrong seen":`${h} error(s)`} (from this machine)`),o.stdout(`${e.join(`
`)}
`)}return h===0?y.ok:y.refused}export{_ as run};
