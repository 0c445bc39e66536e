/**
 * Every job kind the worker runs, with its handler. Module services do the work; these adapters
 * only parse payloads.
 */
import type { Services } from '../services.js';
import type { Worker } from './worker.js';

export function registerJobs(worker: Worker, services: Services): void {
  void services;
  void worker;
}
