import { DomainError, userError } from './user-error';
/** Opaque global ids: `gid://bundlegraph/<Type>/<id>`. */
export type NodeTypeName = 'Shop' | 'ApiKey' | 'Run' | 'CsvUpload' | 'Bundle' | 'BundleGeneration';

const NODE_TYPES: ReadonlySet<string> = new Set<NodeTypeName>(['Shop', 'ApiKey', 'Run', 'CsvUpload', 'Bundle', 'BundleGeneration']);
const PATTERN = /^gid:\/\/bundlegraph\/([A-Za-z]+)\/([1-9][0-9]{0,18})$/;

export function toGlobalId(type: NodeTypeName, id: string | number): string {
  return `gid://bundlegraph/${type}/${id}`;
}

export interface DecodedId {
  type: NodeTypeName;
  id: string;
}

/** Returns null for anything that is not a well-formed id of a known type. */
export function fromGlobalId(globalId: string): DecodedId | null {
  const match = PATTERN.exec(globalId);
  if (!match || !NODE_TYPES.has(match[1])) return null;
  if (BigInt(match[2]) > 9223372036854775807n) return null;
  return { type: match[1] as NodeTypeName, id: match[2] };
}

/** The database id behind a global id of the expected type, or null. */
export function idOf(globalId: string, type: NodeTypeName): string | null {
  const decoded = fromGlobalId(globalId);
  return decoded && decoded.type === type ? decoded.id : null;
}

/** How messages name each type: as the services say "No run with this id in this shop." of an unknown one. */
const NOUNS: Record<NodeTypeName, string> = {
  Shop: 'shop',
  ApiKey: 'API key',
  Run: 'run',
  CsvUpload: 'upload',
  Bundle: 'bundle',
  BundleGeneration: 'generation',
};

/** Like `idOf`, but a malformed or foreign-typed id is reported the same way as an unknown one. */
export function requireIdOf(globalId: string, type: NodeTypeName, field: (string | number)[] = ['id']): string {
  const id = idOf(globalId, type);
  if (!id) throw new DomainError(userError('NOT_FOUND', `No ${NOUNS[type]} with this id in this shop.`, field));
  return id;
}
