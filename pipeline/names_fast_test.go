package pipeline

import (
	"testing"

	"pgregory.net/rapid"
)

// TestFoldASCIIAgreesWithUnicodePath checks the ASCII fast paths of
// FoldName against its general Unicode path, on arbitrary ASCII strings.
func TestFoldASCIIAgreesWithUnicodePath(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := string(rapid.SliceOfN(rapid.ByteRange(0, 127), 0, 24).Draw(t, "s"))
		if got, want := FoldName(s), foldUnicode(s); got != want {
			t.Fatalf("FoldName(%q) = %q, general path gives %q", s, got, want)
		}
	})
	for _, s := range []string{"", "123", "Nur Otan", "  A--b__C  ", `"Adal"`, "it's", "x\ty", "ABC"} {
		if got, want := FoldName(s), foldUnicode(s); got != want {
			t.Errorf("FoldName(%q) = %q, general path gives %q", s, got, want)
		}
	}
	if got := Slug("Precinct 12"); got != "precinct-12" {
		t.Errorf("Slug(Precinct 12) = %q", got)
	}
}
