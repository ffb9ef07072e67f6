/**
 * CSV cells for every file the platform writes (open data, staff exports, the pabulib `.pb`). The code lives in
 * the counting package (`packages/counting/src/csv-cell.ts`), which writes `.pb` files and depends on nothing.
 */
export { csvCell, startsFormula, toCsv } from '../../packages/counting/src/csv-cell.ts';
