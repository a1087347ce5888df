import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{a as e,b as r}from"./chunk-USL6JKL3.mjs";var p=r((s,i)=>{i.exports=e("path")});var q=r((t,o)=>{o.exports=e("fs")});export{p as a,q as b};
