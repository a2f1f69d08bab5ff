import Foundation
import Prometheus
import UnlearnStore

/// What `/metrics` exposes, in Prometheus text format (swift-prometheus):
///
/// - `unlearn_requests{status="queued|running|done|failed|rejected"}`: the store's requests by
///   status, read at each scrape, so they count every executor's work and add up to what was sent;
/// - `unlearn_queue_depth`: requests queued (including those waiting out a retry delay);
/// - `unlearn_requests_accepted_total`: 202 answers this process gave (a retry answered from the
///   record counts again);
/// - `unlearn_batch_requests` and `unlearn_batch_seconds`: histograms of the batches this
///   process executed (requests per batch, wall time per batch);
/// - `unlearn_last_error_timestamp_seconds`: when this process last failed to write the store (0: never).
public final class ServiceMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()
  let accepted: Counter
  let batchRequests: ValueHistogram
  let batchSeconds: DurationHistogram
  let lastError: Gauge

  public init() {
    accepted = registry.makeCounter(
      descriptor: Self.name("unlearn_requests_accepted_total", "202 answers to deletion requests from this process."))
    batchRequests = registry.makeValueHistogram(
      descriptor: Self.name("unlearn_batch_requests", "Requests per executed batch."),
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
    let seconds: [Duration] = [
      .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(100), .milliseconds(500), .seconds(2),
      .seconds(10), .seconds(60), .seconds(600),
    ]
    batchSeconds = registry.makeDurationHistogram(
      descriptor: Self.name("unlearn_batch_seconds", "Wall time per executed batch."), buckets: seconds)
    lastError = registry.makeGauge(
      descriptor: Self.name(
        "unlearn_last_error_timestamp_seconds", "When this process last failed to write the store."))
  }

  static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
  }

  /// Records one executed batch.
  func recordBatch(requests: Int, duration: Duration) {
    batchRequests.record(Double(requests))
    batchSeconds.record(duration)
  }

  func recordError(at date: Date = Date()) {
    lastError.set(date.timeIntervalSince1970)
  }

  /// The exposition, with the store's counts read now.
  public func exposition(store: Store) throws -> String {
    let counts = try store.requestCounts()
    for status in DeletionRequest.Status.allCases {
      registry.makeGauge(
        descriptor: Self.name("unlearn_requests", "Deletion requests in the store by status."),
        labels: [("status", status.rawValue)]
      ).set(Double(counts[status] ?? 0))
    }
    registry.makeGauge(descriptor: Self.name("unlearn_queue_depth", "Deletion requests queued in the store."))
      .set(Double(counts[.queued] ?? 0))
    return registry.emitToString()
  }
}
