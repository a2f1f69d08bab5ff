import Foundation
import UnlearnCore

// Usage: unlearn-benchmarks [gemm|solve|load|training|training-small|mlp|newton [FILE...] [--requests N] [--threads T] [--deletions-only | --batches-only]|sisa [FILE]|arcane [FILE]|service|service-state [--deletions N] [--only TEXT]|workers [--deletions N]|certified [--removals N] [--draws D]|lmeraser|stream [mnist5k.csv|fashion-mnist]|matrix|quick|all]
//          [--data DIR]
//   quick = gemm + load (a minute); all = every benchmark (training on Fashion-MNIST takes about an hour).
// Set OPENBLAS_NUM_THREADS before running for the training benchmark (it is passed to Python too).
// Results go to stdout as Markdown tables; progress goes to stderr.
let arguments = Array(CommandLine.arguments.dropFirst())
// Benchmarks set OpenBLAS's thread count themselves, up to 2 (the `--threads` of `newton`).
OpenBLASSetup.restartIfNeeded(threads: 2)
let which = arguments.first { !$0.hasPrefix("--") } ?? "quick"
/// The value after `flag`, if the flag is given with one.
func option(_ flag: String) -> String? {
  guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
  return arguments[index + 1]
}
let dataDirectory = option("--data") ?? "../../shared/data"

switch which {
case "gemm":
  GemmBenchmark.run(sizes: [256, 512, 1024], threadCounts: [1, 2])
case "solve":
  try TriangularSolveBenchmark.run(
    sizes: [650, 2000, 7850], columns: [1, 11],
    threads: Int(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "") ?? 1)
case "load":
  try LoadBenchmark.run(dataDirectory: dataDirectory)
case "training":
  try TrainingBenchmark.run(
    dataDirectory: dataDirectory,
    datasets: [
      "breast_cancer.csv", "digits.csv", "mnist5k.csv", "sms_spam/sms_spam.tsv",
      "fashion-mnist/train-images-idx3-ubyte.gz",
    ],
    threads: Int(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "") ?? 1)
case "mlp":
  try MLPBenchmark.run(
    dataDirectory: dataDirectory, epochs: 10,
    threads: Int(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "") ?? 2)
case "newton":
  let chosen = arguments.dropFirst().filter { $0.hasSuffix(".csv") }
  let requests = option("--requests").flatMap { Int($0) } ?? 50
  try NewtonBenchmark.run(
    dataDirectory: dataDirectory,
    datasets: chosen.isEmpty ? ["breast_cancer.csv", "adult.csv", "digits.csv", "mnist5k.csv"] : Array(chosen),
    requests: requests, threads: option("--threads").flatMap { Int($0) } ?? 1,
    deletionsOnly: arguments.contains("--deletions-only"), batchesOnly: arguments.contains("--batches-only"))
case "sisa":
  try SISABenchmark.run(
    dataDirectory: dataDirectory,
    file: arguments.first { $0.hasSuffix(".csv") || $0.hasSuffix(".gz") } ?? "mnist5k.csv",
    deletions: 10, svg: "sisa-tradeoff.svg")
case "arcane":
  try ARCANEBenchmark.run(
    dataDirectory: dataDirectory,
    file: arguments.first { $0.hasSuffix(".csv") || $0.hasSuffix(".gz") } ?? "mnist5k.csv", deletions: 10)
case "service":
  try await ServiceBenchmark.run(dataDirectory: dataDirectory, unique: 500, clients: 20)
  try await ServiceFleetBenchmark.run(dataDirectory: dataDirectory, unique: 500, clients: 20)
case "workers":
  try WorkerScalingBenchmark.run(dataDirectory: dataDirectory, deletions: Int(option("--deletions") ?? "") ?? 200)
case "service-state":
  try await ServiceStateBenchmark.run(
    dataDirectory: dataDirectory, deletions: Int(option("--deletions") ?? "") ?? 100, predictions: 200,
    only: option("--only"))
case "lmeraser":
  try LMEraserBenchmark.run(dataDirectory: dataDirectory, hidden: [256, 128], epochs: 10, deletions: 5)
case "certified":
  try CertifiedBenchmark.run(
    dataDirectory: dataDirectory, removals: Int(option("--removals") ?? "") ?? 100,
    draws: Int(option("--draws") ?? "") ?? 10)
case "matrix":
  try MatrixBenchmark.run(dataDirectory: dataDirectory)
case "stream":
  let chosen = arguments.dropFirst().filter { !$0.hasPrefix("--") && $0 != dataDirectory }
  try StreamBenchmark.run(
    dataDirectory: dataDirectory, datasets: chosen.isEmpty ? ["mnist5k.csv", "fashion-mnist"] : Array(chosen),
    hidden: [128], epochs: 10)
case "training-small":
  try TrainingBenchmark.run(
    dataDirectory: dataDirectory,
    datasets: ["breast_cancer.csv", "digits.csv", "mnist5k.csv", "sms_spam/sms_spam.tsv"],
    threads: Int(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "") ?? 1)
case "quick":
  GemmBenchmark.run(sizes: [256, 512, 1024], threadCounts: [1, 2])
  emit("")
  try LoadBenchmark.run(dataDirectory: dataDirectory)
case "all":
  GemmBenchmark.run(sizes: [256, 512, 1024], threadCounts: [1, 2])
  emit("")
  try LoadBenchmark.run(dataDirectory: dataDirectory)
  emit("")
  try TrainingBenchmark.run(
    dataDirectory: dataDirectory,
    datasets: [
      "breast_cancer.csv", "digits.csv", "mnist5k.csv", "sms_spam/sms_spam.tsv",
      "fashion-mnist/train-images-idx3-ubyte.gz",
    ],
    threads: 1)
  emit("")
  try MLPBenchmark.run(dataDirectory: dataDirectory, epochs: 10, threads: 2)
  emit("")
  try NewtonBenchmark.run(
    dataDirectory: dataDirectory, datasets: ["breast_cancer.csv", "adult.csv", "digits.csv", "mnist5k.csv"],
    requests: 50)
default:
  log(
    "unknown benchmark '\(which)'; expected gemm, solve, load, training, training-small, mlp, newton, sisa, arcane, service, service-state, workers, certified, lmeraser, stream, matrix, quick or all"
  )
  exit(64)
}
