import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
function r(e){let{added:t,removed:n}=e.change,i=t.ipv4.length+t.ipv6.length,d=n.ipv4.length+n.ipv6.length;return`held: ${e.guard}: ${e.feed}: ${e.reason}; applied version ${e.candidate.version} (+${i} -${d} CIDRs): review it before you apply it
`}export{r as a};
