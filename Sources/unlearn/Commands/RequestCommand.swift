import ArgumentParser
import Foundation
import UnlearnData
import UnlearnStore

struct RequestCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "request",
    abstract: "Submit deletion requests to a stored model and follow them.",
    discussion: """
      A request is recorded (queued) before any work starts, then executed from the model's last \
      committed version; the new version replaces every older one. 'submit' executes at once unless \
      --queue-only is given; 'run' executes what is queued once (a request whose executor stopped is \
      requeued when its lease expires). Any number of 'serve', 'worker' and 'request run' processes \
      may share one store.
      """,
    subcommands: [Submit.self, Status.self, List.self, Run.self])

  struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record a deletion request and execute it.")

    @OptionGroup var store: StoreOption

    @Option(help: "The model's name in the store.")
    var model: String

    @OptionGroup var samples: SampleIDOptions

    @Option(help: "The client's id for this request: the same id submitted again is executed once.")
    var requestID: String?

    @Option(help: "Who asked (recorded with the request).")
    var requester: String?

    @Flag(help: "Only record the request; execute it later with 'unlearn request run'.")
    var queueOnly = false

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @OptionGroup var execution: ExecutorOptions

    func run() async throws {
      let opened = try execution.open(store)
      let requested = try samples.load()
      var request = try opened.submit(model: model, ids: requested, clientRequestID: requestID, requester: requester)
      if request.status == .queued && !queueOnly {
        let progress = ProgressReporter(label: "deleting", enabled: true)
        try opened.executePending(model: model) { progress.show($0, epochs: 0) }
        progress.finish("executed")
        request = try opened.request(id: request.id)
      }
      try RequestCommand.show([request], format: format)
      if request.status == .rejected || request.status == .failed { throw ExitCode(65) }
    }
  }

  struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one request, with its report and receipt.")

    @OptionGroup var store: StoreOption

    @Argument(help: "The request id 'submit' printed, or the client request id given with --request-id.")
    var id: String

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    func run() async throws {
      let opened = try store.open()
      do {
        try RequestCommand.show([try opened.request(id: id)], format: format)
      } catch let error as StoreError where error.code == .unknownRequest {
        // A client request id is the name people remember; it is unique per model.
        let matching = try opened.requests(model: nil).filter { $0.clientRequestID == id }
        guard !matching.isEmpty else {
          throw CommandError(
            "no deletion request '\(id)' in \(opened.path): give the request id 'request submit' printed "
              + "or its --request-id; 'unlearn request list --store \(opened.path)' lists them")
        }
        try RequestCommand.show(matching, format: format, asList: matching.count > 1)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List requests, oldest first.")

    @OptionGroup var store: StoreOption

    @Option(help: "Only this model's requests.")
    var model: String?

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    func run() async throws {
      try RequestCommand.show(try store.open().requests(model: model), format: format, asList: true)
    }
  }

  struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Execute queued requests once (requeueing any whose executor's lease expired).")

    @OptionGroup var store: StoreOption

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @OptionGroup var execution: ExecutorOptions

    func run() async throws {
      let opened = try execution.open(store)
      let requeued = try opened.recoverInterrupted()
      if requeued > 0 { printToStandardError("requeued \(requeued) interrupted request(s)") }
      var finished: [DeletionRequest] = []
      for model in try opened.modelsWithQueuedRequests() {
        finished += try opened.executePending(model: model)
      }
      try RequestCommand.show(finished, format: format, asList: true)
    }
  }

  /// Prints requests; as JSON, one object for a single request (`submit`, `status`), an array for
  /// `list` and `run`.
  static func show(_ requests: [DeletionRequest], format: OutputFormat, asList: Bool = false) throws {
    if format == .json {
      print(try jsonString(asList ? AnyEncodable(requests) : AnyEncodable(requests[0])))
      return
    }
    if requests.isEmpty { print("no requests") }
    for request in requests {
      var rows: [(String, String)] = [
        ("request", request.id), ("model", request.model), ("status", request.status.rawValue),
        ("ids", "\(request.idCount)"), ("received", request.receivedAt),
      ]
      if let client = request.clientRequestID { rows.append(("client request id", client)) }
      if let finished = request.finishedAt { rows.append(("finished", finished)) }
      if let receipt = request.receipt {
        rows += [
          ("decision", receipt.decision), ("why", receipt.reason),
          ("version", "\(receipt.versionBefore) → \(receipt.versionAfter)"),
          ("audit entry", receipt.auditEntryHash),
        ]
      }
      if let report = request.report { rows.append(("forget seconds", String(format: "%.3f", report.seconds))) }
      if let error = request.error { rows.append(("error", error)) }
      print(TextTable.keyValue(rows, markdown: format == .markdown))
    }
  }
}

/// Type erasure for printing either one value or a list as JSON.
struct AnyEncodable: Encodable {
  let value: any Encodable
  init(_ value: any Encodable) { self.value = value }
  func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
