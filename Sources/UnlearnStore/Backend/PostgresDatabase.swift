import CUnlearnPQ
import Foundation
import Synchronization

/// The shared backend: a PostgreSQL database that several API servers and workers on other hosts
/// open by URL (libpq's form, `postgres://user@host:port/db?sslmode=require`; the password from
/// `PGPASSWORD` or `~/.pgpass`, never from the URL in messages).
///
/// Every write transaction first takes one transaction-level advisory lock, so writes are
/// serialized store-wide exactly as SQLite's one writer serializes them: the audit chain cannot
/// fork, a claim is held by one executor, and a version moves by one. The work between the
/// transactions (forgetting, which is most of a request's time) runs on every worker at once.
/// Reads run in a `REPEATABLE READ` snapshot, as SQLite's WAL readers do.
///
/// Erasure: PostgreSQL keeps a deleted row's bytes in the table's pages (dead tuples) until they
/// are reused. `eraseDeleted` runs `VACUUM FULL` on the tables a deletion touches, which rewrites
/// them into new files; the old files are truncated when that commits. `sample` and `sample_row`
/// are partitioned by dataset, so a deletion rewrites its own dataset's samples only. PostgreSQL's
/// write-ahead log (`pg_wal`), its archive and any replica still hold the rows until the segments
/// are recycled (docs/store.md says what an operator sets for that).
public final class PostgresDatabase: StoreDatabase {
  public let location: String
  private let url: String
  private let idle = Mutex<[PostgresConnection]>([])

  /// The advisory lock every write transaction holds ("unlearn" in ASCII).
  static let writeLock: Int64 = 0x75_6E_6C_65_61_72_6E

  /// Tables besides the datasets' samples whose deleted rows can hold erased data: parts (ids
  /// listings), versions (older stores' whole states) and the raw ids of requests in flight.
  static let erasedTables = ["part", "model_version", "request_ids"]

  /// The partitions of `sample` and `sample_row` that hold dataset `id`.
  static func partitions(ofDataset id: Int64) -> [String] { ["sample_d\(id)", "sample_row_d\(id)"] }

  /// Whether `location` names a PostgreSQL database rather than an SQLite file.
  public static func isURL(_ location: String) -> Bool {
    location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
  }

  /// Connects to the database at `url` and brings the store's schema up to date. Without `create`,
  /// a database that holds no store is an error (`StoreError.missingStore`).
  public init(url: String, create: Bool) throws {
    self.url = url
    self.location = Self.withoutPassword(url)
    let connection = try PostgresConnection(url: url, location: location)
    let exists =
      try connection.fetchValue(
        Bool.self, sql: "SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migration'") ?? false
    if !exists && !create {
      throw StoreError(
        .missingStore,
        "no store in \(location); create one with `unlearn store init --store \(location) --key-file FILE`")
    }
    try Self.migrate(connection)
    idle.withLock { $0.append(connection) }
  }

  /// Applies the migrations this database has not run, under the write lock (two processes opening
  /// a new store at once run each migration once).
  private static func migrate(_ connection: PostgresConnection) throws {
    try connection.transaction(begin: "BEGIN") {
      try connection.execute(sql: "SELECT pg_advisory_xact_lock(?)", arguments: [writeLock])
      try connection.execute(sql: "CREATE TABLE IF NOT EXISTS schema_migration(name TEXT PRIMARY KEY)")
      let done = Set(try connection.fetchValues(String.self, sql: "SELECT name FROM schema_migration"))
      for migration in Schema.migrations where !done.contains(migration.name) {
        try connection.execute(sql: migration.postgres)
        try connection.execute(sql: "INSERT INTO schema_migration(name) VALUES (?)", arguments: [migration.name])
      }
    }
  }

  public func read<T>(_ body: (any StoreConnection) throws -> T) throws -> T {
    try withConnection { connection in
      try connection.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { try body(connection) }
    }
  }

  public func write<T>(_ body: (any StoreConnection) throws -> T) throws -> T {
    try withConnection { connection in
      try connection.transaction(begin: "BEGIN") {
        try connection.acquire("pg_try_advisory_xact_lock", Self.writeLock)
        return try body(connection)
      }
    }
  }

