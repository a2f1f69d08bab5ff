/// A connection inside one transaction of a `StoreDatabase`. Statements are written once for every
/// backend: `?` placeholders, and only SQL that SQLite and PostgreSQL read alike (`ON CONFLICT`
/// rather than `INSERT OR …`, `RETURNING` rather than the last row id).
public protocol StoreConnection {
  func execute(sql: String, arguments: StoreArguments) throws
  /// Runs a query and hands its rows to `body` one at a time, in order.
  func forEachRow(sql: String, arguments: StoreArguments, _ body: (StoreRow) throws -> Void) throws
}

extension StoreConnection {
  public func execute(sql: String) throws {
    try execute(sql: sql, arguments: [])
  }

  public func fetchAll(sql: String, arguments: StoreArguments = []) throws -> [StoreRow] {
    var rows: [StoreRow] = []
    try forEachRow(sql: sql, arguments: arguments) { rows.append($0) }
    return rows
  }

  public func fetchOne(sql: String, arguments: StoreArguments = []) throws -> StoreRow? {
    try fetchAll(sql: sql, arguments: arguments).first
  }

  /// The first column of the first row, nil when there is no row or it holds NULL.
  public func fetchValue<Value: StoreValueConvertible>(
    _ type: Value.Type, sql: String, arguments: StoreArguments = []
  ) throws -> Value? {
    guard let row = try fetchOne(sql: sql, arguments: arguments) else { return nil }
    return try Self.firstColumn(of: row, as: type)
  }

  /// The first column of every row, NULLs left out.
  public func fetchValues<Value: StoreValueConvertible>(
    _ type: Value.Type, sql: String, arguments: StoreArguments = []
  ) throws -> [Value] {
    try fetchAll(sql: sql, arguments: arguments).compactMap { try Self.firstColumn(of: $0, as: type) }
  }

  private static func firstColumn<Value: StoreValueConvertible>(of row: StoreRow, as type: Value.Type) throws
    -> Value?
  {
    guard let value = row.values.first?.value, row.values.count == 1 else {
      throw StoreError(.corrupted, "a query for one value returned \(row.values.count) columns")
    }
    if value == .null { return nil }
    guard let typed = Value(storeValue: value) else {
      throw StoreError(.corrupted, "a query returned a value that is not a \(Value.self)")
    }
    return typed
  }
}

/// Where a `Store` keeps its tables: one SQLite file (`SQLiteDatabase`) or a PostgreSQL database
/// shared by several hosts (`PostgresDatabase`). Writes are serialized store-wide, as SQLite's one
/// writer does, so every invariant the store keeps in a transaction (one audit chain, a version
/// that moves by one, a claim held by one executor) holds on either backend.
public protocol StoreDatabase: Sendable {
  /// Where the database is, for messages (no password).
  var location: String { get }
  /// Runs `body` in a read-only transaction that sees one consistent snapshot.
  func read<T>(_ body: (any StoreConnection) throws -> T) throws -> T
  /// Runs `body` in a write transaction, committed when it returns and rolled back when it throws.
  func write<T>(_ body: (any StoreConnection) throws -> T) throws -> T
  /// Makes the content that committed transactions deleted from `datasets`' samples, from the raw
  /// ids of requests, from parts and from versions unrecoverable from the backend's files — and
  /// with `requests`, what they overwrote in `deletion_request` rows (what each backend can
  /// promise is in its own documentation).
  func eraseDeleted(datasets: Set<Int64>, requests: Bool) throws
  /// Called in the transaction that inserted dataset `id`, before its samples are written.
  func prepareDataset(_ id: Int64, _ db: any StoreConnection) throws
}

/// A backend's error that the store can classify: trouble that may pass (a full disk, a lost
/// connection, a lock timeout) and a few words for it that name no data.
public protocol StorageFailure: Error {
  var isTransient: Bool { get }
  var kind: String { get }
}
