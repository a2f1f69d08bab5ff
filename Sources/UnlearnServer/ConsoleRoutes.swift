import Hummingbird

/// The web console's routes: its page, script and style sheet, with no token needed to load them
/// (the page signs in with the API token and calls the documented `/v1` routes with it).
///
/// Every answer carries a Content-Security-Policy that allows scripts, styles and requests from
/// this server only and no inline script or style, so text from the store cannot run as code;
/// the page also writes everything it shows as text, never as markup.
extension ConsoleAssets {
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; "
    + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

  static func register<Context: RequestContext>(on router: Router<Context>) {
    router.get("/console") { _, _ in asset(indexHTML, type: "text/html") }
    router.get("/console/app.js") { _, _ in asset(appJS, type: "text/javascript") }
    router.get("/console/console.css") { _, _ in asset(consoleCSS, type: "text/css") }
  }

  private static func asset(_ text: String, type: String) -> Response {
    Response(
      status: .ok,
      headers: [
        .contentType: "\(type); charset=utf-8", .contentSecurityPolicy: contentSecurityPolicy,
        .xContentTypeOptions: "nosniff", .cacheControl: "no-cache",
      ],
      body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
  }
}
