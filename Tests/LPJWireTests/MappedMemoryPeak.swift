#if canImport(Glibc)
import Glibc

/// The most memory this process has ever had in glibc's mmap'd chunks at once: `malloc_stats`'
/// `max mmap bytes`. Every allocation above the mmap threshold (at most 32 MiB) is such a chunk, so a
/// decoder that allocated a claimed length of gigabytes, even for an instant, raises the peak past it.
/// `nil` where glibc's `malloc_stats` is missing.
enum MappedMemoryPeak {
    static func octets() -> Int? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_stats") else { return nil }
        let mallocStats = unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)
        // malloc_stats writes to standard error: point descriptor 2 at a scratch file for the call.
        var template = Array("/tmp/lpj-malloc-stats-XXXXXX".utf8CString)
        let file = mkstemp(&template)
        guard file >= 0 else { return nil }
        unlink(&template)
        defer { close(file) }
        fflush(nil)
        let savedError = dup(2)
        dup2(file, 2)
        mallocStats()
        fflush(nil)
        dup2(savedError, 2)
        close(savedError)
        lseek(file, 0, SEEK_SET)
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while case let count = read(file, &chunk, chunk.count), count > 0 { text += chunk[..<count] }
        let line = String(decoding: text, as: UTF8.self).split(separator: "\n").last { $0.hasPrefix("max mmap bytes") }
        return line?.split(separator: "=").last.flatMap { Int($0.filter { $0 != " " }) }
    }
}
#endif
