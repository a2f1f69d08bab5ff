import Foundation
import HTTPTypes
import Hummingbird
import Logging
import UnlearnCore
import UnlearnData
import UnlearnStore
import Unlearning

/// The HTTP API over a `Store` (docs/architecture.md, docs/store.md):
///
/// - `GET /healthz` — no token needed: `{"status": "ok"}`, or `"degraded"` with the reason while the
///   store cannot be written (always 200: the process is alive).
/// - `GET /readyz` — no token needed: 200 when the store can be read, else 503.
/// - `GET /metrics` — no token needed: Prometheus text format (`ServiceMetrics`); counts only.
/// - `GET /openapi.json`, `GET /openapi.yaml` — no token needed: the OpenAPI 3.1 document of all
///   of this (`openapi.json` beside this file, the contract the tests check the routes against).
/// - `POST /v1/models/{model}/deletions` `{"ids": ["…"], "request_id": "…"}` → 202 `{"id", "status"}`;
///   the request is persisted before the answer, then executed in the background.
/// - `GET /v1/deletions?limit=N` — the N most recent requests, newest first (default 50, at most 1000).
/// - `GET /v1/deletions/{id}` — status, report and deletion receipt.
/// - `GET /v1/models` — every model, as the next route gives one.
/// - `GET /v1/models/{model}` — version, exactness, remaining samples, last report's figures.
/// - `POST /v1/models/{model}/predict` `{"features": [[…]]}` → labels and probabilities.
/// - `GET /v1/audit?after=N&limit=M` — audit entries.
/// - `GET /v1/audit/verify` — whether the hash chain is intact, or where it breaks.
/// - `GET /v1/keys` — no token needed: the Ed25519 public keys receipts are signed with.
/// - `GET /console` (and its script and style sheet) — no token needed to load: the web console,
///   which signs in with the token and calls only the routes above.
///
/// Every other `/v1` route needs `Authorization: Bearer <token>`. Every error answer has the body
/// `{"error": {"message": …}}` (`JSONErrorMiddleware`): bad input is a 4xx, a store that cannot be
/// written a 503. Predictions come from the model's state in memory (`Store.currentState`).
public enum UnlearnAPI {
  /// Largest request body accepted (1 MiB); larger is 413.
  public static let maxBodyBytes = 1 << 20

