package pipeline

import (
	"os"
	"path/filepath"
	"testing"
)

// realDir holds the published result files every developer has beside the
// project; they are read there, never copied in.
const realDir = "../../shared/data/real"

func needReal(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(realDir); err != nil {
		t.Skipf("published result files not found at %s (the shared data folder beside the project); skipping", realDir)
	}
}

func totalsOf(t *testing.T, sum *Summary, contest string) ContestTotals {
	t.Helper()
	for _, ct := range sum.Totals {
		if ct.Contest == contest {
			return ct
		}
	}
	var ids []string
	for _, ct := range sum.Totals {
		ids = append(ids, ct.Contest)
	}
	t.Fatalf("no contest %q; contests: %v", contest, ids)
	return ContestTotals{}
}

func votesOf(ct ContestTotals) map[string]int64 {
	out := map[string]int64{}
	for _, o := range ct.Options {
		out[o.ID] = o.Votes
	}
	return out
}

type realCase struct {
	spec    string
	contest string
	level   string
	units   int
	figures map[string]int64
	votes   map[string]int64
	levels  map[string]int // units per level, where the case says
}

// Each spec in testdata/real reads a published file and gives the national
// totals the commission published, summing only the most detailed units:
// no subtotal or total row is counted again.
func TestRealFiles(t *testing.T) {
	needReal(t)
	cases := []realCase{
		{spec: "russia-2021.yaml", contest: "federal", level: "station", units: 96325,
			figures: map[string]int64{"registered": 109204662, "valid": 55158109},
			votes:   map[string]int64{"united-russia": 28064200, "cprf": 10660669, "ldpr": 4252252, "just-russia": 4201744, "new-people": 2997744}},
		{spec: "germany-2017.yaml", contest: "federal", level: "constituency", units: 299,
			figures: map[string]int64{"valid": 46515492},
			votes: map[string]int64{"christlich-demokratische-union-deutschlands": 12447656,
				"sozialdemokratische-partei-deutschlands": 9539381, "alternative-fur-deutschland": 5878115},
			levels: map[string]int{"constituency": 299, "land": 16, "nation": 1}},
		{spec: "poland-2020.yaml", contest: "president", level: "district", units: 49,
			figures: map[string]int64{"valid": 19425459},
			votes:   map[string]int64{"andrzej-sebastian-duda": 8450513, "rafal-kazimierz-trzaskowski": 5917340},
			levels:  map[string]int{"district": 49, LevelSubtotal: 16, LevelTotal: 1}},
		{spec: "massachusetts-2016.yaml", contest: "president", level: "precinct", units: 2174,
			figures: map[string]int64{"ballots_cast": 3378801},
			votes:   map[string]int64{"clinton-kaine": 1995196, "trump-pence": 1090893},
			levels:  map[string]int{"precinct": 2174, LevelTotal: 1}},
		{spec: "louisiana-2020.yaml", contest: "presidential-electors", level: "parish", units: 64,
			votes: map[string]int64{"donald-j-trump-michael-pence-republican-rep": 1255776,
				"joseph-r-biden-kamala-harris-democratic-dem": 856034},
			levels: map[string]int{"parish": 64, LevelTotal: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			sum := runSpec(t, filepath.Join("../testdata/real", tc.spec), false)
			ct := totalsOf(t, sum, tc.contest)
			if ct.Level != tc.level || ct.Units != tc.units {
				t.Errorf("summed level %q with %d units, want %q with %d (levels %v)", ct.Level, ct.Units, tc.level, tc.units, ct.Levels)
			}
			for f, want := range tc.figures {
				if got, ok := ct.Figures[f]; !ok || got != want {
					t.Errorf("%s = %d (present %v), want %d", f, got, ok, want)
				}
			}
			votes := votesOf(ct)
			for id, want := range tc.votes {
				if got, ok := votes[id]; !ok || got != want {
					t.Errorf("votes of %s = %d (present %v), want %d; options: %v", id, got, ok, want, keys(votes))
				}
			}
			for lv, want := range tc.levels {
				if got := ct.Levels[lv]; got != want {
					t.Errorf("%d units at level %q, want %d (levels %v)", got, lv, want, ct.Levels)
				}
			}
			for _, s := range sum.Sources {
				if s.Rejected != 0 {
					t.Errorf("%s: %d rows rejected: %v", s.Name, s.Rejected, rejectsOf(sum)[:min(3, len(rejectsOf(sum)))])
				}
			}
		})
	}
}

// Louisiana's multi-parish sheet stacks 102 contests; every one is read,
// each with its own candidates and a parish level of 64 units or fewer.
func TestRealLouisianaEveryBlock(t *testing.T) {
	needReal(t)
	sum := runSpec(t, "../testdata/real/louisiana-2020.yaml", false)
	if len(sum.Totals) != 102 {
		t.Fatalf("%d contests, want 102", len(sum.Totals))
	}
	for _, ct := range sum.Totals {
		if ct.Level != "parish" || ct.Units == 0 || ct.Units > 64 || len(ct.Options) == 0 || ct.Levels[LevelTotal] != 1 {
			t.Errorf("contest %s: level %q, %d units, %d options, levels %v", ct.Contest, ct.Level, ct.Units, len(ct.Options), ct.Levels)
		}
	}
}

func keys(m map[string]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
