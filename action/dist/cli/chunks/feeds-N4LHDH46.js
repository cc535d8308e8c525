import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{b as f,c as l}from"./chunk-YQMDD5ZQ.js";import"./chunk-HAUC4HTP.js";import"./chunk-263REDIM.js";import{b as r,c as u,h as p}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";var m=`allowlist-sync feeds: list the feed catalogue

Usage: allowlist-sync feeds [--json]

Every built-in feed, grouped by provider: its id, its title, who connects from its addresses
(or what is reached at them, for an egress list) and the upstream URL(s) it reads. Ids resolved
on demand are listed as patterns under their provider, e.g. aws/SERVICE[@REGION,...] (service as
AWS spells it in ip-ranges.json: aws/EC2@us-east-1,eu-west-1, aws/ROUTE53_HEALTHCHECKS@GLOBAL),
google/cloud@REGION, azure/<ServiceTag>.

Options:
  --json   the catalogue as JSON: [{ id, title, docsUrl, use, sources: [{ url, parser }] }]

Examples:
  allowlist-sync feeds
  allowlist-sync feeds --json | jq -r '.[].id'
`;function E(i){return[...new Set(i.sources.map(n=>n.url))].join(" ")}function w(i,n){let o=p(i,{json:{type:"boolean"}},m,n);if(!o)return Promise.resolve(r.ok);if(o.positionals.length>0)throw new u(`unexpected argument '${o.positionals[0]}'`);if(o.values.json)return n.stdout(`${JSON.stringify(f,null,2)}
`),Promise.resolve(r.ok);let a=Math.max(...l.flatMap(s=>[...s.feeds,...s.patterns].map(t=>t.id.length))),d=" ".repeat(a+4),c=l.map(s=>{let t=[`${s.name} (${s.id}/)`];for(let e of s.feeds)t.push(`  ${e.id.padEnd(a)}  ${e.title}`),e.use!==void 0&&t.push(`${d}for: ${e.use}`),t.push(`${d}${E(e)}`);for(let e of s.patterns)t.push(`  ${e.id.padEnd(a)}  ${e.use}`);return t.join(`
`)});return n.stdout(`${c.join(`

`)}
`),Promise.resolve(r.ok)}export{w as run};
