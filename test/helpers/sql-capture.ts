import { Client } from 'pg';

/**
 * Records the text of every statement sent to PostgreSQL by this process while `work` runs (the ORM and the
 * raw COPY connections alike go through pg's Client.query).
 */
export async function captureSql<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const original = Client.prototype.query;
  const statements: string[] = [];
  Client.prototype.query = function (this: Client, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: string })?.text;
    if (text) statements.push(text);
    return (original as (...args: unknown[]) => unknown).call(this, config, ...rest);
  } as typeof original;
  try {
    return { result: await work(), statements };
  } finally {
    Client.prototype.query = original;
  }
}

/** The coverage statements among them, by the step named in their leading comment. */
export function coverageSteps(statements: string[]): string[] {
  return statements.flatMap((s) => {
    const step = /\/\* coverage:([\w+-]+) \*\//.exec(s)?.[1];
    return step ? [step] : [];
  });
}
