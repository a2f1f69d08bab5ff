import Foundation
import UnlearnCore

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Concurrent clients sending deletion requests to a running `unlearn serve` (or an in-process
/// server) over HTTP, for the load test and the service benchmark.
///
/// The plan: `unique` requests, each for one distinct sample and with its own client request id,
/// spread round-robin over the clients; each is sent a second time, with the same request id, by
/// the next client at the same position in its list — a retry racing the original, which the
/// service must answer with the same request and execute once. Each client sends its list in order,
/// waiting for every answer; the clients run concurrently.
public struct DeletionLoad: Sendable {
  public struct Submission: Sendable, Hashable {
    public let requestID: String
    public let sampleID: String
    public let isRetry: Bool
  }

  public struct Outcome: Sendable {
    public let submission: Submission
    /// The HTTP status, or 0 when the connection failed.
    public let status: Int
    /// The service's request id from the 202 body.
    public let serverID: String?
    /// Seconds from sending the request to its full answer.
    public let seconds: Double
    public let failure: String?
  }

  public let clients: [[Submission]]

  public var submissionCount: Int { clients.reduce(0) { $0 + $1.count } }

  /// `unique` distinct samples drawn from `sampleIDs` (seeded shuffle), sent by `clientCount`
  /// clients, each request once as itself and once as a retry.
  public init(sampleIDs: [String], unique: Int, clientCount: Int, seed: UInt64) {
    precondition(unique <= sampleIDs.count && clientCount > 0)
    var generator = SeededGenerator(seed: seed)
    let chosen = Array(sampleIDs.shuffled(using: &generator).prefix(unique))
    var lists = Array(repeating: [Submission](), count: clientCount)
    for (index, sample) in chosen.enumerated() {
      let requestID = "load-\(seed)-\(index)"
      let client = index % clientCount
      lists[client].append(Submission(requestID: requestID, sampleID: sample, isRetry: false))
      lists[(client + 1) % clientCount].append(Submission(requestID: requestID, sampleID: sample, isRetry: true))
    }
    clients = lists
  }

  /// Sends the plan to `POST {baseURL}/v1/models/{model}/deletions`; returns every outcome and the
  /// wall-clock seconds from the first request to the last answer.
  public func run(baseURL: URL, token: String, model: String) async -> (outcomes: [Outcome], seconds: Double) {
    await run(baseURLs: [baseURL], token: token, model: model)
  }

  /// The same against several servers of one store: client c sends to `baseURLs[c % count]`, so
  /// with an even number of clients and two servers every retry goes to the other server than
  /// its original.
  public func run(baseURLs: [URL], token: String, model: String) async -> (outcomes: [Outcome], seconds: Double) {
    precondition(!baseURLs.isEmpty)
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = max(clients.count, 1)
    configuration.timeoutIntervalForRequest = 60
    let session = URLSession(configuration: configuration)
    defer { session.finishTasksAndInvalidate() }
    let endpoints = baseURLs.map { $0.appendingPathComponent("v1/models/\(model)/deletions") }
    let started = DispatchTime.now().uptimeNanoseconds
    let outcomes = await withTaskGroup(of: [Outcome].self) { group in
      for (client, list) in clients.enumerated() {
        let endpoint = endpoints[client % endpoints.count]
        group.addTask {
          var outcomes: [Outcome] = []
          for submission in list {
            outcomes.append(await Self.send(submission, to: endpoint, token: token, session: session))
          }
          return outcomes
        }
      }
      var all: [Outcome] = []
      for await outcomes in group { all += outcomes }
      return all
    }
    return (outcomes, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
  }

  private static func send(
    _ submission: Submission, to endpoint: URL, token: String, session: URLSession
  ) async -> Outcome {
    var request = URLRequest(url: endpoint)
    request.httpMethod = "POST"
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    let body = ["ids": [submission.sampleID], "request_id": submission.requestID] as [String: Any]
    request.httpBody = try? JSONSerialization.data(withJSONObject: body)
    let started = DispatchTime.now().uptimeNanoseconds
    do {
      let (data, response) = try await session.data(for: request)
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
      let status = (response as? HTTPURLResponse)?.statusCode ?? 0
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      return Outcome(
        submission: submission, status: status, serverID: object?["id"] as? String, seconds: seconds,
        failure: status == 202 ? nil : String(decoding: data, as: UTF8.self))
    } catch {
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
      return Outcome(submission: submission, status: 0, serverID: nil, seconds: seconds, failure: "\(error)")
    }
  }

  /// Problems with the answers alone: non-202 statuses, and request ids answered with more than
  /// one service id (a retry that created a second request). Empty when all is well.
  public static func answerProblems(_ outcomes: [Outcome]) -> [String] {
    var problems: [String] = []
    var serverIDs: [String: Set<String>] = [:]
    for outcome in outcomes {
      if outcome.status != 202 {
        problems.append(
          "\(outcome.submission.requestID): HTTP \(outcome.status) \(outcome.failure ?? "")")
      }
      if let id = outcome.serverID { serverIDs[outcome.submission.requestID, default: []].insert(id) }
    }
    for (requestID, ids) in serverIDs.sorted(by: { $0.key < $1.key }) where ids.count != 1 {
      problems.append("\(requestID) was answered with \(ids.count) different service ids")
    }
    return problems
  }

  /// The `q`-quantile (0…1) of the latencies, by the nearest-rank method.
  public static func quantile(_ q: Double, of outcomes: [Outcome]) -> Double {
    let sorted = outcomes.map(\.seconds).sorted()
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((q * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
  }
}
