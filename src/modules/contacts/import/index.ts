/** Contact imports (issue 4): CSV/XLSX up to 1,000,000 rows, streamed, resumable. */
export { contactImportJobs } from './jobs.ts';
export { ImportProcessor, type RunHooks, type RunOutcome } from './processor.ts';
export { IMPORT_JOB, type ImportQueue, PgBossImportQueue } from './queue.ts';
export { contactImportRoutes } from './routes.ts';
export { ContactImportsService, type ImportViewData } from './service.ts';
