import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{i as n}from"./chunk-3DZQJGRA.js";import{a as s,e as i,j as r}from"./chunk-RXGGB43N.js";import"./chunk-6THULLUP.js";var m=`Usage: allowlist-sync formats [--json]

Lists the output formats of 'allowlist-sync render': id, title, and whether the output is a
line-oriented managed block (usable with 'render --into FILE').

Options:
  --json    print the catalogue as JSON (id, title, lineOriented, families, usesPorts,
            extension, mediaType, description)

Examples:
  allowlist-sync formats
  allowlist-sync formats --json | jq -r '.[].id'
`;function f(l,o){let t=r(l,{json:{type:"boolean",default:!1}},m,o);if(t===void 0)return Promise.resolve(s);if(t.positionals.length>0)throw new i(`unexpected argument '${t.positionals[0]}'`);if(t.values.json)return o.stdout(`${JSON.stringify(n,null,2)}
`),Promise.resolve(s);let a=Math.max(...n.map(e=>e.id.length)),d=n.map(e=>`${e.id.padEnd(a)}  ${e.lineOriented?"block":"file "}  ${e.title}`);return o.stdout(`${d.join(`
`)}
`),Promise.resolve(s)}export{f as run};
