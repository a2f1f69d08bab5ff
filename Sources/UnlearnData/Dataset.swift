import UnlearnCore

/// Labelled samples with stable ids: what every model trains on and every forget request names.
///
/// Row i is sample `ids[i]` with features `features.row(i)` and class `labels[i]`, an index into
/// `classNames`. Class names are the labels as written in the file (for integer labels, sorted
/// numerically), so class index k always means `classNames[k]`.
public struct Dataset: Sendable, Equatable {
  /// Where the sample ids came from.
  public enum IDOrigin: String, Sendable, Codable {
    /// An `id` column in the file.
    case column
    /// The 0-based data row number (no `id` column).
    case rowNumber = "row number"
  }

  /// A short name for reports, usually the file's name.
  public var name: String
  public private(set) var ids: [SampleID]
  public private(set) var features: Matrix
  /// Class indices into `classNames`.
  public private(set) var labels: [Int]
  public private(set) var featureNames: [String]?
  public private(set) var classNames: [String]
  public let idOrigin: IDOrigin

  /// A dataset over the given rows. Shapes must agree (programmer error otherwise); duplicate ids
  /// are a data error and throw.
  public init(
    name: String, ids: [SampleID], features: Matrix, labels: [Int], featureNames: [String]? = nil,
    classNames: [String], idOrigin: IDOrigin
  ) throws {
    precondition(ids.count == features.rows, "\(ids.count) ids for \(features.rows) feature rows")
    precondition(labels.count == features.rows, "\(labels.count) labels for \(features.rows) feature rows")
    precondition(
      featureNames == nil || featureNames!.count == features.columns,
      "\(featureNames?.count ?? 0) feature names for \(features.columns) columns")
    precondition(
      labels.allSatisfy { $0 >= 0 && $0 < classNames.count }, "labels must index the \(classNames.count) classes")
    var firstRow: [SampleID: Int] = [:]
    for (row, id) in ids.enumerated() {
      if let first = firstRow.updateValue(row, forKey: id) {
        throw DataError.duplicateID(name, line: row + 1, column: 1, id: id.rawValue, firstLine: first + 1)
      }
    }
    self.init(
      unchecked: name, ids: ids, features: features, labels: labels, featureNames: featureNames,
      classNames: classNames, idOrigin: idOrigin)
  }

  private init(
    unchecked name: String, ids: [SampleID], features: Matrix, labels: [Int], featureNames: [String]?,
    classNames: [String], idOrigin: IDOrigin
  ) {
    self.name = name
    self.ids = ids
    self.features = features
    self.labels = labels
    self.featureNames = featureNames
    self.classNames = classNames
    self.idOrigin = idOrigin
  }

  /// The number of samples.
  public var count: Int { ids.count }
  /// The number of features per sample.
  public var featureCount: Int { features.columns }
  /// The number of classes (some may have no samples in a subset).
  public var classCount: Int { classNames.count }

  /// Throws `DataError.untrainable` unless a classifier can be trained on these samples: at least
  /// two samples, of at least two classes.
  public func checkTrainable() throws {
    let present = classCounts.filter { $0 > 0 }.count
    guard count >= 2, present >= 2 else {
      throw DataError.untrainable(
        name, expected: "at least 2 samples of at least 2 classes",
        found: "\(count) sample\(count == 1 ? "" : "s") of \(present) class\(present == 1 ? "" : "es")")
    }
  }

  /// Samples per class, indexed like `classNames`.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels { counts[label] += 1 }
    return counts
  }

  /// The samples at the given row positions, in that order, with the same classes.
  public func subset(rows: [Int]) -> Dataset {
    Dataset(
      unchecked: name, ids: rows.map { ids[$0] }, features: features.selectingRows(rows),
      labels: rows.map { labels[$0] }, featureNames: featureNames, classNames: classNames, idOrigin: idOrigin)
  }

  /// The samples of the classes named `names`, relabelled 0, 1, … in that order (MNIST 3 vs 8 as a
  /// binary set: `restricted(toClasses: ["3", "8"])`). Throws `unknownClass` for a name that is not
  /// one of the dataset's classes.
  public func restricted(toClasses names: [String]) throws -> Dataset {
    let position = classNames.offsets()
    let kept = try names.map { name in
      guard let index = position[name] else {
        throw DataError(
          .unknownClass, file: self.name, expected: "one of the classes \(classNames.joined(separator: ", "))",
          found: "class \(name)")
      }
      return index
    }
    let label = kept.offsets()
    let rows = labels.indices.filter { label[labels[$0]] != nil }
    return Dataset(
      unchecked: name, ids: rows.map { ids[$0] }, features: features.selectingRows(rows),
      labels: rows.map { label[labels[$0]]! }, featureNames: featureNames, classNames: names, idOrigin: idOrigin)
  }

  /// The same samples with new features (same row count), e.g. after standardization.
  public func replacingFeatures(_ newFeatures: Matrix, names: [String]? = nil) -> Dataset {
    precondition(newFeatures.rows == count, "replacement has \(newFeatures.rows) rows, dataset has \(count)")
    return Dataset(
      unchecked: name, ids: ids, features: newFeatures, labels: labels,
      featureNames: names ?? (newFeatures.columns == featureCount ? featureNames : nil),
      classNames: classNames, idOrigin: idOrigin)
  }

  /// The same samples with class indices re-expressed in `reference`'s class list, so a test file
  /// that lacks some classes (or lists them in another order) lines up with the training file.
  /// Throws `unknownClass` for a class the reference does not have.
  public func aligningClasses(to reference: [String]) throws -> Dataset {
    guard reference != classNames else { return self }
    let position = reference.offsets()
    let mapping = try classNames.map { name in
      guard let index = position[name] else {
        throw DataError(
          .unknownClass, file: self.name, expected: "one of the training classes \(reference.joined(separator: ", "))",
          found: "class \(name)", hint: "Train on data that has every class the test data uses")
      }
      return index
    }
    return Dataset(
      unchecked: name, ids: ids, features: features, labels: labels.map { mapping[$0] },
      featureNames: featureNames, classNames: reference, idOrigin: idOrigin)
  }
}
