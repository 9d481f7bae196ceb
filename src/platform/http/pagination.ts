import { AppError } from '../errors.ts';

/** Opaque cursors: base64url JSON of the last row's sort key. */
export const encodeCursor = (position: Record<string, unknown>): string => Buffer.from(JSON.stringify(position)).toString('base64url');

export function decodeCursor<T extends Record<string, unknown>>(cursor: string): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as T;
  } catch {
    // fall through
  }
  throw new AppError('invalid_cursor', 'The cursor is not one this API gave', { errors: [{ path: '/querystring/cursor', message: 'is invalid' }] });
}
