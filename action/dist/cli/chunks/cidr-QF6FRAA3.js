import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import{c as r}from"./chunk-6FZGRS2S.js";function t(e,o){return Promise.reject(new r("cidr: not implemented yet"))}export{t as run};
