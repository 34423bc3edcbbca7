import { createParameterDecorator, type ArgOptions } from 'type-graphql';

type ArgTypeFunc = NonNullable<NonNullable<Parameters<typeof createParameterDecorator>[1]>['arg']>['typeFunc'];

/**
 * An argument handed to the resolver as graphql-js coerced it: plain objects, with the schema's default values
 * already applied, rather than instances of its input classes. type-graphql's conversion walks every value a
 * second time (about 0.17 s for 10,000 bundles), which only pays for input classes that carry behaviour.
 */
export function PlainArg(name: string, typeFunc: ArgTypeFunc, options?: ArgOptions) {
  return createParameterDecorator(({ args }) => args[name], { arg: { name, typeFunc, options } });
}
