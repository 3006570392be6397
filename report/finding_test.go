package report

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// A finding keeps at most MaxText bytes of its message and values, cut on
// a character boundary, and says how long the text was.
func TestFindingTextClipped(t *testing.T) {
	var r Recorder
	long := strings.Repeat("ж", MaxText) // two bytes each
	msg := "cell " + long
	r.Add(Finding{Severity: Error, Code: "x", Message: msg, Expected: "1", Actual: long})
	f := r.Findings()[0]
	for _, c := range []struct{ name, got, in string }{{"message", f.Message, msg}, {"actual", f.Actual, long}} {
		tail := fmt.Sprintf("… (%d bytes in all)", len(c.in))
		if !utf8.ValidString(c.got) || len(c.got) > MaxText+len(tail) || !strings.HasSuffix(c.got, tail) || !strings.HasPrefix(c.in, strings.TrimSuffix(c.got, tail)) {
			t.Errorf("%s: %d bytes, ends %q", c.name, len(c.got), c.got[max(len(c.got)-40, 0):])
		}
	}
	if f.Expected != "1" {
		t.Errorf("expected %q, want it whole", f.Expected)
	}
}
