import { Bundle } from '../bundles/bundle.entity';
import { BundleItemRecord } from '../bundles/bundle-item.entity';
import { CatalogItem } from '../catalog/catalog-item.entity';
import { InventoryLevel } from '../catalog/inventory-level.entity';
import { OrderLine } from '../catalog/order-line.entity';
import { ProductRow } from '../catalog/product-row.entity';
import { Variant } from '../catalog/variant.entity';
import { CoverageItems, CoveragePart } from '../coverage/coverage.entity';
import { BundleGeneration } from '../generation/generation.entity';
import { CsvRowErrorRecord } from '../ingest/csv-row-error.entity';
import { CsvUpload } from '../ingest/csv-upload.entity';
import { RunJob } from '../runs/run-job.entity';
import { Run } from '../runs/run.entity';
import { ApiKey } from '../shops/api-key.entity';
import { Shop } from '../shops/shop.entity';

/** Every entity of the model; the ORM is configured with this list rather than by scanning folders. */
export const entities = [
  Shop,
  ApiKey,
  Run,
  RunJob,
  CsvUpload,
  CsvRowErrorRecord,
  OrderLine,
  ProductRow,
  Variant,
  CatalogItem,
  InventoryLevel,
  Bundle,
  BundleItemRecord,
  CoveragePart,
  CoverageItems,
  BundleGeneration,
];
