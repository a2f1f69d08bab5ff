import UnlearnCore

/// Loads labelled short texts, one per line as `label<TAB>text`, into a `Dataset` whose features
/// come from a `HashingVectorizer`.
///
/// A first line whose label field is `label` is a header and skipped. Labels may be integers or
/// words (`ham`/`spam`); see `ClassLabels` for their order. Every line must have exactly one TAB.
/// Sample ids are 0-based data line numbers. For TF-IDF weights, load with
/// `normalizesRows: false` and fit a `TFIDFWeighting` on the training split.
public struct TextTSVLoader: Sendable {
  public var vectorizer: HashingVectorizer

  public init(vectorizer: HashingVectorizer = HashingVectorizer()) {
    self.vectorizer = vectorizer
  }

  public func load(path: String) throws -> Dataset {
    try parse(FileContents.bytes(of: path), file: path)
  }

  public func parse(_ bytes: [UInt8], file: String) throws -> Dataset {
    var labels: [String] = []
    var texts: [String] = []
    try bytes.withUnsafeBufferPointer { buffer in
      var lines = LineCursor(buffer)
      while let (number, line) = lines.next() {
        if line.isEmpty { continue }
        let tabs = line.indices.filter { line[$0] == 0x09 }
        guard tabs.count == 1 else {
          throw DataError.raggedRow(
            file, line: number, expectedFields: 2, foundFields: tabs.count + 1, separator: "tab")
        }
        let label = String(decoding: UnsafeBufferPointer(rebasing: line[..<tabs[0]]), as: UTF8.self)
        let text = String(decoding: UnsafeBufferPointer(rebasing: line[(tabs[0] + 1)...]), as: UTF8.self)
        if number == 1 && label == "label" { continue }
        guard !label.isEmpty else {
          throw DataError(.badLabel, file: file, line: number, column: 1, expected: "a class label", found: "nothing")
        }
        labels.append(label)
        texts.append(text)
      }
    }
    guard !labels.isEmpty else {
      throw DataError.emptyFile(file, expected: "lines of the form label<TAB>text")
    }
    let classes = ClassLabels(texts: labels)
    return try Dataset(
      name: file,
      ids: labels.indices.map { SampleID(row: $0) },
      features: vectorizer.transform(texts),
      labels: classes.indices,
      classNames: classes.names,
      idOrigin: .rowNumber)
  }
}
