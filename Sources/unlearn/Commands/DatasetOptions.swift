import ArgumentParser
import UnlearnData

/// How to read dataset files, shared by every command that reads one.
struct DatasetOptions: ParsableArguments {
  @Option(help: "CSV: the label column's name (default: the last column other than id).")
  var label: String?

  @Option(help: "Read data files as this format instead of guessing from the name (csv, tsv, idx).")
  var dataFormat: DatasetFile.Format?

  @Option(help: "IDX: the labels file (default: the images file's name with images-idx3 → labels-idx1).")
  var labels: String?

  @Option(help: "TSV: number of hashed text features.")
  var textFeatures: Int = 1024

  func validate() throws {
    guard textFeatures > 0 else { throw ValidationError("--text-features must be positive") }
  }

  /// The file at `path` with these options.
  func file(_ path: String, labelsPath: String? = nil) throws -> DatasetFile {
    try DatasetFile(
      path: path, format: dataFormat, labelColumn: label, labelsPath: labelsPath,
      vectorizer: HashingVectorizer(featureCount: textFeatures))
  }
}

extension DatasetFile.Format: ExpressibleByArgument {}
