import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { GraphQLUpload, Upload, type FileUpload } from 'graphql-upload-minimal';

/**
 * How a file stands in an error about a variable it was given for (`ID cannot represent value: a file`): graphql-js
 * prints a value by its toJSON, and would otherwise print the upload's promise and callbacks.
 */
Object.defineProperty(Upload.prototype, 'toJSON', { value: () => 'a file', configurable: true });

export const DateTimeScalar = GraphQLDateTime;

const DECIMAL = /^-?\d+(\.\d+)?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text.trim())) {
    throw new GraphQLError(`Decimal must be a decimal number written as a string, such as "19.99"; got ${JSON.stringify(value)}`);
  }
  return text.trim();
}

/** Money and other exact decimals, as strings ("19.99") so that no precision is lost in JSON. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number written as a string, such as "19.99".',
  serialize(value) {
    if (typeof value === 'number') return normalizeDecimal(String(value));
    if (typeof value === 'string') return normalizeDecimal(value);
    throw new GraphQLError(`Decimal cannot represent ${typeof value}`);
  },
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string such as "19.99"');
  },
});

/** Drops the padding zeros of numeric(18,4) ("19.9000" -> "19.90") but keeps at least two places for money. */
export function normalizeDecimal(value: string): string {
  if (!value.includes('.')) return value;
  const [whole, fraction] = value.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}.${trimmed.padEnd(2, '0')}`;
}

/**
 * A file of a multipart request, handed to resolvers still unread. type-graphql awaits promises among a resolver's
 * arguments before calling it, so with the plain upload scalar a file the request names but does not hold would
 * fail the whole field instead of being reported on it.
 */
export class PendingUpload {
  constructor(readonly file: Promise<FileUpload>) {}
}

export const UploadScalar = new GraphQLScalarType<PendingUpload, never>({
  name: 'Upload',
  description: GraphQLUpload.description,
  parseValue: (value) => new PendingUpload(GraphQLUpload.parseValue(value) as Promise<FileUpload>),
  parseLiteral: (node) => GraphQLUpload.parseLiteral(node) as never,
  serialize: (value) => GraphQLUpload.serialize(value) as never,
});
