import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{k as a,l as b,m as c}from"./chunk-Q273TWXN.mjs";import"./chunk-M4U2NITB.mjs";import"./chunk-FCM53DIM.mjs";import"./chunk-W64FJVZM.mjs";import"./chunk-USL6JKL3.mjs";export{c as approvalGate,b as recordDecision,a as siteDigest};
