import LPJWire

/// Text made safe inside an element or a quoted attribute of HTML or XML, for every report written as
/// markup (the HTML pages, the JUnit XML): `& < > " '` as character references, and control characters
/// other than tab and line feed (which neither language allows in text) as a visible `\xNN`. Summaries and
/// details quote what a server sent, and a hostile server's octets must not become markup.
public enum Markup {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += "\\x" + hexByte(UInt8(scalar.value))
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
