/** Terminal approvals off the lab (test/support/approval-suite.ts): real OS users, no router reachable. */
import { approvalSuite } from '../support/approval-suite.js';

approvalSuite({ lab: false });
