import UnlearnData

/// Seconds to load real datasets from ../shared/data into a `Dataset` (decompress, parse, convert
/// to Double), the cost every command pays before training.
enum LoadBenchmark {
  static func run(dataDirectory: String) throws {
    emit("# dataset loading (median of 3 after one warm-up)")
    emit("")
    emit("| dataset | rows × features | seconds | MB/s of features |")
    emit("|---|---|---|---|")
    let files = [
      "digits.csv", "mnist5k.csv", "sms_spam/sms_spam.tsv", "fashion-mnist/train-images-idx3-ubyte.gz",
    ]
    for name in files {
      let file = try DatasetFile(path: dataDirectory + "/" + name)
      log("load: \(name)")
      var shape = (0, 0)
      let measurement = try Measurement.run(repetitions: 3) {
        let dataset = try file.load()
        shape = (dataset.count, dataset.featureCount)
      }
      let megabytes = Double(shape.0 * shape.1 * 8) / 1e6
      emit(
        "| \(name) | \(shape.0) × \(shape.1) | \(format(measurement.median, 3)) | "
          + "\(format(megabytes / measurement.median, 0)) |")
    }
  }
}
