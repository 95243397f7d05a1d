import t from 'tap';
import { checkBuiltins } from '../helpers/e2e.js';

t.test('the six built-in scenarios pass end to end with the http probe, checked against the ledger', (t) => checkBuiltins(t, 'http'));
