package pipeline

import (
	"testing"

	"pgregory.net/rapid"
)

// ReadsAsTotal's shortcut for names without letters never changes its
// answer: the words are looked for in every name all the same.
func TestReadsAsTotalShortcut(t *testing.T) {
	slow := func(name string) bool {
		n := FoldName(name)
		for _, w := range foldedTotalWords {
			if n != "" && wholeWord(n, w) {
				return true
			}
		}
		return false
	}
	for _, s := range []string{"", "123", "12-4/7", "Total", "итого 3", "٣", "Ⅻ", "TOTAL 12", "0 sum"} {
		if got, want := ReadsAsTotal(s), slow(s); got != want {
			t.Errorf("ReadsAsTotal(%q) = %v, want %v", s, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringMatching(`[0-9 ./\-_,()№#]{0,12}(total|sum|итого|Σ|ǅ|ﬀ)?[0-9 ./\-]{0,6}`).Draw(t, "name")
		if got, want := ReadsAsTotal(s), slow(s); got != want {
			t.Fatalf("ReadsAsTotal(%q) = %v, want %v", s, got, want)
		}
	})
}
