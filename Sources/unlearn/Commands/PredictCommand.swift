import ArgumentParser
import Foundation
import UnlearnData
import UnlearnModels

struct PredictCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Write id, predicted label and class probabilities as CSV to stdout.",
    discussion: """
      The CSV header is id,label,p_<class>... with one probability column per class, in the \
      model's class order. A label column in the data, if present, is read and ignored.
      """
  )

  @Option(
    help: "A model file from 'unlearn train', or a state file from 'unlearn train --strategy' or 'unlearn forget'.")
  var model: String

  @Option(help: "The data to predict.")
  var data: String

  @OptionGroup var dataset: DatasetOptions

  func run() async throws {
    let trained = try LoadedModel.read(from: model)
    let loaded = try dataset.file(data, labelsPath: dataset.labels).load()
    guard loaded.featureCount == trained.featureCount else {
      throw DataError.featureCountMismatch(data, expected: trained.featureCount, found: loaded.featureCount)
    }
    let probabilities = trained.probabilities(loaded.features)
    let predicted = probabilities.indicesOfRowMaxima()
    var output = "id,label," + trained.classNames.map { "p_\($0)" }.joined(separator: ",") + "\n"
    for row in 0..<loaded.count {
      output += csvField(loaded.ids[row].rawValue) + "," + csvField(trained.classNames[predicted[row]])
      for k in 0..<probabilities.columns { output += ",\(probabilities[row, k])" }
      output += "\n"
      if output.utf8.count > 1 << 20 {
        FileHandle.standardOutput.write(Data(output.utf8))
        output = ""
      }
    }
    FileHandle.standardOutput.write(Data(output.utf8))
  }

  /// A CSV field, quoted when it holds a comma, quote or line break.
  private func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
