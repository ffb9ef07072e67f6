/**
 * The AWS price table (`bench/aws-prices.eu-west-3.json`), validated: read by `bench:cost` and by
 * `bp rehearse` for the bill of the edition it drove. Update the JSON file, not this module.
 */
import * as z from 'zod';
// Imported, not read from disk: `bp rehearse` runs from the esbuild bundle in dist/, where a path beside this
// module would not exist; esbuild inlines the JSON.
import prices from './aws-prices.eu-west-3.json' with { type: 'json' };

const Price = z.object({ usd: z.number().nonnegative(), source: z.url(), checked: z.boolean() });
export const PriceFile = z.object({
  region: z.literal('eu-west-3'),
  currency: z.literal('USD'),
  asOf: z.iso.date(),
  provenance: z.string(),
  prices: z.record(z.string(), Price),
});
export type PriceFile = z.infer<typeof PriceFile>;

export const priceFile: PriceFile = PriceFile.parse(prices);

/** The price in USD of one unit of `name` (as the JSON file names it); throws on an unknown name. */
export function price(name: string): number {
  const entry = priceFile.prices[name];
  if (!entry) throw new Error(`No price ${name} in bench/aws-prices.eu-west-3.json`);
  return entry.usd;
}
