import CUnlearnPQ
import Foundation

/// The PostgreSQL server tests may create databases on, named by `UNLEARN_TEST_POSTGRES_URL` (a
/// URL to its maintenance database, e.g. `postgres://postgres@127.0.0.1:54331/postgres`;
/// `scripts/postgres-cluster start DIR` starts a throwaway one). Each test makes a database of its
/// own and drops it at the end, so tests run in parallel.
public enum TestPostgres {
  public static let serverURL = ProcessInfo.processInfo.environment["UNLEARN_TEST_POSTGRES_URL"]

  /// Why the PostgreSQL cases did not run, for skip messages.
  public static let absence =
    "UNLEARN_TEST_POSTGRES_URL is not set: ran on SQLite only (scripts/postgres-cluster start DIR prints a URL)"

  /// Creates an empty database and returns its URL.
  public static func createDatabase() throws -> String {
    guard let server = serverURL, var components = URLComponents(string: server) else {
      throw Failure(message: absence)
    }
    let name = "unlearn_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    try execute("CREATE DATABASE \(name)", on: server)
    components.path = "/" + name
    guard let url = components.string else { throw Failure(message: "cannot build a URL for \(name)") }
    return url
  }

  /// Drops the database `url` names (closing its other connections).
  public static func dropDatabase(_ url: String) {
    guard let server = serverURL, let name = URLComponents(string: url)?.path.dropFirst(), !name.isEmpty else { return }
    try? execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
  }

  public struct Failure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
  }

  private static func execute(_ sql: String, on server: String) throws {
    guard let connection = PQconnectdb(server) else { throw Failure(message: "libpq could not allocate") }
    defer { PQfinish(connection) }
    guard PQstatus(connection) == CONNECTION_OK else {
      throw Failure(
        message: "cannot connect to UNLEARN_TEST_POSTGRES_URL: " + String(cString: PQerrorMessage(connection)))
    }
    let result = PQexec(connection, sql)
    defer { PQclear(result) }
    guard PQresultStatus(result) == PGRES_COMMAND_OK else {
      throw Failure(message: "\(sql): " + String(cString: PQerrorMessage(connection)))
    }
  }
}
