import Foundation
import GRDB

/// The embedded backend: one SQLite file in WAL mode (GRDB's `DatabasePool`: concurrent readers,
/// one writer). Every connection runs with `secure_delete` on, so deleted content is overwritten
/// with zeros in the database file; `eraseDeleted` checkpoints the WAL and truncates it, after
/// which the deleted bytes are in no file of the store.
public final class SQLiteDatabase: StoreDatabase {
  public let path: String
  public var location: String { path }
  let pool: DatabasePool

  /// Opens (creating when absent) the database at `path` and brings its schema up to date.
  /// `prepareConnection` runs on every new connection before the store's own settings (tests use
  /// it to open connections as an SQLite build with other defaults would).
  public init(path: String, prepareConnection: (@Sendable (any StoreConnection) throws -> Void)? = nil) throws {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in
      try prepareConnection?(db)
      // Deleted content is overwritten with zeros, whatever this SQLite build's default.
      try db.execute(sql: "PRAGMA secure_delete = ON")
    }
    pool = try DatabasePool(path: path, configuration: configuration)
    try Self.migrator.migrate(pool)
  }

  /// Opens the database of an existing store; throws `StoreError` when there is none at `path`.
  public convenience init(existingPath path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(.missingStore, "no store at \(path)")
    }
    try self.init(path: path)
  }

  public func read<T>(_ body: (any StoreConnection) throws -> T) throws -> T {
    try pool.read { db in try body(db) }
  }

  public func write<T>(_ body: (any StoreConnection) throws -> T) throws -> T {
    try pool.write { db in try body(db) }
  }

  public func eraseDeleted(datasets: Set<Int64>, requests: Bool) throws {
    try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
  }

  /// Nothing to prepare: one table holds every dataset's samples.
  public func prepareDataset(_ id: Int64, _ db: any StoreConnection) throws {}

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    for migration in Schema.migrations {
      migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sqlite) }
    }
    return migrator
  }
}

extension Database: StoreConnection {
  public func execute(sql: String, arguments: StoreArguments) throws {
    // Without arguments, as on PostgreSQL, the text may hold several statements (a migration).
    guard !arguments.isEmpty else { return try execute(sql: sql, arguments: StatementArguments()) }
    try cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments.map(\.databaseValue)))
  }

  public func forEachRow(sql: String, arguments: StoreArguments, _ body: (StoreRow) throws -> Void) throws {
    let statement = try cachedStatement(sql: sql)
    let rows = try Row.fetchCursor(statement, arguments: StatementArguments(arguments.map(\.databaseValue)))
    while let row = try rows.next() {
      var values: [String: StoreValue] = [:]
      for (column, value) in row { values[column] = value.storeValue }
      try body(StoreRow(values))
    }
  }
}

extension Optional where Wrapped == any StoreValueConvertible {
  fileprivate var databaseValue: DatabaseValue {
    switch self?.storeValue ?? .null {
    case .null: return .null
    case .integer(let value): return value.databaseValue
    case .real(let value): return value.databaseValue
    case .text(let value): return value.databaseValue
    case .blob(let value): return value.databaseValue
    }
  }
}

extension DatabaseValue {
  fileprivate var storeValue: StoreValue {
    switch storage {
    case .null: return .null
    case .int64(let value): return .integer(value)
    case .double(let value): return .real(value)
    case .string(let value): return .text(value)
    case .blob(let value): return .blob(value)
    }
  }
}

extension DatabaseError: StorageFailure {
  public var isTransient: Bool {
    [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN]
      .contains(resultCode)
  }

  public var kind: String {
    switch resultCode {
    case .SQLITE_FULL: return "disk full"
    case .SQLITE_READONLY: return "read-only"
    case .SQLITE_IOERR: return "I/O error"
    case .SQLITE_BUSY, .SQLITE_LOCKED: return "locked by another process"
    case .SQLITE_CANTOPEN: return "cannot open the database file"
    default: return "SQLite error \(resultCode.rawValue)"
    }
  }
}