  /// The API's router and the worker that executes accepted requests. One function on purpose: the
  /// route table reads top to bottom as the API it serves (`OpenAPIDocumentTests` checks that it
  /// holds exactly the routes `openapi.json` documents).
  public static func router(
    store: Store, token: String, health: ServiceHealth = ServiceHealth(), metrics: ServiceMetrics = ServiceMetrics(),
    logger: Logger = Logger(label: "unlearn.server")
  ) -> (Router<APIContext>, RequestWorker) {
    let worker = RequestWorker(store: store, health: health, metrics: metrics, logger: logger)
    let router = Router(context: APIContext.self)
    router.add(middleware: JSONErrorMiddleware(health: health, logger: logger))
    router.get("/healthz") { _, _ in health.status }
    // Ready means the store answers; a degraded service stays ready, so that the next request can
    // find that writing works again (taking it out of rotation would keep it degraded).
    router.get("/readyz") { _, _ -> EditedResponse<ServiceHealth.Status> in
      do {
        _ = try store.modelNames()
        return EditedResponse(status: .ok, response: health.status)
      } catch {
        return EditedResponse(
          status: .serviceUnavailable,
          response: ServiceHealth.Status(
            status: "unavailable", reason: "the store cannot be read: \(Store.failureKind(of: error))", since: nil))
      }
    }
    router.get("/metrics") { _, _ -> Response in
      let text = try metrics.exposition(store: store)
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
    router.get("/openapi.json") { _, _ in Self.document(contentType: "application/json") }
    // JSON is valid YAML 1.2: the YAML route serves the same text for tools that ask for YAML.
    router.get("/openapi.yaml") { _, _ in Self.document(contentType: "application/yaml") }
    ConsoleAssets.register(on: router)
    // Public keys are public: no token, so anyone holding a receipt can fetch what checks it.
    router.get("/v1/keys") { _, _ -> SigningKeys in SigningKeys(keys: try store.publishedSigningKeys()) }
    let api = router.group("v1").add(middleware: BearerAuthentication(token: token))

    api.post("models/:model/deletions") { request, context -> EditedResponse<Accepted> in
      let model = try context.parameters.require("model")
      let body = try await request.decode(as: DeletionBody.self, context: context)
      let submitted = try translating {
        try store.submit(
          model: model, ids: body.ids.map { SampleID($0) }, clientRequestID: body.requestID, requester: "http")
      }
      health.recordSuccess()
      logger.info(
        "request \(submitted.status.rawValue)",
        metadata: ["request": "\(submitted.id)", "model": "\(model)", "ids": "\(submitted.idCount)"])
      if submitted.status == .queued { metrics.accepted.increment() }
      if submitted.status == .rejected {
        throw HTTPError(.unprocessableContent, message: "request \(submitted.id) rejected: \(submitted.error ?? "")")
      }
      if submitted.status == .queued { await worker.wake() }
      return EditedResponse(status: .accepted, response: Accepted(id: submitted.id, status: submitted.status.rawValue))
    }
    api.get("deletions") { request, _ -> [DeletionRequest] in
      let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 50, 1), 1000)
      return try store.recentRequests(limit: limit)
    }
    api.get("deletions/:id") { _, context in
      let id = try context.parameters.require("id")
      return try translating { try store.request(id: id) }
    }
    api.get("models") { _, _ -> [ModelSummary] in
      try translating { try store.modelNames().map { try store.model(named: $0) } }
    }
    api.get("models/:model") { _, context in
      let model = try context.parameters.require("model")
      return try translating { try store.model(named: model) }
    }
    api.post("models/:model/predict") { request, context -> Prediction in
      let model = try context.parameters.require("model")
      let body = try await request.decode(as: PredictBody.self, context: context)
      let (version, state) = try translating { try store.currentState(of: model) }
      let width = state.trainingSet.storage.featureCount
      guard !body.features.isEmpty else { throw HTTPError(.badRequest, message: "features: give at least one row") }
      for (index, row) in body.features.enumerated() where row.count != width || !row.allSatisfy(\.isFinite) {
        throw HTTPError(
          .badRequest,
          message: "features[\(index)]: expected \(width) finite numbers, found \(row.count) values")
      }
      let probabilities = state.probabilities(for: Matrix(body.features))
      return Prediction(
        model: model, version: version,
        labels: probabilities.indicesOfRowMaxima().map { state.classNames[$0] },
        probabilities: (0..<probabilities.rows).map { probabilities.row($0) })
    }
    api.get("audit") { request, _ -> [AuditEntry] in
      let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
      let limit = min(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1000)
      return try store.auditEntries(after: after, limit: max(limit, 1))
    }
    api.get("audit/verify") { _, _ -> AuditStatus in
      let verification = try store.verifyAudit()
      return AuditStatus(
        intact: verification.isIntact, entries: verification.entries, brokenAt: verification.brokenAt,
        reason: verification.reason)
    }
    return (router, worker)
  }

  static func document(contentType: String) -> Response {
    Response(
      status: .ok, headers: [.contentType: "\(contentType); charset=utf-8"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json + "\n")))
  }

  /// Store errors as HTTP errors: unknown things are 404, bad requests 400, anything else 409.
  static func translating<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as StoreError {
      switch error.code {
      case .unknownModel, .unknownRequest: throw HTTPError(.notFound, message: error.message)
      case .invalidRequest: throw HTTPError(.badRequest, message: error.message)
      case .requestIDReused, .modelExists, .conflict: throw HTTPError(.conflict, message: error.message)
      case .corrupted, .missingStore, .missingKey: throw HTTPError(.serviceUnavailable, message: error.message)
      }
    }
  }

  struct DeletionBody: Decodable {
    let ids: [String]
    let requestID: String?
    enum CodingKeys: String, CodingKey {
      case ids
      case requestID = "request_id"
    }
  }

  struct Accepted: ResponseEncodable {
    let id: String
    let status: String
  }

  struct PredictBody: Decodable { let features: [[Double]] }

  struct SigningKeys: ResponseEncodable {
    let keys: [SigningKey.Published]
  }

  struct AuditStatus: ResponseEncodable {
    let intact: Bool
    let entries: Int
    let brokenAt: Int64?
    let reason: String?

    enum CodingKeys: String, CodingKey {
      case intact, entries, reason
      case brokenAt = "broken_at"
    }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(intact, forKey: .intact)
      try container.encode(entries, forKey: .entries)
      try container.encode(brokenAt, forKey: .brokenAt)
      try container.encode(reason, forKey: .reason)
    }
  }

  struct Prediction: ResponseEncodable {
    let model: String
    let version: Int
    let labels: [String]
    let probabilities: [[Double]]
  }
}

extension DeletionRequest: ResponseEncodable {}
extension ServiceHealth.Status: ResponseEncodable {}
extension ModelSummary: ResponseEncodable {}
extension AuditEntry: ResponseEncodable {}

/// The request context of the API: Hummingbird's basic one with a 1 MiB body limit.
public struct APIContext: RequestContext {
  public var coreContext: CoreRequestContextStorage

  public init(source: ApplicationRequestContextSource) {
    coreContext = CoreRequestContextStorage(source: source)
  }

  public var maxUploadSize: Int { UnlearnAPI.maxBodyBytes }
}
