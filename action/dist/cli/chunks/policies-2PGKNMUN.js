import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{B as p,C as h,t as i,u as r}from"./chunk-YQMDD5ZQ.js";import"./chunk-HAUC4HTP.js";import"./chunk-263REDIM.js";import{b as l,c as a,h as m}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";var y=`Usage: allowlist-sync policies [--json] [PRESET]

Lists the port-policy presets (each built from a platform's firewall page), or with PRESET, its
rules: which ports must be reachable and from where, which may be, which must not be public,
and what happens to ports the policy does not name. Use a preset with
'allowlist-sync verify --policy PRESET', or start a policy file from one with 'extends: PRESET'.

Options:
  --json   print JSON (the full policy model)

Examples:
  allowlist-sync policies
  allowlist-sync policies oec
  allowlist-sync policies --json coolify-cloud
`,P={json:{type:"boolean"}};function g(E,u){let d=m(E,P,y,u);if(d===void 0)return Promise.resolve(l.ok);let{values:$,positionals:f}=d;if(f.length>1)return Promise.reject(new a("name at most one preset"));let t=f[0];if(t!==void 0&&!i.includes(t))return Promise.reject(new a(`no preset '${t}'; known: ${i.join(", ")}`));let c=t===void 0?i:i.filter(e=>e===t);if($.json){let e=c.map(o=>({...r[o],feeds:p(r[o])}));return u.stdout(`${JSON.stringify(t===void 0?e:e[0],null,2)}
`),Promise.resolve(l.ok)}let n=[];if(t===void 0){let e=Math.max(...c.map(o=>o.length));for(let o of c)n.push(`${o.padEnd(e)}  ${r[o].title}`);n.push("","Run 'allowlist-sync policies PRESET' for a preset's rules.")}else{let e=r[t];n.push(`${e.id}: ${e.title}`,`source: ${e.source}`);let o=p(e);o.length>0&&n.push(`feeds: ${o.join(", ")}`),n.push(`unlisted ports: inbound ${e.unlisted.inbound}, outbound ${e.unlisted.outbound}`,"");for(let s of e.rules){let w=s.sources?` ${s.direction==="inbound"?"from":"to"} ${s.sources.join(", ")}`:"";n.push(`  ${s.kind.padEnd(13)} ${s.direction.padEnd(8)} ${`${h(s.ports)}/${s.protocol}`.padEnd(16)} ${s.title}${w}`)}e.udpReturnTraffic&&n.push("","UDP return traffic must get back in (stateless firewalls).");for(let s of e.notes)n.push("",`note: ${s}`)}return u.stdout(`${n.join(`
`)}
`),Promise.resolve(l.ok)}export{g as run};
