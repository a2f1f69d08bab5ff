import Foundation
import HTTPTypes
import Hummingbird
import Testing
import UnlearnServer

@testable import UnlearnServer

/// The routes the server registers and the statuses it answers, against the OpenAPI document that
/// is the API's contract (`Sources/UnlearnServer/openapi.json`). Schemathesis fuzzes the live
/// server against the same document in CI (`clients/python/tests`).
struct OpenAPIDocumentTests {
  static let documentPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources/UnlearnServer/openapi.json").path

  /// path → method (lowercase) → documented status codes.
  static func documentedStatuses() throws -> [String: [String: Set<Int>]] {
    let document = try #require(
      JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    let paths = try #require(document["paths"] as? [String: [String: Any]])
    return paths.mapValues { operations in
      operations.compactMapValues { operation in
        ((operation as? [String: Any])?["responses"] as? [String: Any]).map { Set($0.keys.compactMap { Int($0) }) }
      }
    }
  }

  @Test func embeddedCopyIsTheCommittedDocument() throws {
    let file = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
    #expect(OpenAPIDocument.json + "\n" == file, "run scripts/embed-resources after editing openapi.json")
  }

  /// Every route the router has is in the document with its method, and nothing more.
  @Test func routesAreTheDocumentsPaths() throws {
    let (router, _, _, directory) = try APITests.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let served = Set(
      router.routes.map { route -> String in
        let path = route.path.description.split(separator: "/").map {
          $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
        }
        return "\(route.method.rawValue.lowercased()) /" + path.joined(separator: "/")
      })
    let documented = Set(
      try Self.documentedStatuses().flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })
    #expect(served == documented)
  }

  /// Each operation's answers, in success and in the errors a client can cause, have a status the
  /// document lists for it.
  @Test func answersHaveDocumentedStatuses() async throws {
    let statuses = try Self.documentedStatuses()
    let (router, _, worker, directory) = try APITests.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let auth = APITests.auth
    let tooLarge = #"{"ids": ["\#(String(repeating: "x", count: UnlearnAPI.maxBodyBytes))"]}"#
    let probes: [(HTTPRequest.Method, String, String, HTTPFields, String?)] = [
      (.get, "/healthz", "/healthz", [:], nil),
      (.get, "/readyz", "/readyz", [:], nil),
      (.get, "/metrics", "/metrics", [:], nil),
      (.get, "/openapi.json", "/openapi.json", [:], nil),
      (.get, "/openapi.yaml", "/openapi.yaml", [:], nil),
      (.get, "/console", "/console", [:], nil),
      (.get, "/console/app.js", "/console/app.js", [:], nil),
      (.get, "/console/console.css", "/console/console.css", [:], nil),
      (.get, "/v1/models", "/v1/models", auth, nil),
      (.get, "/v1/models", "/v1/models", [:], nil),
      (.get, "/v1/deletions", "/v1/deletions?limit=5", auth, nil),
      (.get, "/v1/deletions", "/v1/deletions?limit=-1", auth, nil),
      (.get, "/v1/audit/verify", "/v1/audit/verify", auth, nil),
      (.get, "/v1/keys", "/v1/keys", [:], nil),
      (.post, "/v1/models/{model}/deletions", "/v1/models/bc/deletions", auth, #"{"ids": ["4"], "request_id": "a"}"#),
      (.post, "/v1/models/{model}/deletions", "/v1/models/bc/deletions", auth, #"{"ids": ["5"], "request_id": "a"}"#),
      (.post, "/v1/models/{model}/deletions", "/v1/models/bc/deletions", auth, #"{"ids": "4"}"#),
      (.post, "/v1/models/{model}/deletions", "/v1/models/bc/deletions", auth, #"{"ids": []}"#),
      (.post, "/v1/models/{model}/deletions", "/v1/models/bc/deletions", auth, #"{"ids": ["no-such-id"]}"#),
      (.post, "/v1/models/{model}/deletions", "/v1/models/bc/deletions", [:], #"{"ids": ["4"]}"#),
      (.post, "/v1/models/{model}/deletions", "/v1/models/nope/deletions", auth, #"{"ids": ["4"]}"#),
      (.post, "/v1/models/{model}/deletions", "/v1/models/bc/deletions", auth, tooLarge),
      (.get, "/v1/deletions/{id}", "/v1/deletions/nope", auth, nil),
      (.get, "/v1/models/{model}", "/v1/models/bc", auth, nil),
      (.get, "/v1/models/{model}", "/v1/models/nope", auth, nil),
      (.post, "/v1/models/{model}/predict", "/v1/models/bc/predict", auth, #"{"features": [[1.0]]}"#),
      (.post, "/v1/models/{model}/predict", "/v1/models/bc/predict", auth, #"{"features": []}"#),
      (.post, "/v1/models/{model}/predict", "/v1/models/bc/predict", auth, "not json"),
      (.get, "/v1/audit", "/v1/audit?after=0&limit=5", auth, nil),
      (.get, "/v1/audit", "/v1/audit?after=x&limit=-3", auth, nil),
      (.get, "/v1/audit", "/v1/audit", [:], nil),
    ]
    try await TestServer.run(router) { client in
      for (method, template, uri, headers, body) in probes {
        let documented = try #require(statuses[template]?[method.rawValue.lowercased()], "\(method) \(template)")
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        {
          #expect(
            documented.contains($0.status.code), "\(method) \(uri): \($0.status.code) is not in \(documented.sorted())")
        }
      }
      await worker.idle()
    }
  }
}
