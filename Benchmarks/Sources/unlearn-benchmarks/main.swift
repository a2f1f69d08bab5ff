import Foundation

// Usage: unlearn-benchmarks [gemm|load|all] [--data DIR]
// Results go to stdout as Markdown tables; progress goes to stderr.
let arguments = Array(CommandLine.arguments.dropFirst())
let which = arguments.first { !$0.hasPrefix("--") } ?? "all"
let dataDirectory: String = {
  if let index = arguments.firstIndex(of: "--data"), index + 1 < arguments.count { return arguments[index + 1] }
  return "../../shared/data"
}()

switch which {
case "gemm":
  GemmBenchmark.run(sizes: [256, 512, 1024], threadCounts: [1, 2])
case "load":
  try LoadBenchmark.run(dataDirectory: dataDirectory)
case "all":
  GemmBenchmark.run(sizes: [256, 512, 1024], threadCounts: [1, 2])
  print("")
  try LoadBenchmark.run(dataDirectory: dataDirectory)
default:
  log("unknown benchmark '\(which)'; expected gemm, load or all")
  exit(64)
}
