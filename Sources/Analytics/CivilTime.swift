import Foundation

/// Calendar fields of an instant at a fixed UTC offset, by integer arithmetic — the hot path of
/// event ingestion needs them for every event, and Foundation's `Calendar` is far slower.
/// (Days from civil dates after Howard Hinnant's public-domain algorithms; ISO weeks start
/// Monday and belong to the year of their Thursday.)
struct CivilTime: Equatable {
    let year: Int
    let month: Int
    let day: Int
    let hour: Int
    let minute: Int
    let second: Int
    let millisecond: Int
    /// 1 = Monday … 7 = Sunday.
    let weekday: Int
    let isoWeekYear: Int
    let isoWeek: Int

    init(_ date: Date, offsetSeconds: Int) {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) + offsetSeconds * 1000
        let days = Self.floorDivide(millis, 86_400_000)
        let inDay = millis - days * 86_400_000
        (year, month, day) = Self.civil(fromDays: days)
        hour = inDay / 3_600_000
        minute = inDay / 60_000 % 60
        second = inDay / 1000 % 60
        millisecond = inDay % 1000
        weekday = Self.floorModulo(days + 3, 7) + 1
        let thursday = days - (weekday - 1) + 3
        let thursdayDate = Self.civil(fromDays: thursday)
        isoWeekYear = thursdayDate.0
        isoWeek = (thursday - Self.days(fromCivil: thursdayDate.0, 1, 1)) / 7 + 1
    }

    /// Days since 1970-01-01 of a civil date.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    static func floorModulo(_ a: Int, _ b: Int) -> Int {
        a - floorDivide(a, b) * b
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// `2026-11-22T14:05:09.123Z` (offset 0 only).
    var iso8601: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2)).\(Self.pad(millisecond, 3))Z"
    }
}

extension TimeZone {
    /// The offset at `date`, without a Foundation call for UTC.
    func offsetSeconds(at date: Date) -> Int {
        identifier == "UTC" || identifier == "GMT" ? 0 : secondsFromGMT(for: date)
    }
}

extension String {
    /// Without leading and trailing white space and line breaks (no Foundation bridging).
    var trimmedWhitespace: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace || first.isNewline { view.removeFirst() }
        while let last = view.last, last.isWhitespace || last.isNewline { view.removeLast() }
        return view.count == count ? self : String(view)
    }
}
