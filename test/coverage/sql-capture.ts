import { Client } from 'pg';

/**
 * Records every statement this process sends to PostgreSQL while `work` runs: the server under test runs in the
 * same process, and every client it has (MikroORM's pool, the raw COPY connections) is a pg Client.
 */
export async function captureSql<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string } | undefined;
    const text = typeof config === 'string' ? config : config?.text;
    if (text) statements.push(text);
    return original.apply(this, args);
  };
  try {
    const result = await work();
    return { result, statements };
  } finally {
    prototype.query = original;
  }
}

/** The coverage statements among them, by the step named in their leading comment. */
export function coverageSteps(statements: string[]): string[] {
  return statements.flatMap((s) => {
    const step = /\/\* coverage:([\w+-]+) \*\//.exec(s)?.[1];
    return step ? [step] : [];
  });
}
