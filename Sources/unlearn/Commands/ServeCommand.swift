import ArgumentParser
import Foundation
import Hummingbird
import UnlearnServer
import UnlearnStore

struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve deletion requests, predictions and the audit log over HTTP.",
    discussion: """
      Routes: POST /v1/models/{model}/deletions, GET /v1/deletions/{id}, GET /v1/models/{model}, \
      POST /v1/models/{model}/predict, GET /v1/audit, GET /healthz. Every /v1 route needs \
      'Authorization: Bearer <token>', the token read from --token-file or UNLEARN_API_TOKEN. On \
      start, requests a stopped process left running are requeued and executed.
      """)

  @OptionGroup var store: StoreOption

  @Option(help: "The port to listen on.")
  var port = 8080

  @Option(help: "The address to listen on.")
  var host = "127.0.0.1"

  @Option(help: "A file holding the API token (otherwise UNLEARN_API_TOKEN).")
  var tokenFile: String?

  func run() async throws {
    let token: String
    if let tokenFile {
      token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    } else {
      token = ProcessInfo.processInfo.environment["UNLEARN_API_TOKEN"] ?? ""
    }
    guard !token.isEmpty else {
      throw ValidationError("no API token: pass --token-file FILE or set UNLEARN_API_TOKEN")
    }
    let opened = try store.open()
    let requeued = try opened.recoverInterrupted()
    if requeued > 0 { printToStandardError("requeued \(requeued) interrupted request(s)") }
    let (router, worker) = UnlearnAPI.router(store: opened, token: token)
    await worker.wake()
    let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)))
    printToStandardError("serving \(opened.path) on http://\(host):\(port)")
    try await app.runService()
  }
}
