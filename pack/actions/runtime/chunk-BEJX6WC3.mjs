import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{a as e,b as r}from"./chunk-USL6JKL3.mjs";var p=r((s,i)=>{i.exports=e("node:url")});var q=r((t,o)=>{o.exports=e("node:timers/promises")});export{p as a,q as b};
