import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{a as e,b as r}from"./chunk-USL6JKL3.mjs";var q=r((u,i)=>{i.exports=e("node:path")});var s=r((x,o)=>{o.exports=e("node:os")});var t=r((a,p)=>{p.exports=e("node:child_process")});export{q as a,s as b,t as c};
