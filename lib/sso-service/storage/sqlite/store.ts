/** The store on an open better-sqlite3 database (migrated and configured by open-database.ts). */
import type Database from 'better-sqlite3';
import { sqliteDatabase } from '../connect';
import { createStore } from '../store';
import type { ServiceStore } from '../types';

export function createSqliteStore(db: Database.Database): ServiceStore {
  return createStore(sqliteDatabase(db));
}
