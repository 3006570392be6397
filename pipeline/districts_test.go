package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tally/report"
)

// Three districts with their own seats, D'Hondt, a 5% threshold. Worked
// by hand: A (5 seats): X 1000, Y 600, Z 290 -> quotients 1000 X, 600 Y,
// 500 X, 333 X, 300 Y: X 3, Y 2. B (3 seats): X 200, Y 500, Z 400, W 450.
// C (2 seats): X 10000, Y 8000 -> X 1, Y 1. Nationally W has 450 of
// 21,440 votes (2.1%) and Z 690 (3.2%): under a national threshold neither
// takes a seat and B goes Y 500, Y 250, X 200 -> Y 2, X 1. Measured in
// each district, both pass in B (29% and 26%) and B goes Y 500, W 450,
// Z 400 -> one each.
const districtVotes = `district,precinct,party,votes
A,a1,X,600
A,a1,Y,300
A,a1,Z,290
A,a2,X,400
A,a2,Y,300
B,b1,X,200
B,b1,Y,500
B,b1,Z,400
B,b1,W,450
C,c1,X,10000
C,c1,Y,8000
`

func TestDistricts(t *testing.T) {
	for _, tc := range []struct {
		scope string
		want  map[string]int // contest/party -> seats
	}{
		{"national", map[string]int{
			"assembly/x": 5, "assembly/y": 5, "assembly/z": 0, "assembly/w": 0,
			"assembly/a/x": 3, "assembly/a/y": 2, "assembly/b/x": 1, "assembly/b/y": 2, "assembly/b/z": 0, "assembly/b/w": 0,
			"assembly/c/x": 1, "assembly/c/y": 1}},
		{"district", map[string]int{
			"assembly/x": 4, "assembly/y": 4, "assembly/z": 1, "assembly/w": 1,
			"assembly/b/y": 1, "assembly/b/z": 1, "assembly/b/w": 1}},
	} {
		t.Run(tc.scope, func(t *testing.T) {
			dir := t.TempDir()
			spec := `election: {id: test-districts}
contests:
  - id: assembly
    method: dhondt
    threshold: {percent: 5}
    districts: {by: parent, threshold: ` + tc.scope + `, seats: {a: 5, b: 3, c: 2}}
parties: [{id: x, name: X}, {id: y, name: Y}, {id: z, name: Z}, {id: w, name: W}]
sources:
  - path: votes.csv
    layout: long
    columns: {parent: district, unit_id: precinct, option: party, votes: votes}
`
			for name, body := range map[string]string{"spec.yaml": spec, "votes.csv": districtVotes} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sum := runSpec(t, filepath.Join(dir, "spec.yaml"), false)
			if n := sum.Count(report.Warning); n != 0 {
				t.Errorf("findings: %v", findingsOf(sum))
			}
			got := map[string]int{}
			total := 0
			for _, s := range sum.Seats {
				got[s.Contest+"/"+s.PartyID] = s.Seats
				if !strings.Contains(s.Contest, "/") {
					total += s.Seats
					if s.Method != "dhondt by district" {
						t.Errorf("summary method = %q", s.Method)
					}
				}
				if s.Indices.ENPVotes <= 1 {
					t.Errorf("%s: indices not filled: %+v", s.Contest, s.Indices)
				}
			}
			if total != 10 {
				t.Errorf("national seats sum to %d, want 10", total)
			}
			for k, w := range tc.want {
				if got[k] != w {
					t.Errorf("%s = %d seats, want %d (all: %v)", k, got[k], w, got)
				}
			}
		})
	}
}

func TestDistrictSpecErrors(t *testing.T) {
	base := "election: {id: x}\ncontests: [{id: c, method: dhondt, seats: 9, districts: {seats: {a: 5, b: 3}}}]\nsources: [{path: v.csv}]\n"
	_, err := ParseSpec("s.yaml", []byte(base))
	if err == nil || !strings.Contains(err.Error(), "has 9 seats, but its districts add up to 8") {
		t.Errorf("err = %v", err)
	}
	_, err = ParseSpec("s.yaml", []byte(strings.Replace(base, "seats: 9, ", "", 1)))
	if err != nil {
		t.Errorf("seats derived from districts: %v", err)
	}
}

func TestSeatIndices(t *testing.T) {
	sum := runSpec(t, filepath.Join(kzDir, "pipeline.yaml"), false)
	ix := sum.Seats[0].Indices
	// Nur Otan 71.09% of votes, 77.55% of seats, and so on: Gallagher is a
	// few points, the effective number of parties by seats under 2.
	if ix.Gallagher < 5 || ix.Gallagher > 10 || ix.ENPSeats < 1.4 || ix.ENPSeats > 1.7 || ix.ENPVotes < 1.8 || ix.ENPVotes > 2.0 {
		t.Errorf("indices = %+v", ix)
	}
}

// Units named by several key columns and no spec: precinct 2 of "Esil
// district" must not take the id of a district named "Esil district 2",
// else the district's precincts would be summed under the precinct.
func TestKeyedUnitIDsDoNotCollide(t *testing.T) {
	dir := t.TempDir()
	csv := "district,precinct,registered,valid,A,B\n" +
		"Esil district,1,100,80,50,30\n" +
		"Esil district,2,100,70,40,30\n" +
		"Esil district 2,1,100,90,60,30\n" +
		"Esil district 2,2,100,60,30,30\n"
	spec := "election: {id: keyed}\nsources: [{path: t.csv}]\n"
	for name, body := range map[string]string{"spec.yaml": spec, "t.csv": csv} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum := runSpec(t, filepath.Join(dir, "spec.yaml"), false)
	if n := sum.Count(report.Warning); n != 0 {
		t.Errorf("findings on a consistent table: %v", findingsOf(sum))
	}
	if sum.Tables["units"] != 4 {
		t.Errorf("units = %d, want 4", sum.Tables["units"])
	}
}
