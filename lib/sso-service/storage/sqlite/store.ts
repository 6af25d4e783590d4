/** The store on an open better-sqlite3 database (migrated and configured by open-database.ts). */
import type Database from 'better-sqlite3';
import { sqliteDatabase } from '../connect';
import type { EventLog } from '../../features/events/store';
import { createStore } from '../store';
import type { ServiceStore } from '../types';

/** `eventLog`: the event tables' own file (event-log.ts); without it they are read and written in `db`. */
export function createSqliteStore(db: Database.Database, eventLog?: EventLog): ServiceStore {
  return createStore(sqliteDatabase(db), eventLog);
}
