/**
 * What an import is asked to do, and the checks made before anything is written: the format is
 * known, a mapping is given where the format needs one, the currency is an ISO code, and every
 * file is readable with a header its format accepts. The CLI, the upload route and the import
 * job all check a request here first.
 */
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { AppError } from '../../lib/errors.js';
import { isCurrency } from '../../lib/money.js';
import type { ColumnMapping } from './column-mapping.js';
import type { FormatParser, ImportFormat } from './formats/format.js';
import { formatNames, importFormats } from './formats/index.js';
import { RecordReader } from './record-reader.js';

export interface ImportRequest {
  files: string[];
  format: string;
  /** Store id or slug; default the only store, or a new one when there is none. */
  store?: string | undefined;
  /** Currency of amounts the file does not label (default: the format's, else the store's). */
  currency?: string | undefined;
  mapping?: ColumnMapping | undefined;
  /** One rejects file for all inputs; default `<rejectsDir>/<file name>.rejects.csv` per input. */
  rejectsFile?: string | undefined;
  rejectsDir: string;
  /** Names to record and report instead of the paths (uploads keep the uploaded name). */
  names?: string[] | undefined;
}

export const badRequest = (message: string, path = 'request'): AppError => new AppError('bad_request', message, [{ path, reason: message }]);

/**
 * Checks the request and every file's header without touching the store; throws `bad_request`
 * naming the first problem.
 */
export async function checkImportRequest(request: Pick<ImportRequest, 'files' | 'format' | 'currency' | 'mapping'>): Promise<ImportFormat> {
  const format = importFormats.get(request.format);
  if (!format) throw badRequest(`unknown format "${request.format}" (formats: ${formatNames.join(', ')})`, 'format');
  if (format.needsMapping && !request.mapping) throw badRequest(`the ${format.name} format needs a mapping file (--mapping FILE)`, 'mapping');
  if (request.currency !== undefined && !isCurrency(request.currency.toUpperCase())) throw badRequest(`currency "${request.currency}" is not an ISO 4217 code`, 'currency');
  if (request.files.length === 0) throw badRequest('no file to import', 'files');
  for (const file of request.files) {
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw badRequest(`${file} is not a file`, 'files');
      accessSync(file, constants.R_OK);
      size = stat.size;
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw badRequest(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? error)}`, 'files');
    }
    const parser = format.parser({ currency: 'USD', timeZone: 'UTC', mapping: request.mapping });
    if (parser.header) await checkHeader(file, size, parser);
  }
  return format;
}

/** Reads a CSV file's first record and lets the parser judge it (before anything is written). */
async function checkHeader(file: string, size: number, parser: FormatParser): Promise<void> {
  if (size === 0) throw badRequest(`${file} is empty`, 'files');
  const stream = createReadStream(file, { start: 0, end: Math.min(size, 1 << 16) - 1 });
  const reader = new RecordReader(stream, { syntax: parser.syntax, delimiter: parser.delimiter });
  for await (const records of reader.chunks()) {
    const first = records[0];
    if (!first) continue;
    try {
      parser.header!(first.fields);
    } catch (error) {
      if (error instanceof AppError) throw badRequest(`${file}: ${error.message}`, 'files');
      throw error;
    }
    stream.destroy();
    return;
  }
  throw badRequest(`${file} has no header line`, 'files');
}
