extension Collection where Element: Hashable {
  /// Each element's offset in the collection: how a dataset finds the row of a sample id, or a
  /// label the position of a class name. The elements must be distinct (a duplicate traps).
  public func offsets() -> [Element: Int] {
    Dictionary(uniqueKeysWithValues: enumerated().map { ($1, $0) })
  }
}