  /// `VACUUM FULL` of the datasets' partitions and of `erasedTables` (with `requests`, of
  /// `deletion_request` too): each is rewritten into a new file without its dead tuples, and the
  /// old file truncated at commit. Partitions keep the cost to the datasets a deletion touched
  /// rather than every dataset in the store.
  public func eraseDeleted(datasets: Set<Int64>, requests: Bool) throws {
    let tables =
      datasets.sorted().flatMap(Self.partitions(ofDataset:)) + Self.erasedTables
      + (requests ? ["deletion_request"] : [])
    try withConnection { connection in
      try Self.waitForOlderTransactions(connection)
      try connection.execute(sql: "VACUUM (FULL) " + tables.joined(separator: ", "))
    }
  }

  /// Waits until no other session of the cluster runs a transaction or holds a snapshot older
  /// than now (at most a minute, then a transient error): `VACUUM FULL` keeps a dead row that an
  /// older transaction could still see — an open transaction, a report, an autovacuum's `ANALYZE`,
  /// and, as measured, a `CREATE` or `DROP DATABASE` in another database — so it would copy the
  /// erased rows into the rewritten table. (Replication slots and `hot_standby_feedback` hold rows
  /// the same way; docs/store.md.)
  private static func waitForOlderTransactions(_ connection: PostgresConnection) throws {
    // A transaction id assigned now follows every commit of this executor.
    guard let now = try connection.fetchValue(Int64.self, sql: "SELECT txid_current() % 4294967296") else { return }
    let deadline = Date().addingTimeInterval(60)
    while true {
      let older = try connection.fetchValue(
        Int.self,
        sql: """
          SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
            AND (age(backend_xmin) >= age(?::text::xid) OR age(backend_xid) >= age(?::text::xid))
          """, arguments: [now, now])
      if older == 0 { return }
      guard Date() < deadline else {
        throw PostgresError(
          kind: "an older transaction is open",
          message: "a session of the PostgreSQL cluster has held a snapshot older than the deletion for a minute; "
            + "erasing waits for it (the request is finished on a later pass)", sqlState: nil)
      }
      Thread.sleep(forTimeInterval: 0.05)
    }
  }

  /// Creates the dataset's partitions of `sample` and `sample_row`, collecting no statistics on
  /// ids and features (`ANALYZE` would copy sample values into `pg_statistic`).
  public func prepareDataset(_ id: Int64, _ db: any StoreConnection) throws {
    let partitions = Self.partitions(ofDataset: id)
    let (samples, rows) = (partitions[0], partitions[1])
    try db.execute(sql: "CREATE TABLE \(samples) PARTITION OF sample FOR VALUES IN (\(id))")
    try db.execute(sql: "CREATE TABLE \(rows) PARTITION OF sample_row FOR VALUES IN (\(id))")
    try db.execute(sql: "ALTER TABLE \(samples) ALTER COLUMN sample_id SET STATISTICS 0")
    try db.execute(
      sql: "ALTER TABLE \(rows) ALTER COLUMN sample_id SET STATISTICS 0, ALTER COLUMN features SET STATISTICS 0")
  }

  /// Runs `body` on an idle connection (or a new one), returned to the pool afterwards unless it
  /// broke.
  private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
    let connection = try idle.withLock { $0.popLast() } ?? PostgresConnection(url: url, location: location)
    defer { if connection.isHealthy { idle.withLock { $0.append(connection) } } }
    return try body(connection)
  }

  /// `url` without its password (the only secret a libpq URL carries), for messages.
  public static func withoutPassword(_ url: String) -> String {
    guard var components = URLComponents(string: url) else { return "a PostgreSQL URL that does not parse" }
    if components.password != nil { components.password = "***" }
    components.queryItems = components.queryItems?.map {
      $0.name == "password" ? URLQueryItem(name: $0.name, value: "***") : $0
    }
    if components.queryItems?.isEmpty == true { components.queryItems = nil }
    return components.string ?? "a PostgreSQL URL"
  }
}

/// One libpq connection, used by one thread at a time (the pool hands it out).
final class PostgresConnection: StoreConnection, @unchecked Sendable {
  private let handle: OpaquePointer

