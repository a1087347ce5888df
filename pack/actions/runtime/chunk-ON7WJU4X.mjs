import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);
import{k as a,l as b,m as c}from"./chunk-X57N7X77.mjs";import"./chunk-GP2QUD2W.mjs";import"./chunk-FCM53DIM.mjs";import"./chunk-WAQJZFGX.mjs";import"./chunk-USL6JKL3.mjs";export{c as approvalGate,b as recordDecision,a as siteDigest};
