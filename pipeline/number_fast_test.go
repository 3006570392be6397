package pipeline

import (
	"testing"

	"pgregory.net/rapid"
)

// TestPlainCountAgreesWithParseNumber checks ParseCount's fast path for
// plain digits against the general reader.
func TestPlainCountAgreesWithParseNumber(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := string(rapid.SliceOfN(rapid.ByteRange('0', '9'), 1, 15).Draw(t, "digits"))
		fast, ok := plainCount(s)
		if !ok {
			t.Fatalf("plainCount(%q) declined", s)
		}
		slow, err := ParseNumber(s, HintCount)
		if err != nil || fast != slow {
			t.Fatalf("%q: fast %+v, general %+v (%v)", s, fast, slow, err)
		}
	})
	for _, s := range []string{"", "-1", "1 234", "1,234", "12.5", "1234567890123456", "٣"} {
		if _, ok := plainCount(s); ok {
			t.Errorf("plainCount(%q) took a cell that is not plain digits", s)
		}
	}
	if n, err := ParseCount("007"); err != nil || n.Int != 7 || !n.Whole {
		t.Errorf("ParseCount(007) = %+v, %v", n, err)
	}
}
