/// A strategy's own report, typed: `ForgetReport.figures` holds it under the keys of DESIGN.md §6
/// (counts and booleans as numbers: false 0, true 1), written and read through `figureFields`,
/// one line per figure. `ForgetReport.report(_:)` reads it back from a forget report.
public protocol StrategyReport: Equatable {
  /// The strategy whose reports these are.
  static var strategy: String { get }
  /// Every figure: its key and the field that holds it.
  static var figureFields: [ReportFigure<Self>] { get }
  /// The report with every field at its default (figures a report leaves out keep them).
  static var blank: Self { get }
}

extension StrategyReport {
  /// The report as `ForgetReport.figures`: every field that has a value, under its key.
  public var figures: [String: Double] {
    var figures: [String: Double] = [:]
    for field in Self.figureFields {
      if let value = field.read(self) { figures[field.key] = value }
    }
    return figures
  }

  /// The report `figures` holds.
  public init(figures: [String: Double]) {
    self = .blank
    for field in Self.figureFields {
      if let value = figures[field.key] { field.write(&self, value) }
    }
  }
}

/// One figure of a `StrategyReport`: its key in `ForgetReport.figures` and the field it reads.
public struct ReportFigure<Report> {
  let key: String
  let read: (Report) -> Double?
  let write: (inout Report, Double) -> Void

  /// A real number.
  public static func number(_ key: String, _ field: WritableKeyPath<Report, Double>) -> Self {
    Self(key: key, read: { $0[keyPath: field] }, write: { $0[keyPath: field] = $1 })
  }

  /// A real number that some reports leave out.
  public static func number(_ key: String, _ field: WritableKeyPath<Report, Double?>) -> Self {
    Self(key: key, read: { $0[keyPath: field] }, write: { $0[keyPath: field] = $1 })
  }

  /// A count.
  public static func count(_ key: String, _ field: WritableKeyPath<Report, Int>) -> Self {
    Self(key: key, read: { Double($0[keyPath: field]) }, write: { $0[keyPath: field] = Int($1) })
  }

  /// A count that some reports leave out.
  public static func count(_ key: String, _ field: WritableKeyPath<Report, Int?>) -> Self {
    Self(key: key, read: { $0[keyPath: field].map(Double.init) }, write: { $0[keyPath: field] = Int($1) })
  }

  /// A yes or no, as 1 or 0.
  public static func flag(_ key: String, _ field: WritableKeyPath<Report, Bool>) -> Self {
    Self(key: key, read: { $0[keyPath: field] ? 1 : 0 }, write: { $0[keyPath: field] = $1 != 0 })
  }

  /// A yes or no that some reports leave out.
  public static func flag(_ key: String, _ field: WritableKeyPath<Report, Bool?>) -> Self {
    Self(key: key, read: { $0[keyPath: field].map { $0 ? 1 : 0 } }, write: { $0[keyPath: field] = $1 != 0 })
  }
}

extension ForgetReport {
  /// The strategy's own report, typed, when this is a report of `type`'s strategy.
  public func report<R: StrategyReport>(_ type: R.Type) -> R? {
    strategy == R.strategy ? R(figures: figures) : nil
  }
}
