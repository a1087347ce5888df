/** Terminal approvals on the lab (test/support/approval-suite.ts): an approved request applied on a real FRR router. */
import { approvalSuite } from '../support/approval-suite.js';

approvalSuite({ lab: true });
