import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{b as i}from"./chunk-HWXZH4P6.js";import{a as n,e as l,j as d}from"./chunk-RXGGB43N.js";import"./chunk-6THULLUP.js";var p=`allowlist-sync feeds: list the feed catalogue

Usage: allowlist-sync feeds [--json]

Every built-in feed id, its title and the upstream URL(s) it reads. Besides the listed aws/
feeds, any aws/SERVICE[@REGION[,REGION...]] id works (service as AWS spells it in
ip-ranges.json, e.g. aws/EC2@us-east-1,eu-west-1 or aws/ROUTE53_HEALTHCHECKS@GLOBAL).

Options:
  --json   the catalogue as JSON: [{ id, title, docsUrl, sources: [{ url, parser }] }]

Examples:
  allowlist-sync feeds
  allowlist-sync feeds --json | jq -r '.[].id'
`;function u(o){return[...new Set(o.sources.map(e=>e.url))].join(" ")}function m(o,e){let t=d(o,{json:{type:"boolean"}},p,e);if(!t)return Promise.resolve(n);if(t.positionals.length>0)throw new l(`unexpected argument '${t.positionals[0]}'`);if(t.values.json)return e.stdout(`${JSON.stringify(i,null,2)}
`),Promise.resolve(n);let r=Math.max(...i.map(s=>s.id.length)),a=i.map(s=>`${s.id.padEnd(r)}  ${s.title}
${" ".repeat(r+2)}${u(s)}`);return a.push(`${"aws/SERVICE[@REGION,...]".padEnd(r)}  any service of ip-ranges.json, optionally by region`),e.stdout(`${a.join(`
`)}
`),Promise.resolve(n)}export{m as run};
