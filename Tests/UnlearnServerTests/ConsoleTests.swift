import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import UnlearnServer

/// The web console's files and the routes it depends on. The console in a real browser (sign in,
/// the three views, a deletion through the form) is tested with headless Chromium in
/// Tests/Python/test_console.py.
struct ConsoleTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources/UnlearnServer/Console")

  @Test func embeddedCopiesAreTheCommittedFiles() throws {
    for (name, embedded) in [
      ("index.html", ConsoleAssets.indexHTML), ("app.js", ConsoleAssets.appJS),
      ("console.css", ConsoleAssets.consoleCSS),
    ] {
      let file = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
      #expect(embedded + "\n" == file, "\(name): run scripts/embed-resources after editing it")
    }
  }

  /// The policy forbids inline script and style, so the page must have none.
  @Test func pageHasNoInlineScriptOrStyle() {
    let page = ConsoleAssets.indexHTML
    #expect(!page.contains("<script>") && !page.contains("<style") && !page.contains(" style="))
    #expect(!page.contains("onclick") && !page.contains("onsubmit") && !page.contains("javascript:"))
    for id in ["token", "sign-in", "models", "requests", "audit"] { #expect(page.contains("id=\"\(id)\"")) }
  }

  @Test func consoleIsServedWithItsPolicy() async throws {
    let (router, _, worker, directory) = try APITests.makeApp()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await TestServer.run(router) { client in
      for path in ["/console", "/console/app.js", "/console/console.css"] {
        try await client.execute(uri: path, method: .get) { response in
          #expect(response.status == .ok)
          #expect(response.headers[.contentSecurityPolicy] == ConsoleAssets.contentSecurityPolicy)
        }
      }
      try await client.execute(uri: "/v1/audit/verify", method: .get, headers: APITests.auth) { response in
        let body = try APITests.json(response)
        #expect(body["intact"] as? Bool == true && (body["entries"] as? Int ?? 0) >= 2)
      }
      try await client.execute(uri: "/v1/models", method: .get, headers: APITests.auth) { response in
        let models = try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]])
        #expect(models.map { $0["name"] as? String } == ["bc"])
      }
      await worker.idle()
    }
  }
}
