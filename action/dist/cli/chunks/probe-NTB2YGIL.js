import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as $}from"./chunk-UF4YFEB5.js";import{A as x,B as S,F as T,H as N,Q as P,R as I,U as u,V as R,X as j,Z as M,x as k}from"./chunk-3PJEU2V4.js";import"./chunk-OB3JV4II.js";import{connect as H}from"node:net";var _=`Usage: allowlist-sync probe HOST --policy PRESET|FILE [options]

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
`,v={policy:{type:"string"},timeout:{type:"string"},"timeout-ms":{type:"string"},total:{type:"string"},"total-ms":{type:"string"},"max-ports":{type:"string"},concurrency:{type:"string"},json:{type:"boolean"}};function U(a,t,s,r,c){if(a===void 0)return s;if(!/^\d+$/.test(a)||Number(a)<r||Number(a)>c)throw new u(`--${t} '${a}': expected a whole number from ${r} to ${c}`);return Number(a)}function J(a,t,s){return new Promise(r=>{let c=H({host:a,port:t}),n=p=>{c.destroy(),r(p)};c.setTimeout(s,()=>n("timeout")),c.once("connect",()=>n("open")),c.once("error",p=>n(p.code==="ECONNREFUSED"?"refused":p.code==="ETIMEDOUT"?"timeout":"error"))})}function L(a,t,s){let r=s.map(o=>o.id),c=[...new Set(s.map(o=>o.title))].join("; "),n=(o,l)=>({port:a,outcome:t,verdict:o,rules:r,message:l});if(t==="skipped")return n("warning",`not tried: the total time budget ran out (${c})`);let p=t==="open";return s.some(o=>o.kind==="forbid-public")&&p?n("error",`open, and the policy forbids it from the public Internet (${c}); if this machine is on a private network of HOST, re-run from outside`):s.some(o=>o.kind==="require"&&(o.sources??["any"]).includes("any"))&&!p?n("error",`${t==="refused"?"refused (nothing listens, or a firewall rejects)":t==="timeout"?"timed out (a firewall drops it)":"connect failed"}: the policy requires it (${c})`):s.some(o=>o.kind==="restrict")&&p?n("warning",`open from this machine; the policy allows only ${s.flatMap(o=>o.sources??[]).join(", ")} (fine if this machine is one of them)`):s.some(o=>o.kind==="require")&&!p?n("warning",`${t} from this machine; the policy requires it from ${s.flatMap(o=>o.sources??[]).join(", ")} only, which may not include this machine`):n(p?"ok":"info",`${t} (${c})`)}async function B(a,t){let s=M(a,v,_,t);if(s===void 0)return P;let{values:r,positionals:c}=s,n=c[0];if(n===void 0||c.length>1)throw new u("name exactly one HOST");if(!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(n))throw new u(`'${n}' is not a host name or address`);if(r.policy===void 0)throw new u("--policy is required");let p=$(r,"timeout",{min:100,max:3e4},t)??2e3,o=$(r,"total",{min:100,max:3e5},t)??15e3,l=U(r["max-ports"],"max-ports",32,1,256),q=U(r.concurrency,"concurrency",4,1,16),m;if(x(r.policy))m=S(r.policy);else{let e=await j(t,r.policy);try{m=T(e,r.policy)}catch(i){throw i instanceof k?new R([i.message],{cause:i}):i}}let C=m.rules.filter(e=>e.direction==="inbound"),d=new Map,f=[];for(let e of C){if(e.protocol!=="tcp"||e.ports[0]!==e.ports[1]){f.push(`${N(e.ports)}/${e.protocol}`);continue}let i=d.get(e.ports[0])??[];i.push(e),d.set(e.ports[0],i)}let E=[...d.keys()].sort((e,i)=>e-i),h=E.slice(0,l),g=E.slice(l),D=n.replace(/^\[(.*)\]$/,"$1"),A=t.now()+o,b=new Map,O=0,F=async()=>{for(;O<h.length;){let e=h[O++],i=A-t.now();if(i<=0){b.set(e,"skipped");continue}b.set(e,await J(D,e,Math.min(p,i)))}};await Promise.all(Array.from({length:Math.min(q,h.length)},F));let w=h.map(e=>L(e,b.get(e)??"skipped",d.get(e))),y=w.filter(e=>e.verdict==="error").length;if(r.json)t.stdout(`${JSON.stringify({host:n,policy:m.id,ok:y===0,ports:w,notProbed:[...f,...g.map(String)]},null,2)}
`);else{let e=w.map(i=>`${String(i.port).padStart(5)}/tcp  ${i.outcome.padEnd(7)}  ${i.verdict.padEnd(7)}  ${i.message}`);f.length>0&&e.push(`not probed (UDP or ranges): ${[...new Set(f)].join(", ")}`),g.length>0&&e.push(`not probed (over --max-ports ${l}): ${g.join(", ")}`),e.push(`probe ${n} against ${m.id}: ${y===0?"nothing wrong seen":`${y} error(s)`} (from this machine)`),t.stdout(`${e.join(`
`)}
`)}return y===0?P:I}export{B as run};
