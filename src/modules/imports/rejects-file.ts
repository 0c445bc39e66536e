/**
 * The rejects file: one CSV row per rejected record (`file,line,reason,row`), so a user can fix the
 * rows and import the file again. Created on the first reject only.
 */
import { csvCell } from '../../lib/csv.js';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Reject } from './batch-builder.js';

const quote = csvCell;

export class RejectsFile {
  private stream: WriteStream | undefined;
  count = 0;

  constructor(readonly path: string) {}

  async add(file: string, rejects: Reject[]): Promise<void> {
    if (rejects.length === 0) return;
    if (!this.stream) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.stream = createWriteStream(this.path);
      this.stream.write('file,line,reason,row\n');
    }
    const text = rejects.map((r) => `${quote(file)},${r.line},${quote(r.reason)},${quote(r.raw)}\n`).join('');
    this.count += rejects.length;
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.stream!.once('drain', () => resolve()));
  }

  get written(): boolean {
    return this.stream !== undefined;
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
