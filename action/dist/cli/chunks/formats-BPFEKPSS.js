import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{Q as n,U as i,Z as r,p as s}from"./chunk-JDOWSJEP.js";import"./chunk-OB3JV4II.js";var m=`Usage: allowlist-sync formats [--json]

Lists the output formats of 'allowlist-sync render': id, title, and whether the output is a
line-oriented managed block (usable with 'render --into FILE').

Options:
  --json    print the catalogue as JSON (id, title, lineOriented, families, usesPorts,
            extension, mediaType, description)

Examples:
  allowlist-sync formats
  allowlist-sync formats --json | jq -r '.[].id'
`;function f(l,o){let t=r(l,{json:{type:"boolean",default:!1}},m,o);if(t===void 0)return Promise.resolve(n);if(t.positionals.length>0)throw new i(`unexpected argument '${t.positionals[0]}'`);if(t.values.json)return o.stdout(`${JSON.stringify(s,null,2)}
`),Promise.resolve(n);let a=Math.max(...s.map(e=>e.id.length)),d=s.map(e=>`${e.id.padEnd(a)}  ${e.lineOriented?"block":"file "}  ${e.title}`);return o.stdout(`${d.join(`
`)}
`),Promise.resolve(n)}export{f as run};
