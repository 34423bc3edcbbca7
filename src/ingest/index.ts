import { shopIdOf } from '../graphql/context';
import { registerNodeType } from '../graphql/node.resolver';
import { RunUploadsResolver, UploadResolver } from './ingest.resolver';
import { CsvUploadType } from './ingest.types';
import { UploadQueries } from './upload.service';

registerNodeType('CsvUpload', async (ctx, id) => {
  const upload = await new UploadQueries(ctx.em).get(shopIdOf(ctx), id);
  return upload ? CsvUploadType.from(upload) : null;
});

export const ingestResolvers = [UploadResolver, RunUploadsResolver] as const;
