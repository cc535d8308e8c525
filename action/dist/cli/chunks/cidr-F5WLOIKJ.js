import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{a as E,g as C,h as L}from"./chunk-263REDIM.js";import{b as f,c as h,d as u,g as y,h as w}from"./chunk-EOED3DB2.js";import"./chunk-ZX3QMWLZ.js";var g={json:{type:"boolean",default:!1},quiet:{type:"boolean",short:"q",default:!1}},I=`Input files hold one CIDR or bare address a line (IPv4 and IPv6 mixed); '#' starts a
comment; CRLF, a BOM and surrounding whitespace are accepted. A bad line stops the command with
exit 2 and 'FILE:LINE: reason' on stderr. Oddities that are accepted (host bits set, an empty line
between entries, an IPv4-mapped IPv6 address) are warned about on stderr ('FILE:LINE: warning:')
unless --quiet.

Options:
  --json       print JSON instead of lines
  -q, --quiet  no warnings on stderr
  -h, --help   this help`,P=`allowlist-sync cidr: merge, diff and test CIDR lists

Usage:
  allowlist-sync cidr merge [FILE|-]          the minimal CIDR cover of a list
  allowlist-sync cidr diff OLD NEW            what NEW adds (+) and removes (-)
  allowlist-sync cidr contains FILE ADDR...   whether the list holds each address or CIDR

Run 'allowlist-sync cidr <subcommand> --help' for details and examples.
`,R=`allowlist-sync cidr merge [FILE|-] [--json] [--quiet]

Prints the minimal CIDR cover of the list: the fewest CIDRs holding exactly the same addresses,
IPv4 then IPv6, each ascending, canonical (network address, explicit prefix, IPv6 per RFC 5952),
one a line. Reads standard input when FILE is '-' or absent.
--json prints {"ipv4": [...], "ipv6": [...]}.

${I}

Examples:
  allowlist-sync cidr merge ranges.txt
  curl -s https://www.cloudflare.com/ips-v4 | allowlist-sync cidr merge -
  allowlist-sync cidr merge --json ranges.txt
`,$=`allowlist-sync cidr diff OLD NEW [--json] [--quiet]

Compares two lists as sets of addresses: prints '+CIDR' for each CIDR of the minimal cover of
NEW minus OLD (what NEW adds), then '-CIDR' for OLD minus NEW (what it removes), IPv4 before
IPv6. Nothing is printed when both hold the same addresses, however they are written.
Exit 0 whether or not they differ. Either file may be '-' (standard input).
--json prints {"added": {"ipv4", "ipv6"}, "removed": {"ipv4", "ipv6"}}.

${I}

Examples:
  allowlist-sync cidr diff hooks-old.txt hooks-new.txt
  allowlist-sync cidr diff --json old.txt new.txt
`,x=`allowlist-sync cidr contains FILE ADDRESS... [--json] [--quiet]

Tells, for each ADDRESS (or CIDR: contained when all its addresses are), whether the list in FILE
holds it: prints 'ADDRESS yes' or 'ADDRESS no', one a line.
Exit 0 when every one is contained, 1 when any is not, 2 on a bad list or a bad ADDRESS.
--json prints {"all": bool, "results": [{"address", "canonical", "contained"}]}.

${I}

Examples:
  allowlist-sync cidr contains allowlist.txt 192.0.2.10
  allowlist-sync cidr contains allowlist.txt 198.51.100.0/24 2001:db8::1 || echo 'not all allowed'
`;async function F(r,t){let[i,...o]=r;switch(i){case"merge":{let e=w(o,g,R,t);if(!e)return f.ok;if(e.positionals.length>1)throw new h("merge takes one FILE (or -)");return N(e.positionals[0]??"-",e.values,t)}case"diff":{let e=w(o,g,$,t);if(!e)return f.ok;let[s,d,c]=e.positionals;if(s===void 0||d===void 0||c!==void 0)throw new h("diff takes two files: OLD NEW");if(s==="-"&&d==="-")throw new h("only one of OLD and NEW can be standard input");return O(s,d,e.values,t)}case"contains":{let e=w(o,g,x,t);if(!e)return f.ok;let[s,...d]=e.positionals;if(s===void 0||d.length===0)throw new h("contains takes a FILE and at least one ADDRESS");return S(s,d,e.values,t)}case"--help":case"-h":return t.stdout(P),f.ok;case void 0:throw new h("missing subcommand: merge, diff or contains");default:throw new h(`unknown subcommand '${i}' (merge, diff or contains)`)}}var v=50;function D(r,t,i){let o=t.slice(0,v).map(e=>`${r}:${e.line}: ${i}${e.reason}${e.text?` (${JSON.stringify(e.text)})`:""}`);return t.length>v&&o.push(`${r}: ${t.length-v} more ${i?"warnings":"bad lines"}`),o}async function m(r,t,i){let o=r==="-"?"<stdin>":r,e=L(await y(i,r)),s=t.quiet?[]:D(o,e.notes,"warning: ");if(e.rejected.length>0)throw new u([...D(o,e.rejected,""),...s]);return s.length>0&&i.stderr(`${s.join(`
`)}
`),e}function b(r){return r.length===0?"":`${r.join(`
`)}
`}async function N(r,t,i){let o=await m(r,t,i),{ipv4:e,ipv6:s}=o;return i.stdout(t.json?`${JSON.stringify({ipv4:e.toCidrs(),ipv6:s.toCidrs()})}
`:e.toCidrLines()+s.toCidrLines()),f.ok}async function O(r,t,i,o){let[e,s]=await Promise.all([m(r,i,o).catch(n=>n),m(t,i,o).catch(n=>n)]);for(let n of[e,s])if(n instanceof Error&&!(n instanceof u))throw n;let d=[e,s].filter(n=>n instanceof u);if(d.length>0)throw new u(d.flatMap(n=>n.lines));let c=e,a=s,l={ipv4:a.ipv4.difference(c.ipv4).toCidrs(),ipv6:a.ipv6.difference(c.ipv6).toCidrs()},p={ipv4:c.ipv4.difference(a.ipv4).toCidrs(),ipv6:c.ipv6.difference(a.ipv6).toCidrs()};return o.stdout(i.json?`${JSON.stringify({added:l,removed:p})}
`:b([...l.ipv4.map(n=>`+${n}`),...l.ipv6.map(n=>`+${n}`),...p.ipv4.map(n=>`-${n}`),...p.ipv6.map(n=>`-${n}`)])),f.ok}async function S(r,t,i,o){let e=t.map(a=>{try{let l=a.includes(":")?6:4,p=C.fromCidrs(l,[a]);return{address:a,set:p,canonical:p.toCidrs()[0]??""}}catch(l){throw l instanceof E?new h(l.message,{cause:l}):l}}),s=await m(r,i,o),d=e.map(({address:a,set:l,canonical:p})=>{let n=l.family===4?s.ipv4:s.ipv6;return{address:a,canonical:p,contained:n.covers(l)}}),c=d.every(a=>a.contained);return o.stdout(i.json?`${JSON.stringify({all:c,results:d})}
`:b(d.map(a=>`${a.address} ${a.contained?"yes":"no"}`))),c?f.ok:f.refused}export{F as run};
