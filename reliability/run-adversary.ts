/**
 * `pnpm adversary [filter]`: runs the attacks of reliability/attacks/ (only those whose name
 * contains `filter`, if given) and prints the adversary table that `pnpm stress` writes into
 * docs/RELIABILITY.md. Exits non-zero when an attack breaks the budget.
 * @module
 */
import { allAttacks } from './attacks/index.js';
import { adversaryTable, overBudget, runAttacks } from './lib/adversary.js';

const filter = process.argv[2]?.toLowerCase();
const attacks = filter ? allAttacks.filter((a) => a.name.toLowerCase().includes(filter)) : allAttacks;
const results = await runAttacks(attacks, (r) => process.stderr.write(`${r.name}: ${r.outcome}\n`));
console.log(adversaryTable(results));
const over = results.flatMap((r) => overBudget(r));
for (const o of over) console.log(`OVER BUDGET ${o}`);
process.exitCode = over.length ? 1 : 0;
