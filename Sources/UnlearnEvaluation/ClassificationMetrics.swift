/// How well predicted labels match true labels: accuracy, per-class precision and recall, and the
/// confusion matrix.
public struct ClassificationMetrics: Sendable, Codable, Equatable {
  public struct ClassMetrics: Sendable, Codable, Equatable {
    public let name: String
    /// Samples of this class (row total of the confusion matrix).
    public let support: Int
    /// TP / (TP + FP); nil when the class was never predicted.
    public let precision: Double?
    /// TP / (TP + FN); nil when the class has no samples.
    public let recall: Double?
  }

  public let sampleCount: Int
  public let accuracy: Double
  public let classes: [ClassMetrics]
  /// confusion[t][p]: samples of true class t predicted as class p.
  public let confusion: [[Int]]

  enum CodingKeys: String, CodingKey {
    case sampleCount = "n"
    case accuracy, classes, confusion
  }

  public init(trueLabels: [Int], predictedLabels: [Int], classNames: [String]) {
    precondition(
      trueLabels.count == predictedLabels.count, "\(trueLabels.count) true vs \(predictedLabels.count) predicted")
    let k = classNames.count
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    for (truth, prediction) in zip(trueLabels, predictedLabels) { confusion[truth][prediction] += 1 }
    let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
    self.sampleCount = trueLabels.count
    self.accuracy = trueLabels.isEmpty ? 0 : Double(correct) / Double(trueLabels.count)
    self.confusion = confusion
    self.classes = (0..<k).map { c in
      let support = confusion[c].reduce(0, +)
      let predicted = (0..<k).reduce(0) { $0 + confusion[$1][c] }
      return ClassMetrics(
        name: classNames[c], support: support,
        precision: predicted > 0 ? Double(confusion[c][c]) / Double(predicted) : nil,
        recall: support > 0 ? Double(confusion[c][c]) / Double(support) : nil)
    }
  }
}
