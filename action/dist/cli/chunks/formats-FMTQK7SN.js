import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{k as s}from"./chunk-YQMDD5ZQ.js";import"./chunk-HAUC4HTP.js";import"./chunk-263REDIM.js";import{b as o,c as i,h as r}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";var m=`Usage: allowlist-sync formats [--json]

Lists the output formats of 'allowlist-sync render': id, title, and whether the output is a
line-oriented managed block (usable with 'render --into FILE').

Options:
  --json    print the catalogue as JSON (id, title, lineOriented, families, usesPorts,
            extension, mediaType, description)

Examples:
  allowlist-sync formats
  allowlist-sync formats --json | jq -r '.[].id'
`;function f(l,n){let t=r(l,{json:{type:"boolean",default:!1}},m,n);if(t===void 0)return Promise.resolve(o.ok);if(t.positionals.length>0)throw new i(`unexpected argument '${t.positionals[0]}'`);if(t.values.json)return n.stdout(`${JSON.stringify(s,null,2)}
`),Promise.resolve(o.ok);let a=Math.max(...s.map(e=>e.id.length)),d=s.map(e=>`${e.id.padEnd(a)}  ${e.lineOriented?"block":"file "}  ${e.title}`);return n.stdout(`${d.join(`
`)}
`),Promise.resolve(o.ok)}export{f as run};
