import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType('Coverage', {
  description:
    'How the run\'s order lines line up with its variants, catalog and inventory. Computed when asked, only the fields asked for; ' +
    'matching is by variant id where both sides have one, else by SKU (trimmed, exact), and inventory rows also match through the ' +
    'variants and catalog rows that carry their inventory item id.',
})
export class CoverageType {
  /** Database id of the run, for the field resolvers; not exposed. */
  runId!: string;

  static of(runId: string): CoverageType {
    return Object.assign(new CoverageType(), { runId });
  }
}

@ObjectType('CoverageMatch', { description: "The run's order lines against one dataset of the same run." })
export class CoverageMatch {
  @Field(() => Int, { description: 'Order lines whose item appears in the dataset.' })
  matchedLines!: number;

  @Field(() => Int, { description: 'orderLines - matchedLines; lines with neither SKU nor variant id are unmatched.' })
  unmatchedLines!: number;

  @Field(() => Float, { description: 'matchedLines / orderLines; 0 when the run has no order lines.' })
  lineRatio!: number;

  @Field(() => Int, { description: 'Distinct ordered SKUs with at least one matched line.' })
  matchedSkus!: number;

  @Field(() => Float, { description: 'matchedSkus / distinctSkusOrdered; 0 when no SKU was ordered.' })
  skuRatio!: number;
}

@ObjectType('UnmatchedSku', { description: 'An ordered SKU none of whose order lines matches the dataset.' })
export class UnmatchedSku {
  @Field()
  sku!: string;

  @Field(() => Int, { description: 'Order lines carrying the SKU.' })
  orderLines!: number;

  @Field(() => Int, { description: 'Units ordered on those lines.' })
  quantity!: number;
}
