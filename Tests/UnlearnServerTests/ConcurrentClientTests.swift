import Foundation
import Hummingbird
import Testing
import UnlearnStore
import _UnlearnTestSupport

/// Many clients at once over a real socket: nothing lost, nothing executed twice. (The 1,000-request
/// figures — requests/s, p50/p99 — come from `unlearn-benchmarks service`; this is its bounded check.)
struct ConcurrentClientTests {
  @Test func concurrentRequestsAndRetriesAreExecutedExactlyOnce() async throws {
    let (router, store, worker, directory) = try APITests.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let load = DeletionLoad(sampleIDs: (0..<150).map(String.init), unique: 60, clientCount: 10, seed: 7)
    try await TestServer.run(router) { client in
      let port = client.port
      let (outcomes, _) = await load.run(
        baseURL: URL(string: "http://127.0.0.1:\(port)")!, token: APITests.token, model: "bc")
      #expect(outcomes.count == 120)
      #expect(DeletionLoad.answerProblems(outcomes) == [])
    }
    await worker.idle()

    let requests = try store.requests(model: "bc")
    #expect(requests.count == 60, "one stored request per client request id")
    #expect(Set(requests.compactMap(\.clientRequestID)) == Set((0..<60).map { "load-7-\($0)" }))
    #expect(requests.allSatisfy { $0.status == .done }, "\(requests.filter { $0.status != .done })")
    let summary = try store.model(named: "bc")
    #expect(summary.remainingSamples == 90 && summary.pendingRequests == 0)
    #expect(try store.currentState(of: "bc").state.trainingSet.data.count == 90)
    let done = try store.auditEntries(limit: 10_000).filter { $0.event == "request done" }
    #expect(done.count == 60 && Set(done.compactMap(\.requestID)) == Set(requests.map(\.id)))
    #expect(try store.verifyAudit().isIntact)
  }
}