  init(url: String, location: String) throws {
    guard let handle = PQconnectdb(url) else {
      throw PostgresError(kind: "cannot connect", message: "libpq could not allocate a connection", sqlState: nil)
    }
    self.handle = handle
    guard PQstatus(handle) == CONNECTION_OK else {
      let message = Self.text(PQerrorMessage(handle))
      PQfinish(handle)
      throw PostgresError(kind: "cannot connect", message: "\(location): \(message)", sqlState: "08006")
    }
    // Notices ("already exists, skipping") are not errors; libpq would print them to stderr.
    PQsetNoticeProcessor(handle, { _, _ in }, nil)
  }

  deinit {
    PQfinish(handle)
  }

  var isHealthy: Bool {
    PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
  }

  /// Takes an advisory lock with `function` (a `pg_try_advisory…` one), trying again after a short
  /// sleep until it is granted. A session blocked in `pg_advisory_xact_lock` would hold its
  /// statement's snapshot while it waits, and keep every eraser's `VACUUM FULL` from removing
  /// rows deleted since; a try holds one for an instant.
  func acquire(_ function: String, _ key: Int64) throws {
    var pause = 0.001
    while try fetchValue(Bool.self, sql: "SELECT \(function)(?)", arguments: [key]) != true {
      Thread.sleep(forTimeInterval: pause)
      pause = min(pause * 2, 0.02)
    }
  }

  /// Runs `body` between `begin` and COMMIT; rolls back and rethrows when it throws.
  func transaction<T>(begin: String, _ body: () throws -> T) throws -> T {
    try execute(sql: begin)
    do {
      let result = try body()
      try execute(sql: "COMMIT")
      return result
    } catch {
      if PQstatus(handle) == CONNECTION_OK { try? execute(sql: "ROLLBACK") }
      throw error
    }
  }

  func execute(sql: String, arguments: StoreArguments) throws {
    try run(sql, arguments) { _ in }
  }

  func forEachRow(sql: String, arguments: StoreArguments, _ body: (StoreRow) throws -> Void) throws {
    try run(sql, arguments) { result in
      let columns = (0..<PQnfields(result)).map { (name: Self.text(PQfname(result, $0)), type: PQftype(result, $0)) }
      for row in 0..<PQntuples(result) {
        var values: [String: StoreValue] = [:]
        for (index, column) in columns.enumerated() {
          values[column.name] = try Self.value(result, row: row, column: Int32(index), type: column.type)
        }
        try body(StoreRow(values))
      }
    }
  }

  /// Executes a statement with its `?` placeholders numbered as PostgreSQL's `$1, $2, …` and its
  /// arguments bound as typed parameters (blobs in binary), and hands `body` the result.
  private func run(_ sql: String, _ arguments: StoreArguments, _ body: (OpaquePointer) throws -> Void) throws {
    let parameters = arguments.map { Parameter($0?.storeValue ?? .null) }
    // Without arguments, the simple protocol: it also runs several statements (a migration).
    let result: OpaquePointer? =
      parameters.isEmpty
      ? PQexec(handle, sql)
      : withParameterPointers(parameters) { pointers, lengths in
        PQexecParams(
          handle, Self.numberingPlaceholders(sql), Int32(parameters.count), parameters.map(\.type), pointers,
          lengths, parameters.map(\.format), 0)
      }
    guard let result else {
      throw PostgresError(kind: "connection lost", message: Self.text(PQerrorMessage(handle)), sqlState: "08006")
    }
    defer { PQclear(result) }
    switch PQresultStatus(result) {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK: try body(result)
    default:
      // The primary message only: PostgreSQL's DETAIL can quote a row's values (a sample id).
      let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
      let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
      throw PostgresError(
        kind: PostgresError.kind(ofState: state), message: message ?? Self.text(PQerrorMessage(handle)),
        sqlState: state)
    }
  }

  /// A bound parameter: its bytes, its type (0 lets PostgreSQL infer it) and format (1: binary).
  private struct Parameter {
    let bytes: [UInt8]?
    let type: Oid
    let format: Int32

    init(_ value: StoreValue) {
      switch value {
      case .null: (bytes, type, format) = (nil, 0, 0)
      case .integer(let value): (bytes, type, format) = (Array("\(value)\0".utf8), 20, 0)
      case .real(let value): (bytes, type, format) = (Array("\(value)\0".utf8), 701, 0)
      case .text(let value): (bytes, type, format) = (Array(value.utf8) + [0], 25, 0)
      case .blob(let value): (bytes, type, format) = ([UInt8](value), 17, 1)
      }
    }
  }

