import { Field, InputType, ObjectType } from 'type-graphql';
import { toGlobalId } from '../graphql/global-id';
import { Connection, Node } from '../graphql/relay';
import { DateTimeScalar } from '../graphql/scalars';
import { UserError } from '../graphql/user-error';
import type { Run } from './run.entity';

@ObjectType('Run', { implements: Node, description: 'One set of uploaded files and what was computed from them.' })
export class RunType extends Node {
  /** Database id, for field resolvers; not exposed. */
  runId!: string;

  @Field()
  name!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  static from(run: Run): RunType {
    return Object.assign(new RunType(), { id: toGlobalId('Run', run.id), runId: run.id, name: run.name, createdAt: run.createdAt });
  }
}

export const RunConnection = Connection(RunType, 'Run');

@InputType()
export class RunCreateInput {
  @Field({ description: 'A label for the run, e.g. "November export".' })
  name!: string;
}

@ObjectType()
export class RunCreatePayload {
  @Field(() => RunType, { nullable: true })
  run!: RunType | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
