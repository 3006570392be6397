package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Identities parse or fail with an error, never a panic; what parses
// prints back to the same identity.
func FuzzParseIdentity(f *testing.F) {
	for _, s := range []string{"options = valid", "valid + invalid = ballots_cast", "a - b + -c >= valid", "received <= issued + unused", "= =", "-", "valid valid", "cast<=<registered"} {
		f.Add(s)
	}
	extra := []string{"a", "b", "c", "received", "issued_early", "unused"}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseIdentity(s, extra)
		if err != nil {
			return
		}
		again, err := parseIdentity(sideText(id.left)+" "+id.rel.String()+" "+sideText(id.right), extra)
		if err != nil {
			t.Fatalf("%q parsed, but its printed form does not: %v", s, err)
		}
		if len(again.left) != len(id.left) || len(again.right) != len(id.right) || again.rel != id.rel {
			t.Fatalf("%q and its printed form differ: %+v, %+v", s, id, again)
		}
		for i := range id.left {
			if id.left[i].fig != again.left[i].fig || id.left[i].neg != again.left[i].neg {
				t.Fatalf("%q: left term %d differs", s, i)
			}
		}
	})
}

// Any text read as a transposed table, or as a table whose units are
// checked across, ends without a panic, every row used or rejected.
func FuzzCrossChecks(f *testing.F) {
	f.Add("transposed", ";1A;1B;;TOTALS\n# ballots;10;5;15;15\nGovernor\nA;6;3;9;9\nB;4;2;6;6\nAttorney General;10;5;15;15\nC;10;5;15;14\n;;;;0\n")
	f.Add("transposed", ";Candidates;TOTALS;P1;P2\nBALLOTS CAST - TOTAL;x;30;10;20\n;OBAMA;25;;20\nPres;WRITE-IN;5;1;4\n")
	f.Add("wide", "Nr;Name;Parent unit id;Valid;A;B\nr1;;;10;6;4\nr1-d1;;r1;5;3;2\nr1-d1;;r1;5;3;2\n;TOTAL;;9;5;4\n")
	f.Add("wide", "Region;District;Valid;A\nNorth;;3;3\nNorth;D1;-;-\nNorth;D1+D1;9;9\nTotal;;1;1\n")
	f.Fuzz(func(t *testing.T, layout, table string) {
		if layout != "transposed" {
			layout = "wide"
		}
		dir := t.TempDir()
		spec := "election: {id: f}\nsources:\n  - path: t.csv\n    layout: " + layout + "\n    delimiter: \";\"\n"
		if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "t.csv"), []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
		sp, err := LoadSpec(filepath.Join(dir, "spec.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Run(context.Background(), sp, Options{})
		if err != nil {
			return // an unreadable table or a spec that does not fit it
		}
		for _, s := range sum.Sources {
			if s.Data != s.Used+s.Rejected || s.Rows != s.Data+s.Header+s.Preamble+s.Blank {
				t.Fatalf("rows not accounted for: %+v", s)
			}
		}
	})
}