  private func withParameterPointers<R>(
    _ parameters: [Parameter], _ body: ([UnsafePointer<CChar>?], [Int32]) -> R
  ) -> R {
    var pointers: [UnsafePointer<CChar>?] = []
    var buffers: [UnsafeMutableBufferPointer<CChar>] = []
    defer { for buffer in buffers { buffer.deallocate() } }
    for parameter in parameters {
      guard let bytes = parameter.bytes else {
        pointers.append(nil)
        continue
      }
      let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(bytes.count, 1))
      bytes.withUnsafeBufferPointer { source in
        for index in source.indices { buffer[index] = CChar(bitPattern: source[index]) }
      }
      buffers.append(buffer)
      pointers.append(UnsafePointer(buffer.baseAddress))
    }
    return body(pointers, parameters.map { Int32($0.bytes?.count ?? 0) })
  }

  /// A result's value as a `StoreValue`, by its column's type (text format).
  private static func value(_ result: OpaquePointer, row: Int32, column: Int32, type: Oid) throws -> StoreValue {
    if PQgetisnull(result, row, column) != 0 { return .null }
    let text = String(cString: PQgetvalue(result, row, column))
    switch type {
    case 16: return .integer(text == "t" ? 1 : 0)
    case 20, 21, 23, 26:
      guard let value = Int64(text) else { throw StoreError(.corrupted, "PostgreSQL returned an unreadable integer") }
      return .integer(value)
    case 700, 701, 1700:
      guard let value = Double(text) else { throw StoreError(.corrupted, "PostgreSQL returned an unreadable number") }
      return .real(value)
    case 17: return .blob(try hexadecimalBytea(text))
    default: return .text(text)
    }
  }

  /// bytea in its text output form, `\x` followed by two hexadecimal digits per byte.
  private static func hexadecimalBytea(_ text: String) throws -> Data {
    let digits = Array(text.utf8)
    guard digits.count >= 2, digits[0] == UInt8(ascii: "\\"), digits[1] == UInt8(ascii: "x"), digits.count % 2 == 0
    else { throw StoreError(.corrupted, "PostgreSQL returned bytea in a form other than hex (bytea_output)") }
    func nibble(_ digit: UInt8) throws -> UInt8 {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
      default: throw StoreError(.corrupted, "PostgreSQL returned bytea with a non-hexadecimal digit")
      }
    }
    var bytes = Data(capacity: (digits.count - 2) / 2)
    var index = 2
    while index < digits.count {
      bytes.append(try nibble(digits[index]) << 4 | nibble(digits[index + 1]))
      index += 2
    }
    return bytes
  }

  /// `sql` with each `?` outside quotes replaced by `$1`, `$2`, … in order.
  static func numberingPlaceholders(_ sql: String) -> String {
    var output = ""
    var number = 0
    var quote: Character?
    for character in sql {
      if let open = quote {
        if character == open { quote = nil }
        output.append(character)
      } else if character == "'" || character == "\"" {
        quote = character
        output.append(character)
      } else if character == "?" {
        number += 1
        output += "$\(number)"
      } else {
        output.append(character)
      }
    }
    return output
  }

  private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
  }
}

/// An error PostgreSQL or libpq reported: its SQLSTATE and primary message (never the DETAIL,
/// which can quote row values).
public struct PostgresError: StorageFailure, CustomStringConvertible {
  public let kind: String
  public let message: String
  public let sqlState: String?

  public var description: String { "PostgreSQL: \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "") }

  /// Trouble that may pass: a lost or refused connection (08), insufficient resources such as a
  /// full disk (53), a serialization failure or deadlock (40), an operator's intervention (57),
  /// a lock not available (55P03); and the store's own waits (no SQLSTATE).
  public var isTransient: Bool {
    guard let sqlState else { return true }
    return ["08", "53", "40", "57"].contains(String(sqlState.prefix(2))) || sqlState == "55P03"
  }

  static func kind(ofState state: String?) -> String {
    switch state {
    case "53100": return "disk full"
    case "25006": return "read-only"
    case let state? where state.hasPrefix("08"): return "connection lost"
    case let state? where state.hasPrefix("53"): return "insufficient resources"
    case let state? where state.hasPrefix("40"): return "conflict with another transaction"
    case "55P03": return "locked by another process"
    default: return "PostgreSQL error \(state ?? "?")"
    }
  }
}
