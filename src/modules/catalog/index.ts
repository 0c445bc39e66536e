/** The catalog module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { CatalogService } from './catalog.service.js';
export { type ProductTable, type VariantTable } from './catalog.table.js';
export { productSchema } from './catalog.schemas.js';
