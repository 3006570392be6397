package testkit

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// WideCSV writes a wide polling-station table of stations rows (a row per
// station: its figures, then a column per party) and returns its path and
// size. Like LongCSV it is consistent and the same arguments give the same
// bytes.
func WideCSV(dir string, stations int, seed uint64) (string, int64, error) {
	path := filepath.Join(dir, fmt.Sprintf("wide-%d.csv", stations))
	f, err := os.Create(path)
	if err != nil {
		return "", 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	head := make([]string, len(Parties))
	for i, p := range Parties {
		head[i] = p
		if strings.Contains(p, ",") {
			head[i] = `"` + p + `"`
		}
	}
	fmt.Fprintf(w, "region,district,precinct_id,registered,ballots_cast,invalid,valid,%s\n", strings.Join(head, ","))
	rng := rand.New(rand.NewPCG(seed, 2021))
	votes := make([]int, len(Parties))
	for s := 1; s <= stations; s++ {
		registered, cast, invalid, valid := station(rng, votes)
		fmt.Fprintf(w, "Область %d,Район %d-%d,%d,%d,%d,%d,%d", s%17+1, s%17+1, s%211, s, registered, cast, invalid, valid)
		for _, v := range votes {
			fmt.Fprintf(w, ",%d", v)
		}
		w.WriteByte('\n')
	}
	size, err := finish(f, w)
	return path, size, err
}

// WideSpec writes a spec reading a WideCSV file (or a workbook of the same
// columns) and returns its path.
func WideSpec(dir, path string) (string, error) {
	spec := fmt.Sprintf(`election: {id: synthetic}
contests: [{id: national, seats: 98, method: hare, threshold: {percent: 7}}]
sources:
  - path: %q
    layout: wide
    unit_level: precinct
    columns: {unit_id: precinct_id, parent: district, registered: registered, ballots_cast: ballots_cast, invalid: invalid, valid: valid}
`, path)
	p := filepath.Join(dir, "wide-spec.yaml")
	return p, os.WriteFile(p, []byte(spec), 0o644)
}
