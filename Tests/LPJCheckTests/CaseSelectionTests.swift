import Testing

@testable import LPJCheck

/// `--only`, `--skip` and the expected-deviations file: what a user writes selects exactly the cases meant.
@Suite struct CaseSelectionTests {
    @Test func globMatchesWholeIDs() {
        #expect(CheckOptions.matches("split.at-1", "split.at-1"))
        #expect(!CheckOptions.matches("split.at-10", "split.at-1"))
        #expect(CheckOptions.matches("split.at-10", "split.*"))
        #expect(CheckOptions.matches("fixture.request.ping.bom", "*ping*"))
        #expect(CheckOptions.matches("fixture.request.ping.bom", "fixture.*.bom"))
        #expect(!CheckOptions.matches("fixture.request.ping.bomb", "fixture.*.bom"))
        #expect(!CheckOptions.matches("ab", "ab*b"), "the prefix and the suffix may not share octets")
        #expect(CheckOptions.matches("anything", "*"))
    }

    @Test func skipWinsOverOnly() {
        var options = CheckOptions()
        options.only = ["split.*"]
        options.skip = ["split.at-2"]
        #expect(options.selects("split.at-1"))
        #expect(!options.selects("split.at-2"))
        #expect(!options.selects("size.sweep"))
    }

    @Test func deviationsFileTakesCommentsCRLFAndBlankLines() {
        let text = "# known deviations of my-server\r\n\r\nsplit.at-1   # one recv per frame\r\n\tsize.sweep\t\r\n# split.at-2\nsplit.at-1\n"
        #expect(DeviationsFile.parse(text) == ["split.at-1", "size.sweep"])
        #expect(DeviationsFile.parse("") == [])
        #expect(DeviationsFile.parse("only.one") == ["only.one"])
    }
}
