import ArgumentParser

/// How a command writes its result to stdout.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case json
}
