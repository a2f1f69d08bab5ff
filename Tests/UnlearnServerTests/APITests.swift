import Foundation
import HTTPTypes
import Hummingbird
import Testing
import UnlearnServer
import UnlearnStore

/// Every route and its errors, over a real socket (`TestServer`).
struct APITests {
  static let token = "test-token"
  static let auth: HTTPFields = [.authorization: "Bearer test-token", .contentType: "application/json"]

  static func makeApp() throws -> (Router<APIContext>, Store, RequestWorker, String) {
    let fixture = try BreastCancerStore()
    let (router, worker) = UnlearnAPI.router(store: fixture.store, token: token)
    return (router, fixture.store, worker, fixture.directory.path)
  }

  static func json(_ response: TestServer.Response) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
  }

  @Test func deletionIsAcceptedExecutedAndReceipted() async throws {
    let (router, store, worker, directory) = try Self.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await TestServer.run(router) { client in
      let id = try await client.execute(
        uri: "/v1/models/bc/deletions", method: .post, headers: Self.auth,
        body: ByteBuffer(string: #"{"ids": ["4", "9"], "request_id": "r-1"}"#)
      ) { response in
        #expect(response.status == .accepted)
        let body = try Self.json(response)
        #expect(body["status"] as? String == "queued")
        return try #require(body["id"] as? String)
      }
      await worker.idle()
      try await client.execute(uri: "/v1/deletions/\(id)", method: .get, headers: Self.auth) { response in
        #expect(response.status == .ok)
        let body = try Self.json(response)
        #expect(body["status"] as? String == "done")
        let receipt = try #require(body["receipt"] as? [String: Any])
        #expect(receipt["decision"] as? String == "approximate" && receipt["version_after"] as? Int == 2)
      }
      // The same request id again: the same request, not a second execution.
      try await client.execute(
        uri: "/v1/models/bc/deletions", method: .post, headers: Self.auth,
        body: ByteBuffer(string: #"{"ids": ["4", "9"], "request_id": "r-1"}"#)
      ) { response in
        let body = try Self.json(response)
        #expect(body["id"] as? String == id)
      }
      try await client.execute(uri: "/v1/models/bc", method: .get, headers: Self.auth) { response in
        let body = try Self.json(response)
        #expect(body["version"] as? Int == 2 && body["remaining_samples"] as? Int == 148)
      }
      try await client.execute(
        uri: "/v1/models/bc/predict", method: .post, headers: Self.auth,
        body: ByteBuffer(string: "{\"features\": [[\(Array(repeating: "1", count: 30).joined(separator: ","))]]}")
      ) { response in
        #expect(response.status == .ok)
        let body = try Self.json(response)
        #expect((body["labels"] as? [String])?.count == 1)
      }
      try await client.execute(uri: "/v1/audit?limit=3", method: .get, headers: Self.auth) { response in
        let entries = try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [Any])
        #expect(entries.count == 3)
      }
      try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
    }
    #expect(try store.versions(of: "bc") == [2])
    #expect(try store.verifyAudit().isIntact)
  }

  @Test func badInputIsA4xxWithAJSONError() async throws {
    let (router, store, _, directory) = try Self.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await TestServer.run(router) { client in
      func expectError(
        _ uri: String, _ method: HTTPRequest.Method, _ body: String?, headers: HTTPFields = Self.auth,
        _ status: HTTPResponse.Status
      ) async throws {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        {
          response in
          #expect(response.status == status, "\(method) \(uri) \(body ?? "")")
          let error = try Self.json(response)["error"] as? [String: Any]
          #expect(error?["message"] is String, "\(method) \(uri): no JSON error body")
        }
      }
      try await expectError("/v1/models/bc", .get, nil, headers: [:], .unauthorized)
      try await expectError("/v1/models/bc", .get, nil, headers: [.authorization: "Bearer wrong"], .unauthorized)
      try await expectError("/v1/models/nope", .get, nil, .notFound)
      try await expectError("/v1/deletions/nope", .get, nil, .notFound)
      try await expectError("/v1/models/bc/deletions", .post, "{not json", .badRequest)
      try await expectError("/v1/models/bc/deletions", .post, #"{"ids": [4]}"#, .badRequest)
      try await expectError("/v1/models/bc/deletions", .post, #"{"ids": []}"#, .badRequest)
      try await expectError("/v1/models/bc/deletions", .post, #"{"ids": ["1", "1"]}"#, .badRequest)
      try await expectError("/v1/models/nope/deletions", .post, #"{"ids": ["1"]}"#, .notFound)
      _ = try store.submit(model: "bc", ids: ["1"], clientRequestID: "used")
      try await expectError("/v1/models/bc/deletions", .post, #"{"ids": ["2"], "request_id": "used"}"#, .conflict)
      try await expectError("/v1/models/bc/deletions", .post, #"{"ids": ["no-such-sample"]}"#, .unprocessableContent)
      try await expectError("/v1/models/bc/predict", .post, #"{"features": [[1, 2]]}"#, .badRequest)
      try await expectError("/v1/models/bc/deletions", .post, #"{"ids": ["3\u0000"]}"#, .badRequest)
      try await expectError("/v1/models/bc/deletions", .post, #"{"ids": ["3\n"]}"#, .badRequest)
      try await expectError("/v1/no/such/route", .get, nil, .notFound)
      try await expectError("/v1/models/bc", .delete, nil, .notFound)
      let huge = "{\"ids\": [\"" + String(repeating: "x", count: UnlearnAPI.maxBodyBytes + 10) + "\"]}"
      try await expectError("/v1/models/bc/deletions", .post, huge, .contentTooLarge)
    }
  }

  @Test func liveServerAnswers() async throws {
    let (router, _, _, directory) = try Self.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await TestServer.run(router) { client in
      try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
      try await client.execute(uri: "/v1/models/bc", method: .get, headers: Self.auth) { response in
        #expect(response.status == .ok)
        let body = try Self.json(response)
        #expect(body["strategy"] as? String == "newton")
      }
    }
  }
}

extension APITests {
  /// `/metrics` parses as Prometheus text, and its counts add up to what was sent.
  @Test func metricsCountWhatWasSent() async throws {
    let (router, store, worker, directory) = try Self.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await TestServer.run(router) { client in
      for (index, ids) in [["4"], ["9", "10"], ["11"], ["no-such-id"]].enumerated() {
        let body = "{\"ids\": [\(ids.map { "\"\($0)\"" }.joined(separator: ","))], \"request_id\": \"m-\(index)\"}"
        try await client.execute(
          uri: "/v1/models/bc/deletions", method: .post, headers: Self.auth, body: ByteBuffer(string: body)
        ) { _ in }
      }
      await worker.idle()
      await worker.wake()
      await worker.idle()
      try await client.execute(uri: "/metrics", method: .get) { response in
        #expect(response.status == .ok)
        var samples: [String: Double] = [:]
        for line in String(buffer: response.body).split(separator: "\n") where !line.hasPrefix("#") {
          let parts = line.split(separator: " ")
          #expect(parts.count == 2, "not a Prometheus sample line: \(line)")
          samples[String(parts[0])] = Double(parts[1])
        }
        #expect(samples[#"unlearn_requests{status="done"}"#] == 3)
        #expect(samples[#"unlearn_requests{status="rejected"}"#] == 1)
        #expect(samples[#"unlearn_requests{status="failed"}"#] == 0)
        #expect(samples["unlearn_queue_depth"] == 0)
        #expect(samples["unlearn_requests_accepted_total"] == 3)
        #expect((samples["unlearn_batch_requests_count"] ?? 0) >= 1)
        #expect(samples["unlearn_batch_requests_sum"] == 3)
      }
    }
    #expect(try store.requests(model: "bc").count == 4)
  }
}
