import Foundation
import Testing
import _UnlearnTestSupport

@testable import UnlearnStore

/// The backends the store's tests run on: SQLite always, PostgreSQL when
/// `UNLEARN_TEST_POSTGRES_URL` names a server where the tests may create databases
/// (`scripts/postgres-cluster start DIR` starts one and prints its URL; CI does).
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
  case sqlite, postgres

  static let postgresURL = TestPostgres.serverURL
  static let available: [StoreBackend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

  var testDescription: String { rawValue }
}

/// A store made for one test: a folder of its own for the key files (and the SQLite file), and on
/// PostgreSQL a database of its own, dropped by `remove()`.
struct StoreFixture {
  let backend: StoreBackend
  /// The store's file or URL.
  let location: String
  let directory: String
  let keyFile: String
  let store: Store

  init(_ backend: StoreBackend, leaseSeconds: Double = 30) throws {
    self.backend = backend
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    switch backend {
    case .sqlite:
      location = directory + "/unlearn.sqlite"
      keyFile = StoreKey.defaultPath(forStore: location)
    case .postgres:
      location = try TestPostgres.createDatabase()
      keyFile = directory + "/store.key"
    }
    store = try Store(location: location, create: true, keyFile: keyFile, leaseSeconds: leaseSeconds)
  }

  /// The same store opened again, as another process would open it.
  func reopen(create: Bool = false, keyFile: String? = nil, leaseSeconds: Double = 30) throws -> Store {
    try Store(location: location, create: create, keyFile: keyFile ?? self.keyFile, leaseSeconds: leaseSeconds)
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: directory)
    if backend == .postgres { TestPostgres.dropDatabase(location) }
  }
}

/// Where PostgreSQL was not given, the store's tests ran on SQLite only; this says so in the
/// test output. With `UNLEARN_REQUIRE_POSTGRES=1` (CI) a missing server fails instead.
struct StoreBackendTests {
  @Test func postgresIsTestedWhereRequired() throws {
    if ProcessInfo.processInfo.environment["UNLEARN_REQUIRE_POSTGRES"] == "1" {
      #expect(StoreBackend.postgresURL != nil, "UNLEARN_REQUIRE_POSTGRES=1 but UNLEARN_TEST_POSTGRES_URL is not set")
    }
  }

  @Test(
    .enabled(
      if: StoreBackend.postgresURL != nil,
      "UNLEARN_TEST_POSTGRES_URL is not set: the store's tests ran on SQLite only (scripts/postgres-cluster start DIR prints a URL to set)"
    ))
  func postgresServerAnswers() throws {
    let fixture = try StoreFixture(.postgres)
    defer { fixture.remove() }
    #expect(fixture.store.path.hasPrefix("postgres"))
    #expect(try fixture.store.verifyAudit().entries == 1)
  }

  @Test func placeholdersOutsideQuotesAreNumbered() {
    #expect(
      PostgresConnection.numberingPlaceholders("SELECT ? WHERE a = '?' AND \"b?\" = ? OR c IN (?, ?)")
        == "SELECT $1 WHERE a = '?' AND \"b?\" = $2 OR c IN ($3, $4)")
  }

  @Test func passwordsStayOutOfTheLocation() {
    #expect(
      PostgresDatabase.withoutPassword("postgres://unlearn:hunter2@db.internal:5432/store?sslmode=require")
        == "postgres://unlearn:***@db.internal:5432/store?sslmode=require")
    #expect(PostgresDatabase.withoutPassword("postgresql://h/db?password=hunter2").contains("hunter2") == false)
  }
}
