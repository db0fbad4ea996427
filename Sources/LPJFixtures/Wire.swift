import LPJWire

/// Building blocks for fixture bytes.
enum Wire {
    /// A frame whose prefix counts the octets of `body`'s UTF-8.
    static func frame(_ body: String, _ order: ByteOrder = .little) -> [UInt8] {
        FrameEncoder(byteOrder: order).frame(Array(body.utf8))
    }

    /// A frame around raw octets.
    static func frame(bytes body: [UInt8], _ order: ByteOrder = .little) -> [UInt8] {
        FrameEncoder(byteOrder: order).frame(body)
    }

    /// A frame whose prefix claims `length` whatever the body is: the frames broken senders write.
    static func frame(_ body: String, claimingLength length: Int, _ order: ByteOrder = .little) -> [UInt8] {
        FrameEncoder(byteOrder: order).prefix(forLength: length) + Array(body.utf8)
    }

    /// A lone prefix announcing `length`.
    static func prefix(_ length: Int, _ order: ByteOrder = .little) -> [UInt8] {
        FrameEncoder(byteOrder: order).prefix(forLength: length)
    }

    /// A request body, compact.
    static func request(_ method: String, _ params: JSONValue) -> String {
        String(decoding: Request(method: method, params: params).body(), as: UTF8.self)
    }

    /// A ping body whose params is a string of `total - overhead` x's, so the body is exactly `total` octets.
    static func pingBody(ofSize total: Int) -> String {
        let overhead = request("ping", "").utf8.count
        return request("ping", .string(String(repeating: "x", count: total - overhead)))
    }

    /// A parsed value from JSON text the catalog writes by hand; traps on a typo.
    static func json(_ text: String) -> JSONValue {
        do { return try JSONParser.parse(text) } catch { fatalError("catalog JSON does not parse: \(error): \(text)") }
    }

    /// `depth` nested arrays around `core`: `[[[core]]]`.
    static func nestedArrays(_ depth: Int, core: String = "") -> String {
        String(repeating: "[", count: depth) + core + String(repeating: "]", count: depth)
    }
}
