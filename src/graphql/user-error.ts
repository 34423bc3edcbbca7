import { Field, ObjectType } from 'type-graphql';

/** The shape of every expected failure reported by a mutation payload. */
@ObjectType({ description: 'An expected failure: bad input, an unknown id, a rejected file.' })
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["bundles","3","items","0","quantity"].' })
  field?: string[];

  @Field({ description: 'Stable machine-readable code, e.g. NOT_FOUND, MISSING_COLUMNS.' })
  code!: string;

  @Field()
  message!: string;
}

export function userError(code: string, message: string, field?: (string | number)[]): UserError {
  return Object.assign(new UserError(), { code, message, field: field?.map(String) });
}

/**
 * The one way services report expected failures. A mutation payload turns it into `userErrors`; a query turns it
 * into a top-level error with extensions.code BAD_USER_INPUT. Services never import GraphQL types beyond UserError.
 */
export class DomainError extends Error {
  readonly errors: UserError[];

  constructor(errors: UserError | UserError[]) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => e.message).join('; '));
    this.name = 'DomainError';
    this.errors = list;
  }

  get code(): string {
    return this.errors[0]?.code ?? 'INVALID';
  }
}

/** PostgreSQL failures that mean bad input rather than a fault, mapped in this one place. */
export function fromDatabaseError(error: unknown): DomainError | null {
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case '23505':
      return new DomainError(userError('ALREADY_EXISTS', 'A record with the same identity already exists.'));
    case '23503':
      return new DomainError(userError('NOT_FOUND', 'A referenced record does not exist.'));
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
      return new DomainError(userError('INVALID_VALUE', 'A value is out of range or malformed.'));
    default:
      return null;
  }
}

/**
 * Runs a mutation's work and folds expected failures into its payload's userErrors; anything else propagates as
 * an unexpected, top-level error.
 */
export async function withUserErrors<P extends { userErrors: UserError[] }>(
  work: () => Promise<Omit<P, 'userErrors'>>,
  onError: (error: DomainError) => Omit<P, 'userErrors'>,
): Promise<P> {
  try {
    return { ...(await work()), userErrors: [] } as unknown as P;
  } catch (error) {
    const domain = error instanceof DomainError ? error : fromDatabaseError(error);
    if (!domain) throw error;
    return { ...onError(domain), userErrors: domain.errors } as unknown as P;
  }
}
